import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * The environments of each app by account, Region and name, so that two environments with the
 * same name in one account and Region fail at synth, not at deployment (where the environment, its
 * log groups, IAM groups and policies named after it would all clash).
 *
 * An account or Region that is not known at synth (an environment-agnostic stack) is equal only to
 * itself in the same top-level stack: two environments of the same name in one such stack always
 * deploy to the same place, while two such stacks may go to different accounts.
 */
const ENVIRONMENTS = new WeakMap<IConstruct, Map<string, string>>();

/** The stack a stack is deployed with: itself, or the top-level stack of a nested stack. */
function deployedWith(scope: IConstruct): Stack {
  let stack = Stack.of(scope);
  while (stack.nestedStackParent !== undefined) {
    stack = stack.nestedStackParent;
  }
  return stack;
}

/** Record an environment's name, or throw if another environment of the app has it in the same account and Region. */
export function registerEnvironmentName(env: IConstruct, environmentName: string): void {
  if (Token.isUnresolved(environmentName)) {
    return;
  }
  const stack = Stack.of(env);
  const unknown = `the account and Region of ${deployedWith(env).node.path}`;
  const account = Token.isUnresolved(stack.account) ? undefined : stack.account;
  const region = Token.isUnresolved(stack.region) ? undefined : stack.region;
  const where = account !== undefined && region !== undefined ? `account ${account}, Region ${region}` : `${unknown} (account ${account ?? 'unresolved'}, Region ${region ?? 'unresolved'})`;
  const key = JSON.stringify([account ?? unknown, region ?? unknown, environmentName]);
  let names = ENVIRONMENTS.get(env.node.root);
  if (names === undefined) {
    names = new Map();
    ENVIRONMENTS.set(env.node.root, names);
  }
  const first = names.get(key);
  if (first !== undefined) {
    throw new Error(`\`environmentName\` must be unique in an account and Region (the environment, and the log groups, IAM groups and policies named after it, would clash at deployment), but ${first} and ${env.node.path} both use it in ${where}, got: '${environmentName}'`);
  }
  names.set(key, env.node.path);
}
