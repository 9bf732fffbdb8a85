import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { PeopleAccessOptions } from './access';
import { Dags, DependencyFile } from './dependencies';
import { EndpointManagement, LoggingConfiguration, SelfReferencingIngress, WebserverAccessMode, WorkerReplacementStrategy } from './environment-settings';
import { NotificationOptions } from './notifications';
import { SecretsManagerBackendOptions } from './secrets-backend';
import { AirflowVersion, EnvironmentClass } from './versions';
import { VpcEndpointsOptions } from './vpc-endpoints';

// Re-exported from where they are defined, for the files above the props that import them from here.
export { EndpointManagement, LogLevel, SelfReferencingIngress, WebserverAccessMode, WorkerReplacementStrategy } from './environment-settings';
export type { LoggingConfiguration, ModuleLoggingConfiguration } from './environment-settings';

/**
 * Properties of a `PrivateMwaaEnvironment`.
 */
export interface PrivateMwaaEnvironmentProps {
  /**
   * The name of the environment.
   *
   * 1 to 80 characters: a letter, then letters, digits, hyphens and underscores. It cannot be
   * changed after creation (a new name replaces the environment), and it names the log groups and
   * scopes the execution role.
   */
  readonly environmentName: string;

  /**
   * The VPC the environment runs in.
   */
  readonly vpc: ec2.IVpc;

  /**
   * Where in the VPC the environment runs: exactly two private subnets in two Availability Zones.
   *
   * Cannot be changed after creation (a change replaces the environment).
   *
   * @default - the VPC's private subnets with egress, else its isolated subnets, one in each of the
   * first two Availability Zones
   * @see https://docs.aws.amazon.com/mwaa/latest/userguide/networking-about.html
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * One to five security groups for the environment.
   *
   * Security groups you provide are used as they are: MWAA needs them to allow all traffic (or at
   * least TCP 443 and 5432) from themselves, and outbound traffic.
   *
   * @default - a new security group with the self-referencing rule chosen by `selfReferencingIngress`
   * and all outbound traffic allowed
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * Which self-referencing inbound rules the security group the construct creates gets.
   *
   * Only for the security group the construct creates: it cannot be combined with
   * `securityGroups`.
   *
   * @default SelfReferencingIngress.AIRFLOW_PORTS
   */
  readonly selfReferencingIngress?: SelfReferencingIngress;

  /**
   * The Apache Airflow version.
   *
   * @default AirflowVersion.V3_0_6
   */
  readonly airflowVersion?: AirflowVersion;

  /**
   * The environment class.
   *
   * @default EnvironmentClass.MW1_SMALL
   */
  readonly environmentClass?: EnvironmentClass;

  /**
   * The minimum number of workers, at least 1.
   *
   * @default 1
   */
  readonly minWorkers?: number;

  /**
   * The maximum number of workers, at least `minWorkers`. Above 25 needs a quota increase.
   *
   * @default 10
   */
  readonly maxWorkers?: number;

  /**
   * The number of schedulers: 2 to 5, or exactly 1 for `mw1.micro`.
   *
   * @default - 2, or 1 for `mw1.micro`
   */
  readonly schedulers?: number;

  /**
   * The minimum number of web servers: 2 to 5, or exactly 1 for `mw1.micro`.
   *
   * @default - 2, or 1 for `mw1.micro`
   */
  readonly minWebservers?: number;

  /**
   * The maximum number of web servers: 2 to 5 and at least `minWebservers`, or exactly 1 for
   * `mw1.micro`.
   *
   * @default - 2, or 1 for `mw1.micro`
   */
  readonly maxWebservers?: number;

  /**
   * When the weekly maintenance window starts, in UTC, as `DAY:HH:MM` with `MM` 00 or 30, for
   * example `SUN:03:30`.
   *
   * @default - MWAA picks a window
   */
  readonly weeklyMaintenanceWindowStart?: string;

  /**
   * How workers are replaced during an update.
   *
   * @default - MWAA's default, `FORCED`
   */
  readonly workerReplacementStrategy?: WorkerReplacementStrategy;

