import { Annotations, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IConstruct } from 'constructs';
import { LAZY_LOAD_PLUGINS, lazyLoadsPlugins, setsWorkerConcurrency } from '../checks/configuration';
import { quietLogTypes, REDUCED_LOGGING } from '../checks/logging';
import { warnOnce } from '../checks/rule';
import { isPublicWebserver, PUBLIC_WEBSERVER } from '../checks/webserver';
import { EndpointManagement, LoggingConfiguration, SelfReferencingIngress, WebserverAccessMode } from '../environment-settings';
import { EnvironmentClass, AirflowVersion } from '../versions';
import { MwaaWarnings } from '../warnings';
import { compareAirflowVersions, LAZY_LOAD_PLUGINS_OPTION, LOG_LEVELS, LOG_TYPES, OLDEST_AIRFLOW_VERSION, WORKER_CONCURRENCY_OPTION, WORKER_QUOTA } from './mwaa';
import { loggingConfiguration } from './storage';

/**
 * The checks of `PrivateMwaaEnvironment`'s props, one function per rule. Each names the prop, states
 * the rule and ends with what it got; unresolved tokens are skipped.
 */

/** True when the value is a concrete number (not a token). */
export function isNumber(value: number): boolean {
  return !Token.isUnresolved(value);
}

/**
 * Throws unless the value is an integer within the bounds. Tokens are skipped.
 */
export function requireInteger(prop: string, value: number, min: number, max?: number, context?: string): void {
  if (!isNumber(value)) {
    return;
  }
  const inRange = Number.isInteger(value) && value >= min && (max === undefined || value <= max);
  if (inRange) {
    return;
  }
  let rule: string;
  if (max === undefined) {
    rule = `an integer of at least ${min}`;
  } else if (min === max) {
    rule = `exactly ${min}`;
  } else {
    rule = `an integer from ${min} to ${max}`;
  }
  throw new Error(`\`${prop}\` must be ${rule}${context ? ` ${context}` : ''}, got: ${value}`);
}

/**
 * Throws unless the value is an AWS account id (twelve digits). Tokens are skipped.
 */
export function requireAccountId(prop: string, account: string, rule = 'a 12-digit AWS account id'): void {
  if (!Token.isUnresolved(account) && !/^\d{12}$/.test(account)) {
    throw new Error(`\`${prop}\` must be ${rule}, got: '${account}'`);
  }
}

/** The subnets a selection resolves to, or none when the VPC has no subnets of that kind. */
export function trySelect(vpc: ec2.IVpc, selection: ec2.SubnetSelection): ec2.ISubnet[] {
  try {
    return vpc.selectSubnets(selection).subnets;
  } catch {
    return [];
  }
}

/** How many distinct, known Availability Zones the subnets are in. */
export function distinctZones(subnets: ec2.ISubnet[]): number {
  return new Set(subnets.map(s => s.availabilityZone).filter(z => !Token.isUnresolved(z))).size;
}

/** A short list of subnets for an error message: their ids when known, else their paths. */
export function describeSubnets(subnets: ec2.ISubnet[]): string {
  if (subnets.length === 0) {
    return '';
  }
  const names = subnets.map(s => (Token.isUnresolved(s.subnetId) ? s.node.path : s.subnetId));
  return ` (${names.join(', ')})`;
}


/**
 * MWAA's rule for an environment name, for a created environment and for an imported one (whose name
 * is placed in ARNs, policies and state machine definitions just the same).
 */
export function validateEnvironmentName(name: string, prop = '`environmentName`'): void {
  if (Token.isUnresolved(name)) {
    return;
  }
  if (name.length < 1 || name.length > 80) {
    throw new Error(`${prop} must be 1 to 80 characters long, got: ${name.length} characters ('${name}')`);
  }
  if (!/^[a-zA-Z][0-9a-zA-Z\-_]*$/.test(name)) {
    throw new Error(`${prop} must start with a letter and contain only letters, digits, hyphens and underscores, got: '${name}'`);
  }
}

