import { Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { SelfReferencingIngress } from '../environment-settings';
import { DATABASE_PORT, WEBSERVER_PORT } from './mwaa';
import { describeSubnets, distinctZones, trySelect } from './props-validation';

/**
 * Where an environment runs in its VPC: its two subnets, its security group, and the endpoints to
 * its own services when the customer manages them.
 */

/** The two subnets: the selection given (checked), else private subnets in the first two zones. */
export function selectSubnets(vpc: ec2.IVpc, selection?: ec2.SubnetSelection): ec2.ISubnet[] {
  if (selection) {
    const subnets = vpc.selectSubnets(selection).subnets;
    validateSubnets(vpc, subnets);
    return subnets;
  }
  for (const subnetType of [ec2.SubnetType.PRIVATE_WITH_EGRESS, ec2.SubnetType.PRIVATE_ISOLATED]) {
    const candidates = trySelect(vpc, { subnetType, onePerAz: true });
    if (candidates.length >= 2) {
      return candidates.slice(0, 2);
    }
  }
  const privateCount = vpc.privateSubnets.length + vpc.isolatedSubnets.length;
  throw new Error(`\`vpcSubnets\`: MWAA needs two private subnets in two different Availability Zones, and the VPC has none in two zones; pass \`vpcSubnets\` or use a VPC with private subnets in at least two zones, got: ${privateCount} private subnet(s) in ${distinctZones([...vpc.privateSubnets, ...vpc.isolatedSubnets])} zone(s)`);
}

function validateSubnets(vpc: ec2.IVpc, subnets: ec2.ISubnet[]): void {
  if (subnets.length !== 2) {
    throw new Error(`\`vpcSubnets\` must select exactly two subnets (MWAA runs in two private subnets in two Availability Zones), got: ${subnets.length} subnet(s)${describeSubnets(subnets)}`);
  }
  const zones = subnets.map(s => s.availabilityZone);
  if (zones.every(z => !Token.isUnresolved(z)) && zones[0] === zones[1]) {
    throw new Error(`\`vpcSubnets\` must select subnets in two different Availability Zones, got: both in ${zones[0]}${describeSubnets(subnets)}`);
  }
  const publicIds = new Set(vpc.publicSubnets.map(s => s.subnetId));
  const isPublic = subnets.filter(s => vpc.publicSubnets.includes(s) || (!Token.isUnresolved(s.subnetId) && publicIds.has(s.subnetId)));
  if (isPublic.length > 0) {
    throw new Error(`\`vpcSubnets\` must select private subnets (MWAA does not run in subnets with a route to an internet gateway), got: public subnet(s)${describeSubnets(isPublic)}`);
  }
}

/** Whether every subnet of the environment is an isolated one (no route to the internet). */
export function hasNoInternetRoute(vpc: ec2.IVpc, subnets: ec2.ISubnet[]): boolean {
  const isolatedIds = new Set(vpc.isolatedSubnets.filter(s => !Token.isUnresolved(s.subnetId)).map(s => s.subnetId));
  return subnets.every(s => vpc.isolatedSubnets.includes(s) || (!Token.isUnresolved(s.subnetId) && isolatedIds.has(s.subnetId)));
}

/** The security group the construct creates, with its self-referencing rules. */
export function environmentSecurityGroup(
  scope: Construct,
  environmentName: string,
  vpc: ec2.IVpc,
  ingress?: SelfReferencingIngress,
): ec2.SecurityGroup {
  const sg = new ec2.SecurityGroup(scope, 'SecurityGroup', {
    vpc,
    description: `Amazon MWAA environment ${environmentName}`,
    allowAllOutbound: true,
  });
  if ((ingress ?? SelfReferencingIngress.AIRFLOW_PORTS) === SelfReferencingIngress.ALL_TRAFFIC) {
    sg.addIngressRule(sg, ec2.Port.allTraffic(), 'All traffic between the environment\'s components');
  } else {
    sg.addIngressRule(sg, ec2.Port.tcp(WEBSERVER_PORT), 'Airflow web server, between the environment\'s components');
    sg.addIngressRule(sg, ec2.Port.tcp(DATABASE_PORT), 'Airflow metadata database, between the environment\'s components');
  }
  return sg;
}

/**
 * An interface endpoint to one of the environment's own endpoint services, in its subnets and
 * security groups. CloudFormation reports the environment created once it is PENDING, which is
 * when these attributes are known; the environment then becomes AVAILABLE.
 */
export function customerEndpoint(
  scope: Construct,
  id: string,
  vpc: ec2.IVpc,
  serviceName: string,
  subnets: ec2.ISubnet[],
  securityGroups: ec2.ISecurityGroup[],
): ec2.CfnVPCEndpoint {
  return new ec2.CfnVPCEndpoint(scope, id, {
    vpcId: vpc.vpcId,
    vpcEndpointType: 'Interface',
    serviceName,
    subnetIds: subnets.map(s => s.subnetId),
    securityGroupIds: securityGroups.map(sg => sg.securityGroupId),
  });
}
