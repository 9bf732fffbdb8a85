import { Annotations, Duration, Resource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sso from 'aws-cdk-lib/aws-sso';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct, DependencyGroup } from 'constructs';
import { AccessProfile, accessPolicyNameOf, networkArns } from './access';
import { PrivateMwaaEnvironment } from './environment';
import { EnvironmentBase, IPrivateMwaaEnvironment } from './environment-base';
import { MwaaWarnings } from './warnings';

/**
 * The kind of identity store principal an assignment is for.
 */
export enum IdentityStorePrincipalType {
  /** A group of the identity store. */
  GROUP = 'GROUP',
  /** A user of the identity store. */
  USER = 'USER',
}

/**
 * Where the permission set's permissions come from.
 */
export enum PermissionSetPolicyMode {
  /**
   * An inline policy with the profile's statements for every environment, written with literal
   * ARNs. Nothing has to exist in the target accounts beforehand.
   */
  INLINE_POLICY = 'INLINE_POLICY',
  /**
   * A reference, by name, to each environment's customer managed policy of the profile
   * (`<environment>-airflow-<profile>`, created by `accessPolicy(profile)` in the environment's
   * stack). The policy must exist in every account the permission set is assigned in, or the
   * assignment fails there.
   *
   * @see https://docs.aws.amazon.com/singlesignon/latest/userguide/permissionsetcustom.html
   */
  CUSTOMER_MANAGED_POLICY_REFERENCE = 'CUSTOMER_MANAGED_POLICY_REFERENCE',
}

/**
 * Identity store users or groups that get the permission set in some AWS accounts.
 */
export interface PermissionSetAssignment {
  /** Whether `principalId` is a group or a user. */
  readonly principalType: IdentityStorePrincipalType;

  /**
   * The identity store id of the group or user, for example
   * `f81d4fae-7dec-11d0-a765-00a0c91e6bf6` (the "Group ID" on its page in the IAM Identity Center
   * console).
   */
  readonly principalId: string;

  /**
   * The 12-digit ids of the AWS accounts to assign the permission set in: those of the listed
   * environments.
   */
  readonly accounts: string[];
}

/**
 * Properties of an `AirflowPermissionSet`.
 */
export interface AirflowPermissionSetProps {
  /**
   * The ARN of the IAM Identity Center instance, `arn:<partition>:sso:::instance/ssoins-<16 characters>`.
   *
   * @see https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_CreatePermissionSet.html
   */
  readonly instanceArn: string;

  /** The access profile the permission set gives. */
  readonly profile: AccessProfile;

  /**
   * The environments the profile applies to: created in stacks with an explicit account and Region,
   * or imported with `PrivateMwaaEnvironment.fromEnvironmentArn` (or `fromEnvironmentAttributes` in
   * a scope of the environment's account and Region).
   */
  readonly environments: IPrivateMwaaEnvironment[];

  /**
   * The name of the permission set: 1 to 32 letters, digits and `+=,.@_-`, unique in the instance.
   * People see it on the AWS access portal.
   *
   * @default - `Airflow` and the profile, for example `AirflowDeveloper`
   */
  readonly permissionSetName?: string;

  /**
   * The description of the permission set, up to 700 characters.
   *
   * @default - the profile and the environments' names
   */
  readonly description?: string;

  /**
   * How long a session lasts: 1 to 12 hours.
   *
   * @default - 1 hour, IAM Identity Center's default
   * @see https://docs.aws.amazon.com/singlesignon/latest/userguide/howtosessionduration.html
   */
  readonly sessionDuration?: Duration;

  /**
   * Where the console opens after sign-in, for example the Amazon MWAA console URL of the
   * environments' Region. Up to 240 characters.
   *
   * @default - the console home page
   * @see https://docs.aws.amazon.com/singlesignon/latest/userguide/howtopermrelaystate.html
   */
  readonly relayState?: string;

  /**
   * Where the permissions come from: an inline policy with literal ARNs, or references to the
   * environments' customer managed policies by name.
   *
   * @default PermissionSetPolicyMode.INLINE_POLICY
   */
  readonly policyMode?: PermissionSetPolicyMode;

  /**
   * Groups or users to assign the permission set to, and in which accounts. More can be added
   * with `assign()`.
   *
   * @default - none
   */
  readonly assignments?: PermissionSetAssignment[];
}

