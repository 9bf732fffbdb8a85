import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { MANAGED_BY_TAG, MANAGED_BY_VALUE, SharedVpcNames } from './names';
import { ProvisionerFunction } from './provisioner-function';
import { defaultEventBusArn, ec2Arn, environmentArn, namedLogGroupArn, roleArn } from '../private/arns';
import { EVENT_SOURCE, STATUS_CHANGE_PATTERN } from '../private/mwaa';
import { acknowledge, COMPLIANCE_PACKS, findingName, iam5, inPacks } from '../private/nag';
import { requireAccountId } from '../private/props-validation';

/**
 * Props of {@link MwaaSharedVpcEndpointProvisioner}.
 */
export interface MwaaSharedVpcEndpointProvisionerProps {
  /** The shared VPC. */
  readonly vpc: ec2.IVpc;

  /** The subnets shared with participants for MWAA: an environment in other subnets is refused. */
  readonly subnets: ec2.SubnetSelection;

  /**
   * The participant accounts whose environments get endpoints. Their status change events must be
   * forwarded to this account's default event bus (see `MwaaSharedVpcParticipant`), which this
   * construct allows them to do.
   *
   * @default - only environments of this account
   */
  readonly participantAccounts?: string[];

  /**
   * The topic that hears about every endpoint created or deleted and every failure.
   *
   * @default - a new topic, encrypted with the construct's key
   */
  readonly notificationTopic?: sns.ITopic;

  /**
   * What happens to the key, the log group and the dead-letter queue when they leave the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * For the account that owns a shared VPC: creates the VPC endpoints of Amazon MWAA environments
 * that participants create with endpoint management CUSTOMER, as soon as each becomes PENDING, and
 * deletes them when it is deleted.
 *
 * An EventBridge rule on MWAA's status change events invokes a function that reads the environment
 * (through the reader role of its account), checks that it runs in the shared subnets, and creates
 * the database endpoint and, for a private web server, the web server endpoint in the
 * environment's subnets and security groups. Its role may create endpoints only in this VPC and
 * its subnets, and delete only endpoints it created. Every outcome goes to an SNS topic; events
 * that still fail after Lambda's retries land in a dead-letter queue.
 */
export class MwaaSharedVpcEndpointProvisioner extends Construct {
  /** The function that creates and deletes the endpoints. */
  public readonly provisionerFunction: lambda.IFunction;
  /** The function's role. */
  public readonly role: iam.IRole;
  /** The rule that invokes the function. */
  public readonly rule: events.Rule;
  /** The topic that hears about every outcome. */
  public readonly notificationTopic: sns.ITopic;
  /** The queue of events the function could not handle. */
  public readonly deadLetterQueue: sqs.IQueue;
  /** The key of the topic, the queue and the log group. */
  public readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: MwaaSharedVpcEndpointProvisionerProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const participants = props.participantAccounts ?? [];
    participants.forEach(account => requireAccountId('participantAccounts', account, '12-digit AWS account ids'));
    const subnets = props.vpc.selectSubnets(props.subnets).subnets;
    if (subnets.length === 0) {
      throw new Error('`subnets` must select the shared subnets of the VPC, got: none');
    }

