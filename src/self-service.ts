import { Annotations, ArnFormat, Duration, PhysicalName, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { IPrivateMwaaEnvironment } from './environment-base';
import { EndpointManagement, WebserverAccessMode } from './environment-props';
import { publicAccessEventPattern } from './notifications';
import { ec2Arn, environmentArn } from './private/arns';
import { PASSED_TO_SERVICE, SECURITY_SENSITIVE_OPTIONS, VERBOSE_LOG_LEVELS, WORKER_CONCURRENCY_OPTION } from './private/mwaa';
import { acknowledge, findingName } from './private/nag';
import {
  CAPACITY_RANGES, configurationOptionProblem, configurationOptionProblemJsonata, MAINTENANCE_WINDOW_PATTERN, validateS3Path,
} from './private/props-validation';
import { RuntimePart, runtimeRoleName, runtimeStateMachineName } from './private/runtime-names';
import { TopicTarget } from './private/topic-target';
import { EnvironmentClass } from './versions';
import { MwaaWarnings } from './warnings';

/**
 * What both state machines need to know about the environment they update.
 */
export interface MwaaUpdaterProps {
  /**
   * The environment to update, created here (`PrivateMwaaEnvironment`) or imported
   * (`PrivateMwaaEnvironment.fromEnvironmentAttributes`).
   */
  readonly environment: IPrivateMwaaEnvironment;

  /**
   * The topic that hears how each update ended (success, or the reason it failed).
   *
   * If the topic is encrypted (`masterKey` is set, as on the environment's own topic, or on a
   * topic imported with `Topic.fromTopicAttributes({ topicArn, keyArn })`), the state machine may
   * use that key through SNS to publish.
   */
  readonly notificationTopic: sns.ITopic;

  /**
   * The environment's execution role. The state machine may pass it to MWAA, as an update
   * requires (`iam:PassRole` with `iam:PassedToService` `airflow.amazonaws.com`), and no other
   * role.
   *
   * @see https://docs.aws.amazon.com/mwaa/latest/userguide/access-policies.html
   */
  readonly executionRole: iam.IRole;

  /**
   * The environment's customer managed key. The state machine gets what AWS documents an update
   * needs on it (describe, use, and grants for the AWS service only).
   *
   * @default - no key permissions, for an environment encrypted with an AWS owned key (a warning
   * says so)
   * @see https://docs.aws.amazon.com/mwaa/latest/userguide/access-policies.html
   */
  readonly kmsKey?: kms.IKey;

  /**
   * How long to wait for the environment to finish an update (and, for the revert, to become
   * available before it). The state machine checks every minute and reports a timeout to the
   * topic when this runs out. An update takes 20 to 30 minutes.
   *
   * Between 10 minutes and 24 hours.
   *
   * @default Duration.hours(2)
   */
  readonly maxWait?: Duration;
}

/**
 * Properties of `MwaaSelfService`.
 */
export interface MwaaSelfServiceProps extends MwaaUpdaterProps {
  /**
   * The key of the environment's requirements file in its bucket. An update may set
   * `RequirementsS3ObjectVersion` (a new version of this object) and may name this key as
   * `RequirementsS3Path`, but no other key.
   *
   * @default - the environment has no requirements file: an update may set neither field
   */
  readonly requirementsS3Path?: string;

  /**
   * The key of the environment's plugins file in its bucket; see `requirementsS3Path`.
   *
   * @default - the environment has no plugins file: an update may set neither
   * `PluginsS3Path` nor `PluginsS3ObjectVersion`
   */
  readonly pluginsS3Path?: string;

  /**
   * The key of the environment's startup script in its bucket; see `requirementsS3Path`. A
   * different key would run a file that whoever writes to the bucket controls on every container.
   *
   * @default - the environment has no startup script: an update may set neither
   * `StartupScriptS3Path` nor `StartupScriptS3ObjectVersion`
   */
  readonly startupScriptS3Path?: string;

  /**
   * The only Airflow configuration options an update may set, instead of the default: every
   * option but those that change security or execution (the secrets backend and its arguments,
   * the Fernet key, the executor, the DAG and plugin folders, the metadata database and Celery
   * broker, API and web server authentication, configuration exposure, and
   * `celery.worker_concurrency`, which MWAA sets).
   *
   * Each must be a valid option key (lower-case `section.option`); `celery.worker_concurrency` is
   * refused.
   *
   * @default - any option except those that change security or execution
   */
  readonly allowedConfigurationOptions?: string[];
}

/**
 * Properties of `MwaaPublicAccessRevert`.
 */
export interface MwaaPublicAccessRevertProps extends MwaaUpdaterProps {
  /**
   * The environment's VPC. Making a web server private again with `EndpointManagement.SERVICE`
   * makes MWAA create its VPC endpoint with the caller's permissions, which are granted in this
   * VPC only.
   */
  readonly vpc: ec2.IVpc;

  /**
   * The environment's two subnets (the only subnets the web server endpoint may be created in).
   */
  readonly subnets: ec2.ISubnet[];

  /**
   * The environment's security groups (the only ones the web server endpoint may use).
   *
   * @default - the environment's `connections.securityGroups`
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * Who creates the environment's VPC endpoints. With `CUSTOMER`, the state machine gets no
   * permission to create endpoints, and the web server endpoint must be created as for a new
   * environment before it becomes available again.
   *
   * @default EndpointManagement.SERVICE
   */
  readonly endpointManagement?: EndpointManagement;

  /**
   * The rule that catches the web server being made public, to add the revert to as a target,
   * such as the environment's `publicAccessGuardrailRule`. Its pattern must match only events
   * that make this environment's web server public.
   *
   * @default - a new rule on CloudTrail's record of `CreateEnvironment` and `UpdateEnvironment`
   * for this environment with any web server access mode but `PRIVATE_ONLY`
   */
  readonly guardrailRule?: events.Rule;
}

/**
 * A Step Functions state machine through which people update an Amazon MWAA environment without
 * being able to change what it must keep: the web server access mode, the execution role, the
 * network, the bucket and the key.
 *
 * `airflow:UpdateEnvironment` has no condition key for any of its settings, so IAM cannot let a
 * person change the worker count but not the access mode. Instead, people get
 * `grantStartUpdate()`, and only the state machine may call `UpdateEnvironment`.
 *
 * The execution input names the settings to change, with the names of the `UpdateEnvironment`
 * API: `RequirementsS3Path`, `RequirementsS3ObjectVersion`, `PluginsS3Path`,
 * `PluginsS3ObjectVersion`, `StartupScriptS3Path`, `StartupScriptS3ObjectVersion` (objects in
 * the environment's own bucket), `Schedulers`, `MinWorkers`, `MaxWorkers`, `MinWebservers`,
 * `MaxWebservers`, `EnvironmentClass`, `AirflowConfigurationOptions` (merged into the current
 * options), `LoggingConfiguration` (only the `LogLevel` of each log type; whether a type is
 * enabled stays as it is), `WeeklyMaintenanceWindowStart` and `WorkerReplacementStrategy`.
 * Input that names anything else fails the execution with a message that names it, and the
 * request sent to MWAA is built from those fields alone, so nothing else can reach the API.
 *
 * The execution then waits for the update to finish (checking every minute, up to `maxWait`)
 * and publishes the outcome to the topic: success, or the reason it failed.
 *
 * What it does not prevent: anyone else in the account with `airflow:UpdateEnvironment` can still
 * change anything; settings changed here differ from the stack's until the next deployment that
 * touches the environment sets the stack's values again.
 *
 * @see https://docs.aws.amazon.com/mwaa/latest/API/API_UpdateEnvironment.html
 */
export class MwaaSelfService extends Construct {
  /**
   * The state machine people start to update the environment.
   */
  public readonly stateMachine: sfn.StateMachine;

  /**
   * The state machine's ARN, to start an update with (`aws stepfunctions start-execution`).
   * Its name is `<environment name>-self-service` when the environment's name is known at synth.
   */
  public readonly stateMachineArn: string;

  /**
   * The role the state machine runs with, the one principal that calls `UpdateEnvironment` for
   * people. Its name is `<environment name>-self-service-<Region>` when both are known at synth.
   */
  public readonly role: iam.IRole;

  constructor(scope: Construct, id: string, props: MwaaSelfServiceProps) {
    super(scope, id);
    const updater = new Updater(this, props, RuntimePart.SELF_SERVICE);
    const files = dependencyFiles(props);
    const allowList = validateAllowList(props.allowedConfigurationOptions);
    const input = '$states.context.Execution.Input';
    const about = `'Self-service update of Amazon MWAA environment ' & ${updater.nameLiteral} & ': '`;

    const rejected = updater.report('InputNotAllowed', `${about} & 'rejected: ' & $join($problems, '; ')`, false);

    const callFailed = updater.report('CallFailed', `${about} & 'failed: ' & $error.Error & ': ' & $error.Cause`, false);

    const update = new sfn.CustomState(this, 'UpdateEnvironment', {
      stateJson: {
        Type: 'Task',
        Resource: `arn:${Stack.of(this).partition}:states:::aws-sdk:mwaa:updateEnvironment`,
        // One expression builds the whole request from the allowlisted fields: a field the input
        // does not name is left out (the JSONata object constructor drops undefined values). The
        // Amazon States Language allows a JSONata string as the whole of "Arguments".
        // https://states-language.net/#using-arguments-and-output
        Arguments: `{% ${oneLine(updateArgumentsExpression(updater.nameLiteral, input, files))} %}`,
        TimeoutSeconds: TASK_TIMEOUT.toSeconds(),
        Assign: { waits: 0, callTime: CALL_TIME },
      },
    });
    update.addRetry(RETRY);
    update.addCatch(callFailed, CATCH);

    const finished = updater.pollUntilUpdated('Update', {
      succeeded: updater.report('UpdateSucceeded', `${about} & 'succeeded (changed: ' & $changed & ')'`, true),
      failed: updater.report('UpdateFailed', `${about} & 'failed, the environment is ' & $env.Status & ': ' & ${orFallback('$env.LastUpdate.Error.ErrorCode', 'no error code')} & ' ' & ${orFallback('$env.LastUpdate.Error.ErrorMessage', 'no error message')}`, false),
      timedOut: updater.report('UpdateTimedOut', `${about} & 'did not finish within ${updater.maxWaits} minutes (the environment is ' & $env.Status & ')'`, false),
    }, callFailed);

    const checkInput = sfn.Pass.jsonata(this, 'CheckInput', {
      assign: {
        problems: `{% ${oneLine(inputProblemsExpression(input, files, allowList))} %}`,
        changed: `{% ${oneLine(changedKeysExpression(input))} %}`,
      },
    });
    const readCurrent = updater.getEnvironment('ReadEnvironment', { current: '{% $states.result.Environment %}' }, callFailed);
    const definition = readCurrent.next(checkInput).next(sfn.Choice.jsonata(this, 'IsInputAllowed')
      .when(sfn.Condition.jsonata('{% $count($problems) > 0 %}'), rejected)
      .otherwise(update.next(finished)));

    this.stateMachine = updater.createStateMachine(definition, 1, updater.updateStatements());
    this.stateMachineArn = this.stateMachine.stateMachineArn;
    this.role = updater.role!;
    updater.reportUnfinishedExecutions(this.stateMachine);
  }

  /**
   * Let the grantee run the self-service update and follow it: `states:StartExecution` on the
   * state machine (and `DescribeStateMachine`, `ListExecutions` on it), and
   * `states:DescribeExecution` and `states:GetExecutionHistory` on its executions. This is all a
   * person needs to update the allowed settings; it does not include `airflow:UpdateEnvironment`.
   */
  public grantStartUpdate(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['states:StartExecution', 'states:DescribeStateMachine', 'states:ListExecutions'],
      resourceArns: [this.stateMachine.stateMachineArn],
    }).combine(iam.Grant.addToPrincipal({
      grantee,
      actions: ['states:DescribeExecution', 'states:GetExecutionHistory'],
      resourceArns: [this.executionsArn],
    }));
  }

  /** The ARN pattern of the state machine's executions. */
  public get executionsArn(): string {
    const resourceName = `${this.stateMachine.stateMachineName}:*`;
    return Stack.of(this).formatArn({ service: 'states', resource: 'execution', resourceName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  }

}

/**
 * Makes an Amazon MWAA web server private again after someone made it public.
 *
 * On the guardrail's event (CloudTrail's record of `CreateEnvironment` or `UpdateEnvironment`
 * with an access mode other than `PRIVATE_ONLY`), a Step Functions state machine waits until the
 * environment is `AVAILABLE` again (checking every minute, up to `maxWait`), calls
 * `UpdateEnvironment` with `WebserverAccessMode: PRIVATE_ONLY`, waits for that update, and
 * publishes what it did and who made the change to the topic. If the environment ends in
 * `UPDATE_FAILED` or the wait runs out, it says so on the topic and stops.
 *
 * It cannot loop: its own call sets the mode to private, which the guardrail does not match.
 *
 * What it does not prevent: the web server is public from the moment the change finishes until
 * the revert finishes (about as long as one more update, 20 to 30 minutes); and it undoes nothing
 * else the same call changed.
 */
export class MwaaPublicAccessRevert extends Construct {
  /**
   * The state machine that reverts the access mode.
   */
  public readonly stateMachine: sfn.StateMachine;

  /**
   * The state machine's ARN. Its name is `<environment name>-public-access-revert` when the
   * environment's name is known at synth.
   */
  public readonly stateMachineArn: string;

  /**
   * The role the state machine runs with. Its name is
   * `<environment name>-public-access-revert-<Region>` when both are known at synth.
   */
  public readonly role: iam.IRole;

  /**
   * The EventBridge target that starts the revert with the guardrail's event, to add to a rule
   * of your own.
   */
  public readonly ruleTarget: events.IRuleTarget;

  /**
   * The rule the revert is a target of: `guardrailRule`, or the rule created here.
   */
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: MwaaPublicAccessRevertProps) {
    super(scope, id);
    if (props.subnets.length === 0) {
      throw new Error('`subnets` must name the environment\'s subnets, got: an empty list');
    }
    const updater = new Updater(this, props, RuntimePart.PUBLIC_ACCESS_REVERT);
    const about = `'Public access revert of Amazon MWAA environment ' & ${updater.nameLiteral} & ': ' & $actor & ' called ' & $eventName & ' with WebserverAccessMode ' & $requestedMode & '; '`;
    const byHand = ' Set it to PRIVATE_ONLY by hand.';

    const callFailed = updater.report('RevertCallFailed',
      `${about} & 'a call failed (' & $error.Error & ': ' & $error.Cause & '), the web server may still be public.${byHand}'`, false);

    const waitAvailable = sfn.Wait.jsonata(this, 'WaitUntilAvailable', { time: sfn.WaitTime.duration(POLL_INTERVAL) });
    const revert = tasks.CallAwsService.jsonata(this, 'MakeWebserverPrivate', {
      service: 'mwaa',
      action: 'updateEnvironment',
      iamAction: 'airflow:UpdateEnvironment',
      parameters: { Name: props.environment.environmentName, WebserverAccessMode: WebserverAccessMode.PRIVATE_ONLY },
      // Stryker disable next-line ArrayDeclaration: the state machine's role takes no policy updates (withoutPolicyUpdates), so a task's own grant reaches no policy; the role's managed policy grants the call
      iamResources: [updater.environmentArn],
      taskTimeout: sfn.Timeout.duration(TASK_TIMEOUT),
      assign: { waits: 0, callTime: CALL_TIME },
    });
    revert.addRetry(RETRY);
    // Refused for good: no permission, or no such environment.
    revert.addCatch(callFailed, { ...CATCH, errors: ['Mwaa.AccessDeniedException', 'Mwaa.ResourceNotFoundException'] });
    // Refused for now (another update started, throttling, a timeout): wait and try again, until
    // maxWait runs out. Otherwise anyone who keeps starting harmless updates keeps it public.
    revert.addCatch(waitAvailable, { errors: ['States.ALL'], assign: { refusal: `{% ${short("$states.errorOutput.Error & ': ' & $states.errorOutput.Cause")} %}` } });

    const afterRevert = updater.pollUntilUpdated('Revert', {
      succeeded: updater.report('Reverted', `${about} & 'the web server is PRIVATE_ONLY again.'`, true),
      failed: updater.report('RevertFailed',
        `${about} & 'the update to PRIVATE_ONLY failed, the environment is ' & $env.Status & ' (' & $env.LastUpdate.Error.ErrorCode & ' ' & $env.LastUpdate.Error.ErrorMessage & ') and its web server ' & $env.WebserverAccessMode & '.${byHand}'`, false),
      timedOut: updater.report('RevertTimedOut',
        `${about} & 'the update to PRIVATE_ONLY did not finish within ${updater.maxWaits} minutes (the environment is ' & $env.Status & ').${byHand}'`, false),
      // Made public again while the revert ran: start over.
      notConfirmed: { unless: "$env.WebserverAccessMode = 'PRIVATE_ONLY'", next: waitAvailable },
    }, callFailed);

    const readBefore = updater.getEnvironment('ReadEnvironment', { env: '{% $states.result.Environment %}', waits: '{% $waits + 1 %}' }, callFailed);
    const updatable = `$env.Status in ${list(UPDATABLE_STATUSES)}`;
    const ready = sfn.Choice.jsonata(this, 'IsAvailable')
      .when(sfn.Condition.jsonata(`{% ${updatable} and $env.WebserverAccessMode = 'PRIVATE_ONLY' %}`),
        updater.report('AlreadyPrivate', `${about} & 'the web server is PRIVATE_ONLY already (the change failed or was undone), nothing to do.'`, true))
      .when(sfn.Condition.jsonata(`{% ${updatable} and $waits < ${updater.maxWaits} %}`), revert.next(afterRevert))
      .when(sfn.Condition.jsonata(`{% $env.Status in ${list(CANNOT_UPDATE_STATUSES)} %}`),
        updater.report('CannotRevert', `${about} & 'the environment is ' & $env.Status & ' and cannot be updated; its web server is ' & $env.WebserverAccessMode & '.${byHand}'`, false))
      .when(sfn.Condition.jsonata(`{% $waits >= ${updater.maxWaits} %}`),
        updater.report('NotAvailableInTime', `${about} & 'the web server could not be made private within ${updater.maxWaits} minutes (the environment is ' & $env.Status & ', last refused call: ' & $refusal & '), the web server may still be public.${byHand}'`, false))
      .otherwise(waitAvailable);

    const definition = sfn.Pass.jsonata(this, 'ReadEvent', {
      assign: {
        actor: `{% ${orFallback('$states.input.detail.userIdentity.arn', 'an unknown principal')} %}`,
        eventName: `{% ${orFallback('$states.input.detail.eventName', 'an unknown call')} %}`,
        requestedMode: `{% ${orFallback('[$states.input.detail.requestParameters.WebserverAccessMode, $states.input.detail.requestParameters.webserverAccessMode][0]', 'unknown')} %}`,
        waits: 0,
        refusal: 'none',
      },
    }).next(waitAvailable);
    waitAvailable.next(readBefore).next(ready);

    const serviceEndpoints = (props.endpointManagement ?? EndpointManagement.SERVICE) === EndpointManagement.SERVICE;
    this.stateMachine = updater.createStateMachine(definition, 2, [
      ...updater.updateStatements(),
      ...serviceEndpoints
        ? updater.webserverEndpointStatements(props.vpc, props.subnets, props.securityGroups ?? props.environment.connections.securityGroups)
        : [],
    ]);
    this.stateMachineArn = this.stateMachine.stateMachineArn;
    this.role = updater.role!;
    updater.reportUnfinishedExecutions(this.stateMachine);

    // EventBridge starts the revert with this role, whose one permission is a managed policy.
    // Confused-deputy protection: EventBridge may assume it for rules of this account and Region
    // only. Not the one rule's ARN: the rule names this role in its target, so its ARN here would
    // be a circular dependency when the rule has no literal name.
    // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html
    const stack = Stack.of(this);
    const eventsRole = new iam.Role(this, 'EventsRole', {
      description: 'Lets EventBridge start the public access revert',
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'events', resource: 'rule', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME }) },
      }),
    });
    new iam.ManagedPolicy(this, 'EventsPolicy', {
      description: 'Start the public access revert',
      roles: [eventsRole],
      statements: [new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [this.stateMachine.stateMachineArn] })],
    });
    this.ruleTarget = new targets.SfnStateMachine(this.stateMachine, {
      role: eventsRole.withoutPolicyUpdates(),
      retryAttempts: 10,
      maxEventAge: Duration.hours(2),
    });
    this.rule = props.guardrailRule ?? new events.Rule(this, 'Rule', {
      description: `Make the web server of the Amazon MWAA environment ${props.environment.environmentName} private again`,
      eventPattern: publicAccessEventPattern(props.environment.environmentName),
    });
    this.rule.addTarget(this.ruleTarget);
  }
}

