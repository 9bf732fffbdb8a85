import { Annotations as CoreAnnotations, App, CfnParameter, Fn, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  AirflowVersion,
  Dags,
  DependencyFile,
  EndpointManagement,
  EnvironmentClass,
  LogLevel,
  PrivateMwaaEnvironment,
  SelfReferencingIngress,
  WebserverAccessMode,
} from '../src';
import { newEnvironment, newStack, newVpc, PartialProps } from './support/fixtures';

/** The one place each test says what it passes; the environment is otherwise the default one. */
function build(props: PartialProps): void {
  newEnvironment(props);
}

describe('bad input fails at synth with the prop, the rule and the value', () => {
  const cases: Array<[string, PartialProps, string]> = [
    // Name
    ['the name is empty', { environmentName: '' },
      '`environmentName` must be 1 to 80 characters long, got: 0 characters (\'\')'],
    ['the name is 81 characters', { environmentName: 'a'.repeat(81) },
      `\`environmentName\` must be 1 to 80 characters long, got: 81 characters ('${'a'.repeat(81)}')`],
    ['the name starts with a digit', { environmentName: '1airflow' },
      '`environmentName` must start with a letter and contain only letters, digits, hyphens and underscores, got: \'1airflow\''],
    ['the name has a dot', { environmentName: 'my.airflow' },
      '`environmentName` must start with a letter and contain only letters, digits, hyphens and underscores, got: \'my.airflow\''],
    ['the name has a space', { environmentName: 'my airflow' },
      '`environmentName` must start with a letter and contain only letters, digits, hyphens and underscores, got: \'my airflow\''],
    // Airflow version
    ['the Airflow version is not a version number', { airflowVersion: AirflowVersion.of('latest') },
      '`airflowVersion` must be a version number MAJOR.MINOR.PATCH, got: \'latest\''],
    ['the Airflow version reached end of support', { airflowVersion: AirflowVersion.of('2.6.3') },
      '`airflowVersion` must be 2.7.2 or newer (older versions have reached end of support and CloudFormation rejects them), got: \'2.6.3\''],
    ['the Airflow version is 1.x', { airflowVersion: AirflowVersion.of('1.10.12') },
      '`airflowVersion` must be 2.7.2 or newer (older versions have reached end of support and CloudFormation rejects them), got: \'1.10.12\''],
    ['the Airflow version is 2.7.0, below the 2.7.2 floor', { airflowVersion: AirflowVersion.of('2.7.0') },
      '`airflowVersion` must be 2.7.2 or newer (older versions have reached end of support and CloudFormation rejects them), got: \'2.7.0\''],
    // Workers
    ['minWorkers is 0', { minWorkers: 0 }, '`minWorkers` must be an integer of at least 1, got: 0'],
    ['minWorkers is not an integer', { minWorkers: 1.5 }, '`minWorkers` must be an integer of at least 1, got: 1.5'],
    ['maxWorkers is 0', { maxWorkers: 0 }, '`maxWorkers` must be an integer of at least 1, got: 0'],
    ['maxWorkers is below minWorkers', { minWorkers: 5, maxWorkers: 3 }, '`maxWorkers` must be at least `minWorkers` (5), got: 3'],
    // Schedulers
    ['there is one scheduler on mw1.small', { schedulers: 1 }, '`schedulers` must be an integer from 2 to 5 for mw1.small, got: 1'],
    ['there are six schedulers', { environmentClass: EnvironmentClass.MW1_LARGE, schedulers: 6 },
      '`schedulers` must be an integer from 2 to 5 for mw1.large, got: 6'],
    ['there are two schedulers on mw1.micro', { environmentClass: EnvironmentClass.MW1_MICRO, schedulers: 2 },
      '`schedulers` must be exactly 1 for mw1.micro, got: 2'],
    // Web servers
    ['minWebservers is 1 on mw1.medium', { environmentClass: EnvironmentClass.MW1_MEDIUM, minWebservers: 1 },
      '`minWebservers` must be an integer from 2 to 5 for mw1.medium, got: 1'],
    ['maxWebservers is 6', { maxWebservers: 6 }, '`maxWebservers` must be an integer from 2 to 5 for mw1.small, got: 6'],
    ['maxWebservers is below minWebservers', { minWebservers: 4, maxWebservers: 3 },
      '`maxWebservers` must be at least `minWebservers` (4), got: 3'],
    ['mw1.micro has two web servers', { environmentClass: EnvironmentClass.MW1_MICRO, maxWebservers: 2 },
      '`maxWebservers` must be exactly 1 for mw1.micro, got: 2'],
    // Maintenance window
    ['the maintenance window has a bad day', { weeklyMaintenanceWindowStart: 'SUNDAY:03:00' },
      '`weeklyMaintenanceWindowStart` must be DAY:HH:MM in UTC, with DAY one of MON..SUN, HH 00-23 and MM 00 or 30, got: \'SUNDAY:03:00\''],
    ['the maintenance window starts at minute 15', { weeklyMaintenanceWindowStart: 'SUN:03:15' },
      '`weeklyMaintenanceWindowStart` must be DAY:HH:MM in UTC, with DAY one of MON..SUN, HH 00-23 and MM 00 or 30, got: \'SUN:03:15\''],
    ['the maintenance window starts at hour 24', { weeklyMaintenanceWindowStart: 'MON:24:00' },
      '`weeklyMaintenanceWindowStart` must be DAY:HH:MM in UTC, with DAY one of MON..SUN, HH 00-23 and MM 00 or 30, got: \'MON:24:00\''],
    ['the maintenance window is lower case', { weeklyMaintenanceWindowStart: 'sun:03:00' },
      '`weeklyMaintenanceWindowStart` must be DAY:HH:MM in UTC, with DAY one of MON..SUN, HH 00-23 and MM 00 or 30, got: \'sun:03:00\''],
    // Configuration options
    ['a configuration key has upper case', { airflowConfigurationOptions: { 'Core.Default_Timezone': 'utc' } },
      '`airflowConfigurationOptions` keys must be lower-case `section.option` names of at most 64 characters (letters, digits, dots and underscores), got: \'Core.Default_Timezone\''],
    ['a configuration key ends with a dot', { airflowConfigurationOptions: { 'core.': 'x' } },
      '`airflowConfigurationOptions` keys must be lower-case `section.option` names of at most 64 characters (letters, digits, dots and underscores), got: \'core.\''],
    ['a configuration key is 65 characters', { airflowConfigurationOptions: { [`core.${'a'.repeat(60)}`]: 'x' } },
      `\`airflowConfigurationOptions\` keys must be lower-case \`section.option\` names of at most 64 characters (letters, digits, dots and underscores), got: 'core.${'a'.repeat(60)}'`],
    ['celery.worker_concurrency is set', { airflowConfigurationOptions: { 'celery.worker_concurrency': '16' } },
      '`airflowConfigurationOptions` must not set `celery.worker_concurrency`: MWAA sets it from the environment class (use `celery.worker_autoscale` instead), got: \'celery.worker_concurrency\''],
    ['a configuration value is empty', { airflowConfigurationOptions: { 'core.default_timezone': '' } },
      '`airflowConfigurationOptions` values must be strings of 1 to 65,536 printable ASCII characters, got: 0 characters for \'core.default_timezone\''],
    ['a configuration value is too long', { airflowConfigurationOptions: { 'webserver.instance_name': 'x'.repeat(65537) } },
      '`airflowConfigurationOptions` values must be strings of 1 to 65,536 printable ASCII characters, got: 65537 characters for \'webserver.instance_name\''],
    ['a configuration value has a newline', { airflowConfigurationOptions: { 'webserver.instance_name': 'a\nb' } },
      '`airflowConfigurationOptions` values must be strings of 1 to 65,536 printable ASCII characters, got: a control or non-ASCII character for \'webserver.instance_name\''],
    // S3 paths and object versions
    ['the DAG folder starts with a slash', { dags: Dags.fromBucket('/dags') },
      '`dags` must be a key relative to the source bucket, 1 to 1,024 characters, without a leading \'/\' or \'s3://\', got: \'/dags\''],
    ['the DAG folder is an S3 URL', { dags: Dags.fromBucket('s3://bucket/dags') },
      '`dags` must be a key relative to the source bucket, 1 to 1,024 characters, without a leading \'/\' or \'s3://\', got: \'s3://bucket/dags\''],
    ['the plugins path starts with a slash', { plugins: DependencyFile.fromBucket('/plugins.zip', 'v1') },
      '`plugins` must be a key relative to the source bucket, 1 to 1,024 characters, without a leading \'/\' or \'s3://\', got: \'/plugins.zip\''],
    // Security groups
    ['the security group list is empty', { securityGroups: [] }, '`securityGroups` must have 1 to 5 security groups, got: 0'],
  ];

  test.each(cases)('fails if %s', (_name, props, message) => {
    // An Error as the expectation compares the whole message, not a part of it.
    expect(() => build(props)).toThrow(new Error(message));
  });

  test('fails if a DAG folder is 1,025 characters', () => {
    const key = 'd'.repeat(1025);
    expect(() => build({ dags: Dags.fromBucket(key) })).toThrow(new Error(
      `\`dags\` must be a key relative to the source bucket, 1 to 1,024 characters, without a leading '/' or 's3://', got: '${key}'`));
  });

  test('fails if there are six security groups', () => {
    const stack = newStack();
    const vpc = newVpc(stack);
    const groups = [1, 2, 3, 4, 5, 6].map(i => new ec2.SecurityGroup(stack, `Sg${i}`, { vpc }));
    expect(() => new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'e', vpc, securityGroups: groups }))
      .toThrow(/^`securityGroups` must have 1 to 5 security groups, got: 6$/);
  });

  test('fails if self-referencing rules are asked for on security groups the user brings', () => {
    const stack = newStack();
    const vpc = newVpc(stack);
    const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc });
    expect(() => new PrivateMwaaEnvironment(stack, 'Airflow', {
      environmentName: 'e', vpc, securityGroups: [sg], selfReferencingIngress: SelfReferencingIngress.ALL_TRAFFIC,
    })).toThrow(/^`selfReferencingIngress` only applies to the security group the construct creates; add the rules to your own `securityGroups` instead, got: ALL_TRAFFIC with 1 security group\(s\)$/);
  });
});