/**
 * An IAM Identity Center permission set that gives an Airflow access profile on one or more
 * environments, for the stack that manages IAM Identity Center (the organization's management
 * account or a delegated administrator account).
 *
 * The inline policy holds exactly the statements of the profile's IAM policy
 * (`grantAccessProfile`), with literal ARNs, so the stack deploys in another account than the
 * environments' and holds no cross-stack reference.
 *
 * @resource AWS::SSO::PermissionSet
 */
export class AirflowPermissionSet extends Resource {
  /** The ARN of the permission set. */
  public readonly permissionSetArn: string;
  /** The name of the permission set. */
  public readonly permissionSetName: string;
  /** The profile the permission set gives. */
  public readonly profile: AccessProfile;

  private readonly instanceArn: string;
  private readonly assigned = new Set<string>();

  constructor(scope: Construct, id: string, props: AirflowPermissionSetProps) {
    const name = props.permissionSetName ?? `Airflow${titleCase(props.profile)}`;
    super(scope, id, { physicalName: name });
    this.profile = props.profile;
    this.instanceArn = props.instanceArn;
    this.permissionSetName = name;

    // Everything is checked before anything is created.
    const instancePartition = this.validateInstanceArn(props.instanceArn);
    this.validateName(name);
    this.validateEnvironments(props.environments);
    const description = props.description ?? defaultDescription(props.profile, props.environments);
    this.validateDescription(description);
    this.validateSessionDuration(props.sessionDuration);
    this.validateRelayState(props.relayState);
    for (const assignment of props.assignments ?? []) {
      this.validateAssignment(assignment);
    }

    const mode = props.policyMode ?? PermissionSetPolicyMode.INLINE_POLICY;
    const resource = new sso.CfnPermissionSet(this, 'Resource', {
      instanceArn: props.instanceArn,
      name: this.physicalName,
      description,
      sessionDuration: props.sessionDuration?.toIsoString(),
      relayStateType: props.relayState,
      ...(mode === PermissionSetPolicyMode.CUSTOMER_MANAGED_POLICY_REFERENCE
        ? { customerManagedPolicyReferences: this.policyReferences(props.environments) }
        : { inlinePolicy: this.inlinePolicy(props.environments, instancePartition) }),
    });
    this.permissionSetArn = resource.attrPermissionSetArn;

    for (const assignment of props.assignments ?? []) {
      this.assign(assignment);
    }
  }

  /**
   * Assign the permission set to an identity store group or user in some AWS accounts: one
   * `AWS::SSO::Assignment` per account. Assigning the same principal in the same account twice
   * adds nothing.
   */
  public assign(assignment: PermissionSetAssignment): void {
    this.validateAssignment(assignment);
    for (const account of assignment.accounts) {
      const key = `${assignment.principalType}:${assignment.principalId}:${account}`;
      if (this.assigned.has(key)) {
        continue;
      }
      const known = !Token.isUnresolved(assignment.principalId) && !Token.isUnresolved(account);
      // Ids from the values themselves, so that assignments keep their logical ids in any order.
      const id = known ? `${titleCase(assignment.principalType)}${assignment.principalId}In${account}` : `Assignment${this.assigned.size}`;
      new sso.CfnAssignment(this, id, {
        instanceArn: this.instanceArn,
        permissionSetArn: this.permissionSetArn,
        principalType: assignment.principalType,
        principalId: assignment.principalId,
        targetType: 'AWS_ACCOUNT',
        targetId: account,
      });
      this.assigned.add(key);
    }
  }

  /**
   * The inline policy: for each environment, the statements `grantAccessProfile` gives (the same
   * that its IAM policy of the profile holds), resolved to literal strings, then merged.
   */
  private inlinePolicy(environments: IPrivateMwaaEnvironment[], instancePartition?: string): any {
    const perEnvironment = environments.map(environment => this.literalStatements(environment, instancePartition));
    const render = (count: number) => this.stack.resolve(new iam.PolicyDocument({
      minimize: true,
      statements: perEnvironment.slice(0, count).flat().map(json => iam.PolicyStatement.fromJson(json)),
    }));
    const document = render(environments.length);
    if (!fitsInlinePolicy(document)) {
      let fit = environments.length - 1;
      while (fit > 0 && !fitsInlinePolicy(render(fit))) {
        fit--;
      }
      throw new Error(`\`environments\`: the ${this.profile} policy of ${environments.length} environments is ${nonWhitespace(document)} characters without white space, `
        + `above the ${INLINE_POLICY_MAX_NON_WHITESPACE} IAM Identity Center allows in a permission set's inline policy; the first ${fit} fit. `
        + 'Split the environments across permission sets, or use `policyMode: PermissionSetPolicyMode.CUSTOMER_MANAGED_POLICY_REFERENCE`, '
        + `got: ${environments.length} environments`);
    }
    return document;
  }

