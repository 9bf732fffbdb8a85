// jsonata and asl-validator are CommonJS modules (`export =`); this project compiles without esModuleInterop.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import jsonata = require('jsonata');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require('asl-validator') as (definition: unknown) => { isValid: boolean; errorsText: (separator?: string) => string };

/**
 * The checks Step Functions makes on a state machine definition when it is created, run offline on
 * every `AWS::StepFunctions::StateMachine` of a synthesized template, so that a definition AWS would
 * refuse (and roll the whole stack back for) fails a test instead:
 *
 * - every `{% %}` expression parses with jsonata 2.0.6, the version Step Functions implements
 *   (otherwise `INVALID_JSONATA_EXPRESSION`);
 * - no name is evaluated against the root context: a field name that is the first step of a path,
 *   or stands alone, outside any predicate, later path step or function body (`undefined`, which
 *   JSONata does not have, is such a name), and no `$` or `$$` there either (otherwise
 *   `UNSUPPORTED_JSONATA_EXPRESSION`, "Reference to '…' at the top level is not supported");
 * - no `$eval`, and every function called is one Step Functions provides: the JSONata 2.0.6
 *   built-ins except `$eval`, plus its own `$partition`, `$range`, `$hash`, `$random`, `$uuid`,
 *   `$parse`, or a function the expression binds itself;
 * - the whole definition passes `asl-validator` 4.0.0 (the States Language schema, JSONata included).
 *
 * Gap: asl-validator's JSONata pattern (`^\{% .+ %\}$`) does not read line breaks, so it refuses
 * multi-line expressions, which Step Functions accepts. The library writes every expression on one
 * line; this helper does not work around the gap, so a multi-line expression fails here.
 *
 * What it does not model: the other definition-time checks of Step Functions (resource ARNs of
 * services, IAM), and anything decided at run time.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html (JSONata 2.0.6,
 *   every built-in but `$eval`, and the functions Step Functions adds)
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html#jsonata-functions-provided-by-sfn
 */

/** The built-in functions of JSONata 2.0.6 (`staticFrame.bind` in jsonata.js, and `$now`, `$millis`). */
export const JSONATA_BUILT_INS = [
  'sum', 'count', 'max', 'min', 'average', 'string', 'substring', 'substringBefore', 'substringAfter', 'lowercase',
  'uppercase', 'length', 'trim', 'pad', 'match', 'contains', 'replace', 'split', 'join', 'formatNumber', 'formatBase',
  'formatInteger', 'parseInteger', 'number', 'floor', 'ceil', 'round', 'abs', 'sqrt', 'power', 'random', 'boolean', 'not',
  'map', 'zip', 'filter', 'single', 'reduce', 'sift', 'keys', 'lookup', 'append', 'exists', 'spread', 'merge', 'reverse',
  'each', 'error', 'assert', 'type', 'sort', 'shuffle', 'distinct', 'encodeUrlComponent', 'encodeUrl',
  'decodeUrlComponent', 'decodeUrl', 'eval', 'toMillis', 'fromMillis', 'clone', 'now', 'millis',
];

/** What Step Functions adds to JSONata. */
export const STEP_FUNCTIONS_FUNCTIONS = ['partition', 'range', 'hash', 'random', 'uuid', 'parse'];

/** Every function a Step Functions JSONata expression may call. */
export const STEP_FUNCTIONS_ALLOWED_FUNCTIONS = new Set([...JSONATA_BUILT_INS.filter(f => f !== 'eval'), ...STEP_FUNCTIONS_FUNCTIONS]);

const EXPRESSION = /^\{%([\s\S]*)%\}$/;

/** A placeholder for every value CloudFormation fills in at deployment (an ARN, a name). */
const PLACEHOLDER = 'resolvedatdeployment';

/** Pseudo parameters, as they are in a commercial Region (asl-validator checks the form of resource ARNs). */
const PSEUDO_PARAMETERS: { [name: string]: string } = {
  'AWS::Partition': 'aws', 'AWS::Region': 'eu-west-1', 'AWS::AccountId': '111111111111', 'AWS::URLSuffix': 'amazonaws.com',
};

/** The template with every intrinsic function but `Fn::Join` replaced by a placeholder string. */
function withPlaceholders(value: unknown): any {
  if (Array.isArray(value)) {
    return value.map(withPlaceholders);
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  const obj = value as { [key: string]: unknown };
  const keys = Object.keys(obj);
  if (keys.length === 1 && keys[0] === 'Fn::Join') {
    const [separator, parts] = obj['Fn::Join'] as [string, unknown[]];
    return parts.map(p => String(withPlaceholders(p))).join(separator);
  }
  if (keys.length === 1 && keys[0] === 'Ref' && PSEUDO_PARAMETERS[obj.Ref as string] !== undefined) {
    return PSEUDO_PARAMETERS[obj.Ref as string];
  }
  if (keys.length === 1 && keys[0] === 'Fn::GetAtt' && Array.isArray(obj['Fn::GetAtt']) && (obj['Fn::GetAtt'] as unknown[])[1] === 'Arn') {
    // An ARN in the form asl-validator accepts as a Task's Resource (CDK's own waiters, such as
    // integ-tests' assertion providers, call a function by its ARN).
    return `arn:aws:lambda:eu-west-1:111111111111:function:${PLACEHOLDER}`;
  }
  if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
    return PLACEHOLDER;
  }
  return Object.fromEntries(keys.map(k => [k, withPlaceholders(obj[k])]));
}