export function validateAirflowVersion(scope: IConstruct, version: AirflowVersion): void {
  if (Token.isUnresolved(version.version)) {
    return;
  }
  if (!/^\d+\.\d+\.\d+$/.test(version.version)) {
    throw new Error(`\`airflowVersion\` must be a version number MAJOR.MINOR.PATCH, got: '${version.version}'`);
  }
  // One rule: older than the oldest version CloudFormation accepts is an error; anything newer
  // that this library does not know yet is a warning.
  if (compareAirflowVersions(version.version, OLDEST_AIRFLOW_VERSION) < 0) {
    throw new Error(`\`airflowVersion\` must be ${OLDEST_AIRFLOW_VERSION} or newer (older versions have reached end of support and CloudFormation rejects them), got: '${version.version}'`);
  }
  if (!version.known) {
    Annotations.of(scope).addWarningV2(MwaaWarnings.UNKNOWN_AIRFLOW_VERSION,
      `\`airflowVersion\` ${version.version} is not one this library knows CloudFormation accepts; deployment fails if AWS::MWAA::Environment does not accept it yet.`);
  }
}

export function validateEnvironmentClass(scope: IConstruct, environmentClass: EnvironmentClass): void {
  if (!environmentClass.known && !Token.isUnresolved(environmentClass.name)) {
    Annotations.of(scope).addWarningV2(MwaaWarnings.UNKNOWN_ENVIRONMENT_CLASS,
      `\`environmentClass\` ${environmentClass.name} is not one this library knows; deployment fails if MWAA does not offer it in this Region.`);
  }
}

export function validateWorkers(scope: IConstruct, minWorkers: number, maxWorkers: number): void {
  requireInteger('minWorkers', minWorkers, 1);
  requireInteger('maxWorkers', maxWorkers, 1);
  if (isNumber(minWorkers) && isNumber(maxWorkers) && maxWorkers < minWorkers) {
    throw new Error(`\`maxWorkers\` must be at least \`minWorkers\` (${minWorkers}), got: ${maxWorkers}`);
  }
  if (isNumber(maxWorkers) && maxWorkers > WORKER_QUOTA) {
    Annotations.of(scope).addWarningV2(MwaaWarnings.WORKER_QUOTA,
      `\`maxWorkers\` is ${maxWorkers}, above the default quota of ${WORKER_QUOTA} workers per environment; request a quota increase before deploying.`);
  }
}

/**
 * How many schedulers and web servers an environment class runs (the same bounds for both), and how
 * many workers: at least 1, and the default quota above which the construct warns (the self-service
 * state machine refuses more).
 */
export const CAPACITY_RANGES = {
  micro: { low: 1, high: 1 },
  other: { low: 2, high: 5 },
  workers: { low: 1, high: WORKER_QUOTA },
} as const;

export function validateSchedulers(environmentClass: EnvironmentClass, schedulers: number): void {
  const { low, high } = environmentClass.isMicro ? CAPACITY_RANGES.micro : CAPACITY_RANGES.other;
  requireInteger('schedulers', schedulers, low, high, `for ${environmentClass.name}`);
}

export function validateWebservers(environmentClass: EnvironmentClass, minWebservers: number, maxWebservers: number): void {
  const { low, high } = environmentClass.isMicro ? CAPACITY_RANGES.micro : CAPACITY_RANGES.other;
  const context = `for ${environmentClass.name}`;
  requireInteger('minWebservers', minWebservers, low, high, context);
  requireInteger('maxWebservers', maxWebservers, low, high, context);
  if (isNumber(minWebservers) && isNumber(maxWebservers) && maxWebservers < minWebservers) {
    throw new Error(`\`maxWebservers\` must be at least \`minWebservers\` (${minWebservers}), got: ${maxWebservers}`);
  }
}

/** The form of a weekly maintenance window start, `DAY:HH:MM` in UTC. */
export const MAINTENANCE_WINDOW_PATTERN = '^(MON|TUE|WED|THU|FRI|SAT|SUN):([01]\\d|2[0-3]):(00|30)$';

