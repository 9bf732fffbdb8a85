import { createHash } from 'crypto';
import { Annotations, ArnFormat, Duration, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct, IConstruct } from 'constructs';
// jsonata is a CommonJS module (`export =`) and this project compiles without esModuleInterop.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import jsonata = require('jsonata');
import { AirflowRole } from './access';
import { InvokerFunction } from './dag-runs/invoker-function';
import { WebserverAccessMode } from './environment-props';
import { airflowRoleArn } from './private/arns';
import { compareAirflowVersions, DAG_ID_MAX, DAG_ID_PATTERN, REST_API_MIN_AIRFLOW_VERSION, REST_API_PATH_MAX } from './private/mwaa';
import { acknowledge, COMPLIANCE_PACKS, inPacks } from './private/nag';
import { AirflowVersion } from './versions';
import type { MwaaVpcEndpoints } from './vpc-endpoints';
import { MwaaWarnings } from './warnings';

/**
 * What a DAG run gets as its `conf`: the event that started it, or a JSONata selection of it.
 */
export class DagRunConf {
  /** The whole event (or execution input) as `conf`. */
  public static wholeEvent(): DagRunConf {
    return new DagRunConf('$states.input');
  }

  /**
   * A JSONata expression (Step Functions' JSONata 2.0.6) whose value, a JSON object, is the `conf`.
   * `$event` is the event (or execution input), for example
   * `{ 'bucket': $event.detail.bucket.name, 'key': $event.detail.object.key }`.
   *
   * It must parse, and may not refer to a field outside a path that starts with a variable (Step
   * Functions refuses a bare name at the top level of an expression): write `$event.detail`, not
   * `detail`.
   *
   * @see https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
   */
  public static fromJsonata(expression: string): DagRunConf {
    return new DagRunConf(`($event := $states.input; ${expression})`, expression);
  }

  private constructor(
    /** The expression the state machine evaluates (the event is `$states.input`). */
    public readonly expression: string,
    /** The expression as written, for checks and messages. */
    public readonly source?: string,
  ) {}
}

/**
 * How a DAG run is started: what it gets and as whom it is started.
 */
export interface DagRunOptions {
  /**
   * The run's `conf`.
   *
   * @default DagRunConf.wholeEvent()
   */
  readonly conf?: DagRunConf;

  /**
   * The Airflow role the REST API call is made as (`airflow:InvokeRestApi` on
   * `role/<environment>/<role>`, and nothing else). It must be a role that may trigger DAG runs:
   * Admin, Op or User (Airflow's Viewer and Public roles cannot create DAG runs).
   *
   * @default AirflowRole.USER, the least of Airflow's default roles that may trigger DAG runs
   * @see https://airflow.apache.org/docs/apache-airflow-providers-fab/stable/auth-manager/access-control.html
   */
  readonly airflowRole?: AirflowRole;

  /**
   * The environment's Airflow version (REST API v1 for Airflow 2, v2 for Airflow 3).
   *
   * @default - the environment's; required for an imported environment
   */
  readonly airflowVersion?: AirflowVersion;

  /**
   * The environment's web server access mode. A private web server is called from a function in
   * the environment's subnets; a public one from the state machine itself.
   *
   * @default - the environment's; `PRIVATE_ONLY` for an imported environment
   */
  readonly webserverAccessMode?: WebserverAccessMode;

  /**
   * The subnets the calling function runs in (private web server only): the environment's.
   *
   * @default - the environment's; required for an imported environment with a private web server
   */
  readonly subnets?: ec2.ISubnet[];

  /**
   * The VPC of `subnets` (private web server only).
   *
   * @default - the environment's; required for an imported environment with a private web server
   */
  readonly vpc?: ec2.IVpc;

  /**
   * The security groups of the calling function (private web server only); they must reach the
   * `airflow.env` interface endpoint on TCP 443.
   *
   * @default - the environment's security groups
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * The topic that hears about every refused or failed run.
   *
   * @default - the environment's notification topic; none for an imported environment
   */
  readonly notificationTopic?: sns.ITopic;
}

/**
 * Properties of `DagRunTrigger`.
 */
export interface DagRunTriggerProps extends DagRunOptions {
  /** The name of the environment. */
  readonly environmentName: string;

