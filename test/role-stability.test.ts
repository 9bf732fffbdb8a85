import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  AccessProfile,
  AirflowVersion,
  Dags,
  DependencyFile,
  EnvironmentStatus,
  EndpointManagement,
  EnvironmentClass,
  LogLevel,
  PrivateMwaaEnvironment,
  PrivateMwaaEnvironmentProps,
  SelfReferencingIngress,
  WebserverAccessMode,
  WorkerReplacementStrategy,
} from '../src';
import { sampleProject } from './support/files';
import { newStack, newVpc } from './support/fixtures';

const project = sampleProject();

/**
 * The execution role of a live environment must never be replaced. A role is replaced when its
 * logical id, `RoleName` or `Path` changes; this test changes every other prop, one at a time, and
 * checks that none of these move.
 */
type Change = (stack: Stack, vpc: ec2.Vpc) => Partial<PrivateMwaaEnvironmentProps>;

const changes: Array<[string, Change]> = [
  ['airflowVersion', () => ({ airflowVersion: AirflowVersion.V2_11_0 })],
  ['environmentClass', () => ({ environmentClass: EnvironmentClass.MW1_LARGE })],
  ['minWorkers and maxWorkers', () => ({ minWorkers: 3, maxWorkers: 15 })],
  ['schedulers', () => ({ schedulers: 4 })],
  ['minWebservers and maxWebservers', () => ({ minWebservers: 3, maxWebservers: 5 })],
  ['weeklyMaintenanceWindowStart', () => ({ weeklyMaintenanceWindowStart: 'TUE:01:00' })],
  ['workerReplacementStrategy', () => ({ workerReplacementStrategy: WorkerReplacementStrategy.GRACEFUL })],
  ['airflowConfigurationOptions', () => ({ airflowConfigurationOptions: { 'core.default_timezone': 'utc' } })],
  ['loggingConfiguration', () => ({ loggingConfiguration: { taskLogs: { logLevel: LogLevel.DEBUG } } })],
  ['logRetention', () => ({ logRetention: logs.RetentionDays.TWO_YEARS })],
  ['webserverAccessMode', () => ({ webserverAccessMode: WebserverAccessMode.PUBLIC_ONLY })],
  ['endpointManagement', () => ({ endpointManagement: EndpointManagement.CUSTOMER })],
  ['selfReferencingIngress', () => ({ selfReferencingIngress: SelfReferencingIngress.ALL_TRAFFIC })],
  ['dags (fromBucket)', () => ({ dags: Dags.fromBucket('airflow/dags') })],
  ['requirements (fromBucket)', () => ({ requirements: DependencyFile.fromBucket('requirements.txt', 'v2') })],
  ['plugins (fromBucket)', () => ({ plugins: DependencyFile.fromBucket('plugins.zip', 'v3') })],
  ['startupScript (fromBucket)', () => ({ startupScript: DependencyFile.fromBucket('startup.sh', 'v4') })],
  ['removalPolicy', () => ({ removalPolicy: RemovalPolicy.DESTROY })],
  ['vpcSubnets', () => ({ vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } })],
  ['securityGroups', (stack, vpc) => ({ securityGroups: [new ec2.SecurityGroup(stack, 'OwnSg', { vpc })] })],
  ['kmsKey', (stack) => ({ kmsKey: new kms.Key(stack, 'OwnKey') })],
  ['sourceBucket', (stack) => ({
    sourceBucket: new s3.Bucket(stack, 'OwnBucket', { versioned: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL }),
  })],
  ['sourceBucketAccessLogs', (stack) => ({ sourceBucketAccessLogs: new s3.Bucket(stack, 'AccessLogs') })],
  ['notificationTopic', (stack) => ({ notificationTopic: new sns.Topic(stack, 'OpsTopic') })],
  ['notifications', () => ({ notifications: { emails: ['ops@example.com'], statuses: [EnvironmentStatus.AVAILABLE] } })],
  ['peopleAccess', (stack) => ({
    peopleAccess: { createGroups: false, assignments: [{ profile: AccessProfile.DEVELOPER, roles: [iam.Role.fromRoleName(stack, 'Dev', 'dev')] }] },
  })],
  ['webserverAccessPeers', () => ({ webserverAccessPeers: [ec2.Peer.ipv4('10.20.0.0/16')] })],
  ['publicAccessGuardrail', () => ({ publicAccessGuardrail: false })],
  ['dags (fromAsset)', () => ({ dags: Dags.fromAsset(`${project}/dags`, { prune: false }) })],
  ['requirements (fromAsset)', () => ({ requirements: DependencyFile.fromAsset(`${project}/requirements.txt`) })],
  ['plugins (fromAsset)', () => ({ plugins: DependencyFile.fromAsset(`${project}/plugins`) })],
  ['startupScript (fromAsset)', () => ({ startupScript: DependencyFile.fromAsset(`${project}/startup.sh`) })],
  ['secretsBackend', () => ({ secretsBackend: { connectionsPrefix: 'data/connections' } })],
  ['createVpcEndpoints', () => ({ createVpcEndpoints: true, vpcEndpointsOptions: { secretsManager: true } })],
  ['createNetworkAcl', () => ({ createNetworkAcl: true })],
  ['createCustomerEndpoints', () => ({ endpointManagement: EndpointManagement.CUSTOMER, createCustomerEndpoints: false })],
];

