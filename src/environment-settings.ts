// The environment props' small structs and enums: value types at the bottom of the layers, so that
// the feature files and private helpers that need them do not import the props file, which imports
// the features back (see STYLE.md, "Layers, not loops").

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
 * Who can reach the Airflow web server.
 *
 * @see https://docs.aws.amazon.com/mwaa/latest/userguide/configuring-networking.html
 */
export enum WebserverAccessMode {
  /** Only from inside the VPC, through a VPC endpoint. */
  PRIVATE_ONLY = 'PRIVATE_ONLY',
  /** From the internet, to anyone with IAM permission to log in. */
  PUBLIC_ONLY = 'PUBLIC_ONLY',
  /**
   * From the internet and from inside the VPC. A value of the MWAA API; the CloudFormation
   * reference lists only the other two, and AWS does not say which Airflow versions it needs (the
   * construct does not check the version). Public, as far as the
   * guardrail and the warnings are concerned. MWAA creates and manages the web server's VPC
   * endpoint itself in this mode, also with `EndpointManagement.CUSTOMER`, so the construct does
   * not create one.
   */
  PUBLIC_AND_PRIVATE = 'PUBLIC_AND_PRIVATE',
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
