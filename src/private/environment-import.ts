import { ArnComponents, ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { dagRunTriggerOf } from '../dag-runs';
import type { DagRunDefaults, DagRunOptions, DagRunTrigger } from '../dag-runs';
import type { IPrivateMwaaEnvironment } from '../environment-base';
import type { PrivateMwaaEnvironmentAttributes } from '../environment-props';
import { environmentArn } from './arns';
import type { EnvironmentGrantTargets } from '../access';
import { EnvironmentBase } from '../environment-base';
import { DEFAULT_DAG_FOLDER, DEFAULT_KEYS, WEBSERVER_PORT } from './mwaa';

/** An environment defined elsewhere, known by its attributes. */
class ImportedEnvironment extends EnvironmentBase implements IPrivateMwaaEnvironment {
  public readonly environmentName: string;
  public readonly environmentArn: string;
  public readonly connections: ec2.Connections;
  public readonly grantPrincipal: iam.IPrincipal;

  constructor(scope: Construct, id: string, private readonly attrs: PrivateMwaaEnvironmentAttributes, arn?: string) {
    super(scope, id, arn === undefined ? { account: attrs.account, region: attrs.region } : { environmentFromArn: arn });
    this.environmentName = attrs.environmentName;
    this.environmentArn = arn ?? environmentArn(this, attrs.environmentName);
    this.connections = new ec2.Connections({ securityGroups: attrs.securityGroups, defaultPort: ec2.Port.tcp(WEBSERVER_PORT) });
    this.grantPrincipal = attrs.executionRole ?? new iam.UnknownPrincipal({ resource: this });
  }

  /** @internal */
  public _grantTargets(): EnvironmentGrantTargets {
    return {
      sourceBucket: this.attrs.sourceBucket,
      kmsKey: this.attrs.kmsKey,
      dagFolder: (this.attrs.dagS3Path ?? DEFAULT_DAG_FOLDER).replace(/\/+$/, ''),
      dependencyKeys: Object.values(DEFAULT_KEYS),
      executionRoleArn: this.attrs.executionRole?.roleArn,
      // An imported environment does not know its Secrets Manager backend.
      secretPrefixes: [],
    };
  }

  public dagRunTrigger(dagId: string, options: DagRunOptions = {}): DagRunTrigger {
    return dagRunTriggerOf(this, this.environmentName, dagId, options, this._dagRunDefaults());
  }

  public dagRunTarget(dagId: string, options: DagRunOptions = {}): events.IRuleTarget {
    return this.dagRunTrigger(dagId, options).ruleTarget;
  }

  public dagRunTask(scope: Construct, id: string, dagId: string, options: DagRunOptions = {}): tasks.StepFunctionsStartExecution {
    return this.dagRunTrigger(dagId, options).startTask(scope, id);
  }

  /** What a DAG run trigger takes from an imported environment: its security groups. */
  private _dagRunDefaults(): DagRunDefaults {
    return { securityGroups: this.connections.securityGroups };
  }

  /** @internal */
  public _arnForPolicies(): string {
    return this.environmentArn;
  }
}

/** An environment defined elsewhere, in the account and Region of `scope`'s stack. */
export function importEnvironment(scope: Construct, id: string, attrs: PrivateMwaaEnvironmentAttributes): IPrivateMwaaEnvironment {
  return new ImportedEnvironment(scope, id, attrs);
}

/** An environment defined elsewhere, by ARN: its account and Region are the ARN's. */
export function importEnvironmentArn(scope: Construct, id: string, arn: string): IPrivateMwaaEnvironment {
  const invalid = () => new Error(`\`environmentArn\` must be the ARN of an MWAA environment, arn:<partition>:airflow:<region>:<account>:environment/<name>, got: '${arn}'`);
  let parts: ArnComponents;
  try {
    parts = Stack.of(scope).splitArn(arn, ArnFormat.SLASH_RESOURCE_NAME);
  } catch {
    throw invalid();
  }
  if (!Token.isUnresolved(arn) && (parts.service !== 'airflow' || parts.resource !== 'environment' || !parts.resourceName)) {
    throw invalid();
  }
  return new ImportedEnvironment(scope, id, { environmentName: parts.resourceName! }, arn);
}
