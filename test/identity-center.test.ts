import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { App, Aws, CfnParameter, Duration, Fn, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { nagFindings, PACKS } from './support/nag';
import { buildExampleApp } from '../example/app';
import {
  AccessProfile, AirflowPermissionSet, AirflowPermissionSetProps, IdentityStorePrincipalType, IPrivateMwaaEnvironment,
  PermissionSetPolicyMode, PrivateMwaaEnvironment,
} from '../src';
import { newVpc, REGION } from './support/fixtures';
import { resolveIntrinsics } from './support/resolve-template';

const WORKLOAD = '111111111111';
const IDENTITY = '999999999999';
const STRANGER = '333333333333';
const INSTANCE = 'arn:aws:sso:::instance/ssoins-1234567890abcdef';
const GROUP = 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6';
const PERSON = `arn:aws:sts::${WORKLOAD}:assumed-role/AWSReservedSSO_AirflowDeveloper_0123456789abcdef/jane`;

/** A workload stack (explicit account and Region) with two environments, and an identity stack in another account. */
function twoAccounts(workloadEnv: { account?: string; region?: string } = { account: WORKLOAD, region: REGION }) {
  const app = new App();
  const workload = new Stack(app, 'Workload', { env: workloadEnv });
  const vpc = newVpc(workload);
  // The first environment reads its connections and variables from Secrets Manager (under airflow/).
  const analytics = new PrivateMwaaEnvironment(workload, 'Analytics', { environmentName: 'analytics', vpc, peopleAccess: { createGroups: false }, secretsBackend: {} });
  const reporting = new PrivateMwaaEnvironment(workload, 'Reporting', { environmentName: 'reporting', vpc, peopleAccess: { createGroups: false } });
  const identity = new Stack(app, 'Identity', { env: { account: IDENTITY, region: 'us-east-1' } });
  return { app, workload, identity, analytics, reporting };
}

function permissionSet(stack: Stack, environments: IPrivateMwaaEnvironment[], props: Partial<AirflowPermissionSetProps> = {}, id = 'PermissionSet') {
  return new AirflowPermissionSet(stack, id, { instanceArn: INSTANCE, profile: AccessProfile.DEVELOPER, environments, ...props });
}

function inlinePolicyOf(stack: Stack, set: AirflowPermissionSet): any {
  return Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(set.node.defaultChild as any)].Properties.InlinePolicy;
}

/** Every (effect, action, resource, condition) a policy allows, so that two differently merged policies compare. */
function expand(policy: any): string[] {
  const list = (v: unknown) => (v === undefined ? [] : ([] as unknown[]).concat(v));
  return policy.Statement.flatMap((s: any) => list(s.Action).flatMap(action => list(s.Resource).map(resource =>
    `${s.Effect} ${action} ${resource} ${JSON.stringify(s.Condition ?? {})}`))).filter((v: string, i: number, all: string[]) => all.indexOf(v) === i).sort();
}

