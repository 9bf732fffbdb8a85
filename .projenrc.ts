import { awscdk, javascript, release, TextFile } from 'projen';
import { JobPermission } from 'projen/lib/github/workflows-model';

/**
 * Minimum aws-cdk-lib this library supports (the peer dependency floor, and the exact version we
 * build and test against).
 *
 * - `aws_mwaa.CfnEnvironment` has `endpointManagement`, `minWebservers`, `maxWebservers` and
 *   `workerReplacementStrategy` well before this (checked in 2.230.0).
 * - CDK's native policy validation, `Validations.of(scope).addPlugins()`, arrived in 2.251.0 and
 *   `Validations.of(scope).acknowledge()` in 2.252.0: the synth-time checks and the acknowledged
 *   cdk-nag findings rely on them.
 * - cdk-nag 3, which runs on that framework and which our compliance tests use, declares 2.257.0
 *   but reads the construct tree from `IPolicyValidationContext.appConstruct`, which only 2.258.0
 *   provides (on 2.257.0 every pack fails with "NagPack requires a construct tree"). We claim only
 *   the floor we build and test against, so the floor is 2.258.0 rather than 2.252.0.
 */
const CDK_VERSION = '2.258.0';

/**
 * Node.js: the oldest release this library and its tooling are supported on, and the one
 * contributors use (.nvmrc).
 *
 * - aws-cdk-lib 2.258 declares Node >= 20, and jsii 6 >= 20.16, but Node 20 reached its end of life
 *   (jsii prints a banner saying so, and supports 22 and 24).
 * - The development tools declare newer: commit-and-tag-version (the release's bump) and its
 *   conventional-changelog packages need >= 22, Stryker's prompts (@inquirer) ^22.13. On Node 20 a
 *   fresh install prints 17 engine warnings.
 * So 22.13 is the floor (22 LTS and 24 LTS are supported); 24 is what .nvmrc asks for. Node 20
 * still runs the build and the tests (this repository's CI machine is on 20.20), unsupported.
 * test/node-support.test.ts keeps the floor, .nvmrc, the README and every installed package's
 * `engines` in agreement.
 */