/** Retry every task on any error: three more attempts over about a minute. */
const RETRY: sfn.RetryProps = { errors: ['States.ALL'], interval: Duration.seconds(5), backoffRate: 3, maxAttempts: 3 };

/** A task that still fails goes to the report, with the error in `$error`. */
const CATCH: sfn.CatchProps = { errors: ['States.ALL'], assign: { error: '{% $states.errorOutput %}' } };

/** Each AWS API call gets a minute. */
const TASK_TIMEOUT = Duration.minutes(1);

/** The environment is checked every minute while it updates. */
const POLL_INTERVAL = Duration.minutes(1);

/**
 * Statuses in which an environment cannot be updated, so that waiting longer cannot help. Not
 * `UPDATE_FAILED`: MWAA defines it as "the update failed, the environment was restored to its
 * previous state and is ready to use", and it can be updated again.
 *
 * @see https://docs.aws.amazon.com/mwaa/latest/API/API_Environment.html
 */
export const CANNOT_UPDATE_STATUSES = ['CREATE_FAILED', 'DELETING', 'DELETED'];

/** Statuses in which an environment takes an update. */
export const UPDATABLE_STATUSES = ['AVAILABLE', 'UPDATE_FAILED'];

/** How far MWAA's `LastUpdate.CreatedAt` may be before the time the call started (clocks differ). */
const CLOCK_TOLERANCE = Duration.minutes(1);