  /**
   * Apache Airflow configuration options, for example `{ 'core.default_timezone': 'utc' }`.
   *
   * Keys are lower case `section.option` names of at most 64 characters; values are 1 to 65,536
   * printable characters. `celery.worker_concurrency` is managed by MWAA and cannot be set.
   *
   * @default - none
   * @see https://docs.aws.amazon.com/mwaa/latest/userguide/configuring-env-variables.html
   */
  readonly airflowConfigurationOptions?: { [key: string]: string };

  /**
   * Logging for each log type.
   *
   * @default - all five log types enabled at INFO
   */
  readonly loggingConfiguration?: LoggingConfiguration;

  /**
   * How long the environment's log groups keep events.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Who can reach the Airflow web server.
   *
   * @default WebserverAccessMode.PRIVATE_ONLY
   */
  readonly webserverAccessMode?: WebserverAccessMode;

  /**
   * Who creates the VPC endpoints for the metadata database and the web server.
   *
   * With `CUSTOMER` the environment stays `PENDING` until you create them. Cannot be changed after
   * creation.
   *
   * @default EndpointManagement.SERVICE
   */
  readonly endpointManagement?: EndpointManagement;

  /**
   * The KMS key that encrypts the environment, its bucket and its log groups.
   *
   * It must be a key (not an alias), single-Region, in the environment's Region. The construct adds
   * a statement to the key policy that lets CloudWatch Logs use the key for this environment's log
   * groups; for an imported key, add it yourself. Cannot be changed after creation.
   *
   * @default - the source bucket's key if `sourceBucket` is encrypted with one, else a new key with
   * rotation enabled
   * @see https://docs.aws.amazon.com/mwaa/latest/userguide/custom-keys-certs.html
   */
  readonly kmsKey?: kms.IKey;

  /**
   * The bucket that holds DAGs, requirements, plugins and the startup script.
   *
   * It must have versioning enabled and all public access blocked, and if it is encrypted with a
   * customer managed key, that key must be the environment's key.
   *
   * @default - a new versioned bucket with all public access blocked, TLS enforced and SSE-KMS with
   * the environment's key
   */
  readonly sourceBucket?: s3.IBucket;

  /**
   * Where the server access logs of the bucket the construct creates go.
   *
   * @default - no server access logs
   */
  readonly sourceBucketAccessLogs?: s3.IBucket;

  /**
   * Where the DAGs come from: `Dags.fromAsset(path)` synchronises a local folder to the DAG folder
   * of the source bucket on every deployment; `Dags.fromBucket(folder)` names a folder that is
   * deployed another way.
   *
   * @default - `Dags.fromBucket('dags')`: the folder `dags`, nothing is uploaded; deploy DAGs
   * another way (see `grantDagDeployment`)
   */
  readonly dags?: Dags;

  /**
   * The `requirements.txt` of the environment: `DependencyFile.fromAsset(path)` uploads a local
   * file and pins the environment to the version of the upload; `DependencyFile.fromBucket(key,
   * objectVersion)` names an object version already in the source bucket.
   *
   * @default - no requirements
   */
  readonly requirements?: DependencyFile;

  /**
   * The plugins archive of the environment: `DependencyFile.fromAsset(path)` uploads a local
   * plugins folder (zipped at synth time) or `plugins.zip`, pinned to the version of the upload;
   * `DependencyFile.fromBucket(key, objectVersion)` names an object version already in the source
   * bucket.
   *
   * @default - no plugins
   */
  readonly plugins?: DependencyFile;

  /**
   * The startup shell script of the environment: `DependencyFile.fromAsset(path)` uploads a local
   * script, pinned to the version of the upload; `DependencyFile.fromBucket(key, objectVersion)`
   * names an object version already in the source bucket.
   *
   * @default - no startup script
   */
  readonly startupScript?: DependencyFile;

