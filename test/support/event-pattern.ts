/**
 * A TEST-ONLY matcher for EventBridge event patterns, covering just the operators this library's
 * rules use, so that tests can run sample events against the synthesized patterns offline.
 *
 * It is not EventBridge: no maintained library on npm evaluates EventBridge patterns offline (the
 * only candidate found, serverless-offline-aws-eventbridge, ignores `resources` and nested `$or`),
 * and the authoritative check, the TestEventPattern API, needs an AWS account. It follows the rules
 * the EventBridge user guide states:
 *
 * - every field named in the pattern must be in the event, with the same nesting (except
 *   `{ exists: false }`), and fields are ANDed;
 * - a field's value is an array of alternatives, ORed; when the event's value is an array, the
 *   pattern matches if any of its elements matches (the arrays page: "the intersection ... is
 *   non-empty");
 * - strings match exactly, character by character, with no case folding;
 * - `$or` holds alternative sub-patterns at the level it appears in;
 * - `prefix`, `anything-but` (a value or a list of values) and `exists` compare leaf values.
 *
 * Anything else (numeric, suffix, wildcard, cidr, equals-ignore-case, nested anything-but) throws,
 * so a pattern that uses an operator this matcher does not know never passes a test silently.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/arrays-in-eventbridge-event-patterns.html
 */
export function matchesEventPattern(pattern: unknown, event: unknown): boolean {
  return matchObject(asObject(pattern, 'pattern'), event);
}

type Json = { [key: string]: unknown };

function asObject(value: unknown, what: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`test matcher: ${what} must be an object, got: ${JSON.stringify(value)}`);
  }
  return value as Json;
}

function matchObject(pattern: Json, event: unknown): boolean {
  const fields = event !== null && typeof event === 'object' && !Array.isArray(event) ? event as Json : undefined;
  return Object.entries(pattern).every(([key, expected]) => {
    if (key === '$or') {
      if (!Array.isArray(expected) || expected.length < 2) {
        throw new Error(`test matcher: $or takes an array of at least two sub-patterns, got: ${JSON.stringify(expected)}`);
      }
      return expected.some(branch => matchObject(asObject(branch, '$or branch'), event));
    }
    const actual = fields?.[key];
    if (Array.isArray(expected)) {
      return matchLeaf(expected, actual);
    }
    const nested = asObject(expected, `pattern field ${key}`);
    return actual !== undefined && matchObject(nested, actual);
  });
}

function matchLeaf(alternatives: unknown[], actual: unknown): boolean {
  if (alternatives.length === 0) {
    throw new Error('test matcher: a pattern field must list at least one value');
  }
  const values = actual === undefined ? [] : Array.isArray(actual) ? actual : [actual];
  return alternatives.some(alternative => {
    if (alternative !== null && typeof alternative === 'object') {
      return matchOperator(alternative as Json, actual, values);
    }
    return values.some(value => value === alternative);
  });
}

function matchOperator(operator: Json, actual: unknown, values: unknown[]): boolean {
  const keys = Object.keys(operator);
  if (keys.length !== 1) {
    throw new Error(`test matcher: an operator object has exactly one key, got: ${JSON.stringify(operator)}`);
  }
  const [name] = keys;
  const argument = operator[name];
  switch (name) {
    case 'exists':
      return argument === (actual !== undefined);
    case 'prefix':
      if (typeof argument !== 'string') {
        throw new Error(`test matcher: only a string prefix is supported, got: ${JSON.stringify(argument)}`);
      }
      return values.some(value => typeof value === 'string' && value.startsWith(argument));
    case 'anything-but': {
      const excluded = Array.isArray(argument) ? argument : [argument];
      if (excluded.some(e => e !== null && typeof e === 'object')) {
        throw new Error(`test matcher: nested anything-but operators are not supported, got: ${JSON.stringify(argument)}`);
      }
      // Like every other leaf operator, anything-but needs the field to be there.
      return values.length > 0 && values.some(value => !excluded.includes(value));
    }
    default:
      throw new Error(`test matcher: operator ${name} is not supported, got: ${JSON.stringify(operator)}`);
  }
}
