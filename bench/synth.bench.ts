/* eslint-disable no-console */
/**
 * Synthesis benchmark: apps with 1 and with 25 environments built with `PrivateMwaaEnvironment`,
 * against the same resources written by hand as L1 (Cfn*) resources, measured in the same run.
 * Each environment is its own stack (26 resources each; 25 in one stack would pass CloudFormation's
 * 500-resource limit) with an imported VPC, so only the environments are measured.
 *
 * It then measures cold runs: a fresh `node` process that loads the compiled library (lib/) and
 * synthesizes 10 environments (bench/cold-synth.js), with wall and CPU time (process.cpuUsage)
 * apart for loading the modules and for synthesis. CPU time is far steadier than wall time on a
 * busy machine, and a cold run is what `cdk synth` of an app costs.
 *
 *   npm run bench            the measurement (prints tables, writes bench-results.json)
 *   npm run bench -- --smoke  CI: runs once and checks the baseline still matches the construct, and
 *                             that a cold run of the compiled library synthesizes
 *
 * Not part of the tests: timings depend on the machine, so nothing here asserts on them.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Aws, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as mwaa from 'aws-cdk-lib/aws-mwaa';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { PrivateMwaaEnvironment } from '../src';

const ENV = { account: '111111111111', region: 'eu-west-1' };
/**
 * `--smoke` (CI): one run of each app with 1 and 2 environments, to prove the benchmark still runs and
 * that the L1 baseline still builds as many resources as the construct. No timing is judged.
 */
const SMOKE = process.argv.includes('--smoke');
const SIZES = SMOKE ? [1, 2] : [1, 25];
const WARMUP = SMOKE ? 0 : 3;
const RUNS = SMOKE ? 1 : 15;
/** Cold runs: environments per process, and how many processes (one in the smoke run, one environment). */
const COLD_ENVIRONMENTS = SMOKE ? 1 : 10;
const COLD_RUNS = SMOKE ? 1 : 7;

const VPC_ATTRIBUTES: ec2.VpcAttributes = {
  vpcId: 'vpc-0123456789abcdef0',
  availabilityZones: ['eu-west-1a', 'eu-west-1b'],
  privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2'],
  privateSubnetRouteTableIds: ['rtb-0aaaaaaaaaaaaaaa1', 'rtb-0bbbbbbbbbbbbbbb2'],
};

function importedVpc(stack: Stack): ec2.IVpc {
  return ec2.Vpc.fromVpcAttributes(stack, 'Vpc', VPC_ATTRIBUTES);
}

/** The construct under test. */
function l2App(count: number, outdir: string): App {
  const app = new App({ outdir });
  for (let i = 0; i < count; i++) {
    const stack = new Stack(app, `Bench${i}`, { env: ENV });
    const vpc = importedVpc(stack);
    new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: `bench-env-${i}`, vpc });
  }
  return app;
}

