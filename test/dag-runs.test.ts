import { runSimulation, Simulation } from '@cloud-copilot/iam-simulate';
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import {
  AirflowRole, AirflowVersion, DagRunConf, DagRunOptions, DagRunTrigger, MwaaWarnings, PrivateMwaaEnvironment, WebserverAccessMode,
} from '../src';
import { jsonataProblem } from '../src/dag-runs';
import { AslDefinition, runStateMachine, SdkCall, TaskError } from './support/asl';
import { expectValidStateMachines, jsonataExpressionProblems } from './support/definition-checks';
import { ACCOUNT, newEnvironment, newStack, newVpc, PartialProps, REGION } from './support/fixtures';
import { nagFindings, PACKS } from './support/nag';
import { resolveIntrinsics } from './support/resolve-template';

const ENV = 'test-env';
const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:test-env-notifications`;
const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:invoker`;
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

/** An S3 object-created event as EventBridge delivers it (the fields the tests read). */
const S3_EVENT = {
  'version': '0',
  'id': '17793124-05d4-b198-2fde-7ededc63b103',
  'detail-type': 'Object Created',
  'source': 'aws.s3',
  'account': ACCOUNT,
  'region': REGION,
  'detail': { bucket: { name: 'landing' }, object: { key: 'orders/2026-12-04.csv', size: 42 } },
};

interface Built {
  readonly env: PrivateMwaaEnvironment;
  readonly trigger: DagRunTrigger;
  /** The template as synthesized. */
  readonly template: any;
  /** A piece of the template with the values AWS would give. */
  readonly resolve: (value: unknown) => any;
  readonly definition: AslDefinition;
  readonly stateMachineArn: string;
}

