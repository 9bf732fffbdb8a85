import * as sns from 'aws-cdk-lib/aws-sns';

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
