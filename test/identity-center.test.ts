import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { App, Duration, Stack } from 'aws-cdk-lib';
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
  const analytics = new PrivateMwaaEnvironment(workload, 'Analytics', { environmentName: 'analytics', vpc, peopleAccess: { createGroups: false } });
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
    [AccessProfile.DEVELOPER, 'pass the execution role', () => ({ action: 'iam:PassRole', resource: execRole, context: { 'iam:PassedToService': 'airflow.amazonaws.com' } }), D],
    // Administrators
    [AccessProfile.ADMINISTRATOR, 'log in as Admin', () => ({ action: 'airflow:CreateWebLoginToken', resource: role('reporting', 'Admin') }), A],
    [AccessProfile.ADMINISTRATOR, 'update a listed environment', () => ({ action: 'airflow:UpdateEnvironment', resource: envArn('analytics') }), A],
    [AccessProfile.ADMINISTRATOR, 'update an environment not listed', () => ({ action: 'airflow:UpdateEnvironment', resource: envArn('legacy') }), D],
    [AccessProfile.ADMINISTRATOR, 'delete a listed environment', () => ({ action: 'airflow:DeleteEnvironment', resource: envArn('analytics') }), D],
    [AccessProfile.ADMINISTRATOR, 'get a CLI token', () => ({ action: 'airflow:CreateCliToken', resource: envArn('reporting') }), A],
    [AccessProfile.ADMINISTRATOR, 'pass the execution role to MWAA', () => ({ action: 'iam:PassRole', resource: execRole, context: { 'iam:PassedToService': 'airflow.amazonaws.com' } }), A],
    [AccessProfile.ADMINISTRATOR, 'pass the execution role to Lambda', () => ({ action: 'iam:PassRole', resource: execRole, context: { 'iam:PassedToService': 'lambda.amazonaws.com' } }), D],
    [AccessProfile.ADMINISTRATOR, 'pass a role of another account to MWAA', () => ({ action: 'iam:PassRole', resource: `arn:aws:iam::${STRANGER}:role/x`, context: { 'iam:PassedToService': 'airflow.amazonaws.com' } }), D],
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
  // slash), so the allowed half of the key statement is asserted on the document: any key of the
  // workload account and Region, through S3 only, for objects of the two environments' buckets only.
  test.each([AccessProfile.DEVELOPER, AccessProfile.ADMINISTRATOR])('%s: the key through S3, for the environments\' buckets only', (profile) => {
    const keyStatements = policies[profile].Statement.filter((s: any) => JSON.stringify(s.Action).includes('kms:'));
    const forObjects = (bucket: string) => ({ 'kms:EncryptionContext:aws:s3:arn': [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`] });
    const expected: any[] = [ANALYTICS_BUCKET, REPORTING_BUCKET].map(bucket => ({
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Effect: 'Allow',
      Resource: `arn:aws:kms:${REGION}:${WORKLOAD}:key/*`,
      Condition: { StringEquals: { 'kms:ViaService': `s3.${REGION}.amazonaws.com` }, StringLike: forObjects(bucket) },
    }));
    if (profile === AccessProfile.ADMINISTRATOR) {
      // AWS's documented key actions for updates, held to the same key: the key's ARN is not known
      // at synth, so the bucket's encryption context stands for it (see the README's limitations).
      expected.push(...[ANALYTICS_BUCKET, REPORTING_BUCKET].map(bucket => ({
        Action: ['kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ListGrants', 'kms:ReEncrypt*', 'kms:RevokeGrant'],
        Effect: 'Allow',
        Resource: `arn:aws:kms:${REGION}:${WORKLOAD}:key/*`,
        Condition: { StringLike: forObjects(bucket) },
      })));
    }
    expect(keyStatements).toHaveLength(expected.length);
    expect(keyStatements).toEqual(expect.arrayContaining(expected));
  });

  test('a viewer\'s policy is one login statement for both environments', () => {
    expect(policies[AccessProfile.VIEWER].Statement).toEqual([
      { Action: 'airflow:CreateWebLoginToken', Effect: 'Allow', Resource: [role('analytics', 'Viewer'), role('reporting', 'Viewer')] },
    ]);
  });
});

describe('the same statements as the IAM policy of the profile', () => {
  test.each(Object.values(AccessProfile))('%s', (profile) => {
    // An environment whose bucket, key and role have names known at synth: nothing to substitute.
    const app = new App();
    const workload = new Stack(app, 'Workload', { env: { account: WORKLOAD, region: REGION } });
    const env = new PrivateMwaaEnvironment(workload, 'Airflow', {
      environmentName: 'analytics',
      // Network, bucket, key and role with ids known at synth.
      vpc: ec2.Vpc.fromVpcAttributes(workload, 'Vpc', {
        vpcId: 'vpc-0123456789abcdef0',
        availabilityZones: [`${REGION}a`, `${REGION}b`],
        privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'],
      }),
      securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(workload, 'Sg', 'sg-0123456789abcdef0')],
      sourceBucket: s3.Bucket.fromBucketAttributes(workload, 'Bucket', {
        bucketName: 'analytics-dags',
        encryptionKey: kms.Key.fromKeyArn(workload, 'Key', `arn:aws:kms:${REGION}:${WORKLOAD}:key/1234abcd-12ab-34cd-56ef-1234567890ab`),
      }),
      executionRole: iam.Role.fromRoleArn(workload, 'Role', `arn:aws:iam::${WORKLOAD}:role/analytics-execution`, { mutable: false }),
      peopleAccess: { createGroups: false },
    });
    const identity = new Stack(app, 'Identity', { env: { account: IDENTITY, region: 'us-east-1' } });
    const set = permissionSet(identity, [env], { profile });
    const policy = env.accessPolicy(profile);
    const inline = inlinePolicyOf(identity, set);
    const resources = Template.fromStack(workload).toJSON().Resources;
    const document = resources[workload.getLogicalId(policy.node.defaultChild as any)].Properties.PolicyDocument;
    const managed = resolveIntrinsics(document, { account: WORKLOAD, region: REGION, refs: {}, arns: {} });
    expect(expand(inline)).toEqual(expand(managed));
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

  test('a created environment\'s bucket name warns once, for the profiles that use the bucket', () => {
    const { identity, analytics } = twoAccounts();
    permissionSet(identity, [analytics], { profile: AccessProfile.VIEWER }, 'Viewers');
    permissionSet(identity, [analytics], { profile: AccessProfile.DEVELOPER }, 'Developers');
    const warnings = Annotations.fromStack(identity).findWarning('*', Match.stringLikeRegexp('cdk-private-mwaa:generatedBucketName'));
    expect(warnings.map(w => w.id)).toEqual(['/Identity/Developers']);
    expect(warnings[0].entry.data).toContain('PermissionSetPolicyMode.CUSTOMER_MANAGED_POLICY_REFERENCE');
  });
});

describe('the inline policy size', () => {
  const imported = (stack: Stack, count: number) => Array.from({ length: count }, (_, i) =>
    PrivateMwaaEnvironment.fromEnvironmentArn(stack, `Env${i}`, `arn:aws:airflow:${REGION}:${WORKLOAD}:environment/environment-number-${i}`));

  test('too many environments fail with how many fit, and that many do fit', () => {
    const stack = new Stack(new App(), 'Identity', { env: { account: IDENTITY, region: 'us-east-1' } });
    let message = '';
    try {
      permissionSet(stack, imported(stack, 60), { profile: AccessProfile.OPERATOR });
    } catch (e) {
      message = (e as Error).message;
    }
    const match = /^`environments`: the OPERATOR policy of 60 environments is (\d+) characters without white space, above the 10240 IAM Identity Center allows in a permission set's inline policy; the first (\d+) fit\. .* got: 60 environments$/.exec(message);
    expect(match).not.toBeNull();
    expect(Number(match![1])).toBeGreaterThan(10240);
    const fit = Number(match![2]);
    expect(fit).toBeGreaterThan(1);
    const fresh = new Stack(new App(), 'Identity', { env: { account: IDENTITY, region: 'us-east-1' } });
    const envs = imported(fresh, fit + 1);
    const set = permissionSet(fresh, envs.slice(0, fit), { profile: AccessProfile.OPERATOR });
    expect(() => permissionSet(fresh, envs, { profile: AccessProfile.OPERATOR }, 'OneMore')).toThrow(/the first \d+ fit/);
    expect(JSON.stringify(inlinePolicyOf(fresh, set)).replace(/\s/g, '').length).toBeLessThanOrEqual(10240);
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

  test('more than 20 references fail; more than 10 warn', () => {
    const stack = new Stack(new App(), 'Identity');
    const envs = Array.from({ length: 21 }, (_, i) => PrivateMwaaEnvironment.fromEnvironmentName(stack, `Env${i}`, `env${i}`));
    expect(() => permissionSet(stack, envs, { policyMode: PermissionSetPolicyMode.CUSTOMER_MANAGED_POLICY_REFERENCE })).toThrow(
      '`environments`: a permission set references at most 20 managed policies; split the environments across permission sets, got: 21 environments');
    permissionSet(stack, envs.slice(0, 11), { policyMode: PermissionSetPolicyMode.CUSTOMER_MANAGED_POLICY_REFERENCE }, 'Eleven');
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cdk-private-mwaa:managedPoliciesPerRole'))).toHaveLength(1);
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