/** `LastUpdate.CreatedAt` of `$states.result.Environment` in milliseconds since the epoch (0 when there is none). */
const UPDATED_AT = "($c := $states.result.Environment.LastUpdate.CreatedAt; $type($c) = 'number' ? ($c < 100000000000 ? $c * 1000 : $c) : $type($c) = 'string' ? $toMillis($c) : 0)";

/** The time the current state started, in milliseconds since the epoch. */
const CALL_TIME = '{% $toMillis($states.context.State.EnteredTime) %}';

/**
 * The settings a self-service update may change, by the names of the `UpdateEnvironment` API.
 * The paths are relative to the environment's bucket, which the input cannot change.
 *
 * @see https://docs.aws.amazon.com/mwaa/latest/API/API_UpdateEnvironment.html
 */
const FILES = [
  { path: 'RequirementsS3Path', version: 'RequirementsS3ObjectVersion', prop: 'requirementsS3Path' },
  { path: 'PluginsS3Path', version: 'PluginsS3ObjectVersion', prop: 'pluginsS3Path' },
  { path: 'StartupScriptS3Path', version: 'StartupScriptS3ObjectVersion', prop: 'startupScriptS3Path' },
] as const;
const STRING_FIELDS = [
  ...FILES.flatMap(f => [f.path, f.version]),
  'EnvironmentClass', 'WeeklyMaintenanceWindowStart', 'WorkerReplacementStrategy',
];
const INTEGER_FIELDS = ['Schedulers', 'MinWorkers', 'MaxWorkers', 'MinWebservers', 'MaxWebservers'];
const CONFIGURATION_FIELD = 'AirflowConfigurationOptions';
const LOGGING_FIELD = 'LoggingConfiguration';
const ALLOWED_FIELDS = [...STRING_FIELDS, ...INTEGER_FIELDS, CONFIGURATION_FIELD, LOGGING_FIELD];
/** The log types of `LoggingConfigurationInput`; each may carry only its `LogLevel`. */
const LOG_MODULES = ['DagProcessingLogs', 'SchedulerLogs', 'TaskLogs', 'WebserverLogs', 'WorkerLogs'];
/** S3 object version ids, and the other strings, are at most this long. */
const MAX_STRING = 1024;
/** How many problems, or changed keys, a message lists (each cut to 200 characters), so that it stays far below 256 KiB. */
const MAX_LISTED = 20;
const WORKER_REPLACEMENT_STRATEGIES = ['FORCED', 'GRACEFUL'];

