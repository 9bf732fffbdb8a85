import { Duration } from 'aws-cdk-lib';

/**
 * A component of an environment that MWAA reports CPU and memory utilization for (the `Cluster`
 * dimension of the `AWS/MWAA` metrics).
 *
 * @see https://docs.aws.amazon.com/mwaa/latest/userguide/accessing-metrics-cw-container-queue-db.html
 */
export enum AirflowComponent {
  /** The workers that always run (`minWorkers`). */
  BASE_WORKER = 'BaseWorker',
  /** The workers added by autoscaling, up to `maxWorkers`. */
  ADDITIONAL_WORKER = 'AdditionalWorker',
  /** The schedulers. */
  SCHEDULER = 'Scheduler',
  /** The web servers. */
  WEB_SERVER = 'WebServer',
}

/**
 * Thresholds of the recommended alarms.
 */
export interface RecommendedAlarmsOptions {
  /**
   * CPU utilization of the workers and the schedulers, in percent, above which an alarm fires.
   *
   * @default 85
   */
  readonly cpuUtilizationPercent?: number;

  /**
   * Memory utilization of the workers and the schedulers, in percent, above which an alarm fires.
   *
   * @default 85
   */
  readonly memoryUtilizationPercent?: number;

  /**
   * How long utilization must stay above its threshold before the alarm fires.
   *
   * @default Duration.minutes(15)
   */
  readonly sustainedFor?: Duration;

  /**
   * How long tasks may wait in the queue, without it ever emptying, before the alarm fires.
   *
   * @default Duration.minutes(30)
   */
  readonly tasksQueuedFor?: Duration;

  /**
   * How long the scheduler heartbeat may be missing before the alarm fires.
   *
   * @default Duration.minutes(15)
   */
  readonly heartbeatMissingFor?: Duration;
}

/**
 * Options of the environment's dashboard.
 */
export interface EnvironmentDashboardOptions {
  /**
   * The name of the dashboard.
   *
   * @default - `mwaa-<environment name>`
   */
  readonly dashboardName?: string;

  /**
   * The period of the graphs.
   *
   * @default Duration.minutes(5)
   */
  readonly period?: Duration;
}
