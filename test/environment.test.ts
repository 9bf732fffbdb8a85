import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  AirflowVersion,
  Dags,
  DependencyFile,
  EndpointManagement,
  EnvironmentClass,
  LogLevel,
  PrivateMwaaEnvironment,
  SelfReferencingIngress,
  WebserverAccessMode,
  WorkerReplacementStrategy,
} from '../src';
import { ACCOUNT, newEnvironment, newStack, newVpc, REGION } from './support/fixtures';

const joinArn = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });
const ENV_ARN = joinArn(`:airflow:${REGION}:${ACCOUNT}:environment/test-env`);
/** The five log groups by name (never airflow-test-env-*, which would reach airflow-test-env-payments-*). */
const LOG_GROUP_ARNS = ['DAGProcessing', 'Scheduler', 'Task', 'WebServer', 'Worker']
  .map(type => joinArn(`:logs:${REGION}:${ACCOUNT}:log-group:airflow-test-env-${type}`));
const LOG_GROUP_AND_STREAM_ARNS = ['DAGProcessing', 'Scheduler', 'Task', 'WebServer', 'Worker']
  .flatMap(type => [joinArn(`:logs:${REGION}:${ACCOUNT}:log-group:airflow-test-env-${type}`), joinArn(`:logs:${REGION}:${ACCOUNT}:log-group:airflow-test-env-${type}:*`)]);

function logicalIdOf(stack: Stack, construct: { node: { defaultChild?: unknown } } | undefined): string {
  return stack.getLogicalId(construct!.node.defaultChild as any);
}

