import { Annotations, Aws, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { airflowRoleArn, logGroupArn } from './private/arns';
import type { EnvironmentBase } from './private/environment-base';
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
   * versions), deploys requirements, plugins and the startup script, reads logs, sees the
   * environment in the console.
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

/** Whether a role is one IAM Identity Center owns (`AWSReservedSSO_*`), which takes no policy from outside. */
function isSsoRole(role: iam.IRole): boolean {
  return !Token.isUnresolved(role.roleName) && role.roleName.startsWith('AWSReservedSSO_');
}

export function grantWebLogin(env: EnvironmentBase, grantee: iam.IGrantable, role: AirflowRole): iam.Grant {
  return iam.Grant.addToPrincipal({ grantee, actions: ['airflow:CreateWebLoginToken'], resourceArns: [airflowRoleArn(env, env.environmentName, role)] });
}

export function grantRestApi(env: EnvironmentBase, grantee: iam.IGrantable, role: AirflowRole): iam.Grant {
  return iam.Grant.addToPrincipal({ grantee, actions: ['airflow:InvokeRestApi'], resourceArns: [airflowRoleArn(env, env.environmentName, role)] });
}

export function grantReadLogs(env: EnvironmentBase, grantee: iam.IGrantable): iam.Grant {
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

export function grantConsoleReadOnly(env: EnvironmentBase, grantee: iam.IGrantable): iam.Grant {
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

export function grantAdministration(
  env: EnvironmentBase,
  grantee: iam.IGrantable,
  executionRoleArn?: string,
  selfService?: RestrictedUpdater,
): iam.Grant {
  if (selfService !== undefined) {
    // No UpdateEnvironment (and so no PassRole): updates go through the restricted updater.
    return env.grant(grantee, 'airflow:GetEnvironment').combine(selfService.grantStartUpdate(grantee));
  }
  const update = env.grant(grantee, 'airflow:GetEnvironment', 'airflow:UpdateEnvironment');
  if (executionRoleArn === undefined) {
    return update;
  }
  // Updating an environment passes its execution role to MWAA.
  return update.combine(iam.Grant.addToPrincipal({
    grantee,
    actions: ['iam:PassRole'],
    resourceArns: [executionRoleArn],
    conditions: { StringEquals: { 'iam:PassedToService': PASSED_TO_SERVICE } },
  }));
}

function requireBucket(env: EnvironmentBase, targets: DeploymentTargets, what: string): s3.IBucket {
  if (targets.sourceBucket === undefined) {
    throw new Error(`\`sourceBucket\` of the imported environment ${env.node.path} is needed to ${what}; import it with \`fromEnvironmentAttributes\` and its \`sourceBucket\`, got: no bucket`);
  }
  return targets.sourceBucket;
}

function grantBucketWrite(
  env: EnvironmentBase,
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

export function grantDagDeployment(env: EnvironmentBase, grantee: iam.IGrantable, targets: DeploymentTargets): iam.Grant {
  const bucket = requireBucket(env, targets, 'deploy DAGs');
  const folder = targets.dagFolder;
  return grantBucketWrite(env, grantee, bucket, targets.kmsKey, [`${folder}/*`], ['s3:PutObject', 's3:DeleteObject', 's3:GetObject', 's3:GetObjectVersion'])
    .combine(iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:ListBucket'],
      resourceArns: [bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${folder}/*`, folder] } },
    }));
}

export function grantDependencyDeployment(env: EnvironmentBase, grantee: iam.IGrantable, targets: DeploymentTargets): iam.Grant {
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
const PROFILE_GRANTS: { [profile: string]: (env: EnvironmentBase, grantee: iam.IGrantable) => iam.Grant[] } = {
  [AccessProfile.ADMINISTRATOR]: (env, g) => [env.grantWebLogin(g, AirflowRole.ADMIN), env.grantRestApi(g, AirflowRole.ADMIN), env.grantCliToken(g),
    env.grantAdministration(g), env.grantDependencyDeployment(g), env.grantReadLogs(g), env.grantConsoleReadOnly(g)],
  [AccessProfile.DEVELOPER]: (env, g) => [env.grantWebLogin(g, AirflowRole.USER), env.grantDagDeployment(g), env.grantReadLogs(g),
    env.grantConsoleReadOnly(g)],
  [AccessProfile.OPERATOR]: (env, g) => [env.grantWebLogin(g, AirflowRole.OP), env.grantReadLogs(g), env.grantConsoleReadOnly(g)],
  [AccessProfile.VIEWER]: (env, g) => [env.grantWebLogin(g, AirflowRole.VIEWER)],
};

/** Every grant of an access profile, as one grant. */
export function grantAccessProfile(env: EnvironmentBase, grantee: iam.IGrantable, profile: AccessProfile): iam.Grant {
  return PROFILE_GRANTS[profileSpec(profile).key](env, grantee).reduce((all, g) => all.combine(g));
}

/**
 * The managed policies of the access profiles of one environment and the IAM groups that hold
 * them: created when first asked for, with fixed names.
 */
export class PeopleAccess {
  private readonly policies = new Map<AccessProfile, iam.ManagedPolicy>();
  private readonly groups = new Map<AccessProfile, iam.IGroup>();

  constructor(private readonly env: EnvironmentBase, private readonly targets: DeploymentTargets) {}

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
          Annotations.of(this.env).addWarningV2(MwaaWarnings.SSO_ROLE,
            `\`peopleAccess.assignments\`: ${role.roleName} is an IAM Identity Center role, which IAM does not let anyone attach policies to, so the deployment would fail. Reference the customer managed policy ${accessPolicyNameOf(this.env.environmentName, assignment.profile)} in the permission set instead.`);
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
    const updater = this.targets.selfService;
    if (profile === AccessProfile.ADMINISTRATOR && updater) {
      findings.push(iam5(`Resource::${findingName(env, updater.executionsArn)}`, 'Following the executions of this environment\'s self-service updater, whose names are chosen when they start.'));
    }
    if (profile === AccessProfile.DEVELOPER && this.targets.sourceBucket) {
      findings.push(iam5(`Resource::${findingName(env, this.targets.sourceBucket.arnForObjects(`${this.targets.dagFolder}/*`))}`, 'Deploying DAGs: objects under the DAG folder of this environment\'s bucket only.'));
    }
    acknowledge(policy, findings);
  }
}