/**
 * The accepted side of each limit above: the value at the limit reaches the template unchanged.
 * (A rule that refused it, an off-by-one, fails here.)
 */
describe('input at the limit is accepted and reaches the template', () => {
  const accepted: Array<[string, PartialProps, { [key: string]: unknown }]> = [
    ['a one-character name', { environmentName: 'a' }, { Name: 'a' }],
    ['an 80-character name', { environmentName: `a${'b'.repeat(79)}` }, { Name: `a${'b'.repeat(79)}` }],
    ['a name with hyphens, underscores and digits', { environmentName: 'My_air-flow2' }, { Name: 'My_air-flow2' }],
    ['Airflow 2.7.2, the oldest version', { airflowVersion: AirflowVersion.of('2.7.2') }, { AirflowVersion: '2.7.2' }],
    ['one worker', { minWorkers: 1, maxWorkers: 1 }, { MinWorkers: 1, MaxWorkers: 1 }],
    ['maxWorkers equal to minWorkers', { minWorkers: 5, maxWorkers: 5 }, { MinWorkers: 5, MaxWorkers: 5 }],
    ['two schedulers on mw1.small', { schedulers: 2 }, { Schedulers: 2 }],
    ['five schedulers on mw1.large', { environmentClass: EnvironmentClass.MW1_LARGE, schedulers: 5 }, { Schedulers: 5 }],
    ['one scheduler on mw1.micro', { environmentClass: EnvironmentClass.MW1_MICRO, schedulers: 1 }, { Schedulers: 1 }],
    ['two to five web servers on mw1.medium', { environmentClass: EnvironmentClass.MW1_MEDIUM, minWebservers: 2, maxWebservers: 5 }, { MinWebservers: 2, MaxWebservers: 5 }],
    ['maxWebservers equal to minWebservers', { minWebservers: 3, maxWebservers: 3 }, { MinWebservers: 3, MaxWebservers: 3 }],
    ['one web server on mw1.micro', { environmentClass: EnvironmentClass.MW1_MICRO, maxWebservers: 1 }, { MaxWebservers: 1 }],
    ['the last maintenance slot of the week', { weeklyMaintenanceWindowStart: 'SUN:23:30' }, { WeeklyMaintenanceWindowStart: 'SUN:23:30' }],
    ['the first maintenance slot of a day', { weeklyMaintenanceWindowStart: 'MON:00:00' }, { WeeklyMaintenanceWindowStart: 'MON:00:00' }],
    ['a 64-character configuration key', { airflowConfigurationOptions: { [`core.${'a'.repeat(59)}`]: 'x' } }, { AirflowConfigurationOptions: { [`core.${'a'.repeat(59)}`]: 'x' } }],
    ['a one-character configuration value', { airflowConfigurationOptions: { 'core.default_timezone': 'x' } }, { AirflowConfigurationOptions: { 'core.default_timezone': 'x' } }],
    ['a 65,536-character configuration value', { airflowConfigurationOptions: { 'webserver.instance_name': 'x'.repeat(65536) } }, { AirflowConfigurationOptions: { 'webserver.instance_name': 'x'.repeat(65536) } }],
    ['a one-character DAG folder', { dags: Dags.fromBucket('d') }, { DagS3Path: 'd' }],
    ['a 1,024-character DAG folder', { dags: Dags.fromBucket('d'.repeat(1024)) }, { DagS3Path: 'd'.repeat(1024) }],
    // AWS does not say which Airflow versions PUBLIC_AND_PRIVATE needs, so the construct does not check (README).
    ['PUBLIC_AND_PRIVATE with the oldest Airflow version', { webserverAccessMode: WebserverAccessMode.PUBLIC_AND_PRIVATE, airflowVersion: AirflowVersion.of('2.7.2') },
      { WebserverAccessMode: 'PUBLIC_AND_PRIVATE', AirflowVersion: '2.7.2' }],
  ];

  test.each(accepted)('%s', (_name, props, expected) => {
    const { stack } = newEnvironment(props);
    Template.fromStack(stack).hasResourceProperties('AWS::MWAA::Environment', expected);
  });

  test.each([1, 5])('%d security group(s) of the user\'s', (count) => {
    const stack = newStack();
    const vpc = newVpc(stack);
    const groups = Array.from({ length: count }, (_, i) => new ec2.SecurityGroup(stack, `Sg${i}`, { vpc }));
    new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'e', vpc, securityGroups: groups });
    const ids = Template.fromStack(stack).findResources('AWS::MWAA::Environment');
    expect(Object.values<any>(ids)[0].Properties.NetworkConfiguration.SecurityGroupIds).toHaveLength(count);
  });
});

