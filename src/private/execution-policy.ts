import { ArnFormat, Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

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
  /** The secret name prefixes of the Secrets Manager backend; none when it is off. */
  readonly secretPrefixes?: string[];
}

/**
 * The ARN pattern of every secret under a name prefix. Secrets Manager appends a hyphen and six
 * random characters to a secret's name in its ARN, which the trailing wildcard covers.
 */
export function secretArnPattern(scope: IConstruct, prefix: string): string {
  return Stack.of(scope).formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${prefix}/*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/**
 * The ARN of one of an environment's log groups (`airflow-<name>-<suffix>`), as IAM names it; with
 * suffix `*`, the pattern the documented execution policy uses.
 */
export function logGroupArn(scope: IConstruct, environmentName: string, suffix: string): string {
  return Stack.of(scope).formatArn({
    service: 'logs',
    resource: 'log-group',
    resourceName: `airflow-${environmentName}-${suffix}`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/**
 * The ARN pattern that covers the five log groups of an environment, and their streams.
 */
export function logGroupArnPattern(scope: IConstruct, environmentName: string): string {
  return logGroupArn(scope, environmentName, '*');
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
  const prefixes = s.secretPrefixes ?? [];
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
      resources: [logGroupArnPattern(scope, s.environmentName)],
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
      resources: [stack.formatArn({ service: 'sqs', account: '*', resource: 'airflow-celery-*' })],
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