    const logGroupName = `/aws/lambda/${stack.stackName}-mwaa-shared-vpc-provisioner`;
    const key = new kms.Key(this, 'Key', {
      description: 'Encrypts the notifications, dead letters and logs of the MWAA shared VPC endpoint provisioner',
      enableKeyRotation: true,
      removalPolicy,
    });
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudWatchLogsForTheProvisionerLogs',
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.${stack.urlSuffix}`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnEquals: {
          'kms:EncryptionContext:aws:logs:arn': namedLogGroupArn(this, logGroupName),
        },
      },
    }));
    this.key = key;

    this.notificationTopic = props.notificationTopic ?? new sns.Topic(this, 'Topic', {
      displayName: 'MWAA shared VPC endpoints',
      masterKey: key,
      enforceSSL: true,
    });
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });
    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName,
      encryptionKey: key,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy,
    });

    // The role, and a customer managed policy with exactly what the function does.
    const role = new iam.Role(this, 'Role', {
      roleName: SharedVpcNames.PROVISIONER_ROLE_NAME,
      description: 'Creates and deletes the VPC endpoints of MWAA environments in the shared VPC',
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    this.role = role;
    const vpcArn = ec2Arn(this, 'vpc', props.vpc.vpcId);
    const policy = new iam.ManagedPolicy(this, 'Policy', {
      description: 'Least privilege of the MWAA shared VPC endpoint provisioner',
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          sid: 'CreateEndpointsInTheSharedVpcAndSubnets',
          actions: ['ec2:CreateVpcEndpoint'],
          resources: [vpcArn, ...subnets.map(s => ec2Arn(this, 'subnet', s.subnetId))],
        }),
        new iam.PolicyStatement({
          // Participants own the security groups of their environments, in the shared VPC.
          sid: 'UseSecurityGroupsOfTheSharedVpc',
          actions: ['ec2:CreateVpcEndpoint'],
          resources: [ec2Arn(this, 'security-group', '*', '*')],
          conditions: { ArnEquals: { 'ec2:Vpc': vpcArn } },
        }),
        new iam.PolicyStatement({
          sid: 'CreateTaggedEndpointsToEndpointServices',
          actions: ['ec2:CreateVpcEndpoint'],
          resources: [ec2Arn(this, 'vpc-endpoint', '*')],
          conditions: {
            StringEquals: { [`aws:RequestTag/${MANAGED_BY_TAG}`]: MANAGED_BY_VALUE },
            StringLike: { 'ec2:VpceServiceName': `com.amazonaws.vpce.${stack.region}.vpce-svc-*` },
          },
        }),
        new iam.PolicyStatement({
          sid: 'TagEndpointsWhenCreated',
          actions: ['ec2:CreateTags'],
          resources: [ec2Arn(this, 'vpc-endpoint', '*')],
          conditions: { StringEquals: { 'ec2:CreateAction': 'CreateVpcEndpoint' } },
        }),
        new iam.PolicyStatement({
          sid: 'DeleteOnlyItsOwnEndpoints',
          actions: ['ec2:DeleteVpcEndpoints'],
          resources: [ec2Arn(this, 'vpc-endpoint', '*')],
          conditions: { StringEquals: { [`aws:ResourceTag/${MANAGED_BY_TAG}`]: MANAGED_BY_VALUE } },
        }),
        new iam.PolicyStatement({
          sid: 'DescribeEndpoints',
          actions: ['ec2:DescribeVpcEndpoints'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'ReadEnvironmentsOfThisAccount',
          actions: ['airflow:GetEnvironment'],
          resources: [environmentArn(this, '*')],
        }),
        ...(participants.length > 0 ? [new iam.PolicyStatement({
          sid: 'AssumeTheReaderRoleOfParticipants',
          actions: ['sts:AssumeRole'],
          resources: participants.map(account => roleArn(this, account, SharedVpcNames.READER_ROLE_NAME)),
        })] : []),
        new iam.PolicyStatement({
          sid: 'WriteItsLogs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn],
        }),
        new iam.PolicyStatement({
          sid: 'Notify',
          actions: ['sns:Publish'],
          resources: [this.notificationTopic.topicArn],
        }),
        new iam.PolicyStatement({
          sid: 'SendDeadLetters',
          actions: ['sqs:SendMessage'],
          resources: [this.deadLetterQueue.queueArn],
        }),
        new iam.PolicyStatement({
          sid: 'EncryptNotificationsAndDeadLetters',
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          // A topic brought with a key of its own needs that key as well.
          resources: [key.keyArn, ...(props.notificationTopic?.masterKey ? [props.notificationTopic.masterKey.keyArn] : [])],
          conditions: { StringEquals: { 'kms:ViaService': [`sns.${stack.region}.${stack.urlSuffix}`, `sqs.${stack.region}.${stack.urlSuffix}`] } },
        }),
      ],
    });

    const fn = new ProvisionerFunction(this, 'Function', {
      description: 'Creates the VPC endpoints of MWAA environments in the shared VPC',
      // The managed policy above has every permission; CDK's own grants would add an inline policy.
      role: role.withoutPolicyUpdates(),
      timeout: Duration.minutes(2),
      memorySize: 256,
      logGroup,
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: 2,
      environment: {
        VPC_ID: props.vpc.vpcId,
        SUBNET_IDS: stack.toJsonString(subnets.map(s => s.subnetId)),
        TOPIC_ARN: this.notificationTopic.topicArn,
        READER_ROLE_NAME: SharedVpcNames.READER_ROLE_NAME,
        OWN_ACCOUNT: stack.account,
      },
    });
    fn.node.addDependency(policy);
    this.provisionerFunction = fn;

    this.rule = new events.Rule(this, 'StatusChangeRule', {
      description: 'MWAA status changes of environments that may use the shared VPC',
      eventPattern: { ...STATUS_CHANGE_PATTERN, account: [stack.account, ...participants] },
      targets: [new targets.LambdaFunction(fn, { retryAttempts: 4, maxEventAge: Duration.hours(6) })],
    });
    participants.forEach((account, index) => {
      // Named after the account, not its position: removing one participant must not replace the
      // statements of the others.
      const policyId = Token.isUnresolved(account) ? `AllowParticipant${index + 1}` : `AllowParticipant${account}`;
      new events.CfnEventBusPolicy(this, policyId, {
        statementId: `mwaa-shared-vpc-participant-${account}`,
        eventBusName: 'default',
        statement: {
          Sid: `mwaa-shared-vpc-participant-${account}`,
          Effect: 'Allow',
          Principal: { AWS: `arn:${stack.partition}:iam::${account}:root` },
          Action: 'events:PutEvents',
          Resource: defaultEventBusArn(this),
          Condition: { StringEquals: { 'events:source': EVENT_SOURCE } },
        },
      });
    });

    this.acknowledgeFindings(fn, policy);
  }

  private acknowledgeFindings(fn: lambda.Function, policy: iam.ManagedPolicy): void {
    acknowledge(fn, [
      ...inPacks('LambdaInsideVPC', 'It calls the EC2, MWAA, STS and SNS APIs only; outside the VPC it needs no endpoints for them.'),
      ...inPacks('LambdaConcurrency', 'Invoked only by MWAA status changes; a reserved concurrency would take from the account\'s unreserved pool for a function that runs a few times a month.',
        COMPLIANCE_PACKS.slice(0, 2)),
    ]);
    acknowledge(this.deadLetterQueue, [{ id: 'AwsSolutions-SQS3', reason: 'This queue is the dead-letter queue of the provisioner function.' }]);
    acknowledge(policy, [
      iam5(`Resource::${findingName(this, ec2Arn(this, 'security-group', '*', '*'))}`, 'Security groups of the participants, limited to those in the shared VPC (ec2:Vpc).'),
      iam5(`Resource::${findingName(this, ec2Arn(this, 'vpc-endpoint', '*'))}`, 'New endpoints must carry the provisioner\'s tag and point to an endpoint service; only endpoints with that tag may be deleted.'),
      iam5('Resource::*', 'ec2:DescribeVpcEndpoints has no resource-level permissions.'),
      iam5(`Resource::${findingName(this, environmentArn(this, '*'))}`, 'Any environment of this account may be in the shared VPC; the function only reads it.'),
    ]);
  }
}