describe('the environment with its defaults', () => {
  const { stack, vpc, env } = newEnvironment();
  const template = Template.fromStack(stack);
  const keyId = logicalIdOf(stack, env.kmsKey);
  const bucketId = logicalIdOf(stack, env.sourceBucket);
  const roleId = logicalIdOf(stack, env.executionRole);

  test('creates one environment with the documented defaults', () => {
    template.resourceCountIs('AWS::MWAA::Environment', 1);
    template.hasResourceProperties('AWS::MWAA::Environment', {
      Name: 'test-env',
      AirflowVersion: '3.0.6',
      EnvironmentClass: 'mw1.small',
      MinWorkers: 1,
      MaxWorkers: 10,
      Schedulers: 2,
      MinWebservers: 2,
      MaxWebservers: 2,
      DagS3Path: 'dags',
      WebserverAccessMode: 'PRIVATE_ONLY',
      EndpointManagement: 'SERVICE',
      KmsKey: { 'Fn::GetAtt': [keyId, 'Arn'] },
      SourceBucketArn: { 'Fn::GetAtt': [bucketId, 'Arn'] },
      ExecutionRoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] },
      WeeklyMaintenanceWindowStart: Match.absent(),
      WorkerReplacementStrategy: Match.absent(),
      AirflowConfigurationOptions: Match.absent(),
      RequirementsS3Path: Match.absent(),
    });
  });

  test('logs all five types at INFO', () => {
    const info = { Enabled: true, LogLevel: 'INFO' };
    template.hasResourceProperties('AWS::MWAA::Environment', {
      LoggingConfiguration: {
        DagProcessingLogs: info, SchedulerLogs: info, TaskLogs: info, WebserverLogs: info, WorkerLogs: info,
      },
    });
  });

  test('runs in one private subnet in each of the first two zones', () => {
    const expected = vpc.privateSubnets.slice(0, 2).map(s => ({ Ref: logicalIdOf(stack, s) }));
    template.hasResourceProperties('AWS::MWAA::Environment', {
      NetworkConfiguration: {
        SubnetIds: expected,
        SecurityGroupIds: [{ 'Fn::GetAtt': [logicalIdOf(stack, env.securityGroups[0] as ec2.SecurityGroup), 'GroupId'] }],
      },
    });
    const zones = env.subnets.map(s => s.availabilityZone);
    expect(new Set(zones).size).toBe(2);
    expect(zones).toEqual(vpc.availabilityZones.slice(0, 2));
  });

  test('the environment depends on the execution role policy and the log groups', () => {
    const envResource = Object.values(template.findResources('AWS::MWAA::Environment'))[0];
    const policyId = logicalIdOf(stack, env.executionRolePolicy);
    const logGroupIds = [env.dagProcessingLogGroup, env.schedulerLogGroup, env.taskLogGroup, env.webserverLogGroup, env.workerLogGroup]
      .map(g => logicalIdOf(stack, g));
    expect(envResource.DependsOn).toEqual(expect.arrayContaining([policyId, roleId, ...logGroupIds]));
  });

  test('creates a key with rotation, retained, that CloudWatch Logs may use for this environment only', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        Description: 'Encrypts the Amazon MWAA environment test-env, its bucket and its logs',
        EnableKeyRotation: true,
        KeyPolicy: {
          Statement: Match.arrayWith([{
            Sid: 'AllowCloudWatchLogsForThisEnvironment',
            Effect: 'Allow',
            Principal: { Service: { 'Fn::Join': ['', [`logs.${REGION}.`, { Ref: 'AWS::URLSuffix' }]] } },
            Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
            Resource: '*',
            Condition: { ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': LOG_GROUP_ARNS } },
          }]),
        },
      },
    });
  });

  test('creates a versioned, private, TLS-only bucket encrypted with the key, retained', () => {
    template.resourceCountIs('AWS::S3::Bucket', 1);
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] } },
          }],
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Deny', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
        ]),
      },
    });
  });

  test.each([
    ['DAGProcessing'], ['Scheduler'], ['Task'], ['WebServer'], ['Worker'],
  ])('creates the %s log group with the key, a one-year retention, retained', (suffix) => {
    template.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        LogGroupName: `airflow-test-env-${suffix}`,
        KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
        RetentionInDays: 365,
      },
    });
  });

  test('creates a security group that allows 443 and 5432 from itself and all outbound', () => {
    const sgId = logicalIdOf(stack, env.securityGroups[0] as ec2.SecurityGroup);
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 2);
    for (const port of [443, 5432]) {
      template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        GroupId: { 'Fn::GetAtt': [sgId, 'GroupId'] },
        SourceSecurityGroupId: { 'Fn::GetAtt': [sgId, 'GroupId'] },
        IpProtocol: 'tcp',
        FromPort: port,
        ToPort: port,
      });
    }
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupEgress: [{ CidrIp: '0.0.0.0/0', IpProtocol: '-1' }],
      SecurityGroupIngress: Match.absent(),
    });
  });

  test('with the Secrets Manager backend the policy adds exactly its three statements, after the documented ones', () => {
    const own = newStack();
    const withBackend = new PrivateMwaaEnvironment(own, 'Airflow', { environmentName: 'test-env', vpc: newVpc(own), secretsBackend: {} });
    const policy = Template.fromStack(own).toJSON().Resources[logicalIdOf(own, withBackend.executionRolePolicy)].Properties.PolicyDocument.Statement;
    expect(policy.map((st: any) => st.Sid)).toEqual(['PublishMetrics', 'DenyListAllBuckets', 'ReadSourceBucket', 'WriteOwnLogs', 'DescribeLogGroups',
      'ReadAccountPublicAccessBlock', 'PutMetricData', 'UseCeleryQueues', 'UseKeyViaSqsAndS3', 'ReadAirflowSecrets', 'ListSecrets', 'DecryptSecretsViaSecretsManager']);
    expect(policy.slice(9).map((st: any) => [st.Sid, st.Action])).toEqual([
      ['ReadAirflowSecrets', ['secretsmanager:GetResourcePolicy', 'secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret', 'secretsmanager:ListSecretVersionIds']],
      ['ListSecrets', 'secretsmanager:ListSecrets'],
      ['DecryptSecretsViaSecretsManager', 'kms:Decrypt'],
    ]);
  });

  test('the execution role and its policy name their environment in their descriptions', () => {
    // What an operator sees in the IAM console; the role is not named (a name would block its replacement).
    template.hasResourceProperties('AWS::IAM::Role', { Description: 'Execution role of the Amazon MWAA environment test-env' });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: roleId }],
      Description: 'Least-privilege permissions of the Amazon MWAA environment test-env',
    });
  });

  test('the execution role is trusted by both MWAA principals, for this environment in this account only', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { Service: ['airflow.amazonaws.com', 'airflow-env.amazonaws.com'] },
          Condition: {
            ArnLike: { 'aws:SourceArn': ENV_ARN },
            StringEquals: { 'aws:SourceAccount': ACCOUNT },
          },
        }],
      },
      RoleName: Match.absent(),
      ManagedPolicyArns: Match.absent(),
    });
  });

  test('the execution role policy is exactly the documented customer managed key policy, as a managed policy', () => {
    const bucketArn = { 'Fn::GetAtt': [bucketId, 'Arn'] };
    const objects = { 'Fn::Join': ['', [bucketArn, '/*']] };
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: roleId }],
      PolicyDocument: {
        Statement: [
          { Sid: 'PublishMetrics', Effect: 'Allow', Action: 'airflow:PublishMetrics', Resource: ENV_ARN },
          { Sid: 'DenyListAllBuckets', Effect: 'Deny', Action: 's3:ListAllMyBuckets', Resource: [bucketArn, objects] },
          { Sid: 'ReadSourceBucket', Effect: 'Allow', Action: ['s3:GetObject*', 's3:GetBucket*', 's3:List*'], Resource: [bucketArn, objects] },
          {
            Sid: 'WriteOwnLogs',
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:CreateLogGroup', 'logs:PutLogEvents', 'logs:GetLogEvents',
              'logs:GetLogRecord', 'logs:GetLogGroupFields', 'logs:GetQueryResults'],
            Resource: LOG_GROUP_AND_STREAM_ARNS,
          },
          { Sid: 'DescribeLogGroups', Effect: 'Allow', Action: 'logs:DescribeLogGroups', Resource: '*' },
          { Sid: 'ReadAccountPublicAccessBlock', Effect: 'Allow', Action: 's3:GetAccountPublicAccessBlock', Resource: '*' },
          { Sid: 'PutMetricData', Effect: 'Allow', Action: 'cloudwatch:PutMetricData', Resource: '*' },
          {
            Sid: 'UseCeleryQueues',
            Effect: 'Allow',
            Action: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl',
              'sqs:ReceiveMessage', 'sqs:SendMessage'],
            Resource: joinArn(`:sqs:${REGION}:*:airflow-celery-*`),
          },
          {
            Sid: 'UseKeyViaSqsAndS3',
            Effect: 'Allow',
            Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey*', 'kms:Encrypt'],
            Resource: { 'Fn::GetAtt': [keyId, 'Arn'] },
            Condition: {
              StringLike: {
                'kms:ViaService': [
                  { 'Fn::Join': ['', [`sqs.${REGION}.`, { Ref: 'AWS::URLSuffix' }]] },
                  { 'Fn::Join': ['', [`s3.${REGION}.`, { Ref: 'AWS::URLSuffix' }]] },
                ],
              },
            },
          },
        ],
      },
    });
  });

  test('no statement has a * resource beyond the three MWAA requires', () => {
    const policy = Object.values(template.findResources('AWS::IAM::ManagedPolicy', { Properties: { Roles: [{ Ref: roleId }] } }))[0];
    const starActions = policy.Properties.PolicyDocument.Statement
      .filter((s: any) => [s.Resource].flat().includes('*'))
      .map((s: any) => s.Action);
    expect(starActions.sort()).toEqual(['cloudwatch:PutMetricData', 'logs:DescribeLogGroups', 's3:GetAccountPublicAccessBlock']);
  });

  test('exposes its attributes', () => {
    const resolve = (x: string) => stack.resolve(x);
    const envId = logicalIdOf(stack, env);
    expect(resolve(env.webserverUrl)).toEqual({ 'Fn::GetAtt': [envId, 'WebserverUrl'] });
    expect(resolve(env.celeryExecutorQueueArn)).toEqual({ 'Fn::GetAtt': [envId, 'CeleryExecutorQueue'] });
    expect(resolve(env.databaseVpcEndpointService)).toEqual({ 'Fn::GetAtt': [envId, 'DatabaseVpcEndpointService'] });
    expect(resolve(env.webserverVpcEndpointService)).toEqual({ 'Fn::GetAtt': [envId, 'WebserverVpcEndpointService'] });
    expect(resolve(env.environmentArn)).toEqual({ 'Fn::GetAtt': [envId, 'Arn'] });
    expect(env.environmentName).toBe('test-env');
    expect(env.airflowVersion).toBe(AirflowVersion.V3_0_6);
    expect(env.environmentClass).toBe(EnvironmentClass.MW1_SMALL);
    expect(env.webserverAccessMode).toBe(WebserverAccessMode.PRIVATE_ONLY);
    expect(env.endpointManagement).toBe(EndpointManagement.SERVICE);
  });

  test('creates no outputs', () => {
    expect(template.findOutputs('*')).toEqual({});
  });

  test('uses stable construct ids for every resource', () => {
    const ids = env.node.children.map(c => c.node.id).sort();
    expect(ids).toEqual([
      'AdministratorsAccessPolicy', 'AdministratorsGroup', 'DagProcessingLogs', 'DevelopersAccessPolicy', 'DevelopersGroup',
      'ExecutionRole', 'ExecutionRolePolicy', 'Key', 'NotificationTopic', 'OperatorsAccessPolicy', 'OperatorsGroup',
      'PublicAccessAttemptGuardrail', 'PublicAccessGuardrail', 'Resource', 'SchedulerLogs', 'SecurityGroup', 'SourceBucket', 'StatusChangeRule', 'TaskLogs',
      'ViewersAccessPolicy', 'ViewersGroup', 'WebserverLogs', 'WorkerLogs',
    ]);
  });
});

