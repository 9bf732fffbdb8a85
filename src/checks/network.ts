import { EnvironmentUnderCheck, MwaaRuleSpec } from './rule';
import { CfnResourceJson, list, TemplateView, text } from './template';
import { DATABASE_PORT, NEEDED_INTERFACE_ENDPOINTS, UNSUPPORTED_AZ_IDS, WEBSERVER_PORT } from '../private/mwaa';

/**
 * The network rules: the environment's subnets, routes, VPC endpoints, security groups and network
 * ACLs, as AWS support's `verify_env` checks them on a live environment.
 */

function subnets(env: EnvironmentUnderCheck): Array<[string, CfnResourceJson | undefined]> {
  return list(env.props.NetworkConfiguration?.SubnetIds).map(v => {
    const id = env.template.target(v);
    const resource = id ? env.template.resources[id] : undefined;
    return [id ?? text(v), resource?.Type === 'AWS::EC2::Subnet' ? resource : undefined];
  });
}

function routeTablesOf(t: TemplateView, subnetId: string): string[] {
  return t.ofType('AWS::EC2::SubnetRouteTableAssociation')
    .filter(([, a]) => t.refersTo(a.Properties?.SubnetId, subnetId))
    .map(([, a]) => t.target(a.Properties?.RouteTableId))
    .filter((id): id is string => id !== undefined);
}

function routesOf(t: TemplateView, routeTableId: string): CfnResourceJson[] {
  return t.ofType('AWS::EC2::Route').filter(([, r]) => t.refersTo(r.Properties?.RouteTableId, routeTableId)).map(([, r]) => r);
}

function securityGroups(env: EnvironmentUnderCheck): string[] {
  return list(env.props.NetworkConfiguration?.SecurityGroupIds)
    .map(v => env.template.target(v))
    .filter((id): id is string => id !== undefined && env.template.resources[id].Type === 'AWS::EC2::SecurityGroup');
}

/** Whether a security group rule lets TCP `port` through. */
function coversPort(rule: any, port: number): boolean {
  const protocol = String(rule.IpProtocol);
  if (protocol === '-1' || protocol === 'all') {
    return true;
  }
  return (protocol === 'tcp' || protocol === '6') && Number(rule.FromPort) <= port && port <= Number(rule.ToPort);
}

/** A port clients use for their side of a connection (Linux picks from 32768-60999). */
const EPHEMERAL_PORT = 32768;

/** Whether two IPv4 CIDR ranges share an address; unparseable ranges are taken to overlap. */
function cidrsOverlap(a: string, b: string): boolean {
  const range = (cidr: string): [number, number] | undefined => {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
    if (!m) {
      return undefined;
    }
    const address = ((Number(m[1]) * 256 + Number(m[2])) * 256 + Number(m[3])) * 256 + Number(m[4]);
    const size = 2 ** (32 - Number(m[5]));
    const start = Math.floor(address / size) * size;
    return [start, start + size - 1];
  };
  const [ra, rb] = [range(a), range(b)];
  return !ra || !rb || (ra[0] <= rb[1] && rb[0] <= ra[1]);
}