  /**
   * Read Airflow connections and variables from AWS Secrets Manager.
   *
   * Sets `secrets.backend` and `secrets.backend_kwargs` in the Airflow configuration and lets the
   * execution role read the secrets under the two prefixes (and decrypt them with the environment's
   * key, through Secrets Manager only).
   *
   * @default - connections and variables live in the Airflow metadata database
   * @see https://docs.aws.amazon.com/mwaa/latest/userguide/connections-secrets-manager.html
   */
  readonly secretsBackend?: SecretsManagerBackendOptions;

  /**
   * The execution role MWAA assumes.
   *
   * A role you provide gets the same least-privilege policy attached as the one the construct
   * creates; its trust policy is yours to set (principals `airflow.amazonaws.com` and
   * `airflow-env.amazonaws.com`, with `aws:SourceArn` and `aws:SourceAccount` conditions).
   *
   * @default - a new role trusted only by MWAA for this environment in this account
   * @see https://docs.aws.amazon.com/mwaa/latest/userguide/mwaa-create-role.html
   */
  readonly executionRole?: iam.IRole;

  /**
   * The SNS topic that operators are notified on: environment status changes, the recommended
   * alarms and the public web server guardrail publish to it.
   *
   * A topic you bring gets a policy statement that lets EventBridge and CloudWatch in this account
   * publish; if it is encrypted with a customer managed key of this app, the key's policy lets them
   * use it (`kms:Decrypt`, `kms:GenerateDataKey*`); a key this app cannot change (imported, an alias,
   * AWS managed) earns the warning `MwaaWarnings.NOTIFICATION_TOPIC_IMPORTED_KEY`.
   *
   * @see https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
   *
   * @default - a new topic encrypted with the environment's key, that only EventBridge and
   * CloudWatch in this account may publish to
   */
  readonly notificationTopic?: sns.ITopic;

  /**
   * Who is notified, and of which status changes.
   *
   * @default - status changes to CREATE_FAILED, UPDATE_FAILED and UNAVAILABLE go to the topic, with
   * no subscription
   */
  readonly notifications?: NotificationOptions;

  /**
   * How people get access: one IAM group per access profile (by default), and existing roles,
   * groups and users to give a profile.
   *
   * @default - one group per profile, no other assignment
   */
  readonly peopleAccess?: PeopleAccessOptions;

  /**
   * Networks that may reach the web server on TCP 443, such as the corporate data centre or VPN
   * range (`ec2.Peer.ipv4('10.20.0.0/16')`).
   *
   * @default - none besides the environment itself
   */
  readonly webserverAccessPeers?: ec2.IPeer[];

  /**
   * Whether to notify the topic when someone calls `UpdateEnvironment` to make this environment's
   * web server public. Needs CloudTrail management events in the account (most accounts have a
   * trail).
   *
   * @default - true for a private web server
   */
  readonly publicAccessGuardrail?: boolean;

  /**
   * Put a Step Functions state machine between people and `UpdateEnvironment`: it updates only an
   * allowlist of settings (dependency versions, schedulers, workers, web servers, class,
   * configuration options, log levels, maintenance window, worker replacement), never the web server
   * access mode, the role, the network, the bucket or the key. The administrator profile then gets
   * `states:StartExecution` on it instead of `airflow:UpdateEnvironment`.
   *
   * @default false
   */
  readonly selfService?: boolean;

  /**
   * With `selfService`: the only Airflow configuration options a self-service update may set,
   * instead of the default (every option but those that change security or execution). See
   * `MwaaSelfServiceProps.allowedConfigurationOptions`.
   *
   * @default - any option except those that change security or execution
   */
  readonly selfServiceAllowedConfigurationOptions?: string[];

  /**
   * Switch the web server back to PRIVATE_ONLY automatically when someone makes it public: a state
   * machine started by the public access guardrail waits for the environment to be AVAILABLE,
   * updates it back, and reports who made the change on the topic. Needs the guardrail (on by
   * default for a private web server).
   *
   * @default false
   */
  readonly revertPublicAccess?: boolean;