  /** The DAG to run: `^[a-zA-Z0-9_.-]+$`, at most 250 characters (and the request path at most 64). */
  readonly dagId: string;

  /**
   * The environment's VPC endpoints; for a private web server, the `airflow.env` endpoint is added to them.
   *
   * @default - none: a warning asks for an `airflow.env` endpoint in the VPC
   */
  readonly vpcEndpoints?: MwaaVpcEndpoints;
}

/**
 * A Step Functions state machine that starts one DAG of one Amazon MWAA environment through
 * Airflow's REST API (`InvokeRestApi`, IAM only), with the event that started it (or a selection of
 * it) as the run's `conf`, and a run id derived from the event's id, so that a repeated delivery
 * does not start a second run.
 *
 * For a public web server the state machine calls `InvokeRestApi` itself (SDK integration); for a
 * private one it invokes a small function in the environment's subnets, since AWS documents that
 * the API of a private web server cannot be called from outside the VPC.
 *
 * The execution fails, and says why on the notification topic, when the DAG is unknown or paused,
 * when Airflow refuses the run, or when the call fails; throttling is retried with backoff.
 *
 * @see https://docs.aws.amazon.com/mwaa/latest/userguide/access-mwaa-apache-airflow-rest-api.html
 */
export class DagRunTrigger extends Construct {
  /** The state machine that starts the run. */
  public readonly stateMachine: sfn.StateMachine;

  /** The function that calls the REST API from the VPC (private web server only). */
  public readonly invokerFunction?: lambda.IFunction;

  /** The role the REST API call is made with: the function's (private) or the state machine's (public). */
  public readonly callerRole: iam.IRole;

  /** The REST API path of the run (`/dags/<dagId>/dagRuns`). */
  public readonly requestPath: string;

  /** The EventBridge target that starts a run with the event; usable by any number of rules. */
  public readonly ruleTarget: events.IRuleTarget;

  constructor(scope: Construct, id: string, props: DagRunTriggerProps) {
    super(scope, id);
    const airflowVersion = props.airflowVersion;
    if (airflowVersion === undefined) {
      throw new Error('`airflowVersion` must be given for a DAG run trigger of an imported environment (REST API v1 for Airflow 2, v2 for Airflow 3), got: undefined');
    }
    validateRestApiVersion(airflowVersion);
    validateDagId(props.dagId);
    this.requestPath = `/dags/${props.dagId}/dagRuns`;
    const airflowRole = props.airflowRole ?? AirflowRole.USER;
    validateTriggerRole(airflowRole);
    const conf = props.conf ?? DagRunConf.wholeEvent();
    validateConf(conf);

    const stack = Stack.of(this);
    const env = props.environmentName;
    const airflow3 = compareAirflowVersions(airflowVersion.version, '3') >= 0;
    const mode = props.webserverAccessMode ?? WebserverAccessMode.PRIVATE_ONLY;
    const fromVpc = mode !== WebserverAccessMode.PUBLIC_ONLY;
    const stateMachineName = triggerName(env, props.dagId, `${conf.expression}|${airflowRole}`);
    const stateMachineArn = stack.formatArn({ service: 'states', resource: 'stateMachine', resourceName: stateMachineName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const invokeStatement = new iam.PolicyStatement({
      sid: 'InvokeRestApiAsOneAirflowRoleOfThisEnvironment',
      actions: ['airflow:InvokeRestApi'],
      resources: [airflowRoleArn(this, env, airflowRole)],
    });

    // Step Functions assumes the role only for this state machine of this account.
    // https://docs.aws.amazon.com/step-functions/latest/dg/procedure-create-iam-role.html
    const role = new iam.Role(this, 'Role', {
      description: `Starts runs of the DAG ${props.dagId} of the Amazon MWAA environment ${env}`,
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnEquals: { 'aws:SourceArn': stateMachineArn },
      }),
    });
    const statements: iam.PolicyStatement[] = [];
    const topic = props.notificationTopic;
    if (topic) {
      statements.push(new iam.PolicyStatement({ sid: 'Report', actions: ['sns:Publish'], resources: [topic.topicArn] }));
      if (topic.masterKey) {
        statements.push(new iam.PolicyStatement({
          sid: 'ReportToTheEncryptedTopic',
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [topic.masterKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `sns.${stack.region}.${stack.urlSuffix}` } },
        }));
      }
    }

