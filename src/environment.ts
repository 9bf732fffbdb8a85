import * as fs from 'fs';
import { Annotations, ArnFormat, Aws, Duration, IResource, RemovalPolicy, Resource, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as mwaa from 'aws-cdk-lib/aws-mwaa';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { AccessProfile, AirflowRole, PeopleAccessOptions } from './access';
import { SecretsManagerBackendOptions } from './delivery';
import { AirflowComponent, EnvironmentDashboardOptions, RecommendedAlarmsOptions } from './monitoring';
import { MwaaNetworkAcl, MwaaVpcEndpoints, VpcEndpointsOptions } from './network';
import { EnvironmentStatus, NotificationOptions } from './notifications';
import { acknowledge, findingName } from './private/acknowledgements';
import { listFiles, parseRequirements, pathKind, PinnedUpload, PLUGINS_MOUNT, SECRETS_MANAGER_BACKEND_CLASS, zipEntries, isZipArchive } from './private/delivery';
import { executionPolicyStatements, logGroupArn, logGroupArnPattern, secretArnPattern } from './private/execution-policy';
import { AIRFLOW_NAMESPACE, ALARM_PERIOD, MWAA_NAMESPACE, periodsIn, STATISTICS } from './private/monitoring';
import { MwaaServicePrincipals } from './private/principals';
import { TopicTarget } from './private/topic-target';
import * as v from './private/validation';
import { AirflowVersion, EnvironmentClass } from './versions';

/**
 * An Amazon MWAA environment, created by this library or imported.
 */
export interface IPrivateMwaaEnvironment extends IResource, ec2.IConnectable, iam.IGrantable {
  /**
   * The name of the environment.
   *
   * @attribute
   */
  readonly environmentName: string;

  /**
   * The ARN of the environment.
   *
   * @attribute
   */
  readonly environmentArn: string;

  /**
   * An Apache Airflow metric of this environment, in the `AmazonMWAA` namespace.
   *
   * The `Environment` dimension is always this environment's name; give the others, such as
   * `{ Function: 'Scheduler' }`, in `props.dimensionsMap`.
   *
   * @param metricName the metric, for example `TaskInstanceFailures`
   * @see https://docs.aws.amazon.com/mwaa/latest/userguide/access-metrics-cw-202.html
   */
  metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * Scheduler heartbeats (sum over 5 minutes); none means no scheduler is running.
   */
  metricSchedulerHeartbeat(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * Tasks waiting in the executor queue (maximum over 5 minutes).
   */
  metricQueuedTasks(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * Tasks running on the workers (maximum over 5 minutes).
   */
  metricRunningTasks(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * Seconds spent parsing all DAG files (average over 5 minutes).
   */
  metricDagProcessingTotalParseTime(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * DAG files that failed to import (maximum over 5 minutes).
   */
  metricDagImportErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * CPU utilization of one component, in percent (average over 5 minutes), in the `AWS/MWAA`
   * namespace.
   */
  metricCpuUtilization(component: AirflowComponent, props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * Memory utilization of one component, in percent (average over 5 minutes), in the `AWS/MWAA`
   * namespace.
   */
  metricMemoryUtilization(component: AirflowComponent, props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * Let the grantee log in to the Airflow UI as the given Airflow role
   * (`airflow:CreateWebLoginToken`).
   */
  grantWebLogin(grantee: iam.IGrantable, role: AirflowRole): iam.Grant;

  /**
   * Let the grantee call the Airflow REST API as the given Airflow role (`airflow:InvokeRestApi`).
   */
  grantRestApi(grantee: iam.IGrantable, role: AirflowRole): iam.Grant;

  /**
   * Let the grantee get an Airflow CLI token (`airflow:CreateCliToken`). The CLI runs any Airflow
   * command, so this is an administrator's permission.
   */
  grantCliToken(grantee: iam.IGrantable): iam.Grant;

  /**
   * Let the grantee read the environment's logs in CloudWatch Logs, including Logs Insights queries.
   */
  grantReadLogs(grantee: iam.IGrantable): iam.Grant;

  /**
   * Let the grantee see the environment in the console and the API (`GetEnvironment`,
   * `ListEnvironments`, `ListTagsForResource`).
   */
  grantConsoleReadOnly(grantee: iam.IGrantable): iam.Grant;

  /**
   * Let the grantee update the environment (scheduler count, environment class, requirements and
   * plugin versions, and every other setting `UpdateEnvironment` takes) and read it.
   */
  grantAdministration(grantee: iam.IGrantable): iam.Grant;
}

/**
 * What every environment, created or imported, can do: network access, grants and metrics.
 */
export abstract class PrivateMwaaEnvironmentBase extends Resource implements IPrivateMwaaEnvironment {
  public abstract readonly environmentName: string;
  public abstract readonly environmentArn: string;
  public abstract readonly connections: ec2.Connections;
  public abstract readonly grantPrincipal: iam.IPrincipal;

  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: AIRFLOW_NAMESPACE,
      metricName,
      period: ALARM_PERIOD,
      ...props,
      dimensionsMap: { ...props?.dimensionsMap, Environment: this.environmentName },
    });
  }

  private airflowMetric(metricName: string, airflowFunction: string, statistic: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(metricName, { statistic, ...props, dimensionsMap: { ...props?.dimensionsMap, Function: airflowFunction } });
  }

  public metricSchedulerHeartbeat(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.airflowMetric('SchedulerHeartbeat', 'Scheduler', STATISTICS.heartbeat, props);
  }

  public metricQueuedTasks(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.airflowMetric('QueuedTasks', 'Executor', STATISTICS.tasks, props);
  }

  public metricRunningTasks(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.airflowMetric('RunningTasks', 'Executor', STATISTICS.tasks, props);
  }

  public metricDagProcessingTotalParseTime(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.airflowMetric('TotalParseTime', 'DAG Processing', STATISTICS.parseTime, props);
  }

  public metricDagImportErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.airflowMetric('ImportErrors', 'DAG Processing', STATISTICS.tasks, props);
  }

  public metricCpuUtilization(component: AirflowComponent, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.componentMetric('CPUUtilization', component, props);
  }

  public metricMemoryUtilization(component: AirflowComponent, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.componentMetric('MemoryUtilization', component, props);
  }

  public grantWebLogin(grantee: iam.IGrantable, role: AirflowRole): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['airflow:CreateWebLoginToken'], resourceArns: [this.airflowRoleArn(role)] });
  }

  public grantRestApi(grantee: iam.IGrantable, role: AirflowRole): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['airflow:InvokeRestApi'], resourceArns: [this.airflowRoleArn(role)] });
  }

  public grantCliToken(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['airflow:CreateCliToken'], resourceArns: [this.arnForPolicies()] });
  }

  public grantReadLogs(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['logs:DescribeLogStreams', 'logs:GetLogEvents', 'logs:FilterLogEvents', 'logs:StartQuery', 'logs:GetLogGroupFields'],
      // The five groups by name (and their streams): a pattern such as airflow-<name>-* would also
      // match the groups of an environment whose name starts with this one's and a hyphen.
      resourceArns: LOG_TYPES.flatMap(type => {
        const group = logGroupArn(this, this.environmentName, type.suffix);
        return [group, `${group}:*`];
      }),
    }).combine(iam.Grant.addToPrincipal({
      grantee,
      // No resource-level permissions: listing the groups and reading the results of a query.
      actions: ['logs:DescribeLogGroups', 'logs:GetQueryResults'],
      resourceArns: ['*'],
    }));
  }

  public grantConsoleReadOnly(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee, actions: ['airflow:GetEnvironment', 'airflow:ListTagsForResource'], resourceArns: [this.arnForPolicies()],
    }).combine(iam.Grant.addToPrincipal({
      grantee, actions: ['airflow:ListEnvironments'], resourceArns: ['*'], // no resource-level permissions
    }));
  }

  public grantAdministration(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee, actions: ['airflow:GetEnvironment', 'airflow:UpdateEnvironment'], resourceArns: [this.arnForPolicies()],
    });
  }

  /** The ARN of an Airflow role of this environment, for login and REST API grants. */
  protected airflowRoleArn(role: AirflowRole): string {
    return Stack.of(this).formatArn({ service: 'airflow', resource: 'role', resourceName: `${this.environmentName}/${role}`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  }

  /** The environment ARN formatted from its name, so that policies do not wait for the environment. */
  protected arnForPolicies(): string {
    return Stack.of(this).formatArn({ service: 'airflow', resource: 'environment', resourceName: this.environmentName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  }

  private componentMetric(metricName: string, component: AirflowComponent, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: MWAA_NAMESPACE,
      metricName,
      period: ALARM_PERIOD,
      statistic: STATISTICS.utilization,
      unit: cloudwatch.Unit.PERCENT,
      ...props,
      dimensionsMap: { ...props?.dimensionsMap, Cluster: component, Environment: this.environmentName },
    });
  }
}

/**
 * How one type of Airflow log is sent to CloudWatch Logs.
 */
export interface ModuleLoggingConfiguration {
  /**
   * Whether MWAA sends this type of log to CloudWatch Logs.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * The least severe level that is sent.
   *
   * @default LogLevel.INFO
   */
  readonly logLevel?: LogLevel;
}

/**
 * Logging for each of the five Airflow log types.
 *
 * Every type is on at `INFO` unless set otherwise, which is what regulated workloads need and what
 * cdk-nag's MWAA rule checks for.
 *
 * @see https://docs.aws.amazon.com/mwaa/latest/userguide/monitoring-airflow.html
 */
export interface LoggingConfiguration {
  /**
   * DAG processing logs.
   *
   * @default - enabled at INFO
   */
  readonly dagProcessingLogs?: ModuleLoggingConfiguration;

  /**
   * Scheduler logs.
   *
   * @default - enabled at INFO
   */
  readonly schedulerLogs?: ModuleLoggingConfiguration;

  /**
   * Task logs.
   *
   * @default - enabled at INFO
   */
  readonly taskLogs?: ModuleLoggingConfiguration;

  /**
   * Web server logs.
   *
   * @default - enabled at INFO
   */
  readonly webserverLogs?: ModuleLoggingConfiguration;

  /**
   * Worker logs.
   *
   * @default - enabled at INFO
   */
  readonly workerLogs?: ModuleLoggingConfiguration;
}

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
   * The folder in the source bucket that holds the DAGs.
   *
   * @default 'dags'
   */
  readonly dagS3Path?: string;

  /**
   * The key of `requirements.txt` in the source bucket. Needs `requirementsS3ObjectVersion`.
   *
   * @default - no requirements
   */
  readonly requirementsS3Path?: string;

  /**
   * The S3 object version of `requirements.txt`.
   *
   * @default - none; required when `requirementsS3Path` is set
   */
  readonly requirementsS3ObjectVersion?: string;

  /**
   * The key of `plugins.zip` in the source bucket. Needs `pluginsS3ObjectVersion`.
   *
   * @default - no plugins
   */
  readonly pluginsS3Path?: string;

  /**
   * The S3 object version of `plugins.zip`.
   *
   * @default - none; required when `pluginsS3Path` is set
   */
  readonly pluginsS3ObjectVersion?: string;

  /**
   * The key of the startup shell script in the source bucket. Needs
   * `startupScriptS3ObjectVersion`.
   *
   * @default - no startup script
   */
  readonly startupScriptS3Path?: string;

  /**
   * The S3 object version of the startup script.
   *
   * @default - none; required when `startupScriptS3Path` is set
   */
  readonly startupScriptS3ObjectVersion?: string;

  /**
   * A local folder of DAGs to upload to `dagS3Path` on every deployment.
   *
   * MWAA picks DAG changes up by itself within about a minute, so changing a DAG never updates the
   * environment resource. Python caches (`__pycache__`, `*.pyc`) are not uploaded.
   *
   * @default - nothing is uploaded; deploy DAGs another way (see `grantDagDeployment`)
   */
  readonly dagsLocalPath?: string;

  /**
   * Whether uploading `dagsLocalPath` deletes objects under `dagS3Path` that are not in the local
   * folder. Only objects under `dagS3Path` are ever deleted.
   *
   * @default true
   */
  readonly pruneDags?: boolean;

  /**
   * A local `requirements.txt` to upload to `requirementsS3Path` (default `requirements.txt`).
   *
   * The environment is given the S3 object version of the upload, read at deploy time, so a changed
   * file updates the environment once and an unchanged one not at all. Do not set
   * `requirementsS3ObjectVersion` with it.
   *
   * @default - no requirements uploaded
   */
  readonly requirementsLocalPath?: string;

  /**
   * A local plugins folder (zipped at synth time) or `plugins.zip` to upload to `pluginsS3Path`
   * (default `plugins.zip`), pinned to the uploaded version like `requirementsLocalPath`.
   *
   * The folder may hold Python wheels that `requirements.txt` installs from
   * `/usr/local/airflow/plugins`, which is how an environment without internet access gets its
   * dependencies.
   *
   * @default - no plugins uploaded
   */
  readonly pluginsLocalPath?: string;

  /**
   * A local startup shell script to upload to `startupScriptS3Path` (default `startup.sh`), pinned to
   * the uploaded version like `requirementsLocalPath`.
   *
   * @default - no startup script uploaded
   */
  readonly startupScriptLocalPath?: string;

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
   * publish; if it is encrypted, its key must let them use it.
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
   * Create the VPC endpoints the environment needs in subnets without internet access (an S3
   * gateway endpoint and interface endpoints for SQS, CloudWatch Logs, CloudWatch metrics and KMS,
   * plus any extras chosen here), in the environment's subnets, reachable only from its security
   * groups, with least-privilege endpoint policies. The environment is created after them.
   *
   * @default - none: the subnets reach these services another way (a NAT gateway, or endpoints
   * that already exist in the VPC)
   */
  readonly vpcEndpoints?: VpcEndpointsOptions;

  /**
   * Associate a least-privilege network ACL with the environment's subnets: TCP 443 and 5432 inside
   * the VPC, HTTPS out, the replies of those connections, and TCP 443 from the IPv4 ranges of
   * `webserverAccessPeers` (and of later `allowWebserverAccessFrom` calls). Everything else is
   * denied, for every resource in those subnets.
   *
   * @default false
   */
  readonly networkAcl?: boolean;

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
   * What happens to the key, the bucket and the log groups the construct creates when they leave
   * the stack.
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
}

