import * as fs from 'fs';
import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { REQUIREMENTS_CONSTRAINT } from './checks/requirements';
import { warnOnce } from './checks/rule';
import { recordPrunedDagFolder } from './private/dag-folder';
import { DagsDeploymentRole } from './private/dags-deployment-role';
import { isZipArchive, listFiles, pathKind, PinnedUpload, zipEntries } from './private/delivery';
import { DEFAULT_DAG_FOLDER, DEFAULT_KEYS, PLUGINS_MOUNT } from './private/mwaa';
import { acknowledge, COMPLIANCE_PACKS, findingName, iam5, inPacks } from './private/nag';
import { validateObjectVersion, validateOutsideDagFolder, validateS3Path } from './private/props-validation';
import { hasConstraint, parseRequirements } from './private/requirements';
import { MwaaWarnings } from './warnings';

/** Options of {@link DependencyFile.fromAsset}. */
export interface DependencyAssetOptions {
  /**
   * The key the file is uploaded to in the source bucket.
   *
   * @default - `requirements.txt`, `plugins.zip` or `startup.sh`, after the prop the file is given to
   */
  readonly key?: string;
}

/**
 * A requirements file, plugins archive or startup script of an environment: a local file uploaded
 * on every deployment, or an object version already in the source bucket.
 *
 * MWAA reads these files only at a pinned S3 object version. An uploaded file is pinned to the
 * version its upload created, read at deploy time, so a changed file updates the environment once
 * and an unchanged one not at all.
 *
 * @see https://docs.aws.amazon.com/mwaa/latest/userguide/working-dags-dependencies.html
 */
export class DependencyFile {
  /**
   * A local file to upload to the source bucket. For `plugins`, a folder (zipped at synth time) or a
   * `plugins.zip`; it may hold Python wheels that `requirements.txt` installs from
   * `/usr/local/airflow/plugins`, which is how an environment without internet access gets its
   * dependencies.
   *
   * @param path the local file, or for `plugins` a folder
   */
  public static fromAsset(path: string, options: DependencyAssetOptions = {}): DependencyFile {
    return new DependencyFile({ key: options.key, localPath: path });
  }

  /**
   * An object already in the source bucket, at one version.
   *
   * @param key the key of the object in the source bucket
   * @param objectVersion the S3 object version of that object the environment uses
   */
  public static fromBucket(key: string, objectVersion: string): DependencyFile {
    return new DependencyFile({ key, version: objectVersion });
  }

  /** @internal */
  public readonly _source: DependencySource;

  private constructor(source: DependencySource) {
    this._source = source;
  }
}

/** Options of {@link Dags.fromAsset}. */
export interface DagsAssetOptions {
  /**
   * The folder in the source bucket the DAGs are synchronised to.
   *
   * @default 'dags'
   */
  readonly folder?: string;

  /**
   * Whether the upload deletes objects under `folder` that are not in the local folder. Only objects
   * under `folder` are ever deleted. With pruning, DAGs people upload with `grantDagDeployment` (the
   * developer profile has it) are deleted by the next deployment; the environment warns
   * (`MwaaWarnings.PRUNED_DAG_FOLDER_WRITABLE`).
   *
   * @default true
   */
  readonly prune?: boolean;
}

/**
 * Where an environment's DAGs come from: a local folder synchronised to the source bucket on every
 * deployment, or a folder of the bucket that is deployed some other way.
 */
export class Dags {
  /**
   * A local folder of DAGs to synchronise to the DAG folder of the source bucket on every deployment.
   *
   * MWAA picks DAG changes up by itself within about a minute, so changing a DAG never updates the
   * environment resource. Python caches (`__pycache__`, `*.pyc`) are not uploaded.
   *
   * @param path the local folder of DAG files
   */
  public static fromAsset(path: string, options: DagsAssetOptions = {}): Dags {
    return new Dags({ folder: options.folder ?? DEFAULT_DAG_FOLDER, localPath: path, prune: options.prune ?? true });
  }

  /**
   * A folder of the source bucket whose DAGs are deployed another way (see `grantDagDeployment`).
   *
   * @param folder the folder in the source bucket; 'dags' when not given
   */
  public static fromBucket(folder?: string): Dags {
    return new Dags({ folder: folder ?? DEFAULT_DAG_FOLDER });
  }

  /** @internal */
  public readonly _source: DagsSource;

  private constructor(source: DagsSource) {
    this._source = source;
  }
}

/** Where a dependency file comes from: a key with a version, or a local path to upload. */
export interface DependencySource {
  readonly key?: string;
  readonly version?: string;
  readonly localPath?: string;
}

/** Where the DAGs go, and the local folder synchronised there. */
export interface DagsSource {
  readonly folder: string;
  readonly localPath?: string;
  readonly prune?: boolean;
}

/** What an environment is given to deliver. */
export interface DeliveryProps {
  readonly dags?: Dags;
  readonly requirements?: DependencyFile;
  readonly plugins?: DependencyFile;
  readonly startupScript?: DependencyFile;
}

