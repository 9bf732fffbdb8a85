import { IResource, Resource } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as access from '../access';
import type { AccessProfile, AirflowRole } from '../access';
import * as monitoring from '../monitoring';
import type { AirflowComponent } from '../monitoring';
import * as notifications from '../notifications';
import { environmentArn } from './arns';

/**
 * What grants need to know of an environment beyond its name: where people deploy DAGs and
 * dependencies, and the execution role updates pass to MWAA. Unknown parts are `undefined`.
 */
export interface EnvironmentGrantTargets extends access.DeploymentTargets {
  /** The ARN of the execution role, for `iam:PassRole`. */
  readonly executionRoleArn?: string;
  /** The VPC, subnets and security groups, for the administrator's EC2 permissions. */
  readonly network?: access.EnvironmentNetwork;
  /** The secret name prefixes of the Secrets Manager backend; none when it is off or unknown. */
  readonly secretPrefixes?: string[];
}

/**
 * What every environment, created or imported, can do: network access, grants, metrics and
 * events. Not exported: jsii copies its members onto the exported classes.
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
    return access.ssoRoleGrant(this, grantee) ?? iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [this.arnForPolicies()] });
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
    return notifications.onStatusChange(this, id, this.environmentName, this.arnForPolicies(), options);
  }

  /** The environment ARN formatted from its name, so that policies do not wait for the environment. */
  protected arnForPolicies(): string {
    return environmentArn(this, this.environmentName);
  }
}