/**
 * Who can reach the Airflow web server.
 *
 * @see https://docs.aws.amazon.com/mwaa/latest/userguide/configuring-networking.html
 */
export enum WebserverAccessMode {
  /** Only from inside the VPC, through a VPC endpoint. */
  PRIVATE_ONLY = 'PRIVATE_ONLY',
  /** From the internet, to anyone with IAM permission to log in. */
  PUBLIC_ONLY = 'PUBLIC_ONLY',
}

/**
 * Who creates the VPC endpoints of the environment.
 */
export enum EndpointManagement {
  /** MWAA creates them. */
  SERVICE = 'SERVICE',
  /** You create them, for example in the account that owns a shared VPC. */
  CUSTOMER = 'CUSTOMER',
}

/**
 * How workers are replaced during an update.
 */
export enum WorkerReplacementStrategy {
  /** Stop and replace workers without waiting for running tasks. */
  FORCED = 'FORCED',
  /** Let workers finish running tasks (up to 12 hours) before they are replaced. */
  GRACEFUL = 'GRACEFUL',
}

/**
 * The least severe level of a log type that is sent to CloudWatch Logs.
 */
export enum LogLevel {
  /** Critical only. */
  CRITICAL = 'CRITICAL',
  /** Error and above. */
  ERROR = 'ERROR',
  /** Warning and above. */
  WARNING = 'WARNING',
  /** Information and above. */
  INFO = 'INFO',
  /** Everything. */
  DEBUG = 'DEBUG',
}

/**
 * The self-referencing inbound rules of the security group the construct creates.
 *
 * @see https://docs.aws.amazon.com/mwaa/latest/userguide/vpc-security.html
 */
export enum SelfReferencingIngress {
  /** TCP 443 (web server) and TCP 5432 (metadata database) from the group itself: the strict form. */
  AIRFLOW_PORTS = 'AIRFLOW_PORTS',
  /** All traffic from the group itself: the form the MWAA user guide shows. */
  ALL_TRAFFIC = 'ALL_TRAFFIC',
}

/** The access profiles, with their construct ids and group name suffixes. */
const PROFILES = [
  { key: AccessProfile.ADMINISTRATOR, id: 'Administrators', groupSuffix: 'administrators' },
  { key: AccessProfile.DEVELOPER, id: 'Developers', groupSuffix: 'developers' },
  { key: AccessProfile.OPERATOR, id: 'Operators', groupSuffix: 'operators' },
  { key: AccessProfile.VIEWER, id: 'Viewers', groupSuffix: 'viewers' },
];

/** The name of the managed policy of an access profile: `<environment>-airflow-<profile>`. */
/** Where a dependency file comes from: a key with a version, or a local path to upload. */
interface DependencySource {
  readonly key?: string;
  readonly version?: string;
  readonly localPath?: string;
}

/** The secret name prefixes the Secrets Manager backend reads, if it is on. */
function secretPrefixes(backend?: SecretsManagerBackendOptions): string[] {
  if (backend === undefined) {
    return [];
  }
  return [backend.connectionsPrefix ?? 'airflow/connections', backend.variablesPrefix ?? 'airflow/variables'];
}

function accessPolicyName(environmentName: string, profile: AccessProfile): string {
  return `${environmentName}-airflow-${PROFILES.find(p => p.key === profile)!.groupSuffix}`;
}

/** The keys of the status change event's detail that the rule matches on. */
const STATUS_EVENT_FIELDS = { name: 'name', status: 'status' } as const;

/** The five log types, in the order CloudFormation lists them. */
const LOG_TYPES = [
  { prop: 'dagProcessingLogs', id: 'DagProcessingLogs', suffix: 'DAGProcessing' },
  { prop: 'schedulerLogs', id: 'SchedulerLogs', suffix: 'Scheduler' },
  { prop: 'taskLogs', id: 'TaskLogs', suffix: 'Task' },
  { prop: 'webserverLogs', id: 'WebserverLogs', suffix: 'WebServer' },
  { prop: 'workerLogs', id: 'WorkerLogs', suffix: 'Worker' },
] as const;

/**
 * A private Amazon MWAA (managed Apache Airflow) environment with everything it needs.
 *
 * By default it creates: a KMS key with rotation, a versioned bucket with all public access blocked,
 * an execution role with the least-privilege policy the MWAA user guide documents (trusted only by
 * MWAA for this environment in this account), a self-referencing security group, five encrypted
 * log groups with a retention, and the environment itself with a private web server and all logs at
 * INFO. Each supporting resource can be brought instead.
 *
 * @resource AWS::MWAA::Environment
 */
export class PrivateMwaaEnvironment extends PrivateMwaaEnvironmentBase {
  /**
   * Refer to an environment defined elsewhere.
   */
  public static fromEnvironmentAttributes(
    scope: Construct,
    id: string,
    attrs: PrivateMwaaEnvironmentAttributes,
  ): IPrivateMwaaEnvironment {
    class Import extends PrivateMwaaEnvironmentBase {
      public readonly environmentName = attrs.environmentName;
      public readonly environmentArn = Stack.of(scope).formatArn({
        service: 'airflow',
        resource: 'environment',
        resourceName: attrs.environmentName,
      });
      public readonly connections = new ec2.Connections({
        securityGroups: attrs.securityGroups,
        defaultPort: ec2.Port.tcp(443),
      });
      public readonly grantPrincipal: iam.IPrincipal = attrs.executionRole ?? new iam.UnknownPrincipal({ resource: this });
    }
    return new Import(scope, id);
  }

  /** The name of the environment. */
  public readonly environmentName: string;
  /** The ARN of the environment. */
  public readonly environmentArn: string;
  /** The URL of the Airflow web server (without `https://`). */
  public readonly webserverUrl: string;
  /** The ARN of the environment's Celery executor queue, in an account owned by MWAA. */
  public readonly celeryExecutorQueueArn: string;
  /**
   * The VPC endpoint service name of the metadata database, for customer-managed endpoints.
   */
  public readonly databaseVpcEndpointService: string;
  /**
   * The VPC endpoint service name of the web server, for customer-managed endpoints with a private
   * web server (empty for a public one).
   */
  public readonly webserverVpcEndpointService: string;
  /** The KMS key that encrypts the environment, its bucket and its log groups. */
  public readonly kmsKey: kms.IKey;
  /** The source bucket. */
  public readonly sourceBucket: s3.IBucket;
  /** The execution role. */
  public readonly executionRole: iam.IRole;
  /**
   * The customer managed policy attached to the execution role; the environment depends on it.
   */
  public readonly executionRolePolicy: iam.ManagedPolicy;
  /** The security groups of the environment. */
  public readonly securityGroups: ec2.ISecurityGroup[];
  /** The subnets the environment runs in. */
  public readonly subnets: ec2.ISubnet[];
  /** Network access to the environment; the default port is the web server's, TCP 443. */
  public readonly connections: ec2.Connections;
  /** The principal to grant permissions to: the execution role. */
  public readonly grantPrincipal: iam.IPrincipal;
  /** The log group of DAG processing logs, `airflow-<name>-DAGProcessing`. */
  public readonly dagProcessingLogGroup: logs.ILogGroup;
  /** The log group of scheduler logs, `airflow-<name>-Scheduler`. */
  public readonly schedulerLogGroup: logs.ILogGroup;
  /** The log group of task logs, `airflow-<name>-Task`. */
  public readonly taskLogGroup: logs.ILogGroup;
  /** The log group of web server logs, `airflow-<name>-WebServer`. */
  public readonly webserverLogGroup: logs.ILogGroup;
  /** The log group of worker logs, `airflow-<name>-Worker`. */
  public readonly workerLogGroup: logs.ILogGroup;
  /** The Apache Airflow version. */
  public readonly airflowVersion: AirflowVersion;
  /** The environment class. */
  public readonly environmentClass: EnvironmentClass;
  /** Who can reach the web server. */
  public readonly webserverAccessMode: WebserverAccessMode;
  /** Who creates the VPC endpoints. */
  public readonly endpointManagement: EndpointManagement;
  /** The topic operators are notified on. */
  public readonly notificationTopic: sns.ITopic;
  /** The rule that forwards the environment's status changes to the topic. */
  public readonly statusChangeRule: events.Rule;
  /**
   * The rule that notifies the topic when the web server is made public.
   *
   * @default - none, when `publicAccessGuardrail` is off
   */
  public readonly publicAccessGuardrailRule?: events.Rule;
  /** The IAM groups created per access profile, by profile. Empty when groups are turned off. */
  public readonly groups: { [profile: string]: iam.IGroup };

