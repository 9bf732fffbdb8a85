import { runSimulation } from '@cloud-copilot/iam-simulate';
import { Annotations as CoreAnnotations, App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AccessProfile, AirflowRole, PrivateMwaaEnvironment, PrivateMwaaEnvironmentAttributes, WebserverAccessMode } from '../src';
import { matchesEventPattern } from './support/event-pattern';
import { ACCOUNT, newEnvironment, newStack, newVpc, PartialProps, REGION } from './support/fixtures';
import { nagFindings, PACKS } from './support/nag';
import { resolveIntrinsics } from './support/resolve-template';

const ENV = 'test-env';
const BUCKET = 'test-env-dags';
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const EXEC_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/TestEnvExecution`;
const ENV_ARN = `arn:aws:airflow:${REGION}:${ACCOUNT}:environment/${ENV}`;
const OTHER_ENV_ARN = `arn:aws:airflow:${REGION}:${ACCOUNT}:environment/other-env`;
const PERSON = `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_Airflow_abc/jane`;
const role = (env: string, airflowRole: string) => `arn:aws:airflow:${REGION}:${ACCOUNT}:role/${env}/${airflowRole}`;
const object = (key: string) => `arn:aws:s3:::${BUCKET}/${key}`;
const logStream = (env: string) => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:airflow-${env}-Task:log-stream:dag/run/1.log`;

const VPC_ID = 'vpc-0123456789abcdef0';
const SUBNET_IDS = ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2'];
const SG_ID = 'sg-0123456789abcdef0';
const ec2Arn = (type: string, id: string) => `arn:aws:ec2:${REGION}:${ACCOUNT}:${type}/${id}`;
const secret = (name: string) => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-AbCdEf`;

/** Concrete values for what the environment's policies refer to. */
function resolveOptions(stack: Stack, env: PrivateMwaaEnvironment) {
  const id = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as any);
  const vpc = env.node.scope!.node.tryFindChild('Vpc') as ec2.Vpc;
  return {
    account: ACCOUNT,
    region: REGION,
    refs: { [id(vpc)]: VPC_ID, ...Object.fromEntries(env.subnets.map((subnet, i) => [id(subnet as ec2.Subnet), SUBNET_IDS[i]])) },
    arns: { [id(env.sourceBucket)]: `arn:aws:s3:::${BUCKET}`, [id(env.kmsKey)]: KEY_ARN, [id(env.executionRole)]: EXEC_ROLE_ARN },
    attributes: { [`${id(env.securityGroups[0] as ec2.SecurityGroup)}.GroupId`]: SG_ID },
  };
}

/** The managed policy of each profile, resolved to concrete ARNs. */
function profilePolicies(overrides: PartialProps = {}): { policies: Record<AccessProfile, any>; keyPolicy: any } {
  const { stack, env } = newEnvironment(overrides);
  const template = Template.fromStack(stack).toJSON();
  const id = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as any);
  const options = resolveOptions(stack, env);
  const out: Partial<Record<AccessProfile, any>> = {};
  for (const profile of Object.values(AccessProfile)) {
    out[profile] = resolveIntrinsics(template.Resources[id(env.accessPolicy(profile))].Properties.PolicyDocument, options);
  }
  const keyPolicyDocument = resolveIntrinsics(template.Resources[id(env.kmsKey)].Properties.KeyPolicy, options);
  return { policies: out as Record<AccessProfile, any>, keyPolicy: keyPolicyDocument };
}

const { policies, keyPolicy } = profilePolicies();
const withBackend = profilePolicies({ secretsBackend: {} });

interface Call {
  readonly action: string;
  readonly resource: string;
  readonly context?: { [key: string]: string };
}

async function decideWith(policy: any, call: Call): Promise<string> {
  const response = await runSimulation({
    identityPolicies: [{ name: 'policy', policy }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    // A key is governed by its key policy, which delegates to IAM policies of the account.
    resourcePolicy: call.resource === KEY_ARN ? keyPolicy : undefined,
    request: {
      principal: PERSON,
      action: call.action,
      resource: { resource: call.resource, accountId: call.resource.split(':')[4] || ACCOUNT },
      contextVariables: call.context ?? {},
    },
  }, {});
  if (response.resultType === 'error') {
    throw new Error(`simulation rejected: ${JSON.stringify(response.errors)}`);
  }
  return response.overallResult;
}

async function decide(profile: AccessProfile, call: Call): Promise<string> {
  return decideWith(policies[profile], call);
}

const viaS3 = { 'kms:ViaService': `s3.${REGION}.amazonaws.com` };
const viaSecretsManager = { 'kms:ViaService': `secretsmanager.${REGION}.amazonaws.com` };
const OTHER_KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/ffffffff-12ab-34cd-56ef-1234567890ab`;
const A = 'Allowed';
const D = 'ImplicitlyDenied';

