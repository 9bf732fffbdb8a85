import { recordIfDeprecation, takeDeprecations } from '../support/deprecations';

// A deprecated jsii API used while a test runs (aws-cdk-lib prints `[WARNING] <api> is deprecated.`
// with a stack trace, and the test still passes) fails that test instead, with the API in the
// failure, and is not printed: the test log stays free of them. The one known case, cdk-nag reading a
// deprecated property, is dropped where cdk-nag runs (test/support/nag.ts).
const warn = console.warn.bind(console);
console.warn = (...args: unknown[]) => {
  if (!recordIfDeprecation(args)) {
    warn(...args);
  }
};

afterEach(() => {
  const found = takeDeprecations();
  if (found.length > 0) {
    throw new Error(`the test used a deprecated API: ${found.join('; ')}`);
  }
});
