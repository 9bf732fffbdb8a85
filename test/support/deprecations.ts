// The deprecated jsii APIs used in the running test, as aws-cdk-lib reports them (`[WARNING] <api>
// is deprecated.` on console.warn). Recorded by test/setup/no-deprecations.ts, which fails the test
// that used one.
const DEPRECATION = /\bis deprecated\.(\s|$)/;
let used: string[] = [];

/** Whether a console.warn call is a deprecation warning; if so it is recorded. */
export function recordIfDeprecation(args: unknown[]): boolean {
  const text = args.map(String).join(' ');
  if (!DEPRECATION.test(text)) {
    return false;
  }
  used.push(text.split('\n').find(line => DEPRECATION.test(line))!.trim());
  return true;
}

/** The deprecations recorded since the last call. */
export function takeDeprecations(): string[] {
  const found = used;
  used = [];
  return found;
}
