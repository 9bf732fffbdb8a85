/**
 * The ids of the warnings this library reports at synthesis, to acknowledge one on a construct
 * (or any construct above it) with `Annotations.of(scope).acknowledgeWarning(id, reason)`.
 *
 * Each warning is reported once per construct, and says what to do instead.
 */
export class MwaaWarnings {
  /** The web server is public (`webserverAccessMode`). */
  public static readonly PUBLIC_WEBSERVER = 'cdk-private-mwaa:publicWebserver';
  /** `airflowVersion` is not one this library knows CloudFormation accepts. */
  public static readonly UNKNOWN_AIRFLOW_VERSION = 'cdk-private-mwaa:unknownAirflowVersion';
  /** `environmentClass` is not one this library knows. */
  public static readonly UNKNOWN_ENVIRONMENT_CLASS = 'cdk-private-mwaa:unknownEnvironmentClass';
  /** `maxWorkers` is above the default quota of 25. */
  public static readonly WORKER_QUOTA = 'cdk-private-mwaa:workerQuota';
  /** Plugins without `core.lazy_load_plugins` set to False. */
  public static readonly LAZY_LOAD_PLUGINS = 'cdk-private-mwaa:lazyLoadPlugins';
  /** A log type is disabled or quieter than INFO. */
  public static readonly REDUCED_LOGGING = 'cdk-private-mwaa:reducedLogging';
  /** `sourceBucket` is imported, so its settings cannot be checked. */
  public static readonly IMPORTED_BUCKET = 'cdk-private-mwaa:importedBucket';
  /** `kmsKey` (or the key of `sourceBucket`) is imported, so its key policy cannot admit CloudWatch Logs. */
  public static readonly KMS_KEY_POLICY = 'cdk-private-mwaa:kmsKeyPolicy';
  /** CUSTOMER endpoint management with nothing here creating the endpoints. */
  public static readonly CUSTOMER_ENDPOINTS = 'cdk-private-mwaa:customerEndpoints';
  /** The requirements file has no `--constraint` line. */
  public static readonly REQUIREMENTS_CONSTRAINT = 'cdk-private-mwaa:requirementsConstraint';
  /** The requirements file needs a package index the subnets cannot reach. */
  public static readonly REQUIREMENTS_NEED_INDEX = 'cdk-private-mwaa:requirementsNeedIndex';
  /** The Secrets Manager backend without a Secrets Manager endpoint. */
  public static readonly SECRETS_ENDPOINT = 'cdk-private-mwaa:secretsEndpoint';
  /** The notification topic is imported, so its policy cannot admit the publishers. */
  public static readonly NOTIFICATION_TOPIC_POLICY = 'cdk-private-mwaa:notificationTopicPolicy';
  /** The notification topic is encrypted with an imported key whose policy cannot admit the publishers. */
  public static readonly NOTIFICATION_TOPIC_KEY = 'cdk-private-mwaa:notificationTopicKey';
  /** A policy was to be attached to an IAM Identity Center role, which IAM does not allow. */
  public static readonly SSO_ROLE = 'cdk-private-mwaa:ssoRole';
  /** A web server peer the network ACL cannot admit (IPv6 or prefix list). */
  public static readonly ACL_PEER = 'cdk-private-mwaa:aclPeer';
  /** More web server client ranges than the network ACL's default rule quota leaves room for. */
  public static readonly ACL_RULE_LIMIT = 'cdk-private-mwaa:aclRuleLimit';
  /** An `AirflowPermissionSet` names an environment of its own account, which IAM groups or roles could serve directly. */
  public static readonly ENVIRONMENT_IN_IDENTITY_ACCOUNT = 'cdk-private-mwaa:environmentInIdentityAccount';
  /** An `AirflowPermissionSet` makes CDK name an environment's bucket, which replaces the bucket of a deployed environment. */
  public static readonly GENERATED_BUCKET_NAME = 'cdk-private-mwaa:generatedBucketName';
  /** An `AirflowPermissionSet` references more customer managed policies than the default quota of a role allows. */
  public static readonly MANAGED_POLICIES_PER_ROLE = 'cdk-private-mwaa:managedPoliciesPerRole';
  /** A self-service updater or revert without the environment's key: it cannot update an encrypted environment. */
  public static readonly UPDATER_KEY = 'cdk-private-mwaa:updaterKey';
  /** A DAG run trigger of a private web server without an `airflow.env` endpoint this library manages. */
  public static readonly DAG_RUN_ENV_ENDPOINT = 'cdk-private-mwaa:dagRunEnvEndpoint';
  /**
   * The public access guardrail only works where a CloudTrail trail logs management events, which
   * the construct cannot see.
   */
  public static readonly GUARDRAIL_NEEDS_TRAIL = 'cdk-private-mwaa:guardrailNeedsTrail';
  /** A web server peer that is the whole IPv4 or IPv6 internet (`0.0.0.0/0`, `::/0`). */
  public static readonly WEBSERVER_OPEN_TO_ALL = 'cdk-private-mwaa:webserverOpenToAll';
  /** A front door (`addFrontDoor`) whose load balancer is internet-facing. */
  public static readonly FRONT_DOOR_INTERNET_FACING = 'cdk-private-mwaa:frontDoorInternetFacing';
  /**
   * The `notificationTopic` given is encrypted with a key whose policy cannot admit the publishers
   * (an imported key, an alias, an AWS managed key).
   */
  public static readonly NOTIFICATION_TOPIC_IMPORTED_KEY = 'cdk-private-mwaa:notificationTopicImportedKey';
  /**
   * An `MwaaOrganizationGuard` guards an environment of its own stack's account, which is likely the
   * management account, where service control policies do not apply.
   */
  public static readonly GUARD_OWN_ACCOUNT = 'cdk-private-mwaa:guardOwnAccount';
  /**
   * A permission set leaves out the administrator's `ec2:CreateVpcEndpoint` and
   * `ec2:CreateNetworkInterface`: the environment's VPC, subnet or security group ids are known only
   * at deploy time.
   */
  public static readonly PERMISSION_SET_NETWORK = 'cdk-private-mwaa:permissionSetNetwork';
  /**
   * A permission set leaves out the administrator's `iam:PassRole`: the environment's execution role
   * has neither a name known at synth nor a construct here that can carry a tag.
   */
  public static readonly PERMISSION_SET_PASS_ROLE = 'cdk-private-mwaa:permissionSetPassRole';
  /** `kmsKey` (or the key of `sourceBucket`) belongs to another account, whose key policy is not changed here. */
  public static readonly KMS_KEY_OTHER_ACCOUNT = 'cdk-private-mwaa:kmsKeyOtherAccount';
  /** The requirements' constraints file is for another Airflow version than `airflowVersion`. */
  public static readonly CONSTRAINTS_VERSION = 'cdk-private-mwaa:constraintsVersion';
  /**
   * `Dags.fromAsset` prunes the DAG folder on every deployment while someone may also write DAGs
   * there (`grantDagDeployment`, the developer profile): what they upload is deleted.
   */
  public static readonly PRUNED_DAG_FOLDER_WRITABLE = 'cdk-private-mwaa:prunedDagFolderWritable';