describe('subnets', () => {
  test('fails if the selection has three subnets', () => {
    const stack = newStack();
    const vpc = newVpc(stack, 3);
    expect(() => new PrivateMwaaEnvironment(stack, 'Airflow', {
      environmentName: 'e', vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    })).toThrow(/^`vpcSubnets` must select exactly two subnets \(MWAA runs in two private subnets in two Availability Zones\), got: 3 subnet\(s\) \(TestStack\/Vpc\/PrivateSubnet1, TestStack\/Vpc\/PrivateSubnet2, TestStack\/Vpc\/PrivateSubnet3\)$/);
  });

  test('fails if the selection has one subnet', () => {
    const stack = newStack();
    const vpc = newVpc(stack);
    expect(() => new PrivateMwaaEnvironment(stack, 'Airflow', {
      environmentName: 'e', vpc, vpcSubnets: { subnets: [vpc.privateSubnets[0]] },
    })).toThrow(/^`vpcSubnets` must select exactly two subnets .*got: 1 subnet\(s\) \(TestStack\/Vpc\/PrivateSubnet1\)$/);
  });

  test('fails if both subnets are in the same Availability Zone', () => {
    const stack = newStack();
    const vpc = newVpc(stack);
    const a = ec2.Subnet.fromSubnetAttributes(stack, 'A', { subnetId: 'subnet-aaaa', availabilityZone: 'eu-west-1a' });
    const b = ec2.Subnet.fromSubnetAttributes(stack, 'B', { subnetId: 'subnet-bbbb', availabilityZone: 'eu-west-1a' });
    expect(() => new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'e', vpc, vpcSubnets: { subnets: [a, b] } }))
      .toThrow(/^`vpcSubnets` must select subnets in two different Availability Zones, got: both in eu-west-1a \(subnet-aaaa, subnet-bbbb\)$/);
  });

  test('fails if the subnets are public', () => {
    const stack = newStack();
    const vpc = newVpc(stack);
    expect(() => new PrivateMwaaEnvironment(stack, 'Airflow', {
      environmentName: 'e', vpc, vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
    })).toThrow(/^`vpcSubnets` must select private subnets \(MWAA does not run in subnets with a route to an internet gateway\), got: public subnet\(s\) \(TestStack\/Vpc\/PublicSubnet1, TestStack\/Vpc\/PublicSubnet2\)$/);
  });

  test('fails if a looked-up public subnet is chosen by id', () => {
    const stack = newStack();
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Imported', {
      vpcId: 'vpc-1234',
      availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      publicSubnetIds: ['subnet-pub1', 'subnet-pub2'],
      privateSubnetIds: ['subnet-prv1', 'subnet-prv2'],
    });
    const pub = ec2.Subnet.fromSubnetAttributes(stack, 'Pub', { subnetId: 'subnet-pub1', availabilityZone: 'eu-west-1a' });
    const prv = ec2.Subnet.fromSubnetAttributes(stack, 'Prv', { subnetId: 'subnet-prv2', availabilityZone: 'eu-west-1b' });
    expect(() => new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'e', vpc, vpcSubnets: { subnets: [pub, prv] } }))
      .toThrow(/^`vpcSubnets` must select private subnets .*got: public subnet\(s\) \(subnet-pub1\)$/);
  });

  test('fails if the VPC has no private subnets in two zones', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'PublicOnly', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }],
    });
    expect(() => new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'e', vpc }))
      .toThrow(/^`vpcSubnets`: MWAA needs two private subnets in two different Availability Zones, and the VPC has none in two zones; pass `vpcSubnets` or use a VPC with private subnets in at least two zones, got: 0 private subnet\(s\) in 0 zone\(s\)$/);
  });
});

