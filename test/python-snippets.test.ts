import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// test/package/python_snippets.py runs in CI on the Python README jsii-pacmak generates (the last step
// of `npm run codegen`). These tests show what it refuses: the translation of an inline object passed
// to a variadic struct parameter, and a snippet that is not Python.
function run(readme: string): { status: number | null; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'python-snippets-'));
  fs.writeFileSync(path.join(dir, 'README.md'), readme);
  const result = spawnSync('python3', [path.join(__dirname, 'package', 'python_snippets.py'), dir], { encoding: 'utf-8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const block = (code: string) => `# Title\n\n\`\`\`python\n${code}\n\`\`\`\n`;

test('an acknowledgement built first and passed positionally passes', () => {
  const result = run(block('ack = Acknowledgment(id="MWAA-Logging-Info", reason="audited")\nValidations.of(env).acknowledge(ack)'));
  expect(result).toEqual({ status: 0, output: expect.stringContaining('1 call(s) to variadic struct methods pass their structs positionally') });
});

test('keyword arguments to acknowledge(), a variadic struct parameter, fail with the call', () => {
  const result = run(block('Validations.of(env).acknowledge(id="MWAA-Logging-Info", reason="audited")'));
  expect(result.status).toBe(1);
  expect(result.output).toContain("README.md: the snippet at line 4 passes keyword arguments to acknowledge(), whose parameter is variadic: Validations.of(env).acknowledge(id='MWAA-Logging-Info', reason='audited')");
});

test('another variadic struct method of aws-cdk-lib is covered too', () => {
  const result = run(block('bucket.add_object_created_notification(dest, prefix="dags/")'));
  expect(result.status).toBe(1);
  expect(result.output).toContain('passes keyword arguments to add_object_created_notification()');
});

test('a snippet that is not Python fails', () => {
  const result = run(block('const x = { id: "a" };'));
  expect(result.status).toBe(1);
  expect(result.output).toContain('the snippet at line 4 is not Python');
});

test('blocks in other languages are left alone', () => {
  expect(run('```ts\nconst x = 1;\n```\n').status).toBe(0);
});