/** The problems Step Functions would find in one JSONata expression (without `{% %}`). */
export function jsonataExpressionProblems(expression: string): string[] {
  let ast: any;
  try {
    ast = jsonata(expression).ast();
  } catch (e) {
    return [`does not parse with jsonata 2.0.6 (INVALID_JSONATA_EXPRESSION): ${(e as any).message ?? e}`];
  }
  const problems: string[] = [];
  const bound = new Set<string>();
  collectBindings(ast, bound);
  walk(ast, true, problems, bound);
  return problems;
}

/** The names the expression binds (`$x := ...`, lambda parameters): calls to them are its own functions. */
function collectBindings(node: any, bound: Set<string>): void {
  if (Array.isArray(node)) {
    node.forEach(n => collectBindings(n, bound));
    return;
  }
  if (node === null || typeof node !== 'object') {
    return;
  }
  if (node.type === 'bind' && node.lhs?.type === 'variable') {
    bound.add(node.lhs.value);
  }
  if (node.type === 'lambda') {
    (node.arguments ?? []).forEach((a: any) => bound.add(a.value));
  }
  for (const value of Object.values(node)) {
    collectBindings(value, bound);
  }
}

/**
 * Walks the parse tree. `top` is true where the expression is evaluated against the root context:
 * not inside a predicate, a later step of a path, or a function body.
 */
function walk(node: any, top: boolean, problems: string[], bound: Set<string>): void {
  if (Array.isArray(node)) {
    node.forEach(n => walk(n, top, problems, bound));
    return;
  }
  if (node === null || typeof node !== 'object') {
    return;
  }
  if (top && node.type === 'name') {
    problems.push(`the name '${node.value}' is evaluated against the root context at position ${node.position} (UNSUPPORTED_JSONATA_EXPRESSION: reference at the top level)`);
  }
  if (top && node.type === 'variable' && (node.value === '' || node.value === '$')) {
    problems.push(`'$${node.value}' refers to the root context at position ${node.position} (UNSUPPORTED_JSONATA_EXPRESSION: reference at the top level)`);
  }
  if (node.type === 'function' || node.type === 'partial') {
    const procedure = node.procedure;
    if (procedure?.type === 'variable') {
      const name = procedure.value as string;
      if (name === 'eval') {
        problems.push(`$eval is not available in Step Functions (position ${procedure.position})`);
      } else if (!STEP_FUNCTIONS_ALLOWED_FUNCTIONS.has(name) && !bound.has(name)) {
        problems.push(`$${name} is neither a JSONata 2.0.6 built-in nor a Step Functions function, nor bound in the expression (position ${procedure.position})`);
      }
    }
  }
  if (top && node.type === 'variable' && node.value === 'eval') {
    problems.push(`$eval is not available in Step Functions (position ${node.position})`);
  }
  for (const [key, value] of Object.entries(node)) {
    if (key === 'steps' && node.type === 'path') {
      const steps = value as any[];
      walk(steps[0], top, problems, bound);
      walk(steps.slice(1), false, problems, bound);
    } else if (key === 'stages' || key === 'predicate' || key === 'group' || key === 'body') {
      // Predicates and groups are evaluated against each item, a lambda's body against its call.
      walk(value, false, problems, bound);
    } else if (key !== 'procedure') {
      walk(value, top, problems, bound);
    }
  }
}

/** Every `{% %}` string in a JSONata definition, with where it is. */
function expressions(value: unknown, where: string, found: Array<[string, string]>): void {
  if (typeof value === 'string') {
    const match = EXPRESSION.exec(value);
    if (match) {
      found.push([where, match[1]]);
    }
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => expressions(v, `${where}[${i}]`, found));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      expressions(v, `${where}.${k}`, found);
    }
  }
}

/** The problems Step Functions would find in one definition (parsed JSON). */
export function definitionProblems(definition: any): string[] {
  const problems: string[] = [];
  const found: Array<[string, string]> = [];
  const language = definition.QueryLanguage ?? 'JSONPath';
  for (const [name, state] of Object.entries<any>(definition.States ?? {})) {
    if ((state.QueryLanguage ?? language) === 'JSONata') {
      expressions(state, name, found);
    }
  }
  for (const [where, expression] of found) {
    for (const problem of jsonataExpressionProblems(expression)) {
      problems.push(`${where}: ${problem}`);
    }
  }
  // asl-validator sets a default QueryLanguage on each state: give it a copy.
  const result = aslValidator(JSON.parse(JSON.stringify(definition)));
  if (!result.isValid) {
    problems.push(`asl-validator: ${result.errorsText('; ')}`);
  }
  return problems;
}

/**
 * The problems of every `AWS::StepFunctions::StateMachine` in a synthesized template (its JSON), by
 * logical id. Throws if the template has no state machine, so that a check cannot pass vacuously.
 */
export function stateMachineProblems(template: any): { [logicalId: string]: string[] } {
  const machines = Object.entries<any>(template.Resources ?? {}).filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine');
  if (machines.length === 0) {
    throw new Error('the template has no AWS::StepFunctions::StateMachine to check');
  }
  const out: { [logicalId: string]: string[] } = {};
  for (const [id, resource] of machines) {
    const body = resource.Properties.DefinitionString ?? resource.Properties.Definition;
    const text = typeof body === 'string' ? body : withPlaceholders(body);
    const definition = typeof text === 'string' ? JSON.parse(text) : text;
    out[id] = definitionProblems(definition);
  }
  return out;
}

/**
 * Asserts (jest) that every state machine of the template passes Step Functions' definition-time
 * checks. Returns how many state machines it checked.
 */
export function expectValidStateMachines(template: { toJSON(): any }): number {
  const problems = stateMachineProblems(template.toJSON());
  for (const [id, list] of Object.entries(problems)) {
    expect({ stateMachine: id, problems: list }).toEqual({ stateMachine: id, problems: [] });
  }
  return Object.keys(problems).length;
}
