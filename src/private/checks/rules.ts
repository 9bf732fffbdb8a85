import * as fs from 'fs';
import * as path from 'path';
import { actionMatches, CfnResourceJson, list, TemplateView, text } from './template';

/** One environment in one template, as the rules see it. */
export interface EnvironmentUnderCheck {
  readonly template: TemplateView;
  readonly logicalId: string;
  readonly props: { [key: string]: any };
}

/** A rule: its id, what it checks, and a function that returns the problems it finds. */
export interface MwaaRuleSpec {
  readonly id: string;
  readonly description: string;
  readonly severity: 'error' | 'warning';
  /** Where in the environment's properties the rule looks, for the report. */
  readonly location: string;
  readonly check: (env: EnvironmentUnderCheck) => string[];
}

const LOG_TYPES = ['DagProcessingLogs', 'SchedulerLogs', 'TaskLogs', 'WebserverLogs', 'WorkerLogs'];
const INTERFACE_ENDPOINTS = ['sqs', 'logs', 'monitoring', 'kms'];

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

function executionRole(env: EnvironmentUnderCheck): string | undefined {
  const id = env.template.target(env.props.ExecutionRoleArn);
  return id && env.template.resources[id].Type === 'AWS::IAM::Role' ? id : undefined;
}

/** A check of the execution role, run only when the role is defined in the app. */
function onExecutionRole(check: (env: EnvironmentUnderCheck, roleId: string) => string[]): (env: EnvironmentUnderCheck) => string[] {
  return env => {
    const roleId = executionRole(env);
    return roleId ? check(env, roleId) : [];
  };
}

/** Every statement of every policy attached to the role in the template. */
function roleStatements(t: TemplateView, roleId: string): any[] {
  const role = t.resources[roleId];
  const statements: any[] = [];
  for (const inline of list(role.Properties?.Policies)) {
    statements.push(...list(inline.PolicyDocument?.Statement));
  }
  for (const [id, policy] of [...t.ofType('AWS::IAM::Policy'), ...t.ofType('AWS::IAM::ManagedPolicy')]) {
    const attached = list(policy.Properties?.Roles).some(r => t.refersTo(r, roleId))
      || list(role.Properties?.ManagedPolicyArns).some(arn => t.refersTo(arn, id));
    if (attached) {
      statements.push(...list(policy.Properties?.PolicyDocument?.Statement));
    }
  }
  return statements;
}

function allows(statements: any[], action: string): boolean {
  return statements.some(s => s.Effect === 'Allow' && list<string>(s.Action).some(a => actionMatches(a, action)));
}

/** A file staged in the cloud assembly next to the template, if it is there. */
function stagedFile(t: TemplateView, ...parts: string[]): string | undefined {
  const file = path.join(path.dirname(t.path), ...parts);
  return fs.existsSync(file) && fs.statSync(file).isFile() ? file : undefined;
}

/**
 * The SDK call an `AwsCustomResource` makes on create (or update), with every reference in it in
 * the text form of `text()`; undefined when the call is not plain JSON.
 */
