// @ts-check
/**
 * Mutation testing of the security-relevant modules with Stryker (docs/testing.md).
 *
 * - Every module against the tests that own it, rewriting the records in test/mutation/:
 *   `npx projen mutation` (test/mutation/record.mjs --all).
 * - CI: `npx projen mutation:check` re-runs, incrementally, only the modules whose source or owning
 *   tests changed since their record.
 * - A quick look at one module: `STRYKER_MODULE=network-acl npx stryker run`.
 *
 * Equivalent mutants are marked where they are, with `// Stryker disable next-line <mutator>: <reason>`.
 */
/**
 * The security-relevant modules (issue 23), each with the test files that own it: the tests a quick
 * run of that module uses (`STRYKER_MODULE=<name>`), and the ones the scores in docs/testing.md were
 * measured with.
 */
export const MODULES = {
  'access': { file: 'src/access.ts', tests: ['test/access.test.ts'] },
  'execution-role': {
    file: 'src/private/execution-role.ts',
    tests: ['test/execution-role.simulation.test.ts', 'test/role-stability.test.ts', 'test/environment.test.ts', 'test/nag.test.ts'],
  },
  'storage': {
    file: 'src/private/storage.ts',
    tests: ['test/environment.test.ts', 'test/execution-role.simulation.test.ts', 'test/validation.test.ts'],
  },
  'vpc-endpoints': { file: 'src/vpc-endpoints.ts', tests: ['test/network.test.ts', 'test/shared-vpc.test.ts'] },
  'network-acl': { file: 'src/network-acl.ts', tests: ['test/network-acl.test.ts'] },
  'notifications': { file: 'src/notifications.ts', tests: ['test/notifications.test.ts', 'test/validation.test.ts'] },
  'self-service': {
    file: 'src/self-service.ts',
    tests: ['test/self-service.test.ts', 'test/self-service-wiring.test.ts'],
  },
  'identity-center': { file: 'src/identity-center.ts', tests: ['test/identity-center.test.ts'] },
  'props-validation': {
    file: 'src/private/props-validation.ts',
    tests: ['test/validation.test.ts', 'test/props-validation.test.ts', 'test/self-service.test.ts'],
  },
  'requirements': { file: 'src/private/requirements.ts', tests: ['test/requirements.test.ts'] },
  'delivery': { file: 'src/private/delivery.ts', tests: ['test/delivery.test.ts'] },
};

/**
 * STRYKER_MODULE=<name>[,<name>]: only those modules, against the tests that own them.
 * STRYKER_TESTS=<paths>: these tests (comma-separated) instead, with any module selection.
 */
const selected = process.env.STRYKER_MODULE
  ? process.env.STRYKER_MODULE.split(',').map(name => {
    const module = MODULES[name.trim()];
    if (!module) {
      throw new Error(`STRYKER_MODULE: no module named '${name}' (known: ${Object.keys(MODULES).join(', ')})`);
    }
    return module;
  })
  : Object.values(MODULES);
const tests = process.env.STRYKER_TESTS
  ? process.env.STRYKER_TESTS.split(',').map(t => t.trim())
  : (process.env.STRYKER_MODULE ? [...new Set(selected.flatMap(m => m.tests))] : undefined);

const mutate = selected.map(m => m.file);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    config: {
      collectCoverage: false,
      reporters: ['default'],
      ...(tests ? { testMatch: tests.map(t => `<rootDir>/${t}`) } : {}),
    },
    enableFindRelatedTests: false
  },
  coverageAnalysis: 'perTest',
  // STRYKER_NO_CHECKER=1: no TypeScript checker (see docs/testing.md, "Scores").
  checkers: process.env.STRYKER_NO_CHECKER ? [] : [
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
  // Most test files synthesize once per describe block, so nearly every mutant runs both while the
  // files load and in tests ("hybrid"). With ignoreStatic those would run only the tests that cover
  // them in their own body and miss every assertion on a shared template; so static and hybrid
  // mutants run all selected tests, reloaded. STRYKER_IGNORE_STATIC=1 trades that for speed (the
  // quick look, not for records).
  ignoreStatic: process.env.STRYKER_IGNORE_STATIC === '1',
  timeoutMS: 30000
};
