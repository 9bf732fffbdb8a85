import { Annotations, Aws, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { airflowRoleArn, celeryQueueArnPattern, environmentArn, logGroupAndStreamArns, secretArnPattern } from './private/arns';
import { WEBSERVER_PORT } from './private/mwaa';
import type { SecretsManagerBackendOptions } from './secrets-backend';
import { MwaaWarnings } from './warnings';


/**
 * Which VPC endpoints to add beyond the five a private environment needs, and how strict their
 * policies are.
 */
export interface VpcEndpointsOptions {
  /**
   * Add a Secrets Manager interface endpoint (for the Secrets Manager backend of Airflow).
   *
   * @default - false; on `PrivateMwaaEnvironment`, true when its `secretsBackend` is set
   */
  readonly secretsManager?: boolean;

  /**
   * Add the ECR API and Docker interface endpoints, and admit the ECR layer bucket in the S3
   * endpoint policy. MWAA itself no longer needs them (its containers moved to Fargate platform
   * 1.4); tasks that pull images from ECR do.
   *
   * @default false
   */
  readonly ecr?: boolean;

  /**
   * Add the `airflow.api` and `airflow.env` interface endpoints, for calling the MWAA API (for
   * example `GetEnvironment` or `CreateCliToken`) from inside the VPC. These are the two that AWS
   * PrivateLink for Amazon MWAA lists; `airflow.ops`, which older guides name, is not created.
   *
   * @see https://docs.aws.amazon.com/mwaa/latest/userguide/security-privatelink.html
   *
   * @default false
   */
  readonly airflowEndpoints?: boolean;

  /**
   * Add the CodeArtifact API and repositories interface endpoints, for a private Python package
   * index, and admit CodeArtifact's package asset buckets in the S3 endpoint policy.
   *
   * @default false
   */
  readonly codeArtifact?: boolean;

  /**
   * Other buckets that DAGs read and write through the S3 gateway endpoint. The endpoint policy
   * admits the environment's bucket (read-only, as the execution role) and these (all actions).
   *
   * @default - none
   */
  readonly dataBuckets?: s3.IBucket[];

  /**
   * Whether to create the S3 gateway endpoint. Turn this off when the VPC has one on the
   * environment's route tables already (for example a CDK `Vpc` made with `gatewayEndpoints`): a
   * route table takes one route to S3, so a second gateway endpoint fails to deploy. That endpoint's
   * policy is then yours to keep right for the environment's bucket.
   *
   * @default true
   */
  readonly s3Gateway?: boolean;

  /**
   * Whether the endpoint policies admit only what MWAA needs. Turn this off to use the default
   * endpoint policies (any action on any resource), for example when other workloads in the VPC use
   * the same endpoints.
   *
   * @default true
   */
  readonly restrictPolicies?: boolean;
}

/**
 * Props of {@link MwaaVpcEndpoints}.
 */
export interface MwaaVpcEndpointsProps extends VpcEndpointsOptions {
  /** The VPC of the environment. */
  readonly vpc: ec2.IVpc;

  /**
   * The subnets of the environment: the interface endpoints get a network interface in each, the S3
   * gateway endpoint a route in each of their route tables.
   */
  readonly subnets: ec2.SubnetSelection;

  /** The environment's security groups: only they may reach the interface endpoints, on TCP 443. */
  readonly environmentSecurityGroups: ec2.ISecurityGroup[];

  /** The name of the environment (its log groups are `airflow-<name>-*`). */
  readonly environmentName: string;

  /** The environment's source bucket, which the S3 endpoint policy names. */
  readonly sourceBucket: s3.IBucket;

  /** The environment's key, which the KMS endpoint policy names. */
  readonly kmsKey: kms.IKey;

  /**
   * The ARN of the environment's Celery queue, if known, for the SQS endpoint policy. An environment
   * only reports it once it exists, after its endpoints must already be in place.
   *
   * @default - any queue named `airflow-celery-*` in the Region, which is where MWAA puts them
   */
  readonly celeryQueueArn?: string;
}

/** Which VPCs have MWAA VPC endpoints already, and where (one set per VPC). */
const ENDPOINTS_BY_VPC = new WeakMap<ec2.IVpc, string>();

/**
 * The VPC endpoints a private Amazon MWAA environment needs in subnets without internet access: an
 * S3 gateway endpoint and interface endpoints for SQS, CloudWatch Logs, CloudWatch metrics and KMS,
 * with private DNS, reachable only from the environment's security groups on TCP 443, each with a
 * policy that admits only what the environment needs.
 *
 * Private DNS makes these endpoints answer for their services in the whole VPC, so there is one
 * set per VPC (a second one in the same VPC is an error at synth). Other workloads in the VPC reach
 * them only if they are let in through `connections` (TCP 443), and with `restrictPolicies` (the
 * default) they are held to the same policies.
 */
export class MwaaVpcEndpoints extends Construct implements ec2.IConnectable {
  /** The S3 gateway endpoint. */
  public readonly s3Endpoint?: ec2.GatewayVpcEndpoint;
  /** The interface endpoints, in the order they were added. */
  public readonly interfaceEndpoints: ec2.InterfaceVpcEndpoint[] = [];
  /** The security group of the interface endpoints. */
  public readonly securityGroup: ec2.SecurityGroup;
  /**
   * The interface endpoints' network access, default port TCP 443: for example
   * `endpoints.connections.allowDefaultPortFrom(otherWorkload)` lets another workload of the VPC use
   * the endpoints.
   */
  public readonly connections: ec2.Connections;
  /** How many subnets (and so Availability Zones) each interface endpoint has a network interface in. */
  public readonly subnetCount: number;

  private readonly props: MwaaVpcEndpointsProps;
  private readonly restrict: boolean;
  private readonly account: string;
  private airflowEnvEndpoint?: ec2.InterfaceVpcEndpoint;
  private readonly sqsEndpoint: ec2.InterfaceVpcEndpoint;
  private queueStatements = 0;

  constructor(scope: Construct, id: string, props: MwaaVpcEndpointsProps) {
    super(scope, id);
    this.props = props;
    this.restrict = props.restrictPolicies ?? true;
    const stack = Stack.of(this);
    this.account = stack.account;
    const other = ENDPOINTS_BY_VPC.get(props.vpc);
    if (other !== undefined) {
      throw new Error(`\`vpcEndpoints\`: the VPC ${props.vpc.node.path} has MWAA VPC endpoints already (${other}), and private DNS allows one endpoint per service in a VPC. Create MwaaVpcEndpoints once for the VPC (with \`restrictPolicies: false\` when several environments share it) and let the other environments in through its \`connections\`, got a second set at ${this.node.path}`);
    }
    ENDPOINTS_BY_VPC.set(props.vpc, this.node.path);
    if (props.environmentSecurityGroups.length === 0) {
      throw new Error('`environmentSecurityGroups` must name at least one security group (only it may reach the endpoints), got: none');
    }
    const subnets = props.vpc.selectSubnets(props.subnets).subnets;
    if (subnets.length === 0) {
      throw new Error('`subnets` must select at least one subnet of the VPC for the endpoints, got: none');
    }
    this.subnetCount = subnets.length;

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `VPC endpoints of the Amazon MWAA environment ${props.environmentName}`,
      allowAllOutbound: false,
    });
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup], defaultPort: ec2.Port.tcp(WEBSERVER_PORT) });
    for (const group of props.environmentSecurityGroups) {
      this.securityGroup.addIngressRule(group, ec2.Port.tcp(WEBSERVER_PORT), `HTTPS from the Amazon MWAA environment ${props.environmentName}`);
    }

    // S3: a gateway endpoint, no hourly cost.
    if (props.s3Gateway ?? true) {
      this.s3Endpoint = new ec2.GatewayVpcEndpoint(this, 'S3', {
        vpc: props.vpc,
        service: ec2.GatewayVpcEndpointAwsService.S3,
        subnets: [props.subnets],
      });
      this.restrictS3(this.s3Endpoint);
    }

    this.sqsEndpoint = this.addInterface('Sqs', ec2.InterfaceVpcEndpointAwsService.SQS);
    this.allow(this.sqsEndpoint, 'UseCeleryQueue', [
      'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage', 'sqs:SendMessage',
    ], [props.celeryQueueArn ?? celeryQueueArnPattern(this)], true);

    const logs = this.addInterface('Logs', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS);
    this.allow(logs, 'WriteEnvironmentLogs', [
      'logs:CreateLogStream', 'logs:CreateLogGroup', 'logs:PutLogEvents', 'logs:GetLogEvents', 'logs:GetLogRecord', 'logs:GetLogGroupFields', 'logs:GetQueryResults',
    ], logGroupAndStreamArns(this, props.environmentName));
    this.allow(logs, 'DescribeLogGroups', ['logs:DescribeLogGroups'], ['*'], true);

    const monitoring = this.addInterface('Monitoring', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING);
    this.allow(monitoring, 'PutMetricData', ['cloudwatch:PutMetricData'], ['*'], true);

    const keyEndpoint = this.addInterface('Kms', ec2.InterfaceVpcEndpointAwsService.KMS);
    this.allow(keyEndpoint, 'UseEnvironmentKey', ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey*', 'kms:Encrypt'], [props.kmsKey.keyArn]);

    if (props.secretsManager) {
      const secrets = this.addInterface('SecretsManager', ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER);
      this.allow(secrets, 'ReadSecrets', [
        'secretsmanager:GetResourcePolicy', 'secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret', 'secretsmanager:ListSecretVersionIds',
      ], [secretArnPattern(this)]);
      this.allow(secrets, 'ListSecrets', ['secretsmanager:ListSecrets'], ['*'], true);
    }
    if (props.ecr) {
      const ecrActions = ['ecr:GetAuthorizationToken', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'];
      this.allow(this.addInterface('EcrApi', ec2.InterfaceVpcEndpointAwsService.ECR), 'PullImages', ecrActions, ['*'], true);
      this.allow(this.addInterface('EcrDocker', ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER), 'PullImages', ecrActions, ['*'], true);
    }
    if (props.airflowEndpoints) {
      const airflowResources = [
        environmentArn(this, props.environmentName),
        airflowRoleArn(this, props.environmentName, '*'),
      ];
      // The two services AWS PrivateLink for Amazon MWAA lists (environment management and the
      // Airflow environment); airflow.ops is in older guides only, and was not found in AWS's current
      // list for every Region, so it is not created.
      // https://docs.aws.amazon.com/mwaa/latest/userguide/security-privatelink.html
      const airflowEndpoint = (endpointId: string, service: ec2.InterfaceVpcEndpointAwsService) => {
        const endpoint = this.addInterface(endpointId, service);
        this.allow(endpoint, 'ThisEnvironmentOnly', ['airflow:*'], airflowResources);
        return endpoint;
      };
      airflowEndpoint('AirflowApi', ec2.InterfaceVpcEndpointAwsService.AIRFLOW_API);
      this.airflowEnvEndpoint = airflowEndpoint('AirflowEnv', ec2.InterfaceVpcEndpointAwsService.AIRFLOW_ENV);
    }
    if (props.codeArtifact) {
      const codeArtifactActions = ['codeartifact:GetAuthorizationToken', 'codeartifact:GetRepositoryEndpoint', 'codeartifact:ReadFromRepository', 'sts:GetServiceBearerToken'];
      this.allow(this.addInterface('CodeArtifactApi', ec2.InterfaceVpcEndpointAwsService.CODEARTIFACT_API), 'ReadPackages', codeArtifactActions, ['*'], true);
      this.allow(this.addInterface('CodeArtifactRepositories', ec2.InterfaceVpcEndpointAwsService.CODEARTIFACT_REPOSITORIES),
        'ReadPackages', codeArtifactActions, ['*'], true);
    }
  }

  /**
   * The `airflow.env` interface endpoint, through which code in the environment's subnets calls
   * `InvokeRestApi`, `CreateCliToken` and `CreateWebLoginToken` (`env.airflow.<region>.amazonaws.com`):
   * the one `airflowEndpoints` added, or a new one whose policy allows `airflow:InvokeRestApi` on
   * this environment's Airflow roles only. Called by DAG run triggers of a private web server.
   *
   * @see https://docs.aws.amazon.com/mwaa/latest/userguide/security-privatelink.html
   */
  public addAirflowEnvEndpoint(): ec2.InterfaceVpcEndpoint {
    if (this.airflowEnvEndpoint === undefined) {
      this.airflowEnvEndpoint = this.addInterface('AirflowEnv', ec2.InterfaceVpcEndpointAwsService.AIRFLOW_ENV);
      this.allow(this.airflowEnvEndpoint, 'InvokeRestApiOnThisEnvironment', ['airflow:InvokeRestApi'],
        [airflowRoleArn(this, this.props.environmentName, '*')]);
    }
    return this.airflowEnvEndpoint;
  }

  /**
   * Let the SQS endpoint's policy admit `actions` on a queue of this account (with
   * `restrictPolicies`, the policy admits the Celery queue only), such as the environment's event
   * queue for asset watchers.
   *
   * @param queue the queue
   * @param actions the SQS actions to admit on it
   */
  public allowQueue(queue: sqs.IQueue, actions: string[]): void {
    this.allow(this.sqsEndpoint, `UseQueue${this.queueStatements++}`, actions, [queue.queueArn]);
  }

  /** The number of interface endpoints: with `subnetCount`, the fixed hourly cost of this construct. */
  public get interfaceEndpointCount(): number {
    return this.interfaceEndpoints.length;
  }

  private addInterface(id: string, service: ec2.IInterfaceVpcEndpointService): ec2.InterfaceVpcEndpoint {
    const endpoint = new ec2.InterfaceVpcEndpoint(this, id, {
      vpc: this.props.vpc,
      service,
      subnets: this.props.subnets,
      privateDnsEnabled: true,
      securityGroups: [this.securityGroup],
      open: false,
    });
    this.interfaceEndpoints.push(endpoint);
    return endpoint;
  }

  /**
   * Adds an Allow statement for any principal to an endpoint policy. Statements on `*` (actions
   * without resource-level permissions, or queues in an account MWAA owns) are held to principals of
   * this account.
   */
  private allow(endpoint: ec2.InterfaceVpcEndpoint | ec2.GatewayVpcEndpoint, sid: string, actions: string[], resources: string[],
    thisAccountOnly = false): void {
    if (!this.restrict) {
      return;
    }
    endpoint.addToPolicy(new iam.PolicyStatement({
      sid,
      principals: [new iam.StarPrincipal()],
      actions,
      resources,
      conditions: thisAccountOnly ? { StringEquals: { 'aws:PrincipalAccount': this.account } } : undefined,
    }));
  }

  private restrictS3(s3Endpoint: ec2.GatewayVpcEndpoint): void {
    const props = this.props;
    const stack = Stack.of(this);
    this.allow(s3Endpoint, 'ReadEnvironmentBucket', ['s3:GetObject*', 's3:GetBucket*', 's3:List*'],
      [props.sourceBucket.bucketArn, props.sourceBucket.arnForObjects('*')]);
    const data = props.dataBuckets ?? [];
    if (data.length > 0) {
      this.allow(s3Endpoint, 'UseDataBuckets', ['s3:*'], data.flatMap(b => [b.bucketArn, b.arnForObjects('*')]));
    }
    if (props.ecr) {
      // ECR keeps image layers in a bucket it owns in each Region.
      this.allow(s3Endpoint, 'ReadEcrLayers', ['s3:GetObject'], [`arn:${Aws.PARTITION}:s3:::prod-${stack.region}-starport-layer-bucket/*`]);
    }
    if (props.codeArtifact) {
      // CodeArtifact keeps package files in buckets named assets-<account of CodeArtifact>-<Region>.
      this.allow(s3Endpoint, 'ReadCodeArtifactAssets', ['s3:GetObject'], [`arn:${Aws.PARTITION}:s3:::assets-*-${stack.region}/*`]);
    }
  }
}

