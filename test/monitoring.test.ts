import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AirflowComponent, PrivateMwaaEnvironment } from '../src';
import { ACCOUNT, newEnvironment, newStack, REGION } from './support/fixtures';
import { resolveIntrinsics } from './support/resolve-template';

describe('metrics', () => {
  const { env } = newEnvironment();

  test.each([
    ['scheduler heartbeat', () => env.metricSchedulerHeartbeat(), 'AmazonMWAA', 'SchedulerHeartbeat', { Function: 'Scheduler' }, 'Sum'],
    ['queued tasks', () => env.metricQueuedTasks(), 'AmazonMWAA', 'QueuedTasks', { Function: 'Executor' }, 'Maximum'],
    ['running tasks', () => env.metricRunningTasks(), 'AmazonMWAA', 'RunningTasks', { Function: 'Executor' }, 'Maximum'],
    ['DAG parse time', () => env.metricDagProcessingTotalParseTime(), 'AmazonMWAA', 'TotalParseTime', { Function: 'DAG Processing' }, 'Average'],
    ['DAG import errors', () => env.metricDagImportErrors(), 'AmazonMWAA', 'ImportErrors', { Function: 'DAG Processing' }, 'Maximum'],
    ['base worker CPU', () => env.metricCpuUtilization(AirflowComponent.BASE_WORKER), 'AWS/MWAA', 'CPUUtilization', { Cluster: 'BaseWorker' }, 'Average'],
    ['additional worker memory', () => env.metricMemoryUtilization(AirflowComponent.ADDITIONAL_WORKER), 'AWS/MWAA', 'MemoryUtilization', { Cluster: 'AdditionalWorker' }, 'Average'],
    ['scheduler CPU', () => env.metricCpuUtilization(AirflowComponent.SCHEDULER), 'AWS/MWAA', 'CPUUtilization', { Cluster: 'Scheduler' }, 'Average'],
    ['web server memory', () => env.metricMemoryUtilization(AirflowComponent.WEB_SERVER), 'AWS/MWAA', 'MemoryUtilization', { Cluster: 'WebServer' }, 'Average'],
  ])('%s', (_name, make, namespace, metricName, dimensions, statistic) => {
    const metric = make();
    expect(metric.namespace).toBe(namespace);
    expect(metric.metricName).toBe(metricName);
    expect(metric.dimensions).toEqual({ ...dimensions, Environment: 'test-env' });
    expect(metric.statistic).toBe(statistic);
    expect(metric.period.toMinutes()).toBe(5);
  });

  test('options override the statistic and the period, never the environment', () => {
    const metric = env.metric('TaskInstanceFailures', { dimensionsMap: { Function: 'Scheduler', Environment: 'spoofed' }, statistic: 'Sum', period: Duration.hours(1) });
    expect(metric.dimensions).toEqual({ Function: 'Scheduler', Environment: 'test-env' });
    expect(metric.statistic).toBe('Sum');
    expect(metric.period.toHours()).toBe(1);
  });

  test('an imported environment has the same metrics', () => {
    const imported = PrivateMwaaEnvironment.fromEnvironmentAttributes(newStack(), 'Imported', { environmentName: 'legacy' });
    expect(imported.metricSchedulerHeartbeat().dimensions).toEqual({ Function: 'Scheduler', Environment: 'legacy' });
    expect(imported.metricCpuUtilization(AirflowComponent.BASE_WORKER).dimensions).toEqual({ Cluster: 'BaseWorker', Environment: 'legacy' });
  });
});

