import { Annotations, ArnFormat, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { WebserverAccessMode } from './environment-settings';
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
  /**
   * An update or an upgrade of the Airflow version is in progress, and MWAA is taking a snapshot of
   * the metadata database first.
   */
  CREATING_SNAPSHOT = 'CREATING_SNAPSHOT',
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

/**
 * The event pattern of one environment's status changes, to some statuses or all.
 *
 * AWS publishes no field names for the event's detail (see `STATUS_EVENT_FIELDS`), so the
 * environment is matched by any of the name spellings or by its ARN in `resources`, and the status
 * by any of the status spellings: a wrong guess for one spelling cannot silence the rule. The
 * operators are `$or` and exact strings only; `$or` may sit at any level of a pattern.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 */
export function statusChangePattern(environmentName: string, environmentArn: string, statuses?: EnvironmentStatus[]): events.EventPattern {
  const pattern = {
    ...STATUS_CHANGE_PATTERN,
    $or: [
      ...STATUS_EVENT_FIELDS.name.map(field => ({ detail: { [field]: [environmentName] } })),
      { resources: [environmentArn] },
    ],
    ...(statuses === undefined ? {} : { detail: { $or: STATUS_EVENT_FIELDS.status.map(field => ({ [field]: statuses })) } }),
  };
  return pattern;
}

/** A rule on the status changes of one environment, for `onStatusChange`. */
export function onStatusChange(
  scope: Construct,
  id: string,
  environmentName: string,
  environmentArn: string,
  options: events.OnEventOptions,
): events.Rule {
  const rule = new events.Rule(scope, id, options);
  rule.addEventPattern(statusChangePattern(environmentName, environmentArn));
  // events.Rule takes `targets`, not OnEventOptions' `target`; addTarget(undefined) adds nothing.
  rule.addTarget(options.target);
  return rule;
}

/** What the notifications of an environment are built from. */
export interface NotifiedEnvironment {
  readonly scope: Construct;
  readonly environmentName: string;
  /** The environment's ARN, formatted from its name (so that the rules exist before it does). */
  readonly environmentArn: string;
  readonly kmsKey: kms.IKey;
}

/**
 * The topic operators are notified on (the one given, else a new one encrypted with the
 * environment's key), the statements that let EventBridge and CloudWatch publish to it, and its
 * subscriptions.
 */
export function notificationTopic(n: NotifiedEnvironment, topic: sns.ITopic | undefined, options: NotificationOptions = {}): sns.ITopic {
  const effective = topic ?? new sns.Topic(n.scope, 'NotificationTopic', {
    displayName: `Amazon MWAA ${n.environmentName}`,
    masterKey: n.kmsKey,
    enforceSSL: true,
  });
  allowServicesToPublish(n, effective, topic === undefined ? n.kmsKey : topic.masterKey, topic === undefined);
  for (const email of options.emails ?? []) {
    effective.addSubscription(new subscriptions.EmailSubscription(email));
  }
  for (const subscription of options.subscriptions ?? []) {
    effective.addSubscription(subscription);
  }
  return effective;
}

/**
 * Let EventBridge rules and this account's CloudWatch alarms publish to the topic; when the topic
 * is encrypted with a customer managed key (the environment's, or the key of the topic given), let
 * them use the key for it.
 */
function allowServicesToPublish(n: NotifiedEnvironment, topic: sns.ITopic, topicKey: kms.IKey | undefined, created: boolean): void {
  const stack = Stack.of(n.scope);
  // EventBridge: the statement AWS documents for an SNS target, with no condition. AWS documents no
  // source condition for SNS targets (the older guide even says Condition blocks cannot be used in
  // SNS topic policies for EventBridge); one that EventBridge did not satisfy would drop every
  // delivery, visible only in the rule's FailedInvocations metric.
  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions
  const eventBridge = topic.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowEventBridgeRulesToPublish',
    principals: [new iam.ServicePrincipal('events.amazonaws.com')],
    actions: ['sns:Publish'],
    resources: [topic.topicArn],
  }));
  // CloudWatch alarms: source conditions are documented for them ("Allow any CloudWatch alarm to
  // publish to a topic": ArnLike aws:SourceArn arn:...:cloudwatch:<region>:<account>:alarm:*).
  // https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html
  // https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger
  topic.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowCloudWatchAlarmsOfThisAccountToPublish',
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
    actions: ['sns:Publish'],
    resources: [topic.topicArn],
    conditions: {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
    },
  }));
  if (!eventBridge.statementAdded) {
    Annotations.of(n.scope).addWarningV2(MwaaWarnings.NOTIFICATION_TOPIC_POLICY,
      '`notificationTopic` is imported, so its policy cannot be changed here. Make sure EventBridge (events.amazonaws.com, with no condition: AWS documents none for SNS targets) and CloudWatch alarms of this account (cloudwatch.amazonaws.com) may publish to it, and may use its key if it is encrypted.');
  }
  if (topicKey !== undefined) {
    // The key statement SNS documents for AWS services that publish to an encrypted topic, with no
    // condition: aws:SourceAccount and aws:SourceArn are not supported in the key policy for
    // EventBridge-to-encrypted-topic delivery.
    // https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
    const keyAccess = topicKey.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowEventBridgeAndCloudWatchToPublishToTheEncryptedTopic',
      principals: [new iam.ServicePrincipal('events.amazonaws.com'), new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
    }));
    if (!keyAccess.statementAdded && !created) {
      // A topic of the user's, encrypted with a key this app cannot change (imported, an alias, or
      // an AWS managed key, whose policy nobody can change).
      Annotations.of(n.scope).addWarningV2(MwaaWarnings.NOTIFICATION_TOPIC_IMPORTED_KEY,
        `\`notificationTopic\` is encrypted with a key whose policy cannot be changed here (${topicKey.node.path}). Until the key policy has a statement that allows `
        + 'the service principals events.amazonaws.com and cloudwatch.amazonaws.com the actions kms:Decrypt and kms:GenerateDataKey* on resource "*", with no '
        + 'aws:SourceAccount or aws:SourceArn condition (SNS does not support them for EventBridge), status changes, alarms and the guardrail cannot publish to the topic. '
        + 'Add that statement to the key policy (an AWS managed key such as alias/aws/sns cannot be changed: use a customer managed key), then acknowledge this warning.');
    } else if (!keyAccess.statementAdded) {
      Annotations.of(n.scope).addWarningV2(MwaaWarnings.NOTIFICATION_TOPIC_KEY,
        '`kmsKey` is imported, so its key policy cannot be changed here, and the notification topic is encrypted with it: until the key policy lets EventBridge (events.amazonaws.com) and CloudWatch (cloudwatch.amazonaws.com) use kms:Decrypt and kms:GenerateDataKey*, status changes, alarms and the guardrail cannot publish to the topic. Add that to the key policy, or pass a `notificationTopic` of your own.');
    }
  }
}