const MIN_NODE_VERSION = '22.13.0';
const DEVELOPMENT_NODE_VERSION = '24';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-private-mwaa',
  description:
    'A private Amazon MWAA (managed Apache Airflow) environment as one AWS CDK construct: private web server, customer managed KMS key, locked-down versioned bucket, least-privilege execution role with confused-deputy conditions.',
  author: 'cdk-private-mwaa maintainers',
  authorAddress: 'maintainers@cdk-private-mwaa.dev',
  repositoryUrl: 'https://github.com/cdk-private-mwaa/cdk-private-mwaa.git',
  license: 'Apache-2.0',
  keywords: ['cdk', 'aws-cdk', 'awscdk', 'mwaa', 'airflow', 'apache-airflow', 'kms', 'private', 'security'],
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,

  cdkVersion: CDK_VERSION,
  constructsVersion: '10.5.1',
  jsiiVersion: '~6.0.0',
  minNodeVersion: MIN_NODE_VERSION,

  // Two CIs: `.ci/run` is the one that runs here (no GitHub); the workflows projen generates under
  // .github/workflows are what a GitHub repository runs: build (every pull request), release (every
  // push to main) and upgrade-main (weekly dependency upgrades). See CONTRIBUTING.md.
  github: true,
  githubOptions: {
    // Pull request titles must be conventional commits: they become the squash-merge commit
    // messages the release bumps the version from.
    pullRequestLint: true,
    mergify: false,
  },
  pullRequestTemplate: false,
  buildWorkflow: true,
  depsUpgrade: true,
  depsUpgradeOptions: {
    workflowOptions: { schedule: javascript.UpgradeDependenciesSchedule.WEEKLY },
  },

  // Release: a push to main bumps the version from the conventional commits since the last tag
  // (fix: patch, feat: minor, breaking changes: major while >= 1.0.0, minor before), writes the
  // changelog entry, builds, tags and publishes to npm, PyPI, Maven Central, NuGet and the Go
  // module repository, and creates a GitHub release.
  release: true,
  releaseTrigger: release.ReleaseTrigger.continuous(),
  // The first release is 0.1.0 (projen would otherwise release the 0.0.0 it starts from); after
  // that, the commits decide. `$LATEST_TAG` is empty only before the first release.
  nextVersionCommand: 'test -n "$LATEST_TAG" || echo 0.1.0',
  // The changelog lists what users notice: features, fixes, performance, documentation, reverts.
  versionrcOptions: {
    types: [
      { type: 'feat', section: 'Features' },
      { type: 'fix', section: 'Bug Fixes' },
      { type: 'perf', section: 'Performance' },
      { type: 'docs', section: 'Documentation' },
      { type: 'revert', section: 'Reverts' },
      { type: 'build', hidden: true },
      { type: 'chore', hidden: true },
      { type: 'ci', hidden: true },
      { type: 'refactor', hidden: true },
      { type: 'style', hidden: true },
      { type: 'test', hidden: true },
    ],
  },

  // jsii language targets, all published by the release workflow. Here every target is also
  // generated as source with `npm run codegen` (jsii-pacmak --code-only) and checked in `.ci/run`.
  publishToPypi: { distName: 'cdk-private-mwaa', module: 'cdk_private_mwaa' },
  publishToMaven: {
    javaPackage: 'io.github.cdkprivatemwaa',
    mavenGroupId: 'io.github.cdkprivatemwaa',
    mavenArtifactId: 'cdk-private-mwaa',
  },
  publishToNuget: { dotNetNamespace: 'CdkPrivateMwaa', packageId: 'CdkPrivateMwaa' },
  publishToGo: { moduleName: 'github.com/cdk-private-mwaa/cdk-private-mwaa-go' },

  tsconfigDevFile: 'tsconfig.dev.json',
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'example', 'bench', 'projenrc'],
    projectService: false,
    tsconfigPath: './tsconfig.dev.json',
  },
  // The conf selection of a DAG run trigger is parsed at synth with the JSONata version Step
  // Functions documents (2.0.6, see
  // https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html); it has no
  // dependencies of its own.
  bundledDeps: ['jsonata@2.0.6'],
  devDeps: [
    'cdk-nag@^3.0.2',
    '@cloud-copilot/iam-simulate@0.1.173',
    'ts-node',
    // The shared-VPC provisioner function: the SDK comes from the Lambda runtime (bundled as an
    // external), these are for types and for the unit tests with mocked clients.
    '@aws-sdk/client-ec2@^3.1169.0',
    '@aws-sdk/client-mwaa@^3.523.0',
    '@aws-sdk/client-sns@^3.1169.0',
    '@aws-sdk/client-sts@^3.1169.0',
    'aws-sdk-client-mock@^4.1.0',
    '@types/aws-lambda',
    // Integration test apps (test/integ.*.ts), checked against their committed snapshots offline
    // by test/integ-snapshots.ts (integ-runner 2.197.10, the newest here, cannot read schema 54).
    '@aws-cdk/integ-tests-alpha@2.245.0-alpha.0',
    // jsonata@2.0.6 is a bundled dependency (below): the tests also evaluate the synthesized
    // expressions of the state machines offline with it.
    // Definition-time checks of every synthesized state machine (test/support/definition-checks.ts).
    'asl-validator@4.0.0',
    // Mutation testing of the security-relevant modules (stryker.config.mjs, docs/testing.md).
    // 9.x is the newest line that supports Node 20.
    '@stryker-mutator/core@9.6.1',
    '@stryker-mutator/jest-runner@9.6.1',
    '@stryker-mutator/typescript-checker@9.6.1',
    // Import circles in src/ fail CI (`madge --circular`).
    'madge@8.0.0',
    // The CDK CLI for the deploy check (`npx projen deploy-check`, test/integ.runtime.ts): it must
    // read the cloud assembly schema aws-cdk-lib writes (54 for 2.258.0).
    'aws-cdk@2.1149.0',
    // Node.js version ranges in test/node-support.test.ts (already in the tree through npm and jest).
    'semver@7.8.6',
  ],
  // `*.lambda.ts` files under src/ are bundled with esbuild at build time.
  lambdaOptions: {
    runtime: awscdk.LambdaRuntime.NODEJS_24_X,
    // The AWS SDK v3 is part of the runtime.
    bundlingOptions: { externals: ['@aws-sdk/*'] },
  },
  jestOptions: {
    // Snapshots never update silently: `npm test` fails on drift, `npx projen test:update` updates.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      // A deprecated API used in a test fails it, rather than printing a stack trace among passes.
      setupFilesAfterEnv: ['<rootDir>/test/setup/no-deprecations.ts'],
    },
  },
  gitignore: ['cdk.out/', '/dist/', '/.codegen/', '/bench-results.json', '.jsii.tabl.json', '/.stryker-tmp/', '/reports/'],
  npmignoreEnabled: true,
  npmIgnoreOptions: {
    ignorePatterns: ['/example/', '/bench/', '/.ci/', '/rosetta/', 'cdk.out/', '/.codegen/', '/docs/', '.jsii.tabl.json', 'CONTRIBUTING.md'],
  },
});

// madge declares an optional peer of TypeScript 5; it reads TypeScript 6 sources through its own
// parser (detective-typescript), so it shares the project's compiler.
project.package.addField('overrides', { madge: { typescript: '$typescript' } });