  /**
   * One environment's statements with literal ARNs.
   *
   * Names that only exist at deploy time are handled so that nothing of the environment's stack is
   * referenced:
   * - the bucket: created with `PhysicalName.GENERATE_IF_NEEDED`, so CDK gives it a stable
   *   generated name once a stack of another account or Region needs its ARN (a created environment
   *   warns about it, see below);
   * - the key (keys have no name): any key of the environment's account and Region, used through
   *   S3 in that Region (`kms:ViaService`) for objects of this environment's bucket only
   *   (`kms:EncryptionContext:aws:s3:arn`, the object ARN, or the bucket ARN with S3 Bucket Keys);
   * - the execution role (renaming it would replace it, which a live environment must never see):
   *   any role of the environment's account, passed to MWAA only (`iam:PassedToService`), as AWS's
   *   own MWAA full access policy does. UpdateEnvironment stays limited to the listed environments,
   *   and MWAA can only assume an execution role whose trust policy names that environment.
   *
   * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#encryption-context
   * @see https://docs.aws.amazon.com/mwaa/latest/userguide/access-policies.html
   */
  private literalStatements(environment: IPrivateMwaaEnvironment, instancePartition?: string): any[] {
    const { account, region } = environment.env;
    const label = Token.isUnresolved(environment.environmentName) ? environment.node.path : environment.environmentName;
    if (Token.isUnresolved(account) || Token.isUnresolved(region) || Token.isUnresolved(environment.environmentName)) {
      throw new Error(`\`environments\`: the name, account and Region of environment ${label} must be known at synth, so that the permission set's policy names them with literal ARNs `
        + '(a permission set is deployed in another account, where no cross-stack reference reaches). '
        + 'Give its stack an explicit `env: { account, region }`, or import it with `PrivateMwaaEnvironment.fromEnvironmentArn`, '
        + `got: account ${show(account)}, Region ${show(region)}`);
    }
    const regionInfo = RegionInfo.get(region);
    if (regionInfo.partition === undefined || regionInfo.domainSuffix === undefined) {
      throw new Error(`\`environments\`: the Region of environment ${label} is not one this version of the AWS CDK knows, so its partition cannot be written literally, got: ${region}`);
    }
    if (instancePartition !== undefined && instancePartition !== regionInfo.partition) {
      throw new Error(`\`environments\`: environment ${label} is in partition ${regionInfo.partition} and the IAM Identity Center instance in ${instancePartition}; a permission set cannot reach another partition, got: ${region}`);
    }

    if (!Token.isUnresolved(this.stack.account) && account === this.stack.account) {
      Annotations.of(this).addWarningV2(MwaaWarnings.ENVIRONMENT_IN_IDENTITY_ACCOUNT,
        `\`environments\`: environment ${label} is named in account ${account}, this permission set's own account. If it lives in a workload account, `
        + 'import it with `PrivateMwaaEnvironment.fromEnvironmentArn` (or `fromEnvironmentAttributes` with `account` and `region`); otherwise acknowledge this warning.');
    }
    const collector = new StatementCollector(Stack.of(environment), deployTimeSubstitutes(environment, regionInfo.partition));
    environment.grantAccessProfile(collector, this.profile);
    let resolved: any;
    try {
      resolved = this.stack.resolve(collector.statements.map(s => s.toStatementJson()));
    } catch (e) {
      throw new Error(`\`environments\`: a resource of environment ${label} has a name known only at deploy time, which a permission set in another account cannot reference. `
        + `Bring it with a name (or import the environment with \`fromEnvironmentAttributes\`), got: ${(e as Error).message}`);
    }
    const statements = literal(resolved, { 'AWS::Partition': regionInfo.partition, 'AWS::URLSuffix': regionInfo.domainSuffix }, label);
    this.warnAboutGeneratedBucketName(environment, label);
    return statements;
  }

