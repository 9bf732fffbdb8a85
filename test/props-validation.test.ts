import { CfnParameter, Fn, Lazy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import {
  AirflowVersion,
  Dags,
  DependencyFile,
  EndpointManagement,
  LogLevel,
  MwaaSharedVpcParticipant,
  PrivateMwaaEnvironment,
  WebserverAccessMode,
} from '../src';
import { newEnvironment, newStack, newVpc, PartialProps } from './support/fixtures';
import { trySelect, validateOutsideDagFolder, validateWebserverPeer, warnIfOpenToAll } from '../src/private/props-validation';

/*
 * The rules of src/private/props-validation.ts that test/validation.test.ts leaves untested, found by
 * mutation testing (docs/testing.md).
 */

/*
 * What mutation testing found untested in src/private/props-validation.ts. Through the construct where
 * it reaches the rule; the helpers imported above where it cannot (a range ec2.Peer refuses before the
 * construct sees it, a folder the construct never passes, both families covered at once).
 */

/** A stack with one parameter, for deploy-time values: the value is not known at synth. */
function withParameter(type = 'String'): { stack: Stack; vpc: ec2.Vpc; param: CfnParameter } {
  const stack = newStack();
  return { stack, vpc: newVpc(stack), param: new CfnParameter(stack, 'P', { type }) };
}

/** The one MWAA environment of a stack, as CloudFormation gets it. */
function environmentProperties(stack: Stack): { [key: string]: any } {
  return Object.values<any>(Template.fromStack(stack).findResources('AWS::MWAA::Environment'))[0].Properties;
}

/** The messages of one warning id, each with its acknowledgement tag. */
function warningMessages(stack: Stack, id: string): string[] {
  return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(`\\[ack: cdk-private-mwaa:${id}\\]`)).map(w => w.entry.data as string);
}

describe('account ids are twelve digits; a deploy-time account is not checked', () => {
  function participant(account: string): Stack {
    const stack = newStack();
    new MwaaSharedVpcParticipant(stack, 'Participant', { vpcOwnerAccount: account });
    return stack;
  }

  test.each([
    ['eleven digits', '22222222222', "`vpcOwnerAccount` must be a 12-digit AWS account id, got: '22222222222'"],
    ['thirteen digits', '2222222222222', "`vpcOwnerAccount` must be a 12-digit AWS account id, got: '2222222222222'"],
    ['twelve digits after a letter', 'a222222222222', "`vpcOwnerAccount` must be a 12-digit AWS account id, got: 'a222222222222'"],
    ['twelve digits before a letter', '222222222222a', "`vpcOwnerAccount` must be a 12-digit AWS account id, got: '222222222222a'"],
  ])('%s fail', (_what, account, message) => {
    expect(() => participant(account)).toThrow(new Error(message));
  });

  test('twelve digits are accepted and the reader role trusts that account', () => {
    const stack = participant('222222222222');
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::222222222222:root']] } } })] },
    });
  });

  test('an account from a parameter is accepted and reaches the trust policy', () => {
    const { stack, param } = withParameter();
    new MwaaSharedVpcParticipant(stack, 'Participant', { vpcOwnerAccount: param.valueAsString });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'P' }, ':root']] } } })] },
    });
  });
});