export function validateMaintenanceWindow(window?: string): void {
  if (window === undefined || Token.isUnresolved(window)) {
    return;
  }
  if (!new RegExp(MAINTENANCE_WINDOW_PATTERN).test(window)) {
    throw new Error(`\`weeklyMaintenanceWindowStart\` must be DAY:HH:MM in UTC, with DAY one of MON..SUN, HH 00-23 and MM 00 or 30, got: '${window}'`);
  }
}

/**
 * The rule for one Airflow configuration option, as data, so that the synth check below and the
 * self-service state machine's input check (a JSONata expression built from the same data by
 * `configurationOptionProblemJsonata`) apply the same rule.
 *
 * @see https://docs.aws.amazon.com/mwaa/latest/API/API_UpdateEnvironment.html
 */
export const CONFIGURATION_OPTION_RULE = {
  keyPattern: '^[a-z]+([a-z0-9._]*[a-z0-9_]+)?$',
  keyMaxLength: 64,
  /** Printable ASCII. */
  valuePattern: '^[\\x20-\\x7E]+$',
  valueMaxLength: 65536,
  keyRule: 'lower-case `section.option` names of at most 64 characters (letters, digits, dots and underscores)',
  valueRule: 'strings of 1 to 65,536 printable ASCII characters',
} as const;

/** What is wrong with one configuration option (key and value), or undefined when nothing is. */
export function configurationOptionProblem(key: string, value: unknown): string | undefined {
  const r = CONFIGURATION_OPTION_RULE;
  if (key.length > r.keyMaxLength || !new RegExp(r.keyPattern).test(key)) {
    return `keys must be ${r.keyRule}, got: '${key}'`;
  }
  // The pattern's '+' refuses an empty value.
  if (typeof value !== 'string' || value.length > r.valueMaxLength || !new RegExp(r.valuePattern).test(value)) {
    const got = typeof value !== 'string' ? typeof value : value.length < 1 || value.length > r.valueMaxLength ? `${value.length} characters` : 'a control or non-ASCII character';
    return `values must be ${r.valueRule}, got: ${got} for '${key}'`;
  }
  return undefined;
}

/**
 * The same rule as `configurationOptionProblem`, as a JSONata expression over the variables `$k`
 * (a key) and `$v` (its value) that yields the message, or nothing when the option is good.
 * The key in the message is cut to 100 characters.
 */
export function configurationOptionProblemJsonata(prefix: string): string {
  const r = CONFIGURATION_OPTION_RULE;
  const key = '($length($k) > 100 ? $substring($k, 0, 100) & \'...\' : $k)';
  return `($length($k) > ${r.keyMaxLength} or $not($contains($k, /${r.keyPattern}/)))`
    + ` ? '${prefix} keys must be ${r.keyRule.replace(/`/g, '')}, got: ' & ${key}`
    + ` : ($type($v) != 'string' or $length($v) < 1 or $length($v) > ${r.valueMaxLength} or $not($contains($v, /${r.valuePattern}/)))`
    + ` ? '${prefix} values must be ${r.valueRule}, got: a bad value for ' & ${key}`;
}

export function validateConfigurationOptions(scope: IConstruct, options: { [key: string]: string }, pluginsKey?: string): void {
  if (setsWorkerConcurrency(options)) {
    throw new Error(`\`airflowConfigurationOptions\` must not set \`${WORKER_CONCURRENCY_OPTION}\`: MWAA sets it from the environment class (use \`celery.worker_autoscale\` instead), got: '${WORKER_CONCURRENCY_OPTION}'`);
  }
  for (const [key, value] of Object.entries(options)) {
    if (Token.isUnresolved(key) || Token.isUnresolved(value)) {
      if (!Token.isUnresolved(key)) {
        const problem = configurationOptionProblem(key, 'x');
        if (problem) throw new Error(`\`airflowConfigurationOptions\` ${problem}`);
      }
      continue;
    }
    const problem = configurationOptionProblem(key, value);
    if (problem) {
      throw new Error(`\`airflowConfigurationOptions\` ${problem}`);
    }
  }
  if (lazyLoadsPlugins(pluginsKey !== undefined, options)) {
    const lazy = options[LAZY_LOAD_PLUGINS_OPTION];
    warnOnce(scope, LAZY_LOAD_PLUGINS,
      `\`plugins\` is set but \`airflowConfigurationOptions\` does not set '${LAZY_LOAD_PLUGINS_OPTION}' to 'False'; plugins are then loaded late and changes to them may not be picked up (got: ${lazy === undefined ? 'not set' : `'${lazy}'`}).`);
  }
}