describe('recommended alarms', () => {
  const { stack, env } = newEnvironment();
  const alarms = env.addRecommendedAlarms();
  const template = Template.fromStack(stack);
  const topicRef = { Ref: stack.getLogicalId(env.notificationTopic.node.defaultChild as sns.CfnTopic) };
  const envId = stack.getLogicalId(env.node.defaultChild as any);

  test('there are ten, each notifying the topic and created after the environment', () => {
    expect(alarms).toHaveLength(10);
    const resources = template.findResources('AWS::CloudWatch::Alarm');
    expect(Object.keys(resources)).toHaveLength(10);
    for (const alarm of Object.values(resources)) {
      expect(alarm.Properties.AlarmActions).toEqual([topicRef]);
      expect(alarm.DependsOn).toContain(envId);
    }
  });

  test('the scheduler heartbeat alarm fires when heartbeats stop, missing data included', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AmazonMWAA',
      MetricName: 'SchedulerHeartbeat',
      Dimensions: [{ Name: 'Environment', Value: 'test-env' }, { Name: 'Function', Value: 'Scheduler' }],
      Statistic: 'Sum',
      Period: 300,
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      EvaluationPeriods: 3,
      TreatMissingData: 'breaching',
    });
  });

  test('the queued tasks alarm fires when the queue never empties for 30 minutes', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AmazonMWAA',
      MetricName: 'QueuedTasks',
      Dimensions: [{ Name: 'Environment', Value: 'test-env' }, { Name: 'Function', Value: 'Executor' }],
      Statistic: 'Minimum',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      EvaluationPeriods: 6,
      TreatMissingData: 'notBreaching',
    });
  });

  test.each([
    ['BaseWorker', 'CPUUtilization'], ['BaseWorker', 'MemoryUtilization'],
    ['AdditionalWorker', 'CPUUtilization'], ['AdditionalWorker', 'MemoryUtilization'],
    ['Scheduler', 'CPUUtilization'], ['Scheduler', 'MemoryUtilization'],
  ])('%s %s above 85 percent for 15 minutes', (cluster, metricName) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/MWAA',
      MetricName: metricName,
      Dimensions: [{ Name: 'Cluster', Value: cluster }, { Name: 'Environment', Value: 'test-env' }],
      Statistic: 'Average',
      Period: 300,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 85,
      EvaluationPeriods: 3,
    });
  });

  test.each([
    ['status change rule', () => env.statusChangeRule],
    ['public access guardrail', () => env.publicAccessGuardrailRule!],
  ])('a failed delivery of the %s raises an alarm (AWS/Events FailedInvocations; no data is the normal state)', (_name, rule) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Events',
      MetricName: 'FailedInvocations',
      Dimensions: [{ Name: 'RuleName', Value: { Ref: stack.getLogicalId(rule().node.defaultChild as any) } }],
      Statistic: 'Sum',
      Period: 300,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [topicRef],
    });
  });

  test('without the guardrail, only the status change rule is watched', () => {
    const other = newEnvironment({ publicAccessGuardrail: false });
    expect(other.env.addRecommendedAlarms()).toHaveLength(9);
    expect(Object.values(Template.fromStack(other.stack).findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'FailedInvocations' } })))
      .toHaveLength(1);
  });

  test('thresholds and durations can be set', () => {
    const other = newEnvironment();
    other.env.addRecommendedAlarms({
      cpuUtilizationPercent: 70,
      memoryUtilizationPercent: 90,
      sustainedFor: Duration.minutes(30),
      tasksQueuedFor: Duration.hours(1),
      heartbeatMissingFor: Duration.minutes(10),
    });
    const t = Template.fromStack(other.stack);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'CPUUtilization', Threshold: 70, EvaluationPeriods: 6 });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'MemoryUtilization', Threshold: 90, EvaluationPeriods: 6 });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'QueuedTasks', EvaluationPeriods: 12 });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'SchedulerHeartbeat', EvaluationPeriods: 2 });
  });

  test.each([
    ['cpuUtilizationPercent', { cpuUtilizationPercent: 0 }, 0],
    ['memoryUtilizationPercent', { memoryUtilizationPercent: 120 }, 120],
  ])('fails if %s is not a percentage', (prop, options, value) => {
    const other = newEnvironment();
    expect(() => other.env.addRecommendedAlarms(options)).toThrow(`\`${prop}\` must be a percentage above 0 and at most 100, got: ${value}`);
  });

  test('fails if called twice', () => {
    expect(() => env.addRecommendedAlarms()).toThrow('`addRecommendedAlarms()` can be called once per environment, got: a second call');
  });
});

describe('dashboard', () => {
  function dashboardBody(stack: Stack): any {
    const template = Template.fromStack(stack);
    const dashboards = template.findResources('AWS::CloudWatch::Dashboard');
    expect(Object.keys(dashboards)).toHaveLength(1);
    const alarmArns = Object.fromEntries(Object.keys(template.findResources('AWS::CloudWatch::Alarm'))
      .map(id => [id, `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${id}`]));
    const body = resolveIntrinsics(Object.values(dashboards)[0].Properties.DashboardBody, {
      account: ACCOUNT, region: REGION, refs: {}, arns: alarmArns,
    });
    return JSON.parse(body);
  }

  test('renders valid widget JSON with every graph', () => {
    const { stack, env } = newEnvironment();
    env.addDashboard();
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'mwaa-test-env' });
    const body = dashboardBody(stack);
    const titles = body.widgets.filter((w: any) => w.type === 'metric').map((w: any) => w.properties.title);
    expect(titles).toEqual(['Scheduler heartbeat', 'Tasks', 'DAG processing', 'CPU utilization (%)', 'Memory utilization (%)']);
    const cpu = body.widgets.find((w: any) => w.properties.title === 'CPU utilization (%)');
    expect(cpu.properties.metrics.map((m: any[]) => m.slice(0, 6))).toEqual(
      ['BaseWorker', 'AdditionalWorker', 'Scheduler', 'WebServer'].map(c => ['AWS/MWAA', 'CPUUtilization', 'Cluster', c, 'Environment', 'test-env']),
    );
    expect(body.widgets.some((w: any) => w.type === 'alarm')).toBe(false);
  });

  test.each([
    ['the alarms first', true],
    ['the dashboard first', false],
  ])('shows every recommended alarm, once, whichever comes first (%s)', (_name, alarmsFirst) => {
    const { stack, env } = newEnvironment();
    let alarms: cloudwatch.Alarm[] = [];
    if (alarmsFirst) {
      alarms = env.addRecommendedAlarms();
      env.addDashboard({ dashboardName: 'airflow-ops' });
    } else {
      env.addDashboard({ dashboardName: 'airflow-ops' });
      alarms = env.addRecommendedAlarms();
    }
    const body = dashboardBody(stack);
    const status = body.widgets.filter((w: any) => w.type === 'alarm');
    expect(status).toHaveLength(1);
    expect(alarms).toHaveLength(10);
    expect([...status[0].properties.alarms].sort()).toEqual(
      alarms.map(a => `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${stack.getLogicalId(a.node.defaultChild as any)}`).sort());
    expect(status[0].properties.title).toBe('Recommended alarms');
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'airflow-ops' });
  });
});
