import { ArnComponents, ArnFormat, Resource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { CELERY_QUEUE_PREFIX, LOG_TYPES, logGroupName } from './mwaa';

/**
 * ARNs of MWAA resources, formatted in the stack of `scope` (its partition, Region and account).
 * Formatted from names rather than read from resources, so that policies do not wait for the
 * environment (its execution role must exist before it does).
 */

/**
 * An ARN in the account and Region of `scope`: those of a resource imported from another
 * environment (by ARN), else those of its stack.
 */
function formatArn(scope: IConstruct, components: ArnComponents): string {
  const where = scope instanceof Resource ? { account: scope.env.account, region: scope.env.region } : {};
  return Stack.of(scope).formatArn({ ...where, ...components });
}

/** The ARN of an environment; with `*`, of every environment in the account and Region. */
export function environmentArn(scope: IConstruct, environmentName: string): string {
  return formatArn(scope, { service: 'airflow', resource: 'environment', resourceName: environmentName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
}

/** The ARN of an Airflow role of an environment (`role/<env>/<AirflowRole>`), for web login and REST API grants. */
export function airflowRoleArn(scope: IConstruct, environmentName: string, airflowRole: string): string {
  return formatArn(scope, { service: 'airflow', resource: 'role', resourceName: `${environmentName}/${airflowRole}`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
}

/**
 * The ARN of one of an environment's log groups (`airflow-<name>-<suffix>`), as IAM names it; with
 * suffix `*`, the pattern the documented execution policy uses.
 */
export function logGroupArn(scope: IConstruct, environmentName: string, suffix: string): string {
  return namedLogGroupArn(scope, logGroupName(environmentName, suffix));
}

/** The ARN of a log group by its name, as IAM and the `kms:EncryptionContext:aws:logs:arn` condition name it. */
export function namedLogGroupArn(scope: IConstruct, name: string): string {
  return formatArn(scope, { service: 'logs', resource: 'log-group', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}

/**
 * The ARNs of the five log groups of an environment, by name. Never a pattern such as
 * `airflow-<name>-*`, which would also cover the groups of a neighbour whose name starts with this
 * one's and a hyphen (`prod` and `prod-payments`).
 */
export function logGroupArns(scope: IConstruct, environmentName: string): string[] {
  return LOG_TYPES.map(type => logGroupArn(scope, environmentName, type.suffix));
}

/** The streams of a log group: `<group ARN>:*`. */
export function logStreamsPattern(groupArn: string): string {
  return `${groupArn}:*`;
}

/** The five log groups of an environment and their streams (`<group>:*`), by name. */
export function logGroupAndStreamArns(scope: IConstruct, environmentName: string): string[] {
  return logGroupArns(scope, environmentName).flatMap(group => [group, logStreamsPattern(group)]);
}

/**
 * The ARN pattern of every secret under a name prefix (`*` for every secret). Secrets Manager
 * appends a hyphen and six random characters to a secret's name in its ARN, which the trailing
 * wildcard covers.
 */
export function secretArnPattern(scope: IConstruct, prefix?: string): string {
  return formatArn(scope, { service: 'secretsmanager', resource: 'secret', resourceName: prefix === undefined ? '*' : `${prefix}/*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}

/**
 * The ARN of an EC2 resource (`<type>/<id>`, `*` for every one of the type) in the account and
 * Region of `scope`, or in the account given (`*` for any).
 */
export function ec2Arn(scope: IConstruct, type: string, id: string, account?: string): string {
  return formatArn(scope, { service: 'ec2', resource: type, resourceName: id, arnFormat: ArnFormat.SLASH_RESOURCE_NAME, ...(account === undefined ? {} : { account }) });
}

/** The Celery queues of MWAA environments in the Region: they live in an account MWAA owns, so the account is a wildcard. */
export function celeryQueueArnPattern(scope: IConstruct): string {
  return Stack.of(scope).formatArn({ service: 'sqs', account: '*', resource: `${CELERY_QUEUE_PREFIX}*` });
}

/** The ARN of an IAM role by its name, in an account (which may be another one than the stack's). */
export function roleArn(scope: IConstruct, account: string, roleName: string): string {
  return `arn:${Stack.of(scope).partition}:iam::${account}:role/${roleName}`;
}

/** The ARN of the default event bus of an account (the stack's unless given), in the stack's Region. */
export function defaultEventBusArn(scope: IConstruct, account?: string): string {
  return Stack.of(scope).formatArn({ service: 'events', account, resource: 'event-bus', resourceName: 'default' });
}