describe('keys and buckets the user brings', () => {
  test('fails if the key is an alias', () => {
    const stack = newStack();
    const vpc = newVpc(stack);
    const alias = kms.Alias.fromAliasName(stack, 'Alias', 'alias/airflow');
    expect(() => new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'e', vpc, kmsKey: alias }))
      .toThrow(/^`kmsKey` must be a KMS key, not an alias \(MWAA does not accept aliases\), got: alias\/airflow$/);
  });

  test('fails if the key is multi-Region', () => {
    const stack = newStack();
    const vpc = newVpc(stack);
    const key = kms.Key.fromKeyArn(stack, 'Mrk', 'arn:aws:kms:eu-west-1:111111111111:key/mrk-1234abcd12ab34cd56ef1234567890ab');
    expect(() => new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'e', vpc, kmsKey: key }))
      .toThrow(/^`kmsKey` must be a single-Region key \(MWAA does not accept multi-Region keys\), got: mrk-1234abcd12ab34cd56ef1234567890ab$/);
  });

  test('fails if a key created in the app is multi-Region (kms.Key, or Key.fromCfnKey)', () => {
    const stack = newStack();
    const vpc = newVpc(stack);
    const key = new kms.Key(stack, 'Replicated', { multiRegion: true });
    expect(() => new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'e', vpc, kmsKey: key }))
      .toThrow(new Error('`kmsKey` must be a single-Region key (MWAA does not accept multi-Region keys), got: TestStack/Replicated/Resource with multiRegion: true'));
    const l1 = newStack();
    const cfnKey = new kms.CfnKey(l1, 'L1Key', { keyPolicy: { Version: '2012-10-17', Statement: [] }, multiRegion: true });
    expect(() => new PrivateMwaaEnvironment(l1, 'Airflow', { environmentName: 'e', vpc: newVpc(l1), kmsKey: kms.Key.fromCfnKey(cfnKey) }))
      .toThrow(new Error('`kmsKey` must be a single-Region key (MWAA does not accept multi-Region keys), got: TestStack/L1Key with multiRegion: true'));
  });

  test('a key created in the app that is single-Region, said or by default, is accepted', () => {
    for (const multiRegion of [false, undefined]) {
      const stack = newStack();
      const key = new kms.Key(stack, 'Key', { multiRegion });
      const env = new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'e', vpc: newVpc(stack), kmsKey: key });
      expect(env.kmsKey).toBe(key);
    }
    expect.assertions(2);
  });

  test('fails if the key is in another Region', () => {
    const stack = newStack();
    const vpc = newVpc(stack);
    const key = kms.Key.fromKeyArn(stack, 'Far', 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    expect(() => new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'e', vpc, kmsKey: key }))
      .toThrow(/^`kmsKey` must be in the environment's Region \(eu-west-1\), got: a key in us-east-1$/);
  });

  test('fails if the bucket is not versioned', () => {
    const stack = newStack();
    const vpc = newVpc(stack);
    const bucket = new s3.Bucket(stack, 'Bucket', { blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL });
    expect(() => new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'e', vpc, sourceBucket: bucket }))
      .toThrow(/^`sourceBucket` must have versioning enabled \(MWAA reads pinned object versions\), got: versioning not configured$/);
  });

  test('fails if the bucket does not block all public access', () => {
    const stack = newStack();
    const vpc = newVpc(stack);
    const bucket = new s3.Bucket(stack, 'Bucket', {
      versioned: true,
      blockPublicAccess: new s3.BlockPublicAccess({
        blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: false, restrictPublicBuckets: false,
      }),
    });
    expect(() => new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'e', vpc, sourceBucket: bucket }))
      .toThrow(/^`sourceBucket` must block all public access \(use `blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL`\), got: blockPublicPolicy, restrictPublicBuckets not enabled$/);
  });

  test('fails if the bucket is in another Region', () => {
    const stack = newStack();
    const vpc = newVpc(stack);
    const bucket = s3.Bucket.fromBucketAttributes(stack, 'Bucket', { bucketName: 'far-away', region: 'us-west-2' });
    expect(() => new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'e', vpc, sourceBucket: bucket }))
      .toThrow(/^`sourceBucket` must be in the environment's Region \(eu-west-1\), got: a bucket in us-west-2$/);
  });

  test('fails if the bucket is encrypted with another key than kmsKey', () => {
    const stack = newStack();
    const vpc = newVpc(stack);
    const bucketKey = new kms.Key(stack, 'BucketKey');
    const otherKey = new kms.Key(stack, 'OtherKey');
    const bucket = new s3.Bucket(stack, 'Bucket', {
      versioned: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL, encryptionKey: bucketKey,
    });
    expect(() => new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'e', vpc, sourceBucket: bucket, kmsKey: otherKey }))
      .toThrow(/^`sourceBucket` is encrypted with a different key than `kmsKey`; MWAA needs both to use the same key, got: TestStack\/BucketKey$/);
  });

  test('fails if access logs are asked for on a bucket the user brings', () => {
    const stack = newStack();
    const vpc = newVpc(stack);
    const bucket = s3.Bucket.fromBucketName(stack, 'Bucket', 'mine');
    const logsBucket = s3.Bucket.fromBucketName(stack, 'Logs', 'logs');
    expect(() => new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'e', vpc, sourceBucket: bucket, sourceBucketAccessLogs: logsBucket }))
      .toThrow(/^`sourceBucketAccessLogs` only applies to the bucket the construct creates; configure access logs on your own `sourceBucket`, got: TestStack\/Logs$/);
  });
});

