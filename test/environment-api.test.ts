import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AccessProfile, AirflowPermissionSet, AirflowVersion, MwaaWarnings, PermissionSetPolicyMode, PrivateMwaaEnvironment } from '../src';
import { ACCOUNT, newEnvironment, newStack, newVpc, REGION } from './support/fixtures';

/** The policy statements attached to a role, resolved. */
function statementsOf(stack: Stack, role: iam.Role): any[] {
  const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: stack.getLogicalId(role.node.defaultChild as iam.CfnRole) }] },
  });
  return Object.values<any>(policies).flatMap(p => p.Properties.PolicyDocument.Statement);
}

function robot(stack: Stack, id = 'Robot'): iam.Role {
  return new iam.Role(stack, id, { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
}

describe('importing an environment', () => {
  test('an environment imported by ARN has its secrets in its own account and Region (a permission set\'s secret prefixes)', () => {
    const identity = new Stack(new App(), 'Identity', { env: { account: '999999999999', region: 'us-east-1' } });
    const env = PrivateMwaaEnvironment.fromEnvironmentArn(identity, 'Analytics', 'arn:aws:airflow:eu-west-1:111111111111:environment/analytics');
    const set = new AirflowPermissionSet(identity, 'Set', {
      instanceArn: 'arn:aws:sso:::instance/ssoins-1234567890abcdef',
      profile: AccessProfile.VIEWER,
      environments: [env],
      policyMode: PermissionSetPolicyMode.CUSTOMER_MANAGED_POLICY_REFERENCE,
      additionalSecretPrefixes: ['teams/data'],
    });
    const inline = Template.fromStack(identity).toJSON().Resources[identity.getLogicalId(set.node.defaultChild as any)].Properties.InlinePolicy;
    expect(inline.Statement.map((st: any) => st.Resource)).toEqual(['arn:aws:secretsmanager:eu-west-1:111111111111:secret:teams/data/*']);
  });

  test('fromEnvironmentName formats the ARN in the stack\'s account and Region', () => {
    const stack = newStack();
    const env = PrivateMwaaEnvironment.fromEnvironmentName(stack, 'Legacy', 'legacy');
    expect(env.environmentName).toBe('legacy');
    expect(stack.resolve(env.environmentArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:airflow:${REGION}:${ACCOUNT}:environment/legacy`]],
    });
  });

  test('fromEnvironmentArn takes the name, account and Region from the ARN, and grants on that ARN', () => {
    const stack = newStack();
    const arn = 'arn:aws:airflow:us-east-2:222222222222:environment/other-team';
    const env = PrivateMwaaEnvironment.fromEnvironmentArn(stack, 'Other', arn);
    expect(env.environmentName).toBe('other-team');
    expect(env.env).toEqual({ account: '222222222222', region: 'us-east-2' });
    const role = robot(stack);
    env.grant(role, 'airflow:GetEnvironment');
    env.grantWebLogin(role, 'Viewer' as any);
    const statements = statementsOf(stack, role);
    expect(statements).toContainEqual(expect.objectContaining({ Action: 'airflow:GetEnvironment', Resource: arn }));
    // The Airflow role ARN is in the environment's account and Region, not the stack's.
    expect(JSON.stringify(statements)).toContain(':airflow:us-east-2:222222222222:role/other-team/Viewer');
  });

  test.each([
    ['not an ARN', 'other-team'],
    ['another service', 'arn:aws:s3:::bucket/environment/x'],
    ['another resource type', 'arn:aws:airflow:us-east-2:222222222222:role/other-team/Admin'],
  ])('fromEnvironmentArn fails for %s', (_, arn) => {
    expect(() => PrivateMwaaEnvironment.fromEnvironmentArn(newStack(), 'Bad', arn)).toThrow(/^`environmentArn` must be the ARN of an MWAA environment/);
  });

  test('deploying DAGs to an environment imported without its bucket fails with an error that asks for it', () => {
    const stack = newStack();
    const env = PrivateMwaaEnvironment.fromEnvironmentName(stack, 'Legacy', 'legacy');
    expect(() => env.grantDagDeployment(robot(stack))).toThrow(
      '`sourceBucket` of the imported environment TestStack/Legacy is needed to deploy DAGs; import it with `fromEnvironmentAttributes` and its `sourceBucket`, got: no bucket');
    expect(() => env.grantAccessProfile(robot(stack, 'Admin'), AccessProfile.ADMINISTRATOR)).toThrow(/is needed to deploy requirements, plugins and the startup script/);
  });

  test('an environment imported with its bucket and DAG folder gets the same DAG deployment grant', () => {
    const stack = newStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Bucket', 'legacy-dags');
    const env = PrivateMwaaEnvironment.fromEnvironmentAttributes(stack, 'Legacy', { environmentName: 'legacy', sourceBucket: bucket, dagS3Path: 'airflow/dags/' });
    const role = robot(stack);
    env.grantDagDeployment(role);
    const statements = statementsOf(stack, role);
    expect(statements).toContainEqual(expect.objectContaining({ Action: 's3:ListBucket', Condition: { StringLike: { 's3:prefix': ['airflow/dags/*', 'airflow/dags'] } } }));
  });

  test('addToRolePolicy reaches the execution role of an import that has one, and nothing otherwise', () => {
    const stack = newStack();
    const executionRole = new iam.Role(stack, 'Exec', { assumedBy: new iam.ServicePrincipal('airflow.amazonaws.com') });
    const env = PrivateMwaaEnvironment.fromEnvironmentAttributes(stack, 'Legacy', { environmentName: 'legacy', executionRole });
    env.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::data/*'] }));
    expect(statementsOf(stack, executionRole)).toContainEqual(expect.objectContaining({ Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' }));
    const bare = PrivateMwaaEnvironment.fromEnvironmentName(stack, 'Bare', 'bare');
    expect(() => bare.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }))).not.toThrow();
  });
});

describe('the resource conventions', () => {
  test('grant() gives exactly the actions asked for on this environment', () => {
    const { stack, env } = newEnvironment();
    const role = robot(stack);
    const grant = env.grant(role, 'airflow:GetEnvironment', 'airflow:ListTagsForResource');
    expect(grant.success).toBe(true);
    expect(statementsOf(stack, role)).toEqual([expect.objectContaining({
      Action: ['airflow:GetEnvironment', 'airflow:ListTagsForResource'],
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:airflow:${REGION}:${ACCOUNT}:environment/test-env`]] },
    })]);
  });

  test('grantAccessProfile returns one grant that holds every statement of the profile', () => {
    const { stack, env } = newEnvironment({ peopleAccess: { createGroups: false } });
    const role = robot(stack);
    const grant = env.grantAccessProfile(role, AccessProfile.OPERATOR);
    const actions = grant.principalStatements.flatMap(s => s.actions);
    expect(actions).toEqual(expect.arrayContaining(['airflow:CreateWebLoginToken', 'logs:GetLogEvents', 'airflow:GetEnvironment', 'airflow:ListEnvironments']));
    expect(actions).not.toContain('airflow:UpdateEnvironment');
  });

  test('onStatusChange creates a rule on this environment\'s status changes with the target given', () => {
    const { stack, env } = newEnvironment();
    const queue = new sqs.Queue(stack, 'Ops');
    const rule = env.onStatusChange('ToOps', { target: new targets.SqsQueue(queue), description: 'to the ops queue' });
    expect(rule).toBeInstanceOf(events.Rule);
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      Description: 'to the ops queue',
      EventPattern: Match.objectLike({ 'source': ['aws.airflow'], 'detail-type': ['MWAA Environment Status Change'] }),
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [stack.getLogicalId(queue.node.defaultChild as sqs.CfnQueue), 'Arn'] } })],
    });
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).toContain('test-env');
  });

  test('group(profile) is each profile\'s group; accessPolicyName is a plain string', () => {
    const { env } = newEnvironment();
    expect((env.group(AccessProfile.VIEWER) as iam.Group).node.id).toBe('ViewersGroup');
    expect(env.group(AccessProfile.ADMINISTRATOR)).not.toBe(env.group(AccessProfile.VIEWER));
    expect(env.accessPolicyName(AccessProfile.DEVELOPER)).toBe('test-env-airflow-developers');
  });

  test('every warning id is exported once, under the library prefix', () => {
    expect(new Set(MwaaWarnings.ALL).size).toBe(MwaaWarnings.ALL.length);
    for (const id of MwaaWarnings.ALL) {
      expect(id).toMatch(/^cdk-private-mwaa:[a-zA-Z]+$/);
    }
    expect(MwaaWarnings.ALL).toContain(MwaaWarnings.PUBLIC_WEBSERVER);
  });
});

describe('props that belong together', () => {
  test('vpcEndpointsOptions without createVpcEndpoints fails', () => {
    expect(() => newEnvironment({ vpcEndpointsOptions: { ecr: true } })).toThrow(
      '`vpcEndpointsOptions` only applies when `createVpcEndpoints` is true, got: options with createVpcEndpoints not set');
  });

  test.each([
    ['2.7.0', true], ['2.7.1', true], ['2.6.3', true], ['2.7.2', false], ['2.8.1', false], ['3.0.6', false],
  ])('Airflow %s is rejected: %s (one rule, the floor is 2.7.2)', (version, rejected) => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: { account: ACCOUNT, region: REGION } });
    const build = () => new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'x', vpc: newVpc(stack), airflowVersion: AirflowVersion.of(version) });
    if (rejected) {
      expect(build).toThrow(`\`airflowVersion\` must be 2.7.2 or newer (older versions have reached end of support and CloudFormation rejects them), got: '${version}'`);
    } else {
      expect(build).not.toThrow();
    }
  });
});
