import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Annotations as CoreAnnotations, App, Aspects, CfnParameter, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as mwaa from 'aws-cdk-lib/aws-mwaa';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as cr from 'aws-cdk-lib/custom-resources';
import {
  DependencyFile,
  EndpointManagement,
  LogLevel,
  MwaaChecks,
  MwaaChecksAspect,
  MwaaWarnings,
  PrivateMwaaEnvironment,
  SelfReferencingIngress,
  WebserverAccessMode,
} from '../src';
import { ACCOUNT, REGION } from './support/fixtures';
import { MWAA_RULES } from '../src/checks/plugin';
import { TemplateView } from '../src/checks/template';

/**
 * An environment written with plain L1 resources, the way a team that does not use this library
 * would, that passes every rule. Each failing case below breaks one thing in it.
 */
interface L1Environment {
  readonly app: App;
  readonly stack: Stack;
  readonly env: mwaa.CfnEnvironment;
  readonly subnetA: ec2.CfnSubnet;
  readonly subnetB: ec2.CfnSubnet;
  readonly tableA: ec2.CfnRouteTable;
  readonly tableB: ec2.CfnRouteTable;
  readonly natRoutes: ec2.CfnRoute[];
  readonly sg: ec2.CfnSecurityGroup;
  readonly selfRules: ec2.CfnSecurityGroupIngress[];
  readonly role: iam.CfnRole;
  readonly policy: iam.CfnManagedPolicy;
  readonly key: kms.CfnKey;
  readonly bucket: s3.CfnBucket;
}

