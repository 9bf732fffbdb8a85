import { Annotations, DefaultStackSynthesizer, Names, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as organizations from 'aws-cdk-lib/aws-organizations';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';
import type { PrivateMwaaEnvironment } from './environment';
import { requireAccountId, validateEnvironmentName } from './private/props-validation';
import { runtimeRoleArn, RuntimePart } from './private/runtime-names';
import { MwaaWarnings } from './warnings';

/**
 * The MWAA calls that can make a web server public: an update of the environment, or a new
 * environment of the same name. IAM has no condition key for the access mode (`UpdateEnvironment`
 * takes only `aws:ResourceTag/*`), so the guard denies the calls themselves on the environment.
 *
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonmanagedworkflowsforapacheairflow.html
 */
const GUARDED_ACTIONS = ['airflow:CreateEnvironment', 'airflow:UpdateEnvironment'];

/**
 * The largest service control policy AWS Organizations accepts, in characters. Every character
 * counts, white space included, when the policy is saved through the API (only the console removes
 * white space between JSON elements), so the guard measures the compact JSON it emits.
 *
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
 */
export const SCP_MAX_CHARACTERS = 5120;

/**
 * A policy target: the organization's root (`r-` and 4-32 lowercase letters or digits), an account
 * (12 digits) or an organizational unit (`ou-`, 4-32, `-`, 8-32 lowercase letters or digits).
 *
 * @see https://docs.aws.amazon.com/organizations/latest/APIReference/API_AttachPolicy.html
 */
const TARGET_ID = /^(r-[0-9a-z]{4,32}|\d{12}|ou-[0-9a-z]{4,32}-[0-9a-z]{8,32})$/;

/**
 * What `aws:PrincipalArn` holds for an IAM principal: a role's ARN (also for its sessions), a user's
 * ARN, or the account's root user. `*` and `?` may stand anywhere, as `ArnNotLike` allows.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn
 */
const PRINCIPAL_ARN = /^arn:[a-z*?-]+:iam::(\d{12}|[0-9*?]+):(role\/\S+|user\/\S+|root)$/;

/** The name of a service control policy: 1-128 characters. */
const POLICY_NAME_MAX = 128;

/**
 * How to find the principals that may still update a guarded environment, when they are not the
 * defaults.
 */
export interface GuardedEnvironmentOptions {
  /**
   * The ARN of the role CloudFormation deploys the environment's stack with, which must stay able
   * to create and update the environment. A literal ARN; `*` may stand for any characters.
   *
   * Required by `fromEnvironment` for a stack that is not synthesized with
   * `DefaultStackSynthesizer` (with `CliCredentialsStackSynthesizer`, CloudFormation acts with the
   * deployer's own credentials: name that role).
   *
   * @default - the CDK bootstrap's CloudFormation execution role of the environment's account and
   * Region, `cdk-<qualifier>-cfn-exec-role-<account>-<region>`
   * @see https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping-env.html
   */
  readonly cloudFormationExecutionRoleArn?: string;

  /**
   * The qualifier of the CDK bootstrap stack the environment's stack is deployed with, for the
   * default `cloudFormationExecutionRoleArn`.
   *
   * @default - the qualifier of the environment's stack synthesizer (`fromEnvironment`), else the
   * CDK's default, `hnb659fds`
   */
  readonly bootstrapQualifier?: string;

  /**
   * The partition of the environment's account (`aws`, `aws-cn`, `aws-us-gov`...).
   *
   * @default - the partition of the environment's Region, as the CDK's Region facts know it
   */
  readonly partition?: string;
}

/**
 * An environment defined elsewhere (another app, another tool), guarded by its name, account and
 * Region.
 */
export interface GuardedEnvironmentAttributes extends GuardedEnvironmentOptions {
  /** The environment's name. */
  readonly environmentName: string;

  /** The 12-digit id of the account the environment is in. */
  readonly account: string;

  /** The Region the environment is in, for example `eu-west-1`. */
  readonly region: string;

  /**
   * Whether the environment has this library's self-service updater (`selfService: true`), whose
   * role must stay able to update it.
   *
   * @default false
   */
  readonly selfService?: boolean;

  /**
   * Whether the environment has this library's public access revert (`revertPublicAccess: true`),
   * whose role must stay able to update it.
   *
   * @default false
   */
  readonly publicAccessRevert?: boolean;
}

/**
 * An environment that an `MwaaOrganizationGuard` protects: its literal ARN, and the principals that
 * may still create and update it.
 */
export class GuardedEnvironment {
  /**
   * An environment of this app. Its stack must have a literal account and Region (`env`), and its
   * name must be literal: a service control policy cannot hold a reference to another stack.
   * Whether it has self-service and a revert is read from the environment.
   */
  public static fromEnvironment(environment: PrivateMwaaEnvironment, options: GuardedEnvironmentOptions = {}): GuardedEnvironment {
    const stack = Stack.of(environment);
    const where = `GuardedEnvironment.fromEnvironment(${environment.node.path})`;
    const unresolved = [
      ...(Token.isUnresolved(environment.environmentName) ? ['the environment name'] : []),
      ...(Token.isUnresolved(stack.account) ? ['the account of its stack'] : []),
      ...(Token.isUnresolved(stack.region) ? ['the Region of its stack'] : []),
    ];
    if (unresolved.length > 0) {
      throw new Error(`${where}: a service control policy names the environment literally, so ${unresolved.join(', ')} must be known at synth time (give the stack an \`env\` with account and region), got: unresolved ${unresolved.join(', ')}`);
    }
    const synthesizer = stack.synthesizer;
    if (!(synthesizer instanceof DefaultStackSynthesizer) && options.cloudFormationExecutionRoleArn === undefined) {
      // Other synthesizers deploy with the CLI's own credentials (CliCredentialsStackSynthesizer)
      // or roles of their own: the bootstrap's execution role would be the wrong exemption.
      throw new Error(`${where}: its stack is not synthesized with DefaultStackSynthesizer, so name the principal CloudFormation deploys it with in \`cloudFormationExecutionRoleArn\`, got: ${synthesizer.constructor.name}`);
    }
    const bootstrapQualifier = options.bootstrapQualifier
      ?? (synthesizer instanceof DefaultStackSynthesizer ? synthesizer.bootstrapQualifier : undefined);
    const synthesizerRole = options.bootstrapQualifier === undefined && synthesizer instanceof DefaultStackSynthesizer
      ? synthesizer.cloudFormationExecutionRoleArn
      : undefined;
    return new GuardedEnvironment(where, {
      environmentName: environment.environmentName,
      account: stack.account,
      region: stack.region,
      partition: options.partition,
      bootstrapQualifier,
      cloudFormationExecutionRoleArn: options.cloudFormationExecutionRoleArn ?? synthesizerRole,
      selfService: environment.selfService !== undefined,
      publicAccessRevert: environment.publicAccessRevert !== undefined,
    });
  }

  /** An environment defined elsewhere, by its name, account and Region. */
  public static fromAttributes(attributes: GuardedEnvironmentAttributes): GuardedEnvironment {
    return new GuardedEnvironment('GuardedEnvironment.fromAttributes', attributes);
  }

  /** The environment's name. */
  public readonly environmentName: string;
  /** The 12-digit id of the environment's account. */
  public readonly account: string;
  /** The environment's literal ARN, the resource the guard denies the calls on. */
  public readonly environmentArn: string;
  /**
   * The principals that may still create and update the environment (`aws:PrincipalArn`): the
   * CloudFormation execution role, and the self-service and revert roles when the environment has
   * them. The guard adds its own `exemptPrincipalArns`.
   */
  public readonly exemptPrincipalArns: string[];

  private constructor(where: string, attributes: GuardedEnvironmentAttributes) {
    const { environmentName, account, region } = attributes;
    for (const [prop, value] of [['environmentName', environmentName], ['account', account], ['region', region]]) {
      if (Token.isUnresolved(value)) {
        throw new Error(`${where}: \`${prop}\` must be known at synth time, since a service control policy names the environment literally, got: an unresolved token`);
      }
    }
    validateEnvironmentName(environmentName);
    requireAccountId('account', account);
    if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
      throw new Error(`${where}: \`region\` must be a Region name such as eu-west-1, got: '${region}'`);
    }
    const partition = attributes.partition ?? RegionInfo.get(region).partition;
    if (partition === undefined) {
      throw new Error(`${where}: the partition of Region ${region} is not known to this CDK version; give \`partition\` (aws, aws-cn, aws-us-gov...), got: no partition for '${region}'`);
    }
    if (!/^aws(-[a-z]+)*$/.test(partition)) {
      throw new Error(`${where}: \`partition\` must be a partition name such as aws or aws-cn, got: '${partition}'`);
    }
    const qualifier = attributes.bootstrapQualifier ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER;
    // The bootstrap template's role ARN, with the placeholders CDK itself fills in.
    const deployer = (attributes.cloudFormationExecutionRoleArn ?? DefaultStackSynthesizer.DEFAULT_CLOUDFORMATION_ROLE_ARN)
      .replace(/\$\{Qualifier\}/g, qualifier)
      .replace(/\$\{AWS::Partition\}/g, partition)
      .replace(/\$\{AWS::AccountId\}/g, account)
      .replace(/\$\{AWS::Region\}/g, region);
    validatePrincipalArn(`${where}: \`cloudFormationExecutionRoleArn\``, deployer);

    this.environmentName = environmentName;
    this.account = account;
    this.environmentArn = `arn:${partition}:airflow:${region}:${account}:environment/${environmentName}`;
    this.exemptPrincipalArns = [
      deployer,
      ...(attributes.selfService ? [runtimeRoleArn(partition, account, environmentName, region, RuntimePart.SELF_SERVICE)] : []),
      ...(attributes.publicAccessRevert ? [runtimeRoleArn(partition, account, environmentName, region, RuntimePart.PUBLIC_ACCESS_REVERT)] : []),
    ];
  }
}

