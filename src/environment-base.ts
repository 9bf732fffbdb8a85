import { IResource, Resource } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import * as access from './access';
import type { AccessProfile, AirflowRole, EnvironmentGrantTargets } from './access';
import type { DagRunOptions, DagRunTrigger } from './dag-runs';
import * as monitoring from './monitoring';
import type { AirflowComponent } from './monitoring';
import * as notifications from './notifications';
import { environmentArn } from './private/arns';

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
   * plugin versions, and every other setting `UpdateEnvironment` takes) and read it, with what AWS
   * documents an update needs for an environment encrypted with a customer managed key: use of the
   * environment's key (including kms:Decrypt and kms:CreateGrant), `s3:GetEncryptionConfiguration`
   * on its bucket, EC2 describe calls, and creating VPC endpoints and network interfaces in its VPC,
   * subnets and security groups. With a `secretsBackend`, also `grantReadSecrets`.
   *
   * @see https://docs.aws.amazon.com/mwaa/latest/userguide/access-policies.html#full-access-policy
   */
  grantAdministration(grantee: iam.IGrantable): iam.Grant;

  /**
   * Let the grantee read the values of the Airflow connections and variables the Secrets Manager
   * backend reads: the secrets under its two prefixes (`GetSecretValue`, `DescribeSecret`,
   * `ListSecretVersionIds`), decrypted with the environment's key through Secrets Manager only.
   *
   * Throws when the environment has no `secretsBackend` (or is imported, and so does not know it).
   */
  grantReadSecrets(grantee: iam.IGrantable): iam.Grant;

  /**
   * Let the grantee call the given MWAA actions on this environment, for example
   * `airflow:GetEnvironment`.
   */
  grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant;

  /**
   * Let the grantee deploy DAGs: write, replace and delete objects under the DAG folder (and only
   * there), list that folder, and use the key for it through S3. Needs the source bucket (an
   * imported environment has it only if imported with it).
   */
  grantDagDeployment(grantee: iam.IGrantable): iam.Grant;

  /**
   * Let the grantee deploy the requirements file, the plugins archive and the startup script: write
   * those three objects, read their versions to pin them, and use the key through S3.
   */
  grantDependencyDeployment(grantee: iam.IGrantable): iam.Grant;

  /**
   * Give the grantee every grant of an access profile.
   *
   * @returns one grant that combines them
   */
  grantAccessProfile(grantee: iam.IGrantable, profile: AccessProfile): iam.Grant;

  /**
   * Add a statement to the execution role's policy (for an imported environment, to its
   * `executionRole` if it was given).
   */
  addToRolePolicy(statement: iam.PolicyStatement): void;

  /**
   * An EventBridge rule on the status changes of this environment (every status), with the
   * target and options given.
   *
   * @param id the construct id of the rule, in this environment's scope
   */
  onStatusChange(id: string, options?: events.OnEventOptions): events.Rule;

  /**
   * The trigger that starts runs of a DAG through Airflow's REST API (created on first use, then
   * reused for the same DAG and options): a state machine, and for a private web server a function
   * in the environment's subnets.
   *
   * @param dagId the DAG to run
   * @param options the run's conf, the Airflow role, and for an imported environment its version and network
   * @see https://docs.aws.amazon.com/mwaa/latest/userguide/access-mwaa-apache-airflow-rest-api.html
   */
  dagRunTrigger(dagId: string, options?: DagRunOptions): DagRunTrigger;

  /**
   * An EventBridge target (for `events.Rule`) that starts a run of a DAG with the event as its
   * `conf` (or a selection of it) and a run id derived from the event's id.
   *
   * @param dagId the DAG to run
   * @param options the run's conf, the Airflow role, and for an imported environment its version and network
   */
  dagRunTarget(dagId: string, options?: DagRunOptions): events.IRuleTarget;

  /**
   * A Step Functions task for a workflow of your own that starts a run of a DAG (with the task's
   * input as the event) and fails when the run is refused.
   *
   * @param scope the scope of the task
   * @param id the id of the task
   * @param dagId the DAG to run
   * @param options the run's conf, the Airflow role, and for an imported environment its version and network
   */
  dagRunTask(scope: Construct, id: string, dagId: string, options?: DagRunOptions): tasks.StepFunctionsStartExecution;
}