/**
 * The rule that forwards the environment's status changes to the topic. The message names the
 * environment from what the construct knows and carries the event's whole `detail`, so it stays
 * useful whatever the detail's fields are called.
 */
export function forwardStatusChanges(n: NotifiedEnvironment, topic: sns.ITopic, statuses?: EnvironmentStatus[]): events.Rule {
  const forwarded = statuses ?? DEFAULT_STATUSES;
  if (forwarded.length === 0) {
    throw new Error('`notifications.statuses` must name at least one status (leave it out for the default), got: an empty list');
  }
  const rule = new events.Rule(n.scope, 'StatusChangeRule', {
    description: `Status changes of the Amazon MWAA environment ${n.environmentName}`,
    eventPattern: statusChangePattern(n.environmentName, n.environmentArn, forwarded),
  });
  // An object template: `$.detail` is inserted as JSON, whatever its fields are.
  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
  rule.addTarget(new TopicTarget(topic, events.RuleTargetInput.fromObject({
    message: `Amazon MWAA environment ${n.environmentName} changed status to one of ${forwarded.join(', ')} `
      + `(account ${events.EventField.account}, Region ${events.EventField.region}, at ${events.EventField.time}). The new status is in the event detail below.`,
    environment: n.environmentName,
    detail: events.EventField.fromPath('$.detail'),
  })));
  return rule;
}