describe('risky but legal input earns an acknowledgeable warning', () => {
  function warningsOf(stack: Stack, id: string) {
    return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(`\\[ack: cdk-private-mwaa:${id}\\]`));
  }

  const warned: Array<[string, string, PartialProps, RegExp]> = [
    ['publicWebserver', 'a public web server', { webserverAccessMode: WebserverAccessMode.PUBLIC_ONLY }, /^`webserverAccessMode` is PUBLIC_ONLY: the Airflow web server can be reached from the internet by anyone who can get a login token\. Acknowledge this warning if that is intended\./],
    ['publicWebserver', 'a public and private web server', { webserverAccessMode: WebserverAccessMode.PUBLIC_AND_PRIVATE }, /^`webserverAccessMode` is PUBLIC_AND_PRIVATE: the Airflow web server can be reached from the internet/],
    ['webserverOpenToAll', 'the whole IPv4 internet as a web server peer', { webserverAccessPeers: [ec2.Peer.anyIpv4()] }, /^`webserverAccessPeers` \(or `allowWebserverAccessFrom`\): the ranges together cover 0\.0\.0\.0\/0, which lets every address reach the web server on TCP 443 .* \(got: 0\.0\.0\.0\/0\)\./],
    ['webserverOpenToAll', 'the whole IPv6 internet as a web server peer', { webserverAccessPeers: [ec2.Peer.anyIpv6()] }, /^`webserverAccessPeers` \(or `allowWebserverAccessFrom`\): the ranges together cover ::\/0, which lets every address reach the web server on TCP 443 .* \(got: ::\/0\)\./],
    ['webserverOpenToAll', '0.0.0.0/0 written out as a web server peer', { webserverAccessPeers: [ec2.Peer.ipv4('0.0.0.0/0')] }, /^`webserverAccessPeers` \(or `allowWebserverAccessFrom`\): the ranges together cover 0\.0\.0\.0\/0, which lets every address reach the web server .* \(got: 0\.0\.0\.0\/0\)\./],
    ['guardrailNeedsTrail', 'the public access guardrail', {}, /^`publicAccessGuardrail`: the guardrail sees CreateEnvironment and UpdateEnvironment calls through CloudTrail only, .* make sure it does, then acknowledge this warning\./],
    ['unknownAirflowVersion', 'an Airflow version the library does not know', { airflowVersion: AirflowVersion.of('3.2.0') }, /^`airflowVersion` 3\.2\.0 is not one this library knows CloudFormation accepts; deployment fails if AWS::MWAA::Environment does not accept it yet\./],
    ['unknownEnvironmentClass', 'an environment class the library does not know', { environmentClass: EnvironmentClass.of('mw1.4xlarge') }, /^`environmentClass` mw1\.4xlarge is not one this library knows; deployment fails if MWAA does not offer it in this Region\./],
    ['workerQuota', 'more workers than the default quota', { maxWorkers: 26 }, /^`maxWorkers` is 26, above the default quota of 25 workers per environment; request a quota increase before deploying\./],
    ['customerEndpoints', 'customer-managed endpoints nothing creates', { endpointManagement: EndpointManagement.CUSTOMER, createCustomerEndpoints: false }, /^`endpointManagement` is CUSTOMER and `createCustomerEndpoints` is off, so nothing here creates the VPC endpoints: the environment stays PENDING/],
    ['reducedLogging', 'a disabled log type', { loggingConfiguration: { taskLogs: { enabled: false } } }, /^`loggingConfiguration`: taskLogs disabled or less verbose than INFO; audits and cdk-nag's MWAA rule expect every log type at INFO or more\./],
    ['reducedLogging', 'a log level above INFO', { loggingConfiguration: { schedulerLogs: { logLevel: LogLevel.ERROR } } }, /^`loggingConfiguration`: schedulerLogs disabled or less verbose than INFO; /],
    ['lazyLoadPlugins', 'plugins without core.lazy_load_plugins False', { plugins: DependencyFile.fromBucket('plugins.zip', 'v1') }, /^`plugins` is set but `airflowConfigurationOptions` does not set 'core\.lazy_load_plugins' to 'False'; .* \(got: not set\)\./],
  ];

  test.each(warned)('warns (%s) on %s, once, with its message', (id, _name, props, message) => {
    const { stack } = newEnvironment(props);
    expect(warningsOf(stack, id).map(w => w.entry.data)).toEqual([expect.stringMatching(message)]);
  });

  test.each(warned)('the %s warning can be acknowledged', (id, _name, props) => {
    const { stack, env } = newEnvironment(props);
    CoreAnnotations.of(env).acknowledgeWarning(`cdk-private-mwaa:${id}`, 'intended in this test');
    expect(warningsOf(stack, id)).toHaveLength(0);
  });

  test('the defaults earn no warning but the guardrail\'s CloudTrail one', () => {
    const { stack } = newEnvironment();
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map(w => /\[ack: ([^\]]+)\]/.exec(String(w.entry.data))?.[1]))
      .toEqual(['cdk-private-mwaa:guardrailNeedsTrail']);
  });

  test('a web server peer that is one network, not the internet, earns no warning', () => {
    const { stack } = newEnvironment({ webserverAccessPeers: [ec2.Peer.ipv4('10.20.0.0/16'), ec2.Peer.ipv6('2001:db8::/32')] });
    expect(warningsOf(stack, 'webserverOpenToAll')).toHaveLength(0);
  });

  test('the open web server warning names what it got', () => {
    const { stack, env } = newEnvironment();
    env.allowWebserverAccessFrom(ec2.Peer.anyIpv6());
    expect(warningsOf(stack, 'webserverOpenToAll').map(w => w.entry.data)).toEqual([expect.stringContaining(
      '`webserverAccessPeers` (or `allowWebserverAccessFrom`): the ranges together cover ::/0, which lets every address reach the web server on TCP 443 and defeats a private web server\'s network boundary; name the client networks instead, or acknowledge this warning (got: ::/0).')]);
  });

  test('plugins with core.lazy_load_plugins False earn no warning', () => {
    const { stack } = newEnvironment({
      plugins: DependencyFile.fromBucket('plugins.zip', 'v1'),
      airflowConfigurationOptions: { 'core.lazy_load_plugins': 'False' },
    });
    expect(warningsOf(stack, 'lazyLoadPlugins')).toHaveLength(0);
  });

  test('warns that an imported bucket cannot be checked', () => {
    const stack = newStack();
    const vpc = newVpc(stack);
    new PrivateMwaaEnvironment(stack, 'Airflow', {
      environmentName: 'e', vpc, sourceBucket: s3.Bucket.fromBucketName(stack, 'Bucket', 'dags-bucket'),
    });
    expect(warningsOf(stack, 'importedBucket')).toHaveLength(1);
  });

  test('warns that the key policy of an imported key cannot be changed', () => {
    const stack = newStack();
    const vpc = newVpc(stack);
    new PrivateMwaaEnvironment(stack, 'Airflow', {
      environmentName: 'e',
      vpc,
      kmsKey: kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab'),
    });
    expect(warningsOf(stack, 'kmsKeyPolicy')).toHaveLength(1);
  });
});