/** Properties of an `MwaaOrganizationGuard`. */
export interface MwaaOrganizationGuardProps {
  /**
   * The environments to guard. Each gets its own statement, so one environment's exempt roles
   * cannot change another.
   */
  readonly environments: GuardedEnvironment[];

  /**
   * Where to attach the policy: the organization's root (`r-...`), organizational units
   * (`ou-...-...`) or accounts (12 digits). Attach it where the environments' accounts are.
   *
   * @see https://docs.aws.amazon.com/organizations/latest/APIReference/API_AttachPolicy.html
   */
  readonly targetIds: string[];

  /**
   * Further principals that may still create and update every guarded environment (break-glass
   * roles, a pipeline's role), as `aws:PrincipalArn` holds them: role, user or root ARNs, `*` and
   * `?` allowed.
   *
   * @default - none
   */
  readonly exemptPrincipalArns?: string[];

  /**
   * The policy's name, unique among the organization's service control policies.
   *
   * @default - a name generated from the construct's path
   */
  readonly policyName?: string;

  /**
   * The policy's description.
   *
   * @default - a description naming the guarded environments
   */
  readonly description?: string;
}

/**
 * A service control policy, for the management account's stack, that lets only named principals
 * create and update the guarded Amazon MWAA environments: their CloudFormation execution role, the
 * self-service updater's and the public access revert's roles, and the principals given. With
 * self-service, nobody else can switch a web server to public.
 *
 * Service control policies never restrict the management account, nor service-linked roles; they
 * do restrict the root user of member accounts.
 *
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
 */