  /**
   * The deployment that uploads `dagsLocalPath`.
   *
   * @default - none, when `dagsLocalPath` is not set
   */
  public readonly dagsDeployment?: s3deploy.BucketDeployment;
  /**
   * The object version of `requirements.txt` the environment uses: the one given, or the version of
   * the upload of `requirementsLocalPath`, resolved at deploy time.
   *
   * @default - none, when there are no requirements
   */
  public readonly requirementsS3ObjectVersion?: string;
  /**
   * The object version of `plugins.zip` the environment uses, given or uploaded.
   *
   * @default - none, when there are no plugins
   */
  public readonly pluginsS3ObjectVersion?: string;
  /**
   * The object version of the startup script the environment uses, given or uploaded.
   *
   * @default - none, when there is no startup script
   */
  public readonly startupScriptS3ObjectVersion?: string;

  /**
   * The VPC endpoints created for the environment.
   *
   * @default - none, when `vpcEndpoints` is not set
   */
  public readonly vpcEndpoints?: MwaaVpcEndpoints;
  /**
   * The network ACL of the environment's subnets.
   *
   * @default - none, when `networkAcl` is not set
   */
  public readonly networkAcl?: MwaaNetworkAcl;
  /**
   * The customer-managed endpoint of the metadata database.
   *
   * @default - none, unless `endpointManagement` is CUSTOMER and `createCustomerEndpoints` is on
   */
  public readonly databaseVpcEndpoint?: ec2.CfnVPCEndpoint;
  /**
   * The customer-managed endpoint of the web server.
   *
   * @default - none, unless `endpointManagement` is CUSTOMER with a private web server and
   * `createCustomerEndpoints` is on
   */
  public readonly webserverVpcEndpoint?: ec2.CfnVPCEndpoint;

  /** The underlying CloudFormation resource. */
  private readonly resource: mwaa.CfnEnvironment;
  /** The alarms `addRecommendedAlarms()` created. */
  private readonly recommendedAlarms: cloudwatch.Alarm[] = [];
  /** The managed policy of each access profile, created when first used. */
  private readonly accessPolicies = new Map<AccessProfile, iam.ManagedPolicy>();
  /** The keys of the dependency files in the source bucket. */
  private readonly dependencyKeys: string[];
  /** The DAG folder in the source bucket. */
  private readonly dagFolder: string;

