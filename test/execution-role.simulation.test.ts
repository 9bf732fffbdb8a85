import { runSimulation, runUnsafeSimulation, Simulation } from '@cloud-copilot/iam-simulate';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { PrivateMwaaEnvironment, PrivateMwaaEnvironmentProps } from '../src';
import { ACCOUNT, newStack, newVpc, REGION } from './support/fixtures';
import { resolveIntrinsics } from './support/resolve-template';

/**
 * The execution role, its trust policy and the key policy, resolved to concrete ARNs and run
 * through an IAM policy simulator: every call MWAA needs is allowed, and the calls next to them
 * that it must not make are denied.
 */
// runUnsafeSimulation loads the resource policy without a name and then reads it: give every
// policy loaded without metadata a name (a test shim for iam-simulate 0.1.173, nothing else).
jest.mock('@cloud-copilot/iam-policy', () => {
  const actual = jest.requireActual('@cloud-copilot/iam-policy');
  return { ...actual, loadPolicy: (policy: unknown, metadata?: object) => actual.loadPolicy(policy, metadata ?? { name: 'ResourcePolicy' }) };
});

const ENV = 'secure-env';
const BUCKET = 'secure-env-source-bucket';
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const ROLE_NAME = 'SecureEnvExecutionRole';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${ROLE_NAME}`;
const SESSION_ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/${ROLE_NAME}/AmazonMWAA-airflow`;
const ENV_ARN = `arn:aws:airflow:${REGION}:${ACCOUNT}:environment/${ENV}`;
const MWAA_ACCOUNT = '222222222222';
const QUEUE_ARN = `arn:aws:sqs:${REGION}:${MWAA_ACCOUNT}:airflow-celery-6f2a9b1c-1234`;
const LOG_GROUP = (env: string, type: string) => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:airflow-${env}-${type}`;

type Result = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

function synthesize(extra: Partial<PrivateMwaaEnvironmentProps> = {}) {
  const stack = newStack();
  const vpc = newVpc(stack);
  const env = new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: ENV, vpc, ...extra });
  const template = Template.fromStack(stack).toJSON();
  const id = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as any);
  const keyId = id(env.kmsKey);
  const bucketId = id(env.sourceBucket);
  const roleId = id(env.executionRole);
  const options = {
    account: ACCOUNT,
    region: REGION,
    refs: { [bucketId]: BUCKET, [roleId]: ROLE_NAME },
    arns: { [keyId]: KEY_ARN, [bucketId]: `arn:aws:s3:::${BUCKET}`, [roleId]: ROLE_ARN },
  };
  const policyId = id(env.executionRolePolicy);
  return {
    identityPolicy: resolveIntrinsics(template.Resources[policyId].Properties.PolicyDocument, options),
    trustPolicy: resolveIntrinsics(template.Resources[roleId].Properties.AssumeRolePolicyDocument, options),
    keyPolicy: resolveIntrinsics(template.Resources[keyId].Properties.KeyPolicy, options),
  };
}

const policies = synthesize();

interface Call {
  readonly action: string;
  readonly resource: string;
  readonly context?: { [key: string]: string };
}

/** A call by the execution role's session, with the resource policy the resource would have. */
async function asExecutionRole(call: Call, synthesized: typeof policies = policies): Promise<Result> {
  let resourcePolicy: any;
  let accountId = ACCOUNT;
  if (call.resource.startsWith('arn:aws:kms:')) {
    // Same-account keys are governed by their key policy; a key elsewhere trusts only its own account.
    resourcePolicy = call.resource === KEY_ARN ? synthesized.keyPolicy : undefined;
    accountId = call.resource.split(':')[4];
  } else if (call.resource.startsWith('arn:aws:sqs:')) {
    // The Celery queue lives in an account MWAA owns, whose queue policy admits the execution role.
    accountId = call.resource.split(':')[4];
    resourcePolicy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: ROLE_ARN }, Action: 'sqs:*', Resource: call.resource }],
    };
  }
  return simulate({
    identityPolicies: [{ name: 'ExecutionRolePolicy', policy: synthesized.identityPolicy }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy,
    request: {
      principal: SESSION_ARN,
      action: call.action,
      resource: { resource: call.resource, accountId },
      contextVariables: { 'aws:PrincipalArn': ROLE_ARN, ...(call.context ?? {}) },
    },
  });
}

async function simulate(simulation: Simulation): Promise<Result> {
  const response = await runSimulation(simulation, {});
  if (response.resultType === 'error') {
    throw new Error(`simulation rejected: ${JSON.stringify(response.errors)}`);
  }
  return response.overallResult as Result;
}

const viaSqs = { 'kms:ViaService': `sqs.${REGION}.amazonaws.com` };
const viaS3 = { 'kms:ViaService': `s3.${REGION}.amazonaws.com` };

describe('the execution role may make every call MWAA needs', () => {
  const allowed: Array<[string, Call]> = [
    ['publish environment metrics', { action: 'airflow:PublishMetrics', resource: ENV_ARN }],
    ['read a DAG file', { action: 's3:GetObject', resource: `arn:aws:s3:::${BUCKET}/dags/etl.py` }],
    ['read a pinned object version', { action: 's3:GetObjectVersion', resource: `arn:aws:s3:::${BUCKET}/requirements.txt` }],
    ['read the bucket versioning', { action: 's3:GetBucketVersioning', resource: `arn:aws:s3:::${BUCKET}` }],
    ['read the bucket public access block', { action: 's3:GetBucketPublicAccessBlock', resource: `arn:aws:s3:::${BUCKET}` }],
    ['list the bucket', { action: 's3:ListBucket', resource: `arn:aws:s3:::${BUCKET}` }],
    ['read the account public access block', { action: 's3:GetAccountPublicAccessBlock', resource: '*' }],
    ['create its task log group', { action: 'logs:CreateLogGroup', resource: LOG_GROUP(ENV, 'Task') }],
    ['create a log stream', { action: 'logs:CreateLogStream', resource: `${LOG_GROUP(ENV, 'Scheduler')}:log-stream:scheduler-1` }],
    ['write log events', { action: 'logs:PutLogEvents', resource: `${LOG_GROUP(ENV, 'Worker')}:log-stream:worker-1` }],
    ['read log events for the UI', { action: 'logs:GetLogEvents', resource: `${LOG_GROUP(ENV, 'Task')}:log-stream:dag/run/task/1.log` }],
    ...['DAGProcessing', 'Scheduler', 'Task', 'WebServer', 'Worker'].flatMap((type): Array<[string, Call]> => [
      [`create the ${type} log group`, { action: 'logs:CreateLogGroup', resource: LOG_GROUP(ENV, type) }],
      [`write to a stream of the ${type} log group`, { action: 'logs:PutLogEvents', resource: `${LOG_GROUP(ENV, type)}:log-stream:s-1` }],
    ]),
    ['describe log groups', { action: 'logs:DescribeLogGroups', resource: '*' }],
    ['put metric data', { action: 'cloudwatch:PutMetricData', resource: '*' }],
    ['send to its Celery queue', { action: 'sqs:SendMessage', resource: QUEUE_ARN }],
    ['receive from its Celery queue', { action: 'sqs:ReceiveMessage', resource: QUEUE_ARN }],
    ['delete from its Celery queue', { action: 'sqs:DeleteMessage', resource: QUEUE_ARN }],
    ['get the queue URL', { action: 'sqs:GetQueueUrl', resource: QUEUE_ARN }],
    ['get the queue attributes', { action: 'sqs:GetQueueAttributes', resource: QUEUE_ARN }],
    ['change message visibility', { action: 'sqs:ChangeMessageVisibility', resource: QUEUE_ARN }],
    ['decrypt through SQS', { action: 'kms:Decrypt', resource: KEY_ARN, context: viaSqs }],
    ['generate a data key through SQS', { action: 'kms:GenerateDataKey', resource: KEY_ARN, context: viaSqs }],
    ['decrypt through S3', { action: 'kms:Decrypt', resource: KEY_ARN, context: viaS3 }],
    ['encrypt through S3', { action: 'kms:Encrypt', resource: KEY_ARN, context: viaS3 }],
    ['describe the key through S3', { action: 'kms:DescribeKey', resource: KEY_ARN, context: viaS3 }],
  ];

  test.each(allowed)('%s', async (_name, call) => {
    expect(await asExecutionRole(call)).toBe('Allowed');
  });
});

describe('the execution role may not make the calls next to them', () => {
  const denied: Array<[string, Call, Result]> = [
    ['read another bucket', { action: 's3:GetObject', resource: 'arn:aws:s3:::another-bucket/data.csv' }, 'ImplicitlyDenied'],
    ['write to its own bucket', { action: 's3:PutObject', resource: `arn:aws:s3:::${BUCKET}/dags/evil.py` }, 'ImplicitlyDenied'],
    ['delete from its own bucket', { action: 's3:DeleteObject', resource: `arn:aws:s3:::${BUCKET}/dags/etl.py` }, 'ImplicitlyDenied'],
    ['change its bucket policy', { action: 's3:PutBucketPolicy', resource: `arn:aws:s3:::${BUCKET}` }, 'ImplicitlyDenied'],
    // Implicitly: nothing allows it. The documented deny names the bucket's ARNs and never matches
    // this action, which is requested on `*` (the README says so).
    ['list all buckets', { action: 's3:ListAllMyBuckets', resource: '*' }, 'ImplicitlyDenied'],
    ['use the key directly', { action: 'kms:Decrypt', resource: KEY_ARN }, 'ImplicitlyDenied'],
    ['use the key through EC2', { action: 'kms:Decrypt', resource: KEY_ARN, context: { 'kms:ViaService': `ec2.${REGION}.amazonaws.com` } }, 'ImplicitlyDenied'],
    ['use the key through SQS in another Region', { action: 'kms:Decrypt', resource: KEY_ARN, context: { 'kms:ViaService': 'sqs.us-east-1.amazonaws.com' } }, 'ImplicitlyDenied'],
    ['use another account\'s key', { action: 'kms:Decrypt', resource: 'arn:aws:kms:eu-west-1:333333333333:key/9999abcd-12ab-34cd-56ef-1234567890ab', context: viaSqs }, 'ImplicitlyDenied'],
    ['create grants on the key', { action: 'kms:CreateGrant', resource: KEY_ARN, context: viaS3 }, 'ImplicitlyDenied'],
    ['write to another environment\'s log group', { action: 'logs:PutLogEvents', resource: `${LOG_GROUP('other-env', 'Task')}:log-stream:x` }, 'ImplicitlyDenied'],
    // With the documented airflow-<name>-* both would be allowed: a neighbour named <name>-payments.
    ['write to the log group of a neighbour whose name starts with this one\'s', { action: 'logs:PutLogEvents', resource: `${LOG_GROUP(`${ENV}-payments`, 'Task')}:log-stream:x` }, 'ImplicitlyDenied'],
    ['create the log group of a neighbour whose name starts with this one\'s', { action: 'logs:CreateLogGroup', resource: LOG_GROUP(`${ENV}-payments`, 'Scheduler') }, 'ImplicitlyDenied'],
    ['read the logs of a neighbour whose name starts with this one\'s', { action: 'logs:GetLogEvents', resource: `${LOG_GROUP(`${ENV}-payments`, 'Worker')}:log-stream:w` }, 'ImplicitlyDenied'],
    ['write to an unrelated log group', { action: 'logs:PutLogEvents', resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/payments:log-stream:x` }, 'ImplicitlyDenied'],
    ['delete its own log group', { action: 'logs:DeleteLogGroup', resource: LOG_GROUP(ENV, 'Task') }, 'ImplicitlyDenied'],
    ['publish metrics for another environment', { action: 'airflow:PublishMetrics', resource: `arn:aws:airflow:${REGION}:${ACCOUNT}:environment/other-env` }, 'ImplicitlyDenied'],
    ['update its own environment', { action: 'airflow:UpdateEnvironment', resource: ENV_ARN }, 'ImplicitlyDenied'],
    ['send to a queue not named airflow-celery-*', { action: 'sqs:SendMessage', resource: `arn:aws:sqs:${REGION}:${MWAA_ACCOUNT}:payments` }, 'ImplicitlyDenied'],
    ['send to a Celery queue in another Region', { action: 'sqs:SendMessage', resource: `arn:aws:sqs:us-east-1:${MWAA_ACCOUNT}:airflow-celery-abc` }, 'ImplicitlyDenied'],
    ['purge its Celery queue', { action: 'sqs:PurgeQueue', resource: QUEUE_ARN }, 'ImplicitlyDenied'],
    ['pass itself to another service', { action: 'iam:PassRole', resource: ROLE_ARN }, 'ImplicitlyDenied'],
  ];

  test.each(denied)('%s', async (_name, call, expected) => {
    expect(await asExecutionRole(call)).toBe(expected);
  });

});

