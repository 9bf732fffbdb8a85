import { EnvironmentUnderCheck, MwaaRuleSpec } from './rule';
import { actionMatches, CfnResourceJson, list, text } from './template';

/**
 * The storage rules: the key the environment is encrypted with, and its source bucket. They run
 * only when the key or bucket is defined in the app.
 */

/** A rule on the resource a property refers to, run only when that resource is defined in the app. */
function resourceRule(
  id: string, description: string, property: string, type: string,
  check: (resource: CfnResourceJson, env: EnvironmentUnderCheck) => string[],
): MwaaRuleSpec {
  return {
    id,
    description,
    severity: 'error',
    location: `Properties.${property}`,
    check: env => {
      const resource = env.template.resourceOf(env.props[property], type);
      return resource ? check(resource, env) : [];
    },
  };
}

/** The key policy and the source bucket. */
export const STORAGE_RULES: MwaaRuleSpec[] = [
  resourceRule('MWAA-Key-LogsAccess', 'The key policy lets CloudWatch Logs use the key.', 'KmsKey', 'AWS::KMS::Key', key => {
    const ok = list(key.Properties?.KeyPolicy?.Statement).some((s: any) => s.Effect === 'Allow'
      && list(s.Principal?.Service).map(text).some(p => p.startsWith('logs.'))
      && list<string>(s.Action).some(a => actionMatches(a, 'kms:GenerateDataKey')));
    return ok ? [] : ['The key policy does not let CloudWatch Logs (logs.<region>.amazonaws.com) use the key, so the encrypted log groups cannot be written. Add the statement for the environment\'s log groups.'];
  }),
  resourceRule('MWAA-Bucket-Versioning', 'The source bucket has versioning enabled.', 'SourceBucketArn', 'AWS::S3::Bucket', bucket =>
    (bucket.Properties?.VersioningConfiguration?.Status !== 'Enabled'
      ? ['The source bucket is not versioned. Enable versioning: MWAA reads pinned object versions.'] : [])),
  resourceRule('MWAA-Bucket-PublicAccessBlock', 'The source bucket blocks all public access.', 'SourceBucketArn', 'AWS::S3::Bucket', bucket => {
    const block = bucket.Properties?.PublicAccessBlockConfiguration ?? {};
    const open = ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'].filter(f => block[f] !== true);
    return open.length === 0 ? [] : [`The source bucket does not block all public access (${open.join(', ')} not set). Block all four.`];
  }),
  resourceRule('MWAA-Bucket-SameKey', 'A source bucket encrypted with a KMS key uses the environment\'s key.', 'SourceBucketArn', 'AWS::S3::Bucket', (bucket, env) => {
    const rule = list(bucket.Properties?.BucketEncryption?.ServerSideEncryptionConfiguration)[0]?.ServerSideEncryptionByDefault;
    if (!rule || rule.SSEAlgorithm !== 'aws:kms' || rule.KMSMasterKeyID === undefined) {
      return [];
    }
    const bucketKey = env.template.target(rule.KMSMasterKeyID) ?? text(rule.KMSMasterKeyID);
    const envKey = env.props.KmsKey === undefined ? undefined : env.template.target(env.props.KmsKey) ?? text(env.props.KmsKey);
    return bucketKey === envKey ? [] : [`The source bucket is encrypted with ${bucketKey}, the environment with ${envKey ?? 'an AWS owned key'}. Use the same key for both.`];
  }),
];
