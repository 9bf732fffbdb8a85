import { Annotations, ArnFormat, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as mwaa from 'aws-cdk-lib/aws-mwaa';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { AccessProfile, AirflowRole, accessPolicyNameOf, EnvironmentGrantTargets, OwnEnvironmentGrantTargets, PeopleAccess } from './access';
import { dagRunTriggerOf } from './dag-runs';
import type { DagRunDefaults, DagRunOptions, DagRunTrigger } from './dag-runs';
import { deliver, dependencySources } from './dependencies';
import { EnvironmentBase, IPrivateMwaaEnvironment } from './environment-base';
import { EndpointManagement, PrivateMwaaEnvironmentAttributes, PrivateMwaaEnvironmentProps, WebserverAccessMode } from './environment-props';
import { assetWatcherQueue } from './event-queue';
import { MwaaFrontDoor, MwaaFrontDoorOptions } from './front-door';
import { addAlarmStatus, addDashboard, addRecommendedAlarms, AirflowComponent, EnvironmentDashboardOptions, RecommendedAlarmsOptions } from './monitoring';
import { MwaaNetworkAcl } from './network-acl';
import { forwardStatusChanges, guardPrivateAccess, notificationTopic } from './notifications';
import { importEnvironment, importEnvironmentArn } from './private/environment-import';
import { executionRole } from './private/execution-role';
import { BASE_URL_OPTION, DEFAULT_KEYS, WEBSERVER_PORT } from './private/mwaa';
import { customerEndpoint, environmentSecurityGroup, hasNoInternetRoute, selectSubnets } from './private/network';
import * as v from './private/props-validation';
import { environmentBucket, environmentKey, logGroups, loggingConfiguration, validateKmsKey, validateSourceBucket } from './private/storage';
import { registerEnvironmentName } from './private/uniqueness';
import { secretPrefixes, withSecretsBackend } from './secrets-backend';
import { MwaaPublicAccessRevert, MwaaSelfService } from './self-service';
import { AirflowVersion, EnvironmentClass } from './versions';
import { environmentVpcEndpoints, MwaaVpcEndpoints } from './vpc-endpoints';
import { MwaaWarnings } from './warnings';

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
export class PrivateMwaaEnvironment extends EnvironmentBase implements IPrivateMwaaEnvironment {
  /**
   * Refer to an environment defined elsewhere, with what grants and connections need of it.
   */
  public static fromEnvironmentAttributes(scope: Construct, id: string, attrs: PrivateMwaaEnvironmentAttributes): IPrivateMwaaEnvironment {
    v.validateEnvironmentName(attrs.environmentName, '`environmentName` (of the imported environment)');
    return importEnvironment(scope, id, attrs);
  }

  /**
   * Refer to an environment defined elsewhere by its name, in this stack's account and Region.
   */
  public static fromEnvironmentName(scope: Construct, id: string, environmentName: string): IPrivateMwaaEnvironment {
    v.validateEnvironmentName(environmentName, '`environmentName` (of the imported environment)');
    return importEnvironment(scope, id, { environmentName });
  }

  /**
   * Refer to an environment defined elsewhere by its ARN, which may be in another account or
   * Region (`arn:<partition>:airflow:<region>:<account>:environment/<name>`).
   */
  public static fromEnvironmentArn(scope: Construct, id: string, environmentArn: string): IPrivateMwaaEnvironment {
    const imported = importEnvironmentArn(scope, id, environmentArn);
    v.validateEnvironmentName(imported.environmentName, `\`environmentArn\` (its environment name, in ${environmentArn})`);
    return imported;
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

  /**
   * The deployment that uploads the DAGs of `Dags.fromAsset`.
   *
   * @default - none, unless `dags` is `Dags.fromAsset`
   */
  public readonly dagsDeployment?: s3deploy.BucketDeployment;
  /**
   * The object version of `requirements.txt` the environment uses: the one given, or the version of
   * the upload of `DependencyFile.fromAsset`, resolved at deploy time.
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
   * The restricted updater people use instead of `UpdateEnvironment`.
   *
   * @default - none, when `selfService` is off
   */
  public readonly selfService?: MwaaSelfService;
  /**
   * The automatic revert of a public web server.
   *
   * @default - none, when `revertPublicAccess` is off
   */
  public readonly publicAccessRevert?: MwaaPublicAccessRevert;
  /**
   * The ARN of the self-service state machine, to start an update with
   * (`aws stepfunctions start-execution --state-machine-arn ...`).
   *
   * @default - none, when `selfService` is off
   */
  public readonly selfServiceStateMachineArn?: string;
  /**
   * The ARN of the public access revert's state machine.
   *
   * @default - none, when `revertPublicAccess` is off
   */
  public readonly publicAccessRevertStateMachineArn?: string;
  /**
   * The VPC endpoints created for the environment.
   *
   * @default - none, when `createVpcEndpoints` is off
   */
  public readonly vpcEndpoints?: MwaaVpcEndpoints;

  /**
   * The queue for Airflow 3 asset watchers (`eventQueue`).
   *
   * @default - none, when `eventQueue` is off
   */
  public readonly eventQueue?: sqs.IQueue;
  /**
   * The network ACL of the environment's subnets.
   *
   * @default - none, when `createNetworkAcl` is off
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
  /** The web server client ranges admitted so far, for the open-to-all warning. */
  private readonly webserverRanges: v.CidrRange[] = [];
  private openToAllReported = false;
  /** The dashboard `addDashboard()` created, which shows the recommended alarms whenever they are added. */
  private dashboard?: cloudwatch.Dashboard;
  /** The access profiles' policies and groups. */
  private readonly people: PeopleAccess;
  /** Where people deploy DAGs and dependency files to. */
  private readonly targets: OwnEnvironmentGrantTargets;
  /** The environment's VPC, for a front door and the functions of DAG run triggers. */
  private readonly vpc: ec2.IVpc;

  constructor(scope: Construct, id: string, props: PrivateMwaaEnvironmentProps) {
    super(scope, id, { physicalName: props.environmentName });
    this.environmentName = props.environmentName;
    this.airflowVersion = props.airflowVersion ?? AirflowVersion.V3_0_6;
    this.environmentClass = props.environmentClass ?? EnvironmentClass.MW1_SMALL;
    this.webserverAccessMode = props.webserverAccessMode ?? WebserverAccessMode.PRIVATE_ONLY;
    this.endpointManagement = props.endpointManagement ?? EndpointManagement.SERVICE;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.vpc = props.vpc;

    // 1. Validation: everything is checked before anything is created.
    const capacity = v.validateCapacity(this, this.airflowVersion, this.environmentClass, props);
    const configurationOptions = withSecretsBackend(props.airflowConfigurationOptions, props.secretsBackend);
    this.subnets = selectSubnets(props.vpc, props.vpcSubnets);
    const sources = dependencySources(this, props, () => hasNoInternetRoute(props.vpc, this.subnets), this.airflowVersion.version,
      this.webserverAccessMode === WebserverAccessMode.PRIVATE_ONLY);
    v.validateConfigurationOptions(this, configurationOptions ?? {}, sources.plugins.key);
    v.validateSecurityGroups(props.securityGroups, props.selfReferencingIngress);
    v.validateAccessMode(this, this.webserverAccessMode);
    v.validateEndpointManagement(this, this.endpointManagement, props.createCustomerEndpoints);
    v.validateLogging(this, props.loggingConfiguration ?? {});
    v.validateVpcEndpoints(props.createVpcEndpoints, props.vpcEndpointsOptions);
    v.validateEventQueue(this.airflowVersion, props.eventQueue);
    v.validateNetworkAclVpc(props.vpc, props.createNetworkAcl);
    if (props.sourceBucket) {
      validateSourceBucket(this, props.sourceBucket, props.sourceBucketAccessLogs);
    }
    if (props.kmsKey) {
      validateKmsKey(this, props.kmsKey, props.sourceBucket);
    }
    registerEnvironmentName(this, this.environmentName);

    // 2. Storage and encryption: key, bucket, log groups.
    this.kmsKey = environmentKey(this, this.environmentName, removalPolicy, props.kmsKey, props.sourceBucket);
    this.sourceBucket = environmentBucket(this, this.environmentName, removalPolicy, this.kmsKey, props.sourceBucket, props.sourceBucketAccessLogs);
    const groups = logGroups(this, this.environmentName, removalPolicy, this.kmsKey, props.logRetention ?? logs.RetentionDays.ONE_YEAR);
    this.dagProcessingLogGroup = groups.dagProcessingLogs;
    this.schedulerLogGroup = groups.schedulerLogs;
    this.taskLogGroup = groups.taskLogs;
    this.webserverLogGroup = groups.webserverLogs;
    this.workerLogGroup = groups.workerLogs;

    // 3. Execution role and its documented policy.
    const role = executionRole(this, {
      environmentName: this.environmentName,
      bucketArn: this.sourceBucket.bucketArn,
      keyArn: this.kmsKey.keyArn,
      secretPrefixes: secretPrefixes(props.secretsBackend),
    }, removalPolicy, props.executionRole);
    this.executionRole = role.role;
    this.executionRolePolicy = role.policy;
    this.grantPrincipal = this.executionRole;

    // 4. Delivery of DAGs, requirements, plugins and the startup script from local paths.
    const delivery = deliver(this, this.sourceBucket, this.kmsKey, sources);
    this.dagsDeployment = delivery.dagsDeployment;
    this.requirementsS3ObjectVersion = delivery.requirementsS3ObjectVersion;
    this.pluginsS3ObjectVersion = delivery.pluginsS3ObjectVersion;
    this.startupScriptS3ObjectVersion = delivery.startupScriptS3ObjectVersion;

    // 5. Network: security group, VPC endpoints, network ACL.
    this.securityGroups = props.securityGroups ?? [environmentSecurityGroup(this, this.environmentName, props.vpc, props.selfReferencingIngress)];
    this.connections = new ec2.Connections({ securityGroups: this.securityGroups, defaultPort: ec2.Port.tcp(WEBSERVER_PORT) });
    this.vpcEndpoints = environmentVpcEndpoints(this, {
      ...props, subnets: this.subnets, securityGroups: this.securityGroups, sourceBucket: this.sourceBucket, kmsKey: this.kmsKey,
    });
    if (props.eventQueue) {
      this.eventQueue = assetWatcherQueue(this, {
        kmsKey: this.kmsKey, executionRolePolicy: this.executionRolePolicy, vpcEndpoints: this.vpcEndpoints, removalPolicy,
      });
    }
    if (props.createNetworkAcl) {
      this.networkAcl = new MwaaNetworkAcl(this, 'NetworkAcl', { vpc: props.vpc, subnets: { subnets: this.subnets } });
    }

    // 6. The environment.
    this.resource = new mwaa.CfnEnvironment(this, 'Resource', {
      name: this.physicalName,
      airflowVersion: this.airflowVersion.version,
      environmentClass: this.environmentClass.name,
      executionRoleArn: this.executionRole.roleArn,
      sourceBucketArn: this.sourceBucket.bucketArn,
      kmsKey: this.kmsKey.keyArn,
      dagS3Path: sources.dags.folder,
      requirementsS3Path: sources.requirements.key,
      requirementsS3ObjectVersion: this.requirementsS3ObjectVersion,
      pluginsS3Path: sources.plugins.key,
      pluginsS3ObjectVersion: this.pluginsS3ObjectVersion,
      startupScriptS3Path: sources.startupScript.key,
      startupScriptS3ObjectVersion: this.startupScriptS3ObjectVersion,
      networkConfiguration: {
        subnetIds: this.subnets.map(s => s.subnetId),
        securityGroupIds: this.securityGroups.map(sg => sg.securityGroupId),
      },
      webserverAccessMode: this.webserverAccessMode,
      endpointManagement: this.endpointManagement,
      ...capacity,
      weeklyMaintenanceWindowStart: props.weeklyMaintenanceWindowStart,
      workerReplacementStrategy: props.workerReplacementStrategy,
      airflowConfigurationOptions: configurationOptions,
      loggingConfiguration: loggingConfiguration(props.loggingConfiguration ?? {}),
    });
    // CreateEnvironment checks the role's permissions on the bucket, so the policy must exist first
    // (the role alone is not enough). The log groups must exist before MWAA creates its own.
    this.resource.node.addDependency(this.executionRolePolicy, this.executionRole, ...Object.values(groups));
    // Without an internet route the environment cannot start before its endpoints exist.
    if (this.vpcEndpoints) {
      this.resource.node.addDependency(this.vpcEndpoints);
    }
    if (this.endpointManagement === EndpointManagement.CUSTOMER && (props.createCustomerEndpoints ?? true)) {
      const endpoint = (endpointId: string, service: string) =>
        customerEndpoint(this, endpointId, props.vpc, service, this.subnets, this.securityGroups);
      this.databaseVpcEndpoint = endpoint('DatabaseVpcEndpoint', this.resource.attrDatabaseVpcEndpointService);
      // PUBLIC_ONLY has no web server endpoint; in PUBLIC_AND_PRIVATE, MWAA creates and manages it
      // itself, also with CUSTOMER endpoints (/work/shared/MWAA-FACTS.md; no AWS page for it was found).
      if (this.webserverAccessMode === WebserverAccessMode.PRIVATE_ONLY) {
        this.webserverVpcEndpoint = endpoint('WebserverVpcEndpoint', this.resource.attrWebserverVpcEndpointService);
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

    // 7. Notifications: topic, status changes.
    const notified = { scope: this, environmentName: this.environmentName, environmentArn: this._arnForPolicies(), kmsKey: this.kmsKey };
    this.notificationTopic = notificationTopic(notified, props.notificationTopic, props.notifications);
    this.statusChangeRule = forwardStatusChanges(notified, this.notificationTopic, props.notifications?.statuses);

    // 8. Self-service updates, which the administrator profile uses instead of UpdateEnvironment.
    const updater = { environment: this, notificationTopic: this.notificationTopic, executionRole: this.executionRole, kmsKey: this.kmsKey };
    this.selfService = props.selfService ? new MwaaSelfService(this, 'SelfService', {
      ...updater,
      // Only new versions of the files the stack configured; the keys stay.
      requirementsS3Path: sources.requirements.key,
      pluginsS3Path: sources.plugins.key,
      startupScriptS3Path: sources.startupScript.key,
      allowedConfigurationOptions: props.selfServiceAllowedConfigurationOptions,
    }) : undefined;
    this.selfServiceStateMachineArn = this.selfService?.stateMachineArn;

    // 9. People's access: profiles, groups, assignments, who reaches the web server.
    this.targets = {
      sourceBucket: this.sourceBucket,
      kmsKey: this.kmsKey,
      dagFolder: sources.dags.folder.replace(/\/+$/, ''),
      dependencyKeys: [
        sources.requirements.key ?? DEFAULT_KEYS.requirements,
        sources.plugins.key ?? DEFAULT_KEYS.plugins,
        sources.startupScript.key ?? DEFAULT_KEYS.startupScript,
      ],
      executionRoleArn: this.executionRole.roleArn,
      selfService: this.selfService,
      network: {
        vpcId: props.vpc.vpcId,
        subnetIds: this.subnets.map(s => s.subnetId),
        securityGroupIds: this.securityGroups.map(sg => sg.securityGroupId),
      },
      secretPrefixes: secretPrefixes(props.secretsBackend),
    };
    this.people = new PeopleAccess(this, this.targets);
    this.people.apply(props.peopleAccess);
    for (const peer of props.webserverAccessPeers ?? []) {
      this.allowWebserverAccessFrom(peer);
    }

    // 10. The public access guardrail, and the revert it starts.
    const guardrail = props.publicAccessGuardrail
      ?? (this.webserverAccessMode === WebserverAccessMode.PRIVATE_ONLY || props.revertPublicAccess === true);
    v.validateRevert(props.revertPublicAccess, guardrail, this.webserverAccessMode);
    v.validateSelfServiceOptions(props.selfService, props.selfServiceAllowedConfigurationOptions);
    if (guardrail) {
      this.publicAccessGuardrailRule = guardPrivateAccess(notified, this.notificationTopic);
    }
    if (props.revertPublicAccess) {
      this.publicAccessRevert = new MwaaPublicAccessRevert(this, 'PublicAccessRevert', {
        ...updater,
        vpc: props.vpc,
        subnets: this.subnets,
        securityGroups: this.securityGroups,
        endpointManagement: this.endpointManagement,
        guardrailRule: this.publicAccessGuardrailRule,
      });
      this.publicAccessRevertStateMachineArn = this.publicAccessRevert.stateMachineArn;
    }
  }

  /**
   * The IAM group of an access profile, named `<environment>-<profile>`.
   *
   * @returns the group, or undefined when `peopleAccess.createGroups` is off
   */
  public group(profile: AccessProfile): iam.IGroup | undefined {
    return this.people.group(profile);
  }

  /**
   * The customer managed policy that holds an access profile's grants, named
   * `<environment>-airflow-<profile>`. Attach it to roles, groups or users.
   */
  public accessPolicy(profile: AccessProfile): iam.ManagedPolicy {
    return this.people.policy(profile);
  }

  /**
   * The name of an access profile's customer managed policy, `<environment>-airflow-<profile>`, as
   * a plain string: an IAM Identity Center permission set can reference it by name in every account
   * the policy exists in.
   */
  public accessPolicyName(profile: AccessProfile): string {
    return accessPolicyNameOf(this.environmentName, profile);
  }

  /**
   * Let a network reach the Airflow web server on TCP 443, recorded on the environment's security
   * groups with a description (and admitted by the network ACL, for an IPv4 range).
   */
  public allowWebserverAccessFrom(peer: ec2.IPeer, description?: string): void {
    const range = v.validateWebserverPeer(peer);
    if (range !== undefined) {
      this.webserverRanges.push(range);
      // Reported once, when the ranges first cover every address (one range or several together).
      if (!this.openToAllReported && (v.coversEveryAddress(this.webserverRanges, 32) || v.coversEveryAddress(this.webserverRanges, 128))) {
        this.openToAllReported = true;
        v.warnIfOpenToAll(this, this.webserverRanges);
      }
    }
    this.connections.allowFrom(peer, ec2.Port.tcp(WEBSERVER_PORT), description ?? `Airflow web server of ${this.environmentName} from ${peer.uniqueId}`);
    const rule = peer.toIngressRuleConfig();
    const cidr = rule.cidrIp;
    if (this.networkAcl && typeof cidr === 'string') {
      this.networkAcl.allowWebserverClients(cidr);
    } else if (this.networkAcl && rule.sourceSecurityGroupId === undefined) {
      // An IPv6 range or a prefix list. (A security group is in the VPC, which the ACL admits.)
      Annotations.of(this).addWarningV2(MwaaWarnings.ACL_PEER,
        `\`webserverAccessPeers\`: the network ACL admits IPv4 ranges only, and ${peer.uniqueId} is not one, so the ACL still blocks it. Add a network ACL entry for it yourself, or acknowledge this warning.`);
    }
  }

  /**
   * Create the recommended alarms, each notifying the environment's topic: the scheduler heartbeat
   * is missing; tasks stay queued; CPU or memory of the base workers, the additional workers or
   * the schedulers stays above 85 percent; the status change rule or the public access guardrail
   * failed to deliver to the topic (EventBridge `FailedInvocations`).
   *
   * The alarms are created after the environment, so that its creation does not set them off.
   * Call it once.
   *
   * @returns the alarms
   */
  public addRecommendedAlarms(options: RecommendedAlarmsOptions = {}): cloudwatch.Alarm[] {
    const alarms = addRecommendedAlarms(this.monitored(), options);
    this.recommendedAlarms.push(...alarms);
    if (this.dashboard !== undefined) {
      addAlarmStatus(this.dashboard, alarms);
    }
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
    this.dashboard = addDashboard(this.monitored(), options, this.recommendedAlarms);
    return this.dashboard;
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
   * Put a front door in front of the private web server: a load balancer (internal unless asked)
   * with HTTPS on a company host name and sign-in through the company's identity provider, which
   * logs people in to Airflow with the role their group maps to. It sets `webserver.base_url` to
   * the host name, so the web server access mode must be PRIVATE_ONLY.
   *
   * @param id the construct id of the front door, in this environment's scope
   * @see https://docs.aws.amazon.com/mwaa/latest/userguide/vpc-vpe-access.html
   */
  public addFrontDoor(id: string, options: MwaaFrontDoorOptions): MwaaFrontDoor {
    return MwaaFrontDoor._create({
      scope: this,
      environmentName: this.environmentName,
      airflowVersion: this.airflowVersion,
      vpc: this.vpc,
      kmsKey: this.kmsKey,
      webserverVpcEndpointService: this.webserverVpcEndpointService,
      endpointDependencies: [this.resource, ...(this.webserverVpcEndpoint ? [this.webserverVpcEndpoint] : [])],
      allowWebserverAccessFrom: (peer, description) => this.allowWebserverAccessFrom(peer, description),
      setWebserverBaseUrl: hostName => this._setWebserverBaseUrl(hostName),
    }, id, options);
  }

  /**
   * Set the Airflow option `webserver.base_url` (a custom domain of a private web server).
   *
   * @internal
   */
  public _setWebserverBaseUrl(hostName: string): void {
    if (this.webserverAccessMode !== WebserverAccessMode.PRIVATE_ONLY) {
      throw new Error(`\`webserverAccessMode\` must be PRIVATE_ONLY for a custom domain (\`webserver.base_url\`) in front of the web server, got: ${this.webserverAccessMode}`);
    }
    const options: { [key: string]: string } = { ...(this.resource.airflowConfigurationOptions ?? {}) };
    const current = options[BASE_URL_OPTION];
    if (current !== undefined && current !== hostName) {
      throw new Error(`\`airflowConfigurationOptions\` already sets ${BASE_URL_OPTION} to another host than the front door's ${hostName}, got: '${current}'`);
    }
    options[BASE_URL_OPTION] = hostName;
    this.resource.airflowConfigurationOptions = options;
  }

  // The metrics, grants and events every environment has: the behaviour lives in the environment
  // base (shared with imported environments), and is declared here again so that each method is
  // documented on this class and the other languages' tools (rosetta, API.md) resolve it here.

  /**
   * An Apache Airflow metric of this environment, in the `AmazonMWAA` namespace, with the
   * `Environment` dimension set to its name; give the others in `props.dimensionsMap`.
   *
   * @param metricName the metric, for example `TaskInstanceFailures`
   * @see https://docs.aws.amazon.com/mwaa/latest/userguide/access-metrics-cw-202.html
   */
  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return super.metric(metricName, props);
  }

  /** Scheduler heartbeats (sum over 5 minutes); none means no scheduler is running. */
  public metricSchedulerHeartbeat(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return super.metricSchedulerHeartbeat(props);
  }

  /** Tasks waiting in the executor queue (maximum over 5 minutes). */
  public metricQueuedTasks(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return super.metricQueuedTasks(props);
  }

  /** Tasks running on the workers (maximum over 5 minutes). */
  public metricRunningTasks(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return super.metricRunningTasks(props);
  }

  /** Seconds spent parsing all DAG files (average over 5 minutes). */
  public metricDagProcessingTotalParseTime(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return super.metricDagProcessingTotalParseTime(props);
  }

  /** DAG files that failed to import (maximum over 5 minutes). */
  public metricDagImportErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return super.metricDagImportErrors(props);
  }

  /** CPU utilization of one component, in percent (average over 5 minutes), in the `AWS/MWAA` namespace. */
  public metricCpuUtilization(component: AirflowComponent, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return super.metricCpuUtilization(component, props);
  }

  /** Memory utilization of one component, in percent (average over 5 minutes), in the `AWS/MWAA` namespace. */
  public metricMemoryUtilization(component: AirflowComponent, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return super.metricMemoryUtilization(component, props);
  }

  /**
   * Let the grantee call the given MWAA actions on this environment, for example
   * `airflow:GetEnvironment`.
   */
  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return super.grant(grantee, ...actions);
  }

  /** Let the grantee log in to the Airflow UI as the given Airflow role (`airflow:CreateWebLoginToken`). */
  public grantWebLogin(grantee: iam.IGrantable, role: AirflowRole): iam.Grant {
    return super.grantWebLogin(grantee, role);
  }

  /** Let the grantee call the Airflow REST API as the given Airflow role (`airflow:InvokeRestApi`). */
  public grantRestApi(grantee: iam.IGrantable, role: AirflowRole): iam.Grant {
    return super.grantRestApi(grantee, role);
  }

  /** Let the grantee get an Airflow CLI token (`airflow:CreateCliToken`): an administrator's permission. */
  public grantCliToken(grantee: iam.IGrantable): iam.Grant {
    return super.grantCliToken(grantee);
  }

  /** Let the grantee read the environment's logs in CloudWatch Logs, including Logs Insights queries. */
  public grantReadLogs(grantee: iam.IGrantable): iam.Grant {
    return super.grantReadLogs(grantee);
  }

  /** Let the grantee see the environment in the console and the API (`GetEnvironment`, `ListEnvironments`, `ListTagsForResource`). */
  public grantConsoleReadOnly(grantee: iam.IGrantable): iam.Grant {
    return super.grantConsoleReadOnly(grantee);
  }

  /**
   * Let the grantee update and read the environment, with what an update of an environment
   * encrypted with a customer managed key needs (its key, bucket, and the EC2 calls in its network).
   *
   * @see https://docs.aws.amazon.com/mwaa/latest/userguide/access-policies.html#full-access-policy
   */
  public grantAdministration(grantee: iam.IGrantable): iam.Grant {
    return super.grantAdministration(grantee);
  }

  /**
   * Let the grantee read the secrets under the two prefixes of the Secrets Manager backend.
   * Throws when the environment has no `secretsBackend`.
   */
  public grantReadSecrets(grantee: iam.IGrantable): iam.Grant {
    return super.grantReadSecrets(grantee);
  }

  /** Let the grantee deploy DAGs: write, replace and delete objects under the DAG folder only. */
  public grantDagDeployment(grantee: iam.IGrantable): iam.Grant {
    return super.grantDagDeployment(grantee);
  }

  /** Let the grantee deploy the requirements file, the plugins archive and the startup script. */
  public grantDependencyDeployment(grantee: iam.IGrantable): iam.Grant {
    return super.grantDependencyDeployment(grantee);
  }

  /**
   * Give the grantee every grant of an access profile.
   *
   * @returns one grant that combines them
   */
  public grantAccessProfile(grantee: iam.IGrantable, profile: AccessProfile): iam.Grant {
    return super.grantAccessProfile(grantee, profile);
  }

  /**
   * An EventBridge rule on the status changes of this environment (every status).
   *
   * @param id the construct id of the rule, in this environment's scope
   */
  public onStatusChange(id: string, options?: events.OnEventOptions): events.Rule {
    return super.onStatusChange(id, options);
  }

  /** @internal */
  public _grantTargets(): EnvironmentGrantTargets {
    return this.targets;
  }

  /**
   * The trigger that starts runs of a DAG through Airflow's REST API (created on first use, then
   * reused for the same DAG and options): a state machine, and for a private web server a function
   * in the environment's subnets.
   *
   * @param dagId the DAG to run
   * @param options the run's conf and the Airflow role
   * @see https://docs.aws.amazon.com/mwaa/latest/userguide/access-mwaa-apache-airflow-rest-api.html
   */
  public dagRunTrigger(dagId: string, options: DagRunOptions = {}): DagRunTrigger {
    return dagRunTriggerOf(this, this.environmentName, dagId, options, this._dagRunDefaults());
  }

  /**
   * An EventBridge target (for `events.Rule`) that starts a run of a DAG with the event as its
   * `conf` (or a selection of it) and a run id derived from the event's id.
   *
   * @param dagId the DAG to run
   * @param options the run's conf and the Airflow role
   */
  public dagRunTarget(dagId: string, options: DagRunOptions = {}): events.IRuleTarget {
    return this.dagRunTrigger(dagId, options).ruleTarget;
  }

  /**
   * A Step Functions task for a workflow of your own that starts a run of a DAG (with the task's
   * input as the event) and fails when the run is refused.
   *
   * @param scope the scope of the task
   * @param id the id of the task
   * @param dagId the DAG to run
   * @param options the run's conf and the Airflow role
   */
  public dagRunTask(scope: Construct, id: string, dagId: string, options: DagRunOptions = {}): tasks.StepFunctionsStartExecution {
    return this.dagRunTrigger(dagId, options).startTask(scope, id);
  }

  /** @internal */
  public _dagRunDefaults(): DagRunDefaults {
    return {
      airflowVersion: this.airflowVersion,
      webserverAccessMode: this.webserverAccessMode,
      vpc: this.vpc,
      subnets: this.subnets,
      securityGroups: this.securityGroups,
      notificationTopic: this.notificationTopic,
      vpcEndpoints: this.vpcEndpoints,
    };
  }

  private monitored() {
    return {
      env: this,
      topic: this.notificationTopic,
      resource: this.resource,
      summary: `Airflow ${this.airflowVersion.version}, ${this.environmentClass.name}, ${this.webserverAccessMode}`,
      rules: {
        StatusChangeRuleFailedInvocations: this.statusChangeRule,
        ...(this.publicAccessGuardrailRule ? { PublicAccessGuardrailFailedInvocations: this.publicAccessGuardrailRule } : {}),
      },
    };
  }
}