/** Subnets, routes, endpoints, security groups and network ACLs. */
export const NETWORK_RULES: MwaaRuleSpec[] = [
  {
    id: 'MWAA-Subnets-Count',
    description: 'The environment runs in exactly two subnets.',
    severity: 'error',
    location: 'Properties.NetworkConfiguration.SubnetIds',
    check: env => {
      const subnetIds = env.props.NetworkConfiguration?.SubnetIds;
      if (!Array.isArray(subnetIds)) {
        // A parameter of type List<AWS::EC2::Subnet::Id>, or an Fn::Split: known only at deployment.
        return [];
      }
      const count = subnetIds.length;
      return count === 2 ? [] : [`The environment has ${count} subnet(s). Give NetworkConfiguration.SubnetIds exactly two private subnets in two Availability Zones.`];
    },
  },
  {
    id: 'MWAA-Subnets-DistinctAz',
    description: 'The two subnets are in different Availability Zones.',
    severity: 'error',
    location: 'Properties.NetworkConfiguration.SubnetIds',
    check: env => {
      const defined = subnets(env).map(([, s]) => s).filter((s): s is CfnResourceJson => s !== undefined);
      if (defined.length !== 2) {
        return [];
      }
      const [a, b] = defined.map(s => text(s.Properties?.AvailabilityZoneId ?? s.Properties?.AvailabilityZone));
      return a === b ? [`Both subnets are in ${a}. Use one subnet in each of two Availability Zones.`] : [];
    },
  },
  {
    id: 'MWAA-Subnets-SupportedAz',
    description: `No subnet is in ${UNSUPPORTED_AZ_IDS.join(' or ')}, where MWAA is not available.`,
    severity: 'error',
    location: 'Properties.NetworkConfiguration.SubnetIds',
    check: env => subnets(env)
      .filter(([, s]) => UNSUPPORTED_AZ_IDS.includes(s?.Properties?.AvailabilityZoneId))
      .map(([id, s]) => `Subnet ${id} is in ${s?.Properties?.AvailabilityZoneId}, which MWAA does not support. Use another Availability Zone.`),
  },
  {
    id: 'MWAA-Subnets-Private',
    description: 'No subnet has a route to an internet gateway.',
    severity: 'error',
    location: 'Properties.NetworkConfiguration.SubnetIds',
    check: env => {
      const t = env.template;
      return subnets(env).filter(([id, s]) => s && routeTablesOf(t, id).some(rt => routesOf(t, rt)
        .some(r => t.resourceOf(r.Properties?.GatewayId, 'AWS::EC2::InternetGateway') !== undefined)))
        .map(([id]) => `Subnet ${id} routes to an internet gateway, so it is public. Use private subnets (egress through a NAT gateway, or VPC endpoints).`);
    },
  },
  {
    id: 'MWAA-Network-Endpoints',
    description: 'Subnets without a NAT route have the VPC endpoints MWAA needs, with private DNS, in both subnets.',
    severity: 'error',
    location: 'Properties.NetworkConfiguration.SubnetIds',
    check: env => {
      const t = env.template;
      const defined = subnets(env).filter(([, s]) => s !== undefined).map(([id]) => id);
      if (defined.length !== 2) {
        return [];
      }
      const tables = defined.flatMap(id => routeTablesOf(t, id));
      const egress = tables.some(rt => routesOf(t, rt).some(r => {
        const p = r.Properties ?? {};
        return p.NatGatewayId !== undefined || p.TransitGatewayId !== undefined || p.InstanceId !== undefined || p.NetworkInterfaceId !== undefined;
      }));
      if (egress) {
        return [];
      }
      const endpoints = t.ofType('AWS::EC2::VPCEndpoint').map(([, e]) => e.Properties ?? {});
      const problems: string[] = [];
      // Endpoints of other VPCs in the same template do not count: only those in (or, for a
      // gateway, routed from) the environment's own subnets.
      const inBothSubnets = (e: { [key: string]: any }) => defined.every(id => list(e.SubnetIds).some(v => t.refersTo(v, id)));
      const isInterface = (e: { [key: string]: any }) => (e.VpcEndpointType ?? 'Gateway') === 'Interface';
      for (const service of NEEDED_INTERFACE_ENDPOINTS) {
        const candidates = endpoints.filter(e => text(e.ServiceName).endsWith(`.${service}`) && isInterface(e));
        const here = candidates.filter(inBothSubnets);
        if (candidates.length === 0) {
          problems.push(`No interface endpoint for ${service}. Add one in both environment subnets with private DNS.`);
        } else if (here.length === 0) {
          problems.push(`The ${service} endpoint is not in both environment subnets.`);
        } else if (!here.some(e => e.PrivateDnsEnabled === true)) {
          problems.push(`The ${service} endpoint does not enable private DNS.`);
        }
      }
      const s3 = endpoints.filter(e => text(e.ServiceName).endsWith('.s3'));
      const s3Here = s3.some(e => (isInterface(e) ? inBothSubnets(e)
        // Without route tables in the template, which ones the gateway serves cannot be told.
        : tables.length === 0 || tables.every(rt => list(e.RouteTableIds).some(v => t.refersTo(v, rt)))));
      if (s3.length === 0) {
        problems.push('No S3 endpoint. Add a gateway endpoint for S3 on the route tables of both environment subnets.');
      } else if (!s3Here) {
        problems.push('The S3 endpoint is not on the route tables of both environment subnets.');
      }
      return problems.map(p => `The subnets have no NAT route: ${p}`);
    },
  },
  {
    id: 'MWAA-SecurityGroup-SelfReference',
    description: `A security group allows all traffic, or TCP ${WEBSERVER_PORT} and ${DATABASE_PORT}, from itself.`,
    severity: 'error',
    location: 'Properties.NetworkConfiguration.SecurityGroupIds',
    check: env => {
      const t = env.template;
      const groups = securityGroups(env);
      if (groups.length === 0) {
        return [];
      }
      const selfRules: any[] = [];
      for (const id of groups) {
        const inline = list(t.resources[id].Properties?.SecurityGroupIngress);
        selfRules.push(...inline.filter((r: any) => groups.some(g => t.refersTo(r.SourceSecurityGroupId, g))));
      }
      for (const [, ingress] of t.ofType('AWS::EC2::SecurityGroupIngress')) {
        const p = ingress.Properties ?? {};
        if (groups.some(g => t.refersTo(p.GroupId, g)) && groups.some(g => t.refersTo(p.SourceSecurityGroupId, g))) {
          selfRules.push(p);
        }
      }
      const missing = [WEBSERVER_PORT, DATABASE_PORT].filter(port => !selfRules.some(r => coversPort(r, port)));
      return missing.length === 0 ? [] : [`No self-referencing rule lets TCP ${missing.join(' and ')} through. Allow all traffic, or TCP ${WEBSERVER_PORT} and ${DATABASE_PORT}, from the environment's security group to itself.`];
    },
  },
  {
    id: 'MWAA-SecurityGroup-Egress',
    description: 'The security groups allow outbound traffic.',
    severity: 'error',
    location: 'Properties.NetworkConfiguration.SecurityGroupIds',
    check: env => {
      const t = env.template;
      const groups = securityGroups(env);
      const standalone = t.ofType('AWS::EC2::SecurityGroupEgress').map(([, e]) => e.Properties ?? {});
      const open = groups.some(id => {
        const inline = t.resources[id].Properties?.SecurityGroupEgress;
        if (inline === undefined) {
          return true; // CloudFormation's default: all outbound traffic
        }
        const real = list(inline).filter((r: any) => !(r.CidrIp === '255.255.255.255/32' && r.IpProtocol === 'icmp'));
        return real.length > 0 || standalone.some(e => t.refersTo(e.GroupId, id));
      });
      return groups.length === 0 || open ? [] : ['No security group of the environment allows outbound traffic. MWAA needs outbound access to its endpoints.'];
    },
  },
  {
    id: 'MWAA-Network-Acl',
    description: `Network ACLs of the subnets allow TCP ${WEBSERVER_PORT} and ${DATABASE_PORT}, and the replies on ephemeral ports, in both directions.`,
    severity: 'error',
    location: 'Properties.NetworkConfiguration.SubnetIds',
    check: env => {
      const t = env.template;
      const problems: string[] = [];
      // The traffic that matters flows between the environment's subnets (and the endpoints in
      // them): entries for other ranges do not decide it. Unknown ranges count as relevant.
      const subnetCidrs = subnets(env).map(([, s]) => s?.Properties?.CidrBlock).filter((c): c is string => typeof c === 'string');
      const relevant = (e: { [key: string]: any }) => {
        if (e.Ipv6CidrBlock !== undefined) {
          return false;
        }
        return typeof e.CidrBlock !== 'string' || subnetCidrs.length === 0 || subnetCidrs.some(c => cidrsOverlap(c, e.CidrBlock));
      };
      const checks: Array<[number, string]> = [[WEBSERVER_PORT, `TCP ${WEBSERVER_PORT}`], [DATABASE_PORT, `TCP ${DATABASE_PORT}`], [EPHEMERAL_PORT, 'TCP replies on ephemeral ports (1024-65535)']];
      for (const [subnetId] of subnets(env)) {
        const acls = t.ofType('AWS::EC2::SubnetNetworkAclAssociation')
          .filter(([, a]) => t.refersTo(a.Properties?.SubnetId, subnetId))
          .map(([, a]) => t.target(a.Properties?.NetworkAclId))
          .filter((id): id is string => id !== undefined);
        for (const acl of acls) {
          const entries = t.ofType('AWS::EC2::NetworkAclEntry').map(([, e]) => e.Properties ?? {}).filter(e => t.refersTo(e.NetworkAclId, acl));
          for (const egress of [false, true]) {
            for (const [port, what] of checks) {
              const first = entries
                .filter(e => Boolean(e.Egress) === egress)
                .filter(relevant)
                .filter(e => String(e.Protocol) === '-1' || (String(e.Protocol) === '6' && Number(e.PortRange?.From) <= port && port <= Number(e.PortRange?.To)))
                .sort((a, b) => Number(a.RuleNumber) - Number(b.RuleNumber))[0];
              if (!first || first.RuleAction !== 'allow') {
                problems.push(`Network ACL ${acl} of subnet ${subnetId} does not allow ${egress ? 'outbound' : 'inbound'} ${what} within the environment's subnets. Add an allow entry before any deny.`);
              }
            }
          }
        }
      }
      return problems;
    },
  },
];
