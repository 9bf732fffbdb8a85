import { Annotations, Aws, PhysicalName, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as mwaa from 'aws-cdk-lib/aws-mwaa';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { LoggingConfiguration, LogLevel } from '../environment-settings';
import { MwaaWarnings } from '../warnings';
import { logGroupArns } from './arns';
import { LOG_TYPES, logGroupName } from './mwaa';

/**
 * Storage and encryption of an environment: its key, its source bucket and its five log groups.
 */

/** The key the environment is encrypted with: the one given, the bucket's, or a new one; with the statement CloudWatch Logs needs. */
export function environmentKey(
  scope: Construct,
  environmentName: string,
  removalPolicy: RemovalPolicy,
  kmsKey?: kms.IKey,
  sourceBucket?: s3.IBucket,
): kms.IKey {
  const stack = Stack.of(scope);
  const key = kmsKey ?? sourceBucket?.encryptionKey ?? new kms.Key(scope, 'Key', {
    description: `Encrypts the Amazon MWAA environment ${environmentName}, its bucket and its logs`,
    enableKeyRotation: true,
    removalPolicy,
  });
  // The five groups by name: a pattern would also admit a neighbour's groups (prod, prod-payments).
  const keyPolicy = key.addToResourcePolicy(logsKeyStatement(scope, 'AllowCloudWatchLogsForThisEnvironment', logGroupArns(scope, environmentName)));
  // The key the user brought, or the one their bucket is encrypted with: either may be another account's.
  const given = kmsKey !== undefined ? '`kmsKey`' : '`sourceBucket`\'s key';
  const keyAccount = key.env.account;
  if (!Token.isUnresolved(keyAccount) && !Token.isUnresolved(stack.account) && keyAccount !== stack.account) {
    Annotations.of(scope).addWarningV2(MwaaWarnings.KMS_KEY_OTHER_ACCOUNT,
      `${given} belongs to account ${keyAccount}, not this stack's ${stack.account}, so its key policy is not ours to change. It must let `
      + 'the execution role use the key through S3 and SQS (kms:Decrypt, kms:DescribeKey, kms:Encrypt, kms:GenerateDataKey*), '
      + `the principal that deploys the environment create grants for MWAA (kms:CreateGrant), and logs.${stack.region}.amazonaws.com encrypt the environment's five log groups; `
      + `or acknowledge this warning (got: ${key.keyArn}).`);
  }
  if (!keyPolicy.statementAdded) {
    Annotations.of(scope).addWarningV2(MwaaWarnings.KMS_KEY_POLICY,
      `${given} is imported, so its key policy cannot be changed here. Make sure it lets the service principal logs.${stack.region}.amazonaws.com use the key for the log groups ${LOG_TYPES.map(t => logGroupName(environmentName, t.suffix)).join(', ')} (kms:EncryptionContext:aws:logs:arn), or creating the log groups fails.`);
  }
  return key;
}

/**
 * The key policy statement that lets CloudWatch Logs of the scope's Region use a key for the log
 * groups named (by ARN), and no others.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 */
export function logsKeyStatement(scope: Construct, sid: string, logGroupArnsAdmitted: string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    principals: [new iam.ServicePrincipal(`logs.${Stack.of(scope).region}.${Aws.URL_SUFFIX}`)],
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    resources: ['*'],
    conditions: { ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': logGroupArnsAdmitted } },
  });
}

/** The source bucket: the one given, or a new versioned, locked-down one encrypted with the key. */
export function environmentBucket(
  scope: Construct,
  environmentName: string,
  removalPolicy: RemovalPolicy,
  key: kms.IKey,
  bucket?: s3.IBucket,
  accessLogs?: s3.IBucket,
): s3.IBucket {
  return bucket ?? new s3.Bucket(scope, 'SourceBucket', {
    // No name in the template unless a stack of another account or Region (an AirflowPermissionSet)
    // needs the bucket's ARN at synth: then CDK generates a stable name.
    bucketName: PhysicalName.GENERATE_IF_NEEDED,
    versioned: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: key,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    serverAccessLogsBucket: accessLogs,
    serverAccessLogsPrefix: accessLogs ? `${environmentName}/` : undefined,
    removalPolicy,
  });
}

/** The five log groups, created up front so that they are encrypted and expire; keyed by log type prop. */
export function logGroups(
  scope: Construct,
  environmentName: string,
  removalPolicy: RemovalPolicy,
  key: kms.IKey,
  retention: logs.RetentionDays,
): { [prop: string]: logs.LogGroup } {
  const groups: { [prop: string]: logs.LogGroup } = {};
  for (const type of LOG_TYPES) {
    groups[type.prop] = new logs.LogGroup(scope, type.id, {
      logGroupName: logGroupName(environmentName, type.suffix),
      encryptionKey: key,
      retention,
      removalPolicy,
    });
  }
  return groups;
}

