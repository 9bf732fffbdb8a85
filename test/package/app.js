// A CDK app that uses cdk-private-mwaa the way a user does: from the package npm installed into this
// app's own node_modules, in plain JavaScript (no TypeScript toolchain). test/package/run.sh copies
// it into a temporary directory outside the repository, installs the packed tarball beside
// aws-cdk-lib and constructs from the registry, and runs it. Any error exits non-zero.
//
// It synthesizes the three things a broken package would break: an environment (lib/ and the
// assembly), the shared-VPC endpoint provisioner (its function is bundled into assets/ at build
// time: without it `lambda.Code.fromAsset` fails with "Cannot find asset") and the MwaaChecks plugin.
// Only long-standing API is used: `environmentName` + `vpc`, the provisioner's `vpc` + `subnets` +
// `participantAccounts`, and `new MwaaChecks()`.
'use strict';
const fs = require('fs');
const path = require('path');
const { App, Stack, Validations } = require('aws-cdk-lib');
const ec2 = require('aws-cdk-lib/aws-ec2');

function fail(message) {
  console.error(`package test: ${message}`);
  process.exit(1);
}

// The library must come from this app's node_modules, and must see the same aws-cdk-lib as the app
// (a second copy would make its constructs foreign to the app's).
const own = path.join(__dirname, 'node_modules') + path.sep;
const libEntry = require.resolve('cdk-private-mwaa');
if (!libEntry.startsWith(own)) {
  fail(`cdk-private-mwaa resolved outside the app: ${libEntry}`);
}
const cdkSeenByLib = require.resolve('aws-cdk-lib', { paths: [path.dirname(libEntry)] });
if (cdkSeenByLib !== require.resolve('aws-cdk-lib')) {
  fail(`the library sees another aws-cdk-lib (${cdkSeenByLib}) than the app`);
}
const { PrivateMwaaEnvironment, MwaaSharedVpcEndpointProvisioner, MwaaChecks } = require('cdk-private-mwaa');

const outdir = path.join(__dirname, 'cdk.out');
const app = new App({ outdir });

// MwaaChecks, registered as a user registers it; the wrapper only records that it ran and what it
// reported (CDK reports a failing plugin through process.exitCode, checked below).
const checks = new MwaaChecks();
const runs = [];
Validations.of(app).addPlugins({
  name: checks.name,
  ruleIds: checks.ruleIds,
  validate(context) {
    const report = checks.validate(context);
    runs.push({ templatePaths: context.templatePaths, report });
    return report;
  },
});

const environmentStack = new Stack(app, 'PackageTestEnvironment');
new PrivateMwaaEnvironment(environmentStack, 'Airflow', {
  environmentName: 'package-test',
  vpc: new ec2.Vpc(environmentStack, 'Vpc', { maxAzs: 2, natGateways: 1 }),
});

const ownerStack = new Stack(app, 'PackageTestSharedVpcOwner');
const sharedVpc = new ec2.Vpc(ownerStack, 'Vpc', { maxAzs: 2, natGateways: 1 });
new MwaaSharedVpcEndpointProvisioner(ownerStack, 'MwaaEndpoints', {
  vpc: sharedVpc,
  subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
  participantAccounts: ['222222222222'],
});

const assembly = app.synth();

// The environment is in its template.
const environmentTemplate = assembly.getStackByName(environmentStack.stackName).template;
const environments = Object.values(environmentTemplate.Resources).filter(r => r.Type === 'AWS::MWAA::Environment');
if (environments.length !== 1) {
  fail(`expected one AWS::MWAA::Environment, found ${environments.length}`);
}

// The provisioner's function code is a file asset whose staged directory holds the bundled handler.
const owner = assembly.getStackByName(ownerStack.stackName);
const functions = Object.values(owner.template.Resources).filter(r => r.Type === 'AWS::Lambda::Function');
const provisionerFunctions = functions.filter(f => f.Properties.Handler === 'index.handler' && String(f.Properties.Runtime).startsWith('nodejs'));
if (provisionerFunctions.length === 0) {
  fail('the shared-VPC owner stack has no Node.js function with handler index.handler');
}
const assetManifests = owner.dependencies.filter(d => typeof d.file === 'string' && d.file.endsWith('.assets.json'));
const fileAssets = assetManifests.flatMap(m => Object.values(JSON.parse(fs.readFileSync(m.file, 'utf-8')).files ?? {}));
for (const fn of provisionerFunctions) {
  const key = JSON.stringify(fn.Properties.Code.S3Key);
  const objectKey = (key.match(/[0-9a-f]{64}\.zip/) ?? [])[0];
  const asset = objectKey && fileAssets.find(a => Object.values(a.destinations).some(d => d.objectKey === objectKey));
  if (!asset) {
    fail(`no file asset for the function code ${key} in ${assetManifests.map(m => m.file).join(', ') || 'no asset manifest'}`);
  }
  const handler = path.join(outdir, asset.source.path, 'index.js');
  if (!fs.existsSync(handler) || !/\bhandler\b/.test(fs.readFileSync(handler, 'utf-8'))) {
    fail(`the staged function code has no index.js exporting a handler: ${handler}`);
  }
}

// MwaaChecks ran once, over both templates, and found nothing wrong.
if (runs.length !== 1) {
  fail(`MwaaChecks ran ${runs.length} times, expected once`);
}
const checked = runs[0].templatePaths.map(p => path.basename(p)).sort();
for (const stack of [environmentStack, ownerStack]) {
  if (!checked.includes(`${stack.stackName}.template.json`)) {
    fail(`MwaaChecks did not see ${stack.stackName} (it saw ${checked.join(', ')})`);
  }
}
if (!runs[0].report.success || process.exitCode) {
  fail(`MwaaChecks failed: ${JSON.stringify(runs[0].report.violations, undefined, 2)}`);
}

console.log(`package test: synthesized ${assembly.stacks.map(s => s.stackName).join(', ')}; `
  + `${provisionerFunctions.length} bundled function(s) staged; MwaaChecks passed over ${checked.length} templates`);