const POLICY_STATEMENTS = (bucketArn: string, keyArn: string) => [
  { Effect: 'Allow', Action: 'airflow:PublishMetrics', Resource: `arn:aws:airflow:${REGION}:${ACCOUNT}:environment/l1-env` },
  { Effect: 'Deny', Action: 's3:ListAllMyBuckets', Resource: [bucketArn, `${bucketArn}/*`] },
  { Effect: 'Allow', Action: ['s3:GetObject*', 's3:GetBucket*', 's3:List*'], Resource: [bucketArn, `${bucketArn}/*`] },
  { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:CreateLogGroup', 'logs:PutLogEvents', 'logs:GetLogEvents'], Resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:airflow-l1-env-*` },
  { Effect: 'Allow', Action: 'logs:DescribeLogGroups', Resource: '*' },
  { Effect: 'Allow', Action: 'cloudwatch:PutMetricData', Resource: '*' },
  { Effect: 'Allow', Action: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage', 'sqs:SendMessage'], Resource: `arn:aws:sqs:${REGION}:*:airflow-celery-*` },
  {
    Effect: 'Allow',
    Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey*', 'kms:Encrypt'],
    Resource: keyArn,
    Condition: { StringLike: { 'kms:ViaService': [`sqs.${REGION}.amazonaws.com`, `s3.${REGION}.amazonaws.com`] } },
  },
];

function l1Environment(): L1Environment {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'checks-')) });
  const stack = new Stack(app, 'TeamStack', { env: { account: ACCOUNT, region: REGION } });
  const vpc = new ec2.CfnVPC(stack, 'Vpc', { cidrBlock: '10.0.0.0/16' });
  const subnetA = new ec2.CfnSubnet(stack, 'SubnetA', { vpcId: vpc.ref, cidrBlock: '10.0.0.0/24', availabilityZone: 'eu-west-1a' });
  const subnetB = new ec2.CfnSubnet(stack, 'SubnetB', { vpcId: vpc.ref, cidrBlock: '10.0.1.0/24', availabilityZone: 'eu-west-1b' });
  const tableA = new ec2.CfnRouteTable(stack, 'TableA', { vpcId: vpc.ref });
  const tableB = new ec2.CfnRouteTable(stack, 'TableB', { vpcId: vpc.ref });
  new ec2.CfnSubnetRouteTableAssociation(stack, 'AssocA', { subnetId: subnetA.ref, routeTableId: tableA.ref });
  new ec2.CfnSubnetRouteTableAssociation(stack, 'AssocB', { subnetId: subnetB.ref, routeTableId: tableB.ref });
  const natRoutes = [tableA, tableB].map((t, i) => new ec2.CfnRoute(stack, `Nat${i}`, {
    routeTableId: t.ref, destinationCidrBlock: '0.0.0.0/0', natGatewayId: 'nat-0123456789abcdef0',
  }));
  const sg = new ec2.CfnSecurityGroup(stack, 'Sg', { groupDescription: 'mwaa', vpcId: vpc.ref });
  const selfRules = [443, 5432].map(port => new ec2.CfnSecurityGroupIngress(stack, `Self${port}`, {
    groupId: sg.attrGroupId, sourceSecurityGroupId: sg.attrGroupId, ipProtocol: 'tcp', fromPort: port, toPort: port,
  }));
  const key = new kms.CfnKey(stack, 'Key', {
    keyPolicy: {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
        { Effect: 'Allow', Principal: { Service: `logs.${REGION}.amazonaws.com` }, Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:GenerateDataKey*'], Resource: '*' },
      ],
    },
  });
  const bucket = new s3.CfnBucket(stack, 'Bucket', {
    versioningConfiguration: { status: 'Enabled' },
    publicAccessBlockConfiguration: { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
    bucketEncryption: { serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: key.attrArn } }] },
  });
  const role = new iam.CfnRole(stack, 'Role', {
    assumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { Service: ['airflow.amazonaws.com', 'airflow-env.amazonaws.com'] },
        Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:airflow:${REGION}:${ACCOUNT}:environment/l1-env` }, StringEquals: { 'aws:SourceAccount': ACCOUNT } },
      }],
    },
  });
  const policy = new iam.CfnManagedPolicy(stack, 'Policy', {
    roles: [role.ref], policyDocument: { Version: '2012-10-17', Statement: POLICY_STATEMENTS(bucket.attrArn, key.attrArn) },
  });
  const info = { enabled: true, logLevel: 'INFO' };
  const env = new mwaa.CfnEnvironment(stack, 'Env', {
    name: 'l1-env',
    executionRoleArn: role.attrArn,
    sourceBucketArn: bucket.attrArn,
    kmsKey: key.attrArn,
    dagS3Path: 'dags',
    networkConfiguration: { subnetIds: [subnetA.ref, subnetB.ref], securityGroupIds: [sg.attrGroupId] },
    webserverAccessMode: 'PRIVATE_ONLY',
    loggingConfiguration: { dagProcessingLogs: info, schedulerLogs: info, taskLogs: info, webserverLogs: info, workerLogs: info },
  });
  return { app, stack, env, subnetA, subnetB, tableA, tableB, natRoutes, sg, selfRules, role, policy, key, bucket };
}

interface Finding {
  readonly rule: string;
  readonly path?: string;
  readonly message: string;
}

function check(app: App, plugin = new MwaaChecks()): Finding[] {
  const assembly = app.synth();
  const report = plugin.validate({ templatePaths: assembly.stacks.map(s => s.templateFullPath), appConstruct: app });
  expect(report.success).toBe(report.violations.every(v => v.severity === 'warning'));
  return report.violations.flatMap(v => v.violatingResources.map(r => ({ rule: v.ruleName, path: r.constructPath, message: v.fix ?? '' })));
}

function rules(findings: Finding[]): string[] {
  return [...new Set(findings.map(f => f.rule))].sort();
}

test('the L1 environment passes every rule', () => {
  expect(check(l1Environment().app)).toEqual([]);
});

/** Deploy a requirements file from a local folder to the environment's bucket, the usual way. */
function deployRequirements(e: L1Environment, content: string): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'requirements-'));
  fs.writeFileSync(path.join(dir, 'requirements.txt'), content);
  new s3deploy.BucketDeployment(e.stack, 'Deps', {
    sources: [s3deploy.Source.asset(dir)],
    destinationBucket: s3.Bucket.fromCfnBucket(e.bucket),
    destinationKeyPrefix: 'deps',
  });
  e.env.requirementsS3Path = 'deps/requirements.txt';
  e.env.requirementsS3ObjectVersion = 'v1';
}

/**
 * The endpoints an environment without NAT needs: interface endpoints for SQS, Logs, monitoring and
 * KMS with private DNS in the given subnets, and an S3 gateway endpoint on the given route tables.
 */
function addEndpoints(e: L1Environment, subnetIds: string[], routeTableIds: string[]): void {
  for (const service of ['sqs', 'logs', 'monitoring', 'kms']) {
    new ec2.CfnVPCEndpoint(e.stack, `Ep${service}`, {
      vpcId: e.subnetA.vpcId,
      serviceName: `com.amazonaws.${REGION}.${service}`,
      vpcEndpointType: 'Interface',
      privateDnsEnabled: true,
      subnetIds,
      securityGroupIds: [e.sg.attrGroupId],
    });
  }
  new ec2.CfnVPCEndpoint(e.stack, 'EpS3', { vpcId: e.subnetA.vpcId, serviceName: `com.amazonaws.${REGION}.s3`, routeTableIds });
}

const CONSTRAINT = '--constraint "https://raw.githubusercontent.com/apache/airflow/constraints-2.10.3/constraints-3.11.txt"';

/** A requirements.txt in a fresh folder. */
function requirementsFile(content: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'requirements-')), 'requirements.txt');
  fs.writeFileSync(file, content);
  return file;
}

/**
 * Copy a requirements file into the environment's bucket the other usual way: a file asset copied
 * into place by an `AwsCustomResource` (S3 CopyObject), which returns the version id.
 */
function copyRequirements(e: L1Environment, content: string, options: { key?: string; bucket?: s3.CfnBucket } = {}): void {
  const asset = new s3assets.Asset(e.stack, 'RequirementsAsset', { path: requirementsFile(content) });
  const bucket = options.bucket ?? e.bucket;
  const key = options.key ?? 'requirements.txt';
  const call: cr.AwsSdkCall = {
    service: 'S3',
    action: 'copyObject',
    parameters: { Bucket: bucket.ref, Key: key, CopySource: `${asset.s3BucketName}/${asset.s3ObjectKey}` },
    physicalResourceId: cr.PhysicalResourceId.fromResponse('VersionId'),
  };
  new cr.AwsCustomResource(e.stack, 'CopyRequirements', {
    onCreate: call,
    onUpdate: call,
    policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
    installLatestAwsSdk: false,
  });
  e.env.requirementsS3Path = 'requirements.txt';
  e.env.requirementsS3ObjectVersion = 'v1';
}

describe('MWAA-Requirements-Constraint also reads a file copied into place by an AwsCustomResource', () => {
  test('a copied file without --constraint fails', () => {
    const e = l1Environment();
    copyRequirements(e, 'apache-airflow-providers-snowflake==5.7.0\n');
    const findings = check(e.app);
    expect(rules(findings)).toEqual(['MWAA-Requirements-Constraint']);
    expect(findings[0].message).toMatch(/^requirements\.txt has no --constraint line/);
  });

  test('a copied file with -c passes', () => {
    const e = l1Environment();
    copyRequirements(e, `${CONSTRAINT.replace('--constraint', '-c')}\napache-airflow-providers-snowflake\n`);
    expect(check(e.app)).toEqual([]);
  });

  test('a copy to another key or another bucket is not the environment\'s requirements file', () => {
    const elsewhere = l1Environment();
    copyRequirements(elsewhere, 'unpinned\n', { key: 'other/requirements.txt' });
    expect(check(elsewhere.app)).toEqual([]);

    const otherBucket = l1Environment();
    const bucket = new s3.CfnBucket(otherBucket.stack, 'OtherBucket');
    copyRequirements(otherBucket, 'unpinned\n', { bucket });
    expect(check(otherBucket.app)).toEqual([]);
  });
});

type Breaker = (e: L1Environment) => void;
const failing: Array<[string, Breaker, RegExp]> = [
  ['MWAA-Subnets-Count', e => e.env.addPropertyOverride('NetworkConfiguration.SubnetIds', [e.subnetA.ref]),
    /has 1 subnet\(s\)\. Give NetworkConfiguration\.SubnetIds exactly two private subnets/],
  ['MWAA-Subnets-DistinctAz', e => e.subnetB.availabilityZone = 'eu-west-1a', /Both subnets are in eu-west-1a/],
  ['MWAA-Subnets-SupportedAz', e => { e.subnetA.availabilityZone = undefined; e.subnetA.availabilityZoneId = 'use1-az3'; },
    /Subnet SubnetA is in use1-az3, which MWAA does not support/],
  ['MWAA-Subnets-Private', e => {
    const igw = new ec2.CfnInternetGateway(e.stack, 'Igw');
    new ec2.CfnRoute(e.stack, 'ToInternet', { routeTableId: e.tableA.ref, destinationCidrBlock: '0.0.0.0/0', gatewayId: igw.ref });
  }, /Subnet SubnetA routes to an internet gateway, so it is public/],
  ['MWAA-Network-Endpoints', e => e.natRoutes.forEach(r => e.stack.node.tryRemoveChild(r.node.id)),
    /The subnets have no NAT route: No interface endpoint for sqs\. .*No S3 endpoint/],
  ['MWAA-SecurityGroup-SelfReference', e => e.stack.node.tryRemoveChild(e.selfRules[1].node.id),
    /No self-referencing rule lets TCP 5432 through/],
  ['MWAA-SecurityGroup-Egress', e => e.sg.securityGroupEgress = [{ cidrIp: '255.255.255.255/32', ipProtocol: 'icmp', fromPort: 252, toPort: 86 }],
    /No security group of the environment allows outbound traffic/],
  ['MWAA-Network-Acl', e => {
    const acl = new ec2.CfnNetworkAcl(e.stack, 'Acl', { vpcId: e.subnetA.vpcId });
    new ec2.CfnSubnetNetworkAclAssociation(e.stack, 'AclAssoc', { subnetId: e.subnetA.ref, networkAclId: acl.ref });
    new ec2.CfnNetworkAclEntry(e.stack, 'In443', { networkAclId: acl.ref, ruleNumber: 100, protocol: 6, ruleAction: 'allow', cidrBlock: '10.0.0.0/16', portRange: { from: 443, to: 443 } });
    new ec2.CfnNetworkAclEntry(e.stack, 'Out', { networkAclId: acl.ref, ruleNumber: 100, protocol: -1, ruleAction: 'allow', egress: true, cidrBlock: '10.0.0.0/16' });
  }, /Network ACL Acl of subnet SubnetA does not allow inbound TCP 5432/],
  ['MWAA-ExecutionRole-Trust', e => e.role.assumeRolePolicyDocument = {
    Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: ['airflow.amazonaws.com', 'airflow-env.amazonaws.com'] } }],
  }, /The trust statement for airflow\.amazonaws\.com has no aws:SourceArn condition/],
  ['MWAA-ExecutionRole-Permissions', e => e.policy.policyDocument = {
    Version: '2012-10-17', Statement: POLICY_STATEMENTS(e.bucket.attrArn, e.key.attrArn).filter(s => !JSON.stringify(s.Action).includes('sqs:')),
  }, /The execution role is not allowed sqs:SendMessage/],
  ['MWAA-ExecutionRole-WildcardWrite', e => e.policy.policyDocument = {
    Version: '2012-10-17', Statement: [...POLICY_STATEMENTS(e.bucket.attrArn, e.key.attrArn), { Effect: 'Allow', Action: 's3:PutObject', Resource: '*' }],
  }, /The execution role may s3:PutObject on every resource/],
  ['MWAA-Key-LogsAccess', e => e.key.keyPolicy = {
    Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }],
  }, /The key policy does not let CloudWatch Logs/],
  ['MWAA-Bucket-Versioning', e => e.bucket.versioningConfiguration = { status: 'Suspended' }, /The source bucket is not versioned/],
  ['MWAA-Bucket-PublicAccessBlock', e => e.bucket.publicAccessBlockConfiguration = { blockPublicAcls: true, ignorePublicAcls: true },
    /does not block all public access \(BlockPublicPolicy, RestrictPublicBuckets not set\)/],
  ['MWAA-Bucket-SameKey', e => {
    const other = new kms.CfnKey(e.stack, 'OtherKey', { keyPolicy: e.key.keyPolicy });
    e.bucket.bucketEncryption = { serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: other.attrArn } }] };
  }, /The source bucket is encrypted with OtherKey, the environment with Key/],
  ['MWAA-Logging-Info', e => e.env.addPropertyOverride('LoggingConfiguration.TaskLogs', { Enabled: true, LogLevel: 'WARNING' }), /TaskLogs is at WARNING\. Enable it at INFO/],
  ['MWAA-Config-WorkerConcurrency', e => e.env.airflowConfigurationOptions = { 'celery.worker_concurrency': '16' }, /celery\.worker_concurrency is set/],
  ['MWAA-Config-LazyLoadPlugins', e => { e.env.pluginsS3Path = 'plugins.zip'; e.env.pluginsS3ObjectVersion = 'v1'; },
    /Plugins are used but core\.lazy_load_plugins is not False/],
  ['MWAA-Requirements-Constraint', e => deployRequirements(e, 'apache-airflow-providers-snowflake==5.7.0\n'),
    /deps\/requirements\.txt has no --constraint line/],
  ['MWAA-Webserver-Public', e => e.env.webserverAccessMode = 'PUBLIC_ONLY', /The web server is reachable from the internet/],
];

describe('each rule fails on an L1 environment that breaks it, and only that rule', () => {
  test.each(failing)('%s', (rule, breakIt, message) => {
    const e = l1Environment();
    breakIt(e);
    const findings = check(e.app);
    expect(rules(findings)).toEqual([rule]);
    expect(findings[0].path).toBe('TeamStack/Env');
    expect(findings[0].message).toMatch(message);
  });

  test('every rule has a failing case', () => {
    expect(failing.map(([rule]) => rule).sort()).toEqual([...MwaaChecks.RULE_IDS].sort());
  });
});

describe('passing variants', () => {
  test.each([
    ['all-traffic self rule', (e: L1Environment) => e.selfRules.forEach((r, i) => {
      if (i === 0) { r.ipProtocol = '-1'; r.fromPort = undefined; r.toPort = undefined; } else { e.stack.node.tryRemoveChild(r.node.id); }
    })],
    ['isolated subnets with the endpoints', (e: L1Environment) => {
      e.natRoutes.forEach(r => e.stack.node.tryRemoveChild(r.node.id));
      addEndpoints(e, [e.subnetA.ref, e.subnetB.ref], [e.tableA.ref, e.tableB.ref]);
    }],
    ['network ACLs that allow both ports both ways', (e: L1Environment) => {
      const acl = new ec2.CfnNetworkAcl(e.stack, 'Acl', { vpcId: e.subnetA.vpcId });
      new ec2.CfnSubnetNetworkAclAssociation(e.stack, 'AclAssoc', { subnetId: e.subnetA.ref, networkAclId: acl.ref });
      for (const egress of [false, true]) {
        new ec2.CfnNetworkAclEntry(e.stack, `Vpc${egress}`, { networkAclId: acl.ref, ruleNumber: 100, protocol: -1, ruleAction: 'allow', egress, cidrBlock: '10.0.0.0/16' });
      }
    }],
    ['requirements with a --constraint line', (e: L1Environment) => deployRequirements(e,
      '--constraint "https://raw.githubusercontent.com/apache/airflow/constraints-2.10.3/constraints-3.11.txt"\napache-airflow-providers-snowflake\n')],
    ['plugins with core.lazy_load_plugins False', (e: L1Environment) => {
      e.env.pluginsS3Path = 'plugins.zip';
      e.env.pluginsS3ObjectVersion = 'v1';
      e.env.airflowConfigurationOptions = { 'core.lazy_load_plugins': 'False' };
    }],
    ['subnets from a List<AWS::EC2::Subnet::Id> parameter (counted at deployment)', (e: L1Environment) => {
      const subnetsParam = new CfnParameter(e.stack, 'Subnets', { type: 'List<AWS::EC2::Subnet::Id>' });
      e.env.addPropertyOverride('NetworkConfiguration.SubnetIds', subnetsParam.valueAsList);
    }],
    ['an imported role, key and bucket (nothing to look into)', (e: L1Environment) => {
      e.env.executionRoleArn = `arn:aws:iam::${ACCOUNT}:role/team`;
      e.env.kmsKey = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
      e.env.sourceBucketArn = 'arn:aws:s3:::team-dags';
    }],
  ])('%s', (_name, vary) => {
    const e = l1Environment();
    vary(e);
    expect(check(e.app)).toEqual([]);
  });
});

describe('MWAA-Network-Acl judges the entries that apply to the environment\'s traffic', () => {
  /** The L1 environment with an ACL on subnet A holding the given entries. */
  function withAcl(entries: Array<Omit<ec2.CfnNetworkAclEntryProps, 'networkAclId'>>): Finding[] {
    const e = l1Environment();
    const acl = new ec2.CfnNetworkAcl(e.stack, 'Acl', { vpcId: e.subnetA.vpcId });
    new ec2.CfnSubnetNetworkAclAssociation(e.stack, 'AclAssoc', { subnetId: e.subnetA.ref, networkAclId: acl.ref });
    entries.forEach((entry, i) => new ec2.CfnNetworkAclEntry(e.stack, `Entry${i}`, { networkAclId: acl.ref, ...entry }));
    return check(e.app);
  }
  const vpcWide = (egress: boolean, from: number, to: number, ruleNumber: number) =>
    ({ ruleNumber, protocol: 6, ruleAction: 'allow', egress, cidrBlock: '10.0.0.0/16', portRange: { from, to } });
  const servicesAndReplies = [false, true].flatMap(egress => [
    vpcWide(egress, 443, 443, 100), vpcWide(egress, 5432, 5432, 110), vpcWide(egress, 1024, 65535, 120),
  ]);

  test('443, 5432 and the replies, both ways, pass', () => {
    expect(withAcl(servicesAndReplies)).toEqual([]);
  });

  test('a deny for a range outside the VPC, numbered first, does not count against it', () => {
    expect(withAcl([...servicesAndReplies, { ruleNumber: 50, protocol: 6, ruleAction: 'deny', cidrBlock: '203.0.113.0/24', portRange: { from: 443, to: 443 } }])).toEqual([]);
  });

  test('a deny for the VPC, numbered first, does', () => {
    const findings = withAcl([...servicesAndReplies, { ruleNumber: 50, protocol: 6, ruleAction: 'deny', cidrBlock: '10.0.0.0/8', portRange: { from: 443, to: 443 } }]);
    expect(findings.map(f => f.message)).toEqual(['Network ACL Acl of subnet SubnetA does not allow inbound TCP 443 within the environment\'s subnets. Add an allow entry before any deny.']);
  });

  test('without the replies on ephemeral ports, connections cannot complete', () => {
    const findings = withAcl([false, true].flatMap(egress => [vpcWide(egress, 443, 443, 100), vpcWide(egress, 5432, 5432, 110)]));
    expect(findings.map(f => f.message)).toEqual([[
      'Network ACL Acl of subnet SubnetA does not allow inbound TCP replies on ephemeral ports (1024-65535) within the environment\'s subnets. Add an allow entry before any deny.',
      'Network ACL Acl of subnet SubnetA does not allow outbound TCP replies on ephemeral ports (1024-65535) within the environment\'s subnets. Add an allow entry before any deny.',
    ].join(' ')]);
  });
});

describe('MWAA-Network-Endpoints looks at the environment\'s own subnets', () => {
  /** The L1 environment without NAT, with the endpoints it needs, placed by `place`. */
  function isolatedWith(place: (e: L1Environment) => { subnets: string[]; tables: string[] }): Finding[] {
    const e = l1Environment();
    e.natRoutes.forEach(r => e.stack.node.tryRemoveChild(r.node.id));
    const { subnets, tables } = place(e);
    addEndpoints(e, subnets, tables);
    return check(e.app);
  }

  test('endpoints of another VPC in the same template do not count', () => {
    const findings = isolatedWith(e => {
      const other = new ec2.CfnVPC(e.stack, 'OtherVpc', { cidrBlock: '10.9.0.0/16' });
      const subnets = ['X', 'Y'].map(n => new ec2.CfnSubnet(e.stack, `Other${n}`, { vpcId: other.ref, cidrBlock: `10.9.${n === 'X' ? 0 : 1}.0/24` }));
      const table = new ec2.CfnRouteTable(e.stack, 'OtherTable', { vpcId: other.ref });
      return { subnets: subnets.map(x => x.ref), tables: [table.ref] };
    });
    expect(rules(findings)).toEqual(['MWAA-Network-Endpoints']);
    expect(findings.map(f => f.message)).toEqual([[
      'The subnets have no NAT route: The sqs endpoint is not in both environment subnets.',
      'The subnets have no NAT route: The logs endpoint is not in both environment subnets.',
      'The subnets have no NAT route: The monitoring endpoint is not in both environment subnets.',
      'The subnets have no NAT route: The kms endpoint is not in both environment subnets.',
      'The subnets have no NAT route: The S3 endpoint is not on the route tables of both environment subnets.',
    ].join(' ')]);
  });

  test('two environments in two isolated VPCs of one stack, each with its endpoints, both pass', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'checks-')) });
    const stack = new Stack(app, 'Lib', { env: { account: ACCOUNT, region: REGION } });
    for (const name of ['first', 'second']) {
      const vpc = new ec2.Vpc(stack, `${name}Vpc`, { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'Airflow', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
      new PrivateMwaaEnvironment(stack, name, { environmentName: name, vpc, createVpcEndpoints: true });
    }
    expect(check(app)).toEqual([]);
  });
});

describe('acknowledgements and options', () => {
  test('a rule acknowledged on one environment is not reported for it, and still is for another', () => {
    const e = l1Environment();
    e.env.webserverAccessMode = 'PUBLIC_ONLY';
    new mwaa.CfnEnvironment(e.stack, 'Other', {
      name: 'other',
      executionRoleArn: e.role.attrArn,
      sourceBucketArn: e.bucket.attrArn,
      kmsKey: e.key.attrArn,
      dagS3Path: 'dags',
      networkConfiguration: e.env.networkConfiguration,
      loggingConfiguration: e.env.loggingConfiguration,
      webserverAccessMode: 'PUBLIC_ONLY',
    });
    Validations.of(e.env).acknowledge({ id: 'MWAA-Webserver-Public', reason: 'A public sandbox.' });
    const findings = check(e.app);
    expect(findings.filter(f => f.rule === 'MWAA-Webserver-Public').map(f => f.path)).toEqual(['TeamStack/Other']);
  });

  test('skipRules leaves a rule out everywhere; unknown ids are rejected', () => {
    const e = l1Environment();
    e.env.webserverAccessMode = 'PUBLIC_ONLY';
    expect(check(e.app, new MwaaChecks({ skipRules: ['MWAA-Webserver-Public'] }))).toEqual([]);
    expect(() => new MwaaChecks({ skipRules: ['MWAA-Nope'] })).toThrow(/^`skipRules` must name rules of MwaaChecks \(MWAA-Subnets-Count, .*\), got: MWAA-Nope$/);
  });

  test('registered on the app, a warning-level finding is reported without failing synthesis', () => {
    const e = l1Environment();
    e.env.webserverAccessMode = 'PUBLIC_ONLY';
    Validations.of(e.app).addPlugins(new MwaaChecks());
    const output = [jest.spyOn(console, 'error').mockImplementation(() => undefined), jest.spyOn(console, 'log').mockImplementation(() => undefined)];
    const exitCode = process.exitCode;
    process.exitCode = undefined;
    try {
      e.app.synth();
      expect(process.exitCode).toBeUndefined();
      const reportFile = ['validation-report.json', 'policy-validation-report.json'].map(f => path.join(e.app.outdir, f)).find(f => fs.existsSync(f));
      const report = JSON.parse(fs.readFileSync(reportFile!, 'utf-8'));
      const plugin2 = report.pluginReports.find((r: any) => r.pluginName === 'cdk-private-mwaa-MwaaChecks');
      expect(plugin2.conclusion).toBe('success');
      expect(plugin2.violations.map((v: any) => v.ruleName)).toEqual(['MWAA-Webserver-Public']);
    } finally {
      process.exitCode = exitCode;
      output.forEach(spy => spy.mockRestore());
    }
  });

  test('registered on the app, a finding fails synthesis with a report', () => {
    const e = l1Environment();
    e.bucket.versioningConfiguration = undefined;
    Validations.of(e.app).addPlugins(new MwaaChecks());
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const exitCode = process.exitCode;
    try {
      e.app.synth();
      // CDK marks the process as failed rather than throwing, so that every report is printed.
      expect(process.exitCode).toBe(1);
      const reportFile = ['validation-report.json', 'policy-validation-report.json'].map(f => path.join(e.app.outdir, f)).find(f => fs.existsSync(f));
      expect(reportFile).toBeDefined();
      const report = JSON.parse(fs.readFileSync(reportFile!, 'utf-8'));
      const plugin2 = report.pluginReports.find((r: any) => r.pluginName === 'cdk-private-mwaa-MwaaChecks');
      expect(plugin2.conclusion).toBe('failure');
      const violated = (v: any) => v.violatingConstructs[0];
      expect(plugin2.violations.map((v: any) => [v.ruleName, violated(v).constructPath, violated(v).cloudFormationResource.propertyPaths]))
        .toEqual([['MWAA-Bucket-Versioning', 'TeamStack/Env', ['Properties.SourceBucketArn']]]);
    } finally {
      process.exitCode = exitCode;
      errors.mockRestore();
    }
  });
});

/** What MwaaChecksAspect reported in the synthesized app: each MWAA rule annotation, with its level. */
function aspectFindings(app: App): Array<{ rule: string; path: string; level: string; message: string }> {
  return app.synth().stacks.flatMap(stack => stack.messages)
    .filter(m => /^\[MWAA-/.test(String(m.entry.data)))
    .map(m => ({ rule: String(m.entry.data).match(/^\[(MWAA-[A-Za-z-]+)\]/)![1], path: m.id.replace(/^\//, ''), level: m.level, message: String(m.entry.data) }));
}

const SEVERITY = new Map(MWAA_RULES.map(r => [r.id, r.severity]));

describe('MwaaChecksAspect: the same rules, reported as annotations that fail synthesis in every language', () => {
  test.each(failing)('%s: the same finding as the plugin, at the rule\'s level', (rule, breakIt) => {
    const e = l1Environment();
    breakIt(e);
    Aspects.of(e.app).add(new MwaaChecksAspect());
    const fromPlugin = check(e.app);
    const fromAspect = aspectFindings(e.app);
    expect(fromAspect.map(f => [f.rule, f.path, f.level])).toEqual(fromPlugin.map(f => [f.rule, f.path, SEVERITY.get(f.rule)]));
    expect(fromAspect.map(f => [f.rule, f.path])).toEqual([[rule, 'TeamStack/Env']]);
    // The annotation carries the plugin's explanation, and names the rule for acknowledgement.
    expect(fromAspect[0].message).toContain(fromPlugin[0].message);
    expect(fromAspect[0].message).toMatch(SEVERITY.get(rule) === 'error' ? new RegExp(`\\(annotation::${rule}\\)$`) : new RegExp(`\\[ack: annotation::${rule}\\]`));
  });

  test('both kinds of finding occur among the cases', () => {
    expect(new Set(failing.map(([rule]) => SEVERITY.get(rule)))).toEqual(new Set(['error', 'warning']));
  });

  test('the passing L1 environment gets no annotation', () => {
    const e = l1Environment();
    Aspects.of(e.app).add(new MwaaChecksAspect());
    expect(aspectFindings(e.app)).toEqual([]);
  });

  test('an error annotation is an error (the CLI refuses it), reported once even when synthesized twice', () => {
    const e = l1Environment();
    e.bucket.versioningConfiguration = undefined;
    Aspects.of(e.app).add(new MwaaChecksAspect());
    e.app.synth();
    e.app.synth({ force: true });
    Annotations.fromStack(e.stack).hasError('/TeamStack/Env', Match.stringLikeRegexp('^\\[MWAA-Bucket-Versioning\\] .*The source bucket is not versioned'));
    expect(Annotations.fromStack(e.stack).findError('*', Match.stringLikeRegexp('MWAA-'))).toHaveLength(1);
  });

  test('a warning is acknowledged like the plugin\'s findings, on the environment or above it', () => {
    const e = l1Environment();
    e.env.webserverAccessMode = 'PUBLIC_ONLY';
    expect(SEVERITY.get('MWAA-Webserver-Public')).toBe('warning');
    Aspects.of(e.app).add(new MwaaChecksAspect());
    Validations.of(e.stack).acknowledge({ id: 'MWAA-Webserver-Public', reason: 'A public sandbox.' });
    expect(aspectFindings(e.app)).toEqual([]);
    const unacknowledged = l1Environment();
    unacknowledged.env.webserverAccessMode = 'PUBLIC_ONLY';
    Aspects.of(unacknowledged.app).add(new MwaaChecksAspect());
    expect(aspectFindings(unacknowledged.app).map(f => [f.rule, f.level])).toEqual([['MWAA-Webserver-Public', 'warning']]);
  });

  test('skipRules leaves a rule out; unknown ids are rejected with the plugin\'s message', () => {
    const e = l1Environment();
    e.bucket.versioningConfiguration = undefined;
    Aspects.of(e.app).add(new MwaaChecksAspect({ skipRules: ['MWAA-Bucket-Versioning'] }));
    expect(aspectFindings(e.app)).toEqual([]);
    expect(() => new MwaaChecksAspect({ skipRules: ['MWAA-Nope'] })).toThrow(/^`skipRules` must name rules of MwaaChecks \(MWAA-Subnets-Count, .*\), got: MWAA-Nope$/);
  });

  test('a PrivateMwaaEnvironment with defaults gets no annotation from it', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'checks-')) });
    const stack = new Stack(app, 'Private', { env: { account: ACCOUNT, region: REGION } });
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
    new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'private-env', vpc });
    Aspects.of(app).add(new MwaaChecksAspect());
    expect(aspectFindings(app)).toEqual([]);
  });
});

describe('PrivateMwaaEnvironment passes every rule', () => {
  function privateStack(): { app: App; stack: Stack; vpc: ec2.Vpc } {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'checks-')) });
    const stack = new Stack(app, 'Lib', { env: { account: ACCOUNT, region: REGION } });
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    return { app, stack, vpc };
  }

  test.each([
    ['its defaults', {}],
    ['the all-traffic self rule', { selfReferencingIngress: SelfReferencingIngress.ALL_TRAFFIC }],
    ['customer-managed endpoints', { endpointManagement: EndpointManagement.CUSTOMER }],
    ['plugins and requirements', {
      plugins: DependencyFile.fromBucket('plugins.zip', 'v1'),
      requirements: DependencyFile.fromBucket('requirements.txt', 'v2'),
      airflowConfigurationOptions: { 'core.lazy_load_plugins': 'False' },
    }],
  ])('with %s', (_name, props) => {
    const { app, stack, vpc } = privateStack();
    const env = new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'lib-env', vpc, ...props });
    env.addRecommendedAlarms();
    expect(check(app)).toEqual([]);
  });

  test('with an imported key, bucket and role', () => {
    const { app, stack, vpc } = privateStack();
    new PrivateMwaaEnvironment(stack, 'Airflow', {
      environmentName: 'lib-env',
      vpc,
      kmsKey: kms.Key.fromKeyArn(stack, 'Key', `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`),
      sourceBucket: s3.Bucket.fromBucketName(stack, 'Bucket', 'team-dags'),
      executionRole: iam.Role.fromRoleArn(stack, 'Role', `arn:aws:iam::${ACCOUNT}:role/team-airflow`),
    });
    expect(check(app)).toEqual([]);
  });

  test('with requirements from an asset, the uploaded file is read: without --constraint the problem is reported once, a constraint passes', () => {
    const unpinned = privateStack();
    new PrivateMwaaEnvironment(unpinned.stack, 'Airflow', {
      environmentName: 'lib-env',
      vpc: unpinned.vpc,
      requirements: DependencyFile.fromAsset(requirementsFile('apache-airflow-providers-snowflake==5.7.0\n')),
    });
    // The construct reports it as its warning; the plugin does not repeat it for this environment.
    expect(check(unpinned.app)).toEqual([]);
    expect(constructWarnings(unpinned.stack, MwaaWarnings.REQUIREMENTS_CONSTRAINT)).toHaveLength(1);
    // The rule itself still follows the upload to the file and finds the same problem in it.
    const findings = runRule(unpinned.app, 'MWAA-Requirements-Constraint');
    expect(findings.map(f => f.path)).toEqual(['Lib/Airflow/Resource']);
    expect(findings[0].message).toMatch(/^requirements\.txt has no --constraint line/);

    const pinned = privateStack();
    new PrivateMwaaEnvironment(pinned.stack, 'Airflow', {
      environmentName: 'lib-env',
      vpc: pinned.vpc,
      requirements: DependencyFile.fromAsset(requirementsFile(`${CONSTRAINT}\napache-airflow-providers-snowflake\n`)),
    });
    expect(check(pinned.app)).toEqual([]);
    expect(runRule(pinned.app, 'MWAA-Requirements-Constraint')).toEqual([]);
    expect(constructWarnings(pinned.stack, MwaaWarnings.REQUIREMENTS_CONSTRAINT)).toHaveLength(0);
  });

  test('with a public web server it is flagged once, and acknowledged with the construct\'s warning', () => {
    const flagged = privateStack();
    new PrivateMwaaEnvironment(flagged.stack, 'Airflow', { environmentName: 'lib-env', vpc: flagged.vpc, webserverAccessMode: WebserverAccessMode.PUBLIC_ONLY });
    expect(check(flagged.app)).toEqual([]);
    expect(constructWarnings(flagged.stack, MwaaWarnings.PUBLIC_WEBSERVER)).toHaveLength(1);
    expect(runRule(flagged.app, 'MWAA-Webserver-Public').map(f => f.path)).toEqual(['Lib/Airflow/Resource']);

    const acknowledged = privateStack();
    const env = new PrivateMwaaEnvironment(acknowledged.stack, 'Airflow', { environmentName: 'lib-env', vpc: acknowledged.vpc, webserverAccessMode: WebserverAccessMode.PUBLIC_ONLY });
    CoreAnnotations.of(env).acknowledgeWarning(MwaaWarnings.PUBLIC_WEBSERVER, 'Sandbox without data.');
    expect(check(acknowledged.app)).toEqual([]);
    expect(constructWarnings(acknowledged.stack, MwaaWarnings.PUBLIC_WEBSERVER)).toHaveLength(0);
  });
});

/** The construct's warnings with one id, from the synthesized stack. */
function constructWarnings(stack: Stack, id: string) {
  return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(`\\[ack: ${id}\\]`));
}

/** One rule run on every environment of the app, past the plugin's skipping: what it finds, where. */
function runRule(app: App, ruleId: string): Finding[] {
  const rule = MWAA_RULES.find(r => r.id === ruleId)!;
  const findings: Finding[] = [];
  for (const stack of app.synth().stacks) {
    const template = new TemplateView(stack.templateFullPath, JSON.parse(fs.readFileSync(stack.templateFullPath, 'utf-8')));
    for (const [logicalId, resource] of template.ofType('AWS::MWAA::Environment')) {
      const construct = app.node.findAll().find(c => c instanceof mwaa.CfnEnvironment && Stack.of(c).resolve(c.logicalId) === logicalId);
      for (const message of rule.check({ template, logicalId, props: resource.Properties ?? {} })) {
        findings.push({ rule: ruleId, path: construct?.node.path, message });
      }
    }
  }
  return findings;
}

describe('a problem PrivateMwaaEnvironment and a rule both look for is reported once, under one id, with one severity', () => {
  const plugins = { plugins: DependencyFile.fromBucket('plugins.zip', 'v1') };
  const problems: Array<[string, string, string, () => object, Breaker]> = [
    ['a public web server', MwaaWarnings.PUBLIC_WEBSERVER, 'MWAA-Webserver-Public',
      () => ({ webserverAccessMode: WebserverAccessMode.PUBLIC_ONLY }), e => e.env.webserverAccessMode = 'PUBLIC_ONLY'],
    ['requirements without a constraint', MwaaWarnings.REQUIREMENTS_CONSTRAINT, 'MWAA-Requirements-Constraint',
      () => ({ requirements: DependencyFile.fromAsset(requirementsFile('apache-airflow-providers-snowflake\n')) }), e => deployRequirements(e, 'apache-airflow-providers-snowflake\n')],
    ['lazily loaded plugins', MwaaWarnings.LAZY_LOAD_PLUGINS, 'MWAA-Config-LazyLoadPlugins',
      () => plugins, e => { e.env.pluginsS3Path = 'plugins.zip'; e.env.pluginsS3ObjectVersion = 'v1'; }],
    ['reduced logging', MwaaWarnings.REDUCED_LOGGING, 'MWAA-Logging-Info',
      () => ({ loggingConfiguration: { taskLogs: { logLevel: LogLevel.WARNING } } }),
      e => e.env.addPropertyOverride('LoggingConfiguration.TaskLogs', { Enabled: true, LogLevel: 'WARNING' })],
  ];

  /** The app with MwaaChecks registered, synthesized: the plugin's report and the construct warnings. */
  function synthesizeWithChecks(app: App, stack: Stack, warningId: string) {
    Validations.of(app).addPlugins(new MwaaChecks());
    const output = [jest.spyOn(console, 'error').mockImplementation(() => undefined), jest.spyOn(console, 'log').mockImplementation(() => undefined)];
    const exitCode = process.exitCode;
    process.exitCode = undefined;
    try {
      app.synth();
      const failed = process.exitCode === 1;
      const reportFile = ['validation-report.json', 'policy-validation-report.json'].map(f => path.join(app.outdir, f)).find(f => fs.existsSync(f));
      const report = reportFile ? JSON.parse(fs.readFileSync(reportFile, 'utf-8')) : { pluginReports: [] };
      const plugin = report.pluginReports.find((r: any) => r.pluginName === 'cdk-private-mwaa-MwaaChecks');
      const violations: any[] = plugin?.violations ?? [];
      return { failed, violations, warnings: constructWarnings(stack, warningId) };
    } finally {
      process.exitCode = exitCode;
      output.forEach(spy => spy.mockRestore());
    }
  }

  test.each(problems)('%s: one construct warning, no finding, synthesis succeeds', (_name, warningId, _ruleId, props) => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'checks-')) });
    const stack = new Stack(app, 'Lib', { env: { account: ACCOUNT, region: REGION } });
    new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'lib-env', vpc: new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 }), ...props() });
    const { failed, violations, warnings } = synthesizeWithChecks(app, stack, warningId);
    expect(warnings).toHaveLength(1);
    expect(violations).toEqual([]);
    expect(failed).toBe(false);
  });

  test.each(problems)('%s: a plain CfnEnvironment gets the rule\'s finding, at warning severity, without failing synthesis', (_name, warningId, ruleId, _props, breakIt) => {
    const e = l1Environment();
    breakIt(e);
    const { failed, violations, warnings } = synthesizeWithChecks(e.app, e.stack, warningId);
    expect(violations.map(v => [v.ruleName, v.severity])).toEqual([[ruleId, 'warning']]);
    expect(warnings).toHaveLength(0);
    expect(failed).toBe(false);
  });

  test('an escape-hatch override the construct never saw is still reported by the rule', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'checks-')) });
    const stack = new Stack(app, 'Lib', { env: { account: ACCOUNT, region: REGION } });
    const env = new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'lib-env', vpc: new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 }) });
    (env.node.defaultChild as mwaa.CfnEnvironment).addPropertyOverride('WebserverAccessMode', 'PUBLIC_ONLY');
    const { violations, warnings } = synthesizeWithChecks(app, stack, MwaaWarnings.PUBLIC_WEBSERVER);
    expect(warnings).toHaveLength(0);
    expect(violations.map(v => [v.ruleName, v.violatingConstructs[0].constructPath])).toEqual([['MWAA-Webserver-Public', 'Lib/Airflow/Resource']]);
  });

  test('another construct\'s warning does not silence the rule for a plain environment beside it', () => {
    const { app, stack, vpc } = (() => {
      const a = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'checks-')) });
      const st = new Stack(a, 'Lib', { env: { account: ACCOUNT, region: REGION } });
      return { app: a, stack: st, vpc: new ec2.Vpc(st, 'Vpc', { maxAzs: 2, natGateways: 1 }) };
    })();
    const env = new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'lib-env', vpc, webserverAccessMode: WebserverAccessMode.PUBLIC_ONLY });
    // A plain environment inside the construct's scope, but not its own resource.
    new mwaa.CfnEnvironment(env, 'Sidecar', { name: 'sidecar', webserverAccessMode: 'PUBLIC_ONLY' });
    const findings = check(app).filter(f => f.rule === 'MWAA-Webserver-Public');
    expect(findings.map(f => f.path)).toEqual(['Lib/Airflow/Sidecar']);
  });
});