  /**
   * Create the VPC endpoints the environment needs in subnets without internet access (an S3
   * gateway endpoint and interface endpoints for SQS, CloudWatch Logs, CloudWatch metrics and KMS,
   * plus the extras chosen in `vpcEndpointsOptions`), in the environment's subnets, reachable only
   * from its security groups, with least-privilege endpoint policies. The environment is created
   * after them.
   *
   * @default false - the subnets reach these services another way (a NAT gateway, or endpoints
   * that already exist in the VPC)
   */
  readonly createVpcEndpoints?: boolean;

  /**
   * Which endpoints `createVpcEndpoints` adds beyond the required ones, and how strict their
   * policies are. Only with `createVpcEndpoints`.
   *
   * @default - the required endpoints, plus Secrets Manager with `secretsBackend`
   */
  readonly vpcEndpointsOptions?: VpcEndpointsOptions;

  /**
   * Create an SQS queue for Airflow 3 asset watchers (event-driven scheduling): encrypted with the
   * environment's key, the execution role may receive and delete its messages (and nothing else on
   * it), and with `createVpcEndpoints` the SQS endpoint admits it. Send to it what should start DAG
   * runs (S3 notifications, EventBridge rules) and watch it from a DAG with
   * `MessageQueueTrigger(queue=<its URL>)`. Airflow 3 or later only.
   *
   * @default false
   * @see https://airflow.apache.org/docs/apache-airflow/stable/authoring-and-scheduling/event-scheduling.html
   * @see https://airflow.apache.org/docs/apache-airflow-providers-amazon/stable/message-queues/index.html
   */
  readonly eventQueue?: boolean;

  /**
   * Associate a least-privilege network ACL with the environment's subnets: TCP 443 and 5432 inside
   * the VPC, HTTPS out, the replies of those connections, and TCP 443 from the IPv4 ranges of
   * `webserverAccessPeers` (and of later `allowWebserverAccessFrom` calls). Everything else is
   * denied, for every resource in those subnets.
   *
   * @default false
   */
  readonly createNetworkAcl?: boolean;

  /**
   * With `endpointManagement` CUSTOMER, create the environment's database endpoint and (for a
   * private web server) its web server endpoint in its subnets and security groups, from the
   * services the environment reports. CloudFormation finishes creating the environment when it is
   * PENDING, so these are created in the same deployment. Turn this off when another account owns
   * the VPC (see `MwaaSharedVpcEndpointProvisioner`).
   *
   * @default true
   */
  readonly createCustomerEndpoints?: boolean;

  /**
   * What happens to the key, the bucket, the log groups and the execution role the construct
   * creates when they leave the stack or would be replaced (their deletion and update-replace
   * policies). The execution role is kept because the environment's Celery queue is tied to it.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Attributes of an environment defined outside this stack.
 */
export interface PrivateMwaaEnvironmentAttributes {
  /**
   * The name of the environment.
   */
  readonly environmentName: string;

  /**
   * The account of the environment, when it is not the scope's stack's (for example for an
   * `AirflowPermissionSet` in the IAM Identity Center account).
   *
   * @default - the account of the scope's stack
   */
  readonly account?: string;

  /**
   * The Region of the environment, when it is not the scope's stack's.
   *
   * @default - the Region of the scope's stack
   */
  readonly region?: string;

  /**
   * The security groups of the environment, to allow traffic with `connections`.
   *
   * @default - none
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * The execution role of the environment, to grant it access with `grantPrincipal`.
   *
   * @default - grants to the environment have no effect
   */
  readonly executionRole?: iam.IRole;

  /**
   * The source bucket of the environment, to grant DAG and dependency deployment.
   *
   * @default - deployment grants fail with an error that asks for it
   */
  readonly sourceBucket?: s3.IBucket;

  /**
   * The KMS key of the environment, for the deployment grants' use of the key through S3.
   *
   * @default - the bucket's key, if the bucket object knows it
   */
  readonly kmsKey?: kms.IKey;

  /**
   * The DAG folder in the source bucket.
   *
   * @default 'dags'
   */
  readonly dagS3Path?: string;
}