export class MwaaOrganizationGuard extends Construct {
  /** The service control policy. */
  public readonly policy: organizations.CfnPolicy;
  /** The policy's document. */
  public readonly policyDocument: iam.PolicyDocument;
  /** The length of the policy's compact JSON, which must not exceed 5,120 characters. */
  public readonly policyLength: number;

  constructor(scope: Construct, id: string, props: MwaaOrganizationGuardProps) {
    super(scope, id);
    this.validateEnvironments(props.environments);
    this.warnIfInOwnAccount(props.environments);
    this.validateTargets(props.targetIds);
    const extra = props.exemptPrincipalArns ?? [];
    extra.forEach((arn, i) => validatePrincipalArn(`\`exemptPrincipalArns[${i}]\``, arn));

    this.policyDocument = new iam.PolicyDocument({
      statements: props.environments.map(environment => new iam.PolicyStatement({
        effect: iam.Effect.DENY,
        actions: GUARDED_ACTIONS,
        resources: [environment.environmentArn],
        conditions: { ArnNotLike: { 'aws:PrincipalArn': [...environment.exemptPrincipalArns, ...extra] } },
      })),
    });
    const content = this.policyDocument.toJSON();
    this.policyLength = JSON.stringify(content).length;
    this.validateLength(this.policyLength, props.environments.length);

    const name = props.policyName ?? Names.uniqueResourceName(this, { maxLength: POLICY_NAME_MAX });
    this.validatePolicyName(name);
    this.policy = new organizations.CfnPolicy(this, 'Resource', {
      name,
      type: 'SERVICE_CONTROL_POLICY',
      description: props.description
        ?? `Only the deployment, self-service and revert roles may create or update the Amazon MWAA environments ${props.environments.map(e => e.environmentName).join(', ')}`.slice(0, 512),
      content,
      targetIds: props.targetIds,
    });
  }