function sdkCall(value: unknown): { service?: string; action?: string; parameters?: { [key: string]: unknown } } | undefined {
  if (value === undefined) {
    return undefined;
  }
  try {
    const call = JSON.parse(text(value));
    return call !== null && typeof call === 'object' ? call : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The local file a requirements path comes from, when the app deploys it to the environment's
 * bucket from an asset whose staged copy is in the cloud assembly next to the template: a
 * `BucketDeployment` of `Source.asset(...)`, or an `AwsCustomResource` that copies a file asset
 * into place with S3 `CopyObject` (what `PrivateMwaaEnvironment`'s `requirementsLocalPath` does).
 */
function requirementsFile(env: EnvironmentUnderCheck): string | undefined {
  const key = env.props.RequirementsS3Path;
  const t = env.template;
  const bucketId = t.target(env.props.SourceBucketArn);
  if (typeof key !== 'string' || bucketId === undefined) {
    return undefined;
  }
  for (const [, deployment] of t.ofType('Custom::CDKBucketDeployment')) {
    const p = deployment.Properties ?? {};
    if (!t.refersTo(p.DestinationBucketName, bucketId)) {
      continue;
    }
    const prefix = typeof p.DestinationBucketKeyPrefix === 'string' ? p.DestinationBucketKeyPrefix.replace(/\/?$/, '/') : '';
    if (prefix !== '/' && !key.startsWith(prefix)) {
      continue;
    }
    const relative = prefix === '/' ? key : key.slice(prefix.length);
    for (const objectKey of list(p.SourceObjectKeys).filter((k): k is string => typeof k === 'string')) {
      const staged = stagedFile(t, `asset.${objectKey.replace(/\.zip$/, '')}`, relative);
      if (staged !== undefined) {
        return staged;
      }
    }
  }
  for (const [, custom] of t.ofType('Custom::AWS')) {
    const call = sdkCall(custom.Properties?.Create) ?? sdkCall(custom.Properties?.Update);
    const params = call?.parameters ?? {};
    const copiesHere = /^(s3|@aws-sdk\/client-s3)$/i.test(call?.service ?? '')
      && /^copyobject$/i.test(call?.action ?? '')
      && params.Key === key
      && params.Bucket === text({ Ref: bucketId });
    const source = typeof params.CopySource === 'string' ? params.CopySource : '';
    const objectKey = source.slice(source.indexOf('/') + 1);
    if (!copiesHere || source.indexOf('/') < 0 || objectKey.includes('/') || objectKey.includes('$')) {
      continue;
    }
    const staged = stagedFile(t, `asset.${objectKey}`);
    if (staged !== undefined) {
      return staged;
    }
  }
  return undefined;
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

const WRITE_VERBS = /^(put|delete|create|update|send|write|attach|detach|pass|modify|tag|untag|remove|add|set|change|start|stop|invoke|publish|run|restore|replace|associate|disassociate|enable|disable|terminate|import|copy|upload|reboot|revoke|authorize|\*)/i;
/** Write actions MWAA needs on `*` because they have no resource-level permissions. */
const STAR_WRITES_MWAA_NEEDS = ['cloudwatch:PutMetricData'];

export const MWAA_RULES: MwaaRuleSpec[] = [
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
    description: 'No subnet is in use1-az3, where MWAA is not available.',
    severity: 'error',
    location: 'Properties.NetworkConfiguration.SubnetIds',
    check: env => subnets(env)
      .filter(([, s]) => s?.Properties?.AvailabilityZoneId === 'use1-az3')
      .map(([id]) => `Subnet ${id} is in use1-az3, which MWAA does not support. Use another Availability Zone.`),
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
      for (const service of INTERFACE_ENDPOINTS) {
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
    description: 'A security group allows all traffic, or TCP 443 and 5432, from itself.',
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
      const missing = [443, 5432].filter(port => !selfRules.some(r => coversPort(r, port)));
      return missing.length === 0 ? [] : [`No self-referencing rule lets TCP ${missing.join(' and ')} through. Allow all traffic, or TCP 443 and 5432, from the environment's security group to itself.`];
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
    description: 'Network ACLs of the subnets allow TCP 443 and 5432, and the replies on ephemeral ports, in both directions.',
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
      const checks: Array<[number, string]> = [[443, 'TCP 443'], [5432, 'TCP 5432'], [EPHEMERAL_PORT, 'TCP replies on ephemeral ports (1024-65535)']];
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
  {
    id: 'MWAA-ExecutionRole-Trust',
    description: 'The execution role trusts airflow.amazonaws.com and airflow-env.amazonaws.com with aws:SourceArn and aws:SourceAccount conditions.',
    severity: 'error',
    location: 'Properties.ExecutionRoleArn',
    check: onExecutionRole((env, roleId) => {
      const statements = list(env.template.resources[roleId].Properties?.AssumeRolePolicyDocument?.Statement)
        .filter((s: any) => s.Effect === 'Allow' && list<string>(s.Action).some(a => actionMatches(a, 'sts:AssumeRole')));
      const problems: string[] = [];
      for (const service of ['airflow.amazonaws.com', 'airflow-env.amazonaws.com']) {
        const statement = statements.find((s: any) => list(s.Principal?.Service).map(text).includes(service));
        if (!statement) {
          problems.push(`The trust policy does not let ${service} assume the role. Add it.`);
          continue;
        }
        const keys = Object.values(statement.Condition ?? {}).flatMap(c => Object.keys(c as object)).map(k => k.toLowerCase());
        for (const key of ['aws:SourceArn', 'aws:SourceAccount']) {
          if (!keys.includes(key.toLowerCase())) {
            problems.push(`The trust statement for ${service} has no ${key} condition (confused-deputy prevention). Add ${key} for this environment.`);
          }
        }
      }
      return problems;
    }),
  },
  {
    id: 'MWAA-ExecutionRole-Permissions',
    description: 'The execution role may do what MWAA needs, and listing all buckets is denied.',
    severity: 'error',
    location: 'Properties.ExecutionRoleArn',
    check: onExecutionRole((env, roleId) => {
      const statements = roleStatements(env.template, roleId);
      const needed = [
        'airflow:PublishMetrics', 'sqs:SendMessage', 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueUrl',
        'logs:CreateLogStream', 'logs:PutLogEvents', 'cloudwatch:PutMetricData', 's3:GetObject', 's3:ListBucket',
        ...(env.props.KmsKey !== undefined ? ['kms:Decrypt', 'kms:GenerateDataKey'] : []),
      ];
      const problems = needed.filter(a => !allows(statements, a)).map(a => `The execution role is not allowed ${a}. Attach the documented execution role policy.`);
      if (env.props.KmsKey !== undefined) {
        const kms = statements.filter(s => s.Effect === 'Allow' && list<string>(s.Action).some(a => actionMatches(a, 'kms:Decrypt')));
        const via = kms.flatMap(s => Object.values(s.Condition ?? {}).flatMap((c: any) => list(c['kms:ViaService']).map(text)));
        if (kms.length > 0 && via.length > 0 && !(via.some(v => v.startsWith('sqs.')) && via.some(v => v.startsWith('s3.')))) {
          problems.push('The key may be used only through some services; MWAA uses it through SQS and S3. Allow kms:ViaService sqs.<region> and s3.<region>.');
        }
      }
      const denied = statements.some(s => s.Effect === 'Deny' && list<string>(s.Action).some(a => actionMatches(a, 's3:ListAllMyBuckets')));
      if (!denied) {
        problems.push('The execution role policy does not deny s3:ListAllMyBuckets, which the documented policy does.');
      }
      return problems;
    }),
  },
  {
    id: 'MWAA-ExecutionRole-WildcardWrite',
    description: 'The execution role has no write action on every resource.',
    severity: 'error',
    location: 'Properties.ExecutionRoleArn',
    check: onExecutionRole((env, roleId) => {
      return roleStatements(env.template, roleId)
        .filter(s => s.Effect === 'Allow' && list(s.Resource).includes('*'))
        .flatMap(s => list<string>(s.Action))
        .filter(a => !STAR_WRITES_MWAA_NEEDS.includes(a) && (a === '*' || WRITE_VERBS.test(a.split(':')[1] ?? '')))
        .map(a => `The execution role may ${a} on every resource (*). Scope it to the resources the environment uses.`);
    }),
  },
  {
    id: 'MWAA-Key-LogsAccess',
    description: 'The key policy lets CloudWatch Logs use the key.',
    severity: 'error',
    location: 'Properties.KmsKey',
    check: env => {
      const key = env.template.resourceOf(env.props.KmsKey, 'AWS::KMS::Key');
      if (!key) {
        return [];
      }
      const ok = list(key.Properties?.KeyPolicy?.Statement).some((s: any) => s.Effect === 'Allow'
        && list(s.Principal?.Service).map(text).some(p => p.startsWith('logs.'))
        && list<string>(s.Action).some(a => actionMatches(a, 'kms:GenerateDataKey')));
      return ok ? [] : ['The key policy does not let CloudWatch Logs (logs.<region>.amazonaws.com) use the key, so the encrypted log groups cannot be written. Add the statement for the environment\'s log groups.'];
    },
  },
  {
    id: 'MWAA-Bucket-Versioning',
    description: 'The source bucket has versioning enabled.',
    severity: 'error',
    location: 'Properties.SourceBucketArn',
    check: env => {
      const bucket = env.template.resourceOf(env.props.SourceBucketArn, 'AWS::S3::Bucket');
      return bucket && bucket.Properties?.VersioningConfiguration?.Status !== 'Enabled'
        ? ['The source bucket is not versioned. Enable versioning: MWAA reads pinned object versions.'] : [];
    },
  },
  {
    id: 'MWAA-Bucket-PublicAccessBlock',
    description: 'The source bucket blocks all public access.',
    severity: 'error',
    location: 'Properties.SourceBucketArn',
    check: env => {
      const bucket = env.template.resourceOf(env.props.SourceBucketArn, 'AWS::S3::Bucket');
      if (!bucket) {
        return [];
      }
      const block = bucket.Properties?.PublicAccessBlockConfiguration ?? {};
      const open = ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'].filter(f => block[f] !== true);
      return open.length === 0 ? [] : [`The source bucket does not block all public access (${open.join(', ')} not set). Block all four.`];
    },
  },
  {
    id: 'MWAA-Bucket-SameKey',
    description: 'A source bucket encrypted with a KMS key uses the environment\'s key.',
    severity: 'error',
    location: 'Properties.SourceBucketArn',
    check: env => {
      const bucket = env.template.resourceOf(env.props.SourceBucketArn, 'AWS::S3::Bucket');
      const rule = list(bucket?.Properties?.BucketEncryption?.ServerSideEncryptionConfiguration)[0]?.ServerSideEncryptionByDefault;
      if (!rule || rule.SSEAlgorithm !== 'aws:kms' || rule.KMSMasterKeyID === undefined) {
        return [];
      }
      const bucketKey = env.template.target(rule.KMSMasterKeyID) ?? text(rule.KMSMasterKeyID);
      const envKey = env.props.KmsKey === undefined ? undefined : env.template.target(env.props.KmsKey) ?? text(env.props.KmsKey);
      return bucketKey === envKey ? [] : [`The source bucket is encrypted with ${bucketKey}, the environment with ${envKey ?? 'an AWS owned key'}. Use the same key for both.`];
    },
  },
  {
    id: 'MWAA-Logging-Info',
    description: 'Every log type is enabled at INFO or more verbose.',
    severity: 'error',
    location: 'Properties.LoggingConfiguration',
    check: env => {
      const logging = env.props.LoggingConfiguration ?? {};
      return LOG_TYPES.filter(type => logging[type]?.Enabled !== true || !['INFO', 'DEBUG'].includes(logging[type]?.LogLevel))
        .map(type => `${type} is ${logging[type]?.Enabled === true ? `at ${logging[type]?.LogLevel}` : 'not enabled'}. Enable it at INFO.`);
    },
  },
  {
    id: 'MWAA-Config-WorkerConcurrency',
    description: 'celery.worker_concurrency is not set (MWAA sets it).',
    severity: 'error',
    location: 'Properties.AirflowConfigurationOptions',
    check: env => (env.props.AirflowConfigurationOptions?.['celery.worker_concurrency'] !== undefined
      ? ['celery.worker_concurrency is set; MWAA overrides it. Remove it and use celery.worker_autoscale.'] : []),
  },
  {
    id: 'MWAA-Config-LazyLoadPlugins',
    description: 'With plugins, core.lazy_load_plugins is False.',
    severity: 'error',
    location: 'Properties.AirflowConfigurationOptions',
    check: env => {
      if (env.props.PluginsS3Path === undefined) {
        return [];
      }
      const value = env.props.AirflowConfigurationOptions?.['core.lazy_load_plugins'];
      return typeof value === 'string' && value.toLowerCase() === 'false' ? [] : ['Plugins are used but core.lazy_load_plugins is not False, so changed plugins may not load. Set it to False.'];
    },
  },
  {
    id: 'MWAA-Requirements-Constraint',
    description: 'A requirements file deployed from the app (BucketDeployment or requirementsLocalPath) pins its dependencies with a --constraint line.',
    severity: 'error',
    location: 'Properties.RequirementsS3Path',
    check: env => {
      const file = requirementsFile(env);
      if (file === undefined) {
        return [];
      }
      const lines = fs.readFileSync(file, 'utf-8').split(/\r?\n/).map(l => l.trim());
      return lines.some(l => /^(--constraint|-c)[\s=]/.test(l)) ? [] : [
        `${env.props.RequirementsS3Path} has no --constraint line. Add the constraints file of your Airflow and Python versions, for example --constraint "https://raw.githubusercontent.com/apache/airflow/constraints-<airflow>/constraints-<python>.txt".`,
      ];
    },
  },
  {
    id: 'MWAA-Webserver-Public',
    description: 'The web server is public: it can be reached from the internet.',
    severity: 'warning',
    location: 'Properties.WebserverAccessMode',
    check: env => (env.props.WebserverAccessMode === 'PUBLIC_ONLY'
      ? ['The web server is reachable from the internet (PUBLIC_ONLY). Use PRIVATE_ONLY, or acknowledge this rule on the environment.'] : []),
  },
];
