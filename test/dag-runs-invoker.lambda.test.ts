import { MWAAClient } from '@aws-sdk/client-mwaa';
import { mockClient } from 'aws-sdk-client-mock';

/**
 * The function that calls Airflow's REST API from the VPC, with the MWAA client mocked. The
 * registry here has only @aws-sdk/client-mwaa 3.523.0, which predates InvokeRestApi; the function
 * looks the command up at run time (the Lambda runtime's SDK has it), so the test adds a stand-in
 * command class to the module, as a newer SDK would have it.
 */
jest.mock('@aws-sdk/client-mwaa', () => {
  const actual = jest.requireActual('@aws-sdk/client-mwaa');
  return { ...actual, InvokeRestApiCommand: class { constructor(public readonly input: any) {} } };
});

// eslint-disable-next-line import/order
import { handler, InvalidInvokerRequest, restApiRequest } from '../src/dag-runs/invoker.lambda';

const mwaa = mockClient(MWAAClient as any) as unknown as {
  onAnyCommand(): { callsFake(fn: (input: any) => any): void };
  calls(): Array<{ args: [{ input: any; constructor: { name: string } }] }>;
  reset(): void;
};

/** An SDK service exception as the client throws it. */
function sdkError(name: string, fields: object = {}): Error {
  return Object.assign(new Error(`${name} message`), { name, $metadata: { httpStatusCode: 400 } }, fields);
}

beforeEach(() => {
  mwaa.reset();
  process.env.ENVIRONMENT_NAME = 'test-env';
  process.env.DAG_ID = 'ingest_orders';
});

test('ReadDag GETs the DAG of its environment and returns Airflow\'s answer', async () => {
  mwaa.onAnyCommand().callsFake(() => ({ RestApiStatusCode: 200, RestApiResponse: { is_paused: false } }));
  expect(await handler({ step: 'ReadDag' })).toEqual({ statusCode: 200, response: { is_paused: false } });
  expect(mwaa.calls().map(c => c.args[0].input)).toEqual([{ Name: 'test-env', Path: '/dags/ingest_orders', Method: 'GET' }]);
});

test('StartDagRun POSTs the body to the DAG\'s dagRuns', async () => {
  mwaa.onAnyCommand().callsFake(() => ({ RestApiStatusCode: 200, RestApiResponse: { state: 'queued' } }));
  const body = { dag_run_id: 'event__1', logical_date: null, conf: { a: 1 } };
  expect(await handler({ step: 'StartDagRun', body })).toEqual({ statusCode: 200, response: { state: 'queued' } });
  expect(mwaa.calls().map(c => c.args[0].input)).toEqual([{ Name: 'test-env', Path: '/dags/ingest_orders/dagRuns', Method: 'POST', Body: body }]);
});

test.each([
  ['RestApiClientException', 409, { detail: 'already exists' }],
  ['RestApiClientException', 404, { detail: 'DAG not found' }],
  ['RestApiServerException', 500, { detail: 'Internal Server Error' }],
])('Airflow\'s refusal (%s, HTTP %d) is returned, not thrown', async (name, statusCode, response) => {
  mwaa.onAnyCommand().callsFake(() => { throw sdkError(name, { RestApiStatusCode: statusCode, RestApiResponse: response }); });
  expect(await handler({ step: 'StartDagRun', body: {} })).toEqual({ statusCode, response });
});

test.each(['ThrottlingException', 'AccessDeniedException', 'ValidationException', 'ResourceNotFoundException'])(
  '%s is thrown under its own name (the state machine retries or reports it)', async name => {
    mwaa.onAnyCommand().callsFake(() => { throw sdkError(name); });
    await expect(handler({ step: 'ReadDag' })).rejects.toMatchObject({ name });
  });

test('a RestApiClientException without a status code is thrown, not taken for an answer', async () => {
  mwaa.onAnyCommand().callsFake(() => { throw sdkError('RestApiClientException'); });
  await expect(handler({ step: 'ReadDag' })).rejects.toMatchObject({ name: 'RestApiClientException' });
});

test.each([
  [{ step: 'DeleteDag' }, 'step must be ReadDag or StartDagRun, got: "DeleteDag"'],
  [{ step: 'StartDagRun', body: [1] }, 'the body of a DAG run must be a JSON object, got: [1]'],
  [{ step: 'StartDagRun', body: 'x' }, 'the body of a DAG run must be a JSON object, got: "x"'],
  [{ step: 'StartDagRun' }, 'the body of a DAG run must be a JSON object, got: undefined'],
])('any other request (%j) is refused without a call', async (request, message) => {
  mwaa.onAnyCommand().callsFake(() => ({ RestApiStatusCode: 200 }));
  await expect(handler(request)).rejects.toThrow(message);
  await expect(handler(request)).rejects.toBeInstanceOf(InvalidInvokerRequest);
  expect(mwaa.calls()).toHaveLength(0);
});

test('the DAG and environment come from the function\'s environment only', () => {
  expect(restApiRequest({ step: 'ReadDag' }, 'a', 'b')).toEqual({ Name: 'a', Path: '/dags/b', Method: 'GET' });
  delete process.env.DAG_ID;
  return expect(handler({ step: 'ReadDag' })).rejects.toThrow('the function\'s environment has no DAG_ID');
});

test('with an SDK that has no InvokeRestApiCommand, the function says so instead of calling anything', async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require('@aws-sdk/client-mwaa');
  const command = sdk.InvokeRestApiCommand;
  delete sdk.InvokeRestApiCommand;
  try {
    mwaa.onAnyCommand().callsFake(() => ({ RestApiStatusCode: 200 }));
    await expect(handler({ step: 'ReadDag' })).rejects.toMatchObject({
      name: 'InvokeRestApiUnavailable',
      message: 'the AWS SDK of this Lambda runtime has no InvokeRestApiCommand; use a newer Node.js runtime',
    });
    expect(mwaa.calls()).toHaveLength(0);
  } finally {
    sdk.InvokeRestApiCommand = command;
  }
});