describe('the inline policy of each profile (IAM simulation)', () => {
  const { workload, identity, analytics, reporting } = twoAccounts();
  const sets = Object.values(AccessProfile).map(profile => permissionSet(identity, [analytics, reporting], { profile }, profile));
  const policies = {} as Record<AccessProfile, any>;
  for (const set of sets) {
    policies[set.profile] = inlinePolicyOf(identity, set);
  }
  const template = Template.fromStack(workload).toJSON();
  const bucketName = (env: PrivateMwaaEnvironment) =>
    template.Resources[workload.getLogicalId(env.sourceBucket.node.defaultChild as any)].Properties.BucketName;
  const ANALYTICS_BUCKET = bucketName(analytics);
  const REPORTING_BUCKET = bucketName(reporting);
  const KEY = `arn:aws:kms:${REGION}:${WORKLOAD}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
  const keyPolicy = resolveIntrinsics(template.Resources[workload.getLogicalId(analytics.kmsKey.node.defaultChild as any)].Properties.KeyPolicy,
    { account: WORKLOAD, region: REGION, refs: {}, arns: {} });
  const role = (env: string, airflowRole: string) => `arn:aws:airflow:${REGION}:${WORKLOAD}:role/${env}/${airflowRole}`;
  const envArn = (env: string) => `arn:aws:airflow:${REGION}:${WORKLOAD}:environment/${env}`;
  const object = (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`;
  const logStream = (env: string) => `arn:aws:logs:${REGION}:${WORKLOAD}:log-group:airflow-${env}-Task:log-stream:dag/run/1.log`;
  const viaS3 = (bucket: string, key: string) => ({ 'kms:ViaService': `s3.${REGION}.amazonaws.com`, 'kms:EncryptionContext:aws:s3:arn': object(bucket, key) });
  const execRole = `arn:aws:iam::${WORKLOAD}:role/Workload-AnalyticsExecutionRole1A2B3C-ABCDEF123456`;
  // The tag the construct puts on the execution role, as IAM reports it for PassRole (aws:ResourceTag).
  const taggedFor = (env: string) => ({ 'aws:ResourceTag/cdk-private-mwaa-environment': env });
  const toMwaa = { 'iam:PassedToService': 'airflow.amazonaws.com' };
  // The aliases KMS reports for a key (kms:ResourceAliases): the one the construct adds, and others.
  const aliases = (...names: string[]) => ({ 'kms:ResourceAliases': names.map(n => `alias/${n}`) }) as unknown as { [key: string]: string };
  const viaSecretsManager = { 'kms:ViaService': `secretsmanager.${REGION}.amazonaws.com` };
  const secret = (name: string) => `arn:aws:secretsmanager:${REGION}:${WORKLOAD}:secret:${name}-AbCdEf`;

  interface Call { readonly action: string; readonly resource: string; readonly context?: { [key: string]: string } }
  async function decide(profile: AccessProfile, call: Call): Promise<string> {
    const response = await runSimulation({
      identityPolicies: [{ name: profile, policy: policies[profile] }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: call.resource === KEY ? keyPolicy : undefined,
      request: {
        principal: PERSON,
        action: call.action,
        resource: { resource: call.resource, accountId: call.resource.split(':')[4] || WORKLOAD },
        contextVariables: call.context ?? {},
      },
    }, {});
    if (response.resultType === 'error') {
      throw new Error(`simulation rejected: ${JSON.stringify(response.errors)}`);
    }
    return response.overallResult;
  }

  const A = 'Allowed';
  const D = 'ImplicitlyDenied';
  const cases: Array<[AccessProfile, string, () => Call, string]> = [
    // Developers
    [AccessProfile.DEVELOPER, 'log in as User to the first environment', () => ({ action: 'airflow:CreateWebLoginToken', resource: role('analytics', 'User') }), A],
    [AccessProfile.DEVELOPER, 'log in as User to the second environment', () => ({ action: 'airflow:CreateWebLoginToken', resource: role('reporting', 'User') }), A],
    [AccessProfile.DEVELOPER, 'log in as Admin', () => ({ action: 'airflow:CreateWebLoginToken', resource: role('analytics', 'Admin') }), D],
    [AccessProfile.DEVELOPER, 'log in as User to an environment not listed', () => ({ action: 'airflow:CreateWebLoginToken', resource: role('legacy', 'User') }), D],
    [AccessProfile.DEVELOPER, 'log in as User to a listed name in another account', () => ({ action: 'airflow:CreateWebLoginToken', resource: `arn:aws:airflow:${REGION}:${STRANGER}:role/analytics/User` }), D],
    [AccessProfile.DEVELOPER, 'put a DAG in the first bucket', () => ({ action: 's3:PutObject', resource: object(ANALYTICS_BUCKET, 'dags/etl.py') }), A],
    [AccessProfile.DEVELOPER, 'put a DAG in the second bucket', () => ({ action: 's3:PutObject', resource: object(REPORTING_BUCKET, 'dags/etl.py') }), A],
    [AccessProfile.DEVELOPER, 'put a DAG in another bucket', () => ({ action: 's3:PutObject', resource: object('someone-elses-bucket', 'dags/etl.py') }), D],
    [AccessProfile.DEVELOPER, 'put requirements.txt', () => ({ action: 's3:PutObject', resource: object(ANALYTICS_BUCKET, 'requirements.txt') }), D],
    [AccessProfile.DEVELOPER, 'list the DAG folder', () => ({ action: 's3:ListBucket', resource: `arn:aws:s3:::${ANALYTICS_BUCKET}`, context: { 's3:prefix': 'dags/' } }), A],
    [AccessProfile.DEVELOPER, 'use the key through S3 for another bucket', () => ({ action: 'kms:Decrypt', resource: KEY, context: viaS3('someone-elses-bucket', 'data.csv') }), D],
    [AccessProfile.DEVELOPER, 'use the key directly', () => ({ action: 'kms:Decrypt', resource: KEY, context: { 'kms:EncryptionContext:aws:s3:arn': object(ANALYTICS_BUCKET, 'dags/etl.py') } }), D],
    [AccessProfile.DEVELOPER, 'use a key of another account through S3', () => ({ action: 'kms:Decrypt', resource: `arn:aws:kms:${REGION}:${STRANGER}:key/1234abcd-12ab-34cd-56ef-1234567890ab`, context: viaS3(ANALYTICS_BUCKET, 'dags/etl.py') }), D],
    [AccessProfile.DEVELOPER, 'read task logs', () => ({ action: 'logs:GetLogEvents', resource: logStream('analytics') }), A],
    [AccessProfile.DEVELOPER, 'read the logs of an environment not listed', () => ({ action: 'logs:GetLogEvents', resource: logStream('legacy') }), D],
    [AccessProfile.DEVELOPER, 'see the environment', () => ({ action: 'airflow:GetEnvironment', resource: envArn('reporting') }), A],
    [AccessProfile.DEVELOPER, 'update the environment', () => ({ action: 'airflow:UpdateEnvironment', resource: envArn('analytics') }), D],
    [AccessProfile.DEVELOPER, 'pass the execution role', () => ({ action: 'iam:PassRole', resource: execRole, context: { ...toMwaa, ...taggedFor('analytics') } }), D],
    [AccessProfile.DEVELOPER, 'create a grant on the key', () => ({ action: 'kms:CreateGrant', resource: KEY, context: aliases('cdk-private-mwaa/analytics') }), D],
    // Administrators
    [AccessProfile.ADMINISTRATOR, 'log in as Admin', () => ({ action: 'airflow:CreateWebLoginToken', resource: role('reporting', 'Admin') }), A],
    [AccessProfile.ADMINISTRATOR, 'update a listed environment', () => ({ action: 'airflow:UpdateEnvironment', resource: envArn('analytics') }), A],
    [AccessProfile.ADMINISTRATOR, 'update an environment not listed', () => ({ action: 'airflow:UpdateEnvironment', resource: envArn('legacy') }), D],
    [AccessProfile.ADMINISTRATOR, 'delete a listed environment', () => ({ action: 'airflow:DeleteEnvironment', resource: envArn('analytics') }), D],
    [AccessProfile.ADMINISTRATOR, 'get a CLI token', () => ({ action: 'airflow:CreateCliToken', resource: envArn('reporting') }), A],
    [AccessProfile.ADMINISTRATOR, 'pass the execution role to MWAA', () => ({ action: 'iam:PassRole', resource: execRole, context: { ...toMwaa, ...taggedFor('analytics') } }), A],
    [AccessProfile.ADMINISTRATOR, 'pass the execution role to Lambda', () => ({ action: 'iam:PassRole', resource: execRole, context: { 'iam:PassedToService': 'lambda.amazonaws.com', ...taggedFor('analytics') } }), D],
    [AccessProfile.ADMINISTRATOR, 'pass an untagged role of the account to MWAA', () => ({ action: 'iam:PassRole', resource: `arn:aws:iam::${WORKLOAD}:role/admin`, context: toMwaa }), D],
    [AccessProfile.ADMINISTRATOR, 'pass a role tagged for an environment not listed', () => ({ action: 'iam:PassRole', resource: `arn:aws:iam::${WORKLOAD}:role/x`, context: { ...toMwaa, ...taggedFor('legacy') } }), D],
    [AccessProfile.ADMINISTRATOR, 'pass a role of another account to MWAA', () => ({ action: 'iam:PassRole', resource: `arn:aws:iam::${STRANGER}:role/x`, context: { ...toMwaa, ...taggedFor('analytics') } }), D],
    // The key, by its alias: what UpdateEnvironment needs (AWS's full access policy for a customer managed key).
    [AccessProfile.ADMINISTRATOR, 'create a grant on the environment\'s key', () => ({ action: 'kms:CreateGrant', resource: KEY, context: aliases('cdk-private-mwaa/analytics') }), A],
    [AccessProfile.ADMINISTRATOR, 'create a grant on a key with more aliases', () => ({ action: 'kms:CreateGrant', resource: KEY, context: aliases('team/data', 'cdk-private-mwaa/reporting') }), A],
    [AccessProfile.ADMINISTRATOR, 'describe the environment\'s key', () => ({ action: 'kms:DescribeKey', resource: KEY, context: aliases('cdk-private-mwaa/analytics') }), A],
    [AccessProfile.ADMINISTRATOR, 'encrypt with the environment\'s key', () => ({ action: 'kms:Encrypt', resource: KEY, context: aliases('cdk-private-mwaa/analytics') }), A],
    [AccessProfile.ADMINISTRATOR, 'create a grant on a key without the alias', () => ({ action: 'kms:CreateGrant', resource: KEY, context: aliases('team/data') }), D],
    [AccessProfile.ADMINISTRATOR, 'create a grant on a key with a neighbour\'s alias', () => ({ action: 'kms:CreateGrant', resource: KEY, context: aliases('cdk-private-mwaa/analytics-payments') }), D],
    [AccessProfile.ADMINISTRATOR, 'schedule the key\'s deletion', () => ({ action: 'kms:ScheduleKeyDeletion', resource: KEY, context: aliases('cdk-private-mwaa/analytics') }), D],
    // The secrets of the Secrets Manager backend, and their key through Secrets Manager (no S3 context).
    [AccessProfile.ADMINISTRATOR, 'read a connection secret', () => ({ action: 'secretsmanager:GetSecretValue', resource: secret('airflow/connections/warehouse') }), A],
    [AccessProfile.ADMINISTRATOR, 'read a secret outside the prefixes', () => ({ action: 'secretsmanager:GetSecretValue', resource: secret('payments/bank') }), D],
    [AccessProfile.ADMINISTRATOR, 'decrypt a secret through Secrets Manager', () => ({ action: 'kms:Decrypt', resource: KEY, context: { ...viaSecretsManager, ...aliases('cdk-private-mwaa/analytics') } }), A],
    [AccessProfile.ADMINISTRATOR, 'decrypt through Secrets Manager with a key without the alias', () => ({ action: 'kms:Decrypt', resource: KEY, context: { ...viaSecretsManager, ...aliases('team/data') } }), D],
    [AccessProfile.ADMINISTRATOR, 'put requirements.txt', () => ({ action: 's3:PutObject', resource: object(REPORTING_BUCKET, 'requirements.txt') }), A],
    [AccessProfile.ADMINISTRATOR, 'read the plugins version', () => ({ action: 's3:GetObjectVersion', resource: object(ANALYTICS_BUCKET, 'plugins.zip') }), A],
    [AccessProfile.ADMINISTRATOR, 'put a DAG', () => ({ action: 's3:PutObject', resource: object(ANALYTICS_BUCKET, 'dags/etl.py') }), D],
    // Operators
    [AccessProfile.OPERATOR, 'log in as Op', () => ({ action: 'airflow:CreateWebLoginToken', resource: role('analytics', 'Op') }), A],
    [AccessProfile.OPERATOR, 'log in as Admin', () => ({ action: 'airflow:CreateWebLoginToken', resource: role('analytics', 'Admin') }), D],
    [AccessProfile.OPERATOR, 'update the environment', () => ({ action: 'airflow:UpdateEnvironment', resource: envArn('analytics') }), D],
    [AccessProfile.OPERATOR, 'put a DAG', () => ({ action: 's3:PutObject', resource: object(ANALYTICS_BUCKET, 'dags/etl.py') }), D],
    [AccessProfile.OPERATOR, 'read task logs', () => ({ action: 'logs:GetLogEvents', resource: logStream('reporting') }), A],
    // Viewers
    [AccessProfile.VIEWER, 'log in as Viewer', () => ({ action: 'airflow:CreateWebLoginToken', resource: role('reporting', 'Viewer') }), A],
    [AccessProfile.VIEWER, 'log in as User', () => ({ action: 'airflow:CreateWebLoginToken', resource: role('analytics', 'User') }), D],
    [AccessProfile.VIEWER, 'see the environment', () => ({ action: 'airflow:GetEnvironment', resource: envArn('analytics') }), D],
    [AccessProfile.VIEWER, 'read task logs', () => ({ action: 'logs:GetLogEvents', resource: logStream('analytics') }), D],
  ];

  test.each(cases)('%s: %s', async (profile, _name, call, expected) => {
    expect(await decide(profile, call())).toBe(expected);
  });

  // The simulator ignores kms:EncryptionContext:* request keys (it matches variable keys only after a
  // slash), so the key statements are asserted on the document, against literal expectations: keys of
  // the workload account and Region that carry the environment's alias, through S3 only for objects
  // of that environment's bucket; the administrator's key actions and the Secrets Manager decrypt by
  // the alias alone, as no S3 context reaches them.
  test.each([AccessProfile.DEVELOPER, AccessProfile.ADMINISTRATOR])('%s: the key statements, by alias', (profile) => {
    const keyStatements = policies[profile].Statement.filter((s: any) => JSON.stringify(s.Action).includes('kms:'));
    const anyKey = `arn:aws:kms:${REGION}:${WORKLOAD}:key/*`;
    const byAlias = (env: string) => ({ 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': `alias/cdk-private-mwaa/${env}` } });
    const expected: any[] = [['analytics', ANALYTICS_BUCKET], ['reporting', REPORTING_BUCKET]].map(([env, bucket]) => ({
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Effect: 'Allow',
      Resource: anyKey,
      Condition: {
        StringEquals: { 'kms:ViaService': `s3.${REGION}.amazonaws.com` },
        ...byAlias(env),
        StringLike: { 'kms:EncryptionContext:aws:s3:arn': [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`] },
      },
    }));
    if (profile === AccessProfile.ADMINISTRATOR) {
      expected.push(...['analytics', 'reporting'].map(env => ({
        Action: ['kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ListGrants', 'kms:ReEncrypt*', 'kms:RevokeGrant'],
        Effect: 'Allow',
        Resource: anyKey,
        Condition: byAlias(env),
      })), {
        Action: 'kms:Decrypt',
        Effect: 'Allow',
        Resource: anyKey,
        Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${REGION}.amazonaws.com` }, ...byAlias('analytics') },
      });
    }
    expect(keyStatements).toHaveLength(expected.length);
    expect(keyStatements).toEqual(expect.arrayContaining(expected));
  });

  test('the workload stack gives each key the alias and each execution role the tag, and replaces neither', () => {
    const bare = twoAccounts().workload;
    const before = Template.fromStack(bare).toJSON().Resources;
    const after = template.Resources;
    const keyId = workload.getLogicalId(analytics.kmsKey.node.defaultChild as any);
    expect(after[keyId]).toEqual(before[keyId]);
    Template.fromStack(workload).hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/cdk-private-mwaa/analytics', TargetKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    Template.fromStack(workload).hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/cdk-private-mwaa/reporting' });
    const roleId = workload.getLogicalId(analytics.executionRole.node.defaultChild as any);
    expect(after[roleId].Properties.Tags).toEqual([{ Key: 'cdk-private-mwaa-environment', Value: 'analytics' }]);
    const { Tags: _tags, ...rest } = after[roleId].Properties;
    expect(rest).toEqual(before[roleId].Properties);
    expect(Object.keys(after).filter(id => !(id in before)).map(id => after[id].Type).sort()).toEqual(['AWS::KMS::Alias', 'AWS::KMS::Alias']);
  });

  test('a viewer\'s policy is one login statement for both environments', () => {
    expect(policies[AccessProfile.VIEWER].Statement).toEqual([
      { Action: 'airflow:CreateWebLoginToken', Effect: 'Allow', Resource: [role('analytics', 'Viewer'), role('reporting', 'Viewer')] },
    ]);
  });
});

describe('an environment whose names are known at synth: literal ARNs, against literal expectations', () => {
  // Network, bucket, key and role with ids known at synth: nothing to substitute, no tag, no alias.
  const K = `arn:aws:kms:${REGION}:${WORKLOAD}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
  const B = 'arn:aws:s3:::analytics-dags';
  const logs = ['DAGProcessing', 'Scheduler', 'Task', 'WebServer', 'Worker']
    .flatMap(t => [`arn:aws:logs:${REGION}:${WORKLOAD}:log-group:airflow-analytics-${t}`, `arn:aws:logs:${REGION}:${WORKLOAD}:log-group:airflow-analytics-${t}:*`]);
  const login = (role: string) => ({ Effect: 'Allow', Action: 'airflow:CreateWebLoginToken', Resource: `arn:aws:airflow:${REGION}:${WORKLOAD}:role/analytics/${role}` });
  const readLogs = [
    { Effect: 'Allow', Action: ['logs:DescribeLogStreams', 'logs:GetLogEvents', 'logs:FilterLogEvents', 'logs:StartQuery', 'logs:GetLogGroupFields'], Resource: logs },
    { Effect: 'Allow', Action: ['logs:DescribeLogGroups', 'logs:GetQueryResults'], Resource: '*' },
  ];
  const console_ = [
    { Effect: 'Allow', Action: ['airflow:GetEnvironment', 'airflow:ListTagsForResource'], Resource: `arn:aws:airflow:${REGION}:${WORKLOAD}:environment/analytics` },
    { Effect: 'Allow', Action: 'airflow:ListEnvironments', Resource: '*' },
  ];
  const viaS3 = { StringEquals: { 'kms:ViaService': `s3.${REGION}.amazonaws.com` } };
  const expected: Record<AccessProfile, any[]> = {
    [AccessProfile.VIEWER]: [login('Viewer')],
    [AccessProfile.OPERATOR]: [login('Op'), ...readLogs, ...console_],
    [AccessProfile.DEVELOPER]: [
      login('User'), ...readLogs, ...console_,
      { Effect: 'Allow', Action: ['s3:PutObject', 's3:DeleteObject', 's3:GetObject', 's3:GetObjectVersion'], Resource: `${B}/dags/*` },
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: B, Condition: { StringLike: { 's3:prefix': ['dags/*', 'dags'] } } },
      { Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: K, Condition: viaS3 },
    ],
    [AccessProfile.ADMINISTRATOR]: [
      { Effect: 'Allow', Action: ['airflow:CreateWebLoginToken', 'airflow:InvokeRestApi'], Resource: `arn:aws:airflow:${REGION}:${WORKLOAD}:role/analytics/Admin` },
      { Effect: 'Allow', Action: ['airflow:CreateCliToken', 'airflow:UpdateEnvironment'], Resource: `arn:aws:airflow:${REGION}:${WORKLOAD}:environment/analytics` },
      ...readLogs, ...console_,
      { Effect: 'Allow', Action: ['ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:DescribeVpcs', 'ec2:DescribeRouteTables'], Resource: '*' },
      { Effect: 'Allow', Action: 'iam:CreateServiceLinkedRole', Resource: `arn:aws:iam::${WORKLOAD}:role/aws-service-role/airflow.amazonaws.com/AWSServiceRoleForAmazonMWAA` },
      { Effect: 'Allow', Action: 'iam:PassRole', Resource: `arn:aws:iam::${WORKLOAD}:role/analytics-execution`, Condition: { StringEquals: { 'iam:PassedToService': 'airflow.amazonaws.com' } } },
      { Effect: 'Allow', Action: ['kms:DescribeKey', 'kms:ListGrants', 'kms:CreateGrant', 'kms:RevokeGrant', 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'], Resource: K },
      { Effect: 'Allow', Action: 's3:GetEncryptionConfiguration', Resource: B },
      {
        Effect: 'Allow',
        Action: 'ec2:CreateVpcEndpoint',
        Resource: [`arn:aws:ec2:${REGION}:${WORKLOAD}:vpc-endpoint/*`, `arn:aws:ec2:${REGION}:*:vpc/vpc-0123456789abcdef0`, `arn:aws:ec2:${REGION}:*:subnet/subnet-0aaaaaaaaaaaaaaaa`,
          `arn:aws:ec2:${REGION}:*:subnet/subnet-0bbbbbbbbbbbbbbbb`, `arn:aws:ec2:${REGION}:*:security-group/sg-0123456789abcdef0`],
      },
      {
        Effect: 'Allow',
        Action: 'ec2:CreateNetworkInterface',
        Resource: [`arn:aws:ec2:${REGION}:${WORKLOAD}:network-interface/*`, `arn:aws:ec2:${REGION}:*:subnet/subnet-0aaaaaaaaaaaaaaaa`,
          `arn:aws:ec2:${REGION}:*:subnet/subnet-0bbbbbbbbbbbbbbbb`, `arn:aws:ec2:${REGION}:*:security-group/sg-0123456789abcdef0`],
      },
      { Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject', 's3:GetObjectVersion'], Resource: [`${B}/requirements.txt`, `${B}/plugins.zip`, `${B}/startup.sh`] },
      { Effect: 'Allow', Action: 's3:ListBucketVersions', Resource: B, Condition: { StringLike: { 's3:prefix': ['requirements.txt', 'plugins.zip', 'startup.sh'] } } },
      { Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: K, Condition: viaS3 },
      {
        Effect: 'Allow',
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret', 'secretsmanager:ListSecretVersionIds'],
        Resource: [`arn:aws:secretsmanager:${REGION}:${WORKLOAD}:secret:airflow/connections/*`, `arn:aws:secretsmanager:${REGION}:${WORKLOAD}:secret:airflow/variables/*`],
      },
      { Effect: 'Allow', Action: 'kms:Decrypt', Resource: K, Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${REGION}.amazonaws.com` } } },
    ],
  };

  test.each(Object.values(AccessProfile))('%s', (profile) => {
    const app = new App();
    const workload = new Stack(app, 'Workload', { env: { account: WORKLOAD, region: REGION } });
    const env = new PrivateMwaaEnvironment(workload, 'Airflow', {
      environmentName: 'analytics',
      vpc: ec2.Vpc.fromVpcAttributes(workload, 'Vpc', {
        vpcId: 'vpc-0123456789abcdef0',
        availabilityZones: [`${REGION}a`, `${REGION}b`],
        privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'],
      }),
      securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(workload, 'Sg', 'sg-0123456789abcdef0')],
      sourceBucket: s3.Bucket.fromBucketAttributes(workload, 'Bucket', { bucketName: 'analytics-dags', encryptionKey: kms.Key.fromKeyArn(workload, 'Key', K) }),
      executionRole: iam.Role.fromRoleArn(workload, 'Role', `arn:aws:iam::${WORKLOAD}:role/analytics-execution`, { mutable: false }),
      peopleAccess: { createGroups: false },
      secretsBackend: {},
    });
    const identity = new Stack(app, 'Identity', { env: { account: IDENTITY, region: 'us-east-1' } });
    const set = permissionSet(identity, [env], { profile });
    expect(expand(inlinePolicyOf(identity, set))).toEqual(expand({ Statement: expected[profile] }));
    // Nothing was added to the workload stack: no alias, no tag.
    Template.fromStack(workload).resourceCountIs('AWS::KMS::Alias', 0);
  });
});

describe('one sign-in for one team: profiles, secrets and statements combined', () => {
  const { identity, analytics, reporting } = twoAccounts();
  const set = permissionSet(identity, [analytics, reporting], {
    profile: AccessProfile.ADMINISTRATOR,
    additionalProfiles: [AccessProfile.DEVELOPER, AccessProfile.ADMINISTRATOR],
    additionalSecretPrefixes: ['teams/imo'],
    additionalStatements: [new iam.PolicyStatement({ actions: ['athena:StartQueryExecution'], resources: [`arn:aws:athena:${REGION}:${WORKLOAD}:workgroup/imo`] })],
  }, 'Team');
  const policy = inlinePolicyOf(identity, set);
  const KEY = `arn:aws:kms:${REGION}:${WORKLOAD}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
  const keyPolicy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${WORKLOAD}:root` }, Action: 'kms:*', Resource: '*' }] };
  async function decide(action: string, resource: string, context: { [key: string]: unknown } = {}): Promise<string> {
    const response = await runSimulation({
      identityPolicies: [{ name: 'Team', policy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: resource === KEY ? keyPolicy : undefined,
      request: { principal: PERSON, action, resource: { resource, accountId: resource.split(':')[4] || WORKLOAD }, contextVariables: context as any },
    }, {});
    if (response.resultType === 'error') {
      throw new Error(JSON.stringify(response.errors));
    }
    return response.overallResult;
  }
  const secret = (name: string) => `arn:aws:secretsmanager:${REGION}:${WORKLOAD}:secret:${name}-AbCdEf`;
  const bucketOf = (env: PrivateMwaaEnvironment) => identity.resolve(env.sourceBucket.bucketName);

  test('the profiles, without duplicates', () => {
    expect(set.profiles).toEqual([AccessProfile.ADMINISTRATOR, AccessProfile.DEVELOPER]);
  });

  test.each([
    ['update an environment (administrator)', 'airflow:UpdateEnvironment', `arn:aws:airflow:${REGION}:${WORKLOAD}:environment/reporting`, {}, 'Allowed'],
    ['log in as Admin (administrator)', 'airflow:CreateWebLoginToken', `arn:aws:airflow:${REGION}:${WORKLOAD}:role/analytics/Admin`, {}, 'Allowed'],
    ['log in as User (developer)', 'airflow:CreateWebLoginToken', `arn:aws:airflow:${REGION}:${WORKLOAD}:role/analytics/User`, {}, 'Allowed'],
    ['read a team secret in the first environment\'s account', 'secretsmanager:GetSecretValue', secret('teams/imo/warehouse'), {}, 'Allowed'],
    ['read a secret next to the team\'s prefix', 'secretsmanager:GetSecretValue', secret('teams/imo-old/warehouse'), {}, 'ImplicitlyDenied'],
    ['change a team secret', 'secretsmanager:PutSecretValue', secret('teams/imo/warehouse'), {}, 'ImplicitlyDenied'],
    ['decrypt a team secret with the second environment\'s key', 'kms:Decrypt', KEY,
      { 'kms:ViaService': `secretsmanager.${REGION}.amazonaws.com`, 'kms:ResourceAliases': ['alias/cdk-private-mwaa/reporting'] }, 'Allowed'],
    ['run the additional statement', 'athena:StartQueryExecution', `arn:aws:athena:${REGION}:${WORKLOAD}:workgroup/imo`, {}, 'Allowed'],
    ['run it elsewhere', 'athena:StartQueryExecution', `arn:aws:athena:${REGION}:${WORKLOAD}:workgroup/primary`, {}, 'ImplicitlyDenied'],
  ])('may %s: %s', async (_what, action, resource, context, expected) => {
    expect(await decide(action, resource, context)).toBe(expected);
  });

  test.each([[() => analytics], [() => reporting]])('deploys DAGs and requirements to each bucket (both profiles)', async (env) => {
    expect(await decide('s3:PutObject', `arn:aws:s3:::${bucketOf(env())}/dags/etl.py`)).toBe('Allowed');
    expect(await decide('s3:PutObject', `arn:aws:s3:::${bucketOf(env())}/requirements.txt`)).toBe('Allowed');
  });

  test('with customer managed policy references: one reference per environment and profile, the extras inline', () => {
    const fresh = twoAccounts();
    const refs = permissionSet(fresh.identity, [fresh.analytics, fresh.reporting], {
      profile: AccessProfile.OPERATOR,
      additionalProfiles: [AccessProfile.DEVELOPER],
      policyMode: PermissionSetPolicyMode.CUSTOMER_MANAGED_POLICY_REFERENCE,
      additionalStatements: [new iam.PolicyStatement({ actions: ['athena:StartQueryExecution'], resources: [`arn:aws:athena:${REGION}:${WORKLOAD}:workgroup/imo`] })],
    }, 'TeamByReference');
    const properties = Template.fromStack(fresh.identity).toJSON().Resources[fresh.identity.getLogicalId(refs.node.defaultChild as any)].Properties;
    expect(properties.CustomerManagedPolicyReferences.map((r: any) => r.Name).sort()).toEqual([
      'analytics-airflow-developers', 'analytics-airflow-operators', 'reporting-airflow-developers', 'reporting-airflow-operators',
    ]);
    expect(properties.InlinePolicy.Statement).toEqual([
      { Action: 'athena:StartQueryExecution', Effect: 'Allow', Resource: `arn:aws:athena:${REGION}:${WORKLOAD}:workgroup/imo` },
    ]);
  });

  test.each([
    ['teams/imo/', 'additionalSecretPrefixes[0]'],
    ['teams/*', 'additionalSecretPrefixes[0]'],
    ['', 'additionalSecretPrefixes[0]'],
  ])('a secret prefix %p fails, naming the prop', (prefix, prop) => {
    const fresh = twoAccounts();
    expect(() => permissionSet(fresh.identity, [fresh.analytics], { additionalSecretPrefixes: [prefix] })).toThrow(
      `\`${prop}\` must be a secret name prefix of at most 256 letters, digits and /_+=.@- without wildcards or a leading or trailing '/', got: '${prefix}'`);
  });

  test('a prefix of 256 characters is accepted, 257 refused', () => {
    const fresh = twoAccounts();
    permissionSet(fresh.identity, [fresh.analytics], { additionalSecretPrefixes: ['a'.repeat(256)] }, 'Long');
    expect(() => permissionSet(fresh.identity, [fresh.analytics], { additionalSecretPrefixes: ['a'.repeat(257)] }, 'TooLong')).toThrow(/got: 'a{257}'$/);
  });

  test('an additional statement with a reference fails, naming it', () => {
    const fresh = twoAccounts();
    const statement = new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [`arn:aws:s3:::${Aws.ACCOUNT_ID}-data/*`] });
    expect(() => permissionSet(fresh.identity, [fresh.analytics], { additionalStatements: [statement] })).toThrow(
      '`additionalStatements[0]` must hold literal strings only: the permission set is deployed in another account, where no reference reaches, got: {"Ref":"AWS::AccountId"}');
  });
});

describe('what a permission set cannot name', () => {
  test('a created VPC: the EC2 create statements are left out, with one warning that says what administrators cannot do', () => {
    const { identity, analytics } = twoAccounts();
    const set = permissionSet(identity, [analytics], { profile: AccessProfile.ADMINISTRATOR });
    const text = JSON.stringify(inlinePolicyOf(identity, set));
    expect(text).not.toContain('ec2:CreateVpcEndpoint');
    expect(text).not.toContain('ec2:CreateNetworkInterface');
    expect(text).not.toContain(':vpc/*');
    const warnings = Annotations.fromStack(identity).findWarning('*', Match.stringLikeRegexp('cdk-private-mwaa:permissionSetNetwork'));
    expect(warnings.map(w => w.id)).toEqual(['/Identity/PermissionSet']);
    expect(warnings[0].entry.data).toContain('`environments`: the VPC, subnet or security group ids of environment analytics are known only at deploy time, so this permission set leaves out ec2:CreateVpcEndpoint and ec2:CreateNetworkInterface');
    // Developers never had them: no warning for them.
    permissionSet(identity, [analytics], { profile: AccessProfile.DEVELOPER }, 'Developers');
    expect(Annotations.fromStack(identity).findWarning('/Identity/Developers', Match.stringLikeRegexp('cdk-private-mwaa:permissionSetNetwork'))).toEqual([]);
  });

  test('an execution role with a name: PassRole names it, and the role gets no tag', () => {
    const app = new App();
    const workload = new Stack(app, 'Workload', { env: { account: WORKLOAD, region: REGION } });
    const role = new iam.Role(workload, 'Role', { roleName: 'analytics-execution', path: '/airflow/', assumedBy: new iam.ServicePrincipal('airflow.amazonaws.com') });
    const env = new PrivateMwaaEnvironment(workload, 'Analytics', { environmentName: 'analytics', vpc: newVpc(workload), executionRole: role, peopleAccess: { createGroups: false } });
    const identity = new Stack(app, 'Identity', { env: { account: IDENTITY, region: 'us-east-1' } });
    const set = permissionSet(identity, [env], { profile: AccessProfile.ADMINISTRATOR });
    const passRole = inlinePolicyOf(identity, set).Statement.filter((st: any) => st.Action === 'iam:PassRole');
    expect(passRole).toEqual([{
      Action: 'iam:PassRole',
      Effect: 'Allow',
      Resource: `arn:aws:iam::${WORKLOAD}:role/airflow/analytics-execution`,
      Condition: { StringEquals: { 'iam:PassedToService': 'airflow.amazonaws.com' } },
    }]);
    Template.fromStack(workload).hasResourceProperties('AWS::IAM::Role', { RoleName: 'analytics-execution', Tags: Match.absent() });
  });

  test('an execution role imported by its literal ARN: PassRole names that ARN, with no warning', () => {
    const app = new App();
    const workload = new Stack(app, 'Workload', { env: { account: WORKLOAD, region: REGION } });
    const role = iam.Role.fromRoleArn(workload, 'Role', `arn:aws:iam::${WORKLOAD}:role/airflow/analytics-execution`);
    const env = new PrivateMwaaEnvironment(workload, 'Analytics', { environmentName: 'analytics', vpc: newVpc(workload), executionRole: role, peopleAccess: { createGroups: false } });
    const identity = new Stack(app, 'Identity', { env: { account: IDENTITY, region: 'us-east-1' } });
    const set = permissionSet(identity, [env], { profile: AccessProfile.ADMINISTRATOR });
    const passRole = inlinePolicyOf(identity, set).Statement.filter((st: any) => st.Action === 'iam:PassRole');
    expect(passRole).toEqual([{
      Action: 'iam:PassRole',
      Effect: 'Allow',
      Resource: `arn:aws:iam::${WORKLOAD}:role/airflow/analytics-execution`,
      Condition: { StringEquals: { 'iam:PassedToService': 'airflow.amazonaws.com' } },
    }]);
    expect(Annotations.fromStack(identity).findWarning('*', Match.stringLikeRegexp('cdk-private-mwaa:permissionSetPassRole'))).toEqual([]);
  });

  test('an execution role imported by a deploy-time ARN: PassRole is left out, with one warning that says what administrators cannot do', () => {
    const app = new App();
    const workload = new Stack(app, 'Workload', { env: { account: WORKLOAD, region: REGION } });
    const role = iam.Role.fromRoleArn(workload, 'Role', workload.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: Fn.importValue('ExecutionRoleName') }));
    const env = new PrivateMwaaEnvironment(workload, 'Analytics', { environmentName: 'analytics', vpc: newVpc(workload), executionRole: role, peopleAccess: { createGroups: false } });
    const identity = new Stack(app, 'Identity', { env: { account: IDENTITY, region: 'us-east-1' } });
    const set = permissionSet(identity, [env], { profile: AccessProfile.ADMINISTRATOR });
    expect(JSON.stringify(inlinePolicyOf(identity, set))).not.toContain('iam:PassRole');
    const warnings = Annotations.fromStack(identity).findWarning('*', Match.stringLikeRegexp('cdk-private-mwaa:permissionSetPassRole'));
    expect(warnings.map(w => w.id)).toEqual(['/Identity/PermissionSet']);
    expect(warnings[0].entry.data).toContain('`environments`: the execution role of environment analytics has an ARN known only at deploy time and no construct here to tag, so this permission set leaves out iam:PassRole: its administrators cannot call UpdateEnvironment');
  });

  test('a key imported by a deploy-time ARN fails, naming the fix', () => {
    const app = new App();
    const workload = new Stack(app, 'Workload', { env: { account: WORKLOAD, region: REGION } });
    const key = kms.Key.fromKeyArn(workload, 'Key', workload.formatArn({ service: 'kms', resource: 'key', resourceName: workload.stackId }));
    const env = new PrivateMwaaEnvironment(workload, 'Analytics', { environmentName: 'analytics', vpc: newVpc(workload), kmsKey: key, peopleAccess: { createGroups: false } });
    const identity = new Stack(app, 'Identity', { env: { account: IDENTITY, region: 'us-east-1' } });
    expect(() => permissionSet(identity, [env])).toThrow(/^`environments`: the key of environment analytics has an ARN known only at deploy time and is not a key of this app, .*Import the key with its literal ARN \(kms.Key.fromKeyArn\), got: Workload\/Key$/);
  });
});

describe('literal ARNs: the identity stack deploys in another account', () => {
  test('no import, no reference, no pseudo parameter in the identity stack; the workload stack exports nothing', () => {
    const { app, workload, identity, analytics, reporting } = twoAccounts();
    const developers = permissionSet(identity, [analytics, reporting]);
    permissionSet(identity, [analytics, reporting], { profile: AccessProfile.ADMINISTRATOR }, 'Administrators');
    const assembly = app.synth(); // fails on a cross-environment reference
    const identityTemplate = assembly.getStackByName(identity.stackName).template;
    const text = JSON.stringify(identityTemplate);
    expect(text).not.toContain('Fn::ImportValue');
    expect(text).not.toContain('${Token');
    for (const resource of Object.values(identityTemplate.Resources) as any[]) {
      if (resource.Type === 'AWS::SSO::PermissionSet') {
        expect(JSON.stringify(resource.Properties.InlinePolicy)).not.toMatch(/"(Ref|Fn::[A-Za-z]+)"/);
      }
    }
    expect(assembly.getStackByName(workload.stackName).template.Outputs).toBeUndefined();
    // The bucket named in the policy is the bucket of the workload stack.
    const workloadResources = Template.fromStack(workload).toJSON().Resources;
    const bucket = workloadResources[workload.getLogicalId(analytics.sourceBucket.node.defaultChild as any)].Properties.BucketName;
    expect(bucket).toMatch(/^[a-z0-9.-]{3,63}$/);
    expect(JSON.stringify(inlinePolicyOf(identity, developers))).toContain(`arn:aws:s3:::${bucket}/dags/*`);
  });

  test('the workload template is unchanged without a permission set: the bucket keeps a CloudFormation-generated name', () => {
    const { workload, analytics } = twoAccounts();
    Template.fromStack(workload).hasResource('AWS::S3::Bucket', { Properties: Match.objectLike({ BucketName: Match.absent() }) });
    expect(analytics.sourceBucket).toBeDefined();
  });

  test('fails for an environment whose account is unknown, naming it and the fix', () => {
    const { identity, analytics } = twoAccounts({});
    expect(() => permissionSet(identity, [analytics])).toThrow(
      '`environments`: the name, account and Region of environment analytics must be known at synth, so that the permission set\'s policy names them with literal ARNs '
      + '(a permission set is deployed in another account, where no cross-stack reference reaches). '
      + 'Give its stack an explicit `env: { account, region }`, or import it with `PrivateMwaaEnvironment.fromEnvironmentArn`, got: account unknown, Region unknown');
  });

  test('fails for an environment in the same account and Region, whose bucket would need an import', () => {
    const app = new App();
    const workload = new Stack(app, 'Workload', { env: { account: WORKLOAD, region: REGION } });
    const env = new PrivateMwaaEnvironment(workload, 'Airflow', { environmentName: 'analytics', vpc: newVpc(workload) });
    const identity = new Stack(app, 'Identity', { env: { account: WORKLOAD, region: REGION } });
    expect(() => permissionSet(identity, [env])).toThrow(/^`environments`: the policy for environment analytics still holds a value known only at deploy time, .* got: \{"Fn::GetAtt":\[/);
  });

  test('an environment imported by ARN is named in the ARN\'s account and Region', () => {
    const app = new App();
    const identity = new Stack(app, 'Identity', { env: { account: IDENTITY, region: 'us-east-1' } });
    const legacy = PrivateMwaaEnvironment.fromEnvironmentArn(identity, 'Legacy', `arn:aws:airflow:eu-central-1:${STRANGER}:environment/legacy`);
    const set = permissionSet(identity, [legacy], { profile: AccessProfile.OPERATOR });
    const policy = inlinePolicyOf(identity, set);
    expect(policy.Statement).toContainEqual({ Action: 'airflow:CreateWebLoginToken', Effect: 'Allow', Resource: `arn:aws:airflow:eu-central-1:${STRANGER}:role/legacy/Op` });
    expect(JSON.stringify(policy)).toContain(`arn:aws:logs:eu-central-1:${STRANGER}:log-group:airflow-legacy-Task`);
    expect(JSON.stringify(policy)).not.toContain(IDENTITY);
  });

  test('an environment imported by name in the identity stack is named in that account, with a warning', () => {
    const app = new App();
    const identity = new Stack(app, 'Identity', { env: { account: IDENTITY, region: 'us-east-1' } });
    const legacy = PrivateMwaaEnvironment.fromEnvironmentName(identity, 'Legacy', 'legacy');
    const policy = inlinePolicyOf(identity, permissionSet(identity, [legacy], { profile: AccessProfile.VIEWER }));
    expect(policy.Statement).toEqual([{ Action: 'airflow:CreateWebLoginToken', Effect: 'Allow', Resource: `arn:aws:airflow:us-east-1:${IDENTITY}:role/legacy/Viewer` }]);
    const warnings = Annotations.fromStack(identity).findWarning('*', Match.stringLikeRegexp('cdk-private-mwaa:environmentInIdentityAccount'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].entry.data).toContain('fromEnvironmentArn');
  });

  test('a developer permission set fails for an environment imported without its bucket, asking for it', () => {
    const app = new App();
    const identity = new Stack(app, 'Identity', { env: { account: IDENTITY, region: 'us-east-1' } });
    const legacy = PrivateMwaaEnvironment.fromEnvironmentArn(identity, 'Legacy', `arn:aws:airflow:${REGION}:${STRANGER}:environment/legacy`);
    expect(() => inlinePolicyOf(identity, permissionSet(identity, [legacy]))).toThrow(
      '`sourceBucket` of the imported environment Identity/Legacy is needed to deploy DAGs; import it with `fromEnvironmentAttributes` and its `sourceBucket`, got: no bucket');
  });

  test('an environment imported with its bucket and key grants DAG deployment on them', () => {
    const app = new App();
    const identity = new Stack(app, 'Identity', { env: { account: IDENTITY, region: 'us-east-1' } });
    const keyArn = `arn:aws:kms:${REGION}:${STRANGER}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const legacy = PrivateMwaaEnvironment.fromEnvironmentAttributes(identity, 'Legacy', {
      environmentName: 'legacy',
      account: STRANGER,
      region: REGION,
      sourceBucket: s3.Bucket.fromBucketName(identity, 'Bucket', 'legacy-dags'),
      kmsKey: kms.Key.fromKeyArn(identity, 'Key', keyArn),
    });
    const statements = inlinePolicyOf(identity, permissionSet(identity, [legacy])).Statement;
    expect(statements).toContainEqual(expect.objectContaining({ Resource: 'arn:aws:s3:::legacy-dags/dags/*' }));
    expect(statements).toContainEqual({
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Effect: 'Allow', Resource: keyArn, Condition: { StringEquals: { 'kms:ViaService': `s3.${REGION}.amazonaws.com` } },
    });
    expect(statements).toContainEqual({ Action: 'airflow:CreateWebLoginToken', Effect: 'Allow', Resource: `arn:aws:airflow:${REGION}:${STRANGER}:role/legacy/User` });
    expect(JSON.stringify(statements)).not.toContain(IDENTITY);
  });

  test('a created environment\'s bucket name warns once per environment, for the profiles that use the bucket', () => {
    const { workload, identity, analytics } = twoAccounts();
    permissionSet(identity, [analytics], { profile: AccessProfile.VIEWER }, 'Viewers');
    expect(Annotations.fromStack(workload).findWarning('*', Match.stringLikeRegexp('cdk-private-mwaa:generatedBucketName'))).toEqual([]);
    permissionSet(identity, [analytics], { profile: AccessProfile.DEVELOPER }, 'Developers');
    permissionSet(identity, [analytics], { profile: AccessProfile.ADMINISTRATOR }, 'Administrators');
    const warnings = Annotations.fromStack(workload).findWarning('*', Match.stringLikeRegexp('cdk-private-mwaa:generatedBucketName'));
    expect(warnings.map(w => w.id)).toEqual(['/Workload/Analytics']);
    expect(warnings[0].entry.data).toMatch(/^`environments`: the source bucket of environment analytics now gets the name workload[a-z0-9]+sourcebucket[a-z0-9]+ in its stack, so that the permission set Identity\/Developers can name it\. .*PermissionSetPolicyMode\.CUSTOMER_MANAGED_POLICY_REFERENCE/);
    expect(Annotations.fromStack(identity).findWarning('*', Match.stringLikeRegexp('cdk-private-mwaa:generatedBucketName'))).toEqual([]);
  });
});

describe('the inline policy size', () => {
  const imported = (stack: Stack, count: number) => Array.from({ length: count }, (_, i) =>
    PrivateMwaaEnvironment.fromEnvironmentArn(stack, `Env${i}`, `arn:aws:airflow:${REGION}:${WORKLOAD}:environment/environment-number-${i}`));

  test('too many environments fail with how many fit, and that many do fit (32,768 bytes)', () => {
    const stack = new Stack(new App(), 'Identity', { env: { account: IDENTITY, region: 'us-east-1' } });
    let message = '';
    try {
      permissionSet(stack, imported(stack, 200), { profile: AccessProfile.OPERATOR });
    } catch (e) {
      message = (e as Error).message;
    }
    const match = /^`environments`: the OPERATOR policy of 200 environments is (\d+) bytes, above the 32768 IAM Identity Center allows in a permission set's inline policy; the first (\d+) fit\. .* got: 200 environments$/.exec(message);
    expect(match).not.toBeNull();
    expect(Number(match![1])).toBeGreaterThan(32768);
    const fit = Number(match![2]);
    expect(fit).toBeGreaterThan(1);
    const fresh = new Stack(new App(), 'Identity', { env: { account: IDENTITY, region: 'us-east-1' } });
    const envs = imported(fresh, fit + 1);
    const set = permissionSet(fresh, envs.slice(0, fit), { profile: AccessProfile.OPERATOR });
    expect(() => permissionSet(fresh, envs, { profile: AccessProfile.OPERATOR }, 'OneMore')).toThrow(/the first \d+ fit/);
    const bytes = Buffer.byteLength(JSON.stringify(inlinePolicyOf(fresh, set)));
    expect(bytes).toBeLessThanOrEqual(32768);
    // Not IAM's 10,240-character quota for a role's inline policies: that one is not the limit here.
    expect(bytes).toBeGreaterThan(10240);
  });

  test('the message of a set with several profiles names each of them', () => {
    const stack = new Stack(new App(), 'Identity', { env: { account: IDENTITY, region: 'us-east-1' } });
    expect(() => permissionSet(stack, imported(stack, 200), { profile: AccessProfile.VIEWER, additionalProfiles: [AccessProfile.OPERATOR] }))
      .toThrow(/^`environments`: the VIEWER \+ OPERATOR policy of 200 environments is \d+ bytes, above the 32768 /);
  });
});

describe('customer managed policy references', () => {
  test('reference each environment\'s policy by name, and make sure the workload stack creates it', () => {
    const { workload, identity, analytics, reporting } = twoAccounts();
    const set = permissionSet(identity, [analytics, reporting], { policyMode: PermissionSetPolicyMode.CUSTOMER_MANAGED_POLICY_REFERENCE });
    Template.fromStack(identity).hasResourceProperties('AWS::SSO::PermissionSet', {
      CustomerManagedPolicyReferences: [{ Name: 'analytics-airflow-developers', Path: '/' }, { Name: 'reporting-airflow-developers', Path: '/' }],
      InlinePolicy: Match.absent(),
    });
    const workloadTemplate = Template.fromStack(workload);
    workloadTemplate.hasResourceProperties('AWS::IAM::ManagedPolicy', { ManagedPolicyName: 'analytics-airflow-developers' });
    workloadTemplate.hasResourceProperties('AWS::IAM::ManagedPolicy', { ManagedPolicyName: 'reporting-airflow-developers' });
    // By name only: the workload bucket keeps its CloudFormation-generated name.
    workloadTemplate.hasResource('AWS::S3::Bucket', { Properties: Match.objectLike({ BucketName: Match.absent() }) });
    expect(analytics.accessPolicyName(AccessProfile.DEVELOPER)).toBe('analytics-airflow-developers');
    expect(set.permissionSetName).toBe('AirflowDeveloper');
  });

  test('an environment of unknown account works by name', () => {
    const { identity, analytics } = twoAccounts({});
    permissionSet(identity, [analytics], { policyMode: PermissionSetPolicyMode.CUSTOMER_MANAGED_POLICY_REFERENCE, profile: AccessProfile.VIEWER });
    Template.fromStack(identity).hasResourceProperties('AWS::SSO::PermissionSet', { CustomerManagedPolicyReferences: [{ Name: 'analytics-airflow-viewers', Path: '/' }] });
  });

  test('25 references are accepted, 26 fail; more than 10 warn', () => {
    const stack = new Stack(new App(), 'Identity');
    const envs = Array.from({ length: 26 }, (_, i) => PrivateMwaaEnvironment.fromEnvironmentName(stack, `Env${i}`, `env${i}`));
    expect(() => permissionSet(stack, envs, { policyMode: PermissionSetPolicyMode.CUSTOMER_MANAGED_POLICY_REFERENCE })).toThrow(
      '`environments`: a permission set references at most 25 managed policies; split the environments across permission sets, got: 26 policies (26 environments, 1 profiles)');
    permissionSet(stack, envs.slice(0, 25), { policyMode: PermissionSetPolicyMode.CUSTOMER_MANAGED_POLICY_REFERENCE }, 'TwentyFive');
    const references = Template.fromStack(stack).findResources('AWS::SSO::PermissionSet');
    expect(Object.values(references).map(r => r.Properties.CustomerManagedPolicyReferences.length)).toEqual([25]);
    permissionSet(stack, envs.slice(0, 10), { policyMode: PermissionSetPolicyMode.CUSTOMER_MANAGED_POLICY_REFERENCE }, 'Ten');
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cdk-private-mwaa:managedPoliciesPerRole'));
    expect(warnings.map(w => w.id)).toEqual(['/Identity/TwentyFive']);
    expect(warnings[0].entry.data).toContain('`environments`: 25 policy references exceed the default IAM quota of 10 managed policies per role');
  });
});

describe('the permission set and its assignments', () => {
  test('name, description, session duration, relay state and instance', () => {
    const { identity, analytics, reporting } = twoAccounts();
    permissionSet(identity, [analytics, reporting], {
      profile: AccessProfile.OPERATOR, sessionDuration: Duration.hours(4), relayState: 'https://eu-west-1.console.aws.amazon.com/mwaa/home?region=eu-west-1',
    });
    Template.fromStack(identity).hasResourceProperties('AWS::SSO::PermissionSet', {
      InstanceArn: INSTANCE,
      Name: 'AirflowOperator',
      Description: 'Apache Airflow operator access to the Amazon MWAA environments analytics, reporting',
      SessionDuration: 'PT4H',
      RelayStateType: 'https://eu-west-1.console.aws.amazon.com/mwaa/home?region=eu-west-1',
    });
  });

  test('one assignment per principal and account, from props and assign(), without duplicates', () => {
    const { identity, analytics } = twoAccounts();
    const set = permissionSet(identity, [analytics], {
      assignments: [{ principalType: IdentityStorePrincipalType.GROUP, principalId: GROUP, accounts: [WORKLOAD, STRANGER] }],
    });
    set.assign({ principalType: IdentityStorePrincipalType.USER, principalId: `0123456789-${GROUP}`, accounts: [WORKLOAD] });
    set.assign({ principalType: IdentityStorePrincipalType.GROUP, principalId: GROUP, accounts: [WORKLOAD] });
    const template = Template.fromStack(identity);
    template.resourceCountIs('AWS::SSO::Assignment', 3);
    const permissionSetArn = { 'Fn::GetAtt': [identity.getLogicalId(set.node.defaultChild as any), 'PermissionSetArn'] };
    for (const [type, id, account] of [['GROUP', GROUP, WORKLOAD], ['GROUP', GROUP, STRANGER], ['USER', `0123456789-${GROUP}`, WORKLOAD]]) {
      template.hasResourceProperties('AWS::SSO::Assignment', {
        InstanceArn: INSTANCE, PermissionSetArn: permissionSetArn, PrincipalType: type, PrincipalId: id, TargetType: 'AWS_ACCOUNT', TargetId: account,
      });
    }
  });
});

describe('validation', () => {
  const cases: Array<[string, Partial<AirflowPermissionSetProps>, string]> = [
    ['the name is too long', { permissionSetName: 'A'.repeat(33) },
      `\`permissionSetName\` must be 1 to 32 letters, digits and +=,.@_-, got: ${'A'.repeat(33)}`],
    ['the name has a space', { permissionSetName: 'Airflow developers' },
      '`permissionSetName` must be 1 to 32 letters, digits and +=,.@_-, got: Airflow developers'],
    ['the session is shorter than an hour', { sessionDuration: Duration.minutes(30) },
      '`sessionDuration` must be 1 to 12 hours, got: 30 minutes'],
    ['the session is longer than 12 hours', { sessionDuration: Duration.hours(13) },
      '`sessionDuration` must be 1 to 12 hours, got: 13 hours'],
    ['the instance ARN is an account instance id', { instanceArn: 'ssoins-1234567890abcdef' },
      '`instanceArn` must be an IAM Identity Center instance ARN, arn:<partition>:sso:::instance/ssoins-<16 characters>, got: ssoins-1234567890abcdef'],
    ['the instance ARN names a Region', { instanceArn: 'arn:aws:sso:eu-west-1::instance/ssoins-1234567890abcdef' },
      '`instanceArn` must be an IAM Identity Center instance ARN, arn:<partition>:sso:::instance/ssoins-<16 characters>, got: arn:aws:sso:eu-west-1::instance/ssoins-1234567890abcdef'],
    ['the instance is in another partition', { instanceArn: 'arn:aws-cn:sso:::instance/ssoins-1234567890abcdef' },
      '`environments`: environment analytics is in partition aws and the IAM Identity Center instance in aws-cn; a permission set cannot reach another partition, got: eu-west-1'],
    ['the relay state is too long', { relayState: `https://console.aws.amazon.com/${'a'.repeat(220)}` },
      `\`relayState\` must be a URL of 1 to 240 characters, got: https://console.aws.amazon.com/${'a'.repeat(220)}`],
    ['the relay state has a character IAM Identity Center refuses', { relayState: 'https://console.aws.amazon.com/<script>' },
      '`relayState` must be a URL of 1 to 240 characters, got: https://console.aws.amazon.com/<script>'],
    ['the description is too long', { description: 'd'.repeat(701) },
      `\`description\` must be 1 to 700 printable Latin-1 characters, got: ${'d'.repeat(701)}`],
    ['no environment', { environments: [] }, '`environments` must list at least one environment, got: none'],
    ['a principal id is a group name', { assignments: [{ principalType: IdentityStorePrincipalType.GROUP, principalId: 'data-engineers', accounts: [WORKLOAD] }] },
      '`assignments.principalId` must be an identity store user or group id, such as f81d4fae-7dec-11d0-a765-00a0c91e6bf6, got: data-engineers'],
    ['an account id is an alias', { assignments: [{ principalType: IdentityStorePrincipalType.GROUP, principalId: GROUP, accounts: ['analytics-prod'] }] },
      '`assignments.accounts` must be 12-digit AWS account ids, got: analytics-prod'],
    ['an assignment has no account', { assignments: [{ principalType: IdentityStorePrincipalType.GROUP, principalId: GROUP, accounts: [] }] },
      `\`assignments.accounts\` must list at least one AWS account for ${GROUP}, got: none`],
  ];
  test.each(cases)('throws when %s', (_name, props, message) => {
    const { identity, analytics } = twoAccounts();
    expect(() => permissionSet(identity, [analytics], props)).toThrow(message);
    expect(() => permissionSet(identity, [analytics], props, 'Again')).toThrow(message);
  });

  test('the limits are inclusive: 32 characters, 1 and 12 hours', () => {
    const { identity, analytics } = twoAccounts();
    permissionSet(identity, [analytics], { permissionSetName: 'A'.repeat(32), sessionDuration: Duration.hours(12) }, 'Long');
    permissionSet(identity, [analytics], { permissionSetName: 'Airflow+=,.@_-', sessionDuration: Duration.hours(1) }, 'Short');
    Template.fromStack(identity).resourceCountIs('AWS::SSO::PermissionSet', 2);
  });
});

describe('the example app\'s identity stack', () => {
  function exampleWithIdentity() {
    // The example app builds its identity stack in the account the tests call IDENTITY.
    const { app, identityStack } = buildExampleApp(fs.mkdtempSync(path.join(os.tmpdir(), 'identity-')));
    expect(identityStack.account).toBe(IDENTITY);
    return { app, identity: identityStack };
  }

  test('synthesizes with two permission sets, two assignments, literal policies and no other warning', () => {
    const { app, identity } = exampleWithIdentity();
    const artifact = app.synth().getStackByName(identity.stackName);
    expect(artifact.messages.filter(m => m.level !== 'info')).toEqual([]);
    const template = Template.fromStack(identity);
    template.resourceCountIs('AWS::SSO::PermissionSet', 2);
    template.resourceCountIs('AWS::SSO::Assignment', 2);
    const policies = Object.values(template.findResources('AWS::SSO::PermissionSet')).map(r => JSON.stringify(r.Properties.InlinePolicy));
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      expect(policy).toContain('arn:aws:airflow:eu-west-1:111111111111:');
      expect(policy).not.toMatch(/"(Ref|Fn::[A-Za-z]+)"/);
    }
    expect(JSON.stringify(artifact.template)).not.toContain('Fn::ImportValue');
  });

  test.each(PACKS)('%s finds nothing', (_name, pack) => {
    const { app, identity } = exampleWithIdentity();
    expect(nagFindings(app, pack, identity)).toEqual([]);
  });
});

describe('what mutation testing found untested (identity-center)', () => {
  const identityStack = () => new Stack(new App(), 'Identity', { env: { account: IDENTITY, region: 'us-east-1' } });
  const importedByArn = (stack: Stack, name: string, region = REGION) =>
    PrivateMwaaEnvironment.fromEnvironmentArn(stack, `Env-${name}`, `arn:aws:airflow:${region}:${WORKLOAD}:environment/${name}`);

  test('assignments keep their logical ids whatever their order; one with a deploy-time principal is numbered', () => {
    const ids = (order: 'forward' | 'reverse') => {
      const stack = identityStack();
      const env = importedByArn(stack, 'analytics');
      const assignments = [
        { principalType: IdentityStorePrincipalType.GROUP, principalId: GROUP, accounts: [WORKLOAD] },
        { principalType: IdentityStorePrincipalType.USER, principalId: `0123456789-${GROUP}`, accounts: [STRANGER] },
      ];
      permissionSet(stack, [env], { profile: AccessProfile.VIEWER, assignments: order === 'forward' ? assignments : assignments.reverse() });
      return Object.keys(Template.fromStack(stack).findResources('AWS::SSO::Assignment')).sort();
    };
    expect(ids('forward')).toEqual(ids('reverse'));
    expect(ids('forward').map(id => id.replace(/[0-9A-F]{8}$/, ''))).toEqual([
      `PermissionSetGroup${GROUP.replace(/-/g, '')}In${WORKLOAD}`,
      `PermissionSetUser0123456789${GROUP.replace(/-/g, '')}In${STRANGER}`,
    ]);
    const stack = identityStack();
    const set = permissionSet(stack, [importedByArn(stack, 'analytics')], { profile: AccessProfile.VIEWER });
    set.assign({ principalType: IdentityStorePrincipalType.GROUP, principalId: Fn.importValue('GroupId'), accounts: [WORKLOAD] });
    expect(Object.keys(Template.fromStack(stack).findResources('AWS::SSO::Assignment')).map(id => id.replace(/[0-9A-F]{8}$/, ''))).toEqual(['PermissionSetAssignment0']);
  });

  test.each([
    ['an instance ARN with text after it', { instanceArn: `${INSTANCE}0` }, /^`instanceArn` must be an IAM Identity Center instance ARN/],
    ['an instance ARN with text before it', { instanceArn: ` ${INSTANCE}` }, /^`instanceArn` must be an IAM Identity Center instance ARN/],
    ['a principal id with text after it', { assignments: [{ principalType: IdentityStorePrincipalType.GROUP, principalId: `${GROUP}0`, accounts: [WORKLOAD] }] },
      /^`assignments.principalId` must be an identity store user or group id/],
    ['a principal id with text before it', { assignments: [{ principalType: IdentityStorePrincipalType.GROUP, principalId: `x${GROUP}`, accounts: [WORKLOAD] }] },
      /^`assignments.principalId` must be an identity store user or group id/],
    ['an account of 13 digits', { assignments: [{ principalType: IdentityStorePrincipalType.GROUP, principalId: GROUP, accounts: [`${WORKLOAD}1`] }] },
      /^`assignments.accounts` must be 12-digit AWS account ids, got: 1111111111111$/],
    ['an account with a letter before it', { assignments: [{ principalType: IdentityStorePrincipalType.GROUP, principalId: GROUP, accounts: [`a${WORKLOAD}`] }] },
      /^`assignments.accounts` must be 12-digit AWS account ids, got: a111111111111$/],
  ])('refuses %s', (_name, props, message) => {
    const stack = identityStack();
    expect(() => permissionSet(stack, [importedByArn(stack, 'analytics')], { profile: AccessProfile.VIEWER, ...props } as Partial<AirflowPermissionSetProps>))
      .toThrow(message);
  });

  test('accepts an instance ARN of the older ins- form, and an instance ARN, relay state or principal known only at deploy time', () => {
    const stack = identityStack();
    permissionSet(stack, [importedByArn(stack, 'analytics')], { profile: AccessProfile.VIEWER, instanceArn: 'arn:aws:sso:::instance/ins-1234567890abcdef' }, 'Old');
    permissionSet(stack, [importedByArn(stack, 'reporting')], {
      profile: AccessProfile.VIEWER,
      instanceArn: Fn.importValue('InstanceArn'),
      relayState: Fn.importValue('RelayState'),
      assignments: [{ principalType: IdentityStorePrincipalType.GROUP, principalId: Fn.importValue('GroupId'), accounts: [Fn.importValue('Account')] }],
    }, 'Deploy');
    Template.fromStack(stack).resourceCountIs('AWS::SSO::PermissionSet', 2);
  });

  test('an environment of a Region this CDK does not know fails, naming the Region', () => {
    const stack = identityStack();
    expect(() => permissionSet(stack, [importedByArn(stack, 'analytics', 'xx-north-9')])).toThrow(
      '`environments`: the Region of environment analytics is not one this version of the AWS CDK knows, so its partition cannot be written literally, got: xx-north-9');
  });

  test('an environment whose account alone is unknown fails, naming it', () => {
    const stack = identityStack();
    const env = PrivateMwaaEnvironment.fromEnvironmentAttributes(stack, 'Env', { environmentName: 'analytics', account: Fn.importValue('Account'), region: REGION });
    expect(() => permissionSet(stack, [env])).toThrow(/^`environments`: the name, account and Region of environment analytics must be known at synth/);
  });

  test('an environment named in the permission set\'s own account warns, naming that account', () => {
    const stack = identityStack();
    permissionSet(stack, [PrivateMwaaEnvironment.fromEnvironmentArn(stack, 'Own', `arn:aws:airflow:us-east-1:${IDENTITY}:environment/local`)], { profile: AccessProfile.VIEWER });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('environmentInIdentityAccount'));
    expect(warnings.map(w => w.entry.data)).toEqual([expect.stringMatching(
      /^`environments`: environment local is named in account 999999999999, this permission set's own account\. If it lives in a workload account, import it/)]);
  });

  test('with policy references, an environment whose name is known only at deploy time fails, naming it', () => {
    const stack = identityStack();
    const env = PrivateMwaaEnvironment.fromEnvironmentAttributes(stack, 'Env', { environmentName: Fn.importValue('EnvName'), account: WORKLOAD, region: REGION });
    expect(() => permissionSet(stack, [env], { policyMode: PermissionSetPolicyMode.CUSTOMER_MANAGED_POLICY_REFERENCE }))
      .toThrow(/^`environments`: the name of environment Identity\/Env must be known at synth to reference its policy by name/);
  });

  describe('the inline policy of additional statements, next to policy references: 32,768 bytes at most', () => {
    /** A permission set whose one additional statement has a Sid of `sidLength` characters. */
    const withSid = (stack: Stack, sidLength: number, id: string) => permissionSet(stack, [importedByArn(stack, id.toLowerCase())], {
      policyMode: PermissionSetPolicyMode.CUSTOMER_MANAGED_POLICY_REFERENCE,
      additionalStatements: [new iam.PolicyStatement({ sid: 'S'.repeat(sidLength), actions: ['s3:GetObject'], resources: ['arn:aws:s3:::shared-data/*'] })],
    }, id);

    test('exactly 32,768 bytes are accepted, one more is refused with the size', () => {
      const measured = identityStack();
      const small = Buffer.byteLength(JSON.stringify(inlinePolicyOf(measured, withSid(measured, 1, 'Small'))));
      const exact = 1 + 32768 - small;
      const stack = identityStack();
      const set = withSid(stack, exact, 'Small');
      expect(Buffer.byteLength(JSON.stringify(inlinePolicyOf(stack, set)))).toBe(32768);
      expect(() => withSid(identityStack(), exact + 1, 'Small')).toThrow(
        '`additionalStatements`: the inline policy is 32769 bytes, above the 32768 IAM Identity Center allows, got: 1 statements');
    });

    test('are written minimized, with the partition of the instance (aws-cn: its URL suffix)', () => {
      const stack = identityStack();
      const set = permissionSet(stack, [importedByArn(stack, 'analytics', 'cn-north-1')], {
        instanceArn: 'arn:aws-cn:sso:::instance/ssoins-1234567890abcdef',
        policyMode: PermissionSetPolicyMode.CUSTOMER_MANAGED_POLICY_REFERENCE,
        additionalStatements: [new iam.PolicyStatement({
          actions: ['s3:GetObject', 's3:GetObject'],
          resources: [`arn:${Aws.PARTITION}:s3:::shared-data/*`],
          conditions: { StringEquals: { 'aws:SourceVpce': `vpce.${Aws.URL_SUFFIX}` } },
        })],
      });
      expect(inlinePolicyOf(stack, set)).toEqual({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws-cn:s3:::shared-data/*', Condition: { StringEquals: { 'aws:SourceVpce': 'vpce.amazonaws.com.cn' } } }],
      });
    });

    test('without an instance partition known (a deploy-time instance ARN), aws and amazonaws.com', () => {
      const stack = identityStack();
      const set = permissionSet(stack, [importedByArn(stack, 'analytics')], {
        instanceArn: Fn.importValue('InstanceArn'),
        policyMode: PermissionSetPolicyMode.CUSTOMER_MANAGED_POLICY_REFERENCE,
        additionalStatements: [new iam.PolicyStatement({
          actions: ['s3:GetObject'],
          resources: [`arn:${Aws.PARTITION}:s3:::shared-data/*`],
          conditions: { StringEquals: { 'aws:SourceVpce': `vpce.${Aws.URL_SUFFIX}` } },
        })],
      });
      expect(inlinePolicyOf(stack, set).Statement).toEqual([
        { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::shared-data/*', Condition: { StringEquals: { 'aws:SourceVpce': 'vpce.amazonaws.com' } } },
      ]);
    });
  });

  test('an administrator set over a VPC imported by its ids keeps the EC2 create statements, with no network warning', () => {
    const app = new App();
    const workload = new Stack(app, 'Workload', { env: { account: WORKLOAD, region: REGION } });
    const vpc = ec2.Vpc.fromVpcAttributes(workload, 'Vpc', {
      vpcId: 'vpc-0123456789abcdef0', availabilityZones: ['eu-west-1a', 'eu-west-1b'], privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2'],
    });
    const sg = ec2.SecurityGroup.fromSecurityGroupId(workload, 'Sg', 'sg-0123456789abcdef0');
    const env = new PrivateMwaaEnvironment(workload, 'Analytics', { environmentName: 'analytics', vpc, securityGroups: [sg], peopleAccess: { createGroups: false } });
    const identity = new Stack(app, 'Identity', { env: { account: IDENTITY, region: 'us-east-1' } });
    const set = permissionSet(identity, [env], { profile: AccessProfile.ADMINISTRATOR });
    const create = inlinePolicyOf(identity, set).Statement.filter((st: any) => st.Action === 'ec2:CreateNetworkInterface');
    expect(create.map((st: any) => [...st.Resource].sort())).toEqual([[
      `arn:aws:ec2:${REGION}:*:security-group/sg-0123456789abcdef0`,
      `arn:aws:ec2:${REGION}:*:subnet/subnet-0aaaaaaaaaaaaaaa1`,
      `arn:aws:ec2:${REGION}:*:subnet/subnet-0bbbbbbbbbbbbbbb2`,
      `arn:aws:ec2:${REGION}:${WORKLOAD}:network-interface/*`,
    ]]);
    expect(Annotations.fromStack(identity).findWarning('*', Match.stringLikeRegexp('cdk-private-mwaa:permissionSetNetwork'))).toEqual([]);
  });

  describe('the generated bucket name warning', () => {
    const bucketWarnings = (stack: Stack) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cdk-private-mwaa:generatedBucketName'))
      .map(w => w.entry.data as string);

    test('an operator set that also has the developer profile warns, and says what a new name does to a deployed bucket', () => {
      const { workload, identity, analytics } = twoAccounts();
      permissionSet(identity, [analytics], { profile: AccessProfile.OPERATOR, additionalProfiles: [AccessProfile.DEVELOPER] });
      expect(bucketWarnings(workload)).toEqual([expect.stringContaining(
        'For a new environment that is all; for one already deployed, the new name replaces its bucket (a new, empty bucket; the old one is retained). ')]);
    });

    test('a bucket the user brings, with a name of its own, earns no warning', () => {
      const app = new App();
      const workload = new Stack(app, 'Workload', { env: { account: WORKLOAD, region: REGION } });
      const bucket = new s3.Bucket(workload, 'Dags', { bucketName: 'analytics-dags', versioned: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL });
      const env = new PrivateMwaaEnvironment(workload, 'Analytics', { environmentName: 'analytics', vpc: newVpc(workload), sourceBucket: bucket, peopleAccess: { createGroups: false } });
      const identity = new Stack(app, 'Identity', { env: { account: IDENTITY, region: 'us-east-1' } });
      permissionSet(identity, [env]);
      expect(bucketWarnings(workload)).toEqual([]);
    });
  });

  test('an additional statement with an attribute of a resource fails, naming it', () => {
    const stack = identityStack();
    const bucket = new s3.Bucket(stack, 'Shared');
    const statement = new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects('*')] });
    expect(() => permissionSet(stack, [importedByArn(stack, 'analytics')], { profile: AccessProfile.VIEWER, additionalStatements: [statement] })).toThrow(
      /^`additionalStatements\[0\]` must hold literal strings only: the permission set is deployed in another account, where no reference reaches, got: \{"Fn::GetAtt":\["Shared[0-9A-F]{8}","Arn"\]\}$/);
  });

  test('the default description is cut at 700 characters: 700 stay whole, 701 end in ...', () => {
    const prefix = 'Apache Airflow viewer access to the Amazon MWAA environments ';
    const descriptionFor = (length: number) => {
      const stack = identityStack();
      // Names of 60 characters, joined by ', ', then one that brings the text to `length`.
      const names: string[] = [];
      let text = prefix;
      while (length - text.length > 62 + 2) {
        names.push(`e${names.length}`.padEnd(60, 'x'));
        text = prefix + names.join(', ');
      }
      const rest = length - (prefix + names.join(', ')).length - (names.length > 0 ? 2 : 0);
      names.push(`z${'y'.repeat(rest - 1)}`);
      const set = permissionSet(stack, names.map(n => importedByArn(stack, n)), { profile: AccessProfile.VIEWER });
      return { full: prefix + names.join(', '), written: Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(set.node.defaultChild as any)].Properties.Description };
    };
    const exact = descriptionFor(700);
    expect(exact.full).toHaveLength(700);
    expect(exact.written).toBe(exact.full);
    const over = descriptionFor(701);
    expect(over.full).toHaveLength(701);
    expect(over.written).toBe(`${over.full.slice(0, 697)}...`);
  });
});

describe('what the second mutation run found untested (identity-center)', () => {
  const workloadAndIdentity = () => {
    const app = new App();
    const workload = new Stack(app, 'Workload', { env: { account: WORKLOAD, region: REGION } });
    const identity = new Stack(app, 'Identity', { env: { account: IDENTITY, region: 'us-east-1' } });
    return { app, workload, identity };
  };
  const warningsOf = (stack: Stack, id: string) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(`cdk-private-mwaa:${id}`))
    .map(w => w.entry.data as string);
  const passRoleOf = (stack: Stack, set: AirflowPermissionSet) => inlinePolicyOf(stack, set).Statement.filter((st: any) => st.Action === 'iam:PassRole');

  test('the assignments are checked before any environment\'s policy is built, and nothing is created', () => {
    const { identity } = workloadAndIdentity();
    const unknownRegion = PrivateMwaaEnvironment.fromEnvironmentArn(identity, 'Far', `arn:aws:airflow:xx-north-9:${WORKLOAD}:environment/far`);
    expect(() => permissionSet(identity, [unknownRegion], {
      assignments: [{ principalType: IdentityStorePrincipalType.GROUP, principalId: 'data-engineers', accounts: [WORKLOAD] }],
    })).toThrow('`assignments.principalId` must be an identity store user or group id, such as f81d4fae-7dec-11d0-a765-00a0c91e6bf6, got: data-engineers');
    expect(identity.node.findChild('PermissionSet').node.children).toEqual([]);
  });

  test('a bucket the user brings without a name fails for a developer set, naming the environment, the bucket and the fix', () => {
    const { workload, identity } = workloadAndIdentity();
    const bucket = new s3.Bucket(workload, 'Dags', { versioned: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL });
    const env = new PrivateMwaaEnvironment(workload, 'Analytics', { environmentName: 'analytics', vpc: newVpc(workload), sourceBucket: bucket, peopleAccess: { createGroups: false } });
    expect(() => permissionSet(identity, [env])).toThrow(
      '`environments`: a resource of environment analytics has a name known only at deploy time, which a permission set in another account cannot reference. '
      + 'Bring it with a name (or import the environment with `fromEnvironmentAttributes`), got: Resolution error: '
      + 'Cannot use resource \'Workload/Dags\' in a cross-environment fashion');
  });

  test('an administrator set alone warns about the generated bucket name', () => {
    const { workload, identity, analytics } = twoAccounts();
    permissionSet(identity, [analytics], { profile: AccessProfile.ADMINISTRATOR });
    expect(warningsOf(workload, 'generatedBucketName')).toEqual([expect.stringMatching(
      /^`environments`: the source bucket of environment analytics now gets the name workload[a-z0-9]+ in its stack, so that the permission set Identity\/PermissionSet can name it\. /)]);
  });

  test('with policy references, the additional secrets are inline for each environment, and the bucket keeps its generated-by-CloudFormation name', () => {
    const { workload, identity, analytics, reporting } = twoAccounts();
    const set = permissionSet(identity, [analytics, reporting], {
      profile: AccessProfile.ADMINISTRATOR,
      policyMode: PermissionSetPolicyMode.CUSTOMER_MANAGED_POLICY_REFERENCE,
      additionalSecretPrefixes: ['team'],
    });
    // The secrets of both environments (one account and Region) are one statement; each key is its own, by its alias.
    const decryptWith = (env: string) => ({
      Action: 'kms:Decrypt',
      Effect: 'Allow',
      Resource: `arn:aws:kms:${REGION}:${WORKLOAD}:key/*`,
      Condition: { 'StringEquals': { 'kms:ViaService': `secretsmanager.${REGION}.amazonaws.com` }, 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': `alias/cdk-private-mwaa/${env}` } },
    });
    expect(inlinePolicyOf(identity, set)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:ListSecretVersionIds'],
          Effect: 'Allow',
          Resource: `arn:aws:secretsmanager:${REGION}:${WORKLOAD}:secret:team/*`,
        },
        decryptWith('analytics'),
        decryptWith('reporting'),
      ],
    });
    const buckets = Template.fromStack(workload).findResources('AWS::S3::Bucket', { Properties: { BucketName: Match.anyValue() } });
    expect(buckets).toEqual({});
    expect(warningsOf(workload, 'generatedBucketName')).toEqual([]);
    // The EC2 statements and PassRole are in the referenced policies: nothing is left out of the
    // set, so nothing warns, and the execution role, which no inline statement names, is not tagged.
    expect(warningsOf(identity, 'permissionSetNetwork')).toEqual([]);
    expect(warningsOf(identity, 'permissionSetPassRole')).toEqual([]);
    const roleId = workload.getLogicalId(analytics.executionRole.node.defaultChild as any);
    expect(Template.fromStack(workload).toJSON().Resources[roleId].Properties.Tags).toBeUndefined();
  });

  test('the inline policy is minimized: two additional statements on the same actions become one', () => {
    const { identity } = workloadAndIdentity();
    const env = PrivateMwaaEnvironment.fromEnvironmentArn(identity, 'Env', `arn:aws:airflow:${REGION}:${WORKLOAD}:environment/analytics`);
    const set = permissionSet(identity, [env], {
      policyMode: PermissionSetPolicyMode.CUSTOMER_MANAGED_POLICY_REFERENCE,
      additionalStatements: [
        new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::shared-data/*'] }),
        new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::reference-data/*'] }),
      ],
    });
    expect(inlinePolicyOf(identity, set).Statement).toEqual([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: ['arn:aws:s3:::reference-data/*', 'arn:aws:s3:::shared-data/*'] },
    ]);
  });

  test('an environment implemented outside this library: its own grants, written literally (NotResource too), with nothing substituted', () => {
    const { identity } = workloadAndIdentity();
    const environmentArn = `arn:aws:airflow:${REGION}:${WORKLOAD}:environment/foreign`;
    // What a Python or Java implementation of IPrivateMwaaEnvironment looks like from here: not one of this library's classes.
    const foreign = Object.assign(new Stack(new App(), 'Elsewhere', { env: { account: WORKLOAD, region: REGION } }), {
      environmentName: 'foreign',
      environmentArn,
      grantAccessProfile: (grantee: iam.IGrantable) => {
        grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
          effect: iam.Effect.DENY, actions: ['airflow:CreateWebLoginToken'], notResources: [`arn:${Aws.PARTITION}:airflow:${REGION}:${WORKLOAD}:role/foreign/*`],
        }));
        return iam.Grant.addToPrincipal({
          grantee, actions: ['airflow:CreateWebLoginToken'], resourceArns: [`arn:${Aws.PARTITION}:airflow:${REGION}:${WORKLOAD}:role/foreign/User`],
        });
      },
    }) as unknown as IPrivateMwaaEnvironment;
    const set = permissionSet(identity, [foreign]);
    expect(inlinePolicyOf(identity, set)).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Deny', Action: 'airflow:CreateWebLoginToken', NotResource: `arn:aws:airflow:${REGION}:${WORKLOAD}:role/foreign/*` },
        { Effect: 'Allow', Action: 'airflow:CreateWebLoginToken', Resource: `arn:aws:airflow:${REGION}:${WORKLOAD}:role/foreign/User` },
      ],
    });
  });

  test('an environment imported with a key of the app and no bucket: its secrets decrypted by the key\'s alias, with no S3 condition', () => {
    const { workload, identity } = workloadAndIdentity();
    const key = new kms.Key(workload, 'Key');
    const env = PrivateMwaaEnvironment.fromEnvironmentAttributes(workload, 'Legacy', { environmentName: 'legacy', kmsKey: key });
    const set = permissionSet(identity, [env], { profile: AccessProfile.VIEWER, additionalSecretPrefixes: ['team'] });
    expect(inlinePolicyOf(identity, set).Statement).toContainEqual({
      Action: 'kms:Decrypt',
      Effect: 'Allow',
      Resource: `arn:aws:kms:${REGION}:${WORKLOAD}:key/*`,
      Condition: { 'StringEquals': { 'kms:ViaService': `secretsmanager.${REGION}.amazonaws.com` }, 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/cdk-private-mwaa/legacy' } },
    });
    Template.fromStack(workload).hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/cdk-private-mwaa/legacy' });
  });

  test('a viewer set over an environment whose key is imported by a deploy-time ARN works (no viewer statement names the key)', () => {
    const { workload, identity } = workloadAndIdentity();
    const key = kms.Key.fromKeyArn(workload, 'Key', workload.formatArn({ service: 'kms', resource: 'key', resourceName: workload.stackId }));
    const env = new PrivateMwaaEnvironment(workload, 'Analytics', { environmentName: 'analytics', vpc: newVpc(workload), kmsKey: key, peopleAccess: { createGroups: false } });
    const set = permissionSet(identity, [env], { profile: AccessProfile.VIEWER });
    expect(inlinePolicyOf(identity, set).Statement).toEqual([
      { Action: 'airflow:CreateWebLoginToken', Effect: 'Allow', Resource: `arn:aws:airflow:${REGION}:${WORKLOAD}:role/analytics/Viewer` },
    ]);
  });

  test('an administrator set over an environment with self-service (the state machine updates it): no network warning, and the execution role is not tagged', () => {
    const { workload, identity } = workloadAndIdentity();
    const env = new PrivateMwaaEnvironment(workload, 'Analytics', { environmentName: 'analytics', vpc: newVpc(workload), selfService: true, peopleAccess: { createGroups: false } });
    permissionSet(identity, [env], { profile: AccessProfile.ADMINISTRATOR });
    expect(warningsOf(identity, 'permissionSetNetwork')).toEqual([]);
    const roleId = workload.getLogicalId(env.executionRole.node.defaultChild as any);
    expect(Template.fromStack(workload).toJSON().Resources[roleId].Properties.Tags).toBeUndefined();
  });

  test('the network warning, word for word', () => {
    const { identity, analytics } = twoAccounts();
    permissionSet(identity, [analytics], { profile: AccessProfile.ADMINISTRATOR });
    expect(warningsOf(identity, 'permissionSetNetwork')).toEqual([
      '`environments`: the VPC, subnet or security group ids of environment analytics are known only at deploy time, so this permission set leaves out ec2:CreateVpcEndpoint and ec2:CreateNetworkInterface: '
      + 'its administrators cannot make an update that has MWAA create the private web server\'s VPC endpoint or network interfaces in their name. '
      + 'Give the environment a VPC, subnets and security groups imported by id (ec2.Vpc.fromVpcAttributes, ec2.SecurityGroup.fromSecurityGroupId), or acknowledge this warning. '
      + '[ack: cdk-private-mwaa:permissionSetNetwork]',
    ]);
  });

  test('an execution role with a name and no path: PassRole names it under /', () => {
    const { workload, identity } = workloadAndIdentity();
    const role = new iam.Role(workload, 'Role', { roleName: 'analytics-execution', assumedBy: new iam.ServicePrincipal('airflow.amazonaws.com') });
    const env = new PrivateMwaaEnvironment(workload, 'Analytics', { environmentName: 'analytics', vpc: newVpc(workload), executionRole: role, peopleAccess: { createGroups: false } });
    const set = permissionSet(identity, [env], { profile: AccessProfile.ADMINISTRATOR });
    expect(passRoleOf(identity, set)).toEqual([{
      Action: 'iam:PassRole',
      Effect: 'Allow',
      Resource: `arn:aws:iam::${WORKLOAD}:role/analytics-execution`,
      Condition: { StringEquals: { 'iam:PassedToService': 'airflow.amazonaws.com' } },
    }]);
  });

  test('an execution role the user brings without a name: PassRole by the tag the role gets', () => {
    const { workload, identity } = workloadAndIdentity();
    const role = new iam.Role(workload, 'Role', { assumedBy: new iam.ServicePrincipal('airflow.amazonaws.com') });
    const env = new PrivateMwaaEnvironment(workload, 'Analytics', { environmentName: 'analytics', vpc: newVpc(workload), executionRole: role, peopleAccess: { createGroups: false } });
    const set = permissionSet(identity, [env], { profile: AccessProfile.ADMINISTRATOR });
    expect(passRoleOf(identity, set)).toEqual([{
      Action: 'iam:PassRole',
      Effect: 'Allow',
      Resource: `arn:aws:iam::${WORKLOAD}:role/*`,
      Condition: { StringEquals: { 'iam:PassedToService': 'airflow.amazonaws.com', 'aws:ResourceTag/cdk-private-mwaa-environment': 'analytics' } },
    }]);
    Template.fromStack(workload).hasResourceProperties('AWS::IAM::Role', { Tags: [{ Key: 'cdk-private-mwaa-environment', Value: 'analytics' }] });
  });

  test('an execution role with a name but a path known only at deploy time: PassRole by the tag', () => {
    const { workload, identity } = workloadAndIdentity();
    const role = new iam.Role(workload, 'Role', { roleName: 'analytics-execution', path: Fn.importValue('RolePath'), assumedBy: new iam.ServicePrincipal('airflow.amazonaws.com') });
    const env = new PrivateMwaaEnvironment(workload, 'Analytics', { environmentName: 'analytics', vpc: newVpc(workload), executionRole: role, peopleAccess: { createGroups: false } });
    const set = permissionSet(identity, [env], { profile: AccessProfile.ADMINISTRATOR });
    expect(passRoleOf(identity, set)).toEqual([{
      Action: 'iam:PassRole',
      Effect: 'Allow',
      Resource: `arn:aws:iam::${WORKLOAD}:role/*`,
      Condition: { StringEquals: { 'iam:PassedToService': 'airflow.amazonaws.com', 'aws:ResourceTag/cdk-private-mwaa-environment': 'analytics' } },
    }]);
  });

  test('a developer set over an execution role imported by a deploy-time ARN: no PassRole warning (developers never pass it)', () => {
    const { workload, identity } = workloadAndIdentity();
    const role = iam.Role.fromRoleArn(workload, 'Role', workload.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: Fn.importValue('ExecutionRoleName') }));
    const env = new PrivateMwaaEnvironment(workload, 'Analytics', { environmentName: 'analytics', vpc: newVpc(workload), executionRole: role, peopleAccess: { createGroups: false } });
    permissionSet(identity, [env], { profile: AccessProfile.DEVELOPER });
    expect(warningsOf(identity, 'permissionSetPassRole')).toEqual([]);
  });

  test('an environment of the permission set\'s own account and Region (another stack) fails with the whole message, naming the value', () => {
    const app = new App();
    const workload = new Stack(app, 'Workload', { env: { account: WORKLOAD, region: REGION } });
    const env = new PrivateMwaaEnvironment(workload, 'Airflow', { environmentName: 'analytics', vpc: newVpc(workload) });
    const identity = new Stack(app, 'Identity', { env: { account: WORKLOAD, region: REGION } });
    expect(() => permissionSet(identity, [env])).toThrow(new RegExp('^'
      + '`environments`: the policy for environment analytics still holds a value known only at deploy time, which a permission set in another account cannot reference\\. '
      + 'Put the permission set in a stack of another account than the environment\'s, and create the environment in a stack with an explicit `env` '
      + '\\(or import it with `fromEnvironmentArn`\\), got: \\{"Fn::GetAtt":\\["'));
  });

  test.each([
    ['a reference with another key beside it', { 'Ref': 'AWS::Partition', 'aws:Extra': 'x' }],
    ['a join with a part that is not text', { 'Fn::Join': ['', ['arn:', { 'aws:Nested': 'x' }]] }],
    ['a join beside another key', { 'Fn::Join': ['', ['arn:', 'aws']], 'aws:Extra': 'x' }],
  ])('an additional statement with %s fails, naming it, instead of being written as text', (_name, value) => {
    const { identity } = workloadAndIdentity();
    const env = PrivateMwaaEnvironment.fromEnvironmentArn(identity, 'Env', `arn:aws:airflow:${REGION}:${WORKLOAD}:environment/analytics`);
    const statement = new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::shared-data/*'], conditions: { StringEquals: { 'aws:PrincipalTag/team': value } } });
    expect(() => permissionSet(identity, [env], { profile: AccessProfile.VIEWER, additionalStatements: [statement] })).toThrow(
      `\`additionalStatements[0]\` must hold literal strings only: the permission set is deployed in another account, where no reference reaches, got: ${JSON.stringify(value)}`);
  });

  test('a relay state with a deploy-time part is not measured by its token\'s text', () => {
    const { identity } = workloadAndIdentity();
    const env = PrivateMwaaEnvironment.fromEnvironmentArn(identity, 'Env', `arn:aws:airflow:${REGION}:${WORKLOAD}:environment/analytics`);
    // 236 characters in any Region (of at most 14), 244 as written before deployment.
    const relayState = `https://x/${Aws.REGION}${'a'.repeat(212)}`;
    expect(relayState.length).toBeGreaterThan(240);
    const set = permissionSet(identity, [env], { profile: AccessProfile.VIEWER, relayState });
    expect(Template.fromStack(identity).toJSON().Resources[identity.getLogicalId(set.node.defaultChild as any)].Properties.RelayStateType)
      .toEqual({ 'Fn::Join': ['', ['https://x/', { Ref: 'AWS::Region' }, 'a'.repeat(212)]] });
  });

  test.each([
    ['imported by name', (workload: Stack) => ({ executionRole: iam.Role.fromRoleName(workload, 'Role', 'analytics-execution') })],
    ['imported by an ARN written with the partition token', (workload: Stack) => ({
      executionRole: iam.Role.fromRoleArn(workload, 'Role', `arn:${Aws.PARTITION}:iam::${WORKLOAD}:role/analytics-execution`),
    })],
  ])('an execution role %s: PassRole names it, with no tag and no warning', (_name, roleProps) => {
    const { workload, identity } = workloadAndIdentity();
    const props = roleProps(workload);
    const env = new PrivateMwaaEnvironment(workload, 'Analytics', { environmentName: 'analytics', vpc: newVpc(workload), peopleAccess: { createGroups: false }, ...props });
    const set = permissionSet(identity, [env], { profile: AccessProfile.ADMINISTRATOR });
    expect(passRoleOf(identity, set)).toEqual([{
      Action: 'iam:PassRole',
      Effect: 'Allow',
      Resource: `arn:aws:iam::${WORKLOAD}:role/analytics-execution`,
      Condition: { StringEquals: { 'iam:PassedToService': 'airflow.amazonaws.com' } },
    }]);
    expect(warningsOf(identity, 'permissionSetPassRole')).toEqual([]);
  });

  test('an execution role imported by an ARN with a template parameter in it: PassRole is left out, with the warning', () => {
    const { workload, identity } = workloadAndIdentity();
    const name = new CfnParameter(workload, 'ExecutionRoleName');
    const role = iam.Role.fromRoleArn(workload, 'Role', `arn:aws:iam::${WORKLOAD}:role/${name.valueAsString}`);
    const env = new PrivateMwaaEnvironment(workload, 'Analytics', { environmentName: 'analytics', vpc: newVpc(workload), executionRole: role, peopleAccess: { createGroups: false } });
    const set = permissionSet(identity, [env], { profile: AccessProfile.ADMINISTRATOR });
    expect(passRoleOf(identity, set)).toEqual([]);
    expect(warningsOf(identity, 'permissionSetPassRole')).toEqual([expect.stringMatching(/^`environments`: the execution role of environment analytics has an ARN known only at deploy time/)]);
  });
});
