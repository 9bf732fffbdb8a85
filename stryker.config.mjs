// @ts-check
/**
 * Mutation testing of the security-relevant modules with Stryker (docs/testing.md).
 *
 * - Full run, every listed module against every test: `npx projen mutation`.
 * - One module against the tests that own it (much faster; a lower bound of the full score, since a
 *   mutant that only another file's tests would kill counts as surviving):
 *   `STRYKER_TESTS=test/network-acl.test.ts npx stryker run --mutate src/network-acl.ts`
 *
 * - Only the modules changed since a git revision (CI): `npx projen mutation:ci`, which sets
 *   STRYKER_CHANGED_SINCE to $MUTATION_BASE (default origin/main).
 *
 * Equivalent mutants are marked where they are, with `// Stryker disable next-line <mutator>: <reason>`.
 *
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
import { execFileSync } from 'node:child_process';

/** The security-relevant modules (issue 23). */
const MODULES = [
  'src/access.ts',
  'src/private/execution-role.ts',
  'src/private/storage.ts',
  'src/vpc-endpoints.ts',
  'src/network-acl.ts',
  'src/notifications.ts',
  'src/self-service.ts',
  'src/identity-center.ts',
  'src/private/props-validation.ts',
  'src/private/requirements.ts',
  'src/private/delivery.ts',
];

/** Tests to run instead of all of them (comma-separated paths), for a quick run on one module. */
const tests = process.env.STRYKER_TESTS;

/** With STRYKER_CHANGED_SINCE=<git revision> (`npx projen mutation:ci`), only the modules changed since then. */
const since = process.env.STRYKER_CHANGED_SINCE;
const mutate = since
  ? execFileSync('git', ['diff', '--name-only', since, '--', ...MODULES], { encoding: 'utf-8' }).split('\n').filter(f => f !== '')
  : MODULES;

export default {
  packageManager: 'npm',
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    config: {
      collectCoverage: false,
      reporters: ['default'],
      ...(tests ? { testMatch: tests.split(',').map(t => `<rootDir>/${t.trim()}`) } : {}),
    },
    enableFindRelatedTests: false
  },
  coverageAnalysis: 'perTest',
  checkers: [
    'typescript'
  ],
  // The checker compiles the library only (a mutant that breaks a test's types is left to the test
  // run): checking every test and the example for each mutant took most of the run's time.
  tsconfigFile: 'tsconfig.stryker.json',
  typescriptChecker: {
    prioritizePerformanceOverAccuracy: true
  },
  concurrency: 1,
  mutate,
  // An empty list (mutation:ci with no listed module changed) is a run with nothing to do.
  allowEmpty: true,
  ignorePatterns: [
    '/cdk.out',
    '/coverage',
    '/dist',
    '/lib',
    '/.codegen',
    '/test-reports',
    '/reports',
    '/test/integ.*.ts.snapshot',
    '/example/cdk.out',
    '/bench-results.json'
  ],
  // Off by default; `--incremental` reuses the results of the last run for unchanged code and tests.
  incremental: false,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: [
    'clear-text',
    'progress',
    'html',
    'json'
  ],
  htmlReporter: {
    fileName: 'reports/mutation/mutation.html'
  },
  jsonReporter: {
    fileName: 'reports/mutation/mutation.json'
  },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  ignoreStatic: true,
  timeoutMS: 30000
};