describe('subnets: what the messages count and list', () => {
  const oneZoneVpc = (stack: Stack, zone: string) => ec2.Vpc.fromVpcAttributes(stack, 'OneZone', {
    vpcId: 'vpc-0123456789abcdef0', availabilityZones: [zone], privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaa1'],
  });
  const NONE_IN_TWO_ZONES = '`vpcSubnets`: MWAA needs two private subnets in two different Availability Zones, and the VPC has none in two zones; '
    + 'pass `vpcSubnets` or use a VPC with private subnets in at least two zones, got: ';

  test('a selection of no subnets fails, with no empty list of them', () => {
    const stack = newStack();
    expect(() => new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'e', vpc: newVpc(stack), vpcSubnets: { subnets: [] } }))
      .toThrow(new Error('`vpcSubnets` must select exactly two subnets (MWAA runs in two private subnets in two Availability Zones), got: 0 subnet(s)'));
  });

  test('a VPC with a private subnet in one known zone counts that zone', () => {
    const stack = newStack();
    expect(() => new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'e', vpc: oneZoneVpc(stack, 'eu-west-1a') }))
      .toThrow(new Error(`${NONE_IN_TWO_ZONES}1 private subnet(s) in 1 zone(s)`));
  });

  test('a zone known only at deploy time is not counted', () => {
    const stack = newStack();
    expect(() => new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'e', vpc: oneZoneVpc(stack, Fn.select(0, Fn.getAzs())) }))
      .toThrow(new Error(`${NONE_IN_TWO_ZONES}1 private subnet(s) in 0 zone(s)`));
  });

  test('trySelect: no subnets for a kind the VPC does not have (where selectSubnets throws), the subnets for one it has', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'PublicOnly', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }] });
    expect(() => vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS })).toThrow();
    expect(trySelect(vpc, { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS })).toEqual([]);
    expect(trySelect(vpc, { subnetType: ec2.SubnetType.PUBLIC })).toEqual(vpc.publicSubnets);
  });
});

describe('names and Airflow versions', () => {
  test('an environment name from a parameter is accepted and reaches the template; the same name imported too', () => {
    const { stack, vpc, param } = withParameter();
    new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: param.valueAsString, vpc });
    expect(environmentProperties(stack).Name).toEqual({ Ref: 'P' });
    const imported = PrivateMwaaEnvironment.fromEnvironmentName(stack, 'Imported', param.valueAsString);
    expect(stack.resolve(imported.environmentName)).toEqual({ Ref: 'P' });
  });

  test.each([
    ['a letter before the version', 'v2.7.2', "`airflowVersion` must be a version number MAJOR.MINOR.PATCH, got: 'v2.7.2'"],
    ['a suffix after the version', '2.7.2rc1', "`airflowVersion` must be a version number MAJOR.MINOR.PATCH, got: '2.7.2rc1'"],
    ['two parts', '2.7', "`airflowVersion` must be a version number MAJOR.MINOR.PATCH, got: '2.7'"],
    ['a patch below the floor in a number of two digits', '2.6.10',
      "`airflowVersion` must be 2.7.2 or newer (older versions have reached end of support and CloudFormation rejects them), got: '2.6.10'"],
    ['2.7.1, the patch before the floor', '2.7.1',
      "`airflowVersion` must be 2.7.2 or newer (older versions have reached end of support and CloudFormation rejects them), got: '2.7.1'"],
  ])('%s fails', (_what, version, message) => {
    expect(() => newEnvironment({ airflowVersion: AirflowVersion.of(version) })).toThrow(new Error(message));
  });

  test.each(['2.7.10', '10.0.0'])('%s, newer than any known version (numbers compared, not text), is accepted with the unknown version warning', (version) => {
    const { stack } = newEnvironment({ airflowVersion: AirflowVersion.of(version) });
    expect(environmentProperties(stack).AirflowVersion).toBe(version);
    expect(warningMessages(stack, 'unknownAirflowVersion')).toEqual([
      `\`airflowVersion\` ${version} is not one this library knows CloudFormation accepts; deployment fails if AWS::MWAA::Environment does not accept it yet. [ack: cdk-private-mwaa:unknownAirflowVersion]`,
    ]);
  });
});

describe('workers and web servers: defaults, the quota, deploy-time counts', () => {
  test.each<[string, PartialProps, { [key: string]: number }]>([
    ['minWorkers 15 alone raises the default maxWorkers to 15', { minWorkers: 15 }, { MinWorkers: 15, MaxWorkers: 15 }],
    ['minWorkers 3 alone keeps the default maxWorkers of 10', { minWorkers: 3 }, { MinWorkers: 3, MaxWorkers: 10 }],
    ['minWebservers 4 alone raises the default maxWebservers to 4', { minWebservers: 4 }, { MinWebservers: 4, MaxWebservers: 4 }],
  ])('%s', (_what, props, expected) => {
    const { stack } = newEnvironment(props);
    expect(environmentProperties(stack)).toMatchObject(expected);
  });

  test('maxWorkers 25, the default quota, is accepted without the quota warning', () => {
    const { stack } = newEnvironment({ maxWorkers: 25 });
    expect(environmentProperties(stack).MaxWorkers).toBe(25);
    expect(warningMessages(stack, 'workerQuota')).toEqual([]);
  });

  test.each([
    ['maxWorkers', 'minWorkers', 'MaxWorkers'],
    ['maxWebservers', 'minWebservers', 'MaxWebservers'],
  ])('%s from a parameter is not compared with a known %s', (max, min, cfn) => {
    const { stack, vpc, param } = withParameter('Number');
    new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'e', vpc, [min]: 3, [max]: param.valueAsNumber });
    expect(environmentProperties(stack)[cfn]).toEqual({ Ref: 'P' });
  });
});