/** The MWAA API calls that can make a web server public: an update, or a new environment of the same name. */
export const GUARDED_CALLS = ['CreateEnvironment', 'UpdateEnvironment'];

/**
 * The event pattern of the public-access guardrail: the CloudTrail records of `CreateEnvironment`
 * and `UpdateEnvironment` that make this environment's web server public (any mode but
 * PRIVATE_ONLY: PUBLIC_ONLY and PUBLIC_AND_PRIVATE).
 *
 * CloudTrail records MWAA's request parameters in PascalCase (`Name`, per the documented
 * CreateEnvironment record); camelCase is matched too, in every combination, since no
 * UpdateEnvironment sample is published.
 * https://docs.aws.amazon.com/mwaa/latest/userguide/monitoring-cloudtrail.html
 *
 * A call that sets PRIVATE_ONLY, or that does not name the access mode at all, does not match
 * (EventBridge matches a field condition only on a field the event has), so the revert's own call
 * and every self-service update pass unnoticed.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 */
export function publicAccessEventPattern(environmentName: string, refused: boolean = false): events.EventPattern {
  const notPrivate = [{ 'anything-but': [WebserverAccessMode.PRIVATE_ONLY] }];
  const requests = [];
  for (const name of ['Name', 'name']) {
    for (const mode of ['WebserverAccessMode', 'webserverAccessMode']) {
      requests.push({ requestParameters: { [name]: [environmentName], [mode]: notPrivate } });
    }
  }
  return {
    source: [EVENT_SOURCE],
    detailType: [CLOUDTRAIL_DETAIL_TYPE],
    // CloudTrail sets errorCode only on a call that failed (denied, invalid): such a call made
    // nothing public, so the revert must not start on it; a separate rule reports the attempt.
    // https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
    detail: { eventSource: [CLOUDTRAIL_EVENT_SOURCE], eventName: GUARDED_CALLS, errorCode: [{ exists: refused }], $or: requests },
  };
}

/**
 * A rule on the guardrail's pattern, notifying the topic (`MwaaPublicAccessRevert` shares the
 * pattern). EventBridge receives these records only where a CloudTrail trail logs management
 * events, which the construct cannot see, hence the warning.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html
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
  // A refused attempt is worth knowing about too, but nothing needs undoing: no revert hangs on this rule.
  const attempts = new events.Rule(n.scope, 'PublicAccessAttemptGuardrail', {
    description: `Someone tried to make the web server of the Amazon MWAA environment ${n.environmentName} public and was refused`,
    eventPattern: publicAccessEventPattern(n.environmentName, true),
  });
  attempts.addTarget(new TopicTarget(topic, events.RuleTargetInput.fromText(
    `Guardrail: ${events.EventField.fromPath('$.detail.userIdentity.arn')} tried to make the web server of Amazon MWAA environment ${n.environmentName} `
    + `public with ${events.EventField.fromPath('$.detail.eventName')} and was refused (${events.EventField.fromPath('$.detail.errorCode')}; account ${events.EventField.account}, `
    + `Region ${events.EventField.region}, at ${events.EventField.time}). Nothing changed; find out why the call was made.`,
  )));
  Annotations.of(n.scope).addWarningV2(MwaaWarnings.GUARDRAIL_NEEDS_TRAIL,
    '`publicAccessGuardrail`: the guardrail sees CreateEnvironment and UpdateEnvironment calls through CloudTrail only, and EventBridge receives "AWS API Call via CloudTrail" events only where a CloudTrail trail logs management events (trails log them by default). This construct cannot see whether the account has such a trail in this Region: make sure it does, then acknowledge this warning.');
  return rule;
}
