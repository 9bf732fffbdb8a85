import { Annotations, ArnFormat, Aws, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from './private/acknowledgements';
import { logGroupArnPattern } from './private/execution-policy';

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
   * Add the `airflow.api`, `airflow.env` and `airflow.ops` interface endpoints, for calling the MWAA
   * API (for example `CreateCliToken`) from inside the VPC.
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

/** Client ranges that fit a network ACL with the default quota of 20 rules per direction, next to its 3. */
const MAX_CLIENT_RANGES = 17;

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
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup], defaultPort: ec2.Port.tcp(443) });
    for (const group of props.environmentSecurityGroups) {
      this.securityGroup.addIngressRule(group, ec2.Port.tcp(443), `HTTPS from the Amazon MWAA environment ${props.environmentName}`);
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

    const sqs = this.addInterface('Sqs', ec2.InterfaceVpcEndpointAwsService.SQS);
    this.allow(sqs, 'UseCeleryQueue', [
      'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage', 'sqs:SendMessage',
    ], [props.celeryQueueArn ?? stack.formatArn({ service: 'sqs', account: '*', resource: 'airflow-celery-*' })], true);

    const logs = this.addInterface('Logs', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS);
    this.allow(logs, 'WriteEnvironmentLogs', [
      'logs:CreateLogStream', 'logs:CreateLogGroup', 'logs:PutLogEvents', 'logs:GetLogEvents', 'logs:GetLogRecord', 'logs:GetLogGroupFields', 'logs:GetQueryResults',
    ], [logGroupArnPattern(this, props.environmentName)]);
    this.allow(logs, 'DescribeLogGroups', ['logs:DescribeLogGroups'], ['*'], true);

    const monitoring = this.addInterface('Monitoring', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING);
    this.allow(monitoring, 'PutMetricData', ['cloudwatch:PutMetricData'], ['*'], true);

    const keyEndpoint = this.addInterface('Kms', ec2.InterfaceVpcEndpointAwsService.KMS);
    this.allow(keyEndpoint, 'UseEnvironmentKey', ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey*', 'kms:Encrypt'], [props.kmsKey.keyArn]);

    if (props.secretsManager) {
      const secrets = this.addInterface('SecretsManager', ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER);
      this.allow(secrets, 'ReadSecrets', [
        'secretsmanager:GetResourcePolicy', 'secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret', 'secretsmanager:ListSecretVersionIds',
      ], [stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })]);
      this.allow(secrets, 'ListSecrets', ['secretsmanager:ListSecrets'], ['*'], true);
    }
    if (props.ecr) {
      const ecrActions = ['ecr:GetAuthorizationToken', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'];
      this.allow(this.addInterface('EcrApi', ec2.InterfaceVpcEndpointAwsService.ECR), 'PullImages', ecrActions, ['*'], true);
      this.allow(this.addInterface('EcrDocker', ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER), 'PullImages', ecrActions, ['*'], true);
    }
    if (props.airflowEndpoints) {
      const airflowResources = [
        stack.formatArn({ service: 'airflow', resource: 'environment', resourceName: props.environmentName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME }),
        stack.formatArn({ service: 'airflow', resource: 'role', resourceName: `${props.environmentName}/*`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME }),
      ];
      for (const [endpointId, service] of [
        ['AirflowApi', ec2.InterfaceVpcEndpointAwsService.AIRFLOW_API],
        ['AirflowEnv', ec2.InterfaceVpcEndpointAwsService.AIRFLOW_ENV],
        ['AirflowOps', ec2.InterfaceVpcEndpointAwsService.AIRFLOW_OPS],
      ] as Array<[string, ec2.InterfaceVpcEndpointAwsService]>) {
        this.allow(this.addInterface(endpointId, service), 'ThisEnvironmentOnly', ['airflow:*'], airflowResources);
      }
    }
    if (props.codeArtifact) {
      const codeArtifactActions = ['codeartifact:GetAuthorizationToken', 'codeartifact:GetRepositoryEndpoint', 'codeartifact:ReadFromRepository', 'sts:GetServiceBearerToken'];
      this.allow(this.addInterface('CodeArtifactApi', ec2.InterfaceVpcEndpointAwsService.CODEARTIFACT_API), 'ReadPackages', codeArtifactActions, ['*'], true);
      this.allow(this.addInterface('CodeArtifactRepositories', ec2.InterfaceVpcEndpointAwsService.CODEARTIFACT_REPOSITORIES),
        'ReadPackages', codeArtifactActions, ['*'], true);
    }
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

/**
 * Props of {@link MwaaNetworkAcl}.
 */
export interface MwaaNetworkAclProps {
  /** The VPC of the environment. */
  readonly vpc: ec2.IVpc;

  /** The environment's subnets, which the network ACL is associated with. */
  readonly subnets: ec2.SubnetSelection;

  /**
   * IPv4 ranges outside the VPC that may open the web server (TCP 443), such as the corporate
   * network or a VPN range.
   *
   * @default - only the VPC
   */
  readonly webserverClientCidrs?: string[];
}

/**
 * A network ACL for the subnets of a private Amazon MWAA environment that admits only what the
 * environment and its VPC endpoints use: TCP 443 and 5432 inside the VPC, HTTPS out (to the VPC
 * endpoints and, through the S3 gateway endpoint, to S3), and the return traffic of those
 * connections. Everything else is denied.
 *
 * Network ACLs do not filter the VPC's DNS resolver, so no rule is needed for DNS.
 */
export class MwaaNetworkAcl extends Construct {
  /** The network ACL. */
  public readonly networkAcl: ec2.NetworkAcl;

  private readonly vpcCidr: string;
  private nextClientRule = 200;

  constructor(scope: Construct, id: string, props: MwaaNetworkAclProps) {
    super(scope, id);
    this.vpcCidr = props.vpc.vpcCidrBlock;
    this.networkAcl = new ec2.NetworkAcl(this, 'Resource', {
      vpc: props.vpc,
      subnetSelection: props.subnets,
    });
    const vpc = ec2.AclCidr.ipv4(this.vpcCidr);
    const anywhere = ec2.AclCidr.anyIpv4();
    const ephemeral = ec2.AclTraffic.tcpPortRange(1024, 65535);
    const rules: Array<[string, number, ec2.TrafficDirection, ec2.AclCidr, ec2.AclTraffic]> = [
      // In: the web server and the metadata database, from the environment and its endpoints.
      ['InHttpsFromVpc', 100, ec2.TrafficDirection.INGRESS, vpc, ec2.AclTraffic.tcpPort(443)],
      ['InPostgresFromVpc', 110, ec2.TrafficDirection.INGRESS, vpc, ec2.AclTraffic.tcpPort(5432)],
      // In: replies to the connections below. S3 answers from its public addresses, which a network
      // ACL cannot name (it takes no prefix lists), so replies are admitted from anywhere.
      ['InReplies', 120, ec2.TrafficDirection.INGRESS, anywhere, ephemeral],
      // Out: HTTPS to the interface endpoints in the VPC and to S3 through the gateway endpoint
      // (without an internet route, nothing else is reachable on 443).
      ['OutHttps', 100, ec2.TrafficDirection.EGRESS, anywhere, ec2.AclTraffic.tcpPort(443)],
      ['OutPostgresToVpc', 110, ec2.TrafficDirection.EGRESS, vpc, ec2.AclTraffic.tcpPort(5432)],
      // Out: replies to connections from inside the VPC.
      ['OutRepliesToVpc', 120, ec2.TrafficDirection.EGRESS, vpc, ephemeral],
    ];
    for (const [entryId, ruleNumber, direction, cidr, traffic] of rules) {
      this.networkAcl.addEntry(entryId, { ruleNumber, direction, cidr, traffic, ruleAction: ec2.Action.ALLOW });
    }
    // The AwsSolutions pack prefers security groups to network ACLs; this one is asked for as a
    // second layer under them.
    acknowledge(this, [{ id: 'AwsSolutions-VPC3', reason: 'A least-privilege network ACL asked for explicitly, as a second layer under the security groups of the environment.' }]);
    for (const cidr of props.webserverClientCidrs ?? []) {
      this.allowWebserverClients(cidr);
    }
  }

  /**
   * Admits web server clients from an IPv4 range outside the VPC: TCP 443 in, replies out.
   */
  public allowWebserverClients(cidr: string): void {
    if (!Token.isUnresolved(cidr) && !/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(cidr)) {
      throw new Error(`\`webserverClientCidrs\` must be IPv4 CIDR ranges, got: '${cidr}'`);
    }
    const ruleNumber = this.nextClientRule;
    this.nextClientRule += 10;
    const index = (ruleNumber - 200) / 10 + 1;
    if (index === MAX_CLIENT_RANGES + 1) {
      Annotations.of(this).addWarningV2('cdk-private-mwaa:aclRuleLimit',
        `\`webserverClientCidrs\`: a network ACL holds 20 inbound and 20 outbound rules unless the account's quota was raised, and this one has 3 of its own, so more than ${MAX_CLIENT_RANGES} client ranges fail at deployment; got a range number ${index} (${cidr}). Raise the quota, or combine ranges.`);
    }
    this.networkAcl.addEntry(`InHttpsFromClients${index}`, {
      ruleNumber,
      direction: ec2.TrafficDirection.INGRESS,
      cidr: ec2.AclCidr.ipv4(cidr),
      traffic: ec2.AclTraffic.tcpPort(443),
      ruleAction: ec2.Action.ALLOW,
    });
    this.networkAcl.addEntry(`OutRepliesToClients${index}`, {
      ruleNumber,
      direction: ec2.TrafficDirection.EGRESS,
      cidr: ec2.AclCidr.ipv4(cidr),
      traffic: ec2.AclTraffic.tcpPortRange(1024, 65535),
      ruleAction: ec2.Action.ALLOW,
    });
  }
}
