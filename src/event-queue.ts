import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from './private/nag';
import type { MwaaVpcEndpoints } from './vpc-endpoints';

/**
 * What the queue of an environment's asset watchers needs to know of the environment.
 */
export interface EventQueueProps {
  /** The environment's key: the queue is encrypted with it. */
  readonly kmsKey: kms.IKey;
  /** The execution role's policy, which gets receive and delete on the queue. */
  readonly executionRolePolicy: iam.ManagedPolicy;
  /** The environment's VPC endpoints, whose SQS endpoint policy must admit the queue. */
  readonly vpcEndpoints?: MwaaVpcEndpoints;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The SQS actions Airflow's SQS trigger (`SqsSensorTrigger`, behind `MessageQueueTrigger` with an
 * SQS URL) makes: `receive_message`, then `delete_message_batch` of what it received (IAM action
 * `sqs:DeleteMessage`). It addresses the queue by URL, so it needs no `GetQueueUrl`.
 * https://github.com/apache/airflow/blob/main/providers/amazon/src/airflow/providers/amazon/aws/triggers/sqs.py
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html
 */
export const ASSET_WATCHER_ACTIONS = ['sqs:ReceiveMessage', 'sqs:DeleteMessage'];

/**
 * A queue for Airflow 3 asset watchers, encrypted with the environment's key, that the execution
 * role may receive from and delete from (the key's use through SQS is already in its documented
 * policy), and that the environment's SQS endpoint admits.
 */
export function assetWatcherQueue(scope: Construct, props: EventQueueProps): sqs.Queue {
  const queue = new sqs.Queue(scope, 'EventQueue', {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: props.kmsKey,
    // Messages are read often; a data key is reused for five minutes to keep KMS calls down.
    dataKeyReuse: Duration.minutes(5),
    enforceSSL: true,
    retentionPeriod: Duration.days(4),
    removalPolicy: props.removalPolicy,
  });
  props.executionRolePolicy.addStatements(new iam.PolicyStatement({
    sid: 'ReceiveFromTheEventQueue',
    actions: ASSET_WATCHER_ACTIONS,
    resources: [queue.queueArn],
  }));
  props.vpcEndpoints?.allowQueue(queue, ASSET_WATCHER_ACTIONS);
  acknowledge(queue, [{
    id: 'AwsSolutions-SQS3',
    reason: 'Airflow\'s SQS trigger deletes what it receives in the same poll (delete_message_on_reception), so no message is received repeatedly; a message nobody reads expires after the retention period.',
  }]);
  return queue;
}
