import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { expectValidStateMachines } from './support/definition-checks';
import { nagFindings, PackFactory, PACKS } from './support/nag';
import { buildExampleApp } from '../example/app';
import { Dags, DependencyFile, EndpointManagement, PrivateMwaaEnvironment } from '../src';
import { sampleProject } from './support/files';
import { newStack, newVpc } from './support/fixtures';

/**
 * The compliance packs run on the example app through cdk-nag 3 (CDK's policy validation
 * framework). Every finding must be fixed or acknowledged, on its one resource, with a reason.
 */
function findings(app: App, pack: PackFactory, scope: IConstruct = app): string[] {
  return nagFindings(app, pack, scope);
}

function tmpdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'nag-'));
}

describe('the example app has no unacknowledged finding', () => {
  test.each(PACKS)('%s', (_name, pack) => {
    const { app } = buildExampleApp(tmpdir());
    expect(findings(app, pack)).toEqual([]);
  });
});

test('the example app\'s state machines pass Step Functions\' definition-time checks', () => {
  const { stack } = buildExampleApp(tmpdir());
  expect(expectValidStateMachines(Template.fromStack(stack))).toBe(2);
  // The ARNs people start an update with and watch the revert by, as stack outputs.
  const outputs = Template.fromStack(stack).toJSON().Outputs;
  expect(stack.resolve(outputs.SelfServiceStateMachineArn.Value)).toEqual(stack.resolve(stack.airflow.selfService!.stateMachine.stateMachineArn));
  const revert = stack.airflow.publicAccessRevert!.stateMachine;
  expect(stack.resolve(outputs.PublicAccessRevertStateMachineArn.Value)).toEqual(stack.resolve(revert.stateMachineArn));
});

describe('the operations features add no finding', () => {
  test.each(PACKS)('%s with the recommended alarms and the dashboard', (_name, pack) => {
    const { app, stack } = buildExampleApp(tmpdir());
    stack.airflow.addRecommendedAlarms();
    stack.airflow.addDashboard();
    expect(findings(app, pack)).toEqual([]);
  });
});

describe('delivering DAGs, requirements, plugins and a startup script adds no finding', () => {
  const project = sampleProject();
  const delivery = {
    dags: Dags.fromAsset(path.join(project, 'dags')),
    requirements: DependencyFile.fromAsset(path.join(project, 'requirements.txt')),
    plugins: DependencyFile.fromAsset(path.join(project, 'plugins')),
    startupScript: DependencyFile.fromAsset(path.join(project, 'startup.sh')),
    airflowConfigurationOptions: { 'core.lazy_load_plugins': 'False' },
    secretsBackend: {},
  };
  test.each(PACKS)('%s', (_name, pack) => {
    const { app } = buildExampleApp(tmpdir(), delivery);
    expect(findings(app, pack)).toEqual([]);
  });
});

describe('customer-managed endpoints add no finding', () => {
  test.each(PACKS)('%s', (_name, pack) => {
    const { app } = buildExampleApp(tmpdir(), { endpointManagement: EndpointManagement.CUSTOMER });
    expect(findings(app, pack)).toEqual([]);
  });
});

describe('the construct acknowledges only the documented wildcards of its execution role', () => {
  test('each acknowledgement sits on the execution role policy and has a reason', () => {
    const { stack } = buildExampleApp(tmpdir());
    const entries = stack.airflow.executionRolePolicy.node.metadata
      .filter(m => m.type === 'aws:cdk:acknowledged-rules')
      .flatMap(m => Object.entries(m.data as Record<string, string>));
    expect(entries.map(([id]) => id.replace(/^annotation::/i, '')).sort()).toEqual([
      'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      'AwsSolutions-IAM5[Action::s3:GetBucket*]',
      'AwsSolutions-IAM5[Action::s3:GetObject*]',
      'AwsSolutions-IAM5[Action::s3:List*]',
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-IAM5[Resource::<AirflowSourceBucketCD7E6C32.Arn>/*]',
      ...['DAGProcessing', 'Scheduler', 'Task', 'WebServer', 'Worker'].map(type =>
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:eu-west-1:111111111111:log-group:airflow-example-private-airflow-${type}:*]`),
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sqs:eu-west-1:*:airflow-celery-*]',
    ]);
    for (const [, reason] of entries) {
      expect(reason.length).toBeGreaterThan(20);
    }
  });

  test('with the Secrets Manager backend, each prefix\'s secrets are acknowledged, with the prefix in the reason', () => {
    const stack = newStack();
    const env = new PrivateMwaaEnvironment(stack, 'Airflow', {
      environmentName: 'test-env',
      vpc: newVpc(stack),
      secretsBackend: { connectionsPrefix: 'teams/data/connections', variablesPrefix: 'teams/data/variables' },
    });
    const entries = Object.fromEntries(env.executionRolePolicy.node.metadata
      .filter(m => m.type === 'aws:cdk:acknowledged-rules')
      .flatMap(m => Object.entries(m.data as Record<string, string>)));
    for (const prefix of ['teams/data/connections', 'teams/data/variables']) {
      const id = `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:eu-west-1:111111111111:secret:${prefix}/*]`;
      expect(entries[id]).toBe(`Secrets Manager backend: the secrets under the configured connections or variables prefix (${prefix}/), read-only.`);
    }
    const app = stack.node.root as App;
    expect(findings(app, PACKS[0][1], env).filter(f => f.includes('secretsmanager'))).toEqual([]);
  });

  test('an added wildcard on the execution role is still reported', () => {
    const stack = newStack();
    const env = new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'test-env', vpc: newVpc(stack) });
    env.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:PutObject*'], resources: ['*'] }));
    const app = stack.node.root as App;
    expect(findings(app, PACKS[0][1], env)).toContain('AwsSolutions-IAM5[Action::s3:PutObject*] on TestStack/Airflow/ExecutionRolePolicy/Resource');
  });
});

describe('the check can fail', () => {
  test('an unencrypted, unlogged bucket next to the environment is reported by every pack', () => {
    const stack = newStack();
    new s3.Bucket(stack, 'Careless');
    const app = stack.node.root as App;
    for (const [, pack] of PACKS) {
      expect(findings(app, pack).some(f => f.endsWith('TestStack/Careless/Resource'))).toBe(true);
    }
  });

  test('the default environment without access logs shows the logging finding to its user', () => {
    const stack = newStack();
    new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'test-env', vpc: newVpc(stack) });
    expect(findings(stack.node.root as App, PACKS[0][1], stack)).toContain('AwsSolutions-S1 on TestStack/Airflow/SourceBucket/Resource');
  });
});
