import { ArnFormat, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
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
import { acknowledge, findingName } from './private/nag';
import { ProvisionerFunction } from './private/provisioner-function';

/** The source and detail type of MWAA's status change events. */
const STATUS_CHANGE = { source: ['aws.airflow'], detailType: ['MWAA Environment Status Change'] };
/** Tags the provisioner puts on the endpoints it creates (the function reads the same names). */
const MANAGED_BY_TAG = 'cdk-private-mwaa:managed-by';
const MANAGED_BY_VALUE = 'shared-vpc-provisioner';

/**
 * Names the VPC owner's provisioner and the participants' reader roles agree on.
 */
export class SharedVpcNames {
  /** The name of the provisioner function's role in the VPC owner's account. */
  public static readonly PROVISIONER_ROLE_NAME = 'mwaa-shared-vpc-endpoint-provisioner';
  /** The name of the role in each participant account that lets the provisioner read environments. */
  public static readonly READER_ROLE_NAME = 'mwaa-shared-vpc-endpoint-reader';

  private constructor() {}
}

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
    for (const account of participants) {
      if (!Token.isUnresolved(account) && !/^\d{12}$/.test(account)) {
        throw new Error(`\`participantAccounts\` must be 12-digit AWS account ids, got: '${account}'`);
      }
    }
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
          'kms:EncryptionContext:aws:logs:arn': stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
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
    const vpcArn = stack.formatArn({ service: 'ec2', resource: 'vpc', resourceName: props.vpc.vpcId });
    const ec2Arn = (resource: string, account = stack.account) => stack.formatArn({ service: 'ec2', account, resource, resourceName: '*' });
    const policy = new iam.ManagedPolicy(this, 'Policy', {
      description: 'Least privilege of the MWAA shared VPC endpoint provisioner',
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          sid: 'CreateEndpointsInTheSharedVpcAndSubnets',
          actions: ['ec2:CreateVpcEndpoint'],
          resources: [vpcArn, ...subnets.map(s => stack.formatArn({ service: 'ec2', resource: 'subnet', resourceName: s.subnetId }))],
        }),
        new iam.PolicyStatement({
          // Participants own the security groups of their environments, in the shared VPC.
          sid: 'UseSecurityGroupsOfTheSharedVpc',
          actions: ['ec2:CreateVpcEndpoint'],
          resources: [ec2Arn('security-group', '*')],
          conditions: { ArnEquals: { 'ec2:Vpc': vpcArn } },
        }),
        new iam.PolicyStatement({
          sid: 'CreateTaggedEndpointsToEndpointServices',
          actions: ['ec2:CreateVpcEndpoint'],
          resources: [ec2Arn('vpc-endpoint')],
          conditions: {
            StringEquals: { [`aws:RequestTag/${MANAGED_BY_TAG}`]: MANAGED_BY_VALUE },
            StringLike: { 'ec2:VpceServiceName': `com.amazonaws.vpce.${stack.region}.vpce-svc-*` },
          },
        }),
        new iam.PolicyStatement({
          sid: 'TagEndpointsWhenCreated',
          actions: ['ec2:CreateTags'],
          resources: [ec2Arn('vpc-endpoint')],
          conditions: { StringEquals: { 'ec2:CreateAction': 'CreateVpcEndpoint' } },
        }),
        new iam.PolicyStatement({
          sid: 'DeleteOnlyItsOwnEndpoints',
          actions: ['ec2:DeleteVpcEndpoints'],
          resources: [ec2Arn('vpc-endpoint')],
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
          resources: [stack.formatArn({ service: 'airflow', resource: 'environment', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME })],
        }),
        ...(participants.length > 0 ? [new iam.PolicyStatement({
          sid: 'AssumeTheReaderRoleOfParticipants',
          actions: ['sts:AssumeRole'],
          resources: participants.map(account => `arn:${stack.partition}:iam::${account}:role/${SharedVpcNames.READER_ROLE_NAME}`),
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
      eventPattern: { ...STATUS_CHANGE, account: [stack.account, ...participants] },
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
          Resource: stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' }),
          Condition: { StringEquals: { 'events:source': 'aws.airflow' } },
        },
      });
    });

    this.acknowledgeFindings(fn, policy);
  }

  private acknowledgeFindings(fn: lambda.Function, policy: iam.ManagedPolicy): void {
    const packs = ['HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321'];
    const each = (rule: string, reason: string, only = packs) => only.map(pack => ({ id: `${pack}-${rule}`, reason }));
    acknowledge(fn, [
      ...each('LambdaInsideVPC', 'It calls the EC2, MWAA, STS and SNS APIs only; outside the VPC it needs no endpoints for them.'),
      ...each('LambdaConcurrency', 'Invoked only by MWAA status changes; a reserved concurrency would take from the account\'s unreserved pool for a function that runs a few times a month.', packs.slice(0, 2)),
    ]);
    acknowledge(this.deadLetterQueue, [{ id: 'AwsSolutions-SQS3', reason: 'This queue is the dead-letter queue of the provisioner function.' }]);
    const iam5 = (finding: string, reason: string) => ({ id: `AwsSolutions-IAM5[${finding}]`, reason });
    const stack = Stack.of(this);
    const ec2Any = (resource: string, account = stack.account) => findingName(this, `arn:${stack.partition}:ec2:${stack.region}:${account}:${resource}/*`);
    acknowledge(policy, [
      iam5(`Resource::${ec2Any('security-group', '*')}`, 'Security groups of the participants, limited to those in the shared VPC (ec2:Vpc).'),
      iam5(`Resource::${ec2Any('vpc-endpoint')}`, 'New endpoints must carry the provisioner\'s tag and point to an endpoint service; only endpoints with that tag may be deleted.'),
      iam5('Resource::*', 'ec2:DescribeVpcEndpoints has no resource-level permissions.'),
      iam5(`Resource::${findingName(this, stack.formatArn({ service: 'airflow', resource: 'environment', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME }))}`,
        'Any environment of this account may be in the shared VPC; the function only reads it.'),
    ]);
  }
}

