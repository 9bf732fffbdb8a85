import { Annotations, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { WebserverAccessMode } from './environment-props';
import { CLOUDTRAIL_DETAIL_TYPE, CLOUDTRAIL_EVENT_SOURCE, EVENT_SOURCE, STATUS_CHANGE_PATTERN, STATUS_EVENT_FIELDS } from './private/mwaa';
import { TopicTarget } from './private/topic-target';
import { MwaaWarnings } from './warnings';

/**
 * The statuses of an Amazon MWAA environment.
 *
 * @see https://docs.aws.amazon.com/mwaa/latest/API/API_Environment.html
 */
export enum EnvironmentStatus {
  /** The environment is being created. */
  CREATING = 'CREATING',
  /** Creating the environment failed. It cannot be updated, only deleted. */
  CREATE_FAILED = 'CREATE_FAILED',
  /** The environment is running. */
  AVAILABLE = 'AVAILABLE',
  /** The environment waits for customer-managed VPC endpoints. */
  PENDING = 'PENDING',
  /** The environment is being updated. */
  UPDATING = 'UPDATING',
  /** A failed update is being rolled back. */
  ROLLING_BACK = 'ROLLING_BACK',
  /** The environment is being deleted. */
  DELETING = 'DELETING',
  /** The environment was deleted. */
  DELETED = 'DELETED',
  /** The environment is unhealthy and cannot run tasks. */
  UNAVAILABLE = 'UNAVAILABLE',
  /** Updating the environment failed; it was rolled back or needs attention. */
  UPDATE_FAILED = 'UPDATE_FAILED',
  /** The environment is in its maintenance window. */
  MAINTENANCE = 'MAINTENANCE',
}

/**
 * Where the operators of an environment are told what happens to it.
 */
export interface NotificationOptions {
  /**
   * Email addresses to subscribe to the environment's topic. Each address must confirm its
   * subscription.
   *
   * @default - none
   */
  readonly emails?: string[];

  /**
   * Further subscriptions to the environment's topic (a queue, a function, a chat webhook).
   *
   * @default - none
   */
  readonly subscriptions?: sns.ITopicSubscription[];

  /**
   * The status changes that are forwarded to the topic.
   *
   * @default - CREATE_FAILED, UPDATE_FAILED and UNAVAILABLE
   */
  readonly statuses?: EnvironmentStatus[];
}

/** The statuses forwarded to the topic unless `notifications.statuses` says otherwise. */
const DEFAULT_STATUSES = [EnvironmentStatus.CREATE_FAILED, EnvironmentStatus.UPDATE_FAILED, EnvironmentStatus.UNAVAILABLE];

/** The event pattern of one environment's status changes, to some statuses or all. */
function statusChangePattern(environmentName: string, statuses?: EnvironmentStatus[]): events.EventPattern {
  return {
    ...STATUS_CHANGE_PATTERN,
    detail: {
      [STATUS_EVENT_FIELDS.name]: [environmentName],
      ...(statuses === undefined ? {} : { [STATUS_EVENT_FIELDS.status]: statuses }),
    },
  };
}

/** A rule on the status changes of one environment, for `onStatusChange`. */
export function onStatusChange(
  scope: Construct,
  id: string,
  environmentName: string,
  _environmentArn: string,
  options: events.OnEventOptions,
): events.Rule {
  const rule = new events.Rule(scope, id, options);
  rule.addEventPattern(statusChangePattern(environmentName));
  if (options.target) {
    rule.addTarget(options.target);
  }
  return rule;
}

/** What the notifications of an environment are built from. */
export interface NotifiedEnvironment {
  readonly scope: Construct;
  readonly environmentName: string;
  readonly kmsKey: kms.IKey;
}

/**
 * The topic operators are notified on (the one given, else a new one encrypted with the
 * environment's key), the statement that lets EventBridge and CloudWatch publish to it, and its
 * subscriptions.
 */
export function notificationTopic(n: NotifiedEnvironment, topic: sns.ITopic | undefined, options: NotificationOptions = {}): sns.ITopic {
  const effective = topic ?? new sns.Topic(n.scope, 'NotificationTopic', {
    displayName: `Amazon MWAA ${n.environmentName}`,
    masterKey: n.kmsKey,
    enforceSSL: true,
  });
  allowServicesToPublish(n, effective, topic === undefined);
  for (const email of options.emails ?? []) {
    effective.addSubscription(new subscriptions.EmailSubscription(email));
  }
  for (const subscription of options.subscriptions ?? []) {
    effective.addSubscription(subscription);
  }
  return effective;
}

/**
 * Let EventBridge rules and CloudWatch alarms of this account, and only those, publish to the
 * topic; when the topic is encrypted with the environment's key, let them use the key for it.
 */
function allowServicesToPublish(n: NotifiedEnvironment, topic: sns.ITopic, encryptedWithOwnKey: boolean): void {
  const stack = Stack.of(n.scope);
  const publishers = [new iam.ServicePrincipal('events.amazonaws.com'), new iam.ServicePrincipal('cloudwatch.amazonaws.com')];
  const added = topic.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowEventBridgeAndCloudWatchOfThisAccount',
    principals: publishers,
    actions: ['sns:Publish'],
    resources: [topic.topicArn],
    conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
  }));
  if (!added.statementAdded) {
    Annotations.of(n.scope).addWarningV2(MwaaWarnings.NOTIFICATION_TOPIC_POLICY,
      '`notificationTopic` is imported, so its policy cannot be changed here. Make sure EventBridge (events.amazonaws.com) and CloudWatch (cloudwatch.amazonaws.com) of this account may publish to it, and may use its key if it is encrypted.');
  }
  if (encryptedWithOwnKey) {
    const keyAccess = n.kmsKey.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowEventBridgeAndCloudWatchToPublishToTheEncryptedTopic',
      principals: publishers,
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
    }));
    if (!keyAccess.statementAdded) {
      Annotations.of(n.scope).addWarningV2(MwaaWarnings.NOTIFICATION_TOPIC_KEY,
        '`kmsKey` is imported, so its key policy cannot be changed here, and the notification topic is encrypted with it: until the key policy lets EventBridge (events.amazonaws.com) and CloudWatch (cloudwatch.amazonaws.com) use kms:Decrypt and kms:GenerateDataKey*, status changes, alarms and the guardrail cannot publish to the topic. Add that to the key policy, or pass a `notificationTopic` of your own.');
    }
  }
}