/** The same resources and properties, written by hand with L1 resources only. */
function l1App(count: number, outdir: string): App {
  const app = new App({ outdir });
  const p = Aws.PARTITION;
  for (let i = 0; i < count; i++) {
    const stack = new Stack(app, `Bench${i}`, { env: ENV });
    // The same imported VPC as the construct's app, used the way a hand-written stack would.
    const vpc = importedVpc(stack);
    const subnets = vpc.privateSubnets.map(subnet => subnet.subnetId);
    const name = `bench-env-${i}`;
    const envArn = `arn:${p}:airflow:${ENV.region}:${ENV.account}:environment/${name}`;
    const logArn = `arn:${p}:logs:${ENV.region}:${ENV.account}:log-group:airflow-${name}-*`;
    const key = new kms.CfnKey(stack, `Key${i}`, {
      enableKeyRotation: true,
      keyPolicy: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { AWS: `arn:${p}:iam::${ENV.account}:root` }, Action: 'kms:*', Resource: '*' },
          {
            Sid: 'AllowCloudWatchLogsForThisEnvironment',
            Effect: 'Allow',
            Principal: { Service: `logs.${ENV.region}.${Aws.URL_SUFFIX}` },
            Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
            Resource: '*',
            Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': logArn } },
          },
          {
            Sid: 'AllowEventBridgeAndCloudWatchToPublishToTheEncryptedTopic',
            Effect: 'Allow',
            Principal: { Service: ['events.amazonaws.com', 'cloudwatch.amazonaws.com'] },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Resource: '*',
          },
        ],
      },
    });
    key.cfnOptions.deletionPolicy = 2 as any; // RETAIN, as the construct does
    const keyArn = key.attrArn;
    const bucket = new s3.CfnBucket(stack, `Bucket${i}`, {
      versioningConfiguration: { status: 'Enabled' },
      publicAccessBlockConfiguration: { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      bucketEncryption: { serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: keyArn } }] },
      ownershipControls: { rules: [{ objectOwnership: 'BucketOwnerEnforced' }] },
    });
    new s3.CfnBucketPolicy(stack, `BucketPolicy${i}`, {
      bucket: bucket.ref,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Resource: [bucket.attrArn, `${bucket.attrArn}/*`], Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
          { Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Resource: [bucket.attrArn, `${bucket.attrArn}/*`], Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } },
        ],
      },
    });
    const groups = ['DAGProcessing', 'Scheduler', 'Task', 'WebServer', 'Worker'].map(type => new logs.CfnLogGroup(stack, `Logs${type}${i}`, {
      logGroupName: `airflow-${name}-${type}`, kmsKeyId: keyArn, retentionInDays: 365,
    }));
    const role = new iam.CfnRole(stack, `Role${i}`, {
      description: `Execution role of the Amazon MWAA environment ${name}`,
      assumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { Service: ['airflow.amazonaws.com', 'airflow-env.amazonaws.com'] },
          Condition: { ArnLike: { 'aws:SourceArn': envArn }, StringEquals: { 'aws:SourceAccount': ENV.account } },
        }],
      },
    });
    const policy = new iam.CfnManagedPolicy(stack, `Policy${i}`, {
      roles: [role.ref],
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 'airflow:PublishMetrics', Resource: envArn },
          { Effect: 'Deny', Action: 's3:ListAllMyBuckets', Resource: [bucket.attrArn, `${bucket.attrArn}/*`] },
          { Effect: 'Allow', Action: ['s3:GetObject*', 's3:GetBucket*', 's3:List*'], Resource: [bucket.attrArn, `${bucket.attrArn}/*`] },
          { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:CreateLogGroup', 'logs:PutLogEvents', 'logs:GetLogEvents', 'logs:GetLogRecord', 'logs:GetLogGroupFields', 'logs:GetQueryResults'], Resource: logArn },
          { Effect: 'Allow', Action: 'logs:DescribeLogGroups', Resource: '*' },
          { Effect: 'Allow', Action: 's3:GetAccountPublicAccessBlock', Resource: '*' },
          { Effect: 'Allow', Action: 'cloudwatch:PutMetricData', Resource: '*' },
          { Effect: 'Allow', Action: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage', 'sqs:SendMessage'], Resource: `arn:${p}:sqs:${ENV.region}:*:airflow-celery-*` },
          {
            Effect: 'Allow',
            Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey*', 'kms:Encrypt'],
            Resource: keyArn,
            Condition: { StringLike: { 'kms:ViaService': [`sqs.${ENV.region}.${Aws.URL_SUFFIX}`, `s3.${ENV.region}.${Aws.URL_SUFFIX}`] } },
          },
        ],
      },
    });
    const sg = new ec2.CfnSecurityGroup(stack, `Sg${i}`, {
      groupDescription: `Amazon MWAA environment ${name}`,
      vpcId: vpc.vpcId,
      securityGroupEgress: [{ cidrIp: '0.0.0.0/0', ipProtocol: '-1' }],
    });
    for (const port of [443, 5432]) {
      new ec2.CfnSecurityGroupIngress(stack, `Ingress${port}x${i}`, {
        groupId: sg.attrGroupId, sourceSecurityGroupId: sg.attrGroupId, ipProtocol: 'tcp', fromPort: port, toPort: port,
      });
    }
    const environment = new mwaa.CfnEnvironment(stack, `Env${i}`, {
      name,
      airflowVersion: '3.0.6',
      environmentClass: 'mw1.small',
      executionRoleArn: role.attrArn,
      sourceBucketArn: bucket.attrArn,
      kmsKey: keyArn,
      dagS3Path: 'dags',
      networkConfiguration: { subnetIds: subnets, securityGroupIds: [sg.attrGroupId] },
      webserverAccessMode: 'PRIVATE_ONLY',
      endpointManagement: 'SERVICE',
      minWorkers: 1,
      maxWorkers: 10,
      schedulers: 2,
      minWebservers: 2,
      maxWebservers: 2,
      loggingConfiguration: Object.fromEntries(['dagProcessingLogs', 'schedulerLogs', 'taskLogs', 'webserverLogs', 'workerLogs']
        .map(type => [type, { enabled: true, logLevel: 'INFO' }])),
    });
    environment.addDependency(policy);
    environment.addDependency(role);
    groups.forEach(g => environment.addDependency(g));
    const topic = new sns.CfnTopic(stack, `Topic${i}`, { displayName: `Amazon MWAA ${name}`, kmsMasterKeyId: keyArn });
    new sns.CfnTopicPolicy(stack, `TopicPolicy${i}`, {
      topics: [topic.ref],
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Service: ['events.amazonaws.com', 'cloudwatch.amazonaws.com'] }, Action: 'sns:Publish', Resource: topic.ref, Condition: { StringEquals: { 'aws:SourceAccount': ENV.account } } },
          { Effect: 'Deny', Principal: '*', Action: 'sns:Publish', Resource: topic.ref, Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
        ],
      },
    });
    new events.CfnRule(stack, `Rule${i}`, {
      eventPattern: { 'source': ['aws.airflow'], 'detail-type': ['MWAA Environment Status Change'], 'detail': { name: [name], status: ['CREATE_FAILED', 'UPDATE_FAILED', 'UNAVAILABLE'] } },
      targets: [{ id: 'Target0', arn: topic.ref, inputTransformer: { inputPathsMap: { name: '$.detail.name', status: '$.detail.status' }, inputTemplate: '"Amazon MWAA environment <name> is now <status>."' } }],
    });
    new events.CfnRule(stack, `Guardrail${i}`, {
      eventPattern: {
        'source': ['aws.airflow'],
        'detail-type': ['AWS API Call via CloudTrail'],
        'detail': {
          eventSource: ['airflow.amazonaws.com'],
          eventName: ['UpdateEnvironment'],
          $or: [
            { requestParameters: { Name: [name], WebserverAccessMode: [{ 'anything-but': ['PRIVATE_ONLY'] }] } },
            { requestParameters: { name: [name], webserverAccessMode: [{ 'anything-but': ['PRIVATE_ONLY'] }] } },
          ],
        },
      },
      targets: [{
        id: 'Target0',
        arn: topic.ref,
        inputTransformer: { inputPathsMap: { who: '$.detail.userIdentity.arn' }, inputTemplate: `"<who> made the web server of ${name} public."` },
      }],
    });
    // The construct's second guardrail rule: refused attempts (errorCode set) are reported, nothing else.
    new events.CfnRule(stack, `AttemptGuardrail${i}`, {
      eventPattern: {
        'source': ['aws.airflow'],
        'detail-type': ['AWS API Call via CloudTrail'],
        'detail': {
          eventSource: ['airflow.amazonaws.com'],
          eventName: ['UpdateEnvironment'],
          errorCode: [{ exists: true }],
          requestParameters: { Name: [name], WebserverAccessMode: [{ 'anything-but': ['PRIVATE_ONLY'] }] },
        },
      },
      targets: [{
        id: 'Target0',
        arn: topic.ref,
        inputTransformer: { inputPathsMap: { who: '$.detail.userIdentity.arn' }, inputTemplate: `"<who> tried to make the web server of ${name} public and was refused."` },
      }],
    });

    // The four access profiles: a managed policy and a group each.
    const uiLogin = (airflowRole: string) => ({ Effect: 'Allow', Action: 'airflow:CreateWebLoginToken', Resource: `arn:${p}:airflow:${ENV.region}:${ENV.account}:role/${name}/${airflowRole}` });
    const viaS3 = { StringEquals: { 'kms:ViaService': `s3.${ENV.region}.${Aws.URL_SUFFIX}` } };
    const readLogsAndConsole = [
      {
        Effect: 'Allow',
        Action: ['logs:DescribeLogStreams', 'logs:GetLogEvents', 'logs:FilterLogEvents', 'logs:StartQuery', 'logs:GetLogGroupFields'],
        Resource: ['DAGProcessing', 'Scheduler', 'Task', 'WebServer', 'Worker'].flatMap(type => {
          const group = `arn:${p}:logs:${ENV.region}:${ENV.account}:log-group:airflow-${name}-${type}`;
          return [group, `${group}:*`];
        }),
      },
      { Effect: 'Allow', Action: ['logs:DescribeLogGroups', 'logs:GetQueryResults'], Resource: '*' },
      { Effect: 'Allow', Action: ['airflow:GetEnvironment', 'airflow:ListTagsForResource'], Resource: envArn },
      { Effect: 'Allow', Action: 'airflow:ListEnvironments', Resource: '*' },
    ];
    const deliveryKeys = ['requirements.txt', 'plugins.zip', 'startup.sh'];
    const profiles: Record<string, object[]> = {
      administrators: [
        uiLogin('Admin'),
        { Effect: 'Allow', Action: 'airflow:InvokeRestApi', Resource: `arn:${p}:airflow:${ENV.region}:${ENV.account}:role/${name}/Admin` },
        { Effect: 'Allow', Action: 'airflow:CreateCliToken', Resource: envArn },
        { Effect: 'Allow', Action: ['airflow:GetEnvironment', 'airflow:UpdateEnvironment'], Resource: envArn },
        { Effect: 'Allow', Action: 'iam:PassRole', Resource: role.attrArn, Condition: { StringEquals: { 'iam:PassedToService': 'airflow.amazonaws.com' } } },
        { Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject', 's3:GetObjectVersion'], Resource: deliveryKeys.map(k => `${bucket.attrArn}/${k}`) },
        { Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: keyArn, Condition: viaS3 },
        { Effect: 'Allow', Action: 's3:ListBucketVersions', Resource: bucket.attrArn, Condition: { StringLike: { 's3:prefix': deliveryKeys } } },
        ...readLogsAndConsole,
      ],
      developers: [
        uiLogin('User'),
        { Effect: 'Allow', Action: ['s3:PutObject', 's3:DeleteObject', 's3:GetObject', 's3:GetObjectVersion'], Resource: `${bucket.attrArn}/dags/*` },
        { Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: keyArn, Condition: viaS3 },
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: bucket.attrArn, Condition: { StringLike: { 's3:prefix': ['dags/*', 'dags'] } } },
        ...readLogsAndConsole,
      ],
      operators: [uiLogin('Op'), ...readLogsAndConsole],
      viewers: [uiLogin('Viewer')],
    };
    for (const [profile, statements] of Object.entries(profiles)) {
      const access = new iam.CfnManagedPolicy(stack, `Access${profile}${i}`, {
        managedPolicyName: `${name}-airflow-${profile}`,
        policyDocument: { Version: '2012-10-17', Statement: statements },
      });
      new iam.CfnGroup(stack, `Group${profile}${i}`, { groupName: `${name}-${profile}`, managedPolicyArns: [access.ref] });
    }
  }
  return app;
}