// jsii must show every warning, reserved words included: a member named like a Python, Java or C#
// keyword would make the generated bindings awkward, so we want to hear about it.
project.compileTask.reset('jsii');

// The tests synthesize the bundled functions, so `npm test` bundles them first (from a fresh clone
// nothing has been bundled yet).
project.testTask.prependSpawn(project.tasks.tryFind('bundle')!);
project.tasks.tryFind('watch')?.reset('jsii -w');

// The main job: synthesize the bundled example app and print what it built.
project.addTask('example', {
  description: 'Synthesize the example app in example/ to cdk.out/ and print a summary',
  exec: 'ts-node --project tsconfig.dev.json example/main.ts',
});

// Layers, not loops (STYLE.md): no file in src/ may import a file that imports it back, type-only
// imports included (madge counts them). Fails on any circle and names it.
project.addTask('circles', {
  description: 'Fail if files in src/ import each other in a circle (madge --circular)',
  exec: 'madge --circular --no-spinner --extensions ts src',
});

// Synthesis benchmark (not part of the tests). Its cold runs load the compiled library, so it
// compiles first.
const bench = project.addTask('bench', {
  description: 'Benchmark synthesis time against an L1-only baseline, and the CPU time of cold runs',
  exec: 'ts-node --project tsconfig.dev.json bench/synth.bench.ts',
});
bench.prependSpawn(project.compileTask);
// CI runs the benchmark once, without judging time, so it cannot rot unnoticed: it fails if it no
// longer synthesizes, if the L1 baseline no longer builds as many resources as the construct, or if a
// cold run of the compiled library (built by the CI step before it) fails.
project.addTask('bench:smoke', {
  description: 'Run the benchmark once and check the L1 baseline still matches the construct (no timing)',
  exec: 'ts-node --project tsconfig.dev.json bench/synth.bench.ts --smoke',
});

// README snippets must compile under jsii-rosetta in strict mode. The tablet it writes
// (.jsii.tabl.json) is what jsii-pacmak translates the README and doc examples from: without it the
// Python, Java, .NET and Go packages would show TypeScript.
const rosetta = project.addTask('rosetta', {
  description: 'Compile the README TypeScript snippets with jsii-rosetta in strict mode',
  exec: 'jsii-rosetta extract --strict --fail',
});

// Generate every jsii language binding as source and byte-compile the Python one.
const codegen = project.addTask('codegen', {
  description: 'Generate Python, Java, .NET and Go bindings with jsii-pacmak --code-only and check them',
});
// Like the packages, the bindings are generated after rosetta has translated the examples.
codegen.spawn(rosetta);
codegen.exec('rm -rf .codegen');
codegen.exec('jsii-pacmak --code-only --outdir .codegen --target python --target java --target dotnet --target go');
codegen.exec('python3 -m compileall -q .codegen/python');
// The Python package's README (and module docstring) shows Python, not TypeScript.
codegen.exec('node test/package/python-readme.js .codegen/python');
// Its snippets parse as Python, and pass structs to variadic parameters positionally (Python rejects
// the keyword arguments an inline object would become, e.g. in `Validations.acknowledge`).
codegen.exec('python3 test/package/python_snippets.py .codegen/python');

// Packaging order: every task that builds a language package bundles the Lambda functions into
// assets/ first (the npm package, and every binding built from it, must carry
// assets/private/provisioner.lambda), and every non-JavaScript one runs rosetta first. The release
// workflow builds each language in its own job from the npm tarball, so the order cannot rely on
// `build` having run before in the same workspace.
const bundle = project.tasks.tryFind('bundle')!;
for (const language of ['js', 'python', 'java', 'dotnet', 'go']) {
  const packageTask = project.tasks.tryFind(`package:${language}`)!;
  if (language !== 'js') {
    packageTask.prependSpawn(rosetta);
  }
  packageTask.prependSpawn(bundle);
}

// The package a user installs, tested: `build` (and so `release`) ends by installing the npm tarball
// into a fresh CDK app outside the repository and synthesizing an environment, the shared-VPC
// provisioner (whose bundled function must be in the package) and MwaaChecks. See test/package/.
const packageTest = project.addTask('package:test', {
  description: 'Install the npm tarball from dist/js into a fresh CDK app outside the repository and synthesize it',
  // The tarball of this build: dist/js may still hold one of an earlier version.
  exec: 'bash test/package/run.sh "dist/js/$(node -p "const p = require(\'./package.json\'); p.name + \'@\' + p.version").jsii.tgz"',
});
project.packageTask.spawn(packageTest);