describe('configuration options: values that are not strings or not printable, deploy-time keys and values', () => {
  const VALUES = '`airflowConfigurationOptions` values must be strings of 1 to 65,536 printable ASCII characters, got: ';
  test.each<[string, unknown, string]>([
    ['a number (from JavaScript)', 16, `${VALUES}number for 'core.parallelism'`],
    ['one tab', '\t', `${VALUES}a control or non-ASCII character for 'core.parallelism'`],
    ['65,536 characters with a tab in them', `${'x'.repeat(65535)}\t`, `${VALUES}a control or non-ASCII character for 'core.parallelism'`],
  ])('a value of %s fails, saying what is wrong with it', (_what, value, message) => {
    expect(() => newEnvironment({ airflowConfigurationOptions: { 'core.parallelism': value as string } })).toThrow(new Error(message));
  });

  test('a value from a parameter under a good key is accepted and reaches the template', () => {
    const { stack, vpc, param } = withParameter();
    new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'e', vpc, airflowConfigurationOptions: { 'core.default_timezone': param.valueAsString } });
    expect(environmentProperties(stack).AirflowConfigurationOptions).toEqual({ 'core.default_timezone': { Ref: 'P' } });
  });

  test('a value from a parameter under a bad key fails on the key', () => {
    const { stack, vpc, param } = withParameter();
    expect(() => new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'e', vpc, airflowConfigurationOptions: { 'Core.Default_Timezone': param.valueAsString } }))
      .toThrow(new Error('`airflowConfigurationOptions` keys must be lower-case `section.option` names of at most 64 characters (letters, digits, dots and underscores), got: \'Core.Default_Timezone\''));
  });

  test('a key known only at synthesis\'s end (a lazy value) is not checked and reaches the template', () => {
    const key = Lazy.string({ produce: () => 'core.default_timezone' });
    const { stack } = newEnvironment({ airflowConfigurationOptions: { [key]: 'utc' } });
    expect(environmentProperties(stack).AirflowConfigurationOptions).toEqual({ 'core.default_timezone': 'utc' });
  });

  test('plugins with core.lazy_load_plugins True warn, naming the value', () => {
    const { stack } = newEnvironment({ plugins: DependencyFile.fromBucket('plugins.zip', 'v1'), airflowConfigurationOptions: { 'core.lazy_load_plugins': 'True' } });
    expect(warningMessages(stack, 'lazyLoadPlugins')).toEqual([
      '`plugins` is set but `airflowConfigurationOptions` does not set \'core.lazy_load_plugins\' to \'False\'; plugins are then loaded late and changes to them may not be picked up (got: \'True\'). [ack: cdk-private-mwaa:lazyLoadPlugins]',
    ]);
  });
});