  /**
   * The bucket of a created environment gets a generated name when a permission set first names it:
   * harmless for a new environment, but for one already deployed the new name replaces the bucket.
   */
  private warnAboutGeneratedBucketName(environment: IPrivateMwaaEnvironment, label: string): void {
    if (!(environment instanceof PrivateMwaaEnvironment)
      || environment.node.tryFindChild('SourceBucket') !== environment.sourceBucket
      || (this.profile !== AccessProfile.DEVELOPER && this.profile !== AccessProfile.ADMINISTRATOR)) {
      return;
    }
    Annotations.of(this).addWarningV2(MwaaWarnings.GENERATED_BUCKET_NAME,
      `\`environments\`: the source bucket of environment ${label} now gets the name ${this.stack.resolve(environment.sourceBucket.bucketName)} in its stack, so that this permission set can name it. `
      + 'For a new environment that is all; for one already deployed, the new name replaces its bucket (a new, empty bucket; the old one is retained). '
      + 'For a deployed environment use `policyMode: PermissionSetPolicyMode.CUSTOMER_MANAGED_POLICY_REFERENCE` instead, or acknowledge this warning.');
  }

  /** References to each environment's customer managed policy of the profile, by name. */
  private policyReferences(environments: IPrivateMwaaEnvironment[]): sso.CfnPermissionSet.CustomerManagedPolicyReferenceProperty[] {
    const names = new Set<string>();
    for (const environment of environments) {
      if (Token.isUnresolved(environment.environmentName)) {
        throw new Error(`\`environments\`: the name of environment ${environment.node.path} must be known at synth to reference its policy by name, got: ${environment.environmentName}`);
      }
      if (environment instanceof PrivateMwaaEnvironment) {
        environment.accessPolicy(this.profile); // make sure the environment's stack creates it
      }
      names.add(accessPolicyNameOf(environment.environmentName, this.profile));
    }
    if (names.size > MAX_POLICIES_PER_PERMISSION_SET) {
      throw new Error(`\`environments\`: a permission set references at most ${MAX_POLICIES_PER_PERMISSION_SET} managed policies; split the environments across permission sets, got: ${names.size} environments`);
    }
    if (names.size > DEFAULT_MANAGED_POLICIES_PER_ROLE) {
      Annotations.of(this).addWarningV2(MwaaWarnings.MANAGED_POLICIES_PER_ROLE,
        `\`environments\`: ${names.size} policy references exceed the default IAM quota of ${DEFAULT_MANAGED_POLICIES_PER_ROLE} managed policies per role: raise "Managed policies attached to an IAM role" in every target account, or acknowledge this warning.`);
    }
    return [...names].map(name => ({ name, path: '/' }));
  }

  /** Returns the partition the instance ARN names, or undefined for a token. */
  private validateInstanceArn(arn: string): string | undefined {
    if (Token.isUnresolved(arn)) {
      return undefined;
    }
    const match = /^arn:(aws(?:-[a-z]{1,5}){0,3}):sso:::instance\/(?:sso)?ins-[a-zA-Z0-9-.]{16}$/.exec(arn);
    if (!match) {
      throw new Error(`\`instanceArn\` must be an IAM Identity Center instance ARN, arn:<partition>:sso:::instance/ssoins-<16 characters>, got: ${arn}`);
    }
    return match[1];
  }

  private validateName(name: string): void {
    if (!Token.isUnresolved(name) && !/^[\w+=,.@-]{1,32}$/.test(name)) {
      throw new Error(`\`permissionSetName\` must be 1 to 32 letters, digits and +=,.@_-, got: ${name}`);
    }
  }

  private validateEnvironments(environments: IPrivateMwaaEnvironment[]): void {
    if (environments.length === 0) {
      throw new Error('`environments` must list at least one environment, got: none');
    }
  }

  private validateDescription(description: string): void {
    if (!Token.isUnresolved(description) && !/^[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]{1,700}$/.test(description)) {
      throw new Error(`\`description\` must be 1 to 700 printable Latin-1 characters, got: ${description}`);
    }
  }

