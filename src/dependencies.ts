import * as fs from 'fs';
import { Annotations, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { REQUIREMENTS_CONSTRAINT } from './checks/requirements';
import { warnOnce } from './checks/rule';
import { isZipArchive, listFiles, pathKind, PinnedUpload, zipEntries } from './private/delivery';
import { DEFAULT_KEYS, PLUGINS_MOUNT } from './private/mwaa';
import { acknowledge, COMPLIANCE_PACKS, findingName, iam5, inPacks } from './private/nag';
import { validateS3Path } from './private/props-validation';
import { hasConstraint, parseRequirements } from './private/requirements';
import { MwaaWarnings } from './warnings';

/** Where a dependency file comes from: a key with a version, or a local path to upload. */
export interface DependencySource {
  readonly key?: string;
  readonly version?: string;
  readonly localPath?: string;
}

/** The local sources and bucket locations of an environment's DAGs and dependency files. */
export interface DeliveryProps {
  readonly dagS3Path: string;
  readonly dagsLocalPath?: string;
  readonly pruneDags?: boolean;
  readonly requirementsS3Path?: string;
  readonly requirementsS3ObjectVersion?: string;
  readonly requirementsLocalPath?: string;
  readonly pluginsS3Path?: string;
  readonly pluginsS3ObjectVersion?: string;
  readonly pluginsLocalPath?: string;
  readonly startupScriptS3Path?: string;
  readonly startupScriptS3ObjectVersion?: string;
  readonly startupScriptLocalPath?: string;
}

/** Where each dependency file comes from, checked. */
export interface DependencySources {
  readonly requirements: DependencySource;
  readonly plugins: DependencySource;
  readonly startupScript: DependencySource;
}

/** Works out and checks where the DAGs and the three dependency files come from. */
export function dependencySources(scope: Construct, props: DeliveryProps, noInternet: () => boolean): DependencySources {
  validateS3Path('dagS3Path', props.dagS3Path);
  validateDagsSource(props.dagsLocalPath, props.pruneDags);
  const requirements = dependencySource('requirements', DEFAULT_KEYS.requirements, props.requirementsS3Path, props.requirementsS3ObjectVersion, props.requirementsLocalPath);
  const plugins = dependencySource('plugins', DEFAULT_KEYS.plugins, props.pluginsS3Path, props.pluginsS3ObjectVersion, props.pluginsLocalPath);
  const startupScript = dependencySource('startupScript', DEFAULT_KEYS.startupScript, props.startupScriptS3Path, props.startupScriptS3ObjectVersion, props.startupScriptLocalPath);
  if (props.requirementsLocalPath !== undefined) {
    checkRequirements(scope, props.requirementsLocalPath, props.pluginsLocalPath, plugins.key, noInternet());
  }
  return { requirements, plugins, startupScript };
}

/** What the delivery created: the DAG upload, and the object versions the environment uses. */
export interface Delivery {
  readonly dagsDeployment?: s3deploy.BucketDeployment;
  readonly requirementsS3ObjectVersion?: string;
  readonly pluginsS3ObjectVersion?: string;
  readonly startupScriptS3ObjectVersion?: string;
}

/**
 * Uploads the local DAG folder and dependency files: DAGs with a BucketDeployment, the dependency
 * files pinned to the object versions of their uploads.
 */
export function deliver(scope: Construct, bucket: s3.IBucket, key: kms.IKey, props: DeliveryProps, sources: DependencySources): Delivery {
  const bucketKey = bucket.encryptionKey ?? key;
  let dagsAsset: s3assets.Asset | undefined;
  let dagsDeployment: s3deploy.BucketDeployment | undefined;
  if (props.dagsLocalPath !== undefined) {
    dagsAsset = new s3assets.Asset(scope, 'DagsAsset', { path: props.dagsLocalPath, exclude: ['__pycache__', '*.pyc'] });
    dagsDeployment = new s3deploy.BucketDeployment(scope, 'DagsDeployment', {
      sources: [s3deploy.Source.bucket(dagsAsset.bucket, dagsAsset.s3ObjectKey)],
      destinationBucket: bucket,
      destinationKeyPrefix: `${props.dagS3Path.replace(/\/+$/, '')}/`,
      prune: props.pruneDags ?? true,
      retainOnDelete: true,
    });
    if (bucket.encryptionKey === undefined) {
      // BucketDeployment grants on the bucket's key only when the bucket object knows it, which an
      // imported bucket does not; its objects are encrypted with the environment's key. These are
      // the key actions CDK grants it for a bucket whose key it knows.
      bucketKey.grant(dagsDeployment.handlerRole, 'kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*');
    }
  }
  const upload = (uploadId: string, source: DependencySource) => source.localPath === undefined ? source.version
    : new PinnedUpload(scope, uploadId, { path: source.localPath, bucket, key: source.key!, encryptionKey: bucketKey }).versionId;
  const delivery = {
    dagsDeployment,
    requirementsS3ObjectVersion: upload('RequirementsUpload', sources.requirements),
    pluginsS3ObjectVersion: upload('PluginsUpload', sources.plugins),
    startupScriptS3ObjectVersion: upload('StartupScriptUpload', sources.startupScript),
  };
  acknowledgeDeliveryFunctions(scope, bucket, dagsDeployment, dagsAsset);
  return delivery;
}


export function validateDagsSource(localPath?: string, prune?: boolean): void {
  if (localPath === undefined) {
    if (prune !== undefined) {
      throw new Error(`\`pruneDags\` only applies to the upload of \`dagsLocalPath\`, which is not set, got: ${prune}`);
    }
    return;
  }
  const kind = pathKind(localPath);
  if (kind !== 'directory') {
    throw new Error(`\`dagsLocalPath\` must be an existing folder of DAG files, got: '${localPath}' (${kind === 'missing' ? 'not found' : 'a file'})`);
  }
}

/**
 * Works out where a dependency file comes from: a key and version given, or a local path to
 * upload (to the given key, else the default one).
 */
export function dependencySource(name: string, defaultKey: string, s3Path?: string, version?: string, localPath?: string): DependencySource {
  const [pathProp, versionProp, localProp] = [`${name}S3Path`, `${name}S3ObjectVersion`, `${name}LocalPath`];
  if (localPath === undefined) {
    validateObjectVersionPair(pathProp, s3Path, versionProp, version);
    return { key: s3Path, version };
  }
  if (version !== undefined) {
    throw new Error(`\`${versionProp}\` must not be set together with \`${localProp}\`: the version of the upload is read at deploy time, got: '${version}'`);
  }
  const key = s3Path ?? defaultKey;
  validateS3Path(pathProp, key);
  const kind = pathKind(localPath);
  if (name === 'plugins') {
    if (kind === 'missing') {
      throw new Error(`\`pluginsLocalPath\` must be an existing plugins folder or .zip file, got: '${localPath}' (not found)`);
    }
    if (kind === 'file' && (!localPath.toLowerCase().endsWith('.zip') || !isZipArchive(localPath))) {
      throw new Error(`\`pluginsLocalPath\` must be a plugins folder or a .zip file (MWAA reads plugins from a zip archive), got: '${localPath}'`);
    }
    const files = (kind === 'directory' ? listFiles(localPath) : zipEntries(localPath))?.filter(f => !f.endsWith('/') && !f.split('/').includes('__pycache__'));
    if (files !== undefined) {
      if (!files.some(f => f.endsWith('.py') || f.endsWith('.whl'))) {
        const sample = files.slice(0, 5).join(', ');
        throw new Error(`\`pluginsLocalPath\` must contain Python files (.py modules or .whl wheels) for MWAA to load, got: ${files.length} file(s)${sample ? ` (${sample}${files.length > 5 ? ', ...' : ''})` : ''} in '${localPath}'`);
      }
    }
  } else if (kind !== 'file') {
    throw new Error(`\`${localProp}\` must be an existing file, got: '${localPath}' (${kind === 'missing' ? 'not found' : 'a folder'})`);
  }
  return { key, localPath };
}

/**
 * Looks at a local requirements file: a constraints file is expected, files it takes from the
 * plugins folder must be there, and without an internet route nothing may need a package index.
 */
export function checkRequirements(
  scope: Construct,
  localPath: string,
  pluginsLocalPath: string | undefined,
  pluginsKey: string | undefined,
  noInternet: boolean,
): void {
  const summary = parseRequirements(fs.readFileSync(localPath, 'utf-8'));
  if (!hasConstraint(summary)) {
    warnOnce(scope, REQUIREMENTS_CONSTRAINT,
      `\`requirementsLocalPath\` has no '--constraint' line; from Airflow 2.7.2 MWAA expects one, or pip may install versions that break Airflow (got: '${localPath}').`);
  }
  if (summary.pluginReferences.length > 0) {
    if (pluginsKey === undefined) {
      throw new Error(`\`requirementsLocalPath\` installs files from ${PLUGINS_MOUNT} but the environment has no plugins (set \`pluginsLocalPath\`), got: ${summary.pluginReferences.join(', ')}`);
    }
    const kind = pluginsLocalPath === undefined ? 'missing' : pathKind(pluginsLocalPath);
    const contents = kind === 'directory' ? listFiles(pluginsLocalPath!) : kind === 'file' ? zipEntries(pluginsLocalPath!) : undefined;
    if (contents !== undefined) {
      const present = new Set(contents);
      const missing = summary.pluginReferences.filter(f => !present.has(f));
      if (missing.length > 0) {
        throw new Error(`\`requirementsLocalPath\` refers to files under ${PLUGINS_MOUNT} that \`pluginsLocalPath\` does not contain, got: ${missing.join(', ')} missing from '${pluginsLocalPath}'`);
      }
    }
  }
  if (noInternet) {
    const problems: string[] = [];
    if (summary.packages.length > 0 && !summary.noIndex && summary.indexUrls.length === 0) {
      const sample = summary.packages.slice(0, 3).join(', ');
      problems.push(`it installs ${summary.packages.length} package(s) from the default index (${sample}${summary.packages.length > 3 ? ', ...' : ''}) without '--no-index'`);
    }
    const remote = summary.constraints.filter(c => /^https?:\/\//.test(c));
    if (remote.length > 0) {
      problems.push(`its constraints file is downloaded (${remote.join(', ')})`);
    }
    if (problems.length > 0) {
      Annotations.of(scope).addWarningV2(MwaaWarnings.REQUIREMENTS_NEED_INDEX,
        `\`requirementsLocalPath\`: the environment's subnets have no internet route, but ${problems.join(' and ')}. Ship wheels and the constraints file in plugins and use '--no-index' with '--find-links ${PLUGINS_MOUNT}', or add an '--index-url' reachable from the VPC (got: '${localPath}').`);
    }
  }
}

export function validateObjectVersionPair(pathProp: string, path: string | undefined, versionProp: string, version: string | undefined): void {
  if (path !== undefined) {
    validateS3Path(pathProp, path);
    if (version === undefined) {
      throw new Error(`\`${versionProp}\` must be set when \`${pathProp}\` is (MWAA only reads a pinned object version), got: no version for '${path}'`);
    }
  } else if (version !== undefined) {
    throw new Error(`\`${versionProp}\` is set but \`${pathProp}\` is not; set both or neither, got: '${version}'`);
  }
}

/**
 * The functions CDK provides for the uploads run once per deployment, called by CloudFormation:
 * their findings are acknowledged on them, with the reasons. The singleton functions are shared
 * with any other BucketDeployment or AwsCustomResource of the stack.
 */
export function acknowledgeDeliveryFunctions(
  scope: Construct,
  bucket: s3.IBucket,
  dagsDeployment?: s3deploy.BucketDeployment,
  dagsAsset?: s3assets.Asset,
): void {
  const stack = Stack.of(scope);
  const packs = COMPLIANCE_PACKS;
  const each = inPacks;
  const functionFindings = [
    { id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', reason: 'The deployment function CDK provides writes its own logs with the AWS managed basic execution policy.' },
    { id: 'AwsSolutions-L1', reason: 'The deployment function\'s runtime is chosen by aws-cdk-lib and moves with it.' },
    ...each('LambdaConcurrency', 'Called only by CloudFormation during a deployment, once per changed resource.', packs.slice(0, 2)),
    ...each('LambdaDLQ', 'Called synchronously by CloudFormation, which reports a failure as a failed deployment.', packs.slice(0, 2)),
    ...each('LambdaInsideVPC', 'A deploy-time function that talks to S3 and CloudFormation only; it runs outside the VPC so that a VPC without internet access needs no endpoint for it.'),
  ];
  const customResourceFunction = stack.node.tryFindChild(`AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`);
  if (customResourceFunction) {
    acknowledge(customResourceFunction, functionFindings);
  }
  for (const id of ['RequirementsUpload', 'PluginsUpload', 'StartupScriptUpload']) {
    const upload = scope.node.tryFindChild(id);
    if (upload) {
      acknowledge(upload, each('IAMNoInlinePolicy', 'AwsCustomResource grants its function this inline policy: read the one staged asset, write the one object key, encrypt through S3.'));
    }
  }
  if (dagsDeployment) {
    const bucketDeploymentFunction = dagsDeployment.handlerRole.node.scope!;
    acknowledge(bucketDeploymentFunction, [
      ...functionFindings,
      ...each('IAMNoInlinePolicy', 'The inline policy BucketDeployment gives its function: read the staged DAGs, write the destination bucket.'),
      ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'].map(action =>
        iam5(`Action::${action}`, 'BucketDeployment grants its function read and write on the destination bucket and its key, to synchronise the DAG folder.')),
      iam5(`Resource::${findingName(scope, `${bucket.bucketArn}/*`)}`, 'BucketDeployment grants on the whole bucket; it writes and prunes only under the DAG folder.'),
      iam5(`Resource::${findingName(scope, dagsAsset!.bucket.arnForObjects('*'))}`, 'BucketDeployment reads the staged DAGs from the CDK assets bucket.'),
    ]);
  }
}