describe('the role\'s own policy keeps the key to SQS and S3, even where a key policy would allow more', () => {
  // A key the user brings often has the default key policy, which lets IAM policies decide: then the
  // kms:ViaService conditions of the execution role policy are all that keeps the role from using
  // the key directly. Simulated against such a key policy, so the created key's policy cannot mask them.
  // https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
  const delegating = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }],
  };
  const withDelegatingKey = (synthesized: typeof policies) => ({ ...synthesized, keyPolicy: delegating });
  const viaSecretsManager = { 'kms:ViaService': `secretsmanager.${REGION}.amazonaws.com` };
  const withBackend = synthesize({ secretsBackend: {} });

  test.each([
    ['decrypt through SQS', viaSqs, 'Allowed'],
    ['decrypt through S3', viaS3, 'Allowed'],
    ['decrypt directly', undefined, 'ImplicitlyDenied'],
    ['decrypt through Lambda', { 'kms:ViaService': `lambda.${REGION}.amazonaws.com` }, 'ImplicitlyDenied'],
    ['decrypt through Secrets Manager without the backend', viaSecretsManager, 'ImplicitlyDenied'],
  ])('%s', async (_name, context, expected) => {
    expect(await asExecutionRole({ action: 'kms:Decrypt', resource: KEY_ARN, context }, withDelegatingKey(policies))).toBe(expected);
  });

  test.each([
    ['decrypt through Secrets Manager', 'kms:Decrypt', viaSecretsManager, 'Allowed'],
    ['decrypt directly', 'kms:Decrypt', undefined, 'ImplicitlyDenied'],
    ['decrypt through Lambda', 'kms:Decrypt', { 'kms:ViaService': `lambda.${REGION}.amazonaws.com` }, 'ImplicitlyDenied'],
    ['encrypt through Secrets Manager', 'kms:Encrypt', viaSecretsManager, 'ImplicitlyDenied'],
  ])('with the Secrets Manager backend: %s', async (_name, action, context, expected) => {
    expect(await asExecutionRole({ action, resource: KEY_ARN, context }, withDelegatingKey(withBackend))).toBe(expected);
  });
});