  private validateSessionDuration(duration?: Duration): void {
    if (duration === undefined || duration.isUnresolved()) {
      return;
    }
    const seconds = duration.toSeconds();
    if (seconds < 3600 || seconds > 43200) {
      throw new Error(`\`sessionDuration\` must be 1 to 12 hours, got: ${duration.toHumanString()}`);
    }
  }

  private validateRelayState(relayState?: string): void {
    if (relayState !== undefined && !Token.isUnresolved(relayState)
      && !/^[a-zA-Z0-9&$@#\\/%?=~\-_'"|!:,.;*+[\] (){}]{1,240}$/.test(relayState)) {
      throw new Error(`\`relayState\` must be a URL of 1 to 240 characters, got: ${relayState}`);
    }
  }

  private validateAssignment(assignment: PermissionSetAssignment): void {
    const id = assignment.principalId;
    if (!Token.isUnresolved(id) && !/^([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$/.test(id)) {
      throw new Error(`\`assignments.principalId\` must be an identity store user or group id, such as f81d4fae-7dec-11d0-a765-00a0c91e6bf6, got: ${id}`);
    }
    if (assignment.accounts.length === 0) {
      throw new Error(`\`assignments.accounts\` must list at least one AWS account for ${id}, got: none`);
    }
    for (const account of assignment.accounts) {
      if (!Token.isUnresolved(account) && !/^\d{12}$/.test(account)) {
        throw new Error(`\`assignments.accounts\` must be 12-digit AWS account ids, got: ${account}`);
      }
    }
  }
}

/**
 * IAM Identity Center: a permission set's inline policy may hold 32,768 bytes, of which 10,240
 * characters that are not white space.
 *
 * @see https://docs.aws.amazon.com/singlesignon/latest/userguide/limits.html
 */
const INLINE_POLICY_MAX_BYTES = 32768;
const INLINE_POLICY_MAX_NON_WHITESPACE = 10240;
/** AWS managed and customer managed policies per permission set (same page). */
const MAX_POLICIES_PER_PERMISSION_SET = 20;
/** IAM's default quota of managed policies per role, which the permission set's role is. */
const DEFAULT_MANAGED_POLICIES_PER_ROLE = 10;

function nonWhitespace(document: unknown): number {
  return JSON.stringify(document).replace(/\s/g, '').length;
}

function fitsInlinePolicy(document: unknown): boolean {
  return nonWhitespace(document) <= INLINE_POLICY_MAX_NON_WHITESPACE && Buffer.byteLength(JSON.stringify(document)) <= INLINE_POLICY_MAX_BYTES;
}

function titleCase(value: string): string {
  return value.charAt(0) + value.slice(1).toLowerCase();
}

function show(value: string): string {
  return Token.isUnresolved(value) ? 'unknown' : value;
}

function defaultDescription(profile: AccessProfile, environments: IPrivateMwaaEnvironment[]): string {
  const names = environments.map(e => Token.isUnresolved(e.environmentName) ? e.node.id : e.environmentName).join(', ');
  const text = `Apache Airflow ${profile.toLowerCase()} access to the Amazon MWAA environments ${names}`;
  return text.length <= 700 ? text : `${text.slice(0, 697)}...`;
}

/** A deploy-time ARN of the environment's stack and the literal pattern (and conditions) that replace it. */
interface Substitute {
  /** The ARN token, resolved in the environment's own stack (a `Fn::GetAtt`). */
  readonly reference: string;
  readonly pattern: string;
  readonly conditions?: { [operator: string]: { [key: string]: unknown } };
}

/** The key and execution role ARNs of an environment that are only known at deploy time. */
function deployTimeSubstitutes(environment: IPrivateMwaaEnvironment, partition: string): Substitute[] {
  const home = Stack.of(environment);
  const reference = (token: string) => JSON.stringify(home.resolve(token));
  const out: Substitute[] = [];
  const targets = environment instanceof EnvironmentBase ? environment._grantTargets() : undefined;
  const key = targets?.sourceBucket?.encryptionKey ?? targets?.kmsKey;
  if (targets?.sourceBucket !== undefined && key !== undefined && Token.isUnresolved(key.keyArn)) {
    const bucket = targets.sourceBucket;
    const { account, region } = key.env;
    out.push({
      reference: reference(key.keyArn),
      pattern: `arn:${partition}:kms:${region}:${account}:key/*`,
      conditions: { StringLike: { 'kms:EncryptionContext:aws:s3:arn': [bucket.bucketArn, bucket.arnForObjects('*')] } },
    });
  }
  // The VPC, subnets and security groups an administrator may create the web server's endpoint in
  // have ids only known at deploy time: the permission set names every one of them in the
  // environment's Region instead. The endpoint itself is still created in the environment's own
  // account and Region (its vpc-endpoint and network-interface resources stay narrowed).
  if (environment instanceof EnvironmentBase && targets?.network !== undefined) {
    for (const arn of networkArns(environment, targets.network)) {
      if (Token.isUnresolved(arn) && /\$\{Token\[/.test(arn.split(':').pop() ?? '')) {
        const type = arn.split(':').pop()!.split('/')[0];
        out.push({ reference: reference(arn), pattern: `arn:${partition}:ec2:${environment.env.region}:*:${type}/*` });
      }
    }
  }
  if (environment instanceof PrivateMwaaEnvironment && Token.isUnresolved(environment.executionRole.roleArn)) {
    out.push({
      reference: reference(environment.executionRole.roleArn),
      pattern: `arn:${partition}:iam::${environment.executionRole.env.account}:role/*`,
    });
  }
  return out;
}

/**
 * A grantee that keeps the statements granted to it, with deploy-time ARNs of the environment's
 * stack replaced by their literal substitutes.
 */
class StatementCollector implements iam.IPrincipal {
  public readonly grantPrincipal: iam.IPrincipal = this;
  public readonly assumeRoleAction = 'sts:AssumeRole';
  public readonly principalAccount = undefined;
  public readonly statements: iam.PolicyStatement[] = [];

  constructor(private readonly home: Stack, private readonly substitutes: Substitute[]) {}

  public get policyFragment(): iam.PrincipalPolicyFragment {
    throw new Error('A permission set policy is not a principal');
  }

  public addToPolicy(statement: iam.PolicyStatement): boolean {
    return this.addToPrincipalPolicy(statement).statementAdded;
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    const json = statement.toStatementJson();
    const resources: string[] = json.Resource === undefined ? [] : [].concat(json.Resource);
    let conditions = json.Condition ?? {};
    json.Resource = resources.map(resource => {
      const substitute = Token.isUnresolved(resource)
        ? this.substitutes.find(s => s.reference === JSON.stringify(this.home.resolve(resource)))
        : undefined;
      if (substitute === undefined) {
        return resource;
      }
      for (const [operator, entries] of Object.entries(substitute.conditions ?? {})) {
        conditions = { ...conditions, [operator]: { ...conditions[operator], ...entries } };
      }
      return substitute.pattern;
    });
    if (Object.keys(conditions).length > 0) {
      json.Condition = conditions;
    }
    this.statements.push(iam.PolicyStatement.fromJson(json));
    return { statementAdded: true, policyDependable: new DependencyGroup() };
  }
}

/**
 * Turns a resolved policy into plain strings: the partition and URL suffix of the environment's
 * Region, joins of literal parts. Anything else (a reference to a resource, an import) is an error
 * that names the environment.
 */
function literal(value: any, pseudo: { [name: string]: string }, label: string): any {
  if (Array.isArray(value)) {
    return value.map(v => literal(v, pseudo, label));
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'Ref' && pseudo[value.Ref] !== undefined) {
    return pseudo[value.Ref];
  }
  if (keys.length === 1 && keys[0] === 'Fn::Join') {
    const [separator, parts] = value['Fn::Join'] as [string, unknown[]];
    const joined = parts.map(p => literal(p, pseudo, label));
    if (joined.every(p => typeof p === 'string')) {
      return joined.join(separator);
    }
  }
  if (keys.some(k => k === 'Ref' || k.startsWith('Fn::'))) {
    throw new Error(`\`environments\`: the policy for environment ${label} still holds a value known only at deploy time, which a permission set in another account cannot reference. `
      + 'Put the permission set in a stack of another account than the environment\'s, and create the environment in a stack with an explicit `env` '
      + `(or import it with \`fromEnvironmentArn\`), got: ${JSON.stringify(value)}`);
  }
  const out: { [key: string]: any } = {};
  for (const key of keys) {
    out[key] = literal(value[key], pseudo, label);
  }
  return out;
}
