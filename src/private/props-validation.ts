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
import { LAZY_LOAD_PLUGINS_OPTION, OLDEST_AIRFLOW_VERSION, WORKER_CONCURRENCY_OPTION, WORKER_QUOTA } from './mwaa';
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


export function validateEnvironmentName(name: string): void {
  if (Token.isUnresolved(name)) {
    return;
  }
  if (name.length < 1 || name.length > 80) {
    throw new Error(`\`environmentName\` must be 1 to 80 characters long, got: ${name.length} characters ('${name}')`);
  }
  if (!/^[a-zA-Z][0-9a-zA-Z\-_]*$/.test(name)) {
    throw new Error(`\`environmentName\` must start with a letter and contain only letters, digits, hyphens and underscores, got: '${name}'`);
  }
}

export function validateAirflowVersion(scope: IConstruct, version: AirflowVersion): void {
  if (Token.isUnresolved(version.version)) {
    return;
  }
  const parsed = /^(\d+)\.(\d+)\.(\d+)$/.exec(version.version);
  if (!parsed) {
    throw new Error(`\`airflowVersion\` must be a version number MAJOR.MINOR.PATCH, got: '${version.version}'`);
  }
  // One rule: older than the oldest version CloudFormation accepts is an error; anything newer
  // that this library does not know yet is a warning.
  const oldest = OLDEST_AIRFLOW_VERSION.split('.').map(Number);
  const given = parsed.slice(1, 4).map(Number);
  const index = given.findIndex((part, i) => part !== oldest[i]);
  if (index >= 0 && given[index] < oldest[index]) {
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

export function validateSchedulers(environmentClass: EnvironmentClass, schedulers: number): void {
  if (environmentClass.isMicro) {
    requireInteger('schedulers', schedulers, 1, 1, 'for mw1.micro');
  } else {
    requireInteger('schedulers', schedulers, 2, 5, `for ${environmentClass.name}`);
  }
}

export function validateWebservers(environmentClass: EnvironmentClass, minWebservers: number, maxWebservers: number): void {
  const [low, high, context] = environmentClass.isMicro ? [1, 1, 'for mw1.micro'] : [2, 5, `for ${environmentClass.name}`];
  requireInteger('minWebservers', minWebservers, low, high, context);
  requireInteger('maxWebservers', maxWebservers, low, high, context);
  if (isNumber(minWebservers) && isNumber(maxWebservers) && maxWebservers < minWebservers) {
    throw new Error(`\`maxWebservers\` must be at least \`minWebservers\` (${minWebservers}), got: ${maxWebservers}`);
  }
}

export function validateMaintenanceWindow(window?: string): void {
  if (window === undefined || Token.isUnresolved(window)) {
    return;
  }
  if (!/^(MON|TUE|WED|THU|FRI|SAT|SUN):([01]\d|2[0-3]):(00|30)$/.test(window)) {
    throw new Error(`\`weeklyMaintenanceWindowStart\` must be DAY:HH:MM in UTC, with DAY one of MON..SUN, HH 00-23 and MM 00 or 30, got: '${window}'`);
  }
}

export function validateConfigurationOptions(scope: IConstruct, options: { [key: string]: string }, pluginsKey?: string): void {
  if (setsWorkerConcurrency(options)) {
    throw new Error(`\`airflowConfigurationOptions\` must not set \`${WORKER_CONCURRENCY_OPTION}\`: MWAA sets it from the environment class (use \`celery.worker_autoscale\` instead), got: '${WORKER_CONCURRENCY_OPTION}'`);
  }
  for (const [key, value] of Object.entries(options)) {
    if (Token.isUnresolved(key)) {
      continue;
    }
    if (key.length > 64 || !/^[a-z]+([a-z0-9._]*[a-z0-9_]+)?$/.test(key)) {
      throw new Error(`\`airflowConfigurationOptions\` keys must be lower-case \`section.option\` names of at most 64 characters (letters, digits, dots and underscores), got: '${key}'`);
    }
    if (Token.isUnresolved(value)) {
      continue;
    }
    if (typeof value !== 'string' || value.length < 1 || value.length > 65536) {
      throw new Error(`\`airflowConfigurationOptions\` values must be strings of 1 to 65,536 characters, got: ${typeof value === 'string' ? `${value.length} characters` : typeof value} for '${key}'`);
    }
    if (!/^[\x20-\x7E]+$/.test(value)) {
      throw new Error(`\`airflowConfigurationOptions\` values must be printable ASCII characters, got: a control or non-ASCII character in the value of '${key}'`);
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

/** The whole internet as a web server peer: the network ACL and security group would admit anyone. */
export function warnIfOpenToAll(scope: IConstruct, peer: ec2.IPeer): void {
  const rule = peer.toIngressRuleConfig();
  const everyone = [rule.cidrIp, rule.cidrIpv6].find(cidr => cidr === '0.0.0.0/0' || cidr === '::/0');
  if (everyone !== undefined) {
    Annotations.of(scope).addWarningV2(MwaaWarnings.WEBSERVER_OPEN_TO_ALL,
      `\`webserverAccessPeers\` (or \`allowWebserverAccessFrom\`): ${everyone} lets every address reach the web server on TCP 443, which defeats a private web server's network boundary; name the client networks instead, or acknowledge this warning (got: ${everyone}).`);
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

export function validateRevert(revert: boolean | undefined, guardrail: boolean): void {
  if (revert && !guardrail) {
    throw new Error('`revertPublicAccess` is started by the public access guardrail, so it needs `publicAccessGuardrail`, got: revertPublicAccess true with publicAccessGuardrail false');
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
