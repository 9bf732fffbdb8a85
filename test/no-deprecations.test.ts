import { App, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { AwsSolutionsChecks } from 'cdk-nag';
import { takeDeprecations } from './support/deprecations';
import { NAG_DEPRECATION, nagFindings, withoutNagDeprecation } from './support/nag';

// The test log carries no deprecation warnings with stack traces: a deprecated API used in a test
// fails it (test/setup/no-deprecations.ts), and the one cdk-nag causes is dropped where cdk-nag runs.
function deprecatedUse(stack: Stack, id: string): events.CfnEventBusPolicy {
  return new events.CfnEventBusPolicy(stack, id, { statementId: id, action: 'events:PutEvents', principal: '111111111111' });
}

/** An open bus policy written with `statement`, as the provisioner writes its own: nothing deprecated. */
function openPolicy(stack: Stack, id: string): events.CfnEventBusPolicy {
  return new events.CfnEventBusPolicy(stack, id, { statementId: id, statement: { Effect: 'Allow', Principal: '*', Action: 'events:PutEvents', Resource: '*' } });
}

test('a deprecated API used in a test is recorded, not printed, for the setup file to fail the test', () => {
  const spy = jest.spyOn(console, 'warn');
  deprecatedUse(new Stack(new App(), 'S'), 'Deprecated');
  // Taken here, so that this test itself passes; the setup file's afterEach throws on what is left.
  expect(takeDeprecations()).toEqual([
    '[WARNING] aws-cdk-lib.aws_events.CfnEventBusPolicyProps#action is deprecated.',
    '[WARNING] aws-cdk-lib.aws_events.CfnEventBusPolicyProps#principal is deprecated.',
  ]);
  expect(spy).toHaveBeenCalledTimes(2);
  spy.mockRestore();
});

test('other warnings are not recorded', () => {
  const spy = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  console.warn('[WARNING]', 'something else');
  spy.mockRestore();
  expect(takeDeprecations()).toEqual([]);
});

test('cdk-nag reading CfnEventBusPolicy#principal prints nothing, and the finding is still reported', () => {
  const app = new App();
  const stack = new Stack(app, 'S');
  openPolicy(stack, 'Open');
  const spy = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  try {
    const findings = nagFindings(app, a => new AwsSolutionsChecks(a));
    expect(findings).toEqual(expect.arrayContaining(['AwsSolutions-EVB1 on S/Open']));
    expect(spy.mock.calls.filter(args => args.some(arg => String(arg).includes('is deprecated')))).toEqual([]);
  } finally {
    spy.mockRestore();
  }
});

test('only that one warning is dropped while cdk-nag runs', () => {
  const spy = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  try {
    withoutNagDeprecation(() => {
      console.warn('[WARNING]', `${NAG_DEPRECATION}\n  this property has been deprecated`);
      console.warn('[WARNING]', 'aws-cdk-lib.Something#else is not deprecated but worth a look');
    });
    expect(spy.mock.calls).toEqual([['[WARNING]', 'aws-cdk-lib.Something#else is not deprecated but worth a look']]);
  } finally {
    spy.mockRestore();
  }
});