export function validateS3Path(prop: string, path: string): void {
  if (Token.isUnresolved(path)) {
    return;
  }
  if (path.length < 1 || path.length > 1024 || path.startsWith('/') || path.startsWith('s3://')) {
    throw new Error(`\`${prop}\` must be a key relative to the source bucket, 1 to 1,024 characters, without a leading '/' or 's3://', got: '${path}'`);
  }
  validateS3PathSegments(prop, path);
}

/**
 * No `.` or `..` segment in a key or folder (and no empty one but a folder's trailing `/`): S3 keeps
 * them as written, while IAM patterns built from the key (`bucket/./*`) and the tools that upload to
 * it do not agree on what they name.
 */
export function validateS3PathSegments(prop: string, path: string): void {
  const segments = path.replace(/\/$/, '').split('/');
  const bad = segments.find(segment => segment === '.' || segment === '..' || segment === '');
  if (bad !== undefined) {
    throw new Error(`\`${prop}\` must not have '.', '..' or empty segments (keys are taken literally by S3 and IAM), got: '${path}'`);
  }
}

/** An S3 object version id: given, and not blank (CloudFormation would get an empty version). */
export function validateObjectVersion(prop: string, version: string): void {
  if (!Token.isUnresolved(version) && version.trim().length === 0) {
    throw new Error(`\`${prop}\` needs the S3 object version of its key (MWAA reads the file at a pinned version), got: '${version}'`);
  }
}

/**
 * A dependency file outside the DAG folder: people who deploy DAGs can write there, and the
 * plugins, the startup script and the requirements run (or are installed) on every Airflow
 * container as the execution role.
 *
 * Deploy-time values are compared as written: a key written inside the folder (`dags/${param}`,
 * or `${folder}/plugins.zip` with the DAG folder `${folder}`) is in it whatever the values are;
 * another key with a deploy-time value cannot be placed, and passes.
 */
export function validateOutsideDagFolder(prop: string, key: string, dagFolder: string): void {
  const folder = `${dagFolder.replace(/\/+$/, '')}/`;
  if (key.startsWith(folder)) {
    throw new Error(`\`${prop}\` must be outside the DAG folder ${folder}, which DAG developers can write to: code put there would run on every Airflow container as the execution role, got: '${key}'`);
  }
}

export function validateSecurityGroups(groups?: ec2.ISecurityGroup[], ingress?: SelfReferencingIngress): void {
  if (groups === undefined) {
    return;
  }
  if (groups.length < 1 || groups.length > 5) {
    throw new Error(`\`securityGroups\` must have 1 to 5 security groups, got: ${groups.length}`);
  }
  if (ingress !== undefined) {
    throw new Error(`\`selfReferencingIngress\` only applies to the security group the construct creates; add the rules to your own \`securityGroups\` instead, got: ${ingress} with ${groups.length} security group(s)`);
  }
}

export function validateAccessMode(scope: IConstruct, mode: WebserverAccessMode): void {
  // PUBLIC_AND_PRIVATE is as public as PUBLIC_ONLY: anything but PRIVATE_ONLY is.
  if (isPublicWebserver(mode)) {
    warnOnce(scope, PUBLIC_WEBSERVER,
      `\`webserverAccessMode\` is ${mode}: the Airflow web server can be reached from the internet by anyone who can get a login token. Acknowledge this warning if that is intended.`);
  }
}