describe('only MWAA, for this environment in this account, may assume the role', () => {
  async function assume(service: string, context: { [key: string]: string }): Promise<Result> {
    return simulate({
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: policies.trustPolicy,
      request: {
        principal: service,
        action: 'sts:AssumeRole',
        resource: { resource: ROLE_ARN, accountId: ACCOUNT },
        contextVariables: context,
      },
    });
  }
  const ok = { 'aws:SourceArn': ENV_ARN, 'aws:SourceAccount': ACCOUNT };

  test.each([['airflow.amazonaws.com'], ['airflow-env.amazonaws.com']])('%s for this environment', async (service) => {
    expect(await assume(service, ok)).toBe('Allowed');
  });

  test.each([
    ['another environment', 'airflow.amazonaws.com', { ...ok, 'aws:SourceArn': `arn:aws:airflow:${REGION}:${ACCOUNT}:environment/other-env` }],
    ['an environment of another account', 'airflow-env.amazonaws.com', { 'aws:SourceArn': `arn:aws:airflow:${REGION}:444444444444:environment/${ENV}`, 'aws:SourceAccount': '444444444444' }],
    ['the right ARN but another source account', 'airflow.amazonaws.com', { ...ok, 'aws:SourceAccount': '444444444444' }],
    ['no confused-deputy context at all', 'airflow.amazonaws.com', {}],
    ['another service', 'lambda.amazonaws.com', ok],
  ])('not for %s', async (_name, service, context) => {
    expect(await assume(service, context as { [key: string]: string })).not.toBe('Allowed');
  });
});