interface Measurement {
  /** Median of construction plus synthesis. */
  readonly medianMs: number;
  /** Median of construction alone (building the construct tree), the rest is `app.synth()`. */
  readonly constructMs: number;
  readonly templateBytes: number;
  readonly resources: number;
}

interface Sample {
  readonly totalMs: number;
  readonly constructMs: number;
  readonly templateBytes: number;
  readonly resources: number;
}

/** One construction and synthesis of a fresh app. */
function sample(build: (count: number, outdir: string) => App, count: number): Sample {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  const start = process.hrtime.bigint();
  const app = build(count, outdir);
  const built = process.hrtime.bigint();
  const assembly = app.synth();
  const end = process.hrtime.bigint();
  let templateBytes = 0;
  let resources = 0;
  for (const artifact of assembly.stacks) {
    templateBytes += fs.statSync(path.join(assembly.directory, artifact.templateFile)).size;
    resources += Object.keys(artifact.template.Resources ?? {}).length;
  }
  fs.rmSync(outdir, { recursive: true, force: true });
  return { totalMs: Number(end - start) / 1e6, constructMs: Number(built - start) / 1e6, templateBytes, resources };
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

function summarize(samples: Sample[]): Measurement {
  const last = samples[samples.length - 1];
  return {
    medianMs: median(samples.map(s => s.totalMs)),
    constructMs: median(samples.map(s => s.constructMs)),
    templateBytes: last.templateBytes,
    resources: last.resources,
  };
}

/**
 * Measures both apps of one size with their runs interleaved (L1, L2, L1, L2, ...), so that both see
 * the same state of the machine and of the JIT; warm-up runs are discarded.
 */
function measurePair(count: number): { l1: Measurement; l2: Measurement } {
  const l1: Sample[] = [];
  const l2: Sample[] = [];
  for (let run = 0; run < WARMUP + RUNS; run++) {
    const a = sample(l1App, count);
    const b = sample(l2App, count);
    if (run >= WARMUP) {
      l1.push(a);
      l2.push(b);
    }
  }
  return { l1: summarize(l1), l2: summarize(l2) };
}

// Checked first: a stale lib/ should not cost the whole warm measurement.
const LIB = compiledLibrary();
const results = SIZES.map(count => {
  const { l1, l2 } = measurePair(count);
  return { environments: count, l1, l2, ratio: l2.medianMs / l1.medianMs };
});

for (const r of results) {
  if (r.l1.resources !== r.l2.resources) {
    console.error(`The L1 baseline builds ${r.l1.resources} resources and the construct ${r.l2.resources} for ${r.environments} environment(s): update the baseline so the comparison stays fair.`);
    process.exit(1);
  }
}

/** Wall and CPU milliseconds of one phase of a cold run. */
interface Cost {
  readonly wallMs: number;
  readonly cpuMs: number;
}

/** One cold run, as bench/cold-synth.js reports it. */
interface ColdRun {
  /** Node's own start, before the script runs. */
  readonly startup: Cost;
  /** Loading aws-cdk-lib and the library. */
  readonly load: Cost;
  /** Building the app and `app.synth()`. */
  readonly synth: Cost;
  readonly resources: number;
}

/**
 * The compiled library the cold runs load. A cold run measures lib/, so lib/ must be built from the
 * sources as they are (`npm run bench` compiles first; the smoke run relies on the build before it).
 */
function compiledLibrary(): string {
  const root = path.join(__dirname, '..');
  const lib = path.join(root, 'lib', 'index.js');
  const newest = (dir: string): number => fs.readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
    const full = path.join(dir, entry.name);
    return Math.max(latest, entry.isDirectory() ? newest(full) : fs.statSync(full).mtimeMs);
  }, 0);
  if (!fs.existsSync(lib) || fs.statSync(lib).mtimeMs < newest(path.join(root, 'src'))) {
    console.error('The cold runs load the compiled library, and lib/ is missing or older than src/: run `npx projen compile` first.');
    process.exit(1);
  }
  return lib;
}

