/**
 * Calls Airflow's REST API of one Amazon MWAA environment with a private web server, from inside the
 * environment's VPC, for the DAG run state machine (`DagRunTrigger`).
 *
 * AWS documents that `InvokeRestApi` on an environment with a private web server cannot be called
 * from outside the VPC, so the state machine cannot make the call through its SDK integration; it
 * invokes this function, which runs in the environment's subnets and reaches the MWAA API
 * (`env.airflow.<region>.amazonaws.com`, the host the SDK sends `InvokeRestApi` to) through the
 * `airflow.env` interface endpoint.
 * https://docs.aws.amazon.com/mwaa/latest/userguide/access-mwaa-apache-airflow-rest-api.html
 *
 * It makes two requests only, both for the one DAG named in its environment: `GET /dags/{dag_id}`
 * (is the DAG there, is it paused) and `POST /dags/{dag_id}/dagRuns` (start a run with the body the
 * state machine built). Airflow's answer, refusals included (`RestApiClientException`,
 * `RestApiServerException`), is returned as `statusCode` and `response` for the state machine to
 * judge; any other error (throttling, access denied, a network failure) is thrown under its own
 * name, which becomes the Step Functions error the state machine retries or reports.
 * https://docs.aws.amazon.com/mwaa/latest/API/API_InvokeRestApi.html
 */
import * as mwaa from '@aws-sdk/client-mwaa';

/** What the state machine asks for. */
export interface InvokerRequest {
  /** `ReadDag` (GET the DAG) or `StartDagRun` (POST a run). */
  readonly step: string;
  /** The body of the run (`StartDagRun` only): a JSON object. */
  readonly body?: unknown;
}

/** Airflow's answer. */
export interface InvokerResult {
  readonly statusCode: number;
  readonly response: unknown;
}

/** A request this function does not make; not retried by the state machine. */
export class InvalidInvokerRequest extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidInvokerRequest';
  }
}

/** The MWAA client of the runtime has no `InvokeRestApiCommand` (an SDK older than the API). */
export class InvokeRestApiUnavailable extends Error {
  constructor() {
    super('the AWS SDK of this Lambda runtime has no InvokeRestApiCommand; use a newer Node.js runtime');
    this.name = 'InvokeRestApiUnavailable';
  }
}

/** The Airflow exceptions of `InvokeRestApi` that carry Airflow's answer. */
const AIRFLOW_ANSWERS = ['RestApiClientException', 'RestApiServerException'];

type InvokeCommand = new (input: object) => mwaa.MWAAClient extends { send(c: infer C): unknown } ? C : never;

const client = new mwaa.MWAAClient({});

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new InvalidInvokerRequest(`the function's environment has no ${name}`);
  }
  return value;
}

/** The request for `step`: only the two this function exists for. */
export function restApiRequest(request: InvokerRequest, environmentName: string, dagId: string): object {
  const dagPath = `/dags/${dagId}`;
  if (request.step === 'ReadDag') {
    return { Name: environmentName, Path: dagPath, Method: 'GET' };
  }
  if (request.step === 'StartDagRun') {
    const body = request.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new InvalidInvokerRequest(`the body of a DAG run must be a JSON object, got: ${JSON.stringify(body)}`);
    }
    return { Name: environmentName, Path: `${dagPath}/dagRuns`, Method: 'POST', Body: body };
  }
  throw new InvalidInvokerRequest(`step must be ReadDag or StartDagRun, got: ${JSON.stringify(request.step)}`);
}

export async function handler(request: InvokerRequest): Promise<InvokerResult> {
  const input = restApiRequest(request, required('ENVIRONMENT_NAME'), required('DAG_ID'));
  // Looked up at run time: the SDK the tests build against predates InvokeRestApi, the runtime's has it.
  const Command = (mwaa as unknown as { InvokeRestApiCommand?: InvokeCommand }).InvokeRestApiCommand;
  if (Command === undefined) {
    throw new InvokeRestApiUnavailable();
  }
  try {
    const output = await client.send(new Command(input)) as { RestApiStatusCode?: number; RestApiResponse?: unknown };
    return { statusCode: output.RestApiStatusCode ?? 200, response: output.RestApiResponse ?? null };
  } catch (e) {
    const error = e as { name?: string; RestApiStatusCode?: number; RestApiResponse?: unknown };
    if (error.name !== undefined && AIRFLOW_ANSWERS.includes(error.name) && typeof error.RestApiStatusCode === 'number') {
      return { statusCode: error.RestApiStatusCode, response: error.RestApiResponse ?? null };
    }
    throw e;
  }
}
