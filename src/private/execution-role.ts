import { Aws, CfnResource, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { celeryQueueArnPattern, environmentArn, logGroupAndStreamArns, logGroupArns, logStreamsPattern, secretArnPattern } from './arns';
import { acknowledge, findingName, iam5 } from './nag';
import { MwaaServicePrincipals } from './principals';

/**
 * What the execution role policy of one environment is scoped to.
 */
export interface ExecutionPolicyScope {
  /** The environment ARN, formatted from its name (not the GetAtt: the role must exist first). */
  readonly environmentArn: string;
  /** The source bucket ARN. */
  readonly bucketArn: string;
  /** The customer managed key ARN. */
  readonly keyArn: string;
  /** The environment name. */
  readonly environmentName: string;
  /** The secret name prefixes of the Secrets Manager backend; empty when it is off. */
  readonly secretPrefixes: string[];
}

/**
 * The execution role policy for the customer managed key variant, statement by statement as the
 * MWAA user guide documents it.
 *
 * @see https://docs.aws.amazon.com/mwaa/latest/userguide/mwaa-create-role.html
 */
export function executionPolicyStatements(scope: IConstruct, s: ExecutionPolicyScope): iam.PolicyStatement[] {
  return [...documentedStatements(scope, s), ...secretsBackendStatements(scope, s)];
}

/**
 * What the Secrets Manager backend needs: read the secrets under its prefixes, list secrets (which
 * has no resource-level permission), and decrypt them with the environment key through Secrets
 * Manager only.
 *
 * @see https://docs.aws.amazon.com/mwaa/latest/userguide/connections-secrets-manager.html
 */
function secretsBackendStatements(scope: IConstruct, s: ExecutionPolicyScope): iam.PolicyStatement[] {
  const prefixes = s.secretPrefixes;
  if (prefixes.length === 0) {
    return [];
  }
  const stack = Stack.of(scope);
  return [
    new iam.PolicyStatement({
      sid: 'ReadAirflowSecrets',
      actions: [
        'secretsmanager:GetResourcePolicy',
        'secretsmanager:GetSecretValue',
        'secretsmanager:DescribeSecret',
        'secretsmanager:ListSecretVersionIds',
      ],
      resources: prefixes.map(prefix => secretArnPattern(scope, prefix)),
    }),
    new iam.PolicyStatement({
      sid: 'ListSecrets',
      actions: ['secretsmanager:ListSecrets'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'DecryptSecretsViaSecretsManager',
      actions: ['kms:Decrypt'],
      resources: [s.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.${Aws.URL_SUFFIX}` } },
    }),
  ];
}

function documentedStatements(scope: IConstruct, s: ExecutionPolicyScope): iam.PolicyStatement[] {
  const stack = Stack.of(scope);
  const objects = `${s.bucketArn}/*`;
  return [
    new iam.PolicyStatement({
      sid: 'PublishMetrics',
      actions: ['airflow:PublishMetrics'],
      resources: [s.environmentArn],
    }),
    new iam.PolicyStatement({
      sid: 'DenyListAllBuckets',
      effect: iam.Effect.DENY,
      actions: ['s3:ListAllMyBuckets'],
      resources: [s.bucketArn, objects],
    }),
    new iam.PolicyStatement({
      sid: 'ReadSourceBucket',
      actions: ['s3:GetObject*', 's3:GetBucket*', 's3:List*'],
      resources: [s.bucketArn, objects],
    }),
    new iam.PolicyStatement({
      sid: 'WriteOwnLogs',
      actions: [
        'logs:CreateLogStream',
        'logs:CreateLogGroup',
        'logs:PutLogEvents',
        'logs:GetLogEvents',
        'logs:GetLogRecord',
        'logs:GetLogGroupFields',
        'logs:GetQueryResults',
      ],
      // The five groups by name, and their streams: not the documented airflow-<name>-*, which would
      // also reach the logs of an environment named <name>-<anything> in the same account.
      resources: logGroupAndStreamArns(scope, s.environmentName),
    }),
    new iam.PolicyStatement({
      sid: 'DescribeLogGroups',
      actions: ['logs:DescribeLogGroups'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'ReadAccountPublicAccessBlock',
      actions: ['s3:GetAccountPublicAccessBlock'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'PutMetricData',
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'UseCeleryQueues',
      actions: [
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:ReceiveMessage',
        'sqs:SendMessage',
      ],
      // The Celery queue lives in an account owned by MWAA, so the account stays a wildcard.
      resources: [celeryQueueArnPattern(scope)],
    }),
    new iam.PolicyStatement({
      sid: 'UseKeyViaSqsAndS3',
      actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey*', 'kms:Encrypt'],
      resources: [s.keyArn],
      conditions: {
        StringLike: {
          'kms:ViaService': [`sqs.${stack.region}.${Aws.URL_SUFFIX}`, `s3.${stack.region}.${Aws.URL_SUFFIX}`],
        },
      },
    }),
  ];
}

/** What the execution role of an environment is made of. */
export interface ExecutionRoleParts {
  readonly role: iam.IRole;
  readonly policy: iam.ManagedPolicy;
}

/**
 * The execution role (the one given, else a new one trusted only by MWAA for this environment in
 * this account) and the customer managed policy with the documented least-privilege statements,
 * attached to it; the findings its documented wildcards raise are acknowledged on that policy.
 *
 * The role the construct creates takes `removalPolicy` (RETAIN by default) as both its deletion and
 * its update-replace policy, like the key, the bucket and the log groups: the environment's Celery
 * queue is tied to its execution role, which must only ever be updated, never deleted and created
 * again (MWAA-FACTS.md, "Execution role"). A role that is given is left as it is.
 */
export function executionRole(scope: Construct, s: Omit<ExecutionPolicyScope, 'environmentArn'>, removalPolicy: RemovalPolicy, role?: iam.IRole): ExecutionRoleParts {
  const stack = Stack.of(scope);
  const arn = environmentArn(scope, s.environmentName);
  let effective = role;
  if (effective === undefined) {
    const created = new iam.Role(scope, 'ExecutionRole', {
      description: `Execution role of the Amazon MWAA environment ${s.environmentName}`,
      assumedBy: new MwaaServicePrincipals(arn, stack.account),
    });
    // Stryker disable next-line ObjectLiteral: applyToUpdateReplacePolicy is CDK's default (anything but false applies it); written out because it is the point
    (created.node.defaultChild as CfnResource).applyRemovalPolicy(removalPolicy, { applyToUpdateReplacePolicy: true });
    effective = created;
  }
  const policy = new iam.ManagedPolicy(scope, 'ExecutionRolePolicy', {
    description: `Least-privilege permissions of the Amazon MWAA environment ${s.environmentName}`,
    statements: executionPolicyStatements(scope, { ...s, environmentArn: arn }),
    roles: [effective],
  });
  acknowledgeDocumentedWildcards(policy, s);
  return { role: effective, policy };
}

/**
 * The execution role policy is the one the MWAA user guide documents; the wildcards in it are
 * either scoped to this environment's own resources or required by MWAA. Acknowledge exactly those
 * findings on exactly this policy, each with its reason.
 */
function acknowledgeDocumentedWildcards(policy: iam.ManagedPolicy, s: Omit<ExecutionPolicyScope, 'environmentArn'>): void {
  acknowledge(policy, s.secretPrefixes.map(prefix => iam5(`Resource::${findingName(policy, secretArnPattern(policy, prefix))}`,
    `Secrets Manager backend: the secrets under the configured connections or variables prefix (${prefix}/), read-only.`)));
  acknowledge(policy, [
    iam5('Action::s3:GetObject*', 'Documented MWAA execution role: read-only object actions, scoped to the source bucket.'),
    iam5('Action::s3:GetBucket*', 'Documented MWAA execution role: read-only bucket actions, scoped to the source bucket.'),
    iam5('Action::s3:List*', 'Documented MWAA execution role: list actions, scoped to the source bucket.'),
    iam5('Action::kms:GenerateDataKey*', 'Documented MWAA execution role: data keys of the environment key only, and only through SQS and S3 (kms:ViaService).'),
    iam5('Resource::*', 'logs:DescribeLogGroups, s3:GetAccountPublicAccessBlock, cloudwatch:PutMetricData (and secretsmanager:ListSecrets) have no resource-level permissions.'),
    iam5(`Resource::${findingName(policy, `${s.bucketArn}/*`)}`, 'Objects of this environment\'s own source bucket, read-only.'),
    ...logGroupArns(policy, s.environmentName)
      .map(group => iam5(`Resource::${findingName(policy, logStreamsPattern(group))}`, 'The log streams of one of this environment\'s five log groups, named.')),
    iam5(`Resource::${findingName(policy, celeryQueueArnPattern(policy))}`,
      'The Celery queues MWAA creates for the environment live in an account MWAA owns, so the account and queue suffix are not known in advance.'),
  ]);
}
