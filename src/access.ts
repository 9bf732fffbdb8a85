import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * An Apache Airflow role that a person logs in to the Airflow UI, or calls the REST API, as.
 *
 * @see https://docs.aws.amazon.com/mwaa/latest/userguide/access-policies.html
 */
export enum AirflowRole {
  /** Everything, including user and connection management. */
  ADMIN = 'Admin',
  /** Operations: DAGs, connections, pools and variables, but not users. */
  OP = 'Op',
  /** DAG authors: run and edit DAGs. */
  USER = 'User',
  /** Read only. */
  VIEWER = 'Viewer',
  /** No permissions until an administrator grants some. */
  PUBLIC = 'Public',
}

/**
 * A bundle of grants for one kind of person.
 */
export enum AccessProfile {
  /**
   * Logs in as Admin, updates the environment (scheduler count, class, requirements and plugin
   * versions), deploys requirements, plugins and the startup script, reads logs, sees the
   * environment in the console.
   */
  ADMINISTRATOR = 'ADMINISTRATOR',
  /** Logs in as User, deploys DAGs, reads logs, sees the environment in the console. */
  DEVELOPER = 'DEVELOPER',
  /** Logs in as Op, reads logs, sees the environment in the console. */
  OPERATOR = 'OPERATOR',
  /** Logs in as Viewer. */
  VIEWER = 'VIEWER',
}

/**
 * Existing principals to give an access profile, for example the role of a single-sign-on
 * permission set or a team's group.
 */
export interface AccessAssignment {
  /** The profile to give. */
  readonly profile: AccessProfile;

  /**
   * Roles that get the profile's managed policy attached.
   *
   * @default - none
   */
  readonly roles?: iam.IRole[];

  /**
   * Groups that get the profile's managed policy attached.
   *
   * @default - none
   */
  readonly groups?: iam.IGroup[];

  /**
   * Users that get the profile's managed policy attached.
   *
   * @default - none
   */
  readonly users?: iam.IUser[];
}

/**
 * How people get access to the environment.
 */
export interface PeopleAccessOptions {
  /**
   * Whether to create one IAM group per access profile, named `<environment>-<profile>`, for
   * example `analytics-developers`.
   *
   * @default true
   */
  readonly createGroups?: boolean;

  /**
   * Existing roles, groups and users to give a profile.
   *
   * @default - none
   */
  readonly assignments?: AccessAssignment[];
}