/**
 * The logging configuration of the environment, as CloudFormation gets it: every log type on at
 * INFO unless set otherwise. Keyed by log type prop, as `CfnEnvironment.LoggingConfigurationProperty` is.
 */
export function loggingConfiguration(logging: LoggingConfiguration): { [prop: string]: mwaa.CfnEnvironment.ModuleLoggingConfigurationProperty } {
  const config: { [prop: string]: mwaa.CfnEnvironment.ModuleLoggingConfigurationProperty } = {};
  for (const type of LOG_TYPES) {
    const options = logging[type.prop];
    config[type.prop] = { enabled: options?.enabled ?? true, logLevel: options?.logLevel ?? LogLevel.INFO };
  }
  return config;
}

export function validateSourceBucket(scope: Construct, bucket: s3.IBucket, accessLogs?: s3.IBucket): void {
  if (accessLogs !== undefined) {
    throw new Error(`\`sourceBucketAccessLogs\` only applies to the bucket the construct creates; configure access logs on your own \`sourceBucket\`, got: ${accessLogs.node.path}`);
  }
  const bucketRegion = bucket.env.region;
  const region = Stack.of(scope).region;
  if (!Token.isUnresolved(bucketRegion) && !Token.isUnresolved(region) && bucketRegion !== region) {
    throw new Error(`\`sourceBucket\` must be in the environment's Region (${region}), got: a bucket in ${bucketRegion}`);
  }
  const cfn = bucket.node.defaultChild;
  if (!(cfn instanceof s3.CfnBucket)) {
    Annotations.of(scope).addWarningV2(MwaaWarnings.IMPORTED_BUCKET,
      '`sourceBucket` is imported, so its settings cannot be checked here. MWAA requires versioning enabled and all public access blocked, and if the bucket uses SSE-KMS, the key must be the environment\'s key.');
    return;
  }
  const versioning = Stack.of(scope).resolve(cfn.versioningConfiguration);
  if (versioning?.status !== 'Enabled') {
    throw new Error(`\`sourceBucket\` must have versioning enabled (MWAA reads pinned object versions), got: ${versioning?.status ?? 'versioning not configured'}`);
  }
  const block = Stack.of(scope).resolve(cfn.publicAccessBlockConfiguration) ?? {};
  const flags = ['blockPublicAcls', 'blockPublicPolicy', 'ignorePublicAcls', 'restrictPublicBuckets'];
  const open = flags.filter(flag => block[flag] !== true);
  if (open.length > 0) {
    throw new Error(`\`sourceBucket\` must block all public access (use \`blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL\`), got: ${open.join(', ')} not enabled`);
  }
}

export function validateKmsKey(scope: Construct, key: kms.IKey, bucket?: s3.IBucket): void {
  if (key instanceof kms.Alias || 'aliasName' in key) {
    throw new Error(`\`kmsKey\` must be a KMS key, not an alias (MWAA does not accept aliases), got: ${(key as kms.IAlias).aliasName}`);
  }
  if (!Token.isUnresolved(key.keyId) && key.keyId.startsWith('mrk-')) {
    throw new Error(`\`kmsKey\` must be a single-Region key (MWAA does not accept multi-Region keys), got: ${key.keyId}`);
  }
  // A key created in the app: its L1 is the key's default child (kms.Key) or its scope (Key.fromCfnKey).
  const cfnKey = key.node.defaultChild ?? key.node.scope;
  if (cfnKey instanceof kms.CfnKey && Stack.of(scope).resolve(cfnKey.multiRegion) === true) {
    throw new Error(`\`kmsKey\` must be a single-Region key (MWAA does not accept multi-Region keys), got: ${cfnKey.node.path} with multiRegion: true`);
  }
  const keyRegion = key.env.region;
  const region = Stack.of(scope).region;
  if (!Token.isUnresolved(keyRegion) && !Token.isUnresolved(region) && keyRegion !== region) {
    throw new Error(`\`kmsKey\` must be in the environment's Region (${region}), got: a key in ${keyRegion}`);
  }
  if (bucket?.encryptionKey && bucket.encryptionKey !== key) {
    throw new Error(`\`sourceBucket\` is encrypted with a different key than \`kmsKey\`; MWAA needs both to use the same key, got: ${bucket.encryptionKey.node.path}`);
  }
}
