import * as events from 'aws-cdk-lib/aws-events';
import * as sns from 'aws-cdk-lib/aws-sns';

/**
 * An EventBridge target that publishes to a topic without touching the topic's policy.
 *
 * `aws-events-targets.SnsTopic` adds an unconditional statement for `events.amazonaws.com` to
 * the topic policy; the environment's topic already admits EventBridge, for this account only.
 */
export class TopicTarget implements events.IRuleTarget {
  constructor(private readonly topic: sns.ITopic, private readonly input: events.RuleTargetInput) {}

  public bind(_rule: events.IRule, _id?: string): events.RuleTargetConfig {
    return { arn: this.topic.topicArn, input: this.input };
  }
}