function build(props: PartialProps = {}, options: DagRunOptions = {}, dagId = 'ingest_orders'): Built {
  const { stack, env } = newEnvironment({ vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, createVpcEndpoints: true, ...props });
  const trigger = env.dagRunTrigger(dagId, options);
  new events.Rule(stack, 'OrdersLanded', { eventPattern: { source: ['aws.s3'] }, targets: [env.dagRunTarget(dagId, options)] });
  const template = Template.fromStack(stack).toJSON();
  const id = (c: any) => stack.getLogicalId(c.node.defaultChild);
  const stateMachineArn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:trigger`;
  const refs = { [id(env.notificationTopic)]: TOPIC_ARN, [id(trigger.stateMachine)]: stateMachineArn };
  const arns = { [id(env.kmsKey)]: KEY_ARN, ...(trigger.invokerFunction ? { [id(trigger.invokerFunction)]: FUNCTION_ARN } : {}) };
  const resolve = (v: unknown) => resolveIntrinsics(v, { account: ACCOUNT, region: REGION, refs, arns });
  const definition = JSON.parse(resolve(template.Resources[id(trigger.stateMachine)].Properties.DefinitionString));
  return { env, trigger, template, resolve, definition, stateMachineArn };
}

const privateV3 = build();
const privateV2 = build({ airflowVersion: AirflowVersion.V2_10_3 });
const publicV3 = build({ webserverAccessMode: WebserverAccessMode.PUBLIC_ONLY });

/** Airflow's answers to the two requests, as the invoker function returns them. */
interface FakeAirflow {
  readonly dag?: { statusCode: number; response: unknown };
  readonly run?: { statusCode: number; response: unknown };
  /** An AWS error (not Airflow's answer) the call throws instead. */
  readonly error?: [string, string];
}

/** A fake of the function in the VPC (and of SNS) for the interpreter. */
function fakeFunction(airflow: FakeAirflow) {
  return (action: string, args: any): any => {
    if (action === 'sns:publish') {
      return { MessageId: 'm-1' };
    }
    expect(action).toBe('lambda:invoke');
    expect(args.FunctionName).toBe(FUNCTION_ARN);
    if (airflow.error) {
      throw new TaskError(...airflow.error);
    }
    const answer = args.Payload.step === 'ReadDag' ? airflow.dag : airflow.run;
    return { StatusCode: 200, Payload: answer ?? { statusCode: 200, response: { is_paused: false } } };
  };
}

const activeDag = { statusCode: 200, response: { dag_id: 'ingest_orders', is_paused: false } };
const created = { statusCode: 200, response: { dag_run_id: 'x', state: 'queued' } };
const invokes = (calls: SdkCall[]) => calls.filter(c => c.action !== 'sns:publish');
const published = (calls: SdkCall[]) => calls.filter(c => c.action === 'sns:publish').map(c => c.args.Message as string);

// ---------------------------------------------------------------------------------------------
// A private web server: the state machine invokes the function in the VPC
// ---------------------------------------------------------------------------------------------

describe('the definitions pass the definition checks of every state machine', () => {
  test.each([['private, Airflow 3', privateV3], ['private, Airflow 2', privateV2], ['public, Airflow 3', publicV3]])('%s', (_name, b) => {
    expect(expectValidStateMachines({ toJSON: () => b.template })).toBeGreaterThanOrEqual(1);
  });

  test('with a conf selection', () => {
    const selected = build({}, { conf: DagRunConf.fromJsonata("{ 'bucket': $event.detail.bucket.name, 'key': $event.detail.object.key }") });
    expect(expectValidStateMachines({ toJSON: () => selected.template })).toBeGreaterThanOrEqual(1);
  });
});

describe('a private web server (Airflow 3)', () => {
  test('an event starts a run with the event as conf, a run id from the event id and a null logical date', async () => {
    const result = await runStateMachine(privateV3.definition, S3_EVENT, fakeFunction({ dag: activeDag, run: created }));
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toContain('DagRunStarted');
    expect(invokes(result.calls).map(c => c.args.Payload)).toEqual([
      { step: 'ReadDag' },
      { step: 'StartDagRun', body: { dag_run_id: 'event__17793124-05d4-b198-2fde-7ededc63b103', logical_date: null, conf: S3_EVENT } },
    ]);
    expect(published(result.calls)).toEqual([]);
  });

  test('a repeated delivery (a new execution, the same event) posts the same run id, and Airflow\'s 409 counts as started', async () => {
    const first = await runStateMachine(privateV3.definition, S3_EVENT, fakeFunction({ dag: activeDag, run: created }),
      { executionId: 'arn:aws:states:eu-west-1:111111111111:execution:m:first' });
    const second = await runStateMachine(privateV3.definition, S3_EVENT,
      fakeFunction({ dag: activeDag, run: { statusCode: 409, response: { detail: 'DAG Run already exists' } } }),
      { executionId: 'arn:aws:states:eu-west-1:111111111111:execution:m:second' });
    const runIds = [first, second].map(r => invokes(r.calls)[1].args.Payload.body.dag_run_id);
    expect(runIds[0]).toBe(runIds[1]);
    expect(second.status).toBe('SUCCEEDED');
    expect(second.path[second.path.length - 1]).toBe('DagRunAlreadyStarted');
    expect(published(second.calls)).toEqual([]);
  });

  test('without an event id, the run id comes from the execution (and unsafe characters are replaced)', async () => {
    const result = await runStateMachine(privateV3.definition, { orders: 3 }, fakeFunction({ dag: activeDag, run: created }),
      { executionId: 'arn:aws:states:eu-west-1:111111111111:execution:m:run 7/a' });
    expect(invokes(result.calls)[1].args.Payload.body.dag_run_id).toBe('event__run_7_a');
  });

  test('a run id is cut to Airflow\'s 250 characters', async () => {
    const result = await runStateMachine(privateV3.definition, { id: 'x'.repeat(300) }, fakeFunction({ dag: activeDag, run: created }));
    const runId: string = invokes(result.calls)[1].args.Payload.body.dag_run_id;
    expect(runId).toHaveLength(250);
    expect(runId.startsWith('event__xxx')).toBe(true);
  });

  test.each([
    ['an unknown DAG', { dag: { statusCode: 404, response: { detail: "DAG with dag_id: 'ingest_orders' not found" } } }, 'DagNotAvailable',
      "Airflow refused it (HTTP 404): DAG with dag_id: 'ingest_orders' not found"],
    ['a DAG the role may not see', { dag: { statusCode: 403, response: { title: 'Forbidden', status: 403 } } }, 'DagNotAvailable',
      'Airflow refused it (HTTP 403): {"title":"Forbidden","status":403}'],
    ['a paused DAG', { dag: { statusCode: 200, response: { is_paused: true } } }, 'DagPaused', 'the DAG is paused, no run was started'],
    ['a run Airflow rejects', { dag: activeDag, run: { statusCode: 400, response: { detail: 'conf: Input should be a valid dictionary' } } }, 'DagRunRefused',
      'Airflow refused it (HTTP 400): conf: Input should be a valid dictionary'],
    ['an Airflow server error', { dag: activeDag, run: { statusCode: 500, response: { detail: 'Internal Server Error' } } }, 'DagRunRefused',
      'Airflow refused it (HTTP 500): Internal Server Error'],
    ['throttling that outlasts the retries', { error: ['ThrottlingException', 'Rate exceeded'] as [string, string] }, 'CallFailed',
      'the call failed: ThrottlingException: Rate exceeded'],
    ['access denied', { error: ['AccessDeniedException', 'not authorized'] as [string, string] }, 'CallFailed',
      'the call failed: AccessDeniedException: not authorized'],
  ])('%s fails the execution with Airflow\'s message and tells the topic', async (_name, airflow, error, message) => {
    const result = await runStateMachine(privateV3.definition, S3_EVENT, fakeFunction(airflow as FakeAirflow));
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe(error);
    const expected = `Run of DAG ingest_orders of Amazon MWAA environment test-env: ${message} (execution arn:aws:states:eu-west-1:111111111111:execution:machine:run-1)`;
    expect(result.cause).toBe(expected);
    expect(published(result.calls)).toEqual([expected]);
  });

  test('a paused DAG gets no run', async () => {
    const result = await runStateMachine(privateV3.definition, S3_EVENT, fakeFunction({ dag: { statusCode: 200, response: { is_paused: true } } }));
    expect(invokes(result.calls).map(c => c.args.Payload.step)).toEqual(['ReadDag']);
  });

  test('throttling and transient errors of the call are retried with backoff and jitter, then reported', () => {
    for (const name of ['ReadDag', 'StartDagRun']) {
      const state = privateV3.definition.States[name];
      expect(state.Retry).toEqual([{
        ErrorEquals: ['ThrottlingException', 'InternalServerException', 'Lambda.TooManyRequestsException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException'],
        IntervalSeconds: 2,
        MaxAttempts: 6,
        BackoffRate: 2,
        JitterStrategy: 'FULL',
      }]);
      expect(state.Catch.map((c: any) => c.ErrorEquals)).toEqual([['States.ALL']]);
    }
  });
});

describe('Airflow 2 (REST API v1)', () => {
  test('the body has no logical_date', async () => {
    const result = await runStateMachine(privateV2.definition, S3_EVENT, fakeFunction({ dag: activeDag, run: created }));
    expect(result.status).toBe('SUCCEEDED');
    expect(invokes(result.calls)[1].args.Payload.body).toEqual({ dag_run_id: 'event__17793124-05d4-b198-2fde-7ededc63b103', conf: S3_EVENT });
  });
});

describe('a selection of the event as conf', () => {
  const selected = build({}, { conf: DagRunConf.fromJsonata("{ 'bucket': $event.detail.bucket.name, 'key': $event.detail.object.key }") });
  const scalar = build({}, { conf: DagRunConf.fromJsonata('$event.detail.object.size') });

  test('the run gets only the selected fields', async () => {
    const result = await runStateMachine(selected.definition, S3_EVENT, fakeFunction({ dag: activeDag, run: created }));
    expect(invokes(result.calls)[1].args.Payload.body.conf).toEqual({ bucket: 'landing', key: 'orders/2026-12-04.csv' });
  });

  test('a selection that is not an object fails before calling Airflow', async () => {
    const result = await runStateMachine(scalar.definition, S3_EVENT, fakeFunction({}));
    expect(result.error).toBe('ConfNotAnObject');
    expect(result.cause).toContain('the conf must be a JSON object, got: 42');
    expect(invokes(result.calls)).toEqual([]);
  });

  test('another conf is another trigger; the same DAG and options share one', () => {
    expect(selected.env.dagRunTrigger('ingest_orders')).not.toBe(selected.env.dagRunTrigger('ingest_orders', { conf: DagRunConf.fromJsonata('{}') }));
    expect(privateV3.env.dagRunTrigger('ingest_orders')).toBe(privateV3.trigger);
  });
});

// ---------------------------------------------------------------------------------------------
// A public web server: the state machine calls InvokeRestApi itself
// ---------------------------------------------------------------------------------------------

describe('a public web server', () => {
  const fakeMwaa = (post: () => any) => (action: string, args: any): any => {
    if (action === 'sns:publish') return {};
    expect(action).toBe('mwaa:invokeRestApi');
    expect(args.Name).toBe(ENV);
    if (args.Method === 'GET') {
      expect(args.Path).toBe('/dags/ingest_orders');
      return { RestApiStatusCode: 200, RestApiResponse: { is_paused: false } };
    }
    expect(args).toMatchObject({ Method: 'POST', Path: '/dags/ingest_orders/dagRuns' });
    return post();
  };

  test('no function: the SDK integration, with the run\'s body', async () => {
    expect(publicV3.trigger.invokerFunction).toBeUndefined();
    const resources = Object.values(publicV3.definition.States).filter((s: any) => s.Type === 'Task').map((s: any) => s.Resource);
    expect(new Set(resources)).toEqual(new Set(['arn:aws:states:::aws-sdk:mwaa:invokeRestApi', 'arn:aws:states:::sns:publish']));
    const result = await runStateMachine(publicV3.definition, S3_EVENT, fakeMwaa(() => ({ RestApiStatusCode: 200, RestApiResponse: {} })));
    expect(result.status).toBe('SUCCEEDED');
    expect(result.calls[1].args.Body).toEqual({ dag_run_id: 'event__17793124-05d4-b198-2fde-7ededc63b103', logical_date: null, conf: S3_EVENT });
  });

  test('a 409 for the same run id (RestApiClientException, "already exists") counts as started', async () => {
    const result = await runStateMachine(publicV3.definition, S3_EVENT, fakeMwaa(() => {
      throw new TaskError('Mwaa.RestApiClientException', "DAGRun with DAG ID: 'ingest_orders' and DAGRun ID: 'event__1' already exists (Service: Mwaa, Status Code: 400)");
    }));
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path[result.path.length - 1]).toBe('DagRunAlreadyStarted');
  });

  test.each([
    ['Mwaa.RestApiClientException', 'Bad Request: conf is not a dictionary'],
    ['Mwaa.RestApiServerException', 'Internal Server Error'],
    ['Mwaa.ThrottlingException', 'Rate exceeded'],
  ])('%s fails the execution with its message and tells the topic', async (error, cause) => {
    const result = await runStateMachine(publicV3.definition, S3_EVENT, fakeMwaa(() => { throw new TaskError(error, cause); }));
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('CallFailed');
    expect(published(result.calls)).toEqual([expect.stringContaining(`the call failed: ${error}: ${cause}`)]);
  });

  test('throttling is retried with backoff', () => {
    expect(publicV3.definition.States.StartDagRun.Retry).toEqual([{
      ErrorEquals: ['Mwaa.ThrottlingException', 'Mwaa.InternalServerException'], IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2, JitterStrategy: 'FULL',
    }]);
  });
});

// ---------------------------------------------------------------------------------------------
// Synth checks
// ---------------------------------------------------------------------------------------------

describe('synth checks', () => {
  const imported = (options: DagRunOptions, dagId = 'ingest_orders') => {
    const stack = newStack();
    const vpc = newVpc(stack);
    const env = PrivateMwaaEnvironment.fromEnvironmentAttributes(stack, 'Imported', { environmentName: ENV });
    return () => env.dagRunTrigger(dagId, { vpc, subnets: vpc.isolatedSubnets, airflowVersion: AirflowVersion.V3_0_6, ...options });
  };

  test.each([
    ['2.4.2', '`airflowVersion` must be 2.4.3 or later for DAG runs through InvokeRestApi, got: 2.4.2'],
    ['2.2.2', '`airflowVersion` must be 2.4.3 or later for DAG runs through InvokeRestApi, got: 2.2.2'],
  ])('Airflow %s is refused', (version, message) => {
    expect(imported({ airflowVersion: AirflowVersion.of(version) })).toThrow(message);
  });

  test.each(['2.4.3', '2.10.3', '3.0.6'])('Airflow %s is accepted', version => {
    expect(imported({ airflowVersion: AirflowVersion.of(version) })).not.toThrow();
  });

  test('an imported environment needs its Airflow version', () => {
    const stack = newStack();
    const env = PrivateMwaaEnvironment.fromEnvironmentAttributes(stack, 'Imported', { environmentName: ENV });
    expect(() => env.dagRunTrigger('d', { webserverAccessMode: WebserverAccessMode.PUBLIC_ONLY }))
      .toThrow('`airflowVersion` must be given for a DAG run trigger of an imported environment (REST API v1 for Airflow 2, v2 for Airflow 3), got: undefined');
  });

  test('an imported environment with a private web server needs its subnets', () => {
    const stack = newStack();
    const env = PrivateMwaaEnvironment.fromEnvironmentAttributes(stack, 'Imported', { environmentName: ENV });
    expect(() => env.dagRunTrigger('d', { airflowVersion: AirflowVersion.V3_0_6 }))
      .toThrow('`vpc` and `subnets` must name the environment\'s VPC and subnets for a DAG run trigger of a private web server (its API is called from inside the VPC), got: no vpc and 0 subnets');
  });

  test.each([
    ['orders/daily', "`dagId` must be 1-250 ASCII letters, digits, '_', '.' or '-' (Airflow's rule for DAG ids), got: 'orders/daily'"],
    ['', "`dagId` must be 1-250 ASCII letters, digits, '_', '.' or '-' (Airflow's rule for DAG ids), got: ''"],
    ['dag id', "`dagId` must be 1-250 ASCII letters, digits, '_', '.' or '-' (Airflow's rule for DAG ids), got: 'dag id'"],
    ['bestellungen_ä', "`dagId` must be 1-250 ASCII letters, digits, '_', '.' or '-' (Airflow's rule for DAG ids), got: 'bestellungen_ä'"],
    ['d'.repeat(251), `\`dagId\` must be 1-250 ASCII letters, digits, '_', '.' or '-' (Airflow's rule for DAG ids), got: '${'d'.repeat(251)}'`],
    ['d'.repeat(51), `\`dagId\` is too long for InvokeRestApi: the path /dags/${'d'.repeat(51)}/dagRuns has 65 characters, at most 64 are allowed (a DAG id of at most 50), got: '${'d'.repeat(51)}'`],
  ])('DAG id %j is refused', (dagId, message) => {
    expect(imported({}, dagId)).toThrow(message);
  });

  test.each(['d'.repeat(50), 'orders.daily-v2', 'A_1'])('DAG id %j is accepted', dagId => {
    expect(imported({}, dagId)).not.toThrow();
  });

  test.each([
    [AirflowRole.VIEWER, '`airflowRole` must be a role that may trigger DAG runs (Admin, Op, User), got: Viewer'],
    [AirflowRole.PUBLIC, '`airflowRole` must be a role that may trigger DAG runs (Admin, Op, User), got: Public'],
  ])('Airflow role %s is refused', (role, message) => {
    expect(imported({ airflowRole: role })).toThrow(message);
  });

  test.each([AirflowRole.USER, AirflowRole.OP, AirflowRole.ADMIN])('Airflow role %s is accepted', role => {
    expect(imported({ airflowRole: role })).not.toThrow();
  });

  test.each([
    ['{ "a": ', 'it does not parse'],
    ['detail.bucket', "it refers to 'detail' at the top level (write $event.detail)"],
    ["{ 'key': object.key }", "it refers to 'object' at the top level (write $event.object)"],
    ['$string(detail)', "it refers to 'detail' at the top level (write $event.detail)"],
    ["{ 'x': '%}' }", 'it may not contain %}'],
    ['$.detail', 'it refers to the context ($) at the top level (write $event)'],
    ['$$.detail', 'it refers to the context ($$) at the top level (write $event)'],
  ])('conf %j is refused', (expression, problem) => {
    expect(imported({ conf: DagRunConf.fromJsonata(expression) })).toThrow(`\`conf\` must be a JSONata expression Step Functions accepts: ${problem}`);
    expect(imported({ conf: DagRunConf.fromJsonata(expression) })).toThrow(`got: ${expression}`);
  });

  test.each([
    '{ "a": ', 'detail.bucket', "{ 'key': object.key }", '$string(detail)', '$.detail', '$$.detail',
    "{ 'bucket': $event.detail.bucket.name }", '$event.detail', '$event.detail.object[size > 1].key', '$map($event.resources, function($r) { $r })',
  ])('the synth check agrees with the shared definition checks on %j', expression => {
    const wrapped = DagRunConf.fromJsonata(expression).expression;
    expect(jsonataProblem(expression) === undefined).toBe(jsonataExpressionProblems(wrapped).length === 0);
  });

  test.each([
    "{ 'bucket': $event.detail.bucket.name }",
    '$event.detail',
    '$merge([$event.detail, { "source": $event.source }])',
    '$event.detail.object[size > 1].key',
    '$map($event.resources, function($r) { $r })',
  ])('conf %j is accepted', expression => {
    expect(jsonataProblem(expression)).toBeUndefined();
    expect(imported({ conf: DagRunConf.fromJsonata(expression) })).not.toThrow();
  });
});

