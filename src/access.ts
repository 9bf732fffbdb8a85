import { Annotations, Aws, IResource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { airflowRoleArn, ec2Arn, logGroupArn, secretArnPattern } from './private/arns';
import { recordDagWriter } from './private/dag-folder';
import { LOG_TYPES, PASSED_TO_SERVICE } from './private/mwaa';
import { acknowledge, findingName, iam5 } from './private/nag';
import { MwaaWarnings } from './warnings';

/**
 * An Apache Airflow role that a person logs in to the Airflow UI, or calls the REST API, as.
 *
 * @see https://docs.aws.amazon.com/mwaa/latest/userguide/access-policies.html
 */
export enum AirflowRole {
  /** Everything, including user and connection management. */
  ADMIN = 'Admin',
  /** Operations: DAGs, connections, pools and variables, but not users. */
  OP = 'Op',
  /** DAG authors: run and edit DAGs. */
  USER = 'User',
  /** Read only. */
  VIEWER = 'Viewer',
  /** No permissions until an administrator grants some. */
  PUBLIC = 'Public',
}

/**
 * A bundle of grants for one kind of person.
 */
export enum AccessProfile {
  /**
   * Logs in as Admin, updates the environment (scheduler count, class, requirements and plugin
   * versions) with what AWS documents an update of an environment with a customer managed key
   * needs, deploys requirements, plugins and the startup script, reads logs, sees the environment
   * in the console, and reads the secret values of the Secrets Manager backend if there is one.
   */
  ADMINISTRATOR = 'ADMINISTRATOR',
  /** Logs in as User, deploys DAGs, reads logs, sees the environment in the console. */
  DEVELOPER = 'DEVELOPER',
  /** Logs in as Op, reads logs, sees the environment in the console. */
  OPERATOR = 'OPERATOR',
  /** Logs in as Viewer. */
  VIEWER = 'VIEWER',
}

/**
 * Existing principals to give an access profile, for example the role of a single-sign-on
 * permission set or a team's group.
 */
export interface AccessAssignment {
  /** The profile to give. */
  readonly profile: AccessProfile;

  /**
   * Roles that get the profile's managed policy attached.
   *
   * @default - none
   */
  readonly roles?: iam.IRole[];

  /**
   * Groups that get the profile's managed policy attached.
   *
   * @default - none
   */
  readonly groups?: iam.IGroup[];

  /**
   * Users that get the profile's managed policy attached.
   *
   * @default - none
   */
  readonly users?: iam.IUser[];
}

/**
 * How people get access to the environment.
 */
export interface PeopleAccessOptions {
  /**
   * Whether to create one IAM group per access profile, named `<environment>-<profile>`, for
   * example `analytics-developers`.
   *
   * @default true
   */
  readonly createGroups?: boolean;

  /**
   * Existing roles, groups and users to give a profile.
   *
   * @default - none
   */
  readonly assignments?: AccessAssignment[];
}

/** The access profiles, with their construct ids and name suffixes. */
const PROFILES = [
  { key: AccessProfile.ADMINISTRATOR, id: 'Administrators', suffix: 'administrators' },
  { key: AccessProfile.DEVELOPER, id: 'Developers', suffix: 'developers' },
  { key: AccessProfile.OPERATOR, id: 'Operators', suffix: 'operators' },
  { key: AccessProfile.VIEWER, id: 'Viewers', suffix: 'viewers' },
];

function profileSpec(profile: AccessProfile) {
  const spec = PROFILES.find(p => p.key === profile);
  if (spec === undefined) {
    throw new Error(`\`profile\` must be an AccessProfile, got: ${profile}`);
  }
  return spec;
}

/**
 * The name of the customer managed policy of an access profile: `<environment>-airflow-<profile>`,
 * for example `analytics-airflow-developers`.
 */
export function accessPolicyNameOf(environmentName: string, profile: AccessProfile): string {
  return `${environmentName}-airflow-${profileSpec(profile).suffix}`;
}

/**
 * Where people deploy DAGs and dependency files to, as far as it is known.
 */
export interface DeploymentTargets {
  /** The source bucket; undefined for an environment imported without it. */
  readonly sourceBucket?: s3.IBucket;
  /** The key of the bucket's objects. */
  readonly kmsKey?: kms.IKey;
  /** The DAG folder, without a trailing `/`. */
  readonly dagFolder: string;
  /** The keys of the requirements file, the plugins archive and the startup script. */
  readonly dependencyKeys: string[];
  /** The restricted updater administrators use instead of `UpdateEnvironment`, if there is one. */
  readonly selfService?: RestrictedUpdater;
}

/**
 * What grants need to know of an environment beyond its name: where people deploy DAGs and
 * dependencies, and the execution role updates pass to MWAA. Unknown parts are `undefined`.
 */
export interface EnvironmentGrantTargets extends DeploymentTargets {
  /** The ARN of the execution role, for `iam:PassRole`. */
  readonly executionRoleArn?: string;
  /** The VPC, subnets and security groups, for the administrator's EC2 permissions. */
  readonly network?: EnvironmentNetwork;
  /** The secret name prefixes of the Secrets Manager backend; empty when it is off or unknown. */
  readonly secretPrefixes: string[];
}

/**
 * What the grants need of an environment, created or imported (the environment's base class has
 * it): a shape of its own, so that this feature does not import the class that composes it.
 */
export interface GrantingEnvironment extends Construct, IResource {
  readonly environmentName: string;
  grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant;
  grantWebLogin(grantee: iam.IGrantable, role: AirflowRole): iam.Grant;
  grantRestApi(grantee: iam.IGrantable, role: AirflowRole): iam.Grant;
  grantCliToken(grantee: iam.IGrantable): iam.Grant;
  grantReadLogs(grantee: iam.IGrantable): iam.Grant;
  grantConsoleReadOnly(grantee: iam.IGrantable): iam.Grant;
  grantAdministration(grantee: iam.IGrantable): iam.Grant;
  grantDagDeployment(grantee: iam.IGrantable): iam.Grant;
  grantDependencyDeployment(grantee: iam.IGrantable): iam.Grant;
  grantAccessProfile(grantee: iam.IGrantable, profile: AccessProfile): iam.Grant;
}

/** Whether a role is one IAM Identity Center owns (`AWSReservedSSO_*`), which takes no policy from outside. */
function isSsoRole(role: Partial<iam.IRole>): role is iam.IRole {
  return typeof role.roleName === 'string' && !Token.isUnresolved(role.roleName) && role.roleName.startsWith('AWSReservedSSO_');
}

/** The IAM Identity Center roles already warned about, per environment: one warning per role. */
const WARNED_SSO_ROLES = new WeakMap<GrantingEnvironment, Set<string>>();

/**
 * Warn, once per role, that an IAM Identity Center role takes no policy from outside (IAM refuses
 * to attach or put policies on `AWSReservedSSO_*` roles, so the deployment would fail), and say
 * which customer managed policy to reference in the permission set instead.
 */
function warnSsoRole(env: GrantingEnvironment, role: iam.IRole, what: string, policyName: string): void {
  let warned = WARNED_SSO_ROLES.get(env);
  if (warned === undefined) {
    warned = new Set();
    WARNED_SSO_ROLES.set(env, warned);
  }
  if (warned.has(role.roleName)) {
    return;
  }
  warned.add(role.roleName);
  Annotations.of(env).addWarningV2(MwaaWarnings.SSO_ROLE,
    `${what}: ${role.roleName} is an IAM Identity Center role, which IAM does not let anyone attach policies to, so the deployment would fail; nothing was added to it. Reference the customer managed policy ${policyName} in the permission set instead.`);
}

/**
 * A grant to an IAM Identity Center role is not added (its inline policy could not exist): warn,
 * and return a dropped grant. Undefined for any other grantee.
 */
export function ssoRoleGrant(env: GrantingEnvironment, grantee: iam.IGrantable, profile?: AccessProfile): iam.Grant | undefined {
  const principal = grantee.grantPrincipal as Partial<iam.IRole>;
  if (!isSsoRole(principal)) {
    return undefined;
  }
  const policyName = profile === undefined
    ? `of the access profile it needs (\`accessPolicyName(profile)\`, for example ${accessPolicyNameOf(env.environmentName, AccessProfile.DEVELOPER)})`
    : accessPolicyNameOf(env.environmentName, profile);
  warnSsoRole(env, principal, 'A grant of the environment', policyName);
  // Stryker disable next-line StringLiteral: Grant.drop() ignores its intent (aws-cdk-lib 2.258), so no text here is observable
  return iam.Grant.drop(grantee, `a grant to the IAM Identity Center role ${principal.roleName}`);
}

export function grantWebLogin(env: GrantingEnvironment, grantee: iam.IGrantable, role: AirflowRole): iam.Grant {
  return ssoRoleGrant(env, grantee)
    ?? iam.Grant.addToPrincipal({ grantee, actions: ['airflow:CreateWebLoginToken'], resourceArns: [airflowRoleArn(env, env.environmentName, role)] });
}

export function grantRestApi(env: GrantingEnvironment, grantee: iam.IGrantable, role: AirflowRole): iam.Grant {
  return ssoRoleGrant(env, grantee)
    ?? iam.Grant.addToPrincipal({ grantee, actions: ['airflow:InvokeRestApi'], resourceArns: [airflowRoleArn(env, env.environmentName, role)] });
}

export function grantReadLogs(env: GrantingEnvironment, grantee: iam.IGrantable): iam.Grant {
  const sso = ssoRoleGrant(env, grantee);
  if (sso) {
    return sso;
  }
  return iam.Grant.addToPrincipal({
    grantee,
    actions: ['logs:DescribeLogStreams', 'logs:GetLogEvents', 'logs:FilterLogEvents', 'logs:StartQuery', 'logs:GetLogGroupFields'],
    // The five groups by name (and their streams): a pattern such as airflow-<name>-* would also
    // match the groups of an environment whose name starts with this one's and a hyphen.
    resourceArns: LOG_TYPES.flatMap(type => {
      const group = logGroupArn(env, env.environmentName, type.suffix);
      return [group, `${group}:*`];
    }),
  }).combine(iam.Grant.addToPrincipal({
    grantee,
    // No resource-level permissions: listing the groups and reading the results of a query.
    actions: ['logs:DescribeLogGroups', 'logs:GetQueryResults'],
    resourceArns: ['*'],
  }));
}

export function grantConsoleReadOnly(env: GrantingEnvironment, grantee: iam.IGrantable): iam.Grant {
  const sso = ssoRoleGrant(env, grantee);
  if (sso) {
    return sso;
  }
  return env.grant(grantee, 'airflow:GetEnvironment', 'airflow:ListTagsForResource').combine(iam.Grant.addToPrincipal({
    grantee, actions: ['airflow:ListEnvironments'], resourceArns: ['*'], // no resource-level permissions
  }));
}

/** What administrators start instead of calling `UpdateEnvironment` themselves. */
export interface RestrictedUpdater {
  /** The ARN pattern of its executions, which the grant lets people read. */
  readonly executionsArn: string;
  grantStartUpdate(grantee: iam.IGrantable): iam.Grant;
}

/**
 * Update and read the environment, pass its execution role to MWAA, and what AWS's "Full API and
 * console access policy" adds for an environment encrypted with a customer managed key, narrowed to
 * this environment's key, bucket, VPC, subnets and security groups wherever the action's resource
 * types allow it (the service authorization reference):
 *
 * - KMS `DescribeKey, ListGrants, CreateGrant, RevokeGrant, Decrypt, Encrypt, GenerateDataKey*,
 *   ReEncrypt*` on the key (AWS's statement has no kms:ViaService condition);
 * - `ec2:DescribeSecurityGroups/Subnets/Vpcs/RouteTables` (no resource types, so `*`);
 * - `s3:GetEncryptionConfiguration` on the bucket;
 * - `ec2:CreateVpcEndpoint` (vpc-endpoint and vpc required; subnet and security-group optional) and
 *   `ec2:CreateNetworkInterface` (network-interface and subnet required; security-group optional),
 *   which a private web server needs: new endpoints and interfaces in this account and Region, in
 *   this VPC, these subnets and these security groups only. The VPC, subnets and security groups
 *   are named by id in any account, as a shared VPC's belong to its owner (ids are unique);
 * - `iam:CreateServiceLinkedRole` on MWAA's service-linked role.
 *
 * What an imported environment does not know (key, bucket, network) is left out.
 *
 * @see https://docs.aws.amazon.com/mwaa/latest/userguide/access-policies.html#full-access-policy
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html
 */
export function grantAdministration(env: GrantingEnvironment, grantee: iam.IGrantable, targets: EnvironmentGrantTargets): iam.Grant {
  const sso = ssoRoleGrant(env, grantee);
  if (sso) {
    return sso;
  }
  if (targets.selfService !== undefined) {
    // No UpdateEnvironment, and so none of what an update needs (PassRole, the key's grants, the
    // endpoints): updates go through the restricted updater.
    const start = env.grant(grantee, 'airflow:GetEnvironment').combine(targets.selfService.grantStartUpdate(grantee));
    return targets.secretPrefixes.length > 0 ? start.combine(grantReadSecrets(env, grantee, targets)) : start;
  }
  const stack = Stack.of(env);
  const grants = [
    env.grant(grantee, 'airflow:GetEnvironment', 'airflow:UpdateEnvironment'),
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:DescribeVpcs', 'ec2:DescribeRouteTables'],
      resourceArns: ['*'],
    }),
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['iam:CreateServiceLinkedRole'],
      resourceArns: [stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: 'aws-service-role/airflow.amazonaws.com/AWSServiceRoleForAmazonMWAA' })],
    }),
  ];
  if (targets.executionRoleArn !== undefined) {
    // Updating an environment passes its execution role to MWAA.
    grants.push(iam.Grant.addToPrincipal({
      grantee,
      actions: ['iam:PassRole'],
      resourceArns: [targets.executionRoleArn],
      conditions: { StringEquals: { 'iam:PassedToService': PASSED_TO_SERVICE } },
    }));
  }
  if (targets.kmsKey !== undefined) {
    grants.push(iam.Grant.addToPrincipal({
      grantee,
      actions: ['kms:DescribeKey', 'kms:ListGrants', 'kms:CreateGrant', 'kms:RevokeGrant', 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
      resourceArns: [targets.kmsKey.keyArn],
    }));
  }
  if (targets.sourceBucket !== undefined) {
    grants.push(iam.Grant.addToPrincipal({ grantee, actions: ['s3:GetEncryptionConfiguration'], resourceArns: [targets.sourceBucket.bucketArn] }));
  }
  if (targets.network !== undefined) {
    const placement = networkArns(env, targets.network);
    grants.push(
      iam.Grant.addToPrincipal({ grantee, actions: ['ec2:CreateVpcEndpoint'], resourceArns: [ec2Arn(env, 'vpc-endpoint', '*'), ...placement] }),
      iam.Grant.addToPrincipal({ grantee, actions: ['ec2:CreateNetworkInterface'], resourceArns: [ec2Arn(env, 'network-interface', '*'), ...placement.slice(1)] }),
    );
  }
  if (targets.secretPrefixes.length > 0) {
    grants.push(grantReadSecrets(env, grantee, targets));
  }
  return grants.reduce((all, g) => all.combine(g));
}

