import { Annotations, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { DATABASE_PORT, WEBSERVER_PORT } from './private/mwaa';
import { acknowledge } from './private/nag';
import { MwaaWarnings } from './warnings';


/** Client ranges that fit a network ACL with the default quota of 20 rules per direction, next to its 3. */
const MAX_CLIENT_RANGES = 17;

/**
 * Props of {@link MwaaNetworkAcl}.
 */
export interface MwaaNetworkAclProps {
  /** The VPC of the environment. */
  readonly vpc: ec2.IVpc;

  /** The environment's subnets, which the network ACL is associated with. */
  readonly subnets: ec2.SubnetSelection;

  /**
   * IPv4 ranges outside the VPC that may open the web server (TCP 443), such as the corporate
   * network or a VPN range.
   *
   * @default - only the VPC
   */
  readonly webserverClientCidrs?: string[];
}

/**
 * A network ACL for the subnets of a private Amazon MWAA environment that admits only what the
 * environment and its VPC endpoints use: TCP 443 and 5432 inside the VPC, HTTPS out (to the VPC
 * endpoints and, through the S3 gateway endpoint, to S3), and the return traffic of those
 * connections. Everything else is denied.
 *
 * Network ACLs do not filter the VPC's DNS resolver, so no rule is needed for DNS.
 */
export class MwaaNetworkAcl extends Construct {
  /** The network ACL. */
  public readonly networkAcl: ec2.NetworkAcl;

  private readonly vpcCidr: string;
  private nextClientRule = 200;

  constructor(scope: Construct, id: string, props: MwaaNetworkAclProps) {
    super(scope, id);
    this.vpcCidr = props.vpc.vpcCidrBlock;
    this.networkAcl = new ec2.NetworkAcl(this, 'Resource', {
      vpc: props.vpc,
      subnetSelection: props.subnets,
    });
    const vpc = ec2.AclCidr.ipv4(this.vpcCidr);
    const anywhere = ec2.AclCidr.anyIpv4();
    const ephemeral = ec2.AclTraffic.tcpPortRange(1024, 65535);
    const rules: Array<[string, number, ec2.TrafficDirection, ec2.AclCidr, ec2.AclTraffic]> = [
      // In: the web server and the metadata database, from the environment and its endpoints.
      ['InHttpsFromVpc', 100, ec2.TrafficDirection.INGRESS, vpc, ec2.AclTraffic.tcpPort(WEBSERVER_PORT)],
      ['InPostgresFromVpc', 110, ec2.TrafficDirection.INGRESS, vpc, ec2.AclTraffic.tcpPort(DATABASE_PORT)],
      // In: replies to the connections below. S3 answers from its public addresses, which a network
      // ACL cannot name (it takes no prefix lists), so replies are admitted from anywhere.
      ['InReplies', 120, ec2.TrafficDirection.INGRESS, anywhere, ephemeral],
      // Out: HTTPS to the interface endpoints in the VPC and to S3 through the gateway endpoint
      // (without an internet route, nothing else is reachable on 443).
      ['OutHttps', 100, ec2.TrafficDirection.EGRESS, anywhere, ec2.AclTraffic.tcpPort(WEBSERVER_PORT)],
      ['OutPostgresToVpc', 110, ec2.TrafficDirection.EGRESS, vpc, ec2.AclTraffic.tcpPort(DATABASE_PORT)],
      // Out: replies to connections from inside the VPC.
      ['OutRepliesToVpc', 120, ec2.TrafficDirection.EGRESS, vpc, ephemeral],
    ];
    for (const [entryId, ruleNumber, direction, cidr, traffic] of rules) {
      this.networkAcl.addEntry(entryId, { ruleNumber, direction, cidr, traffic, ruleAction: ec2.Action.ALLOW });
    }
    // The AwsSolutions pack prefers security groups to network ACLs; this one is asked for as a
    // second layer under them.
    acknowledge(this, [{ id: 'AwsSolutions-VPC3', reason: 'A least-privilege network ACL asked for explicitly, as a second layer under the security groups of the environment.' }]);
    for (const cidr of props.webserverClientCidrs ?? []) {
      this.allowWebserverClients(cidr);
    }
  }

  /**
   * Admits web server clients from an IPv4 range outside the VPC: TCP 443 in, replies out.
   */
  public allowWebserverClients(cidr: string): void {
    if (!Token.isUnresolved(cidr) && !/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(cidr)) {
      throw new Error(`\`webserverClientCidrs\` must be IPv4 CIDR ranges, got: '${cidr}'`);
    }
    const ruleNumber = this.nextClientRule;
    this.nextClientRule += 10;
    const index = (ruleNumber - 200) / 10 + 1;
    if (index === MAX_CLIENT_RANGES + 1) {
      Annotations.of(this).addWarningV2(MwaaWarnings.ACL_RULE_LIMIT,
        `\`webserverClientCidrs\`: a network ACL holds 20 inbound and 20 outbound rules unless the account's quota was raised, and this one has 3 of its own, so more than ${MAX_CLIENT_RANGES} client ranges fail at deployment; got a range number ${index} (${cidr}). Raise the quota, or combine ranges.`);
    }
    this.networkAcl.addEntry(`InHttpsFromClients${index}`, {
      ruleNumber,
      direction: ec2.TrafficDirection.INGRESS,
      cidr: ec2.AclCidr.ipv4(cidr),
      traffic: ec2.AclTraffic.tcpPort(WEBSERVER_PORT),
      ruleAction: ec2.Action.ALLOW,
    });
    this.networkAcl.addEntry(`OutRepliesToClients${index}`, {
      ruleNumber,
      direction: ec2.TrafficDirection.EGRESS,
      cidr: ec2.AclCidr.ipv4(cidr),
      traffic: ec2.AclTraffic.tcpPortRange(1024, 65535),
      ruleAction: ec2.Action.ALLOW,
    });
  }
}