/** The rule that forwards the environment's status changes to the topic. */
export function forwardStatusChanges(n: NotifiedEnvironment, topic: sns.ITopic, statuses?: EnvironmentStatus[]): events.Rule {
  const forwarded = statuses ?? DEFAULT_STATUSES;
  if (forwarded.length === 0) {
    throw new Error('`notifications.statuses` must name at least one status (leave it out for the default), got: an empty list');
  }
  const rule = new events.Rule(n.scope, 'StatusChangeRule', {
    description: `Status changes of the Amazon MWAA environment ${n.environmentName}`,
    eventPattern: statusChangePattern(n.environmentName, forwarded),
  });
  rule.addTarget(new TopicTarget(topic, events.RuleTargetInput.fromText(
    `Amazon MWAA environment ${events.EventField.fromPath(`$.detail.${STATUS_EVENT_FIELDS.name}`)} `
    + `is now ${events.EventField.fromPath(`$.detail.${STATUS_EVENT_FIELDS.status}`)} `
    + `(account ${events.EventField.account}, Region ${events.EventField.region}, at ${events.EventField.time}).`,
  )));
  return rule;
}

/** The CloudTrail calls that can make a web server public. */
export const PUBLIC_ACCESS_EVENT_NAMES = ['CreateEnvironment', 'UpdateEnvironment'];

/**
 * The event pattern of the public-access guardrail: a CloudTrail record of `CreateEnvironment`
 * or `UpdateEnvironment` for this environment with any access mode but `PRIVATE_ONLY`
 * (`PUBLIC_ONLY`, and `PUBLIC_AND_PRIVATE` of Airflow 3.2 and later). The request parameters are
 * matched in both spellings CloudTrail may use.
 *
 * A call that sets `PRIVATE_ONLY`, or that does not name the access mode at all, does not match
 * (EventBridge matches a field condition only on a field the event has), so the revert's own call
 * and every self-service update pass unnoticed.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 */
export function publicAccessEventPattern(environmentName: string): events.EventPattern {
  const notPrivate = [{ 'anything-but': [WebserverAccessMode.PRIVATE_ONLY] }];
  return {
    source: [EVENT_SOURCE],
    detailType: [CLOUDTRAIL_DETAIL_TYPE],
    detail: {
      eventSource: [CLOUDTRAIL_EVENT_SOURCE],
      eventName: PUBLIC_ACCESS_EVENT_NAMES,
      $or: [
        { requestParameters: { Name: [environmentName], WebserverAccessMode: notPrivate } },
        { requestParameters: { name: [environmentName], webserverAccessMode: notPrivate } },
      ],
    },
  };
}

/**
 * A rule on the CloudTrail record of `CreateEnvironment` or `UpdateEnvironment` that makes this
 * environment's web server public, notifying the topic (the pattern `MwaaPublicAccessRevert`
 * shares).
 */
export function guardPrivateAccess(n: NotifiedEnvironment, topic: sns.ITopic): events.Rule {
  const rule = new events.Rule(n.scope, 'PublicAccessGuardrail', {
    description: `Someone made the web server of the Amazon MWAA environment ${n.environmentName} public`,
    eventPattern: publicAccessEventPattern(n.environmentName),
  });
  rule.addTarget(new TopicTarget(topic, events.RuleTargetInput.fromText(
    `Guardrail: ${events.EventField.fromPath('$.detail.userIdentity.arn')} called ${events.EventField.fromPath('$.detail.eventName')} to make the web server `
    + `of Amazon MWAA environment ${n.environmentName} public (account ${events.EventField.account}, Region ${events.EventField.region}, `
    + `at ${events.EventField.time}). Set it back to PRIVATE_ONLY if this was not intended.`,
  )));
  return rule;
}
