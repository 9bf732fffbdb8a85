import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/** The namespace of the Apache Airflow metrics MWAA publishes. */
export const AIRFLOW_NAMESPACE = 'AmazonMWAA';
/** The namespace of the container, queue and database metrics MWAA publishes. */
export const MWAA_NAMESPACE = 'AWS/MWAA';
/** The namespace of EventBridge's rule metrics. */
export const EVENTS_NAMESPACE = 'AWS/Events';

/** The five-minute period every recommended alarm evaluates. */
export const ALARM_PERIOD = Duration.minutes(5);

/**
 * The number of five-minute periods in a duration, at least one.
 */
export function periodsIn(duration: Duration): number {
  return Math.max(1, Math.ceil(duration.toSeconds() / ALARM_PERIOD.toSeconds()));
}

/** The statistics the recommended alarms and dashboard use, by metric. */
export const STATISTICS = {
  heartbeat: cloudwatch.Stats.SUM,
  tasks: cloudwatch.Stats.MAXIMUM,
  queuedForAlarm: cloudwatch.Stats.MINIMUM,
  parseTime: cloudwatch.Stats.AVERAGE,
  utilization: cloudwatch.Stats.AVERAGE,
} as const;