// ---------------------------------------------------------------------------------------------
// The template
// ---------------------------------------------------------------------------------------------

describe('the template', () => {
  const resources = (b: Built, type: string) => Object.entries<any>(b.template.Resources).filter(([, r]) => r.Type === type);
  const roleOf = (b: Built, principal: string) => resources(b, 'AWS::IAM::Role')
    .find(([, r]) => r.Properties.AssumeRolePolicyDocument.Statement[0].Principal.Service === principal)!;

  test('the function runs in the environment\'s subnets with its security groups, for this DAG only', () => {
    const [, fn] = resources(privateV3, 'AWS::Lambda::Function').find(([, r]) => r.Properties.Environment?.Variables?.DAG_ID)!;
    expect(fn.Properties.Environment.Variables).toMatchObject({ ENVIRONMENT_NAME: ENV, DAG_ID: 'ingest_orders' });
    const stack = privateV3.env.stack;
    expect(fn.Properties.VpcConfig.SubnetIds).toEqual(privateV3.env.subnets.map(s => stack.resolve(s.subnetId)));
    expect(fn.Properties.VpcConfig.SecurityGroupIds).toEqual(privateV3.env.securityGroups.map(g => stack.resolve(g.securityGroupId)));
  });

  test('an airflow.env interface endpoint is added to the environment\'s endpoints, allowing InvokeRestApi on its roles only', () => {
    const envEndpoints = resources(privateV3, 'AWS::EC2::VPCEndpoint').filter(([, r]) => JSON.stringify(r.Properties.ServiceName).includes('airflow.env'));
    expect(envEndpoints).toHaveLength(1);
    expect(envEndpoints[0][1].Properties.PrivateDnsEnabled).toBe(true);
    expect(privateV3.resolve(envEndpoints[0][1].Properties.PolicyDocument.Statement)).toEqual([{
      Sid: 'InvokeRestApiOnThisEnvironment',
      Effect: 'Allow',
      Principal: '*',
      Action: 'airflow:InvokeRestApi',
      Resource: `arn:aws:airflow:${REGION}:${ACCOUNT}:role/${ENV}/*`,
    }]);
    expect(resources(publicV3, 'AWS::EC2::VPCEndpoint').filter(([, r]) => JSON.stringify(r.Properties.ServiceName).includes('airflow.env'))).toHaveLength(0);
  });

  test('the airflow.env endpoint `airflowEndpoints` added is used, not a second one', () => {
    const both = build({ vpcEndpointsOptions: { airflowEndpoints: true } });
    const envEndpoints = resources(both, 'AWS::EC2::VPCEndpoint').filter(([, r]) => JSON.stringify(r.Properties.ServiceName).includes('airflow.env'));
    expect(envEndpoints).toHaveLength(1);
    expect(envEndpoints[0][1].Properties.PolicyDocument.Statement.map((x: any) => x.Sid)).toEqual(['ThisEnvironmentOnly']);
  });

  test('without endpoints of this library, a warning asks for an airflow.env endpoint', () => {
    const { stack, env } = newEnvironment();
    env.dagRunTarget('ingest_orders');
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(MwaaWarnings.DAG_RUN_ENV_ENDPOINT));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].entry.data).toContain('Make sure the VPC has one, with private DNS, that the function\'s security groups reach on TCP 443');
    expect(Annotations.fromStack(privateV3.env.stack).findWarning('*', Match.stringLikeRegexp(MwaaWarnings.DAG_RUN_ENV_ENDPOINT))).toHaveLength(0);
  });

  test('Step Functions may assume the state machine role only for this state machine of this account', () => {
    const [, role] = roleOf(privateV3, 'states.amazonaws.com');
    const machineId = privateV3.env.stack.getLogicalId(privateV3.trigger.stateMachine.node.defaultChild as any);
    const name = privateV3.template.Resources[machineId].Properties.StateMachineName;
    expect(privateV3.resolve(role.Properties.AssumeRolePolicyDocument.Statement[0].Condition)).toEqual({
      StringEquals: { 'aws:SourceAccount': ACCOUNT },
      ArnEquals: { 'aws:SourceArn': `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}` },
    });
    expect(name).toMatch(/^test-env-run-ingest_orders-[0-9a-f]{8}$/);
  });

  test('EventBridge may assume the rule role only for rules of this account, to start this state machine only', () => {
    const [, role] = roleOf(privateV3, 'events.amazonaws.com');
    expect(privateV3.resolve(role.Properties.AssumeRolePolicyDocument.Statement[0].Condition)).toEqual({
      StringEquals: { 'aws:SourceAccount': ACCOUNT },
      ArnLike: { 'aws:SourceArn': `arn:aws:events:${REGION}:${ACCOUNT}:rule/*` },
    });
    const [ruleRoleId] = roleOf(privateV3, 'events.amazonaws.com');
    expect(role.Properties.Policies).toBeUndefined();
    const policies = resources(privateV3, 'AWS::IAM::ManagedPolicy').filter(([, r]) => JSON.stringify(r.Properties.Roles ?? []).includes(ruleRoleId));
    expect(policies.map(([, r]) => privateV3.resolve(r.Properties.PolicyDocument.Statement))).toEqual([
      [{ Effect: 'Allow', Action: 'states:StartExecution', Resource: privateV3.stateMachineArn }],
    ]);
    const [, rule] = resources(privateV3, 'AWS::Events::Rule').find(([, r]) => JSON.stringify(r.Properties.EventPattern).includes('aws.s3'))!;
    expect(rule.Properties.Targets[0].RoleArn).toEqual({ 'Fn::GetAtt': [ruleRoleId, 'Arn'] });
  });

  test('the rule starts the state machine with the whole event, retrying delivery', () => {
    const [, rule] = resources(privateV3, 'AWS::Events::Rule').find(([, r]) => JSON.stringify(r.Properties.EventPattern).includes('aws.s3'))!;
    expect(rule.Properties.Targets).toHaveLength(1);
    expect(rule.Properties.Targets[0].Input).toBeUndefined();
    expect(rule.Properties.Targets[0].RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 21600, MaximumRetryAttempts: 10 });
  });

  test('an EventBridge Scheduler schedule starts it with an id that is the same for every retry of one invocation', async () => {
    const { stack, env } = newEnvironment({ vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, createVpcEndpoints: true });
    const trigger = env.dagRunTrigger('nightly');
    new scheduler.Schedule(stack, 'Nightly', {
      schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }),
      target: trigger.schedulerTarget(),
    });
    const json = Template.fromStack(stack).toJSON();
    const [, schedule] = Object.entries<any>(json.Resources).find(([, r]) => r.Type === 'AWS::Scheduler::Schedule')!;
    expect(JSON.parse(schedule.Properties.Target.Input)).toEqual({ id: '<aws.scheduler.schedule-arn>@<aws.scheduler.scheduled-time>' });
    const roleId = schedule.Properties.Target.RoleArn['Fn::GetAtt'][0];
    const trust = json.Resources[roleId].Properties.AssumeRolePolicyDocument.Statement[0];
    expect(trust.Principal).toEqual({ Service: 'scheduler.amazonaws.com' });
    expect(Object.keys(trust.Condition.StringEquals).sort()).toEqual(['aws:SourceAccount', 'aws:SourceArn']);
    // Two attempts of one invocation carry the same input, so the same run id.
    const input = { id: `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/default/Nightly@2026-12-05T02:00:00Z` };
    const id = (c: any) => stack.getLogicalId(c.node.defaultChild);
    const definition = JSON.parse(resolveIntrinsics(json.Resources[id(trigger.stateMachine)].Properties.DefinitionString, {
      account: ACCOUNT,
      region: REGION,
      refs: { [id(env.notificationTopic)]: TOPIC_ARN },
      arns: { [id(trigger.invokerFunction)]: FUNCTION_ARN, [id(env.kmsKey)]: KEY_ARN },
    }));
    const runIds = await Promise.all(['attempt-1', 'attempt-2'].map(async name => {
      const executionId = `arn:aws:states:${REGION}:${ACCOUNT}:execution:m:${name}`;
      const result = await runStateMachine(definition, input, fakeFunction({ dag: activeDag, run: created }), { executionId });
      return invokes(result.calls)[1].args.Payload.body.dag_run_id;
    }));
    expect(runIds).toEqual([
      `event__arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule_default_Nightly_2026-12-05T02:00:00Z`,
      `event__arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule_default_Nightly_2026-12-05T02:00:00Z`,
    ]);
  });

  test('a workflow of your own gets a task that waits for the trigger', () => {
    const stack = privateV3.env.stack;
    const task = privateV3.env.dagRunTask(stack, 'RunIngest', 'ingest_orders');
    const json = task.toStateJson() as any;
    expect(JSON.stringify(stack.resolve(json.Resource))).toContain(':states:::states:startExecution.sync:2');
    expect(stack.resolve(json.Parameters.StateMachineArn)).toEqual(stack.resolve(privateV3.trigger.stateMachine.stateMachineArn));
    expect(json.Parameters['Input.$']).toBe('$');
    expect(task).toBeInstanceOf(sfn.TaskStateBase);
  });
});