    let call: CallStep;
    if (fromVpc) {
      const fn = this.createInvoker(props, invokeStatement);
      this.invokerFunction = fn;
      this.callerRole = fn.role!;
      statements.push(new iam.PolicyStatement({ sid: 'InvokeTheCaller', actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] }));
      call = functionCall(stack, fn);
    } else {
      this.callerRole = role;
      statements.push(invokeStatement);
      call = sdkCall(stack, env);
    }
    const policy = new iam.ManagedPolicy(this, 'Policy', {
      description: `Start runs of the DAG ${props.dagId} of the Amazon MWAA environment ${env} and report to its topic`,
      roles: [role],
      statements,
    });

    const definition = buildDefinition(this, {
      env, dagId: props.dagId, path: this.requestPath, conf, airflow3, call, topic,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      queryLanguage: sfn.QueryLanguage.JSONATA,
      comment: `Starts a run of the DAG ${props.dagId} of the Amazon MWAA environment ${env}`,
      role: role.withoutPolicyUpdates(),
      timeout: Duration.minutes(15),
    });
    this.stateMachine.node.addDependency(policy);
    acknowledge(this.stateMachine, [
      { id: 'AwsSolutions-SF1', reason: 'Every refused or failed run is reported to the notification topic and the execution history keeps each state for 90 days; a log group would copy every event.' },
      { id: 'AwsSolutions-SF2', reason: 'The state machine makes one or two calls; tracing would show nothing the execution history does not.' },
    ]);
    this.ruleTarget = new DagRunRuleTarget(this);
  }

  /**
   * A Step Functions task that starts a run from a workflow of your own and waits for the trigger
   * to finish (it fails when the run is refused). The input becomes the event: give it an `id` to
   * make a retried task start no second run.
   *
   * @param scope the scope of the task
   * @param id the id of the task
   * @param input the execution input @default - the task's input (`$`)
   */
  public startTask(scope: Construct, id: string, input?: sfn.TaskInput): tasks.StepFunctionsStartExecution {
    return new tasks.StepFunctionsStartExecution(scope, id, {
      stateMachine: this.stateMachine,
      integrationPattern: sfn.IntegrationPattern.RUN_JOB,
      input: input ?? sfn.TaskInput.fromJsonPathAt('$'),
    });
  }

  /**
   * An EventBridge Scheduler target that starts a run on every invocation of a schedule. The input
   * is `{ "id": "<schedule ARN>@<scheduled time>" }`, the same for every retry of one invocation, so
   * a retried invocation starts no second run. The role Scheduler assumes is CDK's, trusted only for
   * this account's schedule group (`aws:SourceAccount`, `aws:SourceArn`).
   *
   * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-context-attributes.html
   */
  public schedulerTarget(): scheduler.IScheduleTarget {
    return new schedulerTargets.StepFunctionsStartExecution(this.stateMachine, {
      input: scheduler.ScheduleTargetInput.fromObject({ id: `${scheduler.ContextAttribute.scheduleArn}@${scheduler.ContextAttribute.scheduledTime}` }),
      retryAttempts: 10,
    });
  }

  /**
   * Let the grantee start runs of this DAG through the state machine (`states:StartExecution`).
   */
  public grantStart(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantStartExecution(grantee);
  }

  private createInvoker(props: DagRunTriggerProps, invokeStatement: iam.PolicyStatement): lambda.Function {
    if (props.vpc === undefined || props.subnets === undefined || props.subnets.length === 0) {
      throw new Error('`vpc` and `subnets` must name the environment\'s VPC and subnets for a DAG run trigger of a private web server (its API is called from inside the VPC), got: '
        + `${props.vpc === undefined ? 'no vpc' : 'a vpc'} and ${props.subnets?.length ?? 0} subnets`);
    }
    if (props.vpcEndpoints) {
      props.vpcEndpoints.addAirflowEnvEndpoint();
    } else {
      Annotations.of(this).addWarningV2(MwaaWarnings.DAG_RUN_ENV_ENDPOINT,
        'The DAG run trigger calls InvokeRestApi from a function in the environment\'s subnets, and this library creates no `airflow.env` interface endpoint for it (`createVpcEndpoints` is off or the environment is imported). Make sure the VPC has one, with private DNS, that the function\'s security groups reach on TCP 443; AWS documents that the API of a private web server cannot be called from outside the VPC.');
    }
    const role = new iam.Role(this, 'InvokerRole', {
      description: `Calls the Airflow REST API of the Amazon MWAA environment ${props.environmentName} to run the DAG ${props.dagId}`,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole')],
    });
    const invokerPolicy = new iam.ManagedPolicy(this, 'InvokerPolicy', {
      description: `Start runs of the DAG ${props.dagId} as one Airflow role of ${props.environmentName}`,
      roles: [role],
      statements: [invokeStatement],
    });
    const fn = new InvokerFunction(this, 'Invoker', {
      description: `Calls the Airflow REST API of ${props.environmentName} from its VPC for the DAG ${props.dagId}`,
      role,
      vpc: props.vpc,
      vpcSubnets: { subnets: props.subnets },
      securityGroups: props.securityGroups,
      allowPublicSubnet: false,
      // InvokeRestApi times out after 10 seconds; two calls and a cold start fit in 30.
      timeout: Duration.seconds(30),
      memorySize: 256,
      environment: { ENVIRONMENT_NAME: props.environmentName, DAG_ID: props.dagId },
    });
    fn.node.addDependency(invokerPolicy);
    acknowledge(role, [{ id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]', reason: 'What Lambda documents a function in a VPC needs: its network interfaces and its logs.' }]);
    acknowledge(fn, [
      { id: 'AwsSolutions-L1', reason: 'The runtime is the one projen bundles every function of this library for.' },
      ...inPacks('LambdaConcurrency', 'A reserved concurrency would take from the account\'s unreserved pool; a throttled invocation is retried by the state machine with backoff.',
        COMPLIANCE_PACKS.slice(0, 2)),
      ...inPacks('LambdaDLQ', 'Invoked synchronously by the state machine, which retries it and reports every failure to the notification topic; there is no asynchronous event to keep.',
        COMPLIANCE_PACKS.slice(0, 2)),
    ]);
    return fn;
  }
}

/** How the state machine calls the REST API: a task per step that assigns Airflow's answer to `$status` and `$response`. */
interface CallStep {
  readonly task: (scope: Construct, id: string, step: string, method: string, path: string, body?: string) => sfn.CustomState;
  /** Errors retried with backoff. */
  readonly retried: string[];
}

/** The state machine calls `InvokeRestApi` itself (public web server). */
function sdkCall(stack: Stack, env: string): CallStep {
  return {
    task: (scope, id, _step, method, path, body) => new sfn.CustomState(scope, id, {
      stateJson: {
        Type: 'Task',
        Resource: `arn:${stack.partition}:states:::aws-sdk:mwaa:invokeRestApi`,
        Arguments: { Name: env, Path: path, Method: method, ...(body ? { Body: body } : {}) },
        TimeoutSeconds: 60,
        Assign: { status: '{% $states.result.RestApiStatusCode %}', response: '{% $states.result.RestApiResponse %}' },
      },
    }),
    // https://docs.aws.amazon.com/mwaa/latest/API/CommonErrors.html
    retried: ['Mwaa.ThrottlingException', 'Mwaa.InternalServerException'],
  };
}

/** The state machine invokes the function in the VPC (private web server). */
function functionCall(stack: Stack, fn: lambda.IFunction): CallStep {
  return {
    task: (scope, id, step, _method, _path, body) => new sfn.CustomState(scope, id, {
      stateJson: {
        Type: 'Task',
        Resource: `arn:${stack.partition}:states:::lambda:invoke`,
        Arguments: { FunctionName: fn.functionArn, Payload: { step, ...(body ? { body } : {}) } },
        TimeoutSeconds: 60,
        Assign: { status: '{% $states.result.Payload.statusCode %}', response: '{% $states.result.Payload.response %}' },
      },
    }),
    // The function throws the SDK's errors under their own names.
    // https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html
    retried: ['ThrottlingException', 'InternalServerException', 'Lambda.TooManyRequestsException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException'],
  };
}

interface DefinitionProps {
  readonly env: string;
  readonly dagId: string;
  readonly path: string;
  readonly conf: DagRunConf;
  readonly airflow3: boolean;
  readonly call: CallStep;
  readonly topic?: sns.ITopic;
}

/**
 * The run id: `event__` and the event's `id` (the execution's name when the input has none), with
 * what Airflow's default `allowed_run_id_pattern` (`^[A-Za-z0-9_.~:+-]+$`) does not allow replaced,
 * at most 250 characters. A repeated delivery of an event has the same id, so the same run id.
 */
export const RUN_ID_EXPRESSION = '($id := $states.input.id; '
  + "$base := $type($id) = 'string' and $length($id) > 0 ? $id : $split($states.context.Execution.Id, ':')[-1]; "
  + "$substring('event__' & $replace($base, /[^A-Za-z0-9_.~:+-]/, '_'), 0, 250))";

/** Airflow's message in a response: its `detail` (problem JSON in Airflow 2, FastAPI in Airflow 3), else the whole response. */
const AIRFLOW_MESSAGE = '($d := $response.detail; $exists($d) ? $string($d) : $string($response))';

function buildDefinition(scope: Construct, p: DefinitionProps): sfn.IChainable {
  const about = `'Run of DAG ${p.dagId} of Amazon MWAA environment ${p.env}: '`;
  const retry: sfn.RetryProps = {
    errors: p.call.retried, interval: Duration.seconds(2), backoffRate: 2, maxAttempts: 6, jitterStrategy: sfn.JitterType.FULL,
  };
  const catchProps: sfn.CatchProps = { errors: ['States.ALL'], assign: { error: '{% $states.errorOutput %}' } };

  const report = (id: string, message: string): sfn.IChainable => {
    const text = `{% ${about} & ${message} & ' (execution ' & $states.context.Execution.Id & ')' %}`;
    const fail = sfn.Fail.jsonata(scope, id, { error: id, cause: text });
    if (!p.topic) {
      return fail;
    }
    const publish = tasks.SnsPublish.jsonata(scope, `Report${id}`, { topic: p.topic, message: sfn.TaskInput.fromText(text), taskTimeout: sfn.Timeout.duration(Duration.minutes(1)) });
    publish.addRetry({ errors: ['States.ALL'], interval: Duration.seconds(5), backoffRate: 3, maxAttempts: 3 });
    return publish.next(fail);
  };

  const callFailed = report('CallFailed', "'the call failed: ' & $error.Error & ': ' & $error.Cause");
  const refused = (id: string) => report(id, `'Airflow refused it (HTTP ' & $string($status) & '): ' & ${AIRFLOW_MESSAGE}`);

  const readDag = p.call.task(scope, 'ReadDag', 'ReadDag', 'GET', `/dags/${p.dagId}`);
  readDag.addRetry(retry);
  readDag.addCatch(callFailed, catchProps);

  const body = `{% ${p.airflow3 ? "{ 'dag_run_id': $runId, 'logical_date': null, 'conf': $conf }" : "{ 'dag_run_id': $runId, 'conf': $conf }"} %}`;
  const startRun = p.call.task(scope, 'StartDagRun', 'StartDagRun', 'POST', p.path, body);
  startRun.addRetry(retry);

  const started = sfn.Succeed.jsonata(scope, 'DagRunStarted');
  const alreadyStarted = sfn.Succeed.jsonata(scope, 'DagRunAlreadyStarted');
  // Through the SDK integration Airflow's 409 arrives as Mwaa.RestApiClientException; its cause is
  // expected to carry Airflow's "already exists" detail (not verified here: if it does not, the
  // repeated delivery is reported as a failure, and still starts no second run).
  const startFailed = sfn.Choice.jsonata(scope, 'WasItStartedBefore')
    .when(sfn.Condition.jsonata("{% $error.Error = 'Mwaa.RestApiClientException' and $contains($string($error.Cause), 'already exists') %}"), alreadyStarted)
    .otherwise(callFailed);
  startRun.addCatch(startFailed, catchProps);

  const checkRun = sfn.Choice.jsonata(scope, 'DidAirflowStartIt')
    .when(sfn.Condition.jsonata('{% $status >= 200 and $status < 300 %}'), started)
    .when(sfn.Condition.jsonata('{% $status = 409 %}'), alreadyStarted)
    .otherwise(refused('DagRunRefused'));

  const checkDag = sfn.Choice.jsonata(scope, 'CanTheDagRun')
    .when(sfn.Condition.jsonata('{% $status = 200 and $response.is_paused = false %}'), startRun.next(checkRun))
    .when(sfn.Condition.jsonata('{% $status = 200 and $response.is_paused = true %}'), report('DagPaused', "'the DAG is paused, no run was started'"))
    .otherwise(refused('DagNotAvailable'));

  return sfn.Pass.jsonata(scope, 'PrepareRun', {
    assign: { runId: `{% ${RUN_ID_EXPRESSION} %}`, conf: `{% ${p.conf.expression} %}` },
  }).next(sfn.Choice.jsonata(scope, 'IsConfAnObject')
    .when(sfn.Condition.jsonata("{% $type($conf) = 'object' %}"), readDag.next(checkDag))
    .otherwise(report('ConfNotAnObject', "'the conf must be a JSON object, got: ' & $string($conf)")));
}

/**
 * Starts the trigger's state machine with the event, with a role EventBridge may assume only for
 * rules of this account and Region (`aws:SourceAccount`, and `aws:SourceArn` like
 * `arn:<partition>:events:<region>:<account>:rule/*`). The rule's own ARN cannot be named: the rule
 * refers to the role, so a role that referred to the rule would make a dependency cycle.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-identity-based.html
 */
class DagRunRuleTarget implements events.IRuleTarget {
  private role?: iam.Role;

  constructor(private readonly trigger: DagRunTrigger) {}

  public bind(rule: events.IRule, id?: string): events.RuleTargetConfig {
    return new targets.SfnStateMachine(this.trigger.stateMachine, {
      role: this.eventsRole().withoutPolicyUpdates(),
      retryAttempts: 10,
      maxEventAge: Duration.hours(6),
    }).bind(rule, id);
  }

  private eventsRole(): iam.Role {
    if (this.role === undefined) {
      const stack = Stack.of(this.trigger);
      this.role = new iam.Role(this.trigger, 'EventsRole', {
        description: `Lets EventBridge rules of this account start ${this.trigger.node.path}`,
        assumedBy: new iam.ServicePrincipal('events.amazonaws.com').withConditions({
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'events', resource: 'rule', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME }) },
        }),
      });
      new iam.ManagedPolicy(this.trigger, 'EventsPolicy', {
        description: 'Start the DAG run state machine',
        roles: [this.role],
        statements: [new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [this.trigger.stateMachine.stateMachineArn] })],
      });
    }
    return this.role;
  }
}