/**
 * What every environment, created or imported, can do: network access, grants, metrics and
 * events. Not exported: `PrivateMwaaEnvironment` declares each public method again with its
 * documentation, so that jsii tools (rosetta, API.md) find every method on an exported class.
 *
 * @internal
 */
export abstract class EnvironmentBase extends Resource implements IResource, ec2.IConnectable, iam.IGrantable {
  public abstract readonly environmentName: string;
  public abstract readonly environmentArn: string;
  public abstract readonly connections: ec2.Connections;
  public abstract readonly grantPrincipal: iam.IPrincipal;

  /**
   * What grants need to know of this environment.
   *
   * @internal
   */
  public abstract _grantTargets(): EnvironmentGrantTargets;

  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return monitoring.airflowMetric(this.environmentName, metricName, props);
  }

  public metricSchedulerHeartbeat(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return monitoring.airflowFunctionMetric(this.environmentName, 'SchedulerHeartbeat', props);
  }

  public metricQueuedTasks(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return monitoring.airflowFunctionMetric(this.environmentName, 'QueuedTasks', props);
  }

  public metricRunningTasks(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return monitoring.airflowFunctionMetric(this.environmentName, 'RunningTasks', props);
  }

  public metricDagProcessingTotalParseTime(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return monitoring.airflowFunctionMetric(this.environmentName, 'TotalParseTime', props);
  }

  public metricDagImportErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return monitoring.airflowFunctionMetric(this.environmentName, 'ImportErrors', props);
  }

  public metricCpuUtilization(component: AirflowComponent, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return monitoring.componentMetric(this.environmentName, 'CPUUtilization', component, props);
  }

  public metricMemoryUtilization(component: AirflowComponent, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return monitoring.componentMetric(this.environmentName, 'MemoryUtilization', component, props);
  }

  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return access.ssoRoleGrant(this, grantee) ?? iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [this._arnForPolicies()] });
  }

  public grantWebLogin(grantee: iam.IGrantable, role: AirflowRole): iam.Grant {
    return access.grantWebLogin(this, grantee, role);
  }

  public grantRestApi(grantee: iam.IGrantable, role: AirflowRole): iam.Grant {
    return access.grantRestApi(this, grantee, role);
  }

  public grantCliToken(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, 'airflow:CreateCliToken');
  }

  public grantReadLogs(grantee: iam.IGrantable): iam.Grant {
    return access.grantReadLogs(this, grantee);
  }

  public grantConsoleReadOnly(grantee: iam.IGrantable): iam.Grant {
    return access.grantConsoleReadOnly(this, grantee);
  }

  public grantAdministration(grantee: iam.IGrantable): iam.Grant {
    return access.grantAdministration(this, grantee, this._grantTargets());
  }

  public grantReadSecrets(grantee: iam.IGrantable): iam.Grant {
    return access.grantReadSecrets(this, grantee, this._grantTargets());
  }

  public grantDagDeployment(grantee: iam.IGrantable): iam.Grant {
    return access.grantDagDeployment(this, grantee, this._grantTargets());
  }

  public grantDependencyDeployment(grantee: iam.IGrantable): iam.Grant {
    return access.grantDependencyDeployment(this, grantee, this._grantTargets());
  }

  public grantAccessProfile(grantee: iam.IGrantable, profile: AccessProfile): iam.Grant {
    return access.grantAccessProfile(this, grantee, profile);
  }

  public addToRolePolicy(statement: iam.PolicyStatement): void {
    this.grantPrincipal.addToPrincipalPolicy(statement);
  }

  public onStatusChange(id: string, options: events.OnEventOptions = {}): events.Rule {
    // The ARN formatted from the name, so that the rule does not wait for the environment.
    return notifications.onStatusChange(this, id, this.environmentName, this._arnForPolicies(), options);
  }

  /**
   * The environment ARN formatted from its name, so that policies do not wait for the environment.
   *
   * @internal
   */
  public _arnForPolicies(): string {
    return environmentArn(this, this.environmentName);
  }
}