const cases: Array<[AccessProfile, string, Call, string]> = [
  // Developers
  [AccessProfile.DEVELOPER, 'log in as User', { action: 'airflow:CreateWebLoginToken', resource: role(ENV, 'User') }, A],
  [AccessProfile.DEVELOPER, 'log in as Admin', { action: 'airflow:CreateWebLoginToken', resource: role(ENV, 'Admin') }, D],
  [AccessProfile.DEVELOPER, 'log in as User to another environment', { action: 'airflow:CreateWebLoginToken', resource: role('other-env', 'User') }, D],
  [AccessProfile.DEVELOPER, 'update the environment', { action: 'airflow:UpdateEnvironment', resource: ENV_ARN }, D],
  [AccessProfile.DEVELOPER, 'put a DAG', { action: 's3:PutObject', resource: object('dags/etl.py') }, A],
  [AccessProfile.DEVELOPER, 'delete a DAG', { action: 's3:DeleteObject', resource: object('dags/old/etl.py') }, A],
  [AccessProfile.DEVELOPER, 'put requirements.txt', { action: 's3:PutObject', resource: object('requirements.txt') }, D],
  [AccessProfile.DEVELOPER, 'put an object next to the DAG folder', { action: 's3:PutObject', resource: object('dagsx/etl.py') }, D],
  [AccessProfile.DEVELOPER, 'list the DAG folder', { action: 's3:ListBucket', resource: `arn:aws:s3:::${BUCKET}`, context: { 's3:prefix': 'dags/' } }, A],
  [AccessProfile.DEVELOPER, 'list the whole bucket', { action: 's3:ListBucket', resource: `arn:aws:s3:::${BUCKET}`, context: { 's3:prefix': '' } }, D],
  [AccessProfile.DEVELOPER, 'encrypt a DAG upload through S3', { action: 'kms:GenerateDataKey', resource: KEY_ARN, context: viaS3 }, A],
  [AccessProfile.DEVELOPER, 'use the key directly', { action: 'kms:Decrypt', resource: KEY_ARN }, D],
  [AccessProfile.DEVELOPER, 'read task logs', { action: 'logs:GetLogEvents', resource: logStream(ENV) }, A],
  [AccessProfile.DEVELOPER, 'read another environment\'s logs', { action: 'logs:GetLogEvents', resource: logStream('other-env') }, D],
  [AccessProfile.DEVELOPER, 'read the logs of an environment whose name starts with this one\'s', { action: 'logs:GetLogEvents', resource: logStream(`${ENV}-prod`) }, D],
  [AccessProfile.DEVELOPER, 'query the worker log group', { action: 'logs:StartQuery', resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:airflow-${ENV}-Worker` }, A],
  [AccessProfile.DEVELOPER, 'see the environment', { action: 'airflow:GetEnvironment', resource: ENV_ARN }, A],
  [AccessProfile.DEVELOPER, 'get a CLI token', { action: 'airflow:CreateCliToken', resource: ENV_ARN }, D],
  // Administrators
  [AccessProfile.ADMINISTRATOR, 'log in as Admin', { action: 'airflow:CreateWebLoginToken', resource: role(ENV, 'Admin') }, A],
  [AccessProfile.ADMINISTRATOR, 'call the REST API as Admin', { action: 'airflow:InvokeRestApi', resource: role(ENV, 'Admin') }, A],
  [AccessProfile.ADMINISTRATOR, 'update this environment', { action: 'airflow:UpdateEnvironment', resource: ENV_ARN }, A],
  [AccessProfile.ADMINISTRATOR, 'update another environment', { action: 'airflow:UpdateEnvironment', resource: OTHER_ENV_ARN }, D],
  [AccessProfile.ADMINISTRATOR, 'delete the environment', { action: 'airflow:DeleteEnvironment', resource: ENV_ARN }, D],
  [AccessProfile.ADMINISTRATOR, 'get a CLI token', { action: 'airflow:CreateCliToken', resource: ENV_ARN }, A],
  [AccessProfile.ADMINISTRATOR, 'put requirements.txt', { action: 's3:PutObject', resource: object('requirements.txt') }, A],
  [AccessProfile.ADMINISTRATOR, 'put plugins.zip', { action: 's3:PutObject', resource: object('plugins.zip') }, A],
  [AccessProfile.ADMINISTRATOR, 'read the requirements version', { action: 's3:GetObjectVersion', resource: object('requirements.txt') }, A],
  [AccessProfile.ADMINISTRATOR, 'put a DAG', { action: 's3:PutObject', resource: object('dags/etl.py') }, D],
  [AccessProfile.ADMINISTRATOR, 'list the versions of requirements.txt', { action: 's3:ListBucketVersions', resource: `arn:aws:s3:::${BUCKET}`, context: { 's3:prefix': 'requirements.txt' } }, A],
  [AccessProfile.ADMINISTRATOR, 'list the versions of the DAG folder', { action: 's3:ListBucketVersions', resource: `arn:aws:s3:::${BUCKET}`, context: { 's3:prefix': 'dags/' } }, D],
  [AccessProfile.ADMINISTRATOR, 'list the versions of the whole bucket (empty prefix)', { action: 's3:ListBucketVersions', resource: `arn:aws:s3:::${BUCKET}`, context: { 's3:prefix': '' } }, D],
  [AccessProfile.ADMINISTRATOR, 'list the versions of the whole bucket (no prefix)', { action: 's3:ListBucketVersions', resource: `arn:aws:s3:::${BUCKET}` }, D],
  [AccessProfile.ADMINISTRATOR, 'pass the execution role to MWAA', { action: 'iam:PassRole', resource: EXEC_ROLE_ARN, context: { 'iam:PassedToService': 'airflow.amazonaws.com' } }, A],
  [AccessProfile.ADMINISTRATOR, 'pass the execution role to Lambda', { action: 'iam:PassRole', resource: EXEC_ROLE_ARN, context: { 'iam:PassedToService': 'lambda.amazonaws.com' } }, D],
  [AccessProfile.ADMINISTRATOR, 'read scheduler logs', { action: 'logs:FilterLogEvents', resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:airflow-${ENV}-Scheduler` }, A],
  [AccessProfile.ADMINISTRATOR, 'filter a log group of an environment whose name starts with this one\'s', { action: 'logs:FilterLogEvents', resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:airflow-${ENV}-prod-Scheduler` }, D],
  // Administrators: what AWS's full access policy adds for a customer managed key, narrowed.
  [AccessProfile.ADMINISTRATOR, 'create a grant on the environment key', { action: 'kms:CreateGrant', resource: KEY_ARN }, A],
  [AccessProfile.ADMINISTRATOR, 'list the grants of the environment key', { action: 'kms:ListGrants', resource: KEY_ARN }, A],
  [AccessProfile.ADMINISTRATOR, 'decrypt with the environment key', { action: 'kms:Decrypt', resource: KEY_ARN }, A],
  [AccessProfile.ADMINISTRATOR, 're-encrypt with the environment key', { action: 'kms:ReEncryptFrom', resource: KEY_ARN }, A],
  [AccessProfile.ADMINISTRATOR, 'create a grant on another key', { action: 'kms:CreateGrant', resource: OTHER_KEY_ARN }, D],
  [AccessProfile.ADMINISTRATOR, 'schedule the deletion of the environment key', { action: 'kms:ScheduleKeyDeletion', resource: KEY_ARN }, D],
  [AccessProfile.ADMINISTRATOR, 'read the bucket\'s encryption', { action: 's3:GetEncryptionConfiguration', resource: `arn:aws:s3:::${BUCKET}` }, A],
  [AccessProfile.ADMINISTRATOR, 'read another bucket\'s encryption', { action: 's3:GetEncryptionConfiguration', resource: 'arn:aws:s3:::other-bucket' }, D],
  [AccessProfile.ADMINISTRATOR, 'describe subnets', { action: 'ec2:DescribeSubnets', resource: '*' }, A],
  [AccessProfile.ADMINISTRATOR, 'describe route tables', { action: 'ec2:DescribeRouteTables', resource: '*' }, A],
  [AccessProfile.ADMINISTRATOR, 'create a VPC endpoint in the environment VPC', { action: 'ec2:CreateVpcEndpoint', resource: ec2Arn('vpc', VPC_ID) }, A],
  [AccessProfile.ADMINISTRATOR, 'create a VPC endpoint in another VPC', { action: 'ec2:CreateVpcEndpoint', resource: ec2Arn('vpc', 'vpc-0ffffffffffffffff') }, D],
  [AccessProfile.ADMINISTRATOR, 'create the VPC endpoint resource', { action: 'ec2:CreateVpcEndpoint', resource: ec2Arn('vpc-endpoint', 'vpce-0123456789abcdef0') }, A],
  [AccessProfile.ADMINISTRATOR, 'create a VPC endpoint in an environment subnet', { action: 'ec2:CreateVpcEndpoint', resource: ec2Arn('subnet', SUBNET_IDS[1]) }, A],
  [AccessProfile.ADMINISTRATOR, 'create a VPC endpoint in another subnet', { action: 'ec2:CreateVpcEndpoint', resource: ec2Arn('subnet', 'subnet-0fffffffffffffff3') }, D],
  [AccessProfile.ADMINISTRATOR, 'create a VPC endpoint with the environment security group', { action: 'ec2:CreateVpcEndpoint', resource: ec2Arn('security-group', SG_ID) }, A],
  [AccessProfile.ADMINISTRATOR, 'create a VPC endpoint with another security group', { action: 'ec2:CreateVpcEndpoint', resource: ec2Arn('security-group', 'sg-0ffffffffffffffff') }, D],
  [AccessProfile.ADMINISTRATOR, 'create a network interface', { action: 'ec2:CreateNetworkInterface', resource: ec2Arn('network-interface', 'eni-0123456789abcdef0') }, A],
  [AccessProfile.ADMINISTRATOR, 'create a network interface in an environment subnet', { action: 'ec2:CreateNetworkInterface', resource: ec2Arn('subnet', SUBNET_IDS[0]) }, A],
  [AccessProfile.ADMINISTRATOR, 'create a network interface in another subnet', { action: 'ec2:CreateNetworkInterface', resource: ec2Arn('subnet', 'subnet-0fffffffffffffff3') }, D],
  [AccessProfile.ADMINISTRATOR, 'create a network interface in another account\'s endpoint space', { action: 'ec2:CreateNetworkInterface', resource: `arn:aws:ec2:${REGION}:222222222222:network-interface/eni-0123456789abcdef0` }, D],
  [AccessProfile.ADMINISTRATOR, 'create MWAA\'s service-linked role', { action: 'iam:CreateServiceLinkedRole', resource: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/airflow.amazonaws.com/AWSServiceRoleForAmazonMWAA` }, A],
  [AccessProfile.ADMINISTRATOR, 'create another service-linked role', { action: 'iam:CreateServiceLinkedRole', resource: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS` }, D],
  [AccessProfile.ADMINISTRATOR, 'read a secret value without a secrets backend', { action: 'secretsmanager:GetSecretValue', resource: secret('airflow/connections/db') }, D],
  [AccessProfile.DEVELOPER, 'create a grant on the environment key', { action: 'kms:CreateGrant', resource: KEY_ARN }, D],
  [AccessProfile.DEVELOPER, 'create a VPC endpoint in the environment VPC', { action: 'ec2:CreateVpcEndpoint', resource: ec2Arn('vpc', VPC_ID) }, D],
  // Operators
  [AccessProfile.OPERATOR, 'log in as Op', { action: 'airflow:CreateWebLoginToken', resource: role(ENV, 'Op') }, A],
  [AccessProfile.OPERATOR, 'log in as Admin', { action: 'airflow:CreateWebLoginToken', resource: role(ENV, 'Admin') }, D],
  [AccessProfile.OPERATOR, 'update the environment', { action: 'airflow:UpdateEnvironment', resource: ENV_ARN }, D],
  [AccessProfile.OPERATOR, 'put a DAG', { action: 's3:PutObject', resource: object('dags/etl.py') }, D],
  [AccessProfile.OPERATOR, 'read task logs', { action: 'logs:GetLogEvents', resource: logStream(ENV) }, A],
  // Viewers
  [AccessProfile.VIEWER, 'log in as Viewer', { action: 'airflow:CreateWebLoginToken', resource: role(ENV, 'Viewer') }, A],
  [AccessProfile.VIEWER, 'log in as User', { action: 'airflow:CreateWebLoginToken', resource: role(ENV, 'User') }, D],
  [AccessProfile.VIEWER, 'log in as Public', { action: 'airflow:CreateWebLoginToken', resource: role(ENV, 'Public') }, D],
  [AccessProfile.VIEWER, 'see the environment', { action: 'airflow:GetEnvironment', resource: ENV_ARN }, D],
  [AccessProfile.VIEWER, 'read task logs', { action: 'logs:GetLogEvents', resource: logStream(ENV) }, D],
  [AccessProfile.VIEWER, 'read a DAG', { action: 's3:GetObject', resource: object('dags/etl.py') }, D],
];

describe('each access profile may do exactly its job (IAM simulation)', () => {
  test.each(cases)('%s: %s', async (profile, _name, call, expected) => {
    expect(await decide(profile, call)).toBe(expected);
  });

  test('a viewer\'s policy has exactly one statement', () => {
    expect(policies[AccessProfile.VIEWER].Statement).toEqual([
      { Action: 'airflow:CreateWebLoginToken', Effect: 'Allow', Resource: role(ENV, 'Viewer') },
    ]);
  });
});

describe('secret values of the Secrets Manager backend (IAM simulation)', () => {
  const secretCases: Array<[AccessProfile, string, Call, string]> = [
    [AccessProfile.ADMINISTRATOR, 'read a connection', { action: 'secretsmanager:GetSecretValue', resource: secret('airflow/connections/db') }, A],
    [AccessProfile.ADMINISTRATOR, 'read a variable', { action: 'secretsmanager:GetSecretValue', resource: secret('airflow/variables/region') }, A],
    [AccessProfile.ADMINISTRATOR, 'describe a connection', { action: 'secretsmanager:DescribeSecret', resource: secret('airflow/connections/db') }, A],
    [AccessProfile.ADMINISTRATOR, 'read a secret outside the prefixes', { action: 'secretsmanager:GetSecretValue', resource: secret('payments/db') }, D],
    [AccessProfile.ADMINISTRATOR, 'change a connection', { action: 'secretsmanager:PutSecretValue', resource: secret('airflow/connections/db') }, D],
    [AccessProfile.DEVELOPER, 'read a connection', { action: 'secretsmanager:GetSecretValue', resource: secret('airflow/connections/db') }, D],
    [AccessProfile.OPERATOR, 'read a connection', { action: 'secretsmanager:GetSecretValue', resource: secret('airflow/connections/db') }, D],
    [AccessProfile.VIEWER, 'read a connection', { action: 'secretsmanager:GetSecretValue', resource: secret('airflow/connections/db') }, D],
  ];
  test.each(secretCases)('%s: %s', async (profile, _name, call, expected) => {
    expect(await decideWith(withBackend.policies[profile], call)).toBe(expected);
  });

  test('grantReadSecrets gives any grantee the backend\'s secrets, decrypted through Secrets Manager only', async () => {
    const { stack, env } = newEnvironment({ secretsBackend: { connectionsPrefix: 'data/connections' }, peopleAccess: { createGroups: false } });
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    expect(env.grantReadSecrets(reader).success).toBe(true);
    const template = Template.fromStack(stack).toJSON();
    const policy = Object.values(template.Resources).find((r: any) => r.Type === 'AWS::IAM::Policy'
      && JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: stack.getLogicalId(reader.node.defaultChild as iam.CfnRole) }])) as any;
    const document = resolveIntrinsics(policy.Properties.PolicyDocument, resolveOptions(stack, env));
    expect(await decideWith(document, { action: 'secretsmanager:GetSecretValue', resource: secret('data/connections/db') })).toBe(A);
    expect(await decideWith(document, { action: 'secretsmanager:GetSecretValue', resource: secret('airflow/variables/region') })).toBe(A);
    expect(await decideWith(document, { action: 'secretsmanager:GetSecretValue', resource: secret('airflow/connections/db') })).toBe(D);
    expect(await decideWith(document, { action: 'kms:Decrypt', resource: KEY_ARN, context: viaSecretsManager })).toBe(A);
    expect(await decideWith(document, { action: 'kms:Decrypt', resource: KEY_ARN, context: viaS3 })).toBe(D);
    expect(await decideWith(document, { action: 'kms:Decrypt', resource: KEY_ARN })).toBe(D);
  });

  test('grantReadSecrets fails on an environment without a secrets backend, or imported', () => {
    const { stack, env } = newEnvironment();
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    expect(() => env.grantReadSecrets(reader)).toThrow(new Error(
      '`grantReadSecrets` reads the secrets of the environment\'s `secretsBackend`, and TestStack/Airflow has none (an imported environment does not know its backend), got: no secretsBackend'));
    const imported = PrivateMwaaEnvironment.fromEnvironmentName(stack, 'Legacy', 'legacy');
    expect(() => imported.grantReadSecrets(reader)).toThrow(/^`grantReadSecrets` reads the secrets of the environment's `secretsBackend`, and TestStack\/Legacy has none/);
  });
});

describe('groups, managed policies and assignments', () => {
  test('one group per profile, named from the environment, with the profile policy', () => {
    const { stack, env } = newEnvironment();
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Group', 4);
    for (const [suffix, profile] of [['administrators', AccessProfile.ADMINISTRATOR], ['developers', AccessProfile.DEVELOPER],
      ['operators', AccessProfile.OPERATOR], ['viewers', AccessProfile.VIEWER]] as const) {
      template.hasResourceProperties('AWS::IAM::Group', {
        GroupName: `test-env-${suffix}`,
        ManagedPolicyArns: [{ Ref: stack.getLogicalId(env.accessPolicy(profile).node.defaultChild as iam.CfnManagedPolicy) }],
      });
      template.hasResourceProperties('AWS::IAM::ManagedPolicy', { ManagedPolicyName: `test-env-airflow-${suffix}` });
    }
    for (const profile of [AccessProfile.ADMINISTRATOR, AccessProfile.DEVELOPER, AccessProfile.OPERATOR, AccessProfile.VIEWER]) {
      expect(env.group(profile)).toBeInstanceOf(iam.Group);
    }
  });

  test('groups can be turned off; no policy is created until used', () => {
    const { stack, env } = newEnvironment({ peopleAccess: { createGroups: false } });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Group', 0);
    expect(Object.keys(template.findResources('AWS::IAM::ManagedPolicy'))).toHaveLength(1); // the execution role's
    expect(env.group(AccessProfile.DEVELOPER)).toBeUndefined();
  });

  test('a role, a group and a user get the profile policy attached', () => {
    const stack = newStack();
    const vpc = newVpc(stack);
    const sso = iam.Role.fromRoleArn(stack, 'Sso', `arn:aws:iam::${ACCOUNT}:role/data-engineer`);
    const team = iam.Group.fromGroupName(stack, 'Team', 'data-platform');
    const user = iam.User.fromUserName(stack, 'Jane', 'jane');
    const env = new PrivateMwaaEnvironment(stack, 'Airflow', {
      environmentName: ENV,
      vpc,
      peopleAccess: { createGroups: false, assignments: [{ profile: AccessProfile.DEVELOPER, roles: [sso], groups: [team], users: [user] }] },
    });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      ManagedPolicyName: 'test-env-airflow-developers',
      Roles: ['data-engineer'],
      Groups: ['data-platform'],
      Users: ['jane'],
    });
    expect(env.accessPolicy(AccessProfile.DEVELOPER)).toBe(env.accessPolicy(AccessProfile.DEVELOPER));
  });

  test('an IAM Identity Center role is not attached to, with a warning that names the policy to reference', () => {
    const stack = newStack();
    const vpc = newVpc(stack);
    const sso = iam.Role.fromRoleArn(stack, 'Sso', `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_DataEngineer_0123456789abcdef`);
    new PrivateMwaaEnvironment(stack, 'Airflow', {
      environmentName: ENV, vpc, peopleAccess: { createGroups: false, assignments: [{ profile: AccessProfile.DEVELOPER, roles: [sso] }] },
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', { ManagedPolicyName: 'test-env-airflow-developers', Roles: Match.absent() });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cdk-private-mwaa:ssoRole'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].entry.data).toContain('Reference the customer managed policy test-env-airflow-developers in the permission set');
  });

  test('no grant lands on an IAM Identity Center role: one warning per role, and no policy', () => {
    const { stack, env } = newEnvironment({ peopleAccess: { createGroups: false }, secretsBackend: {} });
    const sso = iam.Role.fromRoleArn(stack, 'Sso', `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_DataEngineer_0123456789abcdef`);
    const grants = [
      env.grantWebLogin(sso, AirflowRole.USER),
      env.grantRestApi(sso, AirflowRole.USER),
      env.grantCliToken(sso),
      env.grantReadLogs(sso),
      env.grantConsoleReadOnly(sso),
      env.grantAdministration(sso),
      env.grantDagDeployment(sso),
      env.grantDependencyDeployment(sso),
      env.grantReadSecrets(sso),
      env.grant(sso, 'airflow:GetEnvironment'),
      env.grantAccessProfile(sso, AccessProfile.DEVELOPER),
    ];
    expect(grants.every(g => g.principalStatements.length === 0)).toBe(true);
    Template.fromStack(stack).resourceCountIs('AWS::IAM::Policy', 0);
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cdk-private-mwaa:ssoRole'));
    expect(warnings.map(w => w.entry.data)).toEqual([expect.stringMatching(
      /^A grant of the environment: AWSReservedSSO_DataEngineer_0123456789abcdef is an IAM Identity Center role, which IAM does not let anyone attach policies to, so the deployment would fail; nothing was added to it\. Reference the customer managed policy of the access profile it needs/)]);
    // A second role gets its own warning; an ordinary role gets the grant.
    env.grantWebLogin(iam.Role.fromRoleName(stack, 'Sso2', 'AWSReservedSSO_Viewers_fedcba9876543210'), AirflowRole.VIEWER);
    const plain = iam.Role.fromRoleName(stack, 'Plain', 'data-engineer');
    expect(env.grantWebLogin(plain, AirflowRole.USER).principalStatements).toHaveLength(1);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cdk-private-mwaa:ssoRole')).map(w => w.entry.data)).toEqual([
      expect.stringMatching(/^A grant of the environment: AWSReservedSSO_DataEngineer_0123456789abcdef is an IAM Identity Center role/),
      expect.stringMatching(/: AWSReservedSSO_Viewers_fedcba9876543210 is an IAM Identity Center role, which IAM does not let anyone attach policies to/),
    ]);
  });

  test('grantAccessProfile gives any grantee a profile; every grant lands on its principal', () => {
    const { stack, env } = newEnvironment({ peopleAccess: { createGroups: false } });
    const robot = new iam.Role(stack, 'Ci', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    const grant = env.grantAccessProfile(robot, AccessProfile.DEVELOPER);
    expect(grant.success).toBe(true);
    expect(grant.principalStatements.length).toBeGreaterThanOrEqual(4);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: stack.getLogicalId(robot.node.defaultChild as iam.CfnRole) }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'airflow:CreateWebLoginToken', Resource: Match.anyValue() })]) },
    });
  });

  test('an imported environment grants login and administration by name', () => {
    const stack = newStack();
    const imported = PrivateMwaaEnvironment.fromEnvironmentAttributes(stack, 'Legacy', { environmentName: 'legacy' });
    const user = new iam.User(stack, 'Ops');
    imported.grantWebLogin(user, AirflowRole.OP);
    imported.grantAdministration(user);
    const doc = resolveIntrinsics(Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))[0].Properties.PolicyDocument,
      { account: ACCOUNT, region: REGION, refs: {}, arns: {} });
    // What the import does not know (key, bucket, network, execution role) is left out.
    expect(doc.Statement).toEqual([
      { Action: 'airflow:CreateWebLoginToken', Effect: 'Allow', Resource: role('legacy', 'Op') },
      { Action: ['airflow:GetEnvironment', 'airflow:UpdateEnvironment'], Effect: 'Allow', Resource: `arn:aws:airflow:${REGION}:${ACCOUNT}:environment/legacy` },
      { Action: ['ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:DescribeVpcs', 'ec2:DescribeRouteTables'], Effect: 'Allow', Resource: '*' },
      { Action: 'iam:CreateServiceLinkedRole', Effect: 'Allow', Resource: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/airflow.amazonaws.com/AWSServiceRoleForAmazonMWAA` },
    ]);
  });
});

