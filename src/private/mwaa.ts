/**
 * Facts about Amazon MWAA that the library relies on, in one place. Everything else imports them.
 *
 * Sources: the MWAA user guide and API reference, the AWS::MWAA::Environment resource schema, and
 * ../shared/MWAA-FACTS.md, which collects them.
 */

/** TCP port of the Airflow web server (and of every interface endpoint). */
export const WEBSERVER_PORT = 443;
/** TCP port of the Airflow metadata database (PostgreSQL). */
export const DATABASE_PORT = 5432;

/**
 * MWAA's own events on the default event bus.
 *
 * @see https://docs.aws.amazon.com/mwaa/latest/userguide/monitoring-eventbridge.html
 */
export const EVENT_SOURCE = 'aws.airflow';
/** The detail type of an environment's status change event. */
export const STATUS_CHANGE_DETAIL_TYPE = 'MWAA Environment Status Change';
/** The detail type of the CloudTrail record of an MWAA API call, delivered to EventBridge. */
export const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';
/** The event source of MWAA API calls in CloudTrail records. */
export const CLOUDTRAIL_EVENT_SOURCE = 'airflow.amazonaws.com';

/**
 * The keys of the status change event's detail that may name the environment and its new status,
 * in every spelling this library accepts. AWS documents the source and the detail type of the event
 * but publishes no sample event and no field names ("Amazon MWAA sends the following events
 * directly to EventBridge: MWAA Environment Status Change", delivery "Best effort"), so no single
 * guessed spelling may be relied on: the status rule matches any of these (and the environment ARN
 * in `resources`), and the shared-VPC function reads the first one present. One list, used by both.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-airflow.html
 */
export const STATUS_EVENT_FIELDS = {
  name: ['name', 'Name', 'environmentName', 'EnvironmentName'],
  status: ['status', 'Status', 'state', 'State'],
} as const;

/** The EventBridge pattern fields that select MWAA status change events. */
export const STATUS_CHANGE_PATTERN = { source: [EVENT_SOURCE], detailType: [STATUS_CHANGE_DETAIL_TYPE] };

/** The service principals MWAA assumes an execution role as. */
export const SERVICE_PRINCIPALS = ['airflow.amazonaws.com', 'airflow-env.amazonaws.com'];
/** The service principal a user passes the execution role to. */
export const PASSED_TO_SERVICE = 'airflow.amazonaws.com';

/** The five log types, in the order CloudFormation lists them: prop name, construct id, log group suffix. */
export const LOG_TYPES = [
  { prop: 'dagProcessingLogs', cfn: 'DagProcessingLogs', id: 'DagProcessingLogs', suffix: 'DAGProcessing' },
  { prop: 'schedulerLogs', cfn: 'SchedulerLogs', id: 'SchedulerLogs', suffix: 'Scheduler' },
  { prop: 'taskLogs', cfn: 'TaskLogs', id: 'TaskLogs', suffix: 'Task' },
  { prop: 'webserverLogs', cfn: 'WebserverLogs', id: 'WebserverLogs', suffix: 'WebServer' },
  { prop: 'workerLogs', cfn: 'WorkerLogs', id: 'WorkerLogs', suffix: 'Worker' },
] as const;

/** One of the five log types. */
export type LogType = typeof LOG_TYPES[number];

/**
 * The log levels MWAA accepts for each log type.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-mwaa-environment-moduleloggingconfiguration.html
 */
export const LOG_LEVELS = ['CRITICAL', 'ERROR', 'WARNING', 'INFO', 'DEBUG'];

/** The log levels that keep what audits and troubleshooting need: INFO and the more verbose DEBUG. */
export const VERBOSE_LOG_LEVELS = ['INFO', 'DEBUG'];

/** The name of the log group MWAA writes one log type of an environment to. */
export function logGroupName(environmentName: string, suffix: string): string {
  return `airflow-${environmentName}-${suffix}`;
}

/** The DAG folder in the source bucket, unless set otherwise. */
export const DEFAULT_DAG_FOLDER = 'dags';
/** The keys of the dependency files in the source bucket, unless set otherwise. */
export const DEFAULT_KEYS = { requirements: 'requirements.txt', plugins: 'plugins.zip', startupScript: 'startup.sh' } as const;

/** Where MWAA unpacks plugins.zip on every Airflow container. */
export const PLUGINS_MOUNT = '/usr/local/airflow/plugins';