/**
 * `createNetworkAcl` admits the VPC's own IPv4 range, so it needs to know it; a VPC imported with
 * `fromVpcAttributes` without `vpcCidrBlock` does not (CDK's own error would not say which prop).
 */
export function validateNetworkAclVpc(vpc: ec2.IVpc, create?: boolean): void {
  if (!create) {
    return;
  }
  try {
    vpc.vpcCidrBlock;
  } catch {
    throw new Error(`\`createNetworkAcl\` needs the VPC's IPv4 CIDR block for its rules, and the VPC ${vpc.node.path} was imported without one: pass \`vpcCidrBlock\` to \`ec2.Vpc.fromVpcAttributes\` (or use \`ec2.Vpc.fromLookup\`), got: a VPC without \`vpcCidrBlock\``);
  }
}

/** The props that name web server peers, as error and warning messages name them. */
const WEBSERVER_PEERS_PROP = '`webserverAccessPeers` (or `allowWebserverAccessFrom`)';

/** An IPv4 or IPv6 range: its first address and prefix length, and the address width (32 or 128). */
export interface CidrRange {
  /** As written. */
  readonly text: string;
  readonly first: bigint;
  readonly prefix: number;
  readonly bits: number;
}

/** Parses `a.b.c.d/n`; undefined when it is not a valid IPv4 range. */
function parseIpv4Cidr(cidr: string): { address: bigint; prefix: number } | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!match) {
    return undefined;
  }
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some(o => o > 255) || prefix > 32) {
    return undefined;
  }
  return { address: octets.reduce((acc, o) => acc * 256n + BigInt(o), 0n), prefix };
}

/** Parses an IPv6 range (`::` shorthand allowed, no embedded IPv4); undefined when it is not valid. */
function parseIpv6Cidr(cidr: string): { address: bigint; prefix: number } | undefined {
  const match = /^([0-9a-fA-F:]+)\/(\d{1,3})$/.exec(cidr);
  if (!match || Number(match[2]) > 128) {
    return undefined;
  }
  const halves = match[1].split('::');
  if (halves.length > 2) {
    return undefined;
  }
  const groups = (text: string) => (text === '' ? [] : text.split(':'));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) {
    return undefined;
  }
  // Without '::', missing is 0 here.
  const all = [...head, ...Array(missing).fill('0'), ...tail];
  if (all.some(g => !/^[0-9a-fA-F]{1,4}$/.test(g))) {
    return undefined;
  }
  return { address: all.reduce((acc, g) => acc * 65536n + BigInt(parseInt(g, 16)), 0n), prefix: Number(match[2]) };
}

function formatRange(range: CidrRange): string {
  if (range.bits === 32) {
    return `${[24n, 16n, 8n, 0n].map(shift => (range.first / 2n ** shift) % 256n).join('.')}/${range.prefix}`;
  }
  const groups = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map(shift => ((range.first / 2n ** shift) % 65536n).toString(16));
  return `${groups.join(':')}/${range.prefix}`;
}

/**
 * The range a web server peer names, checked: a valid IPv4 or IPv6 range in canonical form (no bits
 * set after the prefix, as `10.0.0.1/24` has). Undefined for a peer that is not a range (a security
 * group, a prefix list) or a token.
 *
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AuthorizeSecurityGroupIngress.html
 */
export function validateWebserverPeer(peer: ec2.IPeer, prop = WEBSERVER_PEERS_PROP): CidrRange | undefined {
  const rule = peer.toIngressRuleConfig();
  const ipv4 = typeof rule.cidrIp === 'string';
  const cidr: unknown = ipv4 ? rule.cidrIp : rule.cidrIpv6;
  if (typeof cidr !== 'string' || Token.isUnresolved(cidr)) {
    return undefined;
  }
  const bits = ipv4 ? 32 : 128;
  const parsed = bits === 32 ? parseIpv4Cidr(cidr) : parseIpv6Cidr(cidr);
  if (parsed === undefined) {
    throw new Error(`${prop} must be ${bits === 32 ? 'an IPv4 range a.b.c.d/n with octets up to 255 and n up to 32' : 'an IPv6 range with a prefix up to 128'}, got: ${cidr}`);
  }
  const hostBits = BigInt(bits - parsed.prefix);
  const first = parsed.address - parsed.address % 2n ** hostBits;
  const range = { text: cidr, first, prefix: parsed.prefix, bits };
  if (first !== parsed.address) {
    throw new Error(`${prop} must be a range in canonical form (no address bits after the prefix), such as ${formatRange(range)}, got: ${cidr}`);
  }
  return range;
}