function coldRun(lib: string, count: number): ColdRun {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cold-'));
  try {
    const output = execFileSync(process.execPath, [path.join(__dirname, 'cold-synth.js'), JSON.stringify({ lib, outdir, count, env: ENV, vpc: VPC_ATTRIBUTES })], {
      cwd: path.join(__dirname, '..'),
      encoding: 'utf-8',
      // Node's end-of-life notices and the like are not the benchmark's business.
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return JSON.parse(output.trim().split('\n').pop()!);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

const coldRuns = Array.from({ length: COLD_RUNS }, () => coldRun(LIB, COLD_ENVIRONMENTS));
const expectedResources = results[0].l2.resources / results[0].environments * COLD_ENVIRONMENTS;
if (coldRuns.some(run => run.resources !== expectedResources)) {
  console.error(`A cold run of lib/ synthesized ${coldRuns.map(run => run.resources).join(', ')} resources for ${COLD_ENVIRONMENTS} environment(s), the sources ${expectedResources}: is lib/ stale?`);
  process.exit(1);
}

if (SMOKE) {
  const perEnvironment = results.map(r => `${r.l2.resources / r.environments} resources and ${Math.round(r.l2.templateBytes / r.environments)} template bytes per environment at ${r.environments}`);
  console.log(`Benchmark smoke run: both apps synthesize, the L1 baseline matches the construct (${perEnvironment.join('; ')}), and a cold run of lib/ synthesizes. One run is not a measurement: use npm run bench.`);
  process.exit(0);
}

console.log(`Synthesis benchmark, median of ${RUNS} runs after ${WARMUP} warm-up runs (node ${process.version}, ${os.cpus().length} cores)\n`);
console.log('envs | L1 ms  | L2 ms  | L2/L1 | L2 ms/env | construct L1/L2 ms | L2 bytes/env | L1 bytes/env | resources/env');
console.log('---- | ------ | ------ | ----- | --------- | ------------------ | ------------ | ------------ | -------------');
for (const r of results) {
  console.log([
    String(r.environments).padStart(4),
    r.l1.medianMs.toFixed(0).padStart(6),
    r.l2.medianMs.toFixed(0).padStart(6),
    r.ratio.toFixed(2).padStart(5),
    (r.l2.medianMs / r.environments).toFixed(1).padStart(9),
    `${r.l1.constructMs.toFixed(0)} / ${r.l2.constructMs.toFixed(0)}`.padStart(18),
    String(Math.round(r.l2.templateBytes / r.environments)).padStart(12),
    String(Math.round(r.l1.templateBytes / r.environments)).padStart(12),
    String(r.l2.resources / r.environments).padStart(13),
  ].join(' | '));
}
const [one, many] = results;
const growth = (many.l2.medianMs / one.l2.medianMs) / (many.environments / one.environments);
console.log(`\nL2 time per environment at ${many.environments} vs at ${one.environments}: ${growth.toFixed(2)}x (1.0 = linear)`);

/** The median wall and CPU time of one phase over the cold runs. */
const phase = (pick: (run: ColdRun) => Cost): Cost => ({
  wallMs: median(coldRuns.map(r => pick(r).wallMs)),
  cpuMs: median(coldRuns.map(r => pick(r).cpuMs)),
});
const cold = {
  environments: COLD_ENVIRONMENTS,
  runs: COLD_RUNS,
  startup: phase(r => r.startup),
  load: phase(r => r.load),
  synth: phase(r => r.synth),
  total: phase(r => ({ wallMs: r.startup.wallMs + r.load.wallMs + r.synth.wallMs, cpuMs: r.startup.cpuMs + r.load.cpuMs + r.synth.cpuMs })),
};
console.log(`\nCold run: a fresh node process loads lib/ and synthesizes ${COLD_ENVIRONMENTS} environments; median of ${COLD_RUNS} processes\n`);
console.log('phase                         | wall ms | CPU ms | share of CPU');
console.log('----------------------------- | ------- | ------ | ------------');
for (const [label, cost] of [
  ['node start', cold.startup],
  ['module load (aws-cdk-lib, lib)', cold.load],
  ['synthesis', cold.synth],
  ['whole process', cold.total],
] as Array<[string, Cost]>) {
  console.log([
    label.padEnd(29),
    cost.wallMs.toFixed(0).padStart(7),
    cost.cpuMs.toFixed(0).padStart(6),
    `${(100 * cost.cpuMs / cold.total.cpuMs).toFixed(0)}%`.padStart(12),
  ].join(' | '));
}
fs.writeFileSync('bench-results.json', JSON.stringify({ runs: RUNS, warmup: WARMUP, node: process.version, results, growth, cold, coldRuns }, null, 2));
