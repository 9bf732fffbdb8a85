import * as fs from 'fs';
import * as path from 'path';
import { matchesEventPattern } from './support/event-pattern';
import { resolveIntrinsics } from './support/resolve-template';

/**
 * The deploy check (test/integ.runtime.ts), read from its committed snapshot (`npm run integ` keeps
 * the snapshot equal to what the app synthesizes): what makes a failed assertion fail `cdk deploy`,
 * and whether its sample guardrail event is one the environment's guardrail rule would deliver.
 */
const SNAPSHOT = path.join(__dirname, 'integ.runtime.ts.snapshot');
const read = (file: string) => JSON.parse(fs.readFileSync(path.join(SNAPSHOT, file), 'utf-8'));
const assertions = read('MwaaRuntimeAssertions.template.json');
const runtime = read('MwaaRuntime.template.json');
const calls = Object.entries<any>(assertions.Resources).filter(([, r]) => r.Type.startsWith('Custom::DeployAssert@SdkCall'));

/** A call's parameters: integ-tests-alpha encodes each value as JSON. */
const parameters = (resource: any) => Object.fromEntries(Object.entries<any>(resource.Properties.parameters)
  .map(([k, v]) => [k, typeof v === 'string' ? JSON.parse(v) : v]));

test('every assertion waits for its result, whose waiter fails the custom resource (and the deployment) when it still fails', () => {
  // integ-tests-alpha's handler: an `expected` without a waiter only records the outcome in a stack
  // output and reports SUCCESS; with `stateMachineArn` the waiter reports FAILED at its timeout.
  const asserting = calls.filter(([, r]) => r.Properties.expected !== undefined);
  expect(asserting.map(([, r]) => r.Properties.api)).toEqual(['getEnvironment', 'describeExecution', 'describeExecution', 'getExecutionHistory', 'describeExecution']);
  for (const [, resource] of asserting) {
    expect(resource.Properties.stateMachineArn).toEqual({ Ref: expect.stringMatching(/WaitFor/) });
  }
});

test('the assertion stack is deployed after the environment stack', () => {
  expect(read('manifest.json').artifacts.MwaaRuntimeAssertions.dependencies).toContain('MwaaRuntime');
});

test('each call waits for the one before it, so the revert finds the environment AVAILABLE before the harmless update', () => {
  const ids = calls.map(([id]) => id);
  for (let i = 1; i < ids.length; i++) {
    expect(calls[i][1].DependsOn).toContain(ids[i - 1]);
  }
  const started = calls.filter(([, r]) => r.Properties.api === 'startExecution').map(([, r]) => JSON.parse(parameters(r).input));
  expect(started.map(input => Object.keys(input))).toEqual([['WebserverAccessMode'], expect.arrayContaining(['detail-type', 'detail']), ['MaxWorkers']]);
});

test("the sample guardrail event is one the environment's guardrail rule matches", () => {
  const [, revertStart] = calls.filter(([, r]) => r.Properties.api === 'startExecution')[1];
  const event = JSON.parse(parameters(revertStart).input);
  const rule = Object.values<any>(runtime.Resources).find(r => r.Type === 'AWS::Events::Rule' && /made the web server .* public/.test(r.Properties.Description));
  const pattern = resolveIntrinsics(rule.Properties.EventPattern, { account: '111111111111', region: 'eu-west-1', refs: {}, arns: {} });
  expect(matchesEventPattern(pattern, event)).toBe(true);
  // The same event, had it set PRIVATE_ONLY, would not start anything.
  expect(matchesEventPattern(pattern, { ...event, detail: { ...event.detail, requestParameters: { ...event.detail.requestParameters, WebserverAccessMode: 'PRIVATE_ONLY' } } })).toBe(false);
});
