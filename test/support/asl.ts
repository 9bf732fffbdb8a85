// jsonata is a CommonJS module (`export =`) and this project compiles without esModuleInterop.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import jsonata = require('jsonata');

/**
 * A small offline interpreter for the JSONata state machines this library synthesizes, and an
 * EventBridge pattern matcher. Both implement only what our definitions and patterns use and throw
 * on anything else, so a test never passes on something they do not understand.
 *
 * The JSONata expressions are evaluated with the `jsonata` package at the version Step Functions
 * documents (2.0.6); the States Language rules followed here are those of
 * https://states-language.net (JSONata evaluation, Assign, Arguments, Catch).
 */

export interface AslDefinition {
  readonly QueryLanguage?: string;
  readonly StartAt: string;
  readonly States: { [name: string]: any };
}

/** An error a mocked service call throws, as Step Functions reports it. */
export class TaskError extends Error {
  constructor(public readonly error: string, public readonly errorCause: string) {
    super(`${error}: ${errorCause}`);
  }
}

export interface SdkCall {
  /** The last part of the resource ARN, such as `mwaa:updateEnvironment` or `sns:publish`. */
  readonly action: string;
  readonly args: any;
}

/** Answers a task: return the result or throw a `TaskError`. `now` is the execution's simulated clock. */
export type ServiceMock = (action: string, args: any, now: Date) => any;

export interface RunResult {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly error?: string;
  readonly cause?: string;
  /** Every task call in order. */
  readonly calls: SdkCall[];
  /** Every state entered, in order. */
  readonly path: string[];
  /** The variables at the end. */
  readonly variables: { [name: string]: any };
}

const EXPRESSION = /^\{%([\s\S]*)%\}$/;

/** Evaluates one JSONata expression (without `{% %}`) with the given variables. */
export async function evaluateJsonata(expression: string, bindings: { [name: string]: unknown }): Promise<any> {
  return jsonata(expression).evaluate(undefined, bindings);
}

/** Evaluates a JSONata template: a `{% %}` string, or JSON with such strings inside. */
export async function evaluateTemplate(template: unknown, bindings: { [name: string]: unknown }): Promise<any> {
  if (typeof template === 'string') {
    const match = EXPRESSION.exec(template);
    if (!match) {
      return template;
    }
    const result = await jsonata(match[1]).evaluate(undefined, bindings);
    if (result === undefined) {
      // "JSON cannot represent an undefined value": Step Functions fails the state.
      throw new TaskError('States.QueryEvaluationError', `the expression returned nothing: ${match[1].slice(0, 80)}`);
    }
    return normalize(result);
  }
  if (Array.isArray(template)) {
    return Promise.all(template.map(t => evaluateTemplate(t, bindings)));
  }
  if (template !== null && typeof template === 'object') {
    const out: { [key: string]: any } = {};
    for (const [key, value] of Object.entries(template)) {
      out[key] = await evaluateTemplate(value, bindings);
    }
    return out;
  }
  return template;
}

/** JSONata results carry sequence markers; JSON is what Step Functions passes on. */
function normalize(value: unknown): any {
  return JSON.parse(JSON.stringify(value));
}

export interface RunOptions {
  /** The execution ARN in the context object. */
  readonly executionId?: string;
  /** Stop with an error after this many transitions (a loop that never ends). */
  readonly maxTransitions?: number;
  /**
   * When the execution starts on a simulated clock: a Wait state moves it on by its `Seconds`, a
   * Task by one second. `$states.context.State.EnteredTime` reads it.
   * @default 2026-12-04T12:00:00Z
   */
  readonly startTime?: Date;
}