// Integration test apps, compared offline with their committed snapshots (see
// test/integ-snapshots.ts for why this is not integ-runner itself yet).
const integ = project.addTask('integ', {
  description: 'Synthesize the integration test apps and fail if they drifted from their snapshots',
  exec: 'ts-node -P tsconfig.dev.json test/integ-snapshots.ts',
});
integ.prependSpawn(project.tasks.tryFind('bundle')!);
const integUpdate = project.addTask('integ:update', {
  description: 'Synthesize the integration test apps and rewrite their snapshots',
  exec: 'ts-node -P tsconfig.dev.json test/integ-snapshots.ts --update',
});
integUpdate.prependSpawn(project.tasks.tryFind('bundle')!);

// The deploy check: deploys test/integ.runtime.ts (an environment with self-service and the revert,
// and the assertion stack whose assertions fail the deployment when they fail), then destroys
// everything whatever the outcome, and exits with the deployment's status. Needs AWS credentials
// for a bootstrapped sandbox account; MWAA_INTEG_REGION chooses the Region (default eu-west-1).
const runtimeApp = "'ts-node -P tsconfig.dev.json test/integ.runtime.ts'";
const deployCheck = project.addTask('deploy-check', {
  description: 'Deploy the runtime integration app with its assertions to the AWS account of the current credentials, then destroy it',
  exec: `cdk deploy --app ${runtimeApp} --all --require-approval never; status=$?; `
    + `cdk destroy --app ${runtimeApp} --all --force || status=1; exit $status`,
});
deployCheck.prependSpawn(project.tasks.tryFind('bundle')!);

// The same check on GitHub, started by hand (Actions > deploy-check > Run workflow): it assumes the
// role named by the repository variable MWAA_DEPLOY_CHECK_ROLE_ARN through GitHub's OIDC provider
// (see CONTRIBUTING.md for the role), and destroys everything afterwards even if a step failed.
const deployCheckWorkflow = project.github?.addWorkflow('deploy-check');
deployCheckWorkflow?.on({
  workflowDispatch: {
    inputs: {
      region: { description: 'AWS Region to deploy to', required: false, default: 'eu-west-1', type: 'string' },
    },
  },
});
deployCheckWorkflow?.addJobs({
  'deploy-check': {
    name: 'Deploy, assert and destroy in a sandbox account',
    runsOn: ['ubuntu-latest'],
    // One check at a time: two would create the same environment name.
    concurrency: { group: 'deploy-check' },
    timeoutMinutes: 300,
    permissions: { idToken: JobPermission.WRITE, contents: JobPermission.READ },
    env: { MWAA_INTEG_REGION: '${{ inputs.region }}' },
    steps: [
      { name: 'Checkout', uses: 'actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1' },
      { name: 'Setup Node.js', uses: 'actions/setup-node@v7.0.0', with: { 'node-version': 'lts/*' } },
      { name: 'Install dependencies', run: 'npm ci' },
      {
        name: 'AWS credentials (OIDC)',
        uses: 'aws-actions/configure-aws-credentials@v4',
        with: {
          'role-to-assume': '${{ vars.MWAA_DEPLOY_CHECK_ROLE_ARN }}',
          'aws-region': '${{ inputs.region }}',
          // Creating an environment and one update take about two hours; the role's maximum session
          // duration must allow this.
          'role-duration-seconds': 18000,
        },
      },
      { name: 'Deploy, assert, destroy', run: 'npx projen deploy-check' },
      {
        // deploy-check destroys already; this runs even when an earlier step failed or the job was cancelled.
        name: 'Destroy (always)',
        if: 'always()',
        run: `npx cdk destroy --app ${runtimeApp} --all --force`,
      },
    ],
  },
});
// Mutation testing of the security-relevant modules (stryker.config.mjs lists them with the tests that
// own them; test/mutation/record.mjs keeps one record per module; docs/testing.md has the scores).
// Slow (each mutant re-runs the tests that own its module), so not part of `npm test`; CI runs
// `mutation:check`, which re-runs only what changed since each record.
const mutation = project.addTask('mutation', {
  description: 'Mutation testing (Stryker) of every security-relevant module against the tests that own it; rewrites test/mutation/*.json.gz',
  exec: 'node test/mutation/record.mjs --all',
});
mutation.prependSpawn(project.tasks.tryFind('bundle')!);
const mutationCheck = project.addTask('mutation:check', {
  description: 'Re-run, incrementally, the mutants of modules changed since their record; fail if a score fell or docs/testing.md disagrees',
  exec: 'node test/mutation/record.mjs --check',
});
mutationCheck.prependSpawn(project.tasks.tryFind('bundle')!);
// The Node.js release contributors use (nvm, fnm, asdf and most CI setups read it).
new TextFile(project, '.nvmrc', { lines: [DEVELOPMENT_NODE_VERSION] });

project.tsconfigDev.addInclude('.projenrc.ts');
project.tsconfigDev.addInclude('example/**/*.ts');
project.tsconfigDev.addInclude('bench/**/*.ts');

project.synth();