describe('every prop reaches the template', () => {
  test('sizes, maintenance window, strategy, configuration, access mode and endpoints', () => {
    const { stack } = newEnvironment({
      airflowVersion: AirflowVersion.V2_10_3,
      environmentClass: EnvironmentClass.MW1_LARGE,
      minWorkers: 2,
      maxWorkers: 20,
      schedulers: 3,
      minWebservers: 2,
      maxWebservers: 4,
      weeklyMaintenanceWindowStart: 'SUN:03:30',
      workerReplacementStrategy: WorkerReplacementStrategy.GRACEFUL,
      airflowConfigurationOptions: { 'core.default_timezone': 'utc', 'celery.worker_autoscale': '5,5' },
      webserverAccessMode: WebserverAccessMode.PUBLIC_ONLY,
      endpointManagement: EndpointManagement.CUSTOMER,
      dags: Dags.fromBucket('airflow/dags'),
      requirements: DependencyFile.fromBucket('requirements.txt', 'req-v1'),
      plugins: DependencyFile.fromBucket('plugins.zip', 'plug-v1'),
      startupScript: DependencyFile.fromBucket('startup.sh', 'start-v1'),
      loggingConfiguration: { taskLogs: { logLevel: LogLevel.DEBUG }, webserverLogs: { enabled: false } },
    });
    Template.fromStack(stack).hasResourceProperties('AWS::MWAA::Environment', {
      AirflowVersion: '2.10.3',
      EnvironmentClass: 'mw1.large',
      MinWorkers: 2,
      MaxWorkers: 20,
      Schedulers: 3,
      MinWebservers: 2,
      MaxWebservers: 4,
      WeeklyMaintenanceWindowStart: 'SUN:03:30',
      WorkerReplacementStrategy: 'GRACEFUL',
      AirflowConfigurationOptions: { 'core.default_timezone': 'utc', 'celery.worker_autoscale': '5,5' },
      WebserverAccessMode: 'PUBLIC_ONLY',
      EndpointManagement: 'CUSTOMER',
      DagS3Path: 'airflow/dags',
      RequirementsS3Path: 'requirements.txt',
      RequirementsS3ObjectVersion: 'req-v1',
      PluginsS3Path: 'plugins.zip',
      PluginsS3ObjectVersion: 'plug-v1',
      StartupScriptS3Path: 'startup.sh',
      StartupScriptS3ObjectVersion: 'start-v1',
      LoggingConfiguration: {
        TaskLogs: { Enabled: true, LogLevel: 'DEBUG' },
        WebserverLogs: { Enabled: false, LogLevel: 'INFO' },
        SchedulerLogs: { Enabled: true, LogLevel: 'INFO' },
      },
    });
  });

  test('mw1.micro defaults to one scheduler and one web server', () => {
    const { stack } = newEnvironment({ environmentClass: EnvironmentClass.MW1_MICRO });
    Template.fromStack(stack).hasResourceProperties('AWS::MWAA::Environment', {
      EnvironmentClass: 'mw1.micro', Schedulers: 1, MinWebservers: 1, MaxWebservers: 1,
    });
  });

  test('maxWorkers follows a minWorkers above 10', () => {
    const { stack } = newEnvironment({ minWorkers: 12 });
    Template.fromStack(stack).hasResourceProperties('AWS::MWAA::Environment', { MinWorkers: 12, MaxWorkers: 12 });
  });

  test('maxWebservers follows minWebservers', () => {
    const { stack } = newEnvironment({ minWebservers: 3 });
    Template.fromStack(stack).hasResourceProperties('AWS::MWAA::Environment', { MinWebservers: 3, MaxWebservers: 3 });
  });

  test('versions and classes from of() pass through unchanged', () => {
    const { stack } = newEnvironment({ airflowVersion: AirflowVersion.of('3.2.0'), environmentClass: EnvironmentClass.of('mw1.4xlarge') });
    Template.fromStack(stack).hasResourceProperties('AWS::MWAA::Environment', { AirflowVersion: '3.2.0', EnvironmentClass: 'mw1.4xlarge' });
  });

  test('of() returns the known constant for a known value', () => {
    expect(AirflowVersion.of('2.11.0')).toBe(AirflowVersion.V2_11_0);
    expect(AirflowVersion.of('2.11.0').known).toBe(true);
    expect(EnvironmentClass.of('mw1.2xlarge')).toBe(EnvironmentClass.MW1_2XLARGE);
    expect(EnvironmentClass.MW1_2XLARGE.dagCapacity).toBe(4000);
  });

  test('the all-traffic self rule replaces the two port rules', () => {
    const { stack, env } = newEnvironment({ selfReferencingIngress: SelfReferencingIngress.ALL_TRAFFIC });
    const template = Template.fromStack(stack);
    const sgId = logicalIdOf(stack, env.securityGroups[0] as ec2.SecurityGroup);
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 1);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [sgId, 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [sgId, 'GroupId'] },
      IpProtocol: '-1',
    });
  });

  test('log retention and removal policy apply to every stateful resource', () => {
    const { stack } = newEnvironment({ logRetention: logs.RetentionDays.TEN_YEARS, removalPolicy: RemovalPolicy.DESTROY });
    const template = Template.fromStack(stack);
    expect(Object.keys(template.findResources('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 3653 }, DeletionPolicy: 'Delete' })))
      .toHaveLength(5);
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
  });

  test('access logs of the created bucket go where asked, under the environment name', () => {
    const stack = newStack();
    const vpc = newVpc(stack);
    const accessLogs = new s3.Bucket(stack, 'AccessLogs');
    new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'test-env', vpc, sourceBucketAccessLogs: accessLogs });
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: { Ref: stack.getLogicalId(accessLogs.node.defaultChild as s3.CfnBucket) }, LogFilePrefix: 'test-env/' },
    });
  });
});