/** What an environment supplies to its DAG run triggers. */
export type DagRunDefaults = Omit<DagRunTriggerProps, 'environmentName' | 'dagId'>;

/**
 * The trigger of `dagId` with `options` on an environment (created on first use, then reused), with
 * the environment's own settings where `options` leaves them out.
 */
export function dagRunTriggerOf(environment: IConstruct, environmentName: string, dagId: string, options: DagRunOptions,
  defaults: DagRunDefaults): DagRunTrigger {
  const merged: DagRunTriggerProps = { ...defaults, ...definedOnly(options), environmentName, dagId };
  const key = `${dagId}|${merged.conf?.expression ?? ''}|${merged.airflowRole ?? ''}`;
  const id = `DagRun-${dagId}-${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
  const existing = environment.node.tryFindChild(id);
  return existing instanceof DagRunTrigger ? existing : new DagRunTrigger(environment as Construct, id, merged);
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The state machine's name: environment, DAG and a hash of what makes the trigger, at most 80 characters of `[0-9A-Za-z_-]`. */
function triggerName(env: string, dagId: string, what: string): string {
  if (Token.isUnresolved(env)) {
    throw new Error('`environmentName` must be known at synth time to name the DAG run state machine (its role trusts that name only), got a token');
  }
  const hash = createHash('sha256').update(`${env}|${dagId}|${what}`).digest('hex').slice(0, 8);
  const readable = `${env}-run-${dagId.replace(/[^0-9A-Za-z_-]/g, '_')}`.slice(0, 80 - hash.length - 1);
  return `${readable}-${hash}`;
}

function validateRestApiVersion(version: AirflowVersion): void {
  if (compareAirflowVersions(version.version, REST_API_MIN_AIRFLOW_VERSION) < 0) {
    throw new Error(`\`airflowVersion\` must be ${REST_API_MIN_AIRFLOW_VERSION} or later for DAG runs through InvokeRestApi, got: ${version.version}`);
  }
}