/**
 * What grants know of an environment defined in this app, which has a key and a network; the
 * people's access of such an environment is built from it.
 */
export interface OwnEnvironmentGrantTargets extends EnvironmentGrantTargets {
  readonly kmsKey: kms.IKey;
  readonly network: EnvironmentNetwork;
}

/** The cdk-nag findings the administrator's documented wildcards raise, each with its reason. */
function administratorWildcards(env: GrantingEnvironment, targets: OwnEnvironmentGrantTargets) {
  const findings = [];
  if (targets.selfService !== undefined) {
    findings.push(iam5(`Resource::${findingName(env, targets.selfService.executionsArn)}`,
      'Following the executions of this environment\'s self-service updater, whose names are chosen when they start.'));
  } else {
    // Updating directly (grantAdministration): the wildcards of AWS's full access policy for a
    // customer managed key, and those of the resources MWAA creates in the network.
    const placement = [
      [ec2Arn(env, 'vpc-endpoint', '*'), 'The VPC endpoint MWAA creates for a private web server has no id before it exists; only in this VPC, subnets and security groups.'],
      [ec2Arn(env, 'network-interface', '*'), 'The network interfaces MWAA creates have no id before they exist; only in this environment\'s subnets.'],
      ...networkArns(env, targets.network).map(arn => [arn, 'This environment\'s own VPC, subnet or security group, by id; the account is open because a shared VPC\'s belong to its owner account.']),
    ];
    findings.push(
      iam5('Action::kms:GenerateDataKey*', 'AWS\'s full access policy for an environment with a customer managed key: data keys of this environment\'s key only.'),
      iam5('Action::kms:ReEncrypt*', 'AWS\'s full access policy for an environment with a customer managed key: re-encryption with this environment\'s key only.'),
      ...placement.map(([arn, reason]) => iam5(`Resource::${findingName(env, arn)}`, reason)),
    );
  }
  for (const prefix of targets.secretPrefixes) {
    findings.push(iam5(`Resource::${findingName(env, secretArnPattern(env, prefix))}`, `Reading the secrets of the Secrets Manager backend under ${prefix}/, read-only.`));
  }
  return findings;
}

