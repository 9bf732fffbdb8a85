import { CfnParameter, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { MwaaNetworkAcl, PrivateMwaaEnvironment } from '../src';
import { newEnvironment, newStack, newVpc } from './support/fixtures';

/**
 * The network ACL of the environment's subnets (src/network-acl.ts): every entry with its action,
 * ports and range, the client ranges, and the quota warning.
 */

/** Every entry of the environment's network ACL, one line each: direction, rule, action, protocol, ports, range. */
function aclEntries(stack: Stack, env: PrivateMwaaEnvironment): string[] {
  const acl = stack.getLogicalId(env.networkAcl!.networkAcl.node.defaultChild as any);
  return Object.values<any>(Template.fromStack(stack).findResources('AWS::EC2::NetworkAclEntry'))
    .map(r => r.Properties)
    .filter(p => p.NetworkAclId.Ref === acl)
    .map(p => `${p.Egress ? 'out' : 'in'} ${p.RuleNumber} ${p.RuleAction} proto=${p.Protocol} ${p.PortRange.From}-${p.PortRange.To} ${JSON.stringify(p.CidrBlock)}`)
    .sort();
}

describe('the network ACL of the environment\'s subnets', () => {
  test('admits 443 and 5432 inside the VPC, HTTPS out and the replies, and nothing else', () => {
    const { env, vpc, stack } = newEnvironment({ createNetworkAcl: true });
    const template = Template.fromStack(stack);
    const vpcCidr = JSON.stringify(stack.resolve(vpc.vpcCidrBlock));
    expect(aclEntries(stack, env)).toEqual([
      `in 100 allow proto=6 443-443 ${vpcCidr}`,
      `in 110 allow proto=6 5432-5432 ${vpcCidr}`,
      'in 120 allow proto=6 1024-65535 "0.0.0.0/0"',
      'out 100 allow proto=6 443-443 "0.0.0.0/0"',
      `out 110 allow proto=6 5432-5432 ${vpcCidr}`,
      `out 120 allow proto=6 1024-65535 ${vpcCidr}`,
    ].sort());
    const associations = Object.values<any>(template.findResources('AWS::EC2::SubnetNetworkAclAssociation')).map(r => r.Properties.SubnetId);
    expect(associations).toEqual(env.subnets.map(s => stack.resolve(s.subnetId)));
  });

  test('allows (not denies) web server clients from the IPv4 ranges of webserverAccessPeers and later calls: 443 in, replies out', () => {
    const plain = newEnvironment({ createNetworkAcl: true });
    const own = aclEntries(plain.stack, plain.env);
    const { env, stack } = newEnvironment({ createNetworkAcl: true, webserverAccessPeers: [ec2.Peer.ipv4('10.20.0.0/16')] });
    env.allowWebserverAccessFrom(ec2.Peer.ipv4('192.168.8.0/22'));
    expect(own).toHaveLength(6);
    expect(aclEntries(stack, env).filter(e => !own.includes(e))).toEqual([
      'in 200 allow proto=6 443-443 "10.20.0.0/16"',
      'in 210 allow proto=6 443-443 "192.168.8.0/22"',
      'out 200 allow proto=6 1024-65535 "10.20.0.0/16"',
      'out 210 allow proto=6 1024-65535 "192.168.8.0/22"',
    ]);
  });

  test('on its own, admits the client ranges it is given, and takes a range known only at deployment', () => {
    const stack = newStack();
    const vpc = newVpc(stack);
    const acl = new MwaaNetworkAcl(stack, 'Acl', { vpc, subnets: { subnets: vpc.isolatedSubnets }, webserverClientCidrs: ['10.20.0.0/16'] });
    const cidr = new CfnParameter(stack, 'ClientCidr').valueAsString;
    expect(() => acl.allowWebserverClients(cidr)).not.toThrow();
    const entries = Object.values<any>(Template.fromStack(stack).findResources('AWS::EC2::NetworkAclEntry')).map(r => r.Properties)
      .filter(p => p.RuleNumber >= 200)
      .map(p => `${p.Egress ? 'out' : 'in'} ${p.RuleNumber} ${p.RuleAction} ${p.PortRange.From}-${p.PortRange.To} ${JSON.stringify(p.CidrBlock)}`)
      .sort();
    expect(entries).toEqual([
      'in 200 allow 443-443 "10.20.0.0/16"',
      'in 210 allow 443-443 {"Ref":"ClientCidr"}',
      'out 200 allow 1024-65535 "10.20.0.0/16"',
      'out 210 allow 1024-65535 {"Ref":"ClientCidr"}',
    ]);
  });

  test('acknowledges AwsSolutions-VPC3 on itself, with its reason', () => {
    const { env } = newEnvironment({ createNetworkAcl: true });
    const acknowledged = env.networkAcl!.node.metadata.filter(m => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).map(m => m.data);
    expect(acknowledged).toEqual([{ 'AwsSolutions-VPC3': 'A least-privilege network ACL asked for explicitly, as a second layer under the security groups of the environment.' }]);
  });

  test('adds no entry for a security group peer', () => {
    const { env, vpc } = newEnvironment({ createNetworkAcl: true });
    env.allowWebserverAccessFrom(new ec2.SecurityGroup(env.stack, 'Bastion', { vpc }));
    // The six entries of the ACL itself, none for the security group.
    expect(Object.keys(Template.fromStack(env.stack).findResources('AWS::EC2::NetworkAclEntry'))).toHaveLength(6);
  });

  test('warns about an IPv6 or prefix-list peer, which it cannot admit, and not about a security group', () => {
    const warnings = (peer: (env: PrivateMwaaEnvironment, vpc: ec2.Vpc) => ec2.IPeer) => {
      const { env, vpc } = newEnvironment({ createNetworkAcl: true });
      env.allowWebserverAccessFrom(peer(env, vpc));
      return Annotations.fromStack(env.stack).findWarning('*', Match.stringLikeRegexp('cdk-private-mwaa:aclPeer')).map(w => w.entry.data);
    };
    expect(warnings(() => ec2.Peer.ipv6('2001:db8::/32'))).toEqual([
      expect.stringMatching(/^`webserverAccessPeers`: the network ACL admits IPv4 ranges only, and 2001:db8::\/32 is not one, so the ACL still blocks it/),
    ]);
    expect(warnings(() => ec2.Peer.prefixList('pl-0123456789abcdef0'))).toEqual([
      expect.stringMatching(/^`webserverAccessPeers`: the network ACL admits IPv4 ranges only, and pl-0123456789abcdef0 is not one, so the ACL still blocks it\. Add a network ACL entry for it yourself, or acknowledge this warning\./),
    ]);
    expect(warnings((env, vpc) => new ec2.SecurityGroup(env.stack, 'Bastion', { vpc }))).toEqual([]);
    expect(warnings(() => ec2.Peer.ipv4('10.20.0.0/16'))).toEqual([]);
  });

  test('warns once when the client ranges pass the default quota of a network ACL', () => {
    const ranges = (count: number) => {
      const { env } = newEnvironment({ createNetworkAcl: true, webserverAccessPeers: Array.from({ length: count }, (_, i) => ec2.Peer.ipv4(`172.16.${i}.0/24`)) });
      return Annotations.fromStack(env.stack).findWarning('*', Match.stringLikeRegexp('cdk-private-mwaa:aclRuleLimit')).map(w => w.entry.data);
    };
    expect(ranges(17)).toEqual([]);
    expect(ranges(18)).toEqual([expect.stringMatching(/^`webserverClientCidrs`: a network ACL holds 20 inbound and 20 outbound rules unless the account's quota was raised, and this one has 3 of its own, so more than 17 client ranges fail at deployment; got a range number 18 \(172\.16\.17\.0\/24\)\. Raise the quota, or combine ranges\./)]);
    expect(ranges(19)).toEqual([expect.stringMatching(/^`webserverClientCidrs`: a network ACL holds 20 inbound and 20 outbound rules .* got a range number 18 \(172\.16\.17\.0\/24\)/)]);
  });

  test('rejects a client range that is not an IPv4 CIDR, and takes one that is', () => {
    const { env } = newEnvironment({ createNetworkAcl: true });
    expect(() => env.networkAcl!.allowWebserverClients('10.20.0.0')).toThrow("`webserverClientCidrs` must be IPv4 CIDR ranges, got: '10.20.0.0'");
    expect(() => env.networkAcl!.allowWebserverClients('x10.20.0.0/16')).toThrow("`webserverClientCidrs` must be IPv4 CIDR ranges, got: 'x10.20.0.0/16'");
    expect(() => env.networkAcl!.allowWebserverClients('10.20.0.0/16x')).toThrow("`webserverClientCidrs` must be IPv4 CIDR ranges, got: '10.20.0.0/16x'");
    expect(() => env.networkAcl!.allowWebserverClients('10.20.0.0/16')).not.toThrow();
  });

  test('is not created unless asked for', () => {
    const { stack } = newEnvironment({});
    Template.fromStack(stack).resourceCountIs('AWS::EC2::NetworkAcl', 0);
  });
});