describe('web server reachability', () => {
  test('networks given by prop or method may reach 443, with a description', () => {
    const { stack, env } = newEnvironment({ webserverAccessPeers: [ec2.Peer.ipv4('10.20.0.0/16')] });
    env.allowWebserverAccessFrom(ec2.Peer.ipv4('192.168.50.0/24'), 'Corporate VPN');
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [
        { CidrIp: '10.20.0.0/16', FromPort: 443, ToPort: 443, IpProtocol: 'tcp', Description: 'Airflow web server of test-env from 10.20.0.0/16' },
        { CidrIp: '192.168.50.0/24', FromPort: 443, ToPort: 443, IpProtocol: 'tcp', Description: 'Corporate VPN' },
      ],
    });
  });
});

describe('the public access guardrail', () => {
  const { stack, env } = newEnvironment();
  const ruleId = stack.getLogicalId(env.publicAccessGuardrailRule!.node.defaultChild as any);
  const rule = Template.fromStack(stack).toJSON().Resources[ruleId].Properties;

  /** A CloudTrail record of an MWAA call as EventBridge delivers it (fields as in the documented CreateEnvironment record). */
  const apiCall = (eventName: string, requestParameters: { [key: string]: string }) => ({
    'version': '0',
    'id': 'a1b2c3d4-0000-4000-8000-000000000000',
    'detail-type': 'AWS API Call via CloudTrail',
    'source': 'aws.airflow',
    'account': ACCOUNT,
    'time': '2026-11-25T10:00:00Z',
    'region': REGION,
    'resources': [],
    'detail': {
      eventVersion: '1.08',
      userIdentity: { type: 'AssumedRole', arn: PERSON },
      eventSource: 'airflow.amazonaws.com',
      eventName,
      requestParameters,
    },
  });

  const caught: Array<[string, string, { [key: string]: string }]> = [];
  for (const call of ['UpdateEnvironment', 'CreateEnvironment']) {
    for (const [name, mode] of [['Name', 'WebserverAccessMode'], ['name', 'webserverAccessMode'], ['Name', 'webserverAccessMode'], ['name', 'WebserverAccessMode']]) {
      for (const value of ['PUBLIC_ONLY', 'PUBLIC_AND_PRIVATE']) {
        caught.push([call, `${name} and ${mode} ${value}`, { [name]: ENV, [mode]: value }]);
      }
    }
  }
  test.each(caught)('catches %s with %s', (call, _shape, parameters) => {
    expect(matchesEventPattern(rule.EventPattern, apiCall(call, parameters))).toBe(true);
  });

  const ignored: Array<[string, string, { [key: string]: string }]> = [
    ['UpdateEnvironment', 'back to PRIVATE_ONLY', { Name: ENV, WebserverAccessMode: 'PRIVATE_ONLY' }],
    ['UpdateEnvironment', 'no access mode (other settings)', { Name: ENV, MaxWorkers: '5' }],
    ['CreateEnvironment', 'no access mode (the default is private)', { Name: ENV }],
    ['UpdateEnvironment', 'another environment made public', { Name: 'other-env', WebserverAccessMode: 'PUBLIC_ONLY' }],
    ['DeleteEnvironment', 'a delete', { Name: ENV }],
  ];
  test.each(ignored)('ignores %s: %s', (call, _case, parameters) => {
    expect(matchesEventPattern(rule.EventPattern, apiCall(call, parameters))).toBe(false);
  });

  test('notifies the topic with who called what', () => {
    expect(rule.Targets).toEqual([expect.objectContaining({
      Arn: { Ref: stack.getLogicalId(env.notificationTopic.node.defaultChild as any) },
      InputTransformer: expect.objectContaining({
        InputPathsMap: expect.objectContaining({ 'detail-userIdentity-arn': '$.detail.userIdentity.arn', 'detail-eventName': '$.detail.eventName' }),
      }),
    })]);
  });

  test('warns, once and acknowledgeably, that it needs a CloudTrail trail', () => {
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cdk-private-mwaa:guardrailNeedsTrail'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].entry.data).toMatch(/^`publicAccessGuardrail`: the guardrail sees CreateEnvironment and UpdateEnvironment calls through CloudTrail only, and EventBridge receives "AWS API Call via CloudTrail" events only where a CloudTrail trail logs management events/);
    const quiet = newEnvironment();
    CoreAnnotations.of(quiet.env).acknowledgeWarning('cdk-private-mwaa:guardrailNeedsTrail', 'The organization trail logs management events.');
    expect(Annotations.fromStack(quiet.stack).findWarning('*', Match.stringLikeRegexp('guardrailNeedsTrail'))).toHaveLength(0);
    expect(Annotations.fromStack(newEnvironment({ publicAccessGuardrail: false }).stack)
      .findWarning('*', Match.stringLikeRegexp('guardrailNeedsTrail'))).toHaveLength(0);
  });

  test('is off for a public web server unless asked for, and can be turned off', () => {
    const pub = newEnvironment({ webserverAccessMode: WebserverAccessMode.PUBLIC_ONLY });
    expect(pub.env.publicAccessGuardrailRule).toBeUndefined();
    const both = newEnvironment({ webserverAccessMode: WebserverAccessMode.PUBLIC_AND_PRIVATE });
    expect(both.env.publicAccessGuardrailRule).toBeUndefined();
    const off = newEnvironment({ publicAccessGuardrail: false });
    expect(off.env.publicAccessGuardrailRule).toBeUndefined();
    Template.fromStack(off.stack).resourceCountIs('AWS::Events::Rule', 1);
  });
});