function validateDagId(dagId: string): void {
  if (Token.isUnresolved(dagId)) {
    throw new Error('`dagId` must be known at synth time (it is part of the request path and of the permissions), got a token');
  }
  if (dagId.length > DAG_ID_MAX || !DAG_ID_PATTERN.test(dagId)) {
    throw new Error(`\`dagId\` must be 1-${DAG_ID_MAX} ASCII letters, digits, '_', '.' or '-' (Airflow's rule for DAG ids), got: '${dagId}'`);
  }
  const path = `/dags/${dagId}/dagRuns`;
  if (path.length > REST_API_PATH_MAX) {
    throw new Error(`\`dagId\` is too long for InvokeRestApi: the path ${path} has ${path.length} characters, at most ${REST_API_PATH_MAX} are allowed (a DAG id of at most ${REST_API_PATH_MAX - '/dags//dagRuns'.length}), got: '${dagId}'`);
  }
}

/** Airflow's Viewer and Public roles cannot create DAG runs; Admin, Op and User can. */
const TRIGGERING_ROLES = [AirflowRole.ADMIN, AirflowRole.OP, AirflowRole.USER];

function validateTriggerRole(role: AirflowRole): void {
  if (!TRIGGERING_ROLES.includes(role)) {
    throw new Error(`\`airflowRole\` must be a role that may trigger DAG runs (${TRIGGERING_ROLES.join(', ')}), got: ${role}`);
  }
}