/** Where an environment runs, for the administrator's EC2 permissions. */
export interface EnvironmentNetwork {
  readonly vpcId: string;
  readonly subnetIds: string[];
  readonly securityGroupIds: string[];
}

/** An EC2 resource ARN in this Region, in this account or (`anyAccount`) any. */

/** The VPC, subnets and security groups of the environment, by id in any account (a shared VPC's are its owner's). */
export function networkArns(env: GrantingEnvironment, network: EnvironmentNetwork): string[] {
  return [
    ec2Arn(env, 'vpc', network.vpcId, '*'),
    ...network.subnetIds.map(id => ec2Arn(env, 'subnet', id, '*')),
    ...network.securityGroupIds.map(id => ec2Arn(env, 'security-group', id, '*')),
  ];
}

/**
 * Read the Airflow connections and variables the Secrets Manager backend reads: the secrets under
 * its two prefixes, and decrypt them with the environment's key through Secrets Manager only.
 * Throws when the environment has no `secretsBackend` (an imported environment does not know it).
 */
export function grantReadSecrets(env: GrantingEnvironment, grantee: iam.IGrantable, targets: EnvironmentGrantTargets): iam.Grant {
  const prefixes = targets.secretPrefixes;
  if (prefixes.length === 0) {
    throw new Error(`\`grantReadSecrets\` reads the secrets of the environment's \`secretsBackend\`, and ${env.node.path} has none (an imported environment does not know its backend), got: no secretsBackend`);
  }
  const sso = ssoRoleGrant(env, grantee);
  if (sso) {
    return sso;
  }
  const read = iam.Grant.addToPrincipal({
    grantee,
    actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret', 'secretsmanager:ListSecretVersionIds'],
    resourceArns: prefixes.map(prefix => secretArnPattern(env, prefix)),
  });
  // Stryker disable next-line ConditionalExpression,BlockStatement: only an environment defined in this app knows its secrets backend, and it always has a key; the guard keeps the types honest
  if (targets.kmsKey === undefined) {
    return read;
  }
  return read.combine(iam.Grant.addToPrincipal({
    grantee,
    actions: ['kms:Decrypt'],
    resourceArns: [targets.kmsKey.keyArn],
    conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(env).region}.${Aws.URL_SUFFIX}` } },
  }));
}

function requireBucket(env: GrantingEnvironment, targets: DeploymentTargets, what: string): s3.IBucket {
  if (targets.sourceBucket === undefined) {
    throw new Error(`\`sourceBucket\` of the imported environment ${env.node.path} is needed to ${what}; import it with \`fromEnvironmentAttributes\` and its \`sourceBucket\`, got: no bucket`);
  }
  return targets.sourceBucket;
}

