import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IDependable } from 'constructs';
import { AIRFLOW_NAMESPACE, ALARM_PERIOD, EVENTS_NAMESPACE, MWAA_NAMESPACE, periodsIn, STATISTICS } from './private/monitoring';

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

/** The Airflow metrics the environment has helpers for: the Airflow function they belong to and their statistic. */
const AIRFLOW_FUNCTION_METRICS: { [metricName: string]: { fn: string; statistic: string } } = {
  SchedulerHeartbeat: { fn: 'Scheduler', statistic: STATISTICS.heartbeat },
  QueuedTasks: { fn: 'Executor', statistic: STATISTICS.tasks },
  RunningTasks: { fn: 'Executor', statistic: STATISTICS.tasks },
  TotalParseTime: { fn: 'DAG Processing', statistic: STATISTICS.parseTime },
  ImportErrors: { fn: 'DAG Processing', statistic: STATISTICS.tasks },
};

/** An Apache Airflow metric of an environment, in the `AmazonMWAA` namespace. */
export function airflowMetric(environmentName: string, metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: AIRFLOW_NAMESPACE,
    metricName,
    period: ALARM_PERIOD,
    ...props,
    dimensionsMap: { ...props?.dimensionsMap, Environment: environmentName },
  });
}

/** One of the Airflow metrics of `AIRFLOW_FUNCTION_METRICS`, with its function dimension and statistic. */
export function airflowFunctionMetric(environmentName: string, metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
  const spec = AIRFLOW_FUNCTION_METRICS[metricName];
  return airflowMetric(environmentName, metricName, {
    statistic: spec.statistic,
    ...props,
    dimensionsMap: { ...props?.dimensionsMap, Function: spec.fn },
  });
}

/** A container metric of one component, in the `AWS/MWAA` namespace. */
export function componentMetric(
  environmentName: string,
  metricName: string,
  component: AirflowComponent,
  props?: cloudwatch.MetricOptions,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: MWAA_NAMESPACE,
    metricName,
    period: ALARM_PERIOD,
    statistic: STATISTICS.utilization,
    unit: cloudwatch.Unit.PERCENT,
    ...props,
    dimensionsMap: { ...props?.dimensionsMap, Cluster: component, Environment: environmentName },
  });
}

/**
 * The metrics of an environment, created or imported (the environment's base class has them): a
 * shape of its own, so that this feature does not import the class that composes it.
 */
