/* eslint-disable no-console */
/**
 * Synthesis benchmark: apps with 1 and with 25 environments built with `PrivateMwaaEnvironment`,
 * against the same resources written by hand as L1 (Cfn*) resources, measured in the same run.
 * Both apps use one imported VPC, so only the environments are measured.
 *
 *   npm run bench
 *
 * Prints a table and writes bench-results.json. Not part of the tests: timings depend on the
 * machine, so nothing here asserts on them.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Aws, Fn, Stack } from 'aws-cdk-lib';
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
const SIZES = [1, 25];
const WARMUP = 3;
const RUNS = 11;

function importedVpc(stack: Stack): ec2.IVpc {
  return ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-0123456789abcdef0',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2'],
  });
}

/** The construct under test. */
function l2App(count: number, outdir: string): App {
  const app = new App({ outdir });
  const stack = new Stack(app, 'Bench', { env: ENV });
  const vpc = importedVpc(stack);
  for (let i = 0; i < count; i++) {
    new PrivateMwaaEnvironment(stack, `Airflow${i}`, { environmentName: `bench-env-${i}`, vpc });
  }
  return app;
}

/** The same resources and properties, written by hand with L1 resources only. */
function l1App(count: number, outdir: string): App {
  const app = new App({ outdir });
  const stack = new Stack(app, 'Bench', { env: ENV });
  const p = Aws.PARTITION;
  const subnets = ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2'];
  for (let i = 0; i < count; i++) {
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
      vpcId: 'vpc-0123456789abcdef0',
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
    void Fn; // the L1 baseline needs no other intrinsic helpers
  }
  return app;
}

interface Measurement {
  readonly medianMs: number;
  readonly templateBytes: number;
  readonly resources: number;
}

function measure(build: (count: number, outdir: string) => App, count: number): Measurement {
  const times: number[] = [];
  let templateBytes = 0;
  let resources = 0;
  for (let run = 0; run < WARMUP + RUNS; run++) {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
    const start = process.hrtime.bigint();
    const assembly = build(count, outdir).synth();
    const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    if (run >= WARMUP) {
      times.push(elapsed);
    }
    const artifact = assembly.getStackByName('Bench');
    templateBytes = fs.statSync(path.join(assembly.directory, artifact.templateFile)).size;
    resources = Object.keys(artifact.template.Resources ?? {}).length;
    fs.rmSync(outdir, { recursive: true, force: true });
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[Math.floor(times.length / 2)], templateBytes, resources };
}

const results = SIZES.map(count => {
  const l1 = measure(l1App, count);
  const l2 = measure(l2App, count);
  return { environments: count, l1, l2, ratio: l2.medianMs / l1.medianMs };
});

console.log(`Synthesis benchmark, median of ${RUNS} runs after ${WARMUP} warm-up runs (node ${process.version}, ${os.cpus().length} cores)\n`);
console.log('envs | L1 ms  | L2 ms  | L2/L1 | L2 ms/env | L2 bytes/env | L2 resources/env | L1 resources/env');
console.log('---- | ------ | ------ | ----- | --------- | ------------ | ---------------- | ----------------');
for (const r of results) {
  console.log([
    String(r.environments).padStart(4),
    r.l1.medianMs.toFixed(0).padStart(6),
    r.l2.medianMs.toFixed(0).padStart(6),
    r.ratio.toFixed(2).padStart(5),
    (r.l2.medianMs / r.environments).toFixed(1).padStart(9),
    String(Math.round(r.l2.templateBytes / r.environments)).padStart(12),
    String(r.l2.resources / r.environments).padStart(16),
    String(r.l1.resources / r.environments).padStart(16),
  ].join(' | '));
}
const [one, many] = results;
const growth = (many.l2.medianMs / one.l2.medianMs) / (many.environments / one.environments);
console.log(`\nL2 time per environment at ${many.environments} vs at ${one.environments}: ${growth.toFixed(2)}x (1.0 = linear)`);
fs.writeFileSync('bench-results.json', JSON.stringify({ runs: RUNS, warmup: WARMUP, node: process.version, results, growth }, null, 2));