describe('web server peers: valid, canonical ranges; the open-to-all warning also for ranges that together cover everything', () => {
  const V4 = 'an IPv4 range a.b.c.d/n with octets up to 255 and n up to 32';
  test.each<[string, ec2.IPeer, string]>([
    ['an octet above 255 and a prefix above 32', ec2.Peer.ipv4('10.0.0.300/33'), `\`webserverAccessPeers\` (or \`allowWebserverAccessFrom\`) must be ${V4}, got: 10.0.0.300/33`],
    ['an octet of 256', ec2.Peer.ipv4('10.0.256.0/24'), `\`webserverAccessPeers\` (or \`allowWebserverAccessFrom\`) must be ${V4}, got: 10.0.256.0/24`],
    ['a prefix of 33', ec2.Peer.ipv4('10.0.0.0/33'), `\`webserverAccessPeers\` (or \`allowWebserverAccessFrom\`) must be ${V4}, got: 10.0.0.0/33`],
    ['a non-canonical IPv4 range', ec2.Peer.ipv4('10.0.0.1/24'),
      '`webserverAccessPeers` (or `allowWebserverAccessFrom`) must be a range in canonical form (no address bits after the prefix), such as 10.0.0.0/24, got: 10.0.0.1/24'],
    ['an IPv6 prefix of 129', ec2.Peer.ipv6('2001:db8::/129'),
      '`webserverAccessPeers` (or `allowWebserverAccessFrom`) must be an IPv6 range with a prefix up to 128, got: 2001:db8::/129'],
    ['a non-canonical IPv6 range', ec2.Peer.ipv6('2001:db8::1/64'),
      '`webserverAccessPeers` (or `allowWebserverAccessFrom`) must be a range in canonical form (no address bits after the prefix), such as 2001:db8:0:0:0:0:0:0/64, got: 2001:db8::1/64'],
  ])('%s fails', (_what, peer, message) => {
    expect(() => build({ webserverAccessPeers: [peer] })).toThrow(message);
  });

  test('the limits themselves are accepted: 255, /32, /0 prefixes of canonical ranges, /128', () => {
    const { stack } = newEnvironment({ webserverAccessPeers: [ec2.Peer.ipv4('255.255.255.255/32'), ec2.Peer.ipv4('10.0.0.0/24'), ec2.Peer.ipv6('2001:db8::1/128')] });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('webserverOpenToAll'))).toEqual([]);
  });

  test.each<[string, ec2.IPeer[], string]>([
    ['0.0.0.0/1 and 128.0.0.0/1', [ec2.Peer.ipv4('0.0.0.0/1'), ec2.Peer.ipv4('128.0.0.0/1')], '0.0.0.0/0'],
    ['four quarters, out of order', [ec2.Peer.ipv4('192.0.0.0/2'), ec2.Peer.ipv4('0.0.0.0/2'), ec2.Peer.ipv4('128.0.0.0/2'), ec2.Peer.ipv4('64.0.0.0/2')], '0.0.0.0/0'],
    ['::/1 and 8000::/1', [ec2.Peer.ipv6('::/1'), ec2.Peer.ipv6('8000::/1')], '::/0'],
  ])('%s together warn once, by id and message', (_what, peers, everyone) => {
    const { stack } = newEnvironment({ webserverAccessPeers: peers });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('\\[ack: cdk-private-mwaa:webserverOpenToAll\\]'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].entry.data).toContain(`\`webserverAccessPeers\` (or \`allowWebserverAccessFrom\`): the ranges together cover ${everyone}, which lets every address reach the web server on TCP 443`);
  });

  test.each<[string, ec2.IPeer[]]>([
    ['0.0.0.0/1 and 128.0.0.0/2 (a quarter missing)', [ec2.Peer.ipv4('0.0.0.0/1'), ec2.Peer.ipv4('128.0.0.0/2')]],
    ['0.0.0.0/1 and ::/1 (one half of each family)', [ec2.Peer.ipv4('0.0.0.0/1'), ec2.Peer.ipv6('::/1')]],
    ['everything but the last address', [ec2.Peer.ipv4('0.0.0.0/1'), ec2.Peer.ipv4('128.0.0.0/2'), ec2.Peer.ipv4('192.0.0.0/3'), ec2.Peer.ipv4('224.0.0.0/4'),
      ec2.Peer.ipv4('240.0.0.0/5'), ec2.Peer.ipv4('248.0.0.0/6'), ec2.Peer.ipv4('252.0.0.0/7'), ec2.Peer.ipv4('254.0.0.0/8'), ec2.Peer.ipv4('255.0.0.0/9'),
      ec2.Peer.ipv4('255.128.0.0/10'), ec2.Peer.ipv4('255.192.0.0/11'), ec2.Peer.ipv4('255.224.0.0/12'), ec2.Peer.ipv4('255.240.0.0/13'), ec2.Peer.ipv4('255.248.0.0/14'),
      ec2.Peer.ipv4('255.252.0.0/15'), ec2.Peer.ipv4('255.254.0.0/16'), ec2.Peer.ipv4('255.255.0.0/17'), ec2.Peer.ipv4('255.255.128.0/18'), ec2.Peer.ipv4('255.255.192.0/19'),
      ec2.Peer.ipv4('255.255.224.0/20'), ec2.Peer.ipv4('255.255.240.0/21'), ec2.Peer.ipv4('255.255.248.0/22'), ec2.Peer.ipv4('255.255.252.0/23'), ec2.Peer.ipv4('255.255.254.0/24'),
      ec2.Peer.ipv4('255.255.255.0/25'), ec2.Peer.ipv4('255.255.255.128/26'), ec2.Peer.ipv4('255.255.255.192/27'), ec2.Peer.ipv4('255.255.255.224/28'),
      ec2.Peer.ipv4('255.255.255.240/29'), ec2.Peer.ipv4('255.255.255.248/30'), ec2.Peer.ipv4('255.255.255.252/31'), ec2.Peer.ipv4('255.255.255.254/32')]],
  ])('%s do not warn', (_what, peers) => {
    const { stack } = newEnvironment({ webserverAccessPeers: peers, createNetworkAcl: false } as PartialProps);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('webserverOpenToAll'))).toEqual([]);
  });
});