describe('provided vs created', () => {
  test('a provided key encrypts the bucket, the log groups and the environment, and gets the logs statement', () => {
    const stack = newStack();
    const vpc = newVpc(stack);
    const key = new kms.Key(stack, 'MyKey');
    const env = new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'test-env', vpc, kmsKey: key });
    const template = Template.fromStack(stack);
    const keyArn = { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] };
    expect(env.kmsKey).toBe(key);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::MWAA::Environment', { KmsKey: keyArn });
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { KMSMasterKeyID: keyArn } }] },
    });
    expect(Object.keys(template.findResources('AWS::Logs::LogGroup', { Properties: { KmsKeyId: keyArn } }))).toHaveLength(5);
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'AllowCloudWatchLogsForThisEnvironment' })]) },
    });
  });

  test('an imported key is used as it is', () => {
    const stack = newStack();
    const vpc = newVpc(stack);
    const arn = 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'test-env', vpc, kmsKey: kms.Key.fromKeyArn(stack, 'Key', arn) });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 0);
    template.hasResourceProperties('AWS::MWAA::Environment', { KmsKey: arn });
  });

  test('a provided bucket is used, its key becomes the environment key, and no bucket is created', () => {
    const stack = newStack();
    const vpc = newVpc(stack);
    const bucketKey = new kms.Key(stack, 'BucketKey');
    const bucket = new s3.Bucket(stack, 'Dags', { versioned: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL, encryptionKey: bucketKey });
    const env = new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'test-env', vpc, sourceBucket: bucket });
    const template = Template.fromStack(stack);
    expect(env.sourceBucket).toBe(bucket);
    expect(env.kmsKey).toBe(bucketKey);
    template.resourceCountIs('AWS::S3::Bucket', 1);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::MWAA::Environment', {
      SourceBucketArn: { 'Fn::GetAtt': [stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket), 'Arn'] },
      KmsKey: { 'Fn::GetAtt': [stack.getLogicalId(bucketKey.node.defaultChild as kms.CfnKey), 'Arn'] },
    });
  });

  test('an imported bucket is scoped in the execution policy by its ARN', () => {
    const stack = newStack();
    const vpc = newVpc(stack);
    new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'test-env', vpc, sourceBucket: s3.Bucket.fromBucketName(stack, 'B', 'team-dags') });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    const bucketArn = joinArn(':s3:::team-dags');
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Sid: 'ReadSourceBucket',
          Resource: [bucketArn, { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::team-dags/*']] }],
        })]),
      },
    });
  });

  test('a provided role gets the same policy attached, and no role is created', () => {
    const stack = newStack();
    const vpc = newVpc(stack);
    const role = iam.Role.fromRoleArn(stack, 'Role', 'arn:aws:iam::111111111111:role/team-airflow');
    const env = new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'test-env', vpc, executionRole: role });
    const template = Template.fromStack(stack);
    expect(env.executionRole).toBe(role);
    template.resourceCountIs('AWS::IAM::Role', 0);
    template.hasResourceProperties('AWS::MWAA::Environment', { ExecutionRoleArn: 'arn:aws:iam::111111111111:role/team-airflow' });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: ['team-airflow'],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'PublishMetrics', Resource: ENV_ARN })]) },
    });
  });

  test('an immutable provided role still gets the policy, as its own resource', () => {
    const stack = newStack();
    const vpc = newVpc(stack);
    const role = iam.Role.fromRoleArn(stack, 'Role', 'arn:aws:iam::111111111111:role/locked', { mutable: false });
    new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'test-env', vpc, executionRole: role });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', { Roles: ['locked'] });
  });

  test('provided security groups are used as they are', () => {
    const stack = newStack();
    const vpc = newVpc(stack);
    const sg = new ec2.SecurityGroup(stack, 'Mine', { vpc });
    const env = new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'test-env', vpc, securityGroups: [sg] });
    const template = Template.fromStack(stack);
    expect(env.securityGroups).toEqual([sg]);
    template.resourceCountIs('AWS::EC2::SecurityGroup', 1);
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    template.hasResourceProperties('AWS::MWAA::Environment', {
      NetworkConfiguration: { SecurityGroupIds: [{ 'Fn::GetAtt': [stack.getLogicalId(sg.node.defaultChild as ec2.CfnSecurityGroup), 'GroupId'] }] },
    });
  });

  test('provided subnets are used as they are', () => {
    const stack = newStack();
    const vpc = newVpc(stack);
    const env = new PrivateMwaaEnvironment(stack, 'Airflow', {
      environmentName: 'test-env', vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    });
    expect(env.subnets).toEqual(vpc.isolatedSubnets);
  });

  test('the default falls back to isolated subnets when there are no subnets with egress', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Isolated', {
      maxAzs: 3,
      natGateways: 0,
      subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
    const env = new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'test-env', vpc });
    expect(env.subnets).toEqual(vpc.isolatedSubnets.slice(0, 2));
  });
});

describe('grants, connections and import', () => {
  test('the environment is a grantable whose principal is the execution role', () => {
    const { stack, env } = newEnvironment();
    const data = new s3.Bucket(stack, 'Data');
    data.grantRead(env);
    const roleId = logicalIdOf(stack, env.executionRole);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: roleId }],
      PolicyDocument: {
        Statement: [Match.objectLike({
          Action: ['s3:GetObject*', 's3:GetBucket*', 's3:List*'],
          Resource: Match.arrayWith([{ 'Fn::GetAtt': [stack.getLogicalId(data.node.defaultChild as s3.CfnBucket), 'Arn'] }]),
        })],
      },
    });
  });

  test('addToRolePolicy adds to the policy the environment depends on', () => {
    const { stack, env } = newEnvironment();
    env.addToRolePolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: ['arn:aws:secretsmanager:eu-west-1:111111111111:secret:airflow/*'] }));
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: logicalIdOf(stack, env.executionRole) }],
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Action: 'secretsmanager:GetSecretValue' })]),
      },
    });
  });

  test('connections open the web server port by default', () => {
    const { stack, env } = newEnvironment();
    env.connections.allowDefaultPortFrom(ec2.Peer.ipv4('10.20.0.0/16'), 'Corporate network');
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [{ CidrIp: '10.20.0.0/16', FromPort: 443, ToPort: 443, IpProtocol: 'tcp', Description: 'Corporate network' }],
    });
  });

  test('fromEnvironmentAttributes gives an ARN, connections and a grant principal', () => {
    const stack = newStack();
    const vpc = newVpc(stack);
    const sg = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-12345');
    const role = iam.Role.fromRoleArn(stack, 'Role', 'arn:aws:iam::111111111111:role/other-airflow');
    const imported = PrivateMwaaEnvironment.fromEnvironmentAttributes(stack, 'Imported', {
      environmentName: 'other-env', securityGroups: [sg], executionRole: role,
    });
    expect(stack.resolve(imported.environmentArn)).toEqual(joinArn(`:airflow:${REGION}:${ACCOUNT}:environment/other-env`));
    expect(imported.environmentName).toBe('other-env');
    expect(imported.grantPrincipal).toBe(role);
    expect(imported.connections.securityGroups).toEqual([sg]);
    expect(imported.connections.defaultPort?.toString()).toBe('443');
    expect(vpc).toBeDefined();
  });

  test('an imported environment without a role has an unknown principal', () => {
    const stack = newStack();
    const imported = PrivateMwaaEnvironment.fromEnvironmentAttributes(stack, 'Imported', { environmentName: 'other-env' });
    expect(imported.grantPrincipal).toBeInstanceOf(iam.UnknownPrincipal);
  });
});