function validateConf(conf: DagRunConf): void {
  const source = conf.source;
  if (source === undefined) {
    return;
  }
  const problem = jsonataProblem(source);
  if (problem !== undefined) {
    throw new Error(`\`conf\` must be a JSONata expression Step Functions accepts: ${problem}, got: ${source}`);
  }
}

/**
 * Why Step Functions would refuse `expression` as the whole of a JSONata field, or `undefined`:
 * it does not parse with JSONata 2.0.6, it contains `%}`, or it refers to a field at the top level
 * (a bare name outside a path that starts with a variable, a predicate or a function body).
 */
export function jsonataProblem(expression: string): string | undefined {
  if (expression.includes('%}')) {
    return 'it may not contain %}';
  }
  let ast: JsonataNode;
  try {
    ast = jsonata(expression).ast() as unknown as JsonataNode;
  } catch (e) {
    return `it does not parse (${(e as { message?: string }).message ?? String(e)})`;
  }
  const bare = topLevelName(ast);
  if (bare === undefined) {
    return undefined;
  }
  return bare.startsWith('$') ? `it refers to the context (${bare}) at the top level (write $event)` : `it refers to '${bare}' at the top level (write $event.${bare})`;
}

interface JsonataNode {
  readonly type: string;
  readonly value?: unknown;
  readonly [key: string]: unknown;
}

/** The first field name evaluated against the root context, if any. */
function topLevelName(node: unknown): string | undefined {
  if (Array.isArray(node)) {
    for (const n of node) {
      const found = topLevelName(n);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (node === null || typeof node !== 'object') {
    return undefined;
  }
  const n = node as JsonataNode;
  switch (n.type) {
    case 'name':
      return String(n.value);
    case 'wildcard':
    case 'descendant':
    case 'parent':
      return n.value === undefined ? n.type : String(n.value);
    case 'path': {
      // Only the first step is evaluated against the context; later steps, predicates and stages are not.
      const steps = n.steps as unknown[];
      return topLevelName(steps?.[0]);
    }
    case 'variable':
      // `$` and `$$` are the context and the root.
      return n.value === '' || n.value === '$' ? `$${n.value}` : undefined;
    case 'lambda':
      return undefined;
    default: {
      for (const [key, value] of Object.entries(n)) {
        if (key === 'position' || key === 'type' || key === 'stages' || key === 'predicate' || key === 'group') continue;
        const found = topLevelName(value);
        if (found !== undefined) return found;
      }
      return undefined;
    }
  }
}