describe('the key policy lets CloudWatch Logs use the key for this environment\'s log groups only', () => {
  // The validating entry point drops context keys whose variable part has colons (like
  // `kms:EncryptionContext:aws:logs:arn`), so this uses the engine without request validation.
  async function logsCall(action: string, logGroupArn: string): Promise<Result> {
    const evaluation = runUnsafeSimulation({
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: policies.keyPolicy,
      request: {
        principal: `logs.${REGION}.amazonaws.com`,
        action,
        resource: { resource: KEY_ARN, accountId: ACCOUNT },
        contextVariables: { 'kms:EncryptionContext:aws:logs:arn': logGroupArn },
      },
    }, {});
    return evaluation as Result;
  }

  test.each([['kms:Encrypt'], ['kms:GenerateDataKey'], ['kms:Decrypt']])('%s for airflow-secure-env-Task', async (action) => {
    expect(await logsCall(action, LOG_GROUP(ENV, 'Task'))).toBe('Allowed');
  });

  test.each([['kms:Encrypt'], ['kms:Decrypt']])('not %s for another environment\'s log group', async (action) => {
    expect(await logsCall(action, LOG_GROUP('other-env', 'Task'))).not.toBe('Allowed');
  });

  test.each([['kms:Encrypt'], ['kms:Decrypt'], ['kms:GenerateDataKey']])('not %s for a neighbour whose name starts with this one\'s', async (action) => {
    expect(await logsCall(action, LOG_GROUP(`${ENV}-payments`, 'Task'))).not.toBe('Allowed');
  });

  test.each(['DAGProcessing', 'Scheduler', 'Task', 'WebServer', 'Worker'])('Encrypt for each of the five groups: %s', async (type) => {
    expect(await logsCall('kms:Encrypt', LOG_GROUP(ENV, type))).toBe('Allowed');
  });

  test('not for an unrelated log group', async () => {
    expect(await logsCall('kms:Decrypt', `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/payments`)).not.toBe('Allowed');
  });
});