  /** Every warning id, for documentation and tests. */
  public static readonly ALL: string[] = [
    MwaaWarnings.PUBLIC_WEBSERVER,
    MwaaWarnings.UNKNOWN_AIRFLOW_VERSION,
    MwaaWarnings.UNKNOWN_ENVIRONMENT_CLASS,
    MwaaWarnings.WORKER_QUOTA,
    MwaaWarnings.LAZY_LOAD_PLUGINS,
    MwaaWarnings.REDUCED_LOGGING,
    MwaaWarnings.IMPORTED_BUCKET,
    MwaaWarnings.KMS_KEY_POLICY,
    MwaaWarnings.CUSTOMER_ENDPOINTS,
    MwaaWarnings.REQUIREMENTS_CONSTRAINT,
    MwaaWarnings.REQUIREMENTS_NEED_INDEX,
    MwaaWarnings.SECRETS_ENDPOINT,
    MwaaWarnings.NOTIFICATION_TOPIC_POLICY,
    MwaaWarnings.NOTIFICATION_TOPIC_KEY,
    MwaaWarnings.SSO_ROLE,
    MwaaWarnings.ACL_PEER,
    MwaaWarnings.ACL_RULE_LIMIT,
    MwaaWarnings.ENVIRONMENT_IN_IDENTITY_ACCOUNT,
    MwaaWarnings.GENERATED_BUCKET_NAME,
    MwaaWarnings.MANAGED_POLICIES_PER_ROLE,
    MwaaWarnings.UPDATER_KEY,
    MwaaWarnings.GUARDRAIL_NEEDS_TRAIL,
    MwaaWarnings.WEBSERVER_OPEN_TO_ALL,
    MwaaWarnings.FRONT_DOOR_INTERNET_FACING,
    MwaaWarnings.NOTIFICATION_TOPIC_IMPORTED_KEY,
    MwaaWarnings.GUARD_OWN_ACCOUNT,
    MwaaWarnings.DAG_RUN_ENV_ENDPOINT,
    MwaaWarnings.PERMISSION_SET_NETWORK,
    MwaaWarnings.PERMISSION_SET_PASS_ROLE,
    MwaaWarnings.KMS_KEY_OTHER_ACCOUNT,
    MwaaWarnings.CONSTRAINTS_VERSION,
    MwaaWarnings.PRUNED_DAG_FOLDER_WRITABLE,
  ];

  private constructor() {}
}