export interface MetricSource extends Construct {
  readonly environmentName: string;
  metricSchedulerHeartbeat(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricQueuedTasks(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricRunningTasks(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricDagProcessingTotalParseTime(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricDagImportErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricCpuUtilization(component: AirflowComponent, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricMemoryUtilization(component: AirflowComponent, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

/** What the alarms and the dashboard of an environment need to know of it. */
export interface MonitoredEnvironment {
  readonly env: MetricSource;
  readonly topic: sns.ITopic;
  /** The environment resource, which the alarms are created after. */
  readonly resource: IDependable;
  /** One line about the environment for the dashboard's title. */
  readonly summary: string;
  /**
   * The environment's EventBridge rules that notify the topic, by the construct id of the alarm on
   * their failed deliveries.
   */
  readonly rules: { [alarmId: string]: events.IRule };
}

/**
 * The deliveries of a rule that failed for good (not retried, not succeeded after a retry), on the
 * default event bus (the `RuleName` dimension alone). EventBridge sends the metric only when it is
 * not zero, so missing data is the normal state.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html
 */
function failedInvocations(rule: events.IRule): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: EVENTS_NAMESPACE,
    metricName: 'FailedInvocations',
    dimensionsMap: { RuleName: rule.ruleName },
    statistic: cloudwatch.Stats.SUM,
    period: ALARM_PERIOD,
  });
}

/**
 * The recommended alarms of an environment, each notifying its topic: the scheduler heartbeat is
 * missing; tasks stay queued; CPU or memory of the base workers, the additional workers or the
 * schedulers stays above the threshold; a rule that notifies the topic failed to deliver (a target
 * that stops accepting events would otherwise go unnoticed). Created once, after the environment.
 */
export function addRecommendedAlarms(m: MonitoredEnvironment, options: RecommendedAlarmsOptions): cloudwatch.Alarm[] {
  const env = m.env;
  if (env.node.tryFindChild('RecommendedAlarms')) {
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
  const scope = new Construct(env, 'RecommendedAlarms');
  const name = env.environmentName;
  const alarms: cloudwatch.Alarm[] = [
    new cloudwatch.Alarm(scope, 'SchedulerHeartbeatMissing', {
      alarmDescription: `Amazon MWAA ${name}: no scheduler heartbeat, so no task is being scheduled.`,
      metric: env.metricSchedulerHeartbeat(),
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      threshold: 1,
      evaluationPeriods: periodsIn(options.heartbeatMissingFor ?? Duration.minutes(15)),
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    }),
    new cloudwatch.Alarm(scope, 'TasksQueuedTooLong', {
      alarmDescription: `Amazon MWAA ${name}: tasks have been waiting in the queue the whole time; the workers cannot keep up or are not running.`,
      metric: env.metricQueuedTasks({ statistic: STATISTICS.queuedForAlarm }),
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
  const utilization: Array<[string, string, number, (c: AirflowComponent) => cloudwatch.Metric]> = [
    ['Cpu', 'CPU', cpu, c => env.metricCpuUtilization(c)],
    ['Memory', 'memory', memory, c => env.metricMemoryUtilization(c)],
  ];
  for (const [id, component] of components) {
    for (const [kind, what, threshold, metric] of utilization) {
      alarms.push(new cloudwatch.Alarm(scope, `${id}${kind}High`, {
        alarmDescription: `Amazon MWAA ${name}: ${component} ${what} utilization above ${threshold}%.`,
        metric: metric(component),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        threshold,
        evaluationPeriods: sustained,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }));
    }
  }
  for (const [id, rule] of Object.entries(m.rules)) {
    alarms.push(new cloudwatch.Alarm(scope, id, {
      alarmDescription: `Amazon MWAA ${name}: the EventBridge rule ${rule.ruleName} failed to deliver to its target; its notifications are being lost (check the topic's policy and key).`,
      metric: failedInvocations(rule),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      threshold: 1,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }));
  }
  const action = new cloudwatchActions.SnsAction(m.topic);
  for (const alarm of alarms) {
    alarm.addAlarmAction(action);
  }
  scope.node.addDependency(m.resource);
  return alarms;
}

/**
 * A CloudWatch dashboard of an environment: scheduler heartbeat, queued and running tasks, DAG
 * parsing and import errors, CPU and memory of each component, and the state of the recommended
 * alarms if there are any.
 */
export function addDashboard(m: MonitoredEnvironment, options: EnvironmentDashboardOptions, alarms: cloudwatch.IAlarm[]): cloudwatch.Dashboard {
  const env = m.env;
  const period = options.period ?? ALARM_PERIOD;
  const dashboard = new cloudwatch.Dashboard(env, 'Dashboard', {
    dashboardName: options.dashboardName ?? `mwaa-${env.environmentName}`,
    defaultInterval: Duration.hours(12),
  });
  const components = [AirflowComponent.BASE_WORKER, AirflowComponent.ADDITIONAL_WORKER, AirflowComponent.SCHEDULER, AirflowComponent.WEB_SERVER];
  dashboard.addWidgets(
    new cloudwatch.TextWidget({
      markdown: `# Amazon MWAA ${env.environmentName}\n${m.summary}`,
      width: 24,
      height: 2,
    }),
  );
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({ title: 'Scheduler heartbeat', left: [env.metricSchedulerHeartbeat({ period })], width: 8 }),
    new cloudwatch.GraphWidget({ title: 'Tasks', left: [env.metricQueuedTasks({ period, label: 'Queued' }), env.metricRunningTasks({ period, label: 'Running' })], width: 8 }),
    new cloudwatch.GraphWidget({
      title: 'DAG processing',
      left: [env.metricDagProcessingTotalParseTime({ period, label: 'Total parse time (s)' })],
      right: [env.metricDagImportErrors({ period, label: 'Import errors' })],
      width: 8,
    }),
  );
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({
      title: 'CPU utilization (%)',
      left: components.map(c => env.metricCpuUtilization(c, { period, label: c })),
      leftYAxis: { min: 0, max: 100 },
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: 'Memory utilization (%)',
      left: components.map(c => env.metricMemoryUtilization(c, { period, label: c })),
      leftYAxis: { min: 0, max: 100 },
      width: 12,
    }),
  );
  addAlarmStatus(dashboard, alarms);
  return dashboard;
}

/**
 * Shows the state of the recommended alarms on the dashboard, whichever of the two was added first
 * (the environment calls this from `addDashboard` and from `addRecommendedAlarms`).
 */
export function addAlarmStatus(dashboard: cloudwatch.Dashboard, alarms: cloudwatch.IAlarm[]): void {
  if (alarms.length > 0) {
    // A copy: the widget renders its list at synthesis, and the caller's list may grow.
    dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Recommended alarms', alarms: [...alarms], width: 24 }));
  }
}