/**
 * Whether some ranges together cover every address of their family: `0.0.0.0/0` itself, or
 * `0.0.0.0/1` with `128.0.0.0/1`, and the same for IPv6.
 */
export function coversEveryAddress(ranges: CidrRange[], bits: number): boolean {
  const sorted = ranges.filter(r => r.bits === bits)
    .map(r => ({ first: r.first, last: r.first + 2n ** BigInt(bits - r.prefix) - 1n }))
    // By first address: sort reads only the sign, and a difference of up to 2^128 is a finite Number.
    .sort((x, y) => Number(x.first - y.first));
  let next = 0n;
  for (const range of sorted) {
    if (range.first > next) {
      return false;
    }
    if (range.last >= next) {
      next = range.last + 1n;
    }
  }
  return next === 2n ** BigInt(bits);
}

/** The whole internet as web server peers (one range or several together): the network ACL and security group would admit anyone. */
export function warnIfOpenToAll(scope: IConstruct, ranges: CidrRange[], prop = WEBSERVER_PEERS_PROP): void {
  const everyone = [[32, '0.0.0.0/0'], [128, '::/0']].filter(([bits]) => coversEveryAddress(ranges, bits as number)).map(([, all]) => all);
  if (everyone.length > 0) {
    const got = ranges.filter(r => everyone.includes(r.bits === 32 ? '0.0.0.0/0' : '::/0')).map(r => r.text).join(', ');
    Annotations.of(scope).addWarningV2(MwaaWarnings.WEBSERVER_OPEN_TO_ALL,
      `${prop}: the ranges together cover ${everyone.join(' and ')}, which lets every address reach the web server on TCP 443 and defeats a private web server's network boundary; name the client networks instead, or acknowledge this warning (got: ${got}).`);
  }
}

export function validateEndpointManagement(scope: IConstruct, management: EndpointManagement, create?: boolean): void {
  if (management !== EndpointManagement.CUSTOMER) {
    if (create !== undefined) {
      throw new Error(`\`createCustomerEndpoints\` only applies when \`endpointManagement\` is CUSTOMER, got: ${create} with ${management}`);
    }
    return;
  }
  if (create === false) {
    Annotations.of(scope).addWarningV2(MwaaWarnings.CUSTOMER_ENDPOINTS,
      '`endpointManagement` is CUSTOMER and `createCustomerEndpoints` is off, so nothing here creates the VPC endpoints: the environment stays PENDING (and fails after 72 hours) until endpoints for `databaseVpcEndpointService` and, for a private web server, `webserverVpcEndpointService` exist in its subnets. In a shared VPC, deploy `MwaaSharedVpcEndpointProvisioner` in the account that owns the VPC.');
  }
}