/**
 * Airflow configuration options MWAA has a say about: it sets `celery.worker_concurrency` itself,
 * and with plugins `core.lazy_load_plugins` should be False so that they load when each process starts.
 *
 * @see https://docs.aws.amazon.com/mwaa/latest/userguide/configuring-env-variables.html
 * @see https://docs.aws.amazon.com/mwaa/latest/userguide/configuring-dag-import-plugins.html
 */
export const WORKER_CONCURRENCY_OPTION = 'celery.worker_concurrency';
/**
 * Airflow configuration options that change how Airflow authenticates, where it reads secrets and
 * code from, or how it executes tasks: what a self-service update refuses unless an allow list says
 * otherwise. Airflow 2 and 3 names (Airflow 3 moved the web server's settings to `api`, `api_auth`
 * and `fab`). A key matches an entry that is equal to it, or an entry ending in `.` that it starts
 * with (a whole section).
 *
 * @see https://airflow.apache.org/docs/apache-airflow/stable/configurations-ref.html
 */
export const SECURITY_SENSITIVE_OPTIONS = [
  'secrets.backend', 'secrets.backend_kwargs',
  'core.fernet_key', 'core.executor', 'core.dags_folder', 'core.plugins_folder', 'core.auth_manager',
  'core.sql_alchemy_conn', 'database.sql_alchemy_conn', 'celery.broker_url', 'celery.result_backend',
  'api.auth_backends', 'api.auth_backend', 'api.expose_config', 'api.secret_key', 'api_auth.',
  'webserver.authenticate', 'webserver.auth_backend', 'webserver.expose_config', 'webserver.secret_key', 'webserver.rbac',
  'fab.', WORKER_CONCURRENCY_OPTION,
];

/** See {@link WORKER_CONCURRENCY_OPTION}. */
export const LAZY_LOAD_PLUGINS_OPTION = 'core.lazy_load_plugins';

/**
 * The Airflow option that gives a private web server a custom domain: a fully qualified name
 * without scheme or path, at most 255 characters (/work/shared/MWAA-FACTS.md, "Custom domain for a
 * private web server").
 *
 * @see https://docs.aws.amazon.com/mwaa/latest/userguide/configuring-env-variables.html
 */
export const BASE_URL_OPTION = 'webserver.base_url';

/** Availability Zones (by id) where MWAA cannot run an environment. */
export const UNSUPPORTED_AZ_IDS = ['use1-az3'];

/**
 * The interface endpoints an environment needs when its subnets have no route to the internet
 * (the last part of the service name), besides S3.
 *
 * @see https://docs.aws.amazon.com/mwaa/latest/userguide/vpc-vpe-access.html
 */
export const NEEDED_INTERFACE_ENDPOINTS = ['sqs', 'logs', 'monitoring', 'kms'];

/** The Airflow class that reads connections and variables from Secrets Manager. */
export const SECRETS_MANAGER_BACKEND_CLASS = 'airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend';
/** The secret name prefixes of the Secrets Manager backend, unless set otherwise. */
export const DEFAULT_SECRET_PREFIXES = { connections: 'airflow/connections', variables: 'airflow/variables' } as const;

/** The name prefix of the Celery queues MWAA creates, in an account it owns. */
export const CELERY_QUEUE_PREFIX = 'airflow-celery-';

/** The oldest Airflow version CloudFormation accepts (older ones reached end of support). */
export const OLDEST_AIRFLOW_VERSION = '2.7.2';

/** The default quota of workers per environment. */
export const WORKER_QUOTA = 25;

/**
 * The Airflow REST API through `InvokeRestApi` (Airflow 2.4.3 and later; `Path` 1-64 characters).
 * https://docs.aws.amazon.com/mwaa/latest/userguide/access-mwaa-apache-airflow-rest-api.html
 * https://docs.aws.amazon.com/mwaa/latest/API/API_InvokeRestApi.html
 */
export const REST_API_MIN_AIRFLOW_VERSION = '2.4.3';
export const REST_API_PATH_MAX = 64;

/**
 * Airflow's rule for a DAG id (`validate_key`: `KEY_REGEX = ^[\w.-]+$`, at most 250 characters; the
 * error message says ASCII, which is what this pattern allows).
 * https://github.com/apache/airflow/blob/main/task-sdk/src/airflow/sdk/definitions/_internal/node.py
 */
export const DAG_ID_PATTERN = /^[a-zA-Z0-9_.-]+$/;
export const DAG_ID_MAX = 250;

/** `-1`, `0` or `1` as Airflow version `a` is older than, equal to or newer than `b` (numeric parts). */
export function compareAirflowVersions(a: string, b: string): number {
  const pa = a.split('.').map(p => parseInt(p, 10) || 0);
  const pb = b.split('.').map(p => parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}