describe('S3 keys and folders: segments, versions, the DAG folder, deploy-time values', () => {
  const SEGMENTS = "must not have '.', '..' or empty segments (keys are taken literally by S3 and IAM), got: ";
  test.each<[string, PartialProps, string]>([
    ['an empty DAG folder', { dags: Dags.fromBucket('') },
      "`dags` must be a key relative to the source bucket, 1 to 1,024 characters, without a leading '/' or 's3://', got: ''"],
    ['a DAG folder "..", with a trailing slash', { dags: Dags.fromBucket('airflow/../') }, `\`dags\` ${SEGMENTS}'airflow/../'`],
    ['a DAG folder with a "." segment', { dags: Dags.fromBucket('airflow/./dags') }, `\`dags\` ${SEGMENTS}'airflow/./dags'`],
    ['a DAG folder with a ".." segment', { dags: Dags.fromBucket('airflow/../dags') }, `\`dags\` ${SEGMENTS}'airflow/../dags'`],
    ['a DAG folder with an empty segment', { dags: Dags.fromBucket('airflow//dags') }, `\`dags\` ${SEGMENTS}'airflow//dags'`],
    ['a DAG folder ending in two slashes', { dags: Dags.fromBucket('dags//') }, `\`dags\` ${SEGMENTS}'dags//'`],
    ['a plugins key with a "." segment', { plugins: DependencyFile.fromBucket('deps/./plugins.zip', 'v1') }, `\`plugins\` ${SEGMENTS}'deps/./plugins.zip'`],
    ['an empty object version', { plugins: DependencyFile.fromBucket('plugins.zip', '') },
      "`plugins` needs the S3 object version of its key (MWAA reads the file at a pinned version), got: ''"],
    ['an object version of spaces', { requirements: DependencyFile.fromBucket('requirements.txt', '  ') },
      "`requirements` needs the S3 object version of its key (MWAA reads the file at a pinned version), got: '  '"],
    ['plugins in the default DAG folder', { plugins: DependencyFile.fromBucket('dags/plugins.zip', 'v1') },
      "`plugins` must be outside the DAG folder dags/, which DAG developers can write to: code put there would run on every Airflow container as the execution role, got: 'dags/plugins.zip'"],
    ['requirements in a nested DAG folder written with a trailing slash', { dags: Dags.fromBucket('airflow/dags/'), requirements: DependencyFile.fromBucket('airflow/dags/requirements.txt', 'v1') },
      "`requirements` must be outside the DAG folder airflow/dags/, which DAG developers can write to: code put there would run on every Airflow container as the execution role, got: 'airflow/dags/requirements.txt'"],
  ])('%s fails', (_what, props, message) => {
    expect(() => newEnvironment(props)).toThrow(new Error(message));
  });

  test('the other side: a trailing slash, dots inside segments, keys next to the DAG folder, versions', () => {
    const { stack } = newEnvironment({
      dags: Dags.fromBucket('airflow/dags/'),
      plugins: DependencyFile.fromBucket('airflow/.plugins/..v2/plugins.zip', 'v1'),
      requirements: DependencyFile.fromBucket('airflow/dags.txt', ' v2 '),
      startupScript: DependencyFile.fromBucket('dags/startup.sh', 'v3'),
    });
    expect(environmentProperties(stack)).toMatchObject({
      DagS3Path: 'airflow/dags/',
      PluginsS3Path: 'airflow/.plugins/..v2/plugins.zip',
      RequirementsS3Path: 'airflow/dags.txt',
      RequirementsS3ObjectVersion: ' v2 ',
      StartupScriptS3Path: 'dags/startup.sh',
    });
  });

  test('a DAG folder with a deploy-time part is not measured (its value may be short); the same length written out fails', () => {
    const { stack, vpc, param } = withParameter();
    const folder = `${'d'.repeat(1010)}${param.valueAsString}`;
    new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'e', vpc, dags: Dags.fromBucket(folder) });
    expect(environmentProperties(stack).DagS3Path).toEqual({ 'Fn::Join': ['', ['d'.repeat(1010), { Ref: 'P' }]] });
    const written = 'd'.repeat(folder.length);
    expect(written.length).toBeGreaterThan(1024);
    expect(() => newEnvironment({ dags: Dags.fromBucket(written) })).toThrow(new Error(
      `\`dags\` must be a key relative to the source bucket, 1 to 1,024 characters, without a leading '/' or 's3://', got: '${written}'`));
  });

  test('a key and an object version from parameters are accepted and reach the template', () => {
    const { stack, vpc, param } = withParameter();
    const version = new CfnParameter(stack, 'Version').valueAsString;
    new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'e', vpc, plugins: DependencyFile.fromBucket(param.valueAsString, version) });
    expect(environmentProperties(stack)).toMatchObject({ PluginsS3Path: { Ref: 'P' }, PluginsS3ObjectVersion: { Ref: 'Version' } });
  });

  test('a key written inside the DAG folder fails even with a deploy-time part: it is in the folder whatever the value', () => {
    const { stack, vpc, param } = withParameter();
    const key = `dags/${param.valueAsString}.zip`;
    expect(() => new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'e', vpc, plugins: DependencyFile.fromBucket(key, 'v1') })).toThrow(new Error(
      `\`plugins\` must be outside the DAG folder dags/, which DAG developers can write to: code put there would run on every Airflow container as the execution role, got: '${key}'`));
  });

  test('a key written inside a DAG folder from a parameter fails; a key that cannot be placed passes', () => {
    const { stack, vpc, param } = withParameter();
    const key = `${param.valueAsString}/startup.sh`;
    expect(() => new PrivateMwaaEnvironment(stack, 'Airflow', {
      environmentName: 'e', vpc, dags: Dags.fromBucket(param.valueAsString), startupScript: DependencyFile.fromBucket(key, 'v1'),
    })).toThrow(new Error(
      `\`startupScript\` must be outside the DAG folder ${param.valueAsString}/, which DAG developers can write to: code put there would run on every Airflow container as the execution role, got: '${key}'`));
    const other = withParameter();
    new PrivateMwaaEnvironment(other.stack, 'Airflow', {
      environmentName: 'e', vpc: other.vpc, dags: Dags.fromBucket(other.param.valueAsString), startupScript: DependencyFile.fromBucket('startup.sh', 'v1'),
    });
    expect(environmentProperties(other.stack)).toMatchObject({ DagS3Path: { Ref: 'P' }, StartupScriptS3Path: 'startup.sh' });
  });

  test('a DAG folder written with several trailing slashes is the same folder (a deploy-time folder is not checked for them)', () => {
    expect(() => validateOutsideDagFolder('plugins', 'dags/plugins.zip', 'dags//')).toThrow(new Error(
      "`plugins` must be outside the DAG folder dags/, which DAG developers can write to: code put there would run on every Airflow container as the execution role, got: 'dags/plugins.zip'"));
  });
});