describe('construct ids, names and descriptions of the people\'s access', () => {
  const { stack, env } = newEnvironment();
  const resources = Template.fromStack(stack).toJSON().Resources;

  test('each group and policy keeps its logical id (a changed id would replace it in the account)', () => {
    // Written out, not derived: these ids are a public contract.
    const groups = Object.entries(resources).filter(([, r]: [string, any]) => r.Type === 'AWS::IAM::Group')
      .map(([id, r]: [string, any]) => [id, r.Properties.GroupName]);
    expect(groups.map(([id, name]) => [id.replace(/[0-9A-F]{8}$/, ''), name]).sort()).toEqual([
      ['AirflowAdministratorsGroup', 'test-env-administrators'],
      ['AirflowDevelopersGroup', 'test-env-developers'],
      ['AirflowOperatorsGroup', 'test-env-operators'],
      ['AirflowViewersGroup', 'test-env-viewers'],
    ]);
    const managed = Object.entries(resources).filter(([, r]: [string, any]) => r.Type === 'AWS::IAM::ManagedPolicy'
      && r.Properties.ManagedPolicyName !== undefined && String(r.Properties.ManagedPolicyName).includes('-airflow-'))
      .map(([id, r]: [string, any]) => [id.replace(/[0-9A-F]{8}$/, ''), r.Properties.ManagedPolicyName, r.Properties.Description]);
    expect(managed.sort()).toEqual([
      ['AirflowAdministratorsAccessPolicy', 'test-env-airflow-administrators', 'Administrators access to the Amazon MWAA environment test-env'],
      ['AirflowDevelopersAccessPolicy', 'test-env-airflow-developers', 'Developers access to the Amazon MWAA environment test-env'],
      ['AirflowOperatorsAccessPolicy', 'test-env-airflow-operators', 'Operators access to the Amazon MWAA environment test-env'],
      ['AirflowViewersAccessPolicy', 'test-env-airflow-viewers', 'Viewers access to the Amazon MWAA environment test-env'],
    ]);
  });

  test('a value that is not an access profile (as Python or Java may pass) is refused by name', () => {
    expect(() => env.accessPolicy('SUPERUSER' as AccessProfile)).toThrow(new Error('`profile` must be an AccessProfile, got: SUPERUSER'));
    expect(() => env.grantAccessProfile(new iam.User(stack, 'Someone'), 'SUPERUSER' as AccessProfile))
      .toThrow(new Error('`profile` must be an AccessProfile, got: SUPERUSER'));
  });

  test('the administrator may create network interfaces only in the environment\'s subnets and security groups (not its VPC)', () => {
    const statement = policies[AccessProfile.ADMINISTRATOR].Statement.find((s: any) => s.Action === 'ec2:CreateNetworkInterface');
    expect(statement.Resource).toEqual([
      ec2Arn('network-interface', '*'),
      `arn:aws:ec2:${REGION}:*:subnet/${SUBNET_IDS[0]}`,
      `arn:aws:ec2:${REGION}:*:subnet/${SUBNET_IDS[1]}`,
      `arn:aws:ec2:${REGION}:*:security-group/${SG_ID}`,
    ]);
  });
});