  constructor(scope: Construct, id: string, props: PrivateMwaaEnvironmentProps) {
    super(scope, id, { physicalName: props.environmentName });

    this.environmentName = props.environmentName;
    this.airflowVersion = props.airflowVersion ?? AirflowVersion.V3_0_6;
    this.environmentClass = props.environmentClass ?? EnvironmentClass.MW1_SMALL;
    this.webserverAccessMode = props.webserverAccessMode ?? WebserverAccessMode.PRIVATE_ONLY;
    this.endpointManagement = props.endpointManagement ?? EndpointManagement.SERVICE;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const oneOrTwo = this.environmentClass.isMicro ? 1 : 2;
    const minWorkers = props.minWorkers ?? 1;
    const maxWorkers = props.maxWorkers ?? Math.max(10, v.isNumber(minWorkers) ? minWorkers : 10);
    const schedulers = props.schedulers ?? oneOrTwo;
    const minWebservers = props.minWebservers ?? oneOrTwo;
    const maxWebservers = props.maxWebservers
      ?? (v.isNumber(minWebservers) ? Math.max(oneOrTwo, minWebservers) : oneOrTwo);
    const dagS3Path = props.dagS3Path ?? 'dags';

    // Everything is checked before anything is created.
    this.validateEnvironmentName(props.environmentName);
    this.validateAirflowVersion(this.airflowVersion);
    this.validateEnvironmentClass(this.environmentClass);
    this.validateWorkers(minWorkers, maxWorkers);
    this.validateSchedulers(schedulers);
    this.validateWebservers(minWebservers, maxWebservers);
    this.validateMaintenanceWindow(props.weeklyMaintenanceWindowStart);
    const configurationOptions = this.withSecretsBackend(props.airflowConfigurationOptions, props.secretsBackend);
    this.validateS3Path('dagS3Path', dagS3Path);
    this.validateDagsSource(props.dagsLocalPath, props.pruneDags);
    const requirements = this.dependencySource('requirements', 'requirements.txt', props.requirementsS3Path, props.requirementsS3ObjectVersion, props.requirementsLocalPath);
    const plugins = this.dependencySource('plugins', 'plugins.zip', props.pluginsS3Path, props.pluginsS3ObjectVersion, props.pluginsLocalPath);
    const startupScript = this.dependencySource('startupScript', 'startup.sh', props.startupScriptS3Path, props.startupScriptS3ObjectVersion, props.startupScriptLocalPath);
    this.validateConfigurationOptions(configurationOptions ?? {}, plugins.key);
    this.validateSecurityGroups(props.securityGroups, props.selfReferencingIngress);
    this.validateAccessMode(this.webserverAccessMode);
    this.validateEndpointManagement(this.endpointManagement, props.createCustomerEndpoints);
    this.validateLogging(props.loggingConfiguration ?? {});
    this.subnets = this.selectSubnets(props.vpc, props.vpcSubnets);
    if (props.requirementsLocalPath !== undefined) {
      this.checkRequirements(props.requirementsLocalPath, props.pluginsLocalPath, plugins.key, this.hasNoInternetRoute(props.vpc));
    }
    if (props.sourceBucket) {
      this.validateSourceBucket(props.sourceBucket, props.sourceBucketAccessLogs);
    }
    if (props.kmsKey) {
      this.validateKmsKey(props.kmsKey, props.sourceBucket);
    }

    const stack = Stack.of(this);
    // Formatted from the name rather than read from the environment: the role and its policy must
    // exist before the environment does.
    const formattedArn = stack.formatArn({
      service: 'airflow',
      resource: 'environment',
      resourceName: this.environmentName,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });

    // Key
    this.kmsKey = props.kmsKey ?? props.sourceBucket?.encryptionKey ?? new kms.Key(this, 'Key', {
      description: `Encrypts the Amazon MWAA environment ${this.environmentName}, its bucket and its logs`,
      enableKeyRotation: true,
      removalPolicy,
    });
    const keyPolicy = this.kmsKey.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudWatchLogsForThisEnvironment',
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.${Aws.URL_SUFFIX}`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: { 'kms:EncryptionContext:aws:logs:arn': logGroupArnPattern(this, this.environmentName) },
      },
    }));
    if (!keyPolicy.statementAdded) {
      Annotations.of(this).addWarningV2('cdk-private-mwaa:kmsKeyPolicy',
        `\`kmsKey\` is imported, so its key policy cannot be changed here. Make sure it lets the service principal logs.${stack.region}.amazonaws.com use the key for the log groups airflow-${this.environmentName}-*, or creating the log groups fails.`);
    }

    // Bucket
    this.sourceBucket = props.sourceBucket ?? new s3.Bucket(this, 'SourceBucket', {
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.kmsKey,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.sourceBucketAccessLogs,
      serverAccessLogsPrefix: props.sourceBucketAccessLogs ? `${this.environmentName}/` : undefined,
      removalPolicy,
    });

    // Log groups, created up front so that they are encrypted and expire
    const retention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    const logGroups: { [prop: string]: logs.LogGroup } = {};
    for (const type of LOG_TYPES) {
      logGroups[type.prop] = new logs.LogGroup(this, type.id, {
        logGroupName: `airflow-${this.environmentName}-${type.suffix}`,
        encryptionKey: this.kmsKey,
        retention,
        removalPolicy,
      });
    }
    this.dagProcessingLogGroup = logGroups.dagProcessingLogs;
    this.schedulerLogGroup = logGroups.schedulerLogs;
    this.taskLogGroup = logGroups.taskLogs;
    this.webserverLogGroup = logGroups.webserverLogs;
    this.workerLogGroup = logGroups.workerLogs;

    // Execution role and its policy
    this.executionRole = props.executionRole ?? new iam.Role(this, 'ExecutionRole', {
      description: `Execution role of the Amazon MWAA environment ${this.environmentName}`,
      assumedBy: new MwaaServicePrincipals(formattedArn, stack.account),
    });
    this.executionRolePolicy = new iam.ManagedPolicy(this, 'ExecutionRolePolicy', {
      description: `Least-privilege permissions of the Amazon MWAA environment ${this.environmentName}`,
      statements: executionPolicyStatements(this, {
        environmentArn: formattedArn,
        environmentName: this.environmentName,
        bucketArn: this.sourceBucket.bucketArn,
        keyArn: this.kmsKey.keyArn,
        secretPrefixes: secretPrefixes(props.secretsBackend),
      }),
      roles: [this.executionRole],
    });
    this.grantPrincipal = this.executionRole;
    this.acknowledgeDocumentedWildcards(secretPrefixes(props.secretsBackend));

    // DAGs, requirements, plugins and the startup script from local paths
    const bucketKey = this.sourceBucket.encryptionKey ?? this.kmsKey;
    let dagsAsset: s3assets.Asset | undefined;
    if (props.dagsLocalPath !== undefined) {
      dagsAsset = new s3assets.Asset(this, 'DagsAsset', { path: props.dagsLocalPath, exclude: ['__pycache__', '*.pyc'] });
      this.dagsDeployment = new s3deploy.BucketDeployment(this, 'DagsDeployment', {
        sources: [s3deploy.Source.bucket(dagsAsset.bucket, dagsAsset.s3ObjectKey)],
        destinationBucket: this.sourceBucket,
        destinationKeyPrefix: `${dagS3Path.replace(/\/+$/, '')}/`,
        prune: props.pruneDags ?? true,
        retainOnDelete: true,
      });
      if (this.sourceBucket.encryptionKey === undefined) {
        // BucketDeployment grants on the bucket's key only when the bucket object knows it, which an
        // imported bucket does not; its objects are encrypted with the environment's key. These are
        // the key actions CDK grants it for a bucket whose key it knows.
        bucketKey.grant(this.dagsDeployment.handlerRole, 'kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*');
      }
    }
    const upload = (uploadId: string, source: DependencySource) => source.localPath === undefined ? source.version
      : new PinnedUpload(this, uploadId, { path: source.localPath, bucket: this.sourceBucket, key: source.key!, encryptionKey: bucketKey }).versionId;
    this.requirementsS3ObjectVersion = upload('RequirementsUpload', requirements);
    this.pluginsS3ObjectVersion = upload('PluginsUpload', plugins);
    this.startupScriptS3ObjectVersion = upload('StartupScriptUpload', startupScript);
    this.acknowledgeDeliveryFunctions(dagsAsset);

    // Network
    this.securityGroups = props.securityGroups ?? [this.createSecurityGroup(props.vpc, props.selfReferencingIngress)];
    this.connections = new ec2.Connections({
      securityGroups: this.securityGroups,
      defaultPort: ec2.Port.tcp(443),
    });

    const subnetSelection: ec2.SubnetSelection = { subnets: this.subnets };
    if (props.vpcEndpoints !== undefined) {
      const secretsEndpoint = props.vpcEndpoints.secretsManager ?? props.secretsBackend !== undefined;
      if (props.secretsBackend !== undefined && !secretsEndpoint) {
        Annotations.of(this).addWarningV2('cdk-private-mwaa:secretsEndpoint',
          '`vpcEndpoints.secretsManager` is false but `secretsBackend` is set: without a Secrets Manager endpoint (or another route to Secrets Manager) every connection and variable lookup of the environment times out. Leave `secretsManager` unset to get the endpoint, or acknowledge this warning if the VPC has one already.');
      }
      this.vpcEndpoints = new MwaaVpcEndpoints(this, 'VpcEndpoints', {
        ...props.vpcEndpoints,
        secretsManager: secretsEndpoint,
        vpc: props.vpc,
        subnets: subnetSelection,
        environmentSecurityGroups: this.securityGroups,
        environmentName: this.environmentName,
        sourceBucket: this.sourceBucket,
        kmsKey: this.kmsKey,
      });
    }
    if (props.networkAcl) {
      this.networkAcl = new MwaaNetworkAcl(this, 'NetworkAcl', { vpc: props.vpc, subnets: subnetSelection });
    }

    // The environment
    const logging = props.loggingConfiguration ?? {};
    const logConfig = (options?: ModuleLoggingConfiguration): mwaa.CfnEnvironment.ModuleLoggingConfigurationProperty => ({
      enabled: options?.enabled ?? true,
      logLevel: options?.logLevel ?? LogLevel.INFO,
    });
    this.resource = new mwaa.CfnEnvironment(this, 'Resource', {
      name: this.physicalName,
      airflowVersion: this.airflowVersion.version,
      environmentClass: this.environmentClass.name,
      executionRoleArn: this.executionRole.roleArn,
      sourceBucketArn: this.sourceBucket.bucketArn,
      kmsKey: this.kmsKey.keyArn,
      dagS3Path,
      requirementsS3Path: requirements.key,
      requirementsS3ObjectVersion: this.requirementsS3ObjectVersion,
      pluginsS3Path: plugins.key,
      pluginsS3ObjectVersion: this.pluginsS3ObjectVersion,
      startupScriptS3Path: startupScript.key,
      startupScriptS3ObjectVersion: this.startupScriptS3ObjectVersion,
      networkConfiguration: {
        subnetIds: this.subnets.map(s => s.subnetId),
        securityGroupIds: this.securityGroups.map(sg => sg.securityGroupId),
      },
      webserverAccessMode: this.webserverAccessMode,
      endpointManagement: this.endpointManagement,
      minWorkers,
      maxWorkers,
      schedulers,
      minWebservers,
      maxWebservers,
      weeklyMaintenanceWindowStart: props.weeklyMaintenanceWindowStart,
      workerReplacementStrategy: props.workerReplacementStrategy,
      airflowConfigurationOptions: configurationOptions,
      loggingConfiguration: {
        dagProcessingLogs: logConfig(logging.dagProcessingLogs),
        schedulerLogs: logConfig(logging.schedulerLogs),
        taskLogs: logConfig(logging.taskLogs),
        webserverLogs: logConfig(logging.webserverLogs),
        workerLogs: logConfig(logging.workerLogs),
      },
    });
    // CreateEnvironment checks the role's permissions on the bucket, so the policy must exist first
    // (the role alone is not enough). The log groups must exist before MWAA creates its own.
    this.resource.node.addDependency(this.executionRolePolicy);
    this.resource.node.addDependency(this.executionRole);
    for (const group of Object.values(logGroups)) {
      this.resource.node.addDependency(group);
    }
    // Without an internet route the environment cannot start before its endpoints exist.
    if (this.vpcEndpoints) {
      this.resource.node.addDependency(this.vpcEndpoints);
    }
    if (this.endpointManagement === EndpointManagement.CUSTOMER && (props.createCustomerEndpoints ?? true)) {
      this.databaseVpcEndpoint = this.createCustomerEndpoint(props.vpc, 'DatabaseVpcEndpoint', this.resource.attrDatabaseVpcEndpointService);
      if (this.webserverAccessMode === WebserverAccessMode.PRIVATE_ONLY) {
        this.webserverVpcEndpoint = this.createCustomerEndpoint(props.vpc, 'WebserverVpcEndpoint', this.resource.attrWebserverVpcEndpointService);
      }
    }

    this.environmentArn = this.getResourceArnAttribute(this.resource.attrArn, {
      service: 'airflow',
      resource: 'environment',
      resourceName: this.physicalName,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    this.webserverUrl = this.resource.attrWebserverUrl;
    this.celeryExecutorQueueArn = this.resource.attrCeleryExecutorQueue;
    this.databaseVpcEndpointService = this.resource.attrDatabaseVpcEndpointService;
    this.webserverVpcEndpointService = this.resource.attrWebserverVpcEndpointService;

    // Notifications
    this.notificationTopic = props.notificationTopic ?? this.createNotificationTopic();
    this.allowServicesToPublish(this.notificationTopic, props.notificationTopic === undefined);
    for (const email of props.notifications?.emails ?? []) {
      this.notificationTopic.addSubscription(new subscriptions.EmailSubscription(email));
    }
    for (const subscription of props.notifications?.subscriptions ?? []) {
      this.notificationTopic.addSubscription(subscription);
    }
    this.statusChangeRule = this.forwardStatusChanges(props.notifications?.statuses);

    // People's access
    this.dagFolder = dagS3Path.replace(/\/+$/, '');
    this.dependencyKeys = [
      requirements.key ?? 'requirements.txt',
      plugins.key ?? 'plugins.zip',
      startupScript.key ?? 'startup.sh',
    ];
    this.groups = {};
    if (props.peopleAccess?.createGroups ?? true) {
      for (const profile of PROFILES) {
        const group = new iam.Group(this, `${profile.id}Group`, {
          groupName: `${this.environmentName}-${profile.groupSuffix}`,
          managedPolicies: [this.accessPolicy(profile.key)],
        });
        const reason = 'The construct creates one group per access profile for the identity team to add people to; it is empty until they do.';
        acknowledge(group, [{ id: 'HIPAA.Security-IAMGroupHasUsers', reason }, { id: 'PCI.DSS.321-IAMGroupHasUsers', reason }]);
        this.groups[profile.key] = group;
      }
    }
    for (const assignment of props.peopleAccess?.assignments ?? []) {
      const policy = this.accessPolicy(assignment.profile);
      for (const role of assignment.roles ?? []) {
        if (!Token.isUnresolved(role.roleName) && role.roleName.startsWith('AWSReservedSSO_')) {
          Annotations.of(this).addWarningV2('cdk-private-mwaa:ssoRole',
            `\`peopleAccess.assignments\`: ${role.roleName} is an IAM Identity Center role, which IAM does not let anyone attach policies to, so the deployment would fail. Reference the customer managed policy ${accessPolicyName(this.environmentName, assignment.profile)} in the permission set instead.`);
          continue;
        }
        policy.attachToRole(role);
      }
      assignment.groups?.forEach(group => policy.attachToGroup(group));
      assignment.users?.forEach(user => policy.attachToUser(user));
    }
    for (const peer of props.webserverAccessPeers ?? []) {
      this.allowWebserverAccessFrom(peer);
    }
    if (props.publicAccessGuardrail ?? this.webserverAccessMode === WebserverAccessMode.PRIVATE_ONLY) {
      this.publicAccessGuardrailRule = this.guardPrivateAccess();
    }
  }

  /**
   * Let the grantee deploy DAGs: write, replace and delete objects under the DAG folder (and only
   * there), list that folder, and use the key for it through S3.
   */
  public grantDagDeployment(grantee: iam.IGrantable): iam.Grant {
    return this.grantBucketWrite(grantee, [`${this.dagFolder}/*`], ['s3:PutObject', 's3:DeleteObject', 's3:GetObject', 's3:GetObjectVersion'])
      .combine(iam.Grant.addToPrincipal({
        grantee,
        actions: ['s3:ListBucket'],
        resourceArns: [this.sourceBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${this.dagFolder}/*`, this.dagFolder] } },
      }));
  }

  /**
   * Let the grantee deploy the requirements file, the plugins archive and the startup script: write
   * those three objects (at their configured keys, else `requirements.txt`, `plugins.zip` and
   * `startup.sh`), read their versions to pin them, and use the key through S3.
   */
  public grantDependencyDeployment(grantee: iam.IGrantable): iam.Grant {
    return this.grantBucketWrite(grantee, this.dependencyKeys, ['s3:PutObject', 's3:GetObject', 's3:GetObjectVersion'])
      .combine(iam.Grant.addToPrincipal({
        grantee,
        actions: ['s3:ListBucketVersions'],
        resourceArns: [this.sourceBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': this.dependencyKeys } },
      }));
  }

  /**
   * The customer managed policy that holds an access profile's grants, named
   * `<environment>-airflow-<profile>`. Attach it to roles, groups or users; reference it by name in
   * an IAM Identity Center permission set (customer managed policy reference).
   */
  public accessPolicy(profile: AccessProfile): iam.ManagedPolicy {
    const existing = this.accessPolicies.get(profile);
    if (existing) {
      return existing;
    }
    const spec = PROFILES.find(p => p.key === profile)!;
    const policy = new iam.ManagedPolicy(this, `${spec.id}AccessPolicy`, {
      managedPolicyName: accessPolicyName(this.environmentName, profile),
      description: `${spec.id} access to the Amazon MWAA environment ${this.environmentName}`,
    });
    this.grantAccessProfile(policy, profile);
    this.acknowledgeAccessPolicyWildcards(policy, profile);
    this.accessPolicies.set(profile, policy);
    return policy;
  }

  /**
   * Give the grantee every grant of an access profile.
   *
   * @returns the grants, one per capability
   */
  public grantAccessProfile(grantee: iam.IGrantable, profile: AccessProfile): iam.Grant[] {
    switch (profile) {
      case AccessProfile.ADMINISTRATOR:
        return [
          this.grantWebLogin(grantee, AirflowRole.ADMIN),
          this.grantRestApi(grantee, AirflowRole.ADMIN),
          this.grantCliToken(grantee),
          this.grantAdministration(grantee),
          this.grantDependencyDeployment(grantee),
          this.grantReadLogs(grantee),
          this.grantConsoleReadOnly(grantee),
        ];
      case AccessProfile.DEVELOPER:
        return [
          this.grantWebLogin(grantee, AirflowRole.USER),
          this.grantDagDeployment(grantee),
          this.grantReadLogs(grantee),
          this.grantConsoleReadOnly(grantee),
        ];
      case AccessProfile.OPERATOR:
        return [
          this.grantWebLogin(grantee, AirflowRole.OP),
          this.grantReadLogs(grantee),
          this.grantConsoleReadOnly(grantee),
        ];
      case AccessProfile.VIEWER:
        return [this.grantWebLogin(grantee, AirflowRole.VIEWER)];
      default:
        throw new Error(`\`profile\` must be an AccessProfile, got: ${profile}`);
    }
  }

  /**
   * Let a network reach the Airflow web server on TCP 443, recorded on the environment's security
   * groups with a description.
   */
  public allowWebserverAccessFrom(peer: ec2.IPeer, description?: string): void {
    this.connections.allowFrom(peer, ec2.Port.tcp(443), description ?? `Airflow web server of ${this.environmentName} from ${peer.uniqueId}`);
    const rule = peer.toIngressRuleConfig();
    const cidr = rule.cidrIp;
    if (this.networkAcl && typeof cidr === 'string') {
      this.networkAcl.allowWebserverClients(cidr);
    } else if (this.networkAcl && rule.sourceSecurityGroupId === undefined) {
      // An IPv6 range or a prefix list. (A security group is in the VPC, which the ACL admits.)
      Annotations.of(this).addWarningV2('cdk-private-mwaa:aclPeer',
        `\`webserverAccessPeers\`: the network ACL admits IPv4 ranges only, and ${peer.uniqueId} is not one, so the ACL still blocks it. Add a network ACL entry for it yourself, or acknowledge this warning.`);
    }
  }

  public grantAdministration(grantee: iam.IGrantable): iam.Grant {
    // Updating an environment passes its execution role to MWAA.
    return super.grantAdministration(grantee).combine(iam.Grant.addToPrincipal({
      grantee,
      actions: ['iam:PassRole'],
      resourceArns: [this.executionRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'airflow.amazonaws.com' } },
    }));
  }

  /**
   * Create the recommended alarms, each notifying the environment's topic: the scheduler heartbeat
   * is missing; tasks stay queued; CPU or memory of the base workers, the additional workers or
   * the schedulers stays above 85 percent.
   *
   * The alarms are created after the environment, so that its creation does not set them off.
   * Call it once.
   *
   * @returns the alarms
   */
  public addRecommendedAlarms(options: RecommendedAlarmsOptions = {}): cloudwatch.Alarm[] {
    if (this.node.tryFindChild('RecommendedAlarms')) {
      throw new Error('`addRecommendedAlarms()` can be called once per environment, got: a second call');
    }
    const cpu = options.cpuUtilizationPercent ?? 85;
    const memory = options.memoryUtilizationPercent ?? 85;
    for (const [prop, value] of [['cpuUtilizationPercent', cpu], ['memoryUtilizationPercent', memory]] as const) {
      if (!Token.isUnresolved(value) && (value <= 0 || value > 100)) {
        throw new Error(`\`${prop}\` must be a percentage above 0 and at most 100, got: ${value}`);
      }
    }
    const sustained = periodsIn(options.sustainedFor ?? Duration.minutes(15));
    const scope = new Construct(this, 'RecommendedAlarms');
    const name = this.environmentName;
    const alarms: cloudwatch.Alarm[] = [
      new cloudwatch.Alarm(scope, 'SchedulerHeartbeatMissing', {
        alarmDescription: `Amazon MWAA ${name}: no scheduler heartbeat, so no task is being scheduled.`,
        metric: this.metricSchedulerHeartbeat(),
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        threshold: 1,
        evaluationPeriods: periodsIn(options.heartbeatMissingFor ?? Duration.minutes(15)),
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      }),
      new cloudwatch.Alarm(scope, 'TasksQueuedTooLong', {
        alarmDescription: `Amazon MWAA ${name}: tasks have been waiting in the queue the whole time; the workers cannot keep up or are not running.`,
        metric: this.metricQueuedTasks({ statistic: STATISTICS.queuedForAlarm }),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        threshold: 0,
        evaluationPeriods: periodsIn(options.tasksQueuedFor ?? Duration.minutes(30)),
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    ];
    const components: Array<[string, AirflowComponent]> = [
      ['BaseWorker', AirflowComponent.BASE_WORKER],
      ['AdditionalWorker', AirflowComponent.ADDITIONAL_WORKER],
      ['Scheduler', AirflowComponent.SCHEDULER],
    ];
    for (const [id, component] of components) {
      alarms.push(
        new cloudwatch.Alarm(scope, `${id}CpuHigh`, {
          alarmDescription: `Amazon MWAA ${name}: ${component} CPU utilization above ${cpu}%.`,
          metric: this.metricCpuUtilization(component),
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          threshold: cpu,
          evaluationPeriods: sustained,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
        new cloudwatch.Alarm(scope, `${id}MemoryHigh`, {
          alarmDescription: `Amazon MWAA ${name}: ${component} memory utilization above ${memory}%.`,
          metric: this.metricMemoryUtilization(component),
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          threshold: memory,
          evaluationPeriods: sustained,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    const action = new cloudwatchActions.SnsAction(this.notificationTopic);
    for (const alarm of alarms) {
      alarm.addAlarmAction(action);
    }
    scope.node.addDependency(this.resource);
    this.recommendedAlarms.push(...alarms);
    return alarms;
  }

  /**
   * Create a CloudWatch dashboard for the environment: scheduler heartbeat, queued and running
   * tasks, DAG parsing and import errors, CPU and memory of each component, and the state of the
   * recommended alarms if they exist. Call it once.
   *
   * @returns the dashboard
   */
  public addDashboard(options: EnvironmentDashboardOptions = {}): cloudwatch.Dashboard {
    const period = options.period ?? ALARM_PERIOD;
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: options.dashboardName ?? `mwaa-${this.environmentName}`,
      defaultInterval: Duration.hours(12),
    });
    const components = [AirflowComponent.BASE_WORKER, AirflowComponent.ADDITIONAL_WORKER, AirflowComponent.SCHEDULER, AirflowComponent.WEB_SERVER];
    dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: `# Amazon MWAA ${this.environmentName}\nAirflow ${this.airflowVersion.version}, ${this.environmentClass.name}, ${this.webserverAccessMode}`,
        width: 24,
        height: 2,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Scheduler heartbeat', left: [this.metricSchedulerHeartbeat({ period })], width: 8 }),
      new cloudwatch.GraphWidget({ title: 'Tasks', left: [this.metricQueuedTasks({ period, label: 'Queued' }), this.metricRunningTasks({ period, label: 'Running' })], width: 8 }),
      new cloudwatch.GraphWidget({
        title: 'DAG processing',
        left: [this.metricDagProcessingTotalParseTime({ period, label: 'Total parse time (s)' })],
        right: [this.metricDagImportErrors({ period, label: 'Import errors' })],
        width: 8,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'CPU utilization (%)',
        left: components.map(c => this.metricCpuUtilization(c, { period, label: c })),
        leftYAxis: { min: 0, max: 100 },
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Memory utilization (%)',
        left: components.map(c => this.metricMemoryUtilization(c, { period, label: c })),
        leftYAxis: { min: 0, max: 100 },
        width: 12,
      }),
    );
    if (this.recommendedAlarms.length > 0) {
      dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Recommended alarms', alarms: this.recommendedAlarms, width: 24 }));
    }
    return dashboard;
  }

  /**
   * Add a statement to the execution role's policy (the one the environment depends on).
   *
   * @param statement the statement to add
   */
  public addToRolePolicy(statement: iam.PolicyStatement): void {
    this.executionRolePolicy.addStatements(statement);
  }

  /**
   * The execution role policy is the one the MWAA user guide documents; the wildcards in it are
   * either scoped to this environment's own resources or required by MWAA. Acknowledge exactly
   * those findings on exactly this policy, each with its reason.
   */
  private acknowledgeDocumentedWildcards(secretNamePrefixes: string[]): void {
    const iam5 = (finding: string, reason: string) => ({ id: `AwsSolutions-IAM5[${finding}]`, reason });
    const stack = Stack.of(this);
    acknowledge(this.executionRolePolicy, secretNamePrefixes.map(prefix => iam5(`Resource::${findingName(this, secretArnPattern(this, prefix))}`,
      `Secrets Manager backend: the secrets under the configured connections or variables prefix (${prefix}/), read-only.`)));
    acknowledge(this.executionRolePolicy, [
      iam5('Action::s3:GetObject*', 'Documented MWAA execution role: read-only object actions, scoped to the source bucket.'),
      iam5('Action::s3:GetBucket*', 'Documented MWAA execution role: read-only bucket actions, scoped to the source bucket.'),
      iam5('Action::s3:List*', 'Documented MWAA execution role: list actions, scoped to the source bucket.'),
      iam5('Action::kms:GenerateDataKey*', 'Documented MWAA execution role: data keys of the environment key only, and only through SQS and S3 (kms:ViaService).'),
      iam5('Resource::*', 'logs:DescribeLogGroups, s3:GetAccountPublicAccessBlock, cloudwatch:PutMetricData (and secretsmanager:ListSecrets) have no resource-level permissions.'),
      iam5(`Resource::${findingName(this, `${this.sourceBucket.bucketArn}/*`)}`, 'Objects of this environment\'s own source bucket, read-only.'),
      iam5(`Resource::${findingName(this, logGroupArnPattern(this, this.environmentName))}`, 'The five log groups of this environment, airflow-<name>-*, and their streams.'),
      iam5(`Resource::${findingName(this, stack.formatArn({ service: 'sqs', account: '*', resource: 'airflow-celery-*' }))}`,
        'The Celery queues MWAA creates for the environment live in an account MWAA owns, so the account and queue suffix are not known in advance.'),
    ]);
  }

  /**
   * The functions CDK provides for the uploads run once per deployment, called by CloudFormation:
   * their findings are acknowledged on them, with the reasons. The singleton functions are shared
   * with any other BucketDeployment or AwsCustomResource of the stack.
   */
  private acknowledgeDeliveryFunctions(dagsAsset?: s3assets.Asset): void {
    const stack = Stack.of(this);
    const packs = ['HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321'];
    const each = (rule: string, reason: string, only = packs) => only.map(pack => ({ id: `${pack}-${rule}`, reason }));
    const functionFindings = [
      { id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', reason: 'The deployment function CDK provides writes its own logs with the AWS managed basic execution policy.' },
      { id: 'AwsSolutions-L1', reason: 'The deployment function\'s runtime is chosen by aws-cdk-lib and moves with it.' },
      ...each('LambdaConcurrency', 'Called only by CloudFormation during a deployment, once per changed resource.', packs.slice(0, 2)),
      ...each('LambdaDLQ', 'Called synchronously by CloudFormation, which reports a failure as a failed deployment.', packs.slice(0, 2)),
      ...each('LambdaInsideVPC', 'A deploy-time function that talks to S3 and CloudFormation only; it runs outside the VPC so that a VPC without internet access needs no endpoint for it.'),
    ];
    const customResourceFunction = stack.node.tryFindChild(`AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`);
    if (customResourceFunction) {
      acknowledge(customResourceFunction, functionFindings);
    }
    for (const id of ['RequirementsUpload', 'PluginsUpload', 'StartupScriptUpload']) {
      const upload = this.node.tryFindChild(id);
      if (upload) {
        acknowledge(upload, each('IAMNoInlinePolicy', 'AwsCustomResource grants its function this inline policy: read the one staged asset, write the one object key, encrypt through S3.'));
      }
    }
    if (this.dagsDeployment) {
      const iam5 = (finding: string, reason: string) => ({ id: `AwsSolutions-IAM5[${finding}]`, reason });
      const bucketDeploymentFunction = this.dagsDeployment.handlerRole.node.scope!;
      acknowledge(bucketDeploymentFunction, [
        ...functionFindings,
        ...each('IAMNoInlinePolicy', 'The inline policy BucketDeployment gives its function: read the staged DAGs, write the destination bucket.'),
        ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'].map(action =>
          iam5(`Action::${action}`, 'BucketDeployment grants its function read and write on the destination bucket and its key, to synchronise the DAG folder.')),
        iam5(`Resource::${findingName(this, `${this.sourceBucket.bucketArn}/*`)}`, 'BucketDeployment grants on the whole bucket; it writes and prunes only under the DAG folder.'),
        iam5(`Resource::${findingName(this, dagsAsset!.bucket.arnForObjects('*'))}`, 'BucketDeployment reads the staged DAGs from the CDK assets bucket.'),
      ]);
    }
  }

  private grantBucketWrite(grantee: iam.IGrantable, keyPatterns: string[], actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions,
      resourceArns: keyPatterns.map(key => this.sourceBucket.arnForObjects(key)),
    }).combine(iam.Grant.addToPrincipal({
      grantee,
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resourceArns: [this.kmsKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(this).region}.${Aws.URL_SUFFIX}` } },
    }));
  }

  private acknowledgeAccessPolicyWildcards(policy: iam.ManagedPolicy, profile: AccessProfile): void {
    const iam5 = (finding: string, reason: string) => ({ id: `AwsSolutions-IAM5[${finding}]`, reason });
    const findings = [];
    if (profile !== AccessProfile.VIEWER) {
      findings.push(
        iam5('Resource::*', 'logs:DescribeLogGroups, logs:GetQueryResults and airflow:ListEnvironments have no resource-level permissions.'),
        ...LOG_TYPES.map(type => iam5(`Resource::${findingName(this, `${logGroupArn(this, this.environmentName, type.suffix)}:*`)}`,
          `The log streams of this environment's ${type.suffix} log group.`)),
      );
    }
    if (profile === AccessProfile.DEVELOPER) {
      findings.push(iam5(`Resource::${findingName(this, this.sourceBucket.arnForObjects(`${this.dagFolder}/*`))}`, 'Deploying DAGs: objects under the DAG folder of this environment\'s bucket only.'));
    }
    acknowledge(policy, findings);
  }

  /**
   * A rule on the CloudTrail record of `UpdateEnvironment` that makes this environment's web
   * server public. The request parameters are matched in both spellings CloudTrail may use.
   */
  private guardPrivateAccess(): events.Rule {
    // Any mode but private: PUBLIC_ONLY, and PUBLIC_AND_PRIVATE of Airflow 3.2 and later.
    const notPrivate = [{ 'anything-but': [WebserverAccessMode.PRIVATE_ONLY] }];
    const rule = new events.Rule(this, 'PublicAccessGuardrail', {
      description: `Someone made the web server of the Amazon MWAA environment ${this.environmentName} public`,
      eventPattern: {
        source: ['aws.airflow'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['airflow.amazonaws.com'],
          eventName: ['UpdateEnvironment'],
          $or: [
            { requestParameters: { Name: [this.environmentName], WebserverAccessMode: notPrivate } },
            { requestParameters: { name: [this.environmentName], webserverAccessMode: notPrivate } },
          ],
        },
      },
    });
    rule.addTarget(new TopicTarget(this.notificationTopic, events.RuleTargetInput.fromText(
      `Guardrail: ${events.EventField.fromPath('$.detail.userIdentity.arn')} called UpdateEnvironment to make the web server `
      + `of Amazon MWAA environment ${this.environmentName} public (account ${events.EventField.account}, Region ${events.EventField.region}, `
      + `at ${events.EventField.time}). Set it back to PRIVATE_ONLY if this was not intended.`,
    )));
    return rule;
  }

  private createNotificationTopic(): sns.Topic {
    return new sns.Topic(this, 'NotificationTopic', {
      displayName: `Amazon MWAA ${this.environmentName}`,
      masterKey: this.kmsKey,
      enforceSSL: true,
    });
  }

  /**
   * Let EventBridge rules and CloudWatch alarms of this account, and only those, publish to the
   * topic; when the topic is encrypted with the environment's key, let them use the key for it.
   */
  private allowServicesToPublish(topic: sns.ITopic, encryptedWithOwnKey: boolean): void {
    const stack = Stack.of(this);
    const publishers = [new iam.ServicePrincipal('events.amazonaws.com'), new iam.ServicePrincipal('cloudwatch.amazonaws.com')];
    const added = topic.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowEventBridgeAndCloudWatchOfThisAccount',
      principals: publishers,
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    }));
    if (!added.statementAdded) {
      Annotations.of(this).addWarningV2('cdk-private-mwaa:notificationTopicPolicy',
        '`notificationTopic` is imported, so its policy cannot be changed here. Make sure EventBridge (events.amazonaws.com) and CloudWatch (cloudwatch.amazonaws.com) of this account may publish to it, and may use its key if it is encrypted.');
    }
    if (encryptedWithOwnKey) {
      const keyAccess = this.kmsKey.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'AllowEventBridgeAndCloudWatchToPublishToTheEncryptedTopic',
        principals: publishers,
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }));
      if (!keyAccess.statementAdded) {
        Annotations.of(this).addWarningV2('cdk-private-mwaa:notificationTopicKey',
          '`kmsKey` is imported, so its key policy cannot be changed here, and the notification topic is encrypted with it: until the key policy lets EventBridge (events.amazonaws.com) and CloudWatch (cloudwatch.amazonaws.com) use kms:Decrypt and kms:GenerateDataKey*, status changes, alarms and the guardrail cannot publish to the topic. Add that to the key policy, or pass a `notificationTopic` of your own.');
      }
    }
  }

  private forwardStatusChanges(statuses?: EnvironmentStatus[]): events.Rule {
    const forwarded = statuses ?? [EnvironmentStatus.CREATE_FAILED, EnvironmentStatus.UPDATE_FAILED, EnvironmentStatus.UNAVAILABLE];
    if (forwarded.length === 0) {
      throw new Error('`notifications.statuses` must name at least one status (leave it out for the default), got: an empty list');
    }
    const rule = new events.Rule(this, 'StatusChangeRule', {
      description: `Status changes of the Amazon MWAA environment ${this.environmentName}`,
      eventPattern: {
        source: ['aws.airflow'],
        detailType: ['MWAA Environment Status Change'],
        detail: {
          [STATUS_EVENT_FIELDS.name]: [this.environmentName],
          [STATUS_EVENT_FIELDS.status]: forwarded,
        },
      },
    });
    rule.addTarget(new TopicTarget(this.notificationTopic, events.RuleTargetInput.fromText(
      `Amazon MWAA environment ${events.EventField.fromPath(`$.detail.${STATUS_EVENT_FIELDS.name}`)} `
      + `is now ${events.EventField.fromPath(`$.detail.${STATUS_EVENT_FIELDS.status}`)} `
      + `(account ${events.EventField.account}, Region ${events.EventField.region}, at ${events.EventField.time}).`,
    )));
    return rule;
  }

  /**
   * An interface endpoint to one of the environment's own endpoint services, in its subnets and
   * security groups. CloudFormation reports the environment created once it is PENDING, which is
   * when these attributes are known; the environment then becomes AVAILABLE.
   */
  private createCustomerEndpoint(vpc: ec2.IVpc, id: string, serviceName: string): ec2.CfnVPCEndpoint {
    return new ec2.CfnVPCEndpoint(this, id, {
      vpcId: vpc.vpcId,
      vpcEndpointType: 'Interface',
      serviceName,
      subnetIds: this.subnets.map(s => s.subnetId),
      securityGroupIds: this.securityGroups.map(sg => sg.securityGroupId),
    });
  }

  private createSecurityGroup(vpc: ec2.IVpc, ingress?: SelfReferencingIngress): ec2.SecurityGroup {
    const sg = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: `Amazon MWAA environment ${this.environmentName}`,
      allowAllOutbound: true,
    });
    if ((ingress ?? SelfReferencingIngress.AIRFLOW_PORTS) === SelfReferencingIngress.ALL_TRAFFIC) {
      sg.addIngressRule(sg, ec2.Port.allTraffic(), 'All traffic between the environment\'s components');
    } else {
      sg.addIngressRule(sg, ec2.Port.tcp(443), 'Airflow web server, between the environment\'s components');
      sg.addIngressRule(sg, ec2.Port.tcp(5432), 'Airflow metadata database, between the environment\'s components');
    }
    return sg;
  }

  private selectSubnets(vpc: ec2.IVpc, selection?: ec2.SubnetSelection): ec2.ISubnet[] {
    if (selection) {
      const subnets = vpc.selectSubnets(selection).subnets;
      this.validateSubnets(vpc, subnets);
      return subnets;
    }
    for (const subnetType of [ec2.SubnetType.PRIVATE_WITH_EGRESS, ec2.SubnetType.PRIVATE_ISOLATED]) {
      const candidates = v.trySelect(vpc, { subnetType, onePerAz: true });
      if (candidates.length >= 2) {
        return candidates.slice(0, 2);
      }
    }
    const privateCount = vpc.privateSubnets.length + vpc.isolatedSubnets.length;
    throw new Error(`\`vpcSubnets\`: MWAA needs two private subnets in two different Availability Zones, and the VPC has none in two zones; pass \`vpcSubnets\` or use a VPC with private subnets in at least two zones, got: ${privateCount} private subnet(s) in ${v.distinctZones([...vpc.privateSubnets, ...vpc.isolatedSubnets])} zone(s)`);
  }

  private validateSubnets(vpc: ec2.IVpc, subnets: ec2.ISubnet[]): void {
    if (subnets.length !== 2) {
      throw new Error(`\`vpcSubnets\` must select exactly two subnets (MWAA runs in two private subnets in two Availability Zones), got: ${subnets.length} subnet(s)${v.describeSubnets(subnets)}`);
    }
    const zones = subnets.map(s => s.availabilityZone);
    if (zones.every(z => !Token.isUnresolved(z)) && zones[0] === zones[1]) {
      throw new Error(`\`vpcSubnets\` must select subnets in two different Availability Zones, got: both in ${zones[0]}${v.describeSubnets(subnets)}`);
    }
    const publicIds = new Set(vpc.publicSubnets.map(s => s.subnetId));
    const isPublic = subnets.filter(s => vpc.publicSubnets.includes(s) || (!Token.isUnresolved(s.subnetId) && publicIds.has(s.subnetId)));
    if (isPublic.length > 0) {
      throw new Error(`\`vpcSubnets\` must select private subnets (MWAA does not run in subnets with a route to an internet gateway), got: public subnet(s)${v.describeSubnets(isPublic)}`);
    }
  }

  private validateEnvironmentName(name: string): void {
    if (Token.isUnresolved(name)) {
      return;
    }
    if (name.length < 1 || name.length > 80) {
      throw new Error(`\`environmentName\` must be 1 to 80 characters long, got: ${name.length} characters ('${name}')`);
    }
    if (!/^[a-zA-Z][0-9a-zA-Z\-_]*$/.test(name)) {
      throw new Error(`\`environmentName\` must start with a letter and contain only letters, digits, hyphens and underscores, got: '${name}'`);
    }
  }

  private validateAirflowVersion(version: AirflowVersion): void {
    if (Token.isUnresolved(version.version)) {
      return;
    }
    const parsed = /^(\d+)\.(\d+)\.(\d+)$/.exec(version.version);
    if (!parsed) {
      throw new Error(`\`airflowVersion\` must be a version number MAJOR.MINOR.PATCH, got: '${version.version}'`);
    }
    const [major, minor] = [Number(parsed[1]), Number(parsed[2])];
    if (major < 2 || (major === 2 && minor < 7)) {
      throw new Error(`\`airflowVersion\` must be 2.7.2 or newer (older versions have reached end of support and CloudFormation rejects them), got: '${version.version}'`);
    }
    if (!version.known) {
      Annotations.of(this).addWarningV2('cdk-private-mwaa:unknownAirflowVersion',
        `\`airflowVersion\` ${version.version} is not one this library knows CloudFormation accepts; deployment fails if AWS::MWAA::Environment does not accept it yet.`);
    }
  }

  private validateEnvironmentClass(environmentClass: EnvironmentClass): void {
    if (!environmentClass.known && !Token.isUnresolved(environmentClass.name)) {
      Annotations.of(this).addWarningV2('cdk-private-mwaa:unknownEnvironmentClass',
        `\`environmentClass\` ${environmentClass.name} is not one this library knows; deployment fails if MWAA does not offer it in this Region.`);
    }
  }

  private validateWorkers(minWorkers: number, maxWorkers: number): void {
    v.requireInteger('minWorkers', minWorkers, 1);
    v.requireInteger('maxWorkers', maxWorkers, 1);
    if (v.isNumber(minWorkers) && v.isNumber(maxWorkers) && maxWorkers < minWorkers) {
      throw new Error(`\`maxWorkers\` must be at least \`minWorkers\` (${minWorkers}), got: ${maxWorkers}`);
    }
    if (v.isNumber(maxWorkers) && maxWorkers > 25) {
      Annotations.of(this).addWarningV2('cdk-private-mwaa:workerQuota',
        `\`maxWorkers\` is ${maxWorkers}, above the default quota of 25 workers per environment; request a quota increase before deploying.`);
    }
  }

  private validateSchedulers(schedulers: number): void {
    if (this.environmentClass.isMicro) {
      v.requireInteger('schedulers', schedulers, 1, 1, 'for mw1.micro');
    } else {
      v.requireInteger('schedulers', schedulers, 2, 5, `for ${this.environmentClass.name}`);
    }
  }

  private validateWebservers(minWebservers: number, maxWebservers: number): void {
    const [low, high, context] = this.environmentClass.isMicro ? [1, 1, 'for mw1.micro'] : [2, 5, `for ${this.environmentClass.name}`];
    v.requireInteger('minWebservers', minWebservers, low, high, context);
    v.requireInteger('maxWebservers', maxWebservers, low, high, context);
    if (v.isNumber(minWebservers) && v.isNumber(maxWebservers) && maxWebservers < minWebservers) {
      throw new Error(`\`maxWebservers\` must be at least \`minWebservers\` (${minWebservers}), got: ${maxWebservers}`);
    }
  }

  private validateMaintenanceWindow(window?: string): void {
    if (window === undefined || Token.isUnresolved(window)) {
      return;
    }
    if (!/^(MON|TUE|WED|THU|FRI|SAT|SUN):([01]\d|2[0-3]):(00|30)$/.test(window)) {
      throw new Error(`\`weeklyMaintenanceWindowStart\` must be DAY:HH:MM in UTC, with DAY one of MON..SUN, HH 00-23 and MM 00 or 30, got: '${window}'`);
    }
  }

  private validateConfigurationOptions(options: { [key: string]: string }, pluginsS3Path?: string): void {
    for (const [key, value] of Object.entries(options)) {
      if (Token.isUnresolved(key)) {
        continue;
      }
      if (key.length > 64 || !/^[a-z]+([a-z0-9._]*[a-z0-9_]+)?$/.test(key)) {
        throw new Error(`\`airflowConfigurationOptions\` keys must be lower-case \`section.option\` names of at most 64 characters (letters, digits, dots and underscores), got: '${key}'`);
      }
      if (key === 'celery.worker_concurrency') {
        throw new Error('`airflowConfigurationOptions` must not set `celery.worker_concurrency`: MWAA sets it from the environment class (use `celery.worker_autoscale` instead), got: \'celery.worker_concurrency\'');
      }
      if (Token.isUnresolved(value)) {
        continue;
      }
      if (typeof value !== 'string' || value.length < 1 || value.length > 65536) {
        throw new Error(`\`airflowConfigurationOptions\` values must be strings of 1 to 65,536 characters, got: ${typeof value === 'string' ? `${value.length} characters` : typeof value} for '${key}'`);
      }
      if (!/^[\x20-\x7E]+$/.test(value)) {
        throw new Error(`\`airflowConfigurationOptions\` values must be printable ASCII characters, got: a control or non-ASCII character in the value of '${key}'`);
      }
    }
    const lazy = options['core.lazy_load_plugins'];
    if (pluginsS3Path !== undefined && (lazy === undefined || (!Token.isUnresolved(lazy) && lazy.toLowerCase() !== 'false'))) {
      Annotations.of(this).addWarningV2('cdk-private-mwaa:lazyLoadPlugins',
        `\`pluginsS3Path\` is set but \`airflowConfigurationOptions\` does not set 'core.lazy_load_plugins' to 'False'; plugins are then loaded late and changes to them may not be picked up (got: ${lazy === undefined ? 'not set' : `'${lazy}'`}).`);
    }
  }

  private validateS3Path(prop: string, path: string): void {
    if (Token.isUnresolved(path)) {
      return;
    }
    if (path.length < 1 || path.length > 1024 || path.startsWith('/') || path.startsWith('s3://')) {
      throw new Error(`\`${prop}\` must be a key relative to the source bucket, 1 to 1,024 characters, without a leading '/' or 's3://', got: '${path}'`);
    }
  }

  private validateDagsSource(localPath?: string, prune?: boolean): void {
    if (localPath === undefined) {
      if (prune !== undefined) {
        throw new Error(`\`pruneDags\` only applies to the upload of \`dagsLocalPath\`, which is not set, got: ${prune}`);
      }
      return;
    }
    const kind = pathKind(localPath);
    if (kind !== 'directory') {
      throw new Error(`\`dagsLocalPath\` must be an existing folder of DAG files, got: '${localPath}' (${kind === 'missing' ? 'not found' : 'a file'})`);
    }
  }

  /**
   * Works out where a dependency file comes from: a key and version given, or a local path to
   * upload (to the given key, else the default one).
   */
  private dependencySource(name: string, defaultKey: string, s3Path?: string, version?: string, localPath?: string): DependencySource {
    const [pathProp, versionProp, localProp] = [`${name}S3Path`, `${name}S3ObjectVersion`, `${name}LocalPath`];
    if (localPath === undefined) {
      this.validateObjectVersionPair(pathProp, s3Path, versionProp, version);
      return { key: s3Path, version };
    }
    if (version !== undefined) {
      throw new Error(`\`${versionProp}\` must not be set together with \`${localProp}\`: the version of the upload is read at deploy time, got: '${version}'`);
    }
    const key = s3Path ?? defaultKey;
    this.validateS3Path(pathProp, key);
    const kind = pathKind(localPath);
    if (name === 'plugins') {
      if (kind === 'missing') {
        throw new Error(`\`pluginsLocalPath\` must be an existing plugins folder or .zip file, got: '${localPath}' (not found)`);
      }
      if (kind === 'file' && (!localPath.toLowerCase().endsWith('.zip') || !isZipArchive(localPath))) {
        throw new Error(`\`pluginsLocalPath\` must be a plugins folder or a .zip file (MWAA reads plugins from a zip archive), got: '${localPath}'`);
      }
      const files = (kind === 'directory' ? listFiles(localPath) : zipEntries(localPath))?.filter(f => !f.endsWith('/') && !f.split('/').includes('__pycache__'));
      if (files !== undefined) {
        if (!files.some(f => f.endsWith('.py') || f.endsWith('.whl'))) {
          const sample = files.slice(0, 5).join(', ');
          throw new Error(`\`pluginsLocalPath\` must contain Python files (.py modules or .whl wheels) for MWAA to load, got: ${files.length} file(s)${sample ? ` (${sample}${files.length > 5 ? ', ...' : ''})` : ''} in '${localPath}'`);
        }
      }
    } else if (kind !== 'file') {
      throw new Error(`\`${localProp}\` must be an existing file, got: '${localPath}' (${kind === 'missing' ? 'not found' : 'a folder'})`);
    }
    return { key, localPath };
  }

  /**
   * Looks at a local requirements file: a constraints file is expected, files it takes from the
   * plugins folder must be there, and without an internet route nothing may need a package index.
   */
  private checkRequirements(localPath: string, pluginsLocalPath: string | undefined, pluginsKey: string | undefined, noInternet: boolean): void {
    const summary = parseRequirements(fs.readFileSync(localPath, 'utf-8'));
    if (summary.constraints.length === 0) {
      Annotations.of(this).addWarningV2('cdk-private-mwaa:requirementsConstraint',
        `\`requirementsLocalPath\` has no '--constraint' line; from Airflow 2.7.2 MWAA expects one, or pip may install versions that break Airflow (got: '${localPath}').`);
    }
    if (summary.pluginReferences.length > 0) {
      if (pluginsKey === undefined) {
        throw new Error(`\`requirementsLocalPath\` installs files from ${PLUGINS_MOUNT} but the environment has no plugins (set \`pluginsLocalPath\`), got: ${summary.pluginReferences.join(', ')}`);
      }
      const kind = pluginsLocalPath === undefined ? 'missing' : pathKind(pluginsLocalPath);
      const contents = kind === 'directory' ? listFiles(pluginsLocalPath!) : kind === 'file' ? zipEntries(pluginsLocalPath!) : undefined;
      if (contents !== undefined) {
        const present = new Set(contents);
        const missing = summary.pluginReferences.filter(f => !present.has(f));
        if (missing.length > 0) {
          throw new Error(`\`requirementsLocalPath\` refers to files under ${PLUGINS_MOUNT} that \`pluginsLocalPath\` does not contain, got: ${missing.join(', ')} missing from '${pluginsLocalPath}'`);
        }
      }
    }
    if (noInternet) {
      const problems: string[] = [];
      if (summary.packages.length > 0 && !summary.noIndex && summary.indexUrls.length === 0) {
        const sample = summary.packages.slice(0, 3).join(', ');
        problems.push(`it installs ${summary.packages.length} package(s) from the default index (${sample}${summary.packages.length > 3 ? ', ...' : ''}) without '--no-index'`);
      }
      const remote = summary.constraints.filter(c => /^https?:\/\//.test(c));
      if (remote.length > 0) {
        problems.push(`its constraints file is downloaded (${remote.join(', ')})`);
      }
      if (problems.length > 0) {
        Annotations.of(this).addWarningV2('cdk-private-mwaa:requirementsNeedIndex',
          `\`requirementsLocalPath\`: the environment's subnets have no internet route, but ${problems.join(' and ')}. Ship wheels and the constraints file in plugins and use '--no-index' with '--find-links ${PLUGINS_MOUNT}', or add an '--index-url' reachable from the VPC (got: '${localPath}').`);
      }
    }
  }

  /** Whether every subnet of the environment is an isolated one (no route to the internet). */
  private hasNoInternetRoute(vpc: ec2.IVpc): boolean {
    const isolatedIds = new Set(vpc.isolatedSubnets.filter(s => !Token.isUnresolved(s.subnetId)).map(s => s.subnetId));
    return this.subnets.every(s => vpc.isolatedSubnets.includes(s) || (!Token.isUnresolved(s.subnetId) && isolatedIds.has(s.subnetId)));
  }

  /**
   * The Airflow configuration with the Secrets Manager backend added, if asked for.
   */
  private withSecretsBackend(options?: { [key: string]: string }, backend?: SecretsManagerBackendOptions): { [key: string]: string } | undefined {
    if (backend === undefined) {
      return options;
    }
    const prefixes = {
      connections_prefix: backend.connectionsPrefix ?? 'airflow/connections',
      variables_prefix: backend.variablesPrefix ?? 'airflow/variables',
    };
    for (const [prop, prefix] of [['connectionsPrefix', prefixes.connections_prefix], ['variablesPrefix', prefixes.variables_prefix]]) {
      if (Token.isUnresolved(prefix)) {
        throw new Error(`\`secretsBackend.${prop}\` must be known at synth time (it goes into the Airflow configuration and the execution role policy), got: a token`);
      }
      if (prefix.length > 256 || !/^[A-Za-z0-9_+=.@-]+(\/[A-Za-z0-9_+=.@-]+)*$/.test(prefix)) {
        throw new Error(`\`secretsBackend.${prop}\` must be a secret name prefix of at most 256 letters, digits and /_+=.@- without wildcards or a leading or trailing '/', got: '${prefix}'`);
      }
    }
    const clash = Object.keys(options ?? {}).filter(key => key === 'secrets.backend' || key === 'secrets.backend_kwargs');
    if (clash.length > 0) {
      throw new Error(`\`airflowConfigurationOptions\` must not set the secrets backend when \`secretsBackend\` does, got: ${clash.map(k => `'${k}'`).join(' and ')}`);
    }
    return {
      ...options,
      'secrets.backend': SECRETS_MANAGER_BACKEND_CLASS,
      'secrets.backend_kwargs': JSON.stringify(prefixes),
    };
  }

  private validateObjectVersionPair(pathProp: string, path: string | undefined, versionProp: string, version: string | undefined): void {
    if (path !== undefined) {
      this.validateS3Path(pathProp, path);
      if (version === undefined) {
        throw new Error(`\`${versionProp}\` must be set when \`${pathProp}\` is (MWAA only reads a pinned object version), got: no version for '${path}'`);
      }
    } else if (version !== undefined) {
      throw new Error(`\`${versionProp}\` is set but \`${pathProp}\` is not; set both or neither, got: '${version}'`);
    }
  }

  private validateSecurityGroups(groups?: ec2.ISecurityGroup[], ingress?: SelfReferencingIngress): void {
    if (groups === undefined) {
      return;
    }
    if (groups.length < 1 || groups.length > 5) {
      throw new Error(`\`securityGroups\` must have 1 to 5 security groups, got: ${groups.length}`);
    }
    if (ingress !== undefined) {
      throw new Error(`\`selfReferencingIngress\` only applies to the security group the construct creates; add the rules to your own \`securityGroups\` instead, got: ${ingress} with ${groups.length} security group(s)`);
    }
  }

  private validateAccessMode(mode: WebserverAccessMode): void {
    if (mode === WebserverAccessMode.PUBLIC_ONLY) {
      Annotations.of(this).addWarningV2('cdk-private-mwaa:publicWebserver',
        '`webserverAccessMode` is PUBLIC_ONLY: the Airflow web server can be reached from the internet by anyone who can get a login token. Acknowledge this warning if that is intended.');
    }
  }

  private validateEndpointManagement(management: EndpointManagement, create?: boolean): void {
    if (management !== EndpointManagement.CUSTOMER) {
      if (create !== undefined) {
        throw new Error(`\`createCustomerEndpoints\` only applies when \`endpointManagement\` is CUSTOMER, got: ${create} with ${management}`);
      }
      return;
    }
    if (create === false) {
      Annotations.of(this).addWarningV2('cdk-private-mwaa:customerEndpoints',
        '`endpointManagement` is CUSTOMER and `createCustomerEndpoints` is off, so nothing here creates the VPC endpoints: the environment stays PENDING (and fails after 72 hours) until endpoints for `databaseVpcEndpointService` and, for a private web server, `webserverVpcEndpointService` exist in its subnets. In a shared VPC, deploy `MwaaSharedVpcEndpointProvisioner` in the account that owns the VPC.');
    }
  }

  private validateLogging(logging: LoggingConfiguration): void {
    const weak = LOG_TYPES.filter(type => {
      const options = logging[type.prop];
      const quiet = [LogLevel.CRITICAL, LogLevel.ERROR, LogLevel.WARNING];
      return options?.enabled === false || (options?.logLevel !== undefined && quiet.includes(options.logLevel));
    });
    if (weak.length > 0) {
      Annotations.of(this).addWarningV2('cdk-private-mwaa:reducedLogging',
        `\`loggingConfiguration\`: ${weak.map(type => type.prop).join(', ')} disabled or less verbose than INFO; audits and cdk-nag's MWAA rule expect every log type at INFO or more.`);
    }
  }

  private validateSourceBucket(bucket: s3.IBucket, accessLogs?: s3.IBucket): void {
    if (accessLogs !== undefined) {
      throw new Error(`\`sourceBucketAccessLogs\` only applies to the bucket the construct creates; configure access logs on your own \`sourceBucket\`, got: ${accessLogs.node.path}`);
    }
    const bucketRegion = bucket.env.region;
    const region = Stack.of(this).region;
    if (!Token.isUnresolved(bucketRegion) && !Token.isUnresolved(region) && bucketRegion !== region) {
      throw new Error(`\`sourceBucket\` must be in the environment's Region (${region}), got: a bucket in ${bucketRegion}`);
    }
    const cfn = bucket.node.defaultChild;
    if (!(cfn instanceof s3.CfnBucket)) {
      Annotations.of(this).addWarningV2('cdk-private-mwaa:importedBucket',
        '`sourceBucket` is imported, so its settings cannot be checked here. MWAA requires versioning enabled and all public access blocked, and if the bucket uses SSE-KMS, the key must be the environment\'s key.');
      return;
    }
    const versioning = Stack.of(this).resolve(cfn.versioningConfiguration);
    if (versioning?.status !== 'Enabled') {
      throw new Error(`\`sourceBucket\` must have versioning enabled (MWAA reads pinned object versions), got: ${versioning?.status ?? 'versioning not configured'}`);
    }
    const block = Stack.of(this).resolve(cfn.publicAccessBlockConfiguration) ?? {};
    const flags = ['blockPublicAcls', 'blockPublicPolicy', 'ignorePublicAcls', 'restrictPublicBuckets'];
    const open = flags.filter(flag => block[flag] !== true);
    if (open.length > 0) {
      throw new Error(`\`sourceBucket\` must block all public access (use \`blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL\`), got: ${open.join(', ')} not enabled`);
    }
  }

  private validateKmsKey(key: kms.IKey, bucket?: s3.IBucket): void {
    if (key instanceof kms.Alias || 'aliasName' in key) {
      throw new Error(`\`kmsKey\` must be a KMS key, not an alias (MWAA does not accept aliases), got: ${(key as kms.IAlias).aliasName}`);
    }
    if (!Token.isUnresolved(key.keyId) && key.keyId.startsWith('mrk-')) {
      throw new Error(`\`kmsKey\` must be a single-Region key (MWAA does not accept multi-Region keys), got: ${key.keyId}`);
    }
    const keyRegion = key.env.region;
    const region = Stack.of(this).region;
    if (!Token.isUnresolved(keyRegion) && !Token.isUnresolved(region) && keyRegion !== region) {
      throw new Error(`\`kmsKey\` must be in the environment's Region (${region}), got: a key in ${keyRegion}`);
    }
    if (bucket?.encryptionKey && bucket.encryptionKey !== key) {
      throw new Error(`\`sourceBucket\` is encrypted with a different key than \`kmsKey\`; MWAA needs both to use the same key, got: ${bucket.encryptionKey.node.path}`);
    }
  }
}