interface RoleIdentity {
  readonly logicalId: string;
  readonly path: string;
  readonly roleName: unknown;
  readonly rolePath: unknown;
  readonly trust: unknown;
}

function executionRoleOf(change?: Change): RoleIdentity {
  const stack = newStack();
  const vpc = newVpc(stack);
  const env = new PrivateMwaaEnvironment(stack, 'Airflow', {
    environmentName: 'stable-env',
    vpc,
    ...(change ? change(stack, vpc) : {}),
  });
  const cfnRole = env.executionRole.node.defaultChild as any;
  const logicalId = stack.getLogicalId(cfnRole);
  const role = Template.fromStack(stack).toJSON().Resources[logicalId];
  return {
    logicalId,
    path: env.executionRole.node.path,
    roleName: role.Properties.RoleName,
    rolePath: role.Properties.Path,
    trust: role.Properties.AssumeRolePolicyDocument,
  };
}

describe('the execution role is never replaced by a change of another prop', () => {
  const baseline = executionRoleOf();

  test('the baseline role has a generated name and no path', () => {
    expect(baseline.logicalId).toMatch(/^AirflowExecutionRole[0-9A-F]{8}$/);
    expect(baseline.path).toBe('TestStack/Airflow/ExecutionRole');
    expect(baseline.roleName).toBeUndefined();
    expect(baseline.rolePath).toBeUndefined();
  });

  test.each(changes)('changing %s keeps the logical id, the name and the trust policy', (_name, change) => {
    const changed = executionRoleOf(change);
    expect(changed).toEqual(baseline);
  });
});

describe('the execution role is retained, like the key, the bucket and the log groups', () => {
  function roleResource(props: Partial<PrivateMwaaEnvironmentProps> = {}) {
    const stack = newStack();
    const vpc = newVpc(stack);
    const env = new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'stable-env', vpc, ...props });
    const template = Template.fromStack(stack).toJSON();
    return { template, resource: template.Resources[stack.getLogicalId(env.executionRole.node.defaultChild as any)] };
  }

  test('by default it is kept when it leaves the stack and when it would be replaced', () => {
    const { resource } = roleResource();
    expect(resource.DeletionPolicy).toBe('Retain');
    expect(resource.UpdateReplacePolicy).toBe('Retain');
  });

  test('removalPolicy decides both policies', () => {
    const { resource } = roleResource({ removalPolicy: RemovalPolicy.DESTROY });
    expect(resource.DeletionPolicy).toBe('Delete');
    expect(resource.UpdateReplacePolicy).toBe('Delete');
  });

  test('a role that is given is left alone', () => {
    const stack = newStack();
    const vpc = newVpc(stack);
    const own = new iam.Role(stack, 'OwnRole', { assumedBy: new iam.ServicePrincipal('airflow.amazonaws.com') });
    new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'stable-env', vpc, executionRole: own });
    const resource = Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(own.node.defaultChild as iam.CfnRole)];
    expect(resource.DeletionPolicy).toBeUndefined();
    expect(resource.UpdateReplacePolicy).toBeUndefined();
  });
});