/** The cdk-nag findings acknowledged on a construct, by id, with their reasons. */
function acknowledged(construct: iam.ManagedPolicy | iam.IGroup): Record<string, string> {
  return Object.fromEntries(construct.node.metadata.filter(m => m.type === 'aws:cdk:acknowledged-rules')
    .flatMap(m => Object.entries(m.data as Record<string, string>)));
}

describe('each profile acknowledges exactly the wildcards its policy has, each with a reason', () => {
  const arn = (rest: string) => `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:${rest}]`;
  const LOGS = [
    'AwsSolutions-IAM5[Resource::*]',
    ...['DAGProcessing', 'Scheduler', 'Task', 'WebServer', 'Worker'].map(type => arn(`logs:eu-west-1:111111111111:log-group:airflow-test-env-${type}:*`)),
  ];
  const KEY = ['AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]'];
  const NETWORK = [
    arn('ec2:eu-west-1:111111111111:vpc-endpoint/*'),
    arn('ec2:eu-west-1:111111111111:network-interface/*'),
    arn('ec2:eu-west-1:*:vpc/<Vpc8378EB38>'),
    arn('ec2:eu-west-1:*:subnet/<VpcPrivateSubnet1Subnet536B997A>'),
    arn('ec2:eu-west-1:*:subnet/<VpcPrivateSubnet2Subnet3788AAA1>'),
    arn('ec2:eu-west-1:*:security-group/<AirflowSecurityGroupC7425FC4.GroupId>'),
  ];
  const DAGS = ['AwsSolutions-IAM5[Resource::<AirflowSourceBucketCD7E6C32.Arn>/dags/*]'];
  const SECRETS = ['connections', 'variables'].map(kind => arn(`secretsmanager:eu-west-1:111111111111:secret:airflow/${kind}/*`));
  const SELF_SERVICE = [arn('states:eu-west-1:111111111111:execution:<AirflowSelfServiceStateMachineCAE8EBAF.Name>:*')];

  const variants: Array<[string, PartialProps, Record<AccessProfile, string[]>]> = [
    ['the default environment', {}, {
      [AccessProfile.ADMINISTRATOR]: [...LOGS, ...KEY, ...NETWORK],
      [AccessProfile.DEVELOPER]: [...LOGS, ...DAGS],
      [AccessProfile.OPERATOR]: LOGS,
      [AccessProfile.VIEWER]: [],
    }],
    ['with the Secrets Manager backend', { secretsBackend: {} }, {
      [AccessProfile.ADMINISTRATOR]: [...LOGS, ...KEY, ...NETWORK, ...SECRETS],
      [AccessProfile.DEVELOPER]: [...LOGS, ...DAGS],
      [AccessProfile.OPERATOR]: LOGS,
      [AccessProfile.VIEWER]: [],
    }],
    ['with self-service and the Secrets Manager backend', { selfService: true, secretsBackend: {} }, {
      [AccessProfile.ADMINISTRATOR]: [...LOGS, ...SELF_SERVICE, ...SECRETS],
      [AccessProfile.DEVELOPER]: [...LOGS, ...DAGS],
      [AccessProfile.OPERATOR]: LOGS,
      [AccessProfile.VIEWER]: [],
    }],
  ];

  describe.each(variants)('%s', (_name, props, expected) => {
    const { stack, env } = newEnvironment(props);

    test.each(Object.values(AccessProfile))('%s', profile => {
      const entries = acknowledged(env.accessPolicy(profile));
      expect(Object.keys(entries).sort()).toEqual([...expected[profile]].sort());
      for (const reason of Object.values(entries)) {
        expect(reason.length).toBeGreaterThan(30);
      }
    });

    test('and cdk-nag reports nothing on the policies or the groups', () => {
      const app = stack.node.root as App;
      const scopes = Object.values(AccessProfile).flatMap(p => [env.accessPolicy(p), env.group(p)!]);
      expect(nagFindings(app, PACKS[0][1], ...scopes)).toEqual([]);
      for (const [name, pack] of PACKS.slice(1)) {
        expect([name, nagFindings(app, pack, ...scopes)]).toEqual([name, []]);
      }
    });
  });

  test('the reasons say what each wildcard is', () => {
    const { env } = newEnvironment({ selfService: true, secretsBackend: {} });
    const admin = acknowledged(env.accessPolicy(AccessProfile.ADMINISTRATOR));
    expect(admin[SELF_SERVICE[0]]).toMatch(/executions of this environment's self-service updater/);
    expect(admin[SECRETS[0]]).toBe('Reading the secrets of the Secrets Manager backend under airflow/connections/, read-only.');
    expect(admin[LOGS[2]]).toBe('The log streams of this environment\'s Scheduler log group.');
    const plain = acknowledged(newEnvironment().env.accessPolicy(AccessProfile.ADMINISTRATOR));
    expect(plain[KEY[0]]).toMatch(/customer managed key: data keys of this environment's key only/);
    expect(plain[KEY[1]]).toMatch(/customer managed key: re-encryption with this environment's key only/);
    expect(plain[NETWORK[0]]).toMatch(/^The VPC endpoint MWAA creates for a private web server has no id before it exists/);
    expect(plain[NETWORK[1]]).toMatch(/^The network interfaces MWAA creates have no id before they exist/);
    expect(plain[NETWORK[2]]).toMatch(/the account is open because a shared VPC's belong to its owner account/);
    expect(acknowledged(env.accessPolicy(AccessProfile.DEVELOPER))[DAGS[0]]).toMatch(/^Deploying DAGs: objects under the DAG folder/);
    expect(acknowledged(env.group(AccessProfile.VIEWER)!)).toEqual({
      'HIPAA.Security-IAMGroupHasUsers': expect.stringMatching(/one group per access profile .* empty until they do/),
      'PCI.DSS.321-IAMGroupHasUsers': expect.stringMatching(/one group per access profile .* empty until they do/),
    });
  });
});

describe('the administrator with self-service', () => {
  const actionsOf = (props: PartialProps) => {
    const { stack, env } = newEnvironment(props);
    const policyId = stack.getLogicalId(env.accessPolicy(AccessProfile.ADMINISTRATOR).node.defaultChild as any);
    const doc = Template.fromStack(stack).toJSON().Resources[policyId]
      .Properties.PolicyDocument;
    return doc.Statement.flatMap((s: any) => [s.Action].flat());
  };

  test('reads the environment and starts and follows the updater, and may not update the environment itself', () => {
    const actions = actionsOf({ selfService: true });
    expect(actions).toEqual(expect.arrayContaining(['airflow:GetEnvironment', 'states:StartExecution', 'states:DescribeExecution']));
    for (const direct of ['airflow:UpdateEnvironment', 'iam:PassRole', 'ec2:CreateVpcEndpoint', 'kms:CreateGrant', 'secretsmanager:GetSecretValue']) {
      expect(actions).not.toContain(direct);
    }
  });

  test('with the Secrets Manager backend, may also read its secrets', () => {
    expect(actionsOf({ selfService: true, secretsBackend: {} })).toEqual(expect.arrayContaining(['states:StartExecution', 'secretsmanager:GetSecretValue']));
  });
});

describe('IAM Identity Center roles in grants and assignments', () => {
  const SSO_ARN = `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_DataEngineer_0123456789abcdef`;
  const ssoWarnings = (stack: Stack) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cdk-private-mwaa:ssoRole'))
    .map(w => w.entry.data as string);

  test('grantAccessProfile names the profile\'s own policy in its warning', () => {
    const { stack, env } = newEnvironment({ peopleAccess: { createGroups: false } });
    env.grantAccessProfile(iam.Role.fromRoleArn(stack, 'Sso', SSO_ARN), AccessProfile.OPERATOR);
    expect(ssoWarnings(stack)).toEqual([expect.stringMatching(
      /^A grant of the environment: AWSReservedSSO_DataEngineer_0123456789abcdef is an IAM Identity Center role.*Reference the customer managed policy test-env-airflow-operators in the permission set/)]);
  });

  test('an assignment says where the role came from', () => {
    const { stack } = newEnvironment({
      peopleAccess: { createGroups: false, assignments: [{ profile: AccessProfile.VIEWER, roles: [iam.Role.fromRoleArn(newStack(), 'Sso', SSO_ARN)] }] },
    });
    expect(ssoWarnings(stack)).toEqual([expect.stringMatching(/^`peopleAccess.assignments`: AWSReservedSSO_DataEngineer_0123456789abcdef is an IAM Identity Center role/)]);
  });

  test('an assignment of groups only attaches the policy to them', () => {
    const stack = newStack();
    const team = iam.Group.fromGroupName(stack, 'Team', 'data-platform');
    new PrivateMwaaEnvironment(stack, 'Airflow', {
      environmentName: ENV,
      vpc: newVpc(stack),
      peopleAccess: { createGroups: false, assignments: [{ profile: AccessProfile.OPERATOR, groups: [team] }] },
    });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      ManagedPolicyName: 'test-env-airflow-operators', Groups: ['data-platform'], Roles: Match.absent(), Users: Match.absent(),
    });
  });
});

describe('deployment grants on an imported environment', () => {
  const KEY_A = `arn:aws:kms:${REGION}:${ACCOUNT}:key/aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa`;
  const KEY_B = `arn:aws:kms:${REGION}:${ACCOUNT}:key/bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb`;
  const deployer = (attrs: (stack: Stack) => Partial<PrivateMwaaEnvironmentAttributes>) => {
    const stack = newStack();
    const imported = PrivateMwaaEnvironment.fromEnvironmentAttributes(stack, 'Legacy', { environmentName: 'legacy', ...attrs(stack) });
    return { stack, imported, user: new iam.User(stack, 'Ci') };
  };
  const statements = (stack: Stack) => Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
    .flatMap((p: any) => resolveIntrinsics(p.Properties.PolicyDocument, { account: ACCOUNT, region: REGION, refs: {}, arns: {} }).Statement);

  test('without its bucket, each grant fails and says what it was for', () => {
    const { imported, user } = deployer(() => ({}));
    expect(() => imported.grantDagDeployment(user)).toThrow(
      /^`sourceBucket` of the imported environment TestStack\/Legacy is needed to deploy DAGs; import it with `fromEnvironmentAttributes` and its `sourceBucket`, got: no bucket$/);
    expect(() => imported.grantDependencyDeployment(user)).toThrow(
      /is needed to deploy requirements, plugins and the startup script; import it with/);
  });

  test('the bucket\'s own key is used before the environment\'s', () => {
    const { stack, imported, user } = deployer((s: Stack) => ({
      sourceBucket: s3.Bucket.fromBucketAttributes(s, 'B', { bucketName: 'legacy-dags', encryptionKey: kms.Key.fromKeyArn(s, 'KA', KEY_A) }),
      kmsKey: kms.Key.fromKeyArn(s, 'KB', KEY_B),
    }));
    imported.grantDagDeployment(user);
    const kmsResources = statements(stack).filter((s: any) => [s.Action].flat().includes('kms:GenerateDataKey')).map((s: any) => s.Resource);
    expect(kmsResources).toEqual([KEY_A]);
  });

  test('a bucket with no key known adds no KMS statement', () => {
    const { stack, imported, user } = deployer((s: Stack) => ({ sourceBucket: s3.Bucket.fromBucketName(s, 'B', 'legacy-dags') }));
    imported.grantDagDeployment(user);
    const all = statements(stack);
    expect(all.length).toBeGreaterThan(0);
    expect(all.filter((s: any) => [s.Action].flat().some((a: string) => a.startsWith('kms:')))).toEqual([]);
  });
});
