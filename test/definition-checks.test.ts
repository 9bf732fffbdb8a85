import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
// eslint-disable-next-line @typescript-eslint/no-require-imports
import jsonata = require('jsonata');
import {
  definitionProblems, expectValidStateMachines, JSONATA_BUILT_INS, jsonataExpressionProblems, stateMachineProblems, STEP_FUNCTIONS_ALLOWED_FUNCTIONS,
} from './support/definition-checks';

/** A one-state JSONata definition whose Pass state assigns `expression`. */
function definitionWith(expression: string): any {
  return { QueryLanguage: 'JSONata', StartAt: 'A', States: { A: { Type: 'Pass', Assign: { x: `{% ${expression} %}` }, End: true } } };
}

describe('the definition checks refuse what Step Functions refuses', () => {
  test.each([
    ['a bare name at the top level', '$exists(foo) ? 1 : 2', "the name 'foo'"],
    ['undefined (JSONata has no such keyword)', "$x := 1; $x = 1 ? 'a' : undefined", "the name 'undefined'"],
    ['a name first in a path at the top level', 'detail.eventName', "the name 'detail'"],
    ['a name in an object constructor at the top level', "{ 'a': b }", "the name 'b'"],
    ['the context $ at the top level', '$ & "x"', "'$' refers to the root context"],
    ['the root $$ at the top level', '$$.a', "'$$' refers to the root context"],
    ['$eval', "$eval('1 + 1')", '$eval is not available'],
    ['an unknown function', '$notAFunction(1)', '$notAFunction is neither'],
    ['an expression that does not parse', '$count([1, 2)', 'does not parse with jsonata 2.0.6'],
  ])('fails on %s', (_what, expression, message) => {
    const problems = definitionProblems(definitionWith(expression.startsWith('$x') ? `(${expression})` : expression));
    expect(problems.join('\n')).toContain(message);
  });

  test.each([
    ['a variable path', '$states.input.detail.eventName'],
    ['a name in a predicate', '$states.input.items[kind = \'a\'].id'],
    ['a name in a later path step', '$keys($states.input).($ & \'!\')'],
    ['a name in a function body', '$filter($states.input.items, function($i) { $i.kind = \'a\' and size > 2 })'],
    ['a function the expression binds', '($f := function($v) { $v + 1 }; $f(1))'],
    ['Step Functions\' own functions', '[$partition([1, 2, 3], 2), $range(0, 4, 2), $hash(\'a\', \'SHA-256\'), $random(), $uuid(), $parse(\'{}\')]'],
  ])('accepts %s', (_what, expression) => {
    expect(definitionProblems(definitionWith(expression))).toEqual([]);
  });

  test('the built-in list is exactly what jsonata 2.0.6 defines', async () => {
    for (const name of JSONATA_BUILT_INS) {
      expect({ name, type: await jsonata(`$type($${name})`).evaluate({}) }).toEqual({ name, type: 'function' });
    }
    expect(STEP_FUNCTIONS_ALLOWED_FUNCTIONS.has('eval')).toBe(false);
    expect(STEP_FUNCTIONS_ALLOWED_FUNCTIONS.has('uuid')).toBe(true);
  });

  test('a definition asl-validator refuses fails, with its message', () => {
    const problems = definitionProblems({ QueryLanguage: 'JSONata', StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Missing' } } });
    expect(problems.join('\n')).toMatch(/asl-validator: .*Missing/);
  });

  test('a multi-line expression fails (asl-validator\'s pattern reads one line): the gap is visible, not hidden', () => {
    expect(jsonataExpressionProblems('(\n $a := 1;\n $a\n)')).toEqual([]);
    expect(definitionProblems(definitionWith('(\n $a := 1;\n $a\n)')).join('\n')).toContain('asl-validator');
  });

  test('a JSONPath state is not read as JSONata', () => {
    const definition = { StartAt: 'A', States: { A: { Type: 'Pass', Parameters: { 'x.$': '$.a' }, End: true } } };
    expect(definitionProblems(definition)).toEqual([]);
  });

  test('a synthesized template: intrinsics resolved, a bad expression found, no state machine is an error', () => {
    const stack = new Stack();
    const bad = sfn.Pass.jsonata(stack, 'Bad', { assign: { x: `{% '${stack.account}' & undefined %}` } });
    new sfn.StateMachine(stack, 'Machine', { definitionBody: sfn.DefinitionBody.fromChainable(bad), queryLanguage: sfn.QueryLanguage.JSONATA });
    const problems = stateMachineProblems(Template.fromStack(stack).toJSON());
    expect(Object.values(problems).flat().join('\n')).toContain("the name 'undefined'");
    expect(() => expectValidStateMachines(Template.fromStack(stack))).toThrow();
    expect(() => stateMachineProblems(Template.fromStack(new Stack()).toJSON())).toThrow(/no AWS::StepFunctions::StateMachine/);
  });

  test('a good synthesized template passes', () => {
    const stack = new Stack();
    const good = sfn.Pass.jsonata(stack, 'Good', { assign: { x: `{% '${stack.account}' & $states.input.a %}` } });
    new sfn.StateMachine(stack, 'Machine', { definitionBody: sfn.DefinitionBody.fromChainable(good), queryLanguage: sfn.QueryLanguage.JSONATA });
    expect(expectValidStateMachines(Template.fromStack(stack))).toBe(1);
  });
});