const list = (values: readonly string[]) => JSON.stringify(values).replace(/"/g, "'");

/** The configured key of each dependency file, as a JSONata string literal or `null`. */
type FileKeys = { [pathField: string]: string | undefined };

function dependencyFiles(props: MwaaSelfServiceProps): FileKeys {
  const keys: FileKeys = {};
  for (const file of FILES) {
    const key = props[file.prop];
    if (key !== undefined) {
      validateS3Path(file.prop, key);
    }
    keys[file.path] = key;
  }
  return keys;
}

/** The allow list, checked with the construct's own key rule; undefined for the default deny list. */
function validateAllowList(allowed?: string[]): string[] | undefined {
  for (const key of allowed ?? []) {
    const problem = configurationOptionProblem(key, 'x');
    if (problem) {
      throw new Error(`\`allowedConfigurationOptions\` ${problem}`);
    }
    if (key === WORKER_CONCURRENCY_OPTION) {
      throw new Error(`\`allowedConfigurationOptions\` must not name \`${WORKER_CONCURRENCY_OPTION}\`: MWAA sets it from the environment class, got: '${key}'`);
    }
  }
  return allowed;
}

/** `text` (a JSONata string) cut to 200 characters. */
const short = (text: string) => `($s := ${text}; $length($s) > 200 ? $substring($s, 0, 200) & '...' : $s)`;

/** At most `MAX_LISTED` entries of a JSONata list of strings, each short, and how many more there were. */
function capped(items: string): string {
  return `($all := ${items}; $n := $count($all); $first := $n > ${MAX_LISTED} ? $all[[0..${MAX_LISTED - 1}]] : $all;`
    + ` $append($map($first, function($p) { ${short('$p')} }), $n > ${MAX_LISTED} ? ['and ' & $string($n - ${MAX_LISTED}) & ' more'] : []))`;
}

/**
 * A JSONata expression that lists what is wrong with the input (an empty list when nothing is):
 * fields outside the allowlist, at the top level and inside `LoggingConfiguration`, and values
 * that break the rules the construct's own props follow (`private/props-validation.ts`): blank
 * strings, another key for a dependency file, numbers outside MWAA's ranges for the environment
 * class (the class in the input, or else the current one, `$current`), configuration options that
 * break the key and value rule or change security or execution, and log levels less verbose than
 * INFO. It never fails, whatever the input, so that every rejection is reported.
 */
function inputProblemsExpression(input: string, files: FileKeys, allowList?: string[]): string {
  const levels = list(VERBOSE_LOG_LEVELS);
  // Stryker disable next-line MethodExpression,ConditionalExpression,LogicalOperator: every static member of EnvironmentClass is a known instance today; the filter keeps a future one that is not out of the list
  const known = Object.values(EnvironmentClass).filter((c): c is EnvironmentClass => c instanceof EnvironmentClass && c.known);
  const classes = list(known.map(c => c.name));
  const value = (f: string) => `$lookup($in, '${f}')`;
  const given = (f: string) => `$exists(${value(f)})`;
  const fileChecks = FILES.map(f => {
    const key = files[f.path];
    return key === undefined
      ? `(${given(f.path)} or ${given(f.version)}) ? '${f.path} and ${f.version}: the environment has no such file configured (${f.prop})'`
      : `(${given(f.path)} and ${value(f.path)} != '${key}') ? '${f.path} may only be ${key}, the key the environment uses (only its version may change), got: ' & ${short(`$string(${value(f.path)})`)}`;
  });
  const range = (f: string, low: string, high: string) =>
    `($x := ${value(f)}; $type($x) = 'number' and ($x < ${low} or $x > ${high})) ? '${f} must be from ' & $string(${low}) & ' to ' & $string(${high}) & ' for ' & $class & ', got: ' & $string(${value(f)})`;
  const denied = allowList
    ? `$not($k in ${list(allowList)})`
    : `($k in ${list(SECURITY_SENSITIVE_OPTIONS)} or $count($filter(${list(SECURITY_SENSITIVE_OPTIONS.filter(o => o.endsWith('.')))}, function($p) { $substring($k, 0, $length($p)) = $p })) > 0)`;
  const deniedWhy = allowList ? 'is not in the allow list (allowedConfigurationOptions)' : 'changes security or execution and cannot be set by a self-service update';
  const micro = CAPACITY_RANGES.micro;
  const other = CAPACITY_RANGES.other;
  const workers = CAPACITY_RANGES.workers;
  return `(
  $in := ${input};
  $allowed := ${list(ALLOWED_FIELDS)};
  $type($in) != 'object' ? ['the input must be a JSON object naming the settings to change'] : ${capped(`(
    $unknown := $filter($keys($in), function($k) { $not($k in $allowed) });
    $class := $type($in.EnvironmentClass) = 'string' ? $in.EnvironmentClass : $current.EnvironmentClass;
    $low := $class = 'mw1.micro' ? ${micro.low} : ${other.low};
    $high := $class = 'mw1.micro' ? ${micro.high} : ${other.high};
    $minW := $type($in.MinWorkers) = 'number' ? $in.MinWorkers : $current.MinWorkers;
    $maxW := $type($in.MaxWorkers) = 'number' ? $in.MaxWorkers : $current.MaxWorkers;
    $minWs := $type($in.MinWebservers) = 'number' ? $in.MinWebservers : $current.MinWebservers;
    $maxWs := $type($in.MaxWebservers) = 'number' ? $in.MaxWebservers : $current.MaxWebservers;
    $reduce([
      $count($keys($in)) = 0 ? 'the input names no setting to change',
      $count($unknown) > 0 ? 'not allowed: ' & ${short("$join($unknown, ', ')")} & ' (a self-service update may change only ' & $join($allowed, ', ') & ')',
      $filter(${list(STRING_FIELDS)}, function($f) { $exists($lookup($in, $f)) and ($type($lookup($in, $f)) != 'string' or $length($trim($lookup($in, $f))) = 0 or $length($lookup($in, $f)) > ${MAX_STRING}) }).($ & ' must be a non-blank string of at most ${MAX_STRING} characters'),
      ${fileChecks.join(',\n      ')},
      (${given('EnvironmentClass')} and $not(${value('EnvironmentClass')} in ${classes})) ? 'EnvironmentClass must be one of ' & $join(${classes}, ', ') & ', got: ' & ${short(`$string(${value('EnvironmentClass')})`)},
      ($type(${value('WeeklyMaintenanceWindowStart')}) = 'string' and $not($contains(${value('WeeklyMaintenanceWindowStart')}, /${MAINTENANCE_WINDOW_PATTERN}/))) ? 'WeeklyMaintenanceWindowStart must be DAY:HH:MM in UTC (MON..SUN, 00-23, 00 or 30), got: ' & ${short(`$string(${value('WeeklyMaintenanceWindowStart')})`)},
      (${given('WorkerReplacementStrategy')} and $not(${value('WorkerReplacementStrategy')} in ${list(WORKER_REPLACEMENT_STRATEGIES)})) ? 'WorkerReplacementStrategy must be FORCED or GRACEFUL, got: ' & ${short(`$string(${value('WorkerReplacementStrategy')})`)},
      $filter(${list(INTEGER_FIELDS)}, function($f) { $exists($lookup($in, $f)) and ($type($lookup($in, $f)) != 'number' or $lookup($in, $f) != $floor($lookup($in, $f))) }).($ & ' must be a whole number'),
      ${range('Schedulers', '$low', '$high')},
      ${range('MinWebservers', '$low', '$high')},
      ${range('MaxWebservers', '$low', '$high')},
      ${range('MinWorkers', String(workers.low), String(workers.high))},
      ${range('MaxWorkers', String(workers.low), String(workers.high))},
      ($type($minW) = 'number' and $type($maxW) = 'number' and $maxW < $minW) ? 'MaxWorkers (' & $string($maxW) & ') must be at least MinWorkers (' & $string($minW) & ')',
      ($type($minWs) = 'number' and $type($maxWs) = 'number' and $maxWs < $minWs) ? 'MaxWebservers (' & $string($maxWs) & ') must be at least MinWebservers (' & $string($minWs) & ')',
      (
        $o := $lookup($in, '${CONFIGURATION_FIELD}');
        $exists($o) ? ($type($o) != 'object' ? '${CONFIGURATION_FIELD} must be an object of strings' : $keys($o).(
          $k := $;
          $v := $lookup($o, $k);
          $rule := ${configurationOptionProblemJsonata(CONFIGURATION_FIELD)};
          $exists($rule) ? $rule : ${denied} ? '${CONFIGURATION_FIELD}.' & ${short('$k')} & ' ${deniedWhy}'
        ))
      ),
      (
        $l := $lookup($in, '${LOGGING_FIELD}');
        $exists($l) ? ($type($l) != 'object' ? '${LOGGING_FIELD} must be an object' : $keys($l).(
          $m := $;
          $v := $lookup($l, $m);
          $not($m in ${list(LOG_MODULES)}) ? 'not allowed: ${LOGGING_FIELD}.' & ${short('$m')}
            : $type($v) != 'object' ? '${LOGGING_FIELD}.' & $m & ' must be an object with a LogLevel'
            : [
              $filter($keys($v), function($k) { $k != 'LogLevel' }).('not allowed: ${LOGGING_FIELD}.' & $m & '.' & ${short('$')} & ' (only LogLevel may change)'),
              $not($lookup($v, 'LogLevel') in ${levels}) ? '${LOGGING_FIELD}.' & $m & '.LogLevel must be one of ' & $join(${levels}, ', ') & ' (less verbose levels lose what audits need)'
            ]
        ))
      )
    ], function($acc, $p) { $append($acc, $p) }, [])
  )`)}
)`;
}

/**
 * A JSONata expression listing what an accepted input changes: its fields, with the keys of
 * `AirflowConfigurationOptions` and the log types of `LoggingConfiguration` (no values: options may
 * hold secrets), at most `MAX_LISTED` of them.
 */
function changedKeysExpression(input: string): string {
  return `(
  $in := ${input};
  $type($in) = 'object' ? $join(${capped(`$reduce([
    $filter($keys($in), function($k) { $not($k in ['${CONFIGURATION_FIELD}', '${LOGGING_FIELD}']) }),
    $type($in.${CONFIGURATION_FIELD}) = 'object' ? $keys($in.${CONFIGURATION_FIELD}).('${CONFIGURATION_FIELD}.' & $),
    $type($in.${LOGGING_FIELD}) = 'object' ? $keys($in.${LOGGING_FIELD}).('${LOGGING_FIELD}.' & $ & '.LogLevel')
  ], function($acc, $p) { $append($acc, $p) }, [])`)}, ', ') : ''
)`;
}

/**
 * A JSONata expression that builds the `UpdateEnvironment` request from the allowlisted fields of
 * the input alone, with the environment's name. A dependency file's path is always the configured
 * one. Airflow configuration options are merged into the current ones (`$current`, the environment
 * before the update); each log type keeps whether it is enabled and takes only the new log level.
 */
function updateArgumentsExpression(nameLiteral: string, input: string, files: FileKeys): string {
  // Each value only with its type, so that nothing nested can ride along in an allowed field.
  const copied = [
    ...FILES.flatMap(f => files[f.path] === undefined ? [] : [
      `'${f.path}': ($exists($in.${f.path}) or $exists($in.${f.version})) ? '${files[f.path]}'`,
      `'${f.version}': $type($in.${f.version}) = 'string' ? $in.${f.version}`,
    ]),
    ...['EnvironmentClass', 'WeeklyMaintenanceWindowStart', 'WorkerReplacementStrategy'].map(f => `'${f}': $type($in.${f}) = 'string' ? $in.${f}`),
    ...INTEGER_FIELDS.map(f => `'${f}': $type($in.${f}) = 'number' ? $in.${f}`),
  ].join(',\n    ');
  return `(
  $in := ${input};
  {
    'Name': ${nameLiteral},
    ${copied},
    '${CONFIGURATION_FIELD}': $type($in.${CONFIGURATION_FIELD}) = 'object'
      ? $merge([$current.${CONFIGURATION_FIELD}, $sift($in.${CONFIGURATION_FIELD}, function($v) { $type($v) = 'string' })]),
    '${LOGGING_FIELD}': $type($in.${LOGGING_FIELD}) = 'object' ? $merge($map(
      $filter(${list(LOG_MODULES)}, function($m) { $exists($lookup($in.${LOGGING_FIELD}, $m)) }),
      function($m) { {
        $m: {
          'Enabled': ($enabled := $lookup($current.${LOGGING_FIELD}, $m).Enabled; $exists($enabled) ? $enabled : true),
          'LogLevel': ($level := $lookup($lookup($in.${LOGGING_FIELD}, $m), 'LogLevel'); $type($level) = 'string' ? $level)
        }
      } }
    ))
  }
)`;
}

/**
 * An expression written over several lines, on one line: Step Functions accepts line breaks, but
 * asl-validator, which the tests run on every definition, does not read them.
 */
function oneLine(expression: string): string {
  // Stryker disable next-line StringLiteral: every line break in these expressions sits next to a delimiter, so joining the lines without a space parses to the same JSONata (the same syntax tree)
  return expression.replace(/\s*\n\s*/g, ' ');
}

/** `value`, or a fallback when it is missing (a JSONata field may not evaluate to nothing). */
function orFallback(value: string, fallback: string): string {
  return `($v := ${value}; $exists($v) ? $string($v) : '${fallback}')`;
}

/** Where a wait loop goes when the update succeeded, failed, or took too long. */
interface PollOutcomes {
  readonly succeeded: sfn.IChainable;
  readonly failed: sfn.IChainable;
  readonly timedOut: sfn.IChainable;
  /**
   * A further condition of success (a JSONata boolean expression), and where the loop goes when it
   * does not hold after a successful update.
   */
  readonly notConfirmed?: { readonly unless: string; readonly next: sfn.IChainable };
}

/**
 * What the two state machines share: the environment's identity, the tasks that read the
 * environment and publish, the wait loop, the role's permissions and the state machine itself.
 */
class Updater {
  public readonly environmentArn: string;
  /** The environment's name as a JSONata string literal. */
  public readonly nameLiteral: string;
  /** How many one-minute waits `maxWait` allows. */
  public readonly maxWaits: number;
  private readonly maxWait: Duration;
  /** The role the state machine runs with, once created. */
  public role?: iam.Role;
  /** The errors of the Fail states that come after their own report to the topic. */
  private readonly reportedErrors: string[] = [];
  /** Resource wildcards for resources that do not exist yet, acknowledged on the policy. */
  private readonly newResourceWildcards: string[] = [];

  constructor(private readonly scope: Construct, private readonly props: MwaaUpdaterProps, private readonly part: RuntimePart) {
    this.maxWait = props.maxWait ?? Duration.hours(2);
    const minutes = this.maxWait.toMinutes({ integral: false });
    if (minutes < 10 || minutes > 24 * 60) {
      throw new Error(`\`maxWait\` must be between 10 minutes and 24 hours (an update takes 20 to 30 minutes), got: ${this.maxWait.toHumanString()}`);
    }
    // Stryker disable next-line ArithmeticOperator: POLL_INTERVAL is one minute, and dividing by 1 is multiplying by 1
    this.maxWaits = Math.ceil(minutes / POLL_INTERVAL.toMinutes());
    // Formatted from the name, like the environment's own policies, so that a policy does not
    // wait for the environment.
    this.environmentArn = environmentArn(props.environment, props.environment.environmentName);
    this.nameLiteral = `'${props.environment.environmentName}'`;
    if (!props.kmsKey) {
      Annotations.of(scope).addWarningV2(MwaaWarnings.UPDATER_KEY,
        '`kmsKey` is not set, so the state machine gets no permission on a key. If the environment is encrypted with a customer managed key, updates fail until `kmsKey` is that key.');
    }
  }

  /**
   * Publish `message` (a JSONata string expression) with the execution's ARN to the topic, then
   * end the execution: successfully, or failed with `id` as the error and the message as the cause.
   */
  public report(id: string, message: string, success: boolean): sfn.IChainable {
    const text = `{% ${message} & ' (execution ' & $states.context.Execution.Id & ')' %}`;
    if (!success) {
      this.reportedErrors.push(id);
    }
    const task = tasks.SnsPublish.jsonata(this.scope, `Report${id}`, {
      topic: this.props.notificationTopic,
      message: sfn.TaskInput.fromText(text),
      taskTimeout: sfn.Timeout.duration(TASK_TIMEOUT),
    });
    task.addRetry(RETRY);
    return task.next(success
      ? sfn.Succeed.jsonata(this.scope, id)
      : sfn.Fail.jsonata(this.scope, id, { error: id, cause: text }));
  }

  /** A task that reads the environment, assigns `assign`, and on failure goes to `onError`. */
  public getEnvironment(id: string, assign: { [name: string]: string }, onError: sfn.IChainable): tasks.CallAwsService {
    const task = tasks.CallAwsService.jsonata(this.scope, id, {
      service: 'mwaa',
      action: 'getEnvironment',
      iamAction: 'airflow:GetEnvironment',
      parameters: { Name: this.props.environment.environmentName },
      // Stryker disable next-line ArrayDeclaration: the state machine's role takes no policy updates (withoutPolicyUpdates), so a task's own grant reaches no policy; the role's managed policy grants the call
      iamResources: [this.environmentArn],
      taskTimeout: sfn.Timeout.duration(TASK_TIMEOUT),
      assign,
    });
    task.addRetry(RETRY);
    task.addCatch(onError, { errors: ['States.ALL'], assign: { error: '{% $states.errorOutput %}' } });
    return task;
  }

  /**
   * Wait a minute, read the environment, and go on to `succeeded` once the update this execution
   * made (`LastUpdate.CreatedAt` no earlier than `$callTime`, the time its call started, less a
   * minute for clocks) succeeded and the environment is available, to `failed` once that update
   * failed or the environment cannot be updated any more, to `timedOut` after `maxWaits` waits, and
   * wait again otherwise. With `notConfirmed`, success also needs its condition; when that does not
   * hold after a successful update, the loop goes to its `next`. `$waits` must be 0 on entry.
   *
   * Why `CreatedAt`: `Status` and `LastUpdate.Status` may still describe the previous update right
   * after the call. MWAA's `UPDATE_FAILED` means "restored to its previous state and ready to use"
   * (it can be updated again); `CREATE_FAILED`, `DELETING` and `DELETED` cannot be updated.
   *
   * @see https://docs.aws.amazon.com/mwaa/latest/API/API_Environment.html
   * @see https://docs.aws.amazon.com/mwaa/latest/API/API_LastUpdate.html
   */
  public pollUntilUpdated(prefix: string, outcomes: PollOutcomes, onError: sfn.IChainable): sfn.Wait {
    const wait = sfn.Wait.jsonata(this.scope, `WaitFor${prefix}`, { time: sfn.WaitTime.duration(POLL_INTERVAL) });
    const read = this.getEnvironment(`Read${prefix}Status`, {
      env: '{% $states.result.Environment %}',
      waits: '{% $waits + 1 %}',
      // A timestamp as a number (seconds or milliseconds since the epoch) or an ISO 8601 string: the
      // form the SDK integration returns is not documented. Anything else fails the state, and the
      // failure is reported.
      updatedAt: `{% ${UPDATED_AT} %}`,
    }, onError);
    const ours = `$updatedAt >= $callTime - ${CLOCK_TOLERANCE.toMilliseconds()}`;
    const done = `$env.Status = 'AVAILABLE' and ${ours} and $env.LastUpdate.Status = 'SUCCESS'`;
    const choice = sfn.Choice.jsonata(this.scope, `Has${prefix}Finished`);
    if (outcomes.notConfirmed) {
      choice.when(sfn.Condition.jsonata(`{% ${done} and ${outcomes.notConfirmed.unless} %}`), outcomes.succeeded)
        .when(sfn.Condition.jsonata(`{% ${done} %}`), outcomes.notConfirmed.next);
    } else {
      choice.when(sfn.Condition.jsonata(`{% ${done} %}`), outcomes.succeeded);
    }
    choice
      .when(sfn.Condition.jsonata(`{% $env.Status in ${list(CANNOT_UPDATE_STATUSES)} or (${ours} and $env.LastUpdate.Status = 'FAILED' and $env.Status in ${list(UPDATABLE_STATUSES)}) %}`), outcomes.failed)
      .when(sfn.Condition.jsonata(`{% $waits >= ${this.maxWaits} %}`), outcomes.timedOut)
      .otherwise(wait);
    wait.next(read).next(choice);
    return wait;
  }

  /**
   * The state machine, with time for `loops` wait loops and the calls around them, and a role whose
   * permissions are `statements` in one managed policy (the tasks' own grants are not added).
   */
  public createStateMachine(definition: sfn.IChainable, loops: number, statements: iam.PolicyStatement[]): sfn.StateMachine {
    const name = this.props.environment.environmentName;
    const stack = Stack.of(this.scope);
    // Names derived from the environment's name, so that people and a service control policy can
    // name them literally. Without a known environment name CloudFormation names them; without a
    // known Region (an environment-agnostic stack) it names the role, whose literal ARN then cannot
    // be given to a service control policy.
    const stateMachineName = Token.isUnresolved(name) ? undefined : runtimeStateMachineName(name, this.part);
    const roleName = Token.isUnresolved(name) || Token.isUnresolved(stack.region) ? undefined : runtimeRoleName(name, stack.region, this.part);
    // Confused-deputy protection: Step Functions may assume the role for this account's state
    // machine only (its ARN built from the name, so the role does not wait for the state machine).
    // https://docs.aws.amazon.com/step-functions/latest/dg/procedure-create-iam-role.html
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
    const sourceArn = stateMachineName === undefined ? undefined
      : stack.formatArn({ service: 'states', resource: 'stateMachine', resourceName: stateMachineName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    // What the state machine does, so that the two roles, policies and state machines of an
    // environment tell themselves apart in the console.
    const revert = this.part === RuntimePart.PUBLIC_ACCESS_REVERT;
    const does = revert ? `makes the web server of the Amazon MWAA environment ${name} private again` : `updates the Amazon MWAA environment ${name}`;
    const role = new iam.Role(this.scope, 'Role', {
      roleName,
      description: `Runs the state machine that ${does}`,
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
        ...sourceArn ? { ArnLike: { 'aws:SourceArn': sourceArn } } : {},
      }),
    });
    this.role = role;
    const policy = new iam.ManagedPolicy(this.scope, 'Policy', {
      description: revert ? `Make the web server of the Amazon MWAA environment ${name} private again and report to its topic`
        : `Update the Amazon MWAA environment ${name} and report to its topic`,
      roles: [role],
      statements,
    });
    const stateMachine = new sfn.StateMachine(this.scope, 'StateMachine', {
      stateMachineName: stateMachineName ?? PhysicalName.GENERATE_IF_NEEDED,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      queryLanguage: sfn.QueryLanguage.JSONATA,
      comment: revert ? `Makes the web server of the Amazon MWAA environment ${name} private again` : `Updates the Amazon MWAA environment ${name}`,
      role: role.withoutPolicyUpdates(),
      // A backstop behind the bounded waits, which report before it runs out.
      timeout: Duration.minutes(this.maxWaits * loops + 30),
    });
    stateMachine.node.addDependency(policy);

    acknowledge(policy, [{
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ec2:DescribeSecurityGroups, DescribeSubnets, DescribeVpcs and DescribeRouteTables have no resource-level permissions; they are limited to this Region. MWAA reads the network with the caller\'s permissions during an update.',
    }, ...this.newResourceWildcards.map(arn => ({
      id: `AwsSolutions-IAM5[Resource::${findingName(this.scope, arn)}]`,
      reason: 'The ids of the web server endpoint MWAA creates and of its network interfaces are not known beforehand; the same statement allows them only in the environment\'s VPC, subnets and security groups.',
    }))]);
    acknowledge(stateMachine, [
      { id: 'AwsSolutions-SF1', reason: 'Every execution reports its outcome to the notification topic, the execution history keeps each state for 90 days and CloudTrail records who started it; a log group would copy the input, Airflow configuration values included.' },
      { id: 'AwsSolutions-SF2', reason: 'The state machine only calls the MWAA and SNS APIs through SDK integrations; tracing would show nothing the execution history does not.' },
    ]);
    return stateMachine;
  }

  /**
   * What an update of this environment needs: `UpdateEnvironment` and `GetEnvironment` on it,
   * passing its execution role to MWAA, its key, the network reads MWAA makes with the caller's
   * permissions, and publishing to the topic. The key statements follow AWS's full API access
   * policy for a customer managed key, with its two wildcards spelled out.
   *
   * @see https://docs.aws.amazon.com/mwaa/latest/userguide/access-policies.html
   */
  public updateStatements(): iam.PolicyStatement[] {
    const stack = Stack.of(this.scope);
    const statements = [
      new iam.PolicyStatement({
        sid: 'UpdateThisEnvironment',
        actions: ['airflow:GetEnvironment', 'airflow:UpdateEnvironment'],
        resources: [this.environmentArn],
      }),
      new iam.PolicyStatement({
        sid: 'PassTheExecutionRoleToMwaa',
        actions: ['iam:PassRole'],
        resources: [this.props.executionRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': PASSED_TO_SERVICE } },
      }),
      // These four have no resource types; ec2:Region is their only condition key.
      new iam.PolicyStatement({
        sid: 'ReadTheNetwork',
        actions: ['ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:DescribeVpcs', 'ec2:DescribeRouteTables'],
        resources: ['*'],
        conditions: { StringEquals: { 'ec2:Region': stack.region } },
      }),
      new iam.PolicyStatement({
        sid: 'Report',
        actions: ['sns:Publish'],
        resources: [this.props.notificationTopic.topicArn],
      }),
    ];
    if (this.props.kmsKey) {
      statements.push(new iam.PolicyStatement({
        sid: 'UseTheEnvironmentKey',
        actions: [
          'kms:DescribeKey', 'kms:Encrypt', 'kms:Decrypt',
          // kms:ReEncrypt* and kms:GenerateDataKey* of AWS's policy, one by one.
          'kms:ReEncryptFrom', 'kms:ReEncryptTo',
          'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:GenerateDataKeyPair', 'kms:GenerateDataKeyPairWithoutPlaintext',
        ],
        resources: [this.props.kmsKey.keyArn],
      }), new iam.PolicyStatement({
        sid: 'LetMwaaManageGrantsOnTheEnvironmentKey',
        actions: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'],
        resources: [this.props.kmsKey.keyArn],
        // Only when MWAA, an AWS service integrated with KMS, calls on the role's behalf.
        conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      }));
    }
    const topicKey = this.props.notificationTopic.masterKey;
    if (topicKey) {
      // Publishing to an encrypted topic, through SNS only.
      // https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html
      statements.push(new iam.PolicyStatement({
        sid: 'ReportToTheEncryptedTopic',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [topicKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `sns.${stack.region}.${stack.urlSuffix}` } },
      }));
    }
    return statements;
  }

  /**
   * Making a web server private with `EndpointManagement.SERVICE` makes MWAA create its VPC
   * endpoint with the caller's permissions: `ec2:CreateVpcEndpoint` and
   * `ec2:CreateNetworkInterface`, here only in the environment's VPC, subnets and security
   * groups. The ids of the new endpoint and interfaces are not known beforehand.
   *
   * @see https://docs.aws.amazon.com/mwaa/latest/userguide/access-policies.html
   */
  public webserverEndpointStatements(vpc: ec2.IVpc, subnets: ec2.ISubnet[], securityGroups: ec2.ISecurityGroup[]): iam.PolicyStatement[] {
    const arn = (resource: string, id: string) => ec2Arn(this.scope, resource, id);
    const subnetArns = subnets.map(s => arn('subnet', s.subnetId));
    const securityGroupArns = securityGroups.map(sg => arn('security-group', sg.securityGroupId));
    const newEndpoints = arn('vpc-endpoint', '*');
    const newInterfaces = arn('network-interface', '*');
    this.newResourceWildcards.push(newEndpoints, newInterfaces);
    return [
      new iam.PolicyStatement({
        sid: 'CreateTheWebserverEndpointInTheEnvironmentNetwork',
        actions: ['ec2:CreateVpcEndpoint'],
        resources: [arn('vpc', vpc.vpcId), ...subnetArns, ...securityGroupArns, newEndpoints],
      }),
      new iam.PolicyStatement({
        sid: 'CreateItsInterfacesInTheEnvironmentSubnets',
        actions: ['ec2:CreateNetworkInterface'],
        resources: [...subnetArns, ...securityGroupArns, newInterfaces],
      }),
    ];
  }

  /**
   * An execution that times out, is stopped, or fails anywhere but after its own report (a publish
   * that failed, an expression that failed) never reaches the topic by itself: this rule tells it.
   * A failure whose `error` is missing from the event is reported too, so that a wrong guess about
   * the event's fields makes a second message, not a silent end. The environment's topic already
   * admits EventBridge of this account.
   *
   * @see https://docs.aws.amazon.com/step-functions/latest/dg/eventbridge-integration.html
   */
  public reportUnfinishedExecutions(stateMachine: sfn.StateMachine): events.Rule {
    const stateMachineArn = [stateMachine.stateMachineArn];
    const rule = new events.Rule(this.scope, 'UnfinishedExecutionRule', {
      description: `Executions that updated the Amazon MWAA environment ${this.props.environment.environmentName} and did not report how they ended`,
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: {
          stateMachineArn,
          $or: [
            { status: ['TIMED_OUT', 'ABORTED'] },
            { status: ['FAILED'], error: [{ 'anything-but': this.reportedErrors }] },
            { status: ['FAILED'], error: [{ exists: false }] },
          ],
        },
      },
    });
    rule.addTarget(new TopicTarget(this.props.notificationTopic, events.RuleTargetInput.fromText(
      `The execution ${events.EventField.fromPath('$.detail.executionArn')} that updates the Amazon MWAA environment `
      + `${this.props.environment.environmentName} ended ${events.EventField.fromPath('$.detail.status')} without reporting how the update went. `
      + 'Check the environment and the execution\'s history.',
    )));
    return rule;
  }
}
