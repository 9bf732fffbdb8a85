import { Annotations, ArnFormat, Duration, PhysicalName, Stack } from 'aws-cdk-lib';
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
import { EndpointManagement, LogLevel, WebserverAccessMode } from './environment-props';
import { publicAccessEventPattern } from './notifications';
import { ec2Arn, environmentArn } from './private/arns';
import { PASSED_TO_SERVICE } from './private/mwaa';
import { acknowledge, findingName } from './private/nag';
import { TopicTarget } from './private/topic-target';
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

  constructor(scope: Construct, id: string, props: MwaaSelfServiceProps) {
    super(scope, id);
    const updater = new Updater(this, props);
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
        Arguments: `{% ${updateArgumentsExpression(updater.nameLiteral, input)} %}`,
        TimeoutSeconds: TASK_TIMEOUT.toSeconds(),
        Assign: { waits: 0, changed: `{% $join($keys(${input}), ', ') %}` },
      },
    });
    update.addRetry(RETRY);
    update.addCatch(callFailed, CATCH);

    const readCurrent = updater.getEnvironment('ReadEnvironment', { current: '{% $states.result.Environment %}' }, callFailed);

    const finished = updater.pollUntilUpdated('Update', {
      succeeded: updater.report('UpdateSucceeded', `${about} & 'succeeded (changed: ' & $changed & ')'`, true),
      failed: updater.report('UpdateFailed', `${about} & 'failed, the environment is ' & $env.Status & ': ' & $env.LastUpdate.Error.ErrorCode & ' ' & $env.LastUpdate.Error.ErrorMessage`, false),
      timedOut: updater.report('UpdateTimedOut', `${about} & 'did not finish within ${updater.maxWaits} minutes (the environment is ' & $env.Status & ')'`, false),
    }, callFailed);

    const definition = sfn.Pass.jsonata(this, 'CheckInput', {
      assign: { problems: `{% ${inputProblemsExpression(input)} %}` },
    }).next(sfn.Choice.jsonata(this, 'IsInputAllowed')
      .when(sfn.Condition.jsonata('{% $count($problems) > 0 %}'), rejected)
      .otherwise(readCurrent.next(update).next(finished)));

    this.stateMachine = updater.createStateMachine(definition, 1, updater.updateStatements());
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
    const updater = new Updater(this, props);
    const about = `'Public access revert of Amazon MWAA environment ' & ${updater.nameLiteral} & ': ' & $actor & ' called ' & $eventName & ' with WebserverAccessMode ' & $requestedMode & '; '`;
    const byHand = ' Set it to PRIVATE_ONLY by hand.';

    const callFailed = updater.report('RevertCallFailed',
      `${about} & 'a call failed (' & $error.Error & ': ' & $error.Cause & '), the web server may still be public.${byHand}'`, false);

    const revert = tasks.CallAwsService.jsonata(this, 'MakeWebserverPrivate', {
      service: 'mwaa',
      action: 'updateEnvironment',
      iamAction: 'airflow:UpdateEnvironment',
      parameters: { Name: props.environment.environmentName, WebserverAccessMode: WebserverAccessMode.PRIVATE_ONLY },
      iamResources: [updater.environmentArn],
      taskTimeout: sfn.Timeout.duration(TASK_TIMEOUT),
      assign: { waits: 0 },
    });
    revert.addRetry(RETRY);
    revert.addCatch(callFailed, CATCH);

    const afterRevert = updater.pollUntilUpdated('Revert', {
      succeeded: updater.report('Reverted', `${about} & 'the web server is PRIVATE_ONLY again.'`, true),
      failed: updater.report('RevertFailed',
        `${about} & 'the update to PRIVATE_ONLY failed, the environment is ' & $env.Status & ' (' & $env.LastUpdate.Error.ErrorCode & ' ' & $env.LastUpdate.Error.ErrorMessage & ') and its web server ' & $env.WebserverAccessMode & '.${byHand}'`, false),
      timedOut: updater.report('RevertTimedOut',
        `${about} & 'the update to PRIVATE_ONLY did not finish within ${updater.maxWaits} minutes (the environment is ' & $env.Status & ').${byHand}'`, false),
    }, callFailed);

    const waitAvailable = sfn.Wait.jsonata(this, 'WaitUntilAvailable', { time: sfn.WaitTime.duration(POLL_INTERVAL) });
    const readBefore = updater.getEnvironment('ReadEnvironment', { env: '{% $states.result.Environment %}', waits: '{% $waits + 1 %}' }, callFailed);
    const ready = sfn.Choice.jsonata(this, 'IsAvailable')
      .when(sfn.Condition.jsonata('{% $env.Status = \'AVAILABLE\' and $env.WebserverAccessMode = \'PRIVATE_ONLY\' %}'),
        updater.report('AlreadyPrivate', `${about} & 'the web server is PRIVATE_ONLY already (the change failed or was undone), nothing to do.'`, true))
      .when(sfn.Condition.jsonata('{% $env.Status = \'AVAILABLE\' %}'), revert.next(afterRevert))
      .when(sfn.Condition.jsonata(`{% $env.Status in ${list(FINAL_FAILURE_STATUSES)} %}`),
        updater.report('CannotRevert', `${about} & 'the environment is ' & $env.Status & ' and cannot be updated; its web server is ' & $env.WebserverAccessMode & '.${byHand}'`, false))
      .when(sfn.Condition.jsonata(`{% $waits >= ${updater.maxWaits} %}`),
        updater.report('NotAvailableInTime', `${about} & 'the environment did not become AVAILABLE within ${updater.maxWaits} minutes (it is ' & $env.Status & '), the web server may still be public.${byHand}'`, false))
      .otherwise(waitAvailable);

    const definition = sfn.Pass.jsonata(this, 'ReadEvent', {
      assign: {
        actor: `{% ${orFallback('$states.input.detail.userIdentity.arn', 'an unknown principal')} %}`,
        eventName: `{% ${orFallback('$states.input.detail.eventName', 'an unknown call')} %}`,
        requestedMode: `{% ${orFallback('[$states.input.detail.requestParameters.WebserverAccessMode, $states.input.detail.requestParameters.webserverAccessMode][0]', 'unknown')} %}`,
        waits: 0,
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
    updater.reportUnfinishedExecutions(this.stateMachine);

    // EventBridge starts the revert with this role, whose one permission is a managed policy.
    const eventsRole = new iam.Role(this, 'EventsRole', {
      description: 'Lets EventBridge start the public access revert',
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
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

/** Statuses after which waiting longer cannot help. */
const FINAL_FAILURE_STATUSES = ['UPDATE_FAILED', 'CREATE_FAILED', 'DELETING', 'DELETED'];

/**
 * The settings a self-service update may change, by the names of the `UpdateEnvironment` API.
 * The paths are relative to the environment's bucket, which the input cannot change.
 *
 * @see https://docs.aws.amazon.com/mwaa/latest/API/API_UpdateEnvironment.html
 */
const STRING_FIELDS = [
  'RequirementsS3Path', 'RequirementsS3ObjectVersion',
  'PluginsS3Path', 'PluginsS3ObjectVersion',
  'StartupScriptS3Path', 'StartupScriptS3ObjectVersion',
  'EnvironmentClass', 'WeeklyMaintenanceWindowStart', 'WorkerReplacementStrategy',
];
const INTEGER_FIELDS = ['Schedulers', 'MinWorkers', 'MaxWorkers', 'MinWebservers', 'MaxWebservers'];
const CONFIGURATION_FIELD = 'AirflowConfigurationOptions';
const LOGGING_FIELD = 'LoggingConfiguration';
const ALLOWED_FIELDS = [...STRING_FIELDS, ...INTEGER_FIELDS, CONFIGURATION_FIELD, LOGGING_FIELD];
/** The log types of `LoggingConfigurationInput`; each may carry only its `LogLevel`. */
const LOG_MODULES = ['DagProcessingLogs', 'SchedulerLogs', 'TaskLogs', 'WebserverLogs', 'WorkerLogs'];

const list = (values: string[]) => JSON.stringify(values);

/**
 * A JSONata expression that lists what is wrong with the input (an empty list when nothing is):
 * fields outside the allowlist, at the top level and inside `LoggingConfiguration`, and values of
 * the wrong type. It never fails, whatever the input, so that every rejection is reported.
 */
function inputProblemsExpression(input: string): string {
  const levels = list(Object.values(LogLevel));
  return `(
  $in := ${input};
  $allowed := ${list(ALLOWED_FIELDS)};
  $type($in) != 'object' ? ['the input must be a JSON object naming the settings to change'] : (
    $unknown := $filter($keys($in), function($k) { $not($k in $allowed) });
    [
      $count($keys($in)) = 0 ? 'the input names no setting to change',
      $count($unknown) > 0 ? 'not allowed: ' & $join($unknown, ', ') & ' (a self-service update may change only ' & $join($allowed, ', ') & ')',
      $filter(${list(STRING_FIELDS)}, function($f) { $exists($lookup($in, $f)) and $type($lookup($in, $f)) != 'string' }).($ & ' must be a string'),
      $filter(${list(INTEGER_FIELDS)}, function($f) { $exists($lookup($in, $f)) and ($type($lookup($in, $f)) != 'number' or $lookup($in, $f) != $floor($lookup($in, $f))) }).($ & ' must be a whole number'),
      (
        $o := $lookup($in, '${CONFIGURATION_FIELD}');
        $not($exists($o)) ? undefined : $type($o) != 'object' ? '${CONFIGURATION_FIELD} must be an object of strings'
          : $filter($keys($o), function($k) { $type($lookup($o, $k)) != 'string' }).('${CONFIGURATION_FIELD}.' & $ & ' must be a string')
      ),
      (
        $l := $lookup($in, '${LOGGING_FIELD}');
        $not($exists($l)) ? undefined : $type($l) != 'object' ? '${LOGGING_FIELD} must be an object' : $keys($l).(
          $m := $;
          $v := $lookup($l, $m);
          $not($m in ${list(LOG_MODULES)}) ? 'not allowed: ${LOGGING_FIELD}.' & $m
            : $type($v) != 'object' ? '${LOGGING_FIELD}.' & $m & ' must be an object with a LogLevel'
            : [
              $filter($keys($v), function($k) { $k != 'LogLevel' }).('not allowed: ${LOGGING_FIELD}.' & $m & '.' & $ & ' (only LogLevel may change)'),
              $lookup($v, 'LogLevel') in ${levels} ? undefined : '${LOGGING_FIELD}.' & $m & '.LogLevel must be one of ' & $join(${levels}, ', ')
            ]
        )
      )
    ]
  )
)`;
}

/**
 * A JSONata expression that builds the `UpdateEnvironment` request from the allowlisted fields of
 * the input alone, with the environment's name. Airflow configuration options are merged into the
 * current ones (`$current`, the environment before the update); each log type keeps whether it is
 * enabled and takes only the new log level.
 */
function updateArgumentsExpression(nameLiteral: string, input: string): string {
  // Each value only with its type, so that nothing nested can ride along in an allowed field.
  const copied = [
    ...STRING_FIELDS.map(f => `'${f}': $type($in.${f}) = 'string' ? $in.${f}`),
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

/** `value`, or a fallback when it is missing (a JSONata field may not evaluate to nothing). */
function orFallback(value: string, fallback: string): string {
  return `($v := ${value}; $exists($v) ? $string($v) : '${fallback}')`;
}

/** Where a wait loop goes when the update succeeded, failed, or took too long. */
interface PollOutcomes {
  readonly succeeded: sfn.IChainable;
  readonly failed: sfn.IChainable;
  readonly timedOut: sfn.IChainable;
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
  /** Resource wildcards for resources that do not exist yet, acknowledged on the policy. */
  private readonly newResourceWildcards: string[] = [];

  constructor(private readonly scope: Construct, private readonly props: MwaaUpdaterProps) {
    this.maxWait = props.maxWait ?? Duration.hours(2);
    const minutes = this.maxWait.toMinutes({ integral: false });
    if (minutes < 10 || minutes > 24 * 60) {
      throw new Error(`\`maxWait\` must be between 10 minutes and 24 hours (an update takes 20 to 30 minutes), got: ${this.maxWait.toHumanString()}`);
    }
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
      iamResources: [this.environmentArn],
      taskTimeout: sfn.Timeout.duration(TASK_TIMEOUT),
      assign,
    });
    task.addRetry(RETRY);
    task.addCatch(onError, { errors: ['States.ALL'], assign: { error: '{% $states.errorOutput %}' } });
    return task;
  }

  /**
   * Wait a minute, read the environment, and go on to `succeeded` once the last update succeeded
   * and the environment is available, to `failed` once it failed, to `timedOut` after `maxWaits`
   * waits, and wait again otherwise. `$waits` must be 0 on entry.
   */
  public pollUntilUpdated(prefix: string, outcomes: PollOutcomes, onError: sfn.IChainable): sfn.Wait {
    const wait = sfn.Wait.jsonata(this.scope, `WaitFor${prefix}`, { time: sfn.WaitTime.duration(POLL_INTERVAL) });
    const read = this.getEnvironment(`Read${prefix}Status`, { env: '{% $states.result.Environment %}', waits: '{% $waits + 1 %}' }, onError);
    const choice = sfn.Choice.jsonata(this.scope, `Has${prefix}Finished`)
      .when(sfn.Condition.jsonata('{% $env.Status = \'AVAILABLE\' and $env.LastUpdate.Status = \'SUCCESS\' %}'), outcomes.succeeded)
      .when(sfn.Condition.jsonata(`{% $env.Status in ${list(FINAL_FAILURE_STATUSES)} or ($env.Status = 'AVAILABLE' and $env.LastUpdate.Status = 'FAILED') %}`), outcomes.failed)
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
    const role = new iam.Role(this.scope, 'Role', {
      description: `Runs the state machine that updates the Amazon MWAA environment ${name}`,
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com'),
    });
    const policy = new iam.ManagedPolicy(this.scope, 'Policy', {
      description: `Update the Amazon MWAA environment ${name} and report to its topic`,
      roles: [role],
      statements,
    });
    const stateMachine = new sfn.StateMachine(this.scope, 'StateMachine', {
      // No name in the template unless a stack of another account or Region (an
      // AirflowPermissionSet that lets administrators start it) needs its ARN at synth.
      stateMachineName: PhysicalName.GENERATE_IF_NEEDED,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      queryLanguage: sfn.QueryLanguage.JSONATA,
      comment: `Updates the Amazon MWAA environment ${name}`,
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
   * An execution that times out or is stopped never reaches its own report: tell the topic.
   * The environment's topic already admits EventBridge of this account.
   */
  public reportUnfinishedExecutions(stateMachine: sfn.StateMachine): void {
    const rule = new events.Rule(this.scope, 'UnfinishedExecutionRule', {
      description: `Executions that updated the Amazon MWAA environment ${this.props.environment.environmentName} and did not finish`,
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { stateMachineArn: [stateMachine.stateMachineArn], status: ['TIMED_OUT', 'ABORTED'] },
      },
    });
    rule.addTarget(new TopicTarget(this.props.notificationTopic, events.RuleTargetInput.fromText(
      `The execution ${events.EventField.fromPath('$.detail.executionArn')} that updates the Amazon MWAA environment `
      + `${this.props.environment.environmentName} ended ${events.EventField.fromPath('$.detail.status')} without reporting how the update went. `
      + 'Check the environment.',
    )));
  }
}