/** Runs a definition on an input, answering every task with `service`. */
export async function runStateMachine(definition: AslDefinition, input: unknown, service: ServiceMock, options: RunOptions = {}): Promise<RunResult> {
  if (definition.QueryLanguage !== 'JSONata') {
    throw new Error(`only JSONata state machines are supported, got: ${definition.QueryLanguage}`);
  }
  let clock = (options.startTime ?? new Date('2026-12-04T12:00:00Z')).getTime();
  const context: any = { Execution: { Id: options.executionId ?? 'arn:aws:states:eu-west-1:111111111111:execution:machine:run-1', Input: input } };
  const variables: { [name: string]: any } = {};
  const calls: SdkCall[] = [];
  const path: string[] = [];
  let name = definition.StartAt;
  let stateInput: any = input;
  const max = options.maxTransitions ?? 10_000;

  const bindings = (extra: object = {}) => ({ ...variables, states: { input: stateInput, context, ...extra } });
  const assign = async (template: { [name: string]: unknown } | undefined, extra: object = {}) => {
    if (!template) {
      return;
    }
    // All new values are computed with the variables as they were on entry, then assigned.
    const values = await evaluateTemplate(template, bindings(extra));
    Object.assign(variables, values);
  };

  for (let transitions = 0; transitions < max; transitions++) {
    const state = definition.States[name];
    if (!state) {
      throw new Error(`no state named ${name}`);
    }
    if (state.QueryLanguage !== undefined && state.QueryLanguage !== 'JSONata') {
      throw new Error(`state ${name} is not JSONata`);
    }
    path.push(name);
    context.State = { Name: name, EnteredTime: new Date(clock).toISOString() };
    let output: any;
    let next: string | undefined = state.Next;
    switch (state.Type) {
      case 'Pass':
        output = state.Output !== undefined ? await evaluateTemplate(state.Output, bindings()) : stateInput;
        await assign(state.Assign);
        break;
      case 'Wait':
        if (typeof state.Seconds !== 'number') {
          throw new Error(`only Wait states with a number of Seconds are supported, got: ${JSON.stringify(state)}`);
        }
        clock += state.Seconds * 1000;
        output = stateInput;
        break;
      case 'Choice': {
        next = state.Default;
        for (const choice of state.Choices) {
          const holds = await evaluateTemplate(choice.Condition, bindings());
          if (typeof holds !== 'boolean') {
            throw new Error(`the condition of ${name} is not a boolean: ${JSON.stringify(holds)}`);
          }
          if (holds) {
            await assign(choice.Assign);
            next = choice.Next;
            break;
          }
        }
        if (next === undefined) {
          return { status: 'FAILED', error: 'States.NoChoiceMatched', calls, path, variables };
        }
        output = stateInput;
        break;
      }
      case 'Task': {
        const args = state.Arguments !== undefined ? await evaluateTemplate(state.Arguments, bindings()) : stateInput;
        const action = String(state.Resource).split(':::')[1]?.replace(/^aws-sdk:/, '');
        calls.push({ action, args });
        clock += 1000;
        let result: any;
        try {
          result = service(action, args, new Date(clock));
        } catch (e) {
          if (!(e instanceof TaskError)) {
            throw e;
          }
          const catcher = (state.Catch ?? []).find((c: any) => c.ErrorEquals.includes('States.ALL') || c.ErrorEquals.includes(e.error));
          if (!catcher) {
            return { status: 'FAILED', error: e.error, cause: e.errorCause, calls, path, variables };
          }
          const errorOutput = { Error: e.error, Cause: e.errorCause };
          await assign(catcher.Assign, { errorOutput });
          output = catcher.Output !== undefined ? await evaluateTemplate(catcher.Output, bindings({ errorOutput })) : errorOutput;
          next = catcher.Next;
          break;
        }
        await assign(state.Assign, { result });
        output = state.Output !== undefined ? await evaluateTemplate(state.Output, bindings({ result })) : result;
        break;
      }
      case 'Succeed':
        return { status: 'SUCCEEDED', calls, path, variables };
      case 'Fail':
        return {
          status: 'FAILED',
          error: await evaluateTemplate(state.Error, bindings()),
          cause: await evaluateTemplate(state.Cause, bindings()),
          calls,
          path,
          variables,
        };
      default:
        throw new Error(`state type ${state.Type} is not supported`);
    }
    if (state.End) {
      return { status: 'SUCCEEDED', calls, path, variables };
    }
    if (next === undefined) {
      throw new Error(`state ${name} has no next state`);
    }
    name = next;
    stateInput = output;
  }
  throw new Error(`more than ${max} transitions`);
}

/**
 * Whether an EventBridge event pattern matches an event: exact values, `anything-but` lists and
 * `$or`. A condition on a field the event does not have does not match.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 */
export function patternMatches(pattern: { [key: string]: any }, event: any): boolean {
  return Object.entries(pattern).every(([key, condition]) => {
    if (key === '$or') {
      return (condition as any[]).some(alternative => patternMatches(alternative, event));
    }
    const value = event?.[key];
    if (value === undefined) {
      return false;
    }
    if (Array.isArray(condition)) {
      const values = Array.isArray(value) ? value : [value];
      return values.some(v => condition.some(c => leafMatches(c, v)));
    }
    return typeof value === 'object' && patternMatches(condition, value);
  });
}

function leafMatches(condition: unknown, value: unknown): boolean {
  if (condition !== null && typeof condition === 'object') {
    const keys = Object.keys(condition);
    if (keys.length === 1 && keys[0] === 'anything-but') {
      const excluded = ([] as unknown[]).concat((condition as any)['anything-but']);
      if (excluded.some(x => x !== null && typeof x === 'object')) {
        throw new Error(`unsupported anything-but: ${JSON.stringify(condition)}`);
      }
      return !excluded.includes(value);
    }
    throw new Error(`unsupported pattern operator: ${JSON.stringify(condition)}`);
  }
  return condition === value;
}