function grantBucketWrite(
  env: GrantingEnvironment,
  grantee: iam.IGrantable,
  bucket: s3.IBucket,
  key: kms.IKey | undefined,
  keyPatterns: string[],
  actions: string[],
): iam.Grant {
  const write = iam.Grant.addToPrincipal({
    grantee,
    actions,
    resourceArns: keyPatterns.map(k => bucket.arnForObjects(k)),
  });
  const encryptionKey = bucket.encryptionKey ?? key;
  if (encryptionKey === undefined) {
    return write;
  }
  return write.combine(iam.Grant.addToPrincipal({
    grantee,
    actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
    resourceArns: [encryptionKey.keyArn],
    conditions: { StringEquals: { 'kms:ViaService': `s3.${env.env.region}.${Aws.URL_SUFFIX}` } },
  }));
}

export function grantDagDeployment(env: GrantingEnvironment, grantee: iam.IGrantable, targets: DeploymentTargets): iam.Grant {
  const sso = ssoRoleGrant(env, grantee);
  if (sso) {
    return sso;
  }
  const bucket = requireBucket(env, targets, 'deploy DAGs');
  const folder = targets.dagFolder;
  recordDagWriter(env, Construct.isConstruct(grantee) ? grantee.node.path : grantee.grantPrincipal.toString());
  return grantBucketWrite(env, grantee, bucket, targets.kmsKey, [`${folder}/*`], ['s3:PutObject', 's3:DeleteObject', 's3:GetObject', 's3:GetObjectVersion'])
    .combine(iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:ListBucket'],
      resourceArns: [bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${folder}/*`, folder] } },
    }));
}

export function grantDependencyDeployment(env: GrantingEnvironment, grantee: iam.IGrantable, targets: DeploymentTargets): iam.Grant {
  const sso = ssoRoleGrant(env, grantee);
  if (sso) {
    return sso;
  }
  const bucket = requireBucket(env, targets, 'deploy requirements, plugins and the startup script');
  return grantBucketWrite(env, grantee, bucket, targets.kmsKey, targets.dependencyKeys, ['s3:PutObject', 's3:GetObject', 's3:GetObjectVersion'])
    .combine(iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:ListBucketVersions'],
      resourceArns: [bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': targets.dependencyKeys } },
    }));
}

/** What each access profile may do, grant by grant. */
const PROFILE_GRANTS: { [profile: string]: (env: GrantingEnvironment, grantee: iam.IGrantable) => iam.Grant[] } = {
  [AccessProfile.ADMINISTRATOR]: (env, g) => [env.grantWebLogin(g, AirflowRole.ADMIN), env.grantRestApi(g, AirflowRole.ADMIN), env.grantCliToken(g),
    env.grantAdministration(g), env.grantDependencyDeployment(g), env.grantReadLogs(g), env.grantConsoleReadOnly(g)],
  [AccessProfile.DEVELOPER]: (env, g) => [env.grantWebLogin(g, AirflowRole.USER), env.grantDagDeployment(g), env.grantReadLogs(g),
    env.grantConsoleReadOnly(g)],
  [AccessProfile.OPERATOR]: (env, g) => [env.grantWebLogin(g, AirflowRole.OP), env.grantReadLogs(g), env.grantConsoleReadOnly(g)],
  [AccessProfile.VIEWER]: (env, g) => [env.grantWebLogin(g, AirflowRole.VIEWER)],
};

/** Every grant of an access profile, as one grant. */
export function grantAccessProfile(env: GrantingEnvironment, grantee: iam.IGrantable, profile: AccessProfile): iam.Grant {
  // An IAM Identity Center role earns its one warning here, naming this profile's policy; each grant
  // below then adds nothing to it.
  ssoRoleGrant(env, grantee, profileSpec(profile).key);
  return PROFILE_GRANTS[profileSpec(profile).key](env, grantee).reduce((all, g) => all.combine(g));
}

/**
 * The managed policies of the access profiles of one environment and the IAM groups that hold
 * them: created when first asked for, with fixed names.
 */
export class PeopleAccess {
  private readonly policies = new Map<AccessProfile, iam.ManagedPolicy>();
  private readonly groups = new Map<AccessProfile, iam.IGroup>();

  constructor(private readonly env: GrantingEnvironment, private readonly targets: OwnEnvironmentGrantTargets) {}

  /** Create the groups and attach the assignments of `options`. */
  public apply(options: PeopleAccessOptions = {}): void {
    if (options.createGroups ?? true) {
      for (const profile of PROFILES) {
        const group = new iam.Group(this.env, `${profile.id}Group`, {
          groupName: `${this.env.environmentName}-${profile.suffix}`,
          managedPolicies: [this.policy(profile.key)],
        });
        const reason = 'The construct creates one group per access profile for the identity team to add people to; it is empty until they do.';
        acknowledge(group, [{ id: 'HIPAA.Security-IAMGroupHasUsers', reason }, { id: 'PCI.DSS.321-IAMGroupHasUsers', reason }]);
        this.groups.set(profile.key, group);
      }
    }
    for (const assignment of options.assignments ?? []) {
      const policy = this.policy(assignment.profile);
      for (const role of assignment.roles ?? []) {
        if (isSsoRole(role)) {
          warnSsoRole(this.env, role, '`peopleAccess.assignments`', accessPolicyNameOf(this.env.environmentName, assignment.profile));
          continue;
        }
        policy.attachToRole(role);
      }
      assignment.groups?.forEach(group => policy.attachToGroup(group));
      assignment.users?.forEach(user => policy.attachToUser(user));
    }
  }

  /** The group of a profile, if groups were created. */
  public group(profile: AccessProfile): iam.IGroup | undefined {
    return this.groups.get(profile);
  }

  /** The managed policy of a profile, created on first use. */
  public policy(profile: AccessProfile): iam.ManagedPolicy {
    const existing = this.policies.get(profile);
    if (existing) {
      return existing;
    }
    const spec = profileSpec(profile);
    const policy = new iam.ManagedPolicy(this.env, `${spec.id}AccessPolicy`, {
      managedPolicyName: accessPolicyNameOf(this.env.environmentName, profile),
      description: `${spec.id} access to the Amazon MWAA environment ${this.env.environmentName}`,
    });
    this.env.grantAccessProfile(policy, profile);
    this.acknowledgeWildcards(policy, profile);
    this.policies.set(profile, policy);
    return policy;
  }

  private acknowledgeWildcards(policy: iam.ManagedPolicy, profile: AccessProfile): void {
    const env = this.env;
    const findings = [];
    if (profile !== AccessProfile.VIEWER) {
      findings.push(
        iam5('Resource::*', 'logs:DescribeLogGroups, logs:GetQueryResults and airflow:ListEnvironments have no resource-level permissions.'),
        ...LOG_TYPES.map(type => iam5(`Resource::${findingName(env, `${logGroupArn(env, env.environmentName, type.suffix)}:*`)}`,
          `The log streams of this environment's ${type.suffix} log group.`)),
      );
    }
    if (profile === AccessProfile.ADMINISTRATOR) {
      findings.push(...administratorWildcards(env, this.targets));
    }
    if (profile === AccessProfile.DEVELOPER && this.targets.sourceBucket) {
      findings.push(iam5(`Resource::${findingName(env, this.targets.sourceBucket.arnForObjects(`${this.targets.dagFolder}/*`))}`, 'Deploying DAGs: objects under the DAG folder of this environment\'s bucket only.'));
    }
    acknowledge(policy, findings);
  }
}