export function validateLogging(scope: IConstruct, logging: LoggingConfiguration): void {
  // Judged on what CloudFormation gets, defaults filled in, as the rule judges a template.
  const config = loggingConfiguration(logging);
  for (const type of LOG_TYPES) {
    // Never undefined: loggingConfiguration fills in INFO.
    const level = config[type.prop].logLevel as string;
    if (!Token.isUnresolved(level) && !LOG_LEVELS.includes(level)) {
      throw new Error(`\`loggingConfiguration.${type.prop}.logLevel\` must be one of MWAA's log levels, ${LOG_LEVELS.join(', ')}, got: '${level}'`);
    }
  }
  const weak = quietLogTypes(type => {
    const options = config[type.prop];
    return { enabled: options.enabled, level: options.logLevel };
  });
  if (weak.length > 0) {
    warnOnce(scope, REDUCED_LOGGING,
      `\`loggingConfiguration\`: ${weak.map(type => type.prop).join(', ')} disabled or less verbose than INFO; audits and cdk-nag's MWAA rule expect every log type at INFO or more.`);
  }
}
export function validateVpcEndpoints(create?: boolean, options?: object): void {
  if (options !== undefined && !create) {
    throw new Error(`\`vpcEndpointsOptions\` only applies when \`createVpcEndpoints\` is true, got: options with createVpcEndpoints ${create ?? 'not set'}`);
  }
}

export function validateRevert(revert: boolean | undefined, guardrail: boolean, mode: WebserverAccessMode): void {
  if (revert && mode !== WebserverAccessMode.PRIVATE_ONLY) {
    // The stack's own CreateEnvironment (and every deployment after a revert) would set it off.
    throw new Error(`\`revertPublicAccess\` makes the web server PRIVATE_ONLY whenever it is made public, so it needs \`webserverAccessMode\` PRIVATE_ONLY (otherwise the stack and the revert undo each other), got: revertPublicAccess true with webserverAccessMode ${mode}`);
  }
  if (revert && !guardrail) {
    throw new Error('`revertPublicAccess` is started by the public access guardrail, so it needs `publicAccessGuardrail`, got: revertPublicAccess true with publicAccessGuardrail false');
  }
}

export function validateSelfServiceOptions(selfService: boolean | undefined, allowed: string[] | undefined): void {
  if (allowed !== undefined && !selfService) {
    throw new Error(`\`selfServiceAllowedConfigurationOptions\` only applies when \`selfService\` is true, got: [${allowed.join(', ')}] with selfService ${selfService ?? 'not set'}`);
  }
}

/**
 * The props `validateCapacity` reads: the environment's props satisfy it. A shape of its own, so that
 * this file does not import the props file, which imports the feature files that call into this one.
 */
export interface CapacityProps {
  readonly environmentName: string;
  readonly minWorkers?: number;
  readonly maxWorkers?: number;
  readonly schedulers?: number;
  readonly minWebservers?: number;
  readonly maxWebservers?: number;
  readonly weeklyMaintenanceWindowStart?: string;
}

/** The capacity settings of an environment, with their defaults, checked (and its name, version and class). */
export function validateCapacity(scope: IConstruct, version: AirflowVersion, environmentClass: EnvironmentClass, props: CapacityProps) {
  const oneOrTwo = environmentClass.isMicro ? 1 : 2;
  const minWorkers = props.minWorkers ?? 1;
  const maxWorkers = props.maxWorkers ?? Math.max(10, isNumber(minWorkers) ? minWorkers : 10);
  const schedulers = props.schedulers ?? oneOrTwo;
  const minWebservers = props.minWebservers ?? oneOrTwo;
  const maxWebservers = props.maxWebservers ?? (isNumber(minWebservers) ? Math.max(oneOrTwo, minWebservers) : oneOrTwo);
  validateEnvironmentName(props.environmentName);
  validateAirflowVersion(scope, version);
  validateEnvironmentClass(scope, environmentClass);
  validateWorkers(scope, minWorkers, maxWorkers);
  validateSchedulers(environmentClass, schedulers);
  validateWebservers(environmentClass, minWebservers, maxWebservers);
  validateMaintenanceWindow(props.weeklyMaintenanceWindowStart);
  return { minWorkers, maxWorkers, schedulers, minWebservers, maxWebservers };
}

/** Asset watchers on a queue are an Airflow 3 feature. */
export function validateEventQueue(version: AirflowVersion, eventQueue?: boolean): void {
  if (eventQueue && compareAirflowVersions(version.version, '3') < 0) {
    throw new Error(`\`eventQueue\` needs Airflow 3 or later (asset watchers on SQS), got: \`airflowVersion\` ${version.version}`);
  }
}
