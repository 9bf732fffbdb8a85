/**
 * The names of the runtime parts an environment creates (the self-service updater, the public
 * access revert), derived from the environment's name alone so that they are known at synth time in
 * every account: a service control policy in the management account names their roles literally, and
 * a person starts an update by a state machine name they can guess. These parts keep no state, so a
 * change of name replaces nothing of value.
 *
 * Limits: an IAM role name is 1-64 characters of `[\w+=,.@-]` and unique in an account (all Regions);
 * a state machine name is 1-80 characters of `[0-9A-Za-z_-]` and unique in an account and Region.
 * An environment name is 1-80 characters of `[a-zA-Z][0-9a-zA-Z_-]*`, unique in an account and Region.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html
 */
import { createHash } from 'crypto';
import { Token } from 'aws-cdk-lib';

/** The runtime parts that get a deterministic name. */
export enum RuntimePart {
  SELF_SERVICE = 'self-service',
  PUBLIC_ACCESS_REVERT = 'public-access-revert',
}

const ROLE_NAME_MAX = 64;
const STATE_MACHINE_NAME_MAX = 80;

/** `text` as it is when it fits in `max` characters, otherwise cut and ended with a hash of the whole. */
function fit(text: string, max: number): string {
  if (text.length <= max) return text;
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 8);
  return `${text.slice(0, max - hash.length - 1)}-${hash}`;
}

/**
 * The state machine name of a runtime part, for example `analytics-self-service`.
 * Unique in the account and Region because the environment's name is.
 */
export function runtimeStateMachineName(environmentName: string, part: RuntimePart): string {
  if (Token.isUnresolved(environmentName)) {
    throw new Error(`the environment name must be known at synth time to name its ${part} state machine, got a token`);
  }
  return fit(`${environmentName}-${part}`, STATE_MACHINE_NAME_MAX);
}

/**
 * The IAM role name of a runtime part, for example `analytics-self-service-eu-west-1`. Role names are
 * unique in the account across Regions, so the Region is part of the name; both must be known at
 * synth time (a literal role ARN is the point of the name).
 */
export function runtimeRoleName(environmentName: string, region: string, part: RuntimePart): string {
  if (Token.isUnresolved(environmentName) || Token.isUnresolved(region)) {
    throw new Error(`the environment name and the stack's Region must be known at synth time to name the ${part} role`);
  }
  return fit(`${environmentName}-${part}-${region}`, ROLE_NAME_MAX);
}

/**
 * The literal IAM role ARN of a runtime part (roles get no path, so `role/<name>`), as a service
 * control policy names it in `aws:PrincipalArn`. Every part must be known at synth time.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
 */
export function runtimeRoleArn(partition: string, account: string, environmentName: string, region: string, part: RuntimePart): string {
  if (Token.isUnresolved(partition) || Token.isUnresolved(account)) {
    throw new Error(`the partition and the account must be known at synth time to name the ${part} role's ARN, got a token`);
  }
  return `arn:${partition}:iam::${account}:role/${runtimeRoleName(environmentName, region, part)}`;
}

/** The tag key the construct puts on an execution role whose ARN a permission set cannot name. */
export const EXECUTION_ROLE_TAG = 'cdk-private-mwaa-environment';

/**
 * The alias a permission set names an environment's key by: `alias/cdk-private-mwaa/<environment>`.
 * Created on the key when a permission set first needs it; an alias adds a name and changes nothing
 * of the key (the environment keeps the key's ARN).
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/alias-authorization.html
 */
export function keyAliasName(environmentName: string): string {
  return `alias/cdk-private-mwaa/${environmentName}`;
}