describe('a role the user brings gets the same permissions', () => {
  test('the attached policy is identical to the one of a created role', () => {
    const stack = newStack();
    const vpc = newVpc(stack);
    const role = iam.Role.fromRoleArn(stack, 'Role', ROLE_ARN);
    const env = new PrivateMwaaEnvironment(stack, 'Airflow', {
      environmentName: ENV,
      vpc,
      kmsKey: kms.Key.fromKeyArn(stack, 'Key', KEY_ARN),
      sourceBucket: s3.Bucket.fromBucketName(stack, 'Bucket', BUCKET),
      executionRole: role,
    });
    const template = Template.fromStack(stack).toJSON();
    const policy = resolveIntrinsics(
      template.Resources[stack.getLogicalId(env.executionRolePolicy.node.defaultChild as iam.CfnManagedPolicy)].Properties.PolicyDocument,
      { account: ACCOUNT, region: REGION, refs: {}, arns: {} },
    );
    expect(policy).toEqual(policies.identityPolicy);
  });
});

describe('with the Secrets Manager backend, the role reads the secrets under its prefixes and no others', () => {
  const withBackend = synthesize({ secretsBackend: { connectionsPrefix: 'teams/data/connections', variablesPrefix: 'teams/data/variables' } });
  const secret = (name: string) => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-AbCdEf`;
  const viaSecretsManager = { 'kms:ViaService': `secretsmanager.${REGION}.amazonaws.com` };

  test.each([
    ['read a connection', { action: 'secretsmanager:GetSecretValue', resource: secret('teams/data/connections/warehouse') }],
    ['read a variable', { action: 'secretsmanager:GetSecretValue', resource: secret('teams/data/variables/region') }],
    ['describe a connection secret', { action: 'secretsmanager:DescribeSecret', resource: secret('teams/data/connections/warehouse') }],
    ['list the versions of a variable secret', { action: 'secretsmanager:ListSecretVersionIds', resource: secret('teams/data/variables/region') }],
    ['read the resource policy of a connection secret', { action: 'secretsmanager:GetResourcePolicy', resource: secret('teams/data/connections/warehouse') }],
    ['list secrets', { action: 'secretsmanager:ListSecrets', resource: '*' }],
    ['decrypt a secret through Secrets Manager', { action: 'kms:Decrypt', resource: KEY_ARN, context: viaSecretsManager }],
  ])('may %s', async (_name, call) => {
    expect(await asExecutionRole(call, withBackend)).toBe('Allowed');
  });

  test.each([
    ['read a secret outside the prefixes', { action: 'secretsmanager:GetSecretValue', resource: secret('teams/payments/connections/bank') }],
    ['read a secret whose name only starts like the prefix', { action: 'secretsmanager:GetSecretValue', resource: secret('teams/data/connections-old/warehouse') }],
    ['read a secret of the default prefix it was not given', { action: 'secretsmanager:GetSecretValue', resource: secret('airflow/connections/warehouse') }],
    ['read a connection secret in another account', {
      action: 'secretsmanager:GetSecretValue',
      resource: `arn:aws:secretsmanager:${REGION}:444444444444:secret:teams/data/connections/warehouse-AbCdEf`,
    }],
    ['change a connection', { action: 'secretsmanager:PutSecretValue', resource: secret('teams/data/connections/warehouse') }],
    ['delete a variable', { action: 'secretsmanager:DeleteSecret', resource: secret('teams/data/variables/region') }],
    ['create a secret', { action: 'secretsmanager:CreateSecret', resource: secret('teams/data/connections/new') }],
    ['encrypt through Secrets Manager', { action: 'kms:Encrypt', resource: KEY_ARN, context: viaSecretsManager }],
    ['decrypt through Lambda', { action: 'kms:Decrypt', resource: KEY_ARN, context: { 'kms:ViaService': `lambda.${REGION}.amazonaws.com` } }],
  ])('may not %s', async (_name, call) => {
    expect(await asExecutionRole(call, withBackend)).not.toBe('Allowed');
  });

  test('without the backend it may read no secret and decrypt nothing through Secrets Manager', async () => {
    expect(await asExecutionRole({ action: 'secretsmanager:GetSecretValue', resource: secret('airflow/connections/warehouse') })).not.toBe('Allowed');
    expect(await asExecutionRole({ action: 'secretsmanager:ListSecrets', resource: '*' })).not.toBe('Allowed');
    expect(await asExecutionRole({ action: 'kms:Decrypt', resource: KEY_ARN, context: viaSecretsManager })).not.toBe('Allowed');
  });

  test('with the default prefixes it reads airflow/connections and airflow/variables', async () => {
    const defaults = synthesize({ secretsBackend: {} });
    expect(await asExecutionRole({ action: 'secretsmanager:GetSecretValue', resource: secret('airflow/connections/warehouse') }, defaults)).toBe('Allowed');
    expect(await asExecutionRole({ action: 'secretsmanager:GetSecretValue', resource: secret('airflow/variables/region') }, defaults)).toBe('Allowed');
    expect(await asExecutionRole({ action: 'secretsmanager:GetSecretValue', resource: secret('airflow/config/sql_alchemy_conn') }, defaults)).not.toBe('Allowed');
  });
});