describe('web server peers: ranges as written, peers that are not ranges, ranges that together cover everything', () => {
  const PEERS = '`webserverAccessPeers` (or `allowWebserverAccessFrom`)';
  const V4 = `${PEERS} must be an IPv4 range a.b.c.d/n with octets up to 255 and n up to 32, got: `;
  const V6 = `${PEERS} must be an IPv6 range with a prefix up to 128, got: `;
  /** A peer that names a range exactly as written, as a user's own IPeer can (ec2.Peer refuses some malformed ranges itself). */
  const written = (rule: { cidrIp?: string; cidrIpv6?: string }): ec2.IPeer => ({
    canInlineRule: true,
    uniqueId: rule.cidrIp ?? rule.cidrIpv6 ?? 'none',
    connections: new ec2.Connections(),
    toIngressRuleConfig: () => rule,
    toEgressRuleConfig: () => rule,
  });

  test.each<[string, { cidrIp?: string; cidrIpv6?: string }, string]>([
    ['IPv4 with a letter before it', { cidrIp: 'x10.0.0.0/8' }, `${V4}x10.0.0.0/8`],
    ['IPv4 with a three-digit prefix', { cidrIp: '10.0.0.0/123' }, `${V4}10.0.0.0/123`],
    ['IPv4 with three octets', { cidrIp: '10.0.0/8' }, `${V4}10.0.0/8`],
    ['IPv6 with a letter before it', { cidrIpv6: 'x2001:db8::/32' }, `${V6}x2001:db8::/32`],
    ['IPv6 with a letter after the prefix', { cidrIpv6: '2001:db8::/32x' }, `${V6}2001:db8::/32x`],
    ['IPv6 with a four-digit prefix', { cidrIpv6: '2001:db8::/1280' }, `${V6}2001:db8::/1280`],
    ['IPv6 with two "::"', { cidrIpv6: '1::2::3/64' }, `${V6}1::2::3/64`],
    ['IPv6 with seven groups and no "::"', { cidrIpv6: '1:2:3:4:5:6:7/128' }, `${V6}1:2:3:4:5:6:7/128`],
    ['IPv6 with nine groups', { cidrIpv6: '1:2:3:4:5:6:7:8:9/128' }, `${V6}1:2:3:4:5:6:7:8:9/128`],
    ['IPv6 with eight groups and a "::" that stands for none', { cidrIpv6: '1:2:3:4::5:6:7:8/128' }, `${V6}1:2:3:4::5:6:7:8/128`],
    ['IPv6 with a group of five hex digits', { cidrIpv6: '12345::/16' }, `${V6}12345::/16`],
    ['IPv6 with an empty last group', { cidrIpv6: '1:2:3:4:5:6:7:/128' }, `${V6}1:2:3:4:5:6:7:/128`],
  ])('%s fails', (_what, rule, message) => {
    expect(() => validateWebserverPeer(written(rule))).toThrow(new Error(message));
  });

  test.each<[string, { cidrIp?: string; cidrIpv6?: string }, bigint, number, number]>([
    ['IPv4', { cidrIp: '10.0.0.0/8' }, 0x0a000000n, 8, 32],
    ['IPv6, eight groups', { cidrIpv6: '1:2:3:4:5:6:7:8/128' }, 0x00010002000300040005000600070008n, 128, 128],
    ['IPv6, "::" for the last group', { cidrIpv6: '1:2:3:4:5:6:7::/128' }, 0x00010002000300040005000600070000n, 128, 128],
    ['IPv6, "::" for the first group', { cidrIpv6: '::2:3:4:5:6:7:8/128' }, 0x00000002000300040005000600070008n, 128, 128],
    ['IPv6, "::" for everything', { cidrIpv6: '::/0' }, 0n, 0, 128],
    ['IPv6, upper case', { cidrIpv6: '2001:DB8::/32' }, 0x20010db8000000000000000000000000n, 32, 128],
  ])('%s is read as its first address and prefix', (_what, rule, first, prefix, bits) => {
    expect(validateWebserverPeer(written(rule))).toEqual({ text: rule.cidrIp ?? rule.cidrIpv6, first, prefix, bits });
  });

  test('a security group and a prefix list are peers but not ranges: accepted, and admitted on TCP 443', () => {
    const stack = newStack();
    const vpc = newVpc(stack);
    const group = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Clients', 'sg-0123456789abcdef0');
    new PrivateMwaaEnvironment(stack, 'Airflow', {
      environmentName: 'e', vpc, createNetworkAcl: false, webserverAccessPeers: [group, ec2.Peer.prefixList('pl-0123456789abcdef0')],
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, SourceSecurityGroupId: 'sg-0123456789abcdef0' });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, SourcePrefixListId: 'pl-0123456789abcdef0' });
  });

  test('ranges from parameters are not parsed (no range to compare): accepted, and they reach the security group', () => {
    const { stack, vpc, param } = withParameter();
    const v6 = new CfnParameter(stack, 'V6').valueAsString;
    new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'e', vpc, createNetworkAcl: false, webserverAccessPeers: [ec2.Peer.ipv4(param.valueAsString), ec2.Peer.ipv6(v6)] });
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: Match.arrayWith([
        Match.objectLike({ FromPort: 443, CidrIp: { Ref: 'P' } }),
        Match.objectLike({ FromPort: 443, CidrIpv6: { Ref: 'V6' } }),
      ]),
    });
    expect(validateWebserverPeer(ec2.Peer.ipv4(param.valueAsString))).toBeUndefined();
    expect(validateWebserverPeer(ec2.Peer.ipv6(v6))).toBeUndefined();
  });

  const OPEN = (everyone: string, got: string) => `${PEERS}: the ranges together cover ${everyone}, which lets every address reach the web server on TCP 443 and defeats `
    + `a private web server's network boundary; name the client networks instead, or acknowledge this warning (got: ${got}). [ack: cdk-private-mwaa:webserverOpenToAll]`;

  test.each<[string, ec2.IPeer[], string]>([
    ['two halves name both in what it got', [ec2.Peer.ipv4('0.0.0.0/1'), ec2.Peer.ipv4('128.0.0.0/1')], OPEN('0.0.0.0/0', '0.0.0.0/1, 128.0.0.0/1')],
    ['a range inside another does not hide the rest', [ec2.Peer.ipv4('0.0.0.0/1'), ec2.Peer.ipv4('32.0.0.0/3'), ec2.Peer.ipv4('128.0.0.0/1')],
      OPEN('0.0.0.0/0', '0.0.0.0/1, 32.0.0.0/3, 128.0.0.0/1')],
    ['an IPv6 range is not named when IPv4 covers everything', [ec2.Peer.ipv6('2001:db8::/32'), ec2.Peer.anyIpv4()], OPEN('0.0.0.0/0', '0.0.0.0/0')],
  ])('%s: warns once, by id and whole message', (_what, peers, message) => {
    const { stack } = newEnvironment({ webserverAccessPeers: peers, createNetworkAcl: false });
    expect(warningMessages(stack, 'webserverOpenToAll')).toEqual([message]);
  });

  test('everything but the last address, and then the last address: warns', () => {
    // 0.0.0.0/1, 128.0.0.0/2, 192.0.0.0/3 ... 255.255.255.254/32: each range the first half of what is left.
    const halves = Array.from({ length: 32 }, (_, i) => {
      const first = 2 ** 32 - 2 ** (32 - i);
      return `${[24, 16, 8, 0].map(shift => Math.floor(first / 2 ** shift) % 256).join('.')}/${i + 1}`;
    });
    expect([halves[0], halves[1], halves[31]]).toEqual(['0.0.0.0/1', '128.0.0.0/2', '255.255.255.254/32']);
    const ranges = [...halves, '255.255.255.255/32'];
    const { stack } = newEnvironment({ webserverAccessPeers: ranges.map(r => ec2.Peer.ipv4(r)), createNetworkAcl: false });
    expect(warningMessages(stack, 'webserverOpenToAll')).toEqual([OPEN('0.0.0.0/0', ranges.join(', '))]);
  });

  test('warnIfOpenToAll, given all the peers at once (as the front door does): both families in one warning, none for one network', () => {
    const stack = newStack();
    const all = [ec2.Peer.anyIpv4(), ec2.Peer.ipv6('2001:db8::/32'), ec2.Peer.anyIpv6()].map(p => validateWebserverPeer(p)!);
    warnIfOpenToAll(stack, all);
    expect(warningMessages(stack, 'webserverOpenToAll')).toEqual([OPEN('0.0.0.0/0 and ::/0', '0.0.0.0/0, 2001:db8::/32, ::/0')]);
    const other = newStack();
    warnIfOpenToAll(other, [validateWebserverPeer(ec2.Peer.ipv4('10.0.0.0/8'))!]);
    expect(warningMessages(other, 'webserverOpenToAll')).toEqual([]);
  });
});