/** Where the DAGs and each dependency file come from, checked. */
export interface DependencySources {
  readonly dags: DagsSource;
  readonly requirements: DependencySource;
  readonly plugins: DependencySource;
  readonly startupScript: DependencySource;
}

/** Works out and checks where the DAGs and the three dependency files come from. */
export function dependencySources(
  scope: Construct,
  props: DeliveryProps,
  noInternet: () => boolean,
  airflowVersion?: string,
  privateWebserver = false,
): DependencySources {
  const dags = dagsSource(props.dags);
  const requirements = dependencySource('requirements', DEFAULT_KEYS.requirements, props.requirements);
  const plugins = dependencySource('plugins', DEFAULT_KEYS.plugins, props.plugins);
  const startupScript = dependencySource('startupScript', DEFAULT_KEYS.startupScript, props.startupScript);
  for (const [prop, source] of [['requirements', requirements], ['plugins', plugins], ['startupScript', startupScript]] as const) {
    if (source.key !== undefined) {
      validateOutsideDagFolder(prop, source.key, dags.folder);
    }
  }
  if (requirements.localPath !== undefined) {
    checkRequirements(scope, requirements.localPath, plugins.localPath, plugins.key, noInternet(), airflowVersion, privateWebserver);
  }
  return { dags, requirements, plugins, startupScript };
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
export function deliver(scope: Construct, bucket: s3.IBucket, key: kms.IKey, sources: DependencySources): Delivery {
  const bucketKey = bucket.encryptionKey ?? key;
  let dagsAsset: s3assets.Asset | undefined;
  let dagsDeployment: s3deploy.BucketDeployment | undefined;
  const dags = sources.dags;
  if (dags.localPath !== undefined) {
    dagsAsset = new s3assets.Asset(scope, 'DagsAsset', { path: dags.localPath, exclude: ['__pycache__', '*.pyc'] });
    // A role limited to the DAG folder, instead of the one CDK creates with write access to the
    // whole bucket (including s3:DeleteObjectVersion on the pinned dependency files).
    const role = DagsDeploymentRole.of(scope);
    const folder = dags.folder.replace(/\/+$/, '');
    role.allowDagFolder(bucket, folder, bucketKey, dagsAsset);
    dagsDeployment = new s3deploy.BucketDeployment(scope, 'DagsDeployment', {
      sources: [s3deploy.Source.bucket(dagsAsset.bucket, dagsAsset.s3ObjectKey)],
      destinationBucket: bucket,
      destinationKeyPrefix: `${folder}/`,
      prune: dags.prune ?? true,
      retainOnDelete: true,
      role,
    });
    if (dags.prune ?? true) {
      recordPrunedDagFolder(scope, dags.folder);
    }
    if (dagsDeployment.handlerRole !== role) {
      // The stack's deployment function is a singleton: another BucketDeployment created it first,
      // with its own role, which this one then shares.
      throw new Error(`\`dags\`: Dags.fromAsset needs the deployment function CDK shares between the BucketDeployments of stack ${Stack.of(scope).stackName} to run as its DAG folder role, `
        + 'but another BucketDeployment of the stack created that function first, with a role that may write to the whole bucket. '
        + `Create the environment before the other BucketDeployment, or put it in another stack, got: ${dagsDeployment.handlerRole.node.path}`);
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
  acknowledgeDeliveryFunctions(scope, bucket, dagsDeployment, dags.folder.replace(/\/+$/, ''));
  return delivery;
}


/** Checks where the DAGs come from: a folder of the bucket, and a local folder to upload there. */
export function dagsSource(dags?: Dags): DagsSource {
  const source = dags?._source ?? { folder: DEFAULT_DAG_FOLDER };
  validateS3Path('dags', source.folder);
  if (source.localPath !== undefined) {
    const kind = pathKind(source.localPath);
    if (kind !== 'directory') {
      throw new Error(`\`dags\` must be an existing folder of DAG files, got: '${source.localPath}' (${kind === 'missing' ? 'not found' : 'a file'})`);
    }
  }
  return source;
}

/**
 * Checks where a dependency file comes from: a key and version given, or a local path to upload
 * (to the given key, else the default one).
 */
export function dependencySource(prop: 'requirements' | 'plugins' | 'startupScript', defaultKey: string, file?: DependencyFile): DependencySource {
  if (file === undefined) {
    return {};
  }
  const { key, version, localPath } = file._source;
  if (localPath === undefined) {
    validateS3Path(prop, key!);
    validateObjectVersion(prop, version!);
    return { key, version };
  }
  const uploadKey = key ?? defaultKey;
  validateS3Path(prop, uploadKey);
  const kind = pathKind(localPath);
  if (prop === 'plugins') {
    if (kind === 'missing') {
      throw new Error(`\`plugins\` must be an existing plugins folder or .zip file, got: '${localPath}' (not found)`);
    }
    if (kind === 'file' && (!localPath.toLowerCase().endsWith('.zip') || !isZipArchive(localPath))) {
      throw new Error(`\`plugins\` must be a plugins folder or a .zip file (MWAA reads plugins from a zip archive), got: '${localPath}'`);
    }
    const files = (kind === 'directory' ? listFiles(localPath) : zipEntries(localPath))?.filter(f => !f.endsWith('/') && !f.split('/').includes('__pycache__'));
    if (files !== undefined) {
      if (!files.some(f => f.endsWith('.py') || f.endsWith('.whl'))) {
        const sample = files.slice(0, 5).join(', ');
        throw new Error(`\`plugins\` must contain Python files (.py modules or .whl wheels) for MWAA to load, got: ${files.length} file(s)${sample ? ` (${sample}${files.length > 5 ? ', ...' : ''})` : ''} in '${localPath}'`);
      }
    }
  } else if (kind !== 'file') {
    throw new Error(`\`${prop}\` must be an existing file, got: '${localPath}' (${kind === 'missing' ? 'not found' : 'a folder'})`);
  }
  return { key: uploadKey, localPath };
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
  airflowVersion?: string,
  privateWebserver = false,
): void {
  const summary = parseRequirements(fs.readFileSync(localPath, 'utf-8'));
  // Apache Airflow's constraints files are published per release, constraints-<version>/...
  // https://docs.aws.amazon.com/mwaa/latest/userguide/connections-packages.html
  const otherVersions = summary.constraints.filter(c => {
    const version = /constraints-(\d+\.\d+\.\d+)/.exec(c)?.[1];
    return version !== undefined && airflowVersion !== undefined && !Token.isUnresolved(airflowVersion) && version !== airflowVersion;
  });
  if (otherVersions.length > 0) {
    Annotations.of(scope).addWarningV2(MwaaWarnings.CONSTRAINTS_VERSION,
      `\`requirements\`: its constraints file is for another Airflow version than \`airflowVersion\` ${airflowVersion}, so pip may install provider versions that do not match the environment's Airflow; use the constraints of ${airflowVersion}, or acknowledge this warning (got: ${otherVersions.join(', ')}).`);
  }
  if (!hasConstraint(summary)) {
    warnOnce(scope, REQUIREMENTS_CONSTRAINT,
      `\`requirements\` has no '--constraint' line; from Airflow 2.7.2 MWAA expects one, or pip may install versions that break Airflow (got: '${localPath}').`);
  }
  if (summary.pluginReferences.length > 0) {
    if (pluginsKey === undefined) {
      throw new Error(`\`requirements\` installs files from ${PLUGINS_MOUNT} but the environment has no plugins (set \`plugins\`), got: ${summary.pluginReferences.join(', ')}`);
    }
    const kind = pluginsLocalPath === undefined ? 'missing' : pathKind(pluginsLocalPath);
    const contents = kind === 'directory' ? listFiles(pluginsLocalPath!) : kind === 'file' ? zipEntries(pluginsLocalPath!) : undefined;
    if (contents !== undefined) {
      const present = new Set(contents);
      const missing = summary.pluginReferences.filter(f => f !== '.' && !present.has(f));
      if (missing.length > 0) {
        throw new Error(`\`requirements\` refers to files under ${PLUGINS_MOUNT} that \`plugins\` does not contain, got: ${missing.join(', ')} missing from '${pluginsLocalPath}'`);
      }
    }
  }
  // A private web server installs the requirements too, without internet access, even when the
  // workers have it: AWS recommends shipping the libraries as wheels for a private web server.
  // https://docs.aws.amazon.com/mwaa/latest/userguide/connections-packages.html
  // https://docs.aws.amazon.com/mwaa/latest/userguide/best-practices-dependencies.html#best-practices-dependencies-python-wheels
  if (noInternet || privateWebserver) {
    const where = noInternet ? 'the environment\'s subnets have no internet route'
      : 'the web server is private (PRIVATE_ONLY) and installs the requirements too, without internet access (AWS recommends wheels for a private web server)';
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
        `\`requirements\`: ${where}, but ${problems.join(' and ')}. Ship wheels and the constraints file in plugins and use '--no-index' with '--find-links ${PLUGINS_MOUNT}', or add an '--index-url' reachable from the VPC (got: '${localPath}').`);
    }
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
  dagsFolder?: string,
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
    // The stack's singleton deployment function, and the DAG folder role it runs as.
    const bucketDeploymentFunction = stack.node.children.find(c => c instanceof lambda.Function && c.role === dagsDeployment.handlerRole);
    if (bucketDeploymentFunction) {
      acknowledge(bucketDeploymentFunction, functionFindings.filter(f => !f.id.startsWith('AwsSolutions-IAM4')));
    }
    acknowledge(dagsDeployment.handlerRole, [
      functionFindings[0],
      ...each('IAMNoInlinePolicy', 'The DAG folder role\'s own policy: read the staged DAGs, write and prune the DAG folder, encrypt through S3.'),
      iam5(`Resource::${findingName(scope, bucket.arnForObjects(`${dagsFolder}/*`))}`,
        'Synchronising the DAG folder: put, read and delete (not delete versions of) the objects under it only.'),
    ]);
  }
}
