import { Annotations, Duration, Resource, Stack, TagManager, Tags, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sso from 'aws-cdk-lib/aws-sso';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct, DependencyGroup } from 'constructs';
import { AccessProfile, accessPolicyNameOf, grantReadSecrets, networkArns } from './access';
import { PrivateMwaaEnvironment } from './environment';
import { EnvironmentBase, IPrivateMwaaEnvironment } from './environment-base';
import { EXECUTION_ROLE_TAG, keyAliasName } from './private/runtime-names';
import { validateSecretPrefix } from './secrets-backend';
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
   * More access profiles the same permission set gives, for a team that signs in once: for example
   * `ADMINISTRATOR` with `DEVELOPER` to update the environments and deploy DAGs. The inline policy
   * holds the statements of every profile; with customer managed policy references, each
   * environment's policy of each profile is referenced.
   *
   * @default - only `profile`
   */
  readonly additionalProfiles?: AccessProfile[];

  /**
   * Secret name prefixes the permission set may also read, in every listed environment's account
   * and Region, for example `teams/imo` for the team's own secrets: `GetSecretValue`,
   * `DescribeSecret` and `ListSecretVersionIds` on `<prefix>/*`, and, for a created environment, its
   * key through Secrets Manager only. Same rule as the Secrets Manager backend's prefixes: at most
   * 256 letters, digits and `/_+=.@-`, without wildcards or a leading or trailing `/`.
   *
   * @default - none (the backend's own prefixes come with the ADMINISTRATOR profile)
   * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples.html
   */
  readonly additionalSecretPrefixes?: string[];

  /**
   * More statements for the permission set's inline policy, as they are: they must hold literal
   * strings only (the permission set is deployed in another account, where no reference reaches).
   *
   * @default - none
   */
  readonly additionalStatements?: iam.PolicyStatement[];

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
  /** Every profile the permission set gives: `profile` and the `additionalProfiles`. */
  public readonly profiles: AccessProfile[];

  private readonly instanceArn: string;
  private readonly assigned = new Set<string>();
  private readonly secretPrefixes: string[];
  private readonly extraStatements: iam.PolicyStatement[];

  constructor(scope: Construct, id: string, props: AirflowPermissionSetProps) {
    const name = props.permissionSetName ?? `Airflow${titleCase(props.profile)}`;
    super(scope, id, { physicalName: name });
    this.profile = props.profile;
    this.profiles = [props.profile, ...(props.additionalProfiles ?? [])].filter((p, i, all) => all.indexOf(p) === i);
    this.secretPrefixes = props.additionalSecretPrefixes ?? [];
    this.extraStatements = props.additionalStatements ?? [];
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
    this.secretPrefixes.forEach((prefix, i) => validateSecretPrefix(`additionalSecretPrefixes[${i}]`, prefix));

    const mode = props.policyMode ?? PermissionSetPolicyMode.INLINE_POLICY;
    const resource = new sso.CfnPermissionSet(this, 'Resource', {
      instanceArn: props.instanceArn,
      name: this.physicalName,
      description,
      sessionDuration: props.sessionDuration?.toIsoString(),
      relayStateType: props.relayState,
      ...(mode === PermissionSetPolicyMode.CUSTOMER_MANAGED_POLICY_REFERENCE
        ? {
          customerManagedPolicyReferences: this.policyReferences(props.environments),
          inlinePolicy: this.extrasOnly(props.environments, instancePartition),
        }
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
    const perEnvironment = environments.map(environment =>
      this.literalStatements(environment, instancePartition, this.profiles, this.secretPrefixes));
    const extras = this.literalExtraStatements(instancePartition);
    const render = (count: number) => this.stack.resolve(new iam.PolicyDocument({
      minimize: true,
      statements: [...perEnvironment.slice(0, count).flat(), ...extras].map(json => iam.PolicyStatement.fromJson(json)),
    }));
    const document = render(environments.length);
    if (!fitsInlinePolicy(document)) {
      // The largest count that fits (the size grows with the count): a binary search.
      let fit = 0;
      let tooMany = environments.length;
      while (tooMany - fit > 1) {
        const middle = Math.floor((fit + tooMany) / 2);
        if (fitsInlinePolicy(render(middle))) {
          fit = middle;
        } else {
          tooMany = middle;
        }
      }
      throw new Error(`\`environments\`: the ${this.profiles.join(' + ')} policy of ${environments.length} environments is ${policyBytes(document)} bytes, `
        + `above the ${INLINE_POLICY_MAX_BYTES} IAM Identity Center allows in a permission set's inline policy; the first ${fit} fit. `
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
  private literalStatements(
    environment: IPrivateMwaaEnvironment,
    instancePartition: string | undefined,
    profiles: AccessProfile[],
    secretPrefixes: string[],
  ): any[] {
    const { account, region } = environment.env;
    const label = Token.isUnresolved(environment.environmentName) ? environment.node.path : environment.environmentName;
    if (Token.isUnresolved(account) || Token.isUnresolved(region) || Token.isUnresolved(environment.environmentName)) {
      throw new Error(`\`environments\`: the name, account and Region of environment ${label} must be known at synth, so that the permission set's policy names them with literal ARNs `
        + '(a permission set is deployed in another account, where no cross-stack reference reaches). '
        + 'Give its stack an explicit `env: { account, region }`, or import it with `PrivateMwaaEnvironment.fromEnvironmentArn`, '
        + `got: account ${show(account)}, Region ${show(region)}`);
    }
    const regionInfo = RegionInfo.get(region);
    // The CDK's facts give every Region it knows a domain suffix with its partition (one partition
    // table); were the suffix missing, a policy that uses it would hold a reference, refused below.
    if (regionInfo.partition === undefined) {
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
    // Another implementation of IPrivateMwaaEnvironment grants what it grants, with nothing of this library's to substitute.
    // Stryker disable next-line ArrayDeclaration: an entry that is not a substitute has no reference, so it matches no resource and changes nothing
    const substitutes = environment instanceof EnvironmentBase ? deployTimeSubstitutes(this, environment, regionInfo.partition, label) : [];
    const collector = new StatementCollector(Stack.of(environment), substitutes);
    for (const profile of profiles) {
      environment.grantAccessProfile(collector, profile);
    }
    if (secretPrefixes.length > 0 && environment instanceof EnvironmentBase) {
      grantReadSecrets(environment, collector, { ...environment._grantTargets(), secretPrefixes });
    }
    let resolved: any;
    try {
      resolved = this.stack.resolve(collector.statements.map(s => s.toStatementJson()));
    } catch (e) {
      throw new Error(`\`environments\`: a resource of environment ${label} has a name known only at deploy time, which a permission set in another account cannot reference. `
        + `Bring it with a name (or import the environment with \`fromEnvironmentAttributes\`), got: ${(e as Error).message}`);
    }
    const statements = literal(resolved, { 'AWS::Partition': regionInfo.partition, 'AWS::URLSuffix': regionInfo.domainSuffix }, value => new Error(
      `\`environments\`: the policy for environment ${label} still holds a value known only at deploy time, which a permission set in another account cannot reference. `
      + 'Put the permission set in a stack of another account than the environment\'s, and create the environment in a stack with an explicit `env` '
      + `(or import it with \`fromEnvironmentArn\`), got: ${JSON.stringify(value)}`));
    this.warnAboutGeneratedBucketName(environment, label, profiles);
    return statements;
  }

  /**
   * The bucket of a created environment gets a generated name when a permission set first names it:
   * harmless for a new environment, but for one already deployed the new name replaces the bucket.
   * Reported once per environment, on the environment, however many permission sets name it. Only
   * the statements of the developer and administrator profiles name the bucket (the secrets of a
   * set with policy references do not, and then its name must not be asked for: that alone
   * generates it).
   */
  private warnAboutGeneratedBucketName(environment: IPrivateMwaaEnvironment, label: string, profiles: AccessProfile[]): void {
    if (!(environment instanceof PrivateMwaaEnvironment)
      || environment.node.tryFindChild('SourceBucket') !== environment.sourceBucket
      || !profiles.some(p => p === AccessProfile.DEVELOPER || p === AccessProfile.ADMINISTRATOR)
      || BUCKET_NAME_WARNED.has(environment)) {
      return;
    }
    BUCKET_NAME_WARNED.add(environment);
    Annotations.of(environment).addWarningV2(MwaaWarnings.GENERATED_BUCKET_NAME,
      `\`environments\`: the source bucket of environment ${label} now gets the name ${this.stack.resolve(environment.sourceBucket.bucketName)} in its stack, so that the permission set ${this.node.path} can name it. `
      + 'For a new environment that is all; for one already deployed, the new name replaces its bucket (a new, empty bucket; the old one is retained). '
      + 'For a deployed environment use `policyMode: PermissionSetPolicyMode.CUSTOMER_MANAGED_POLICY_REFERENCE` instead, or acknowledge this warning.');
  }

  /** The additional statements, as literal JSON. */
  private literalExtraStatements(instancePartition?: string): any[] {
    const partition = instancePartition ?? 'aws';
    const suffix = partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
    return this.extraStatements.map((statement, i) => literal(this.stack.resolve(statement.toStatementJson()),
      { 'AWS::Partition': partition, 'AWS::URLSuffix': suffix }, value => new Error(
        `\`additionalStatements[${i}]\` must hold literal strings only: the permission set is deployed in another account, where no reference reaches, got: ${JSON.stringify(value)}`)));
  }

  /**
   * With customer managed policy references, the inline policy holds only the additional secret
   * prefixes and statements, if there are any.
   */
  private extrasOnly(environments: IPrivateMwaaEnvironment[], instancePartition?: string): any {
    const statements = [
      ...(this.secretPrefixes.length > 0 ? environments.flatMap(e => this.literalStatements(e, instancePartition, [], this.secretPrefixes)) : []),
      ...this.literalExtraStatements(instancePartition),
    ];
    if (statements.length === 0) {
      return undefined;
    }
    const document = this.stack.resolve(new iam.PolicyDocument({
      minimize: true,
      statements: statements.map(json => iam.PolicyStatement.fromJson(json)),
    }));
    if (!fitsInlinePolicy(document)) {
      throw new Error(`\`additionalStatements\`: the inline policy is ${policyBytes(document)} bytes, above the ${INLINE_POLICY_MAX_BYTES} IAM Identity Center allows, got: ${statements.length} statements`);
    }
    return document;
  }

  /** References to each environment's customer managed policy of the profile, by name. */
  private policyReferences(environments: IPrivateMwaaEnvironment[]): sso.CfnPermissionSet.CustomerManagedPolicyReferenceProperty[] {
    const names = new Set<string>();
    for (const environment of environments) {
      if (Token.isUnresolved(environment.environmentName)) {
        throw new Error(`\`environments\`: the name of environment ${environment.node.path} must be known at synth to reference its policy by name, got: ${environment.environmentName}`);
      }
      for (const profile of this.profiles) {
        if (environment instanceof PrivateMwaaEnvironment) {
          environment.accessPolicy(profile); // make sure the environment's stack creates it
        }
        names.add(accessPolicyNameOf(environment.environmentName, profile));
      }
    }
    if (names.size > MAX_POLICIES_PER_PERMISSION_SET) {
      throw new Error(`\`environments\`: a permission set references at most ${MAX_POLICIES_PER_PERMISSION_SET} managed policies; split the environments across permission sets, got: ${names.size} policies (${environments.length} environments, ${this.profiles.length} profiles)`);
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
    // Stryker disable next-line ConditionalExpression,BlockStatement: the pattern accepts the text 'undefined', so checking an absent relay state changes nothing (with it, the mutant that skips every check is not run; the relay state tests fail for it)
    if (relayState === undefined) {
      return;
    }
    // A token's text is no measure of its value's length.
    if (!Token.isUnresolved(relayState)
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
 * IAM Identity Center: a permission set's inline policy may hold 32,768 bytes (the API's length
 * constraint on `InlinePolicy`; 10,240 characters is IAM's quota for a role's inline policies, not
 * this one).
 *
 * @see https://docs.aws.amazon.com/singlesignon/latest/userguide/limits.html
 * @see https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_PutInlinePolicyToPermissionSet.html
 */
const INLINE_POLICY_MAX_BYTES = 32768;
/**
 * AWS managed and customer managed policies per permission set, together (IAM Identity Center
 * quotas page; CloudFormation's schema allows 25 of each kind).
 *
 * @see https://docs.aws.amazon.com/singlesignon/latest/userguide/limits.html
 */
const MAX_POLICIES_PER_PERMISSION_SET = 25;
/** IAM's default quota of managed policies per role, which the permission set's role is. */
const DEFAULT_MANAGED_POLICIES_PER_ROLE = 10;

/** The environments whose generated bucket name was already reported. */
const BUCKET_NAME_WARNED = new WeakSet<IPrivateMwaaEnvironment>();

function policyBytes(document: unknown): number {
  return Buffer.byteLength(JSON.stringify(document));
}

function fitsInlinePolicy(document: unknown): boolean {
  return policyBytes(document) <= INLINE_POLICY_MAX_BYTES;
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
  /** The literal ARN or pattern that stands for it; undefined: the statement is left out. */
  readonly pattern?: string;
  /** The conditions that narrow the pattern back to the resource, given the statement's own conditions. */
  readonly conditions?: (existing: Conditions) => Conditions;
  /**
   * What a statement that names the resource needs done (an alias, a tag, a warning that it is
   * left out), done each time one does (so it must be idempotent; a warning is reported once): what
   * no statement of the set names is left alone.
   */
  readonly used?: () => void;
}

type Conditions = { [operator: string]: { [key: string]: unknown } };

/**
 * The deploy-time ARNs of an environment (key, execution role, network) and what stands for each
 * in a permission set, with what a statement that names one needs done.
 */
function deployTimeSubstitutes(set: AirflowPermissionSet, environment: EnvironmentBase, partition: string, label: string): Substitute[] {
  const home = Stack.of(environment);
  const reference = (token: string) => JSON.stringify(home.resolve(token));
  // Stryker disable next-line ArrayDeclaration: an entry that is not a substitute has no reference, so it matches no resource and changes nothing
  const out: Substitute[] = [];
  const targets = environment._grantTargets();
  const key = targets.sourceBucket?.encryptionKey ?? targets.kmsKey;
  if (key !== undefined && Token.isUnresolved(key.keyArn)) {
    out.push(keySubstitute(environment, key, partition, label, reference(key.keyArn), targets.sourceBucket));
  }
  // The VPC, subnets and security groups an administrator may create the web server's endpoint in:
  // ids known only at deploy time cannot be named, and a pattern would reach every VPC of every
  // account. The two EC2 statements are left out instead, with a warning. An id known only at
  // deploy time leaves a token in the ARN's resource part (from its '/'; the partition's token is
  // before it).
  if (targets.network !== undefined) {
    const unknown = networkArns(environment, targets.network).filter(arn => Token.isUnresolved(arn.slice(arn.indexOf('/'))));
    const warn = () => Annotations.of(set).addWarningV2(MwaaWarnings.PERMISSION_SET_NETWORK,
      `\`environments\`: the VPC, subnet or security group ids of environment ${label} are known only at deploy time, so this permission set leaves out ec2:CreateVpcEndpoint and ec2:CreateNetworkInterface: `
      + 'its administrators cannot make an update that has MWAA create the private web server\'s VPC endpoint or network interfaces in their name. '
      + 'Give the environment a VPC, subnets and security groups imported by id (ec2.Vpc.fromVpcAttributes, ec2.SecurityGroup.fromSecurityGroupId), or acknowledge this warning.');
    out.push(...unknown.map(arn => ({ reference: reference(arn), used: warn })));
  }
  // An ARN whose only unknowns are pseudo parameters (a role imported by name, or by an ARN written
  // with Aws.PARTITION) is written literally by literal(): it needs no stand-in.
  if (environment instanceof PrivateMwaaEnvironment && /"Fn::GetAtt"|"Fn::ImportValue"|"Ref":"(?!AWS::)/.test(reference(environment.executionRole.roleArn))) {
    const role = executionRoleSubstitute(set, environment, partition, label, reference(environment.executionRole.roleArn));
    if (role !== undefined) {
      out.push(role);
    }
  }
  return out;
}

/**
 * The environment's key by alias: any key of its account and Region that carries the environment's
 * alias (`kms:ResourceAliases`, a condition key of the KMS key resource type, so of every action on
 * it), which the construct adds to the key. Through S3, also only for objects of the environment's
 * bucket (`kms:EncryptionContext:aws:s3:arn`: the object ARN, or the bucket ARN with S3 Bucket Keys).
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-resource-aliases
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html#awskeymanagementservice-resources-for-iam-policies
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#encryption-context
 */
function keySubstitute(
  environment: EnvironmentBase,
  key: kms.IKey,
  partition: string,
  label: string,
  reference: string,
  bucket?: s3.IBucket,
): Substitute {
  const aliasName = keyAliasName(environment.environmentName);
  const byAlias: Conditions = { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': aliasName } };
  const objectsOfBucket: Conditions = bucket === undefined ? {}
    : { StringLike: { 'kms:EncryptionContext:aws:s3:arn': [bucket.bucketArn, bucket.arnForObjects('*')] } };
  const { account, region } = key.env;
  return {
    reference,
    pattern: `arn:${partition}:kms:${region}:${account}:key/*`,
    conditions: existing => {
      const via = existing.StringEquals?.['kms:ViaService'];
      const viaS3 = typeof via === 'string' && via.startsWith('s3.');
      return { ...byAlias, ...(viaS3 ? objectsOfBucket : {}) };
    },
    used: () => {
      if (!(key instanceof kms.Key)) {
        throw new Error(`\`environments\`: the key of environment ${label} has an ARN known only at deploy time and is not a key of this app, so a permission set can neither name it nor give it an alias. `
          + `Import the key with its literal ARN (kms.Key.fromKeyArn), got: ${key.node.path}`);
      }
      if (environment.node.tryFindChild('PermissionSetKeyAlias') === undefined) {
        new kms.Alias(environment, 'PermissionSetKeyAlias', { aliasName, targetKey: key });
      }
    },
  };
}

/**
 * The execution role, which must never be renamed (that would replace it). A role with a name known
 * at synth needs no stand-in: CDK writes its ARN (path included) literally for another account.
 * Otherwise, any role of the account that carries the tag
 * `cdk-private-mwaa-environment=<environment>`, which the construct adds to the role (a tag changes
 * nothing else of it). `iam:PassRole` is authorized on the role resource type, whose condition keys
 * include `aws:ResourceTag/${TagKey}`.
 *
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/access_iam-tags.html
 */
function executionRoleSubstitute(
  set: AirflowPermissionSet,
  environment: PrivateMwaaEnvironment,
  partition: string,
  label: string,
  reference: string,
): Substitute | undefined {
  const role = environment.executionRole;
  if (role instanceof iam.Role) {
    // Its roleName is always set: the physical name, a token when none was given.
    const cfnRole = role.node.defaultChild as iam.CfnRole;
    if (!Token.isUnresolved(cfnRole.roleName) && !Token.isUnresolved(cfnRole.path)) {
      return undefined;
    }
  }
  if (!TagManager.isTaggable(role) && !(role instanceof iam.Role)) {
    return {
      reference,
      used: () => Annotations.of(set).addWarningV2(MwaaWarnings.PERMISSION_SET_PASS_ROLE,
        `\`environments\`: the execution role of environment ${label} has an ARN known only at deploy time and no construct here to tag, so this permission set leaves out iam:PassRole: `
        + 'its administrators cannot call UpdateEnvironment, which passes the role. Give the environment a role imported by its literal ARN, or acknowledge this warning.'),
    };
  }
  return {
    reference,
    pattern: `arn:${partition}:iam::${role.env.account}:role/*`,
    conditions: () => ({ StringEquals: { [`aws:ResourceTag/${EXECUTION_ROLE_TAG}`]: environment.environmentName } }),
    used: () => Tags.of(role).add(EXECUTION_ROLE_TAG, environment.environmentName),
  };
}

/**
 * A grantee that keeps the statements granted to it, with deploy-time ARNs of the environment's
 * stack replaced by their literal substitutes; a statement with a resource that has no substitute
 * pattern is left out.
 */
class StatementCollector implements iam.IPrincipal {
  public readonly grantPrincipal: iam.IPrincipal = this;
  // Stryker disable next-line StringLiteral: nothing assumes this principal (IPrincipal asks for the action)
  public readonly assumeRoleAction = 'sts:AssumeRole';
  public readonly principalAccount = undefined;
  public readonly statements: iam.PolicyStatement[] = [];

  constructor(private readonly home: Stack, private readonly substitutes: Substitute[]) {}

  // Stryker disable all: IPrincipal's fragment is for trust and resource policies, which this principal
  // never goes into, and addToPolicy is the deprecated name of addToPrincipalPolicy, which the grants
  // call instead.
  public get policyFragment(): iam.PrincipalPolicyFragment {
    throw new Error('A permission set policy is not a principal');
  }

  public addToPolicy(statement: iam.PolicyStatement): boolean {
    return this.addToPrincipalPolicy(statement).statementAdded;
  }
  // Stryker restore all

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    const json = statement.toStatementJson();
    // A statement with NotResource (which another implementation of the environment may grant) has none.
    const resources: string[] = [].concat(json.Resource ?? []);
    const existing: Conditions = json.Condition ?? {};
    let conditions: Conditions = existing;
    let leftOut = false;
    json.Resource = resources.map(resource => {
      const substitute = Token.isUnresolved(resource)
        ? this.substitutes.find(s => s.reference === JSON.stringify(this.home.resolve(resource)))
        : undefined;
      if (substitute === undefined) {
        return resource;
      }
      substitute.used?.();
      if (substitute.pattern === undefined) {
        leftOut = true;
        return resource;
      }
      for (const [operator, entries] of Object.entries(substitute.conditions?.(existing) ?? {})) {
        conditions = { ...conditions, [operator]: { ...conditions[operator], ...entries } };
      }
      return substitute.pattern;
    });
    // The grants of access.ts never ask whether their statement was added (no Grant.assertSuccess),
    // so the answers below are for the interface's sake.
    if (leftOut) {
      // Stryker disable next-line ObjectLiteral,BooleanLiteral: not observed, see above
      return { statementAdded: false, policyDependable: new DependencyGroup() };
    }
    // An empty Condition is written as none.
    json.Condition = conditions;
    this.statements.push(iam.PolicyStatement.fromJson(json));
    // Stryker disable next-line ObjectLiteral,BooleanLiteral: not observed, see above
    return { statementAdded: true, policyDependable: new DependencyGroup() };
  }
}

/**
 * Turns a resolved policy into plain strings: the partition and URL suffix of the environment's
 * Region, joins of literal parts. Anything else (a reference to a resource, an import) is thrown as
 * the error `refused` makes of it, which names the prop.
 */
function literal(value: any, pseudo: { [name: string]: string | undefined }, refused: (value: unknown) => Error): any {
  if (Array.isArray(value)) {
    return value.map(v => literal(v, pseudo, refused));
  }
  // Stryker disable next-line ConditionalExpression: without this base case literal() recurses into each string's characters until the stack overflows, which the jest runner reported as a survivor
  if (value === null || typeof value !== 'object') {
    return value;
  }
  const keys = Object.keys(value);
  if (keys.length === 1 && pseudo[value.Ref] !== undefined) {
    return pseudo[value.Ref];
  }
  if (keys.length === 1 && keys[0] === 'Fn::Join') {
    const [separator, parts] = value['Fn::Join'] as [string, unknown[]];
    const joined = parts.map(p => literal(p, pseudo, refused));
    if (joined.every(p => typeof p === 'string')) {
      return joined.join(separator);
    }
  }
  if (keys.some(k => k === 'Ref' || k.startsWith('Fn::'))) {
    throw refused(value);
  }
  const out: { [key: string]: any } = {};
  for (const key of keys) {
    out[key] = literal(value[key], pseudo, refused);
  }
  return out;
}