describe('inputs that reached CloudFormation before', () => {
  test.each([
    ['fromEnvironmentName', (stack: Stack) => PrivateMwaaEnvironment.fromEnvironmentName(stack, 'I', 'prod}"'),
      '`environmentName` (of the imported environment) must start with a letter and contain only letters, digits, hyphens and underscores, got: \'prod}"\''],
    ['fromEnvironmentAttributes', (stack: Stack) => PrivateMwaaEnvironment.fromEnvironmentAttributes(stack, 'I', { environmentName: 'a'.repeat(81) }),
      `\`environmentName\` (of the imported environment) must be 1 to 80 characters long, got: 81 characters ('${'a'.repeat(81)}')`],
    ['fromEnvironmentArn', (stack: Stack) => PrivateMwaaEnvironment.fromEnvironmentArn(stack, 'I', 'arn:aws:airflow:eu-west-1:111111111111:environment/1st.env'),
      '`environmentArn` (its environment name, in arn:aws:airflow:eu-west-1:111111111111:environment/1st.env) must start with a letter and contain only letters, digits, hyphens and underscores, got: \'1st.env\''],
  ])('an imported environment name follows the same rule: %s', (_how, importIt, message) => {
    expect(() => importIt(newStack())).toThrow(message);
  });

  test('imported names at the limits are accepted', () => {
    const stack = newStack();
    expect(PrivateMwaaEnvironment.fromEnvironmentName(stack, 'A', 'a'.repeat(80)).environmentName).toHaveLength(80);
    expect(PrivateMwaaEnvironment.fromEnvironmentArn(stack, 'B', 'arn:aws:airflow:eu-west-1:111111111111:environment/a_b-C1').environmentName).toBe('a_b-C1');
  });

  test('a log level outside MWAA\'s set fails, naming the log type', () => {
    expect(() => build({ loggingConfiguration: { workerLogs: { logLevel: 'TRACE' as LogLevel } } })).toThrow(
      "`loggingConfiguration.workerLogs.logLevel` must be one of MWAA's log levels, CRITICAL, ERROR, WARNING, INFO, DEBUG, got: 'TRACE'");
  });

  test.each(Object.values(LogLevel))('log level %s is accepted', (level) => {
    expect(() => build({ loggingConfiguration: { taskLogs: { logLevel: level } } })).not.toThrow();
  });

  test('a key of another account warns, naming what its key policy must allow; a key of this account does not', () => {
    const stack = newStack();
    const other = kms.Key.fromKeyArn(stack, 'Other', 'arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'e', vpc: newVpc(stack), kmsKey: other });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('\\[ack: cdk-private-mwaa:kmsKeyOtherAccount\\]'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].entry.data).toContain(`\`kmsKey\` belongs to account 222222222222, not this stack's ${stack.account}, so its key policy is not ours to change. It must let the execution role use the key`);
    expect(warnings[0].entry.data).toContain('kms:CreateGrant');
    const same = newStack();
    new PrivateMwaaEnvironment(same, 'Airflow', { environmentName: 'e', vpc: newVpc(same), kmsKey: kms.Key.fromKeyArn(same, 'Mine', `arn:aws:kms:eu-west-1:${same.account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`) });
    expect(Annotations.fromStack(same).findWarning('*', Match.stringLikeRegexp('kmsKeyOtherAccount'))).toEqual([]);
  });
});

describe('unresolved tokens are not validated', () => {
  test('numbers and strings that are tokens pass through', () => {
    const stack = newStack();
    const vpc = newVpc(stack);
    const workers = new CfnParameter(stack, 'Workers', { type: 'Number' }).valueAsNumber;
    const window = new CfnParameter(stack, 'Window').valueAsString;
    expect(() => new PrivateMwaaEnvironment(stack, 'Airflow', {
      environmentName: 'e', vpc, minWorkers: workers, maxWorkers: workers, schedulers: workers, weeklyMaintenanceWindowStart: window,
    })).not.toThrow();
  });

  test('an Airflow version or environment class from a parameter passes through, without a warning', () => {
    const stack = newStack();
    const vpc = newVpc(stack);
    const version = new CfnParameter(stack, 'AirflowVersion').valueAsString;
    const environmentClass = new CfnParameter(stack, 'EnvironmentClass').valueAsString;
    const env = new PrivateMwaaEnvironment(stack, 'Airflow', {
      environmentName: 'e', vpc, airflowVersion: AirflowVersion.of(version), environmentClass: EnvironmentClass.of(environmentClass),
    });
    expect(stack.resolve((env.node.defaultChild as any).airflowVersion)).toEqual({ Ref: 'AirflowVersion' });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cdk-private-mwaa:unknown'));
    expect(warnings).toEqual([]);
  });
});

describe('the Airflow version rule is one rule', () => {
  test('2.7.2, the oldest version CloudFormation accepts, passes without a warning', () => {
    const { stack } = newEnvironment({ airflowVersion: AirflowVersion.V2_7_2 });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('unknownAirflowVersion'))).toHaveLength(0);
    const { stack: written } = newEnvironment({ airflowVersion: AirflowVersion.of('2.7.2') });
    expect(Annotations.fromStack(written).findWarning('*', Match.stringLikeRegexp('unknownAirflowVersion'))).toHaveLength(0);
  });
});

describe('the network ACL needs the VPC\'s range', () => {
  const importedVpc = (stack: Stack, cidr?: string) => ec2.Vpc.fromVpcAttributes(stack, 'Imported', {
    vpcId: 'vpc-0123456789abcdef0',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2'],
    vpcCidrBlock: cidr,
  });

  test('fails, naming `createNetworkAcl` and what to pass, if the VPC was imported without its CIDR block', () => {
    const stack = newStack();
    expect(() => new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'e', vpc: importedVpc(stack), createNetworkAcl: true }))
      .toThrow(new Error('`createNetworkAcl` needs the VPC\'s IPv4 CIDR block for its rules, and the VPC TestStack/Imported was imported without one: pass `vpcCidrBlock` to `ec2.Vpc.fromVpcAttributes` (or use `ec2.Vpc.fromLookup`), got: a VPC without `vpcCidrBlock`'));
  });

  test('an imported VPC with its CIDR block, or no network ACL, is fine', () => {
    const stack = newStack();
    new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'e', vpc: importedVpc(stack, '10.0.0.0/16'), createNetworkAcl: true });
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::NetworkAclEntry', { CidrBlock: '10.0.0.0/16', RuleNumber: 100, Egress: false, RuleAction: 'allow' });
    const other = newStack();
    new PrivateMwaaEnvironment(other, 'Airflow', { environmentName: 'e', vpc: importedVpc(other) });
    const template = Template.fromStack(other);
    template.resourceCountIs('AWS::MWAA::Environment', 1);
    template.resourceCountIs('AWS::EC2::NetworkAcl', 0);
  });
});

describe('keys and buckets the user brings: what is checked, and what only warns', () => {
  const KEY_IN = (account: string, region = 'eu-west-1') => `arn:aws:kms:${region}:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
  const warningsOf = (stack: Stack, id: string) => Annotations.fromStack(stack)
    .findWarning('*', Match.stringLikeRegexp(`\\[ack: cdk-private-mwaa:${id}\\]`)).map(w => w.entry.data as string);
  /** A stack whose account and Region are known only at deploy time. */
  const agnosticStack = () => new Stack(new App(), 'Agnostic');

  test('a key of another account: the whole warning, ending with the key it got', () => {
    const stack = newStack();
    new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'e', vpc: newVpc(stack), kmsKey: kms.Key.fromKeyArn(stack, 'Other', KEY_IN('222222222222')) });
    expect(warningsOf(stack, 'kmsKeyOtherAccount')).toEqual([expect.stringMatching(new RegExp(
      '^`kmsKey` belongs to account 222222222222, not this stack\'s 111111111111, so its key policy is not ours to change\\. It must let the execution role use '
      + 'the key through S3 and SQS \\(kms:Decrypt, kms:DescribeKey, kms:Encrypt, kms:GenerateDataKey\\*\\), the principal that deploys the environment create '
      + 'grants for MWAA \\(kms:CreateGrant\\), and logs\\.eu-west-1\\.amazonaws\\.com encrypt the environment\'s five log groups; or acknowledge this warning '
      + '\\(got: arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab\\)\\.'))]);
  });

  test('the key of a bucket from another account warns the same way, naming the bucket\'s key', () => {
    const stack = newStack();
    const sourceBucket = s3.Bucket.fromBucketAttributes(stack, 'Bucket', {
      bucketName: 'team-dags', encryptionKey: kms.Key.fromKeyArn(stack, 'BucketKey', KEY_IN('222222222222')),
    });
    new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'e', vpc: newVpc(stack), sourceBucket });
    expect(warningsOf(stack, 'kmsKeyOtherAccount')).toEqual([expect.stringMatching(/^`sourceBucket`'s key belongs to account 222222222222, not this stack's 111111111111/)]);
    expect(warningsOf(stack, 'kmsKeyPolicy')).toEqual([expect.stringMatching(/^`sourceBucket`'s key is imported, so its key policy cannot be changed here/)]);
  });

  test('a key whose account is known only at deploy time, or a stack without an account, is not compared', () => {
    const stack = newStack();
    const tokenArn = Fn.importValue('SharedKeyArn');
    new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'e', vpc: newVpc(stack), kmsKey: kms.Key.fromKeyArn(stack, 'Shared', tokenArn) });
    expect(warningsOf(stack, 'kmsKeyOtherAccount')).toEqual([]);
    const agnostic = agnosticStack();
    new PrivateMwaaEnvironment(agnostic, 'Airflow', { environmentName: 'e', vpc: newVpc(agnostic), kmsKey: kms.Key.fromKeyArn(agnostic, 'Other', KEY_IN('222222222222')) });
    expect(warningsOf(agnostic, 'kmsKeyOtherAccount')).toEqual([]);
  });

  test('an imported key: the warning names the five log groups the key policy must admit', () => {
    const stack = newStack();
    new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'e', vpc: newVpc(stack), kmsKey: kms.Key.fromKeyArn(stack, 'Key', KEY_IN('111111111111')) });
    expect(warningsOf(stack, 'kmsKeyPolicy')).toEqual([expect.stringMatching(new RegExp(
      '^`kmsKey` is imported, so its key policy cannot be changed here\\. Make sure it lets the service principal logs\\.eu-west-1\\.amazonaws\\.com use the key '
      + 'for the log groups airflow-e-DAGProcessing, airflow-e-Scheduler, airflow-e-Task, airflow-e-WebServer, airflow-e-Worker '
      + '\\(kms:EncryptionContext:aws:logs:arn\\), or creating the log groups fails\\.'))]);
  });

  test('an imported bucket: the warning says what MWAA requires of it', () => {
    const stack = newStack();
    new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'e', vpc: newVpc(stack), sourceBucket: s3.Bucket.fromBucketName(stack, 'Bucket', 'dags-bucket') });
    expect(warningsOf(stack, 'importedBucket')).toEqual([expect.stringMatching(
      /^`sourceBucket` is imported, so its settings cannot be checked here\. MWAA requires versioning enabled and all public access blocked, and if the bucket uses SSE-KMS, the key must be the environment's key\./)]);
  });

  test('a Region known only at deploy time, on either side, is not compared', () => {
    const stack = newStack();
    const bucket = s3.Bucket.fromBucketAttributes(stack, 'Bucket', { bucketName: 'team-dags', region: Fn.importValue('BucketRegion') });
    const key = kms.Key.fromKeyArn(stack, 'Key', Fn.importValue('KeyArn'));
    expect(() => new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'e', vpc: newVpc(stack), sourceBucket: bucket, kmsKey: key })).not.toThrow();
    const agnostic = agnosticStack();
    const farBucket = s3.Bucket.fromBucketAttributes(agnostic, 'Bucket', { bucketName: 'far-away', region: 'us-west-2' });
    const farKey = kms.Key.fromKeyArn(agnostic, 'Key', KEY_IN('111111111111', 'us-west-2'));
    expect(() => new PrivateMwaaEnvironment(agnostic, 'Airflow', { environmentName: 'e', vpc: newVpc(agnostic), sourceBucket: farBucket, kmsKey: farKey }))
      .not.toThrow();
  });

  test('a key in another Region is refused, naming both Regions', () => {
    const stack = newStack();
    expect(() => new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'e', vpc: newVpc(stack), kmsKey: kms.Key.fromKeyArn(stack, 'Key', KEY_IN('111111111111', 'us-west-2')) }))
      .toThrow(new Error('`kmsKey` must be in the environment\'s Region (eu-west-1), got: a key in us-west-2'));
  });

  test('kmsKey with a bucket that has no key of its own, or the same key, is accepted', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    const plain = new s3.Bucket(stack, 'Plain', { versioned: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL });
    expect(() => new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'e', vpc: newVpc(stack), sourceBucket: plain, kmsKey: key })).not.toThrow();
    const same = new s3.Bucket(stack, 'Same', { versioned: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL, encryptionKey: key });
    expect(() => new PrivateMwaaEnvironment(stack, 'Airflow2', { environmentName: 'f', vpc: newVpc(stack, 2, 'Vpc2'), sourceBucket: same, kmsKey: key })).not.toThrow();
  });
});