/**
 * Props of {@link MwaaSharedVpcParticipant}.
 */
export interface MwaaSharedVpcParticipantProps {
  /** The account that owns the shared VPC and runs `MwaaSharedVpcEndpointProvisioner`. */
  readonly vpcOwnerAccount: string;
}

/**
 * For a participant account of a shared VPC: forwards the account's MWAA status change events to
 * the VPC owner's default event bus, and provides the role through which the owner's provisioner
 * reads the environments (`airflow:GetEnvironment` only).
 *
 * Create environments in the shared subnets with endpoint management CUSTOMER and
 * `createCustomerEndpoints: false`.
 */
export class MwaaSharedVpcParticipant extends Construct {
  /** The rule that forwards the status change events. */
  public readonly rule: events.Rule;
  /** The role the VPC owner's provisioner assumes to read environments. */
  public readonly readerRole: iam.Role;

  constructor(scope: Construct, id: string, props: MwaaSharedVpcParticipantProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const owner = props.vpcOwnerAccount;
    if (!Token.isUnresolved(owner) && !/^\d{12}$/.test(owner)) {
      throw new Error(`\`vpcOwnerAccount\` must be a 12-digit AWS account id, got: '${owner}'`);
    }
    const provisionerRole = `arn:${stack.partition}:iam::${owner}:role/${SharedVpcNames.PROVISIONER_ROLE_NAME}`;
    this.readerRole = new iam.Role(this, 'ReaderRole', {
      roleName: SharedVpcNames.READER_ROLE_NAME,
      description: 'Lets the shared VPC owner\'s provisioner read MWAA environments to create their endpoints',
      assumedBy: new iam.AccountPrincipal(owner).withConditions({ ArnEquals: { 'aws:PrincipalArn': provisionerRole } }),
    });
    const readerPolicy = new iam.ManagedPolicy(this, 'ReaderPolicy', {
      description: 'Read MWAA environments of this account and Region',
      roles: [this.readerRole],
      statements: [new iam.PolicyStatement({
        actions: ['airflow:GetEnvironment'],
        resources: [stack.formatArn({ service: 'airflow', resource: 'environment', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME })],
      })],
    });
    acknowledge(readerPolicy, [{
      id: `AwsSolutions-IAM5[Resource::${findingName(this, stack.formatArn({ service: 'airflow', resource: 'environment', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME }))}]`,
      reason: 'Any environment of this account may be created in the shared VPC; the owner\'s provisioner only reads it.',
    }]);

    // EventBridge puts the events on the owner's bus with this role; its policy is a managed one.
    const ownerBusArn = stack.formatArn({ service: 'events', account: owner, resource: 'event-bus', resourceName: 'default' });
    const forwardRole = new iam.Role(this, 'ForwardRole', {
      description: 'Lets EventBridge forward MWAA status changes to the shared VPC owner',
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
    });
    new iam.ManagedPolicy(this, 'ForwardPolicy', {
      description: 'Put events on the shared VPC owner\'s default bus',
      roles: [forwardRole],
      statements: [new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [ownerBusArn] })],
    });
    const ownerBus = events.EventBus.fromEventBusArn(this, 'OwnerBus', ownerBusArn);
    this.rule = new events.Rule(this, 'ForwardStatusChanges', {
      description: 'Forwards MWAA status changes to the account that owns the shared VPC',
      eventPattern: { ...STATUS_CHANGE, account: [stack.account] },
      targets: [new targets.EventBus(ownerBus, { role: forwardRole.withoutPolicyUpdates() })],
    });
  }
}