/** What `PrivateMwaaEnvironment` creates its VPC endpoints from. */
export interface EnvironmentEndpointsProps {
  readonly environmentName: string;
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.ISubnet[];
  readonly securityGroups: ec2.ISecurityGroup[];
  readonly sourceBucket: s3.IBucket;
  readonly kmsKey: kms.IKey;
  readonly createVpcEndpoints?: boolean;
  readonly vpcEndpointsOptions?: VpcEndpointsOptions;
  readonly secretsBackend?: SecretsManagerBackendOptions;
}

/** The VPC endpoints of an environment, when asked for; with the Secrets Manager one when the backend is on. */
export function environmentVpcEndpoints(scope: Construct, props: EnvironmentEndpointsProps): MwaaVpcEndpoints | undefined {
  if (!props.createVpcEndpoints) {
    return undefined;
  }
  const options = props.vpcEndpointsOptions ?? {};
  const secretsEndpoint = options.secretsManager ?? props.secretsBackend !== undefined;
  if (props.secretsBackend !== undefined && !secretsEndpoint) {
    Annotations.of(scope).addWarningV2(MwaaWarnings.SECRETS_ENDPOINT,
      '`vpcEndpointsOptions.secretsManager` is false but `secretsBackend` is set: without a Secrets Manager endpoint (or another route to Secrets Manager) every connection and variable lookup of the environment times out. Leave `secretsManager` unset to get the endpoint, or acknowledge this warning if the VPC has one already.');
  }
  return new MwaaVpcEndpoints(scope, 'VpcEndpoints', {
    ...options,
    secretsManager: secretsEndpoint,
    vpc: props.vpc,
    subnets: { subnets: props.subnets },
    environmentSecurityGroups: props.securityGroups,
    environmentName: props.environmentName,
    sourceBucket: props.sourceBucket,
    kmsKey: props.kmsKey,
  });
}