  private validateEnvironments(environments: GuardedEnvironment[]): void {
    if (environments.length === 0) {
      throw new Error('`environments` must name at least one environment, got: an empty list');
    }
    const arns = environments.map(e => e.environmentArn);
    const repeated = arns.find((arn, i) => arns.indexOf(arn) !== i);
    if (repeated !== undefined) {
      throw new Error(`\`environments\` must name each environment once, got: ${repeated} twice`);
    }
  }

  /**
   * The policy is deployed from the management account (or a delegated administrator of
   * policies); service control policies never restrict the management account.
   */
  private warnIfInOwnAccount(environments: GuardedEnvironment[]): void {
    const account = Stack.of(this).account;
    if (Token.isUnresolved(account)) {
      return;
    }
    const own = environments.filter(e => e.account === account).map(e => e.environmentName);
    if (own.length > 0) {
      Annotations.of(this).addWarningV2(MwaaWarnings.GUARD_OWN_ACCOUNT,
        `\`environments\`: ${own.join(', ')} ${own.length === 1 ? 'is' : 'are'} in the account of this stack (${account}). If it is the organization's management account, `
        + 'the service control policy does not apply there (SCPs never restrict the management account): move the environments to member accounts. '
        + 'If this stack is in a delegated administrator account for policies, acknowledge this warning.');
    }
  }

  private validateTargets(targetIds: string[]): void {
    if (targetIds.length === 0) {
      throw new Error('`targetIds` must name at least one root, organizational unit or account, got: an empty list');
    }
    for (const target of targetIds) {
      if (Token.isUnresolved(target)) {
        continue;
      }
      if (!TARGET_ID.test(target)) {
        throw new Error(`\`targetIds\` must hold root ids (r-...), organizational unit ids (ou-...-...) or 12-digit account ids, got: '${target}'`);
      }
    }
  }

  private validateLength(length: number, environments: number): void {
    if (length > SCP_MAX_CHARACTERS) {
      throw new Error(`the service control policy of \`environments\` must be at most ${SCP_MAX_CHARACTERS} characters (the AWS Organizations quota); `
        + `split the ${environments} environments across several MwaaOrganizationGuard constructs, or shorten \`exemptPrincipalArns\`, got: ${length} characters`);
    }
  }

  private validatePolicyName(name: string): void {
    if (Token.isUnresolved(name)) {
      return;
    }
    if (name.length < 1 || name.length > POLICY_NAME_MAX) {
      throw new Error(`\`policyName\` must be 1 to ${POLICY_NAME_MAX} characters long, got: ${name.length} characters ('${name}')`);
    }
  }
}

/** Throws unless `arn` is a literal IAM principal ARN that `aws:PrincipalArn` can hold. */
function validatePrincipalArn(prop: string, arn: string): void {
  if (Token.isUnresolved(arn)) {
    throw new Error(`${prop} must be a literal ARN, since a service control policy cannot reference a stack, got: an unresolved token`);
  }
  if (!PRINCIPAL_ARN.test(arn)) {
    throw new Error(`${prop} must be an IAM role, user or root ARN as \`aws:PrincipalArn\` holds it (arn:<partition>:iam::<account>:role/<name>; an STS session ARN never matches), got: '${arn}'`);
  }
}