describe('options that only apply with another one, log levels, Airflow 3 features', () => {
  test.each<[string, PartialProps, string]>([
    ['createCustomerEndpoints true with SERVICE endpoints', { createCustomerEndpoints: true },
      '`createCustomerEndpoints` only applies when `endpointManagement` is CUSTOMER, got: true with SERVICE'],
    ['createCustomerEndpoints false with SERVICE endpoints', { endpointManagement: EndpointManagement.SERVICE, createCustomerEndpoints: false },
      '`createCustomerEndpoints` only applies when `endpointManagement` is CUSTOMER, got: false with SERVICE'],
    ['vpcEndpointsOptions without createVpcEndpoints', { vpcEndpointsOptions: { ecr: true } },
      '`vpcEndpointsOptions` only applies when `createVpcEndpoints` is true, got: options with createVpcEndpoints not set'],
    ['vpcEndpointsOptions with createVpcEndpoints false', { createVpcEndpoints: false, vpcEndpointsOptions: { ecr: true } },
      '`vpcEndpointsOptions` only applies when `createVpcEndpoints` is true, got: options with createVpcEndpoints false'],
    ['revertPublicAccess with a public web server', { revertPublicAccess: true, webserverAccessMode: WebserverAccessMode.PUBLIC_ONLY },
      '`revertPublicAccess` makes the web server PRIVATE_ONLY whenever it is made public, so it needs `webserverAccessMode` PRIVATE_ONLY (otherwise the stack and the revert undo each other), got: revertPublicAccess true with webserverAccessMode PUBLIC_ONLY'],
    ['revertPublicAccess without the guardrail', { revertPublicAccess: true, publicAccessGuardrail: false },
      '`revertPublicAccess` is started by the public access guardrail, so it needs `publicAccessGuardrail`, got: revertPublicAccess true with publicAccessGuardrail false'],
    ['allowed self-service options without selfService', { selfServiceAllowedConfigurationOptions: ['core.parallelism', 'celery.worker_autoscale'] },
      '`selfServiceAllowedConfigurationOptions` only applies when `selfService` is true, got: [core.parallelism, celery.worker_autoscale] with selfService not set'],
    ['allowed self-service options with selfService false', { selfService: false, selfServiceAllowedConfigurationOptions: ['core.parallelism'] },
      '`selfServiceAllowedConfigurationOptions` only applies when `selfService` is true, got: [core.parallelism] with selfService false'],
    ['eventQueue on Airflow 2.11.0, the newest before 3', { eventQueue: true, airflowVersion: AirflowVersion.V2_11_0 },
      '`eventQueue` needs Airflow 3 or later (asset watchers on SQS), got: `airflowVersion` 2.11.0'],
  ])('%s fails', (_what, props, message) => {
    expect(() => newEnvironment(props)).toThrow(new Error(message));
  });

  test('the other side: customer endpoints created (said or by default) earn no warning', () => {
    for (const createCustomerEndpoints of [true, undefined]) {
      const { stack } = newEnvironment({ endpointManagement: EndpointManagement.CUSTOMER, createCustomerEndpoints });
      expect(warningMessages(stack, 'customerEndpoints')).toEqual([]);
    }
    expect.assertions(2);
  });

  test('the other side: vpcEndpointsOptions with createVpcEndpoints creates the endpoints', () => {
    const { stack } = newEnvironment({ createVpcEndpoints: true, vpcEndpointsOptions: { ecr: true } });
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceName: 'com.amazonaws.eu-west-1.ecr.api' });
  });

  test('the other side: revertPublicAccess with a private web server and the guardrail creates the revert', () => {
    const { env } = newEnvironment({ revertPublicAccess: true });
    expect(env.publicAccessRevertStateMachineArn).toBeDefined();
    expect(env.publicAccessGuardrailRule).toBeDefined();
  });

  test('the other side: allowed self-service options with selfService create the self-service', () => {
    const { env } = newEnvironment({ selfService: true, selfServiceAllowedConfigurationOptions: ['core.parallelism'] });
    expect(env.selfServiceStateMachineArn).toBeDefined();
  });

  test('the other side: eventQueue on Airflow 3.0.0, the first 3, creates the queue', () => {
    const { env } = newEnvironment({ eventQueue: true, airflowVersion: AirflowVersion.of('3.0.0') });
    expect(env.eventQueue).toBeDefined();
  });

  test('a log level from a parameter is not checked and reaches the template', () => {
    const { stack, vpc, param } = withParameter();
    new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'e', vpc, loggingConfiguration: { taskLogs: { logLevel: param.valueAsString as LogLevel } } });
    expect(environmentProperties(stack).LoggingConfiguration.TaskLogs).toEqual({ Enabled: true, LogLevel: { Ref: 'P' } });
  });

  test('two quiet log types are both named in one warning', () => {
    const { stack } = newEnvironment({ loggingConfiguration: { taskLogs: { enabled: false }, workerLogs: { logLevel: LogLevel.WARNING } } });
    expect(warningMessages(stack, 'reducedLogging')).toEqual([
      '`loggingConfiguration`: taskLogs, workerLogs disabled or less verbose than INFO; audits and cdk-nag\'s MWAA rule expect every log type at INFO or more. [ack: cdk-private-mwaa:reducedLogging]',
    ]);
  });
});