// ---------------------------------------------------------------------------------------------
// The caller, simulated
// ---------------------------------------------------------------------------------------------

type Result = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

async function simulate(policy: any, action: string, resource: string): Promise<Result> {
  const principal = `arn:aws:iam::${ACCOUNT}:role/Caller`;
  const simulation: Simulation = {
    identityPolicies: [{ name: 'Policy', policy }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    request: {
      principal,
      action,
      resource: { resource, accountId: resource.split(':')[4] || ACCOUNT },
      contextVariables: { 'aws:PrincipalArn': principal },
    },
  };
  const response = await runSimulation(simulation, {});
  if (response.resultType === 'error') {
    throw new Error(`simulation rejected: ${JSON.stringify(response.errors)}`);
  }
  return response.overallResult as Result;
}

/** Every identity policy of the role that makes the REST API call, merged. */
function callerPolicy(b: Built): any {
  const roleId = b.env.stack.getLogicalId(b.trigger.callerRole.node.defaultChild as any);
  const statements = Object.values<any>(b.template.Resources)
    .filter(r => r.Type === 'AWS::IAM::ManagedPolicy' && JSON.stringify(r.Properties.Roles ?? []).includes(roleId))
    .flatMap(r => r.Properties.PolicyDocument.Statement);
  return b.resolve({ Version: '2012-10-17', Statement: statements });
}

const roleArn = (env: string, role: string) => `arn:aws:airflow:${REGION}:${ACCOUNT}:role/${env}/${role}`;

describe.each([['private (the function)', privateV3], ['public (the state machine)', publicV3]])('the caller of a %s web server', (_name, b) => {
  const policy = callerPolicy(b);

  test('may invoke the REST API as User of this environment', async () => {
    expect(await simulate(policy, 'airflow:InvokeRestApi', roleArn(ENV, 'User'))).toBe('Allowed');
  });

  test.each([
    ['as Admin of this environment', 'airflow:InvokeRestApi', roleArn(ENV, 'Admin')],
    ['as Op of this environment', 'airflow:InvokeRestApi', roleArn(ENV, 'Op')],
    ['as User of another environment', 'airflow:InvokeRestApi', roleArn('other-env', 'User')],
    ['as User of this environment in another Region', 'airflow:InvokeRestApi', `arn:aws:airflow:us-east-1:${ACCOUNT}:role/${ENV}/User`],
    ['a web login as User', 'airflow:CreateWebLoginToken', roleArn(ENV, 'User')],
    ['a CLI token', 'airflow:CreateCliToken', `arn:aws:airflow:${REGION}:${ACCOUNT}:environment/${ENV}`],
    ['an update of the environment', 'airflow:UpdateEnvironment', `arn:aws:airflow:${REGION}:${ACCOUNT}:environment/${ENV}`],
  ])('may not call %s', async (_what, action, resource) => {
    expect(await simulate(policy, action, resource)).toBe('ImplicitlyDenied');
  });
});

test('a trigger as Op may invoke the REST API as Op of this environment only', async () => {
  const op = build({}, { airflowRole: AirflowRole.OP }, 'ops_dag');
  const policy = callerPolicy(op);
  expect(await simulate(policy, 'airflow:InvokeRestApi', roleArn(ENV, 'Op'))).toBe('Allowed');
  expect(await simulate(policy, 'airflow:InvokeRestApi', roleArn(ENV, 'User'))).toBe('ImplicitlyDenied');
});

test('the state machine of a private web server may invoke its function and publish to the topic, and call no Airflow API', async () => {
  const roleId = privateV3.env.stack.getLogicalId(privateV3.trigger.stateMachine.role.node.defaultChild as any);
  const statements = Object.values<any>(privateV3.template.Resources)
    .filter(r => r.Type === 'AWS::IAM::ManagedPolicy' && JSON.stringify(r.Properties.Roles ?? []).includes(roleId))
    .flatMap(r => r.Properties.PolicyDocument.Statement);
  const policy = privateV3.resolve({ Version: '2012-10-17', Statement: statements });
  expect(await simulate(policy, 'lambda:InvokeFunction', FUNCTION_ARN)).toBe('Allowed');
  expect(await simulate(policy, 'lambda:InvokeFunction', `arn:aws:lambda:${REGION}:${ACCOUNT}:function:other`)).toBe('ImplicitlyDenied');
  expect(await simulate(policy, 'sns:Publish', TOPIC_ARN)).toBe('Allowed');
  expect(await simulate(policy, 'airflow:InvokeRestApi', roleArn(ENV, 'User'))).toBe('ImplicitlyDenied');
});

test('the state machine role gets no statements from its tasks (only the managed policy above)', () => {
  const machineRoleId = privateV3.env.stack.getLogicalId(privateV3.trigger.stateMachine.role.node.defaultChild as any);
  const defaultPolicies = Object.values<any>(privateV3.template.Resources).filter(r => r.Type === 'AWS::IAM::Policy'
    && JSON.stringify(r.Properties.Roles ?? []).includes(machineRoleId));
  expect(defaultPolicies).toEqual([]);
});

describe('cdk-nag', () => {
  test.each(PACKS)('%s: the triggers (private and public) add no unacknowledged finding', (_name, pack) => {
    for (const b of [build(), build({ webserverAccessMode: WebserverAccessMode.PUBLIC_ONLY })]) {
      expect(nagFindings(b.env.stack.node.root as App, pack, b.trigger)).toEqual([]);
    }
  });
});
