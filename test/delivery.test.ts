import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { Annotations as CoreAnnotations, App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Dags, DependencyFile, PrivateMwaaEnvironment, PrivateMwaaEnvironmentProps, WebserverAccessMode } from '../src';
import { PINNED_REQUIREMENTS, sampleProject, writeTree, writeZip } from './support/files';
import { ACCOUNT, newVpc, REGION } from './support/fixtures';
import { resolveIntrinsics } from './support/resolve-template';
import { isZipArchive, listFiles, pathKind, zipEntries } from '../src/private/delivery';

/**
 * DAGs, requirements, plugins and the startup script delivered from local paths: what is
 * synthesized, what a change to one file changes, the permissions of the upload, and the checks
 * on what is delivered.
 */

type Props = Omit<PrivateMwaaEnvironmentProps, 'environmentName' | 'vpc'>;

interface Built {
  readonly app: App;
  readonly stack: Stack;
  readonly env: PrivateMwaaEnvironment;
  readonly template: Template;
  readonly outdir: string;
}

/** Everything delivered from a project folder made by `sampleProject`. */
function fromProject(root: string): Props {
  return {
    dags: Dags.fromAsset(path.join(root, 'dags')),
    requirements: DependencyFile.fromAsset(path.join(root, 'requirements.txt')),
    plugins: DependencyFile.fromAsset(path.join(root, 'plugins')),
    startupScript: DependencyFile.fromAsset(path.join(root, 'startup.sh')),
    airflowConfigurationOptions: { 'core.lazy_load_plugins': 'False' },
  };
}

function build(props: Props, options: { isolated?: boolean; importedBucket?: boolean } = {}): Built {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mwaa-out-'));
  const app = new App({ outdir });
  const stack = new Stack(app, 'TestStack', { env: { account: ACCOUNT, region: REGION } });
  const vpc = options.isolated
    ? new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] })
    : newVpc(stack);
  const sourceBucket = options.importedBucket ? s3.Bucket.fromBucketName(stack, 'TeamBucket', 'team-airflow-dags') : undefined;
  const env = new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'test-env', vpc, sourceBucket, ...props });
  return { app, stack, env, template: Template.fromStack(stack), outdir };
}

/** The logical id of the resource at a construct path under the environment. */
function logicalId(built: Built, ...pathUnderEnv: string[]): string {
  let node = built.env.node;
  for (const id of pathUnderEnv) {
    node = node.findChild(id).node;
  }
  const resource = (node.defaultChild ?? node.findChild('Resource').node.defaultChild) as any;
  return built.stack.getLogicalId(resource);
}

/**
 * The SDK call a `Custom::AWS` resource makes on create, with every intrinsic replaced by a
 * readable placeholder (`<Ref:Id>`, `<Sub:...>`), parsed.
 */
function sdkCall(built: Built, uploadId: string, phase: 'Create' | 'Update' = 'Create'): any {
  const resource = built.template.toJSON().Resources[logicalId(built, uploadId, 'Copy', 'Resource')];
  const value = resource.Properties[phase];
  const render = (part: any): string => {
    if (typeof part === 'string') {
      return part;
    }
    if (part.Ref) {
      return `<Ref:${part.Ref}>`;
    }
    if (part['Fn::Sub']) {
      return `<Sub:${part['Fn::Sub']}>`;
    }
    throw new Error(`unexpected part ${JSON.stringify(part)}`);
  };
  const text = typeof value === 'string' ? value : (value['Fn::Join'][1] as any[]).map(render).join('');
  return JSON.parse(text);
}

/** The logical ids whose resource differs between two templates (added, removed or changed). */
function changedResources(a: Template, b: Template): string[] {
  const [ra, rb] = [a.toJSON().Resources, b.toJSON().Resources];
  const ids = new Set([...Object.keys(ra), ...Object.keys(rb)]);
  return [...ids].filter(id => JSON.stringify(ra[id]) !== JSON.stringify(rb[id])).sort();
}

function environmentOf(built: Built): any {
  return built.template.toJSON().Resources[logicalId(built)];
}

function copyTree(root: string): string {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'mwaa-copy-'));
  fs.cpSync(root, copy, { recursive: true });
  return copy;
}

describe('requirements, plugins and the startup script are pinned to the version uploaded', () => {
  const root = sampleProject();
  const built = build(fromProject(root));
  const env = environmentOf(built);

  // What the README says of the upload functions: the three copies run in CDK's one AwsCustomResource
  // function of the stack, so its one role holds the statements of all three (not one role each).
  test('the three copies share one function and one role, which may write exactly the three keys', () => {
    const resources = built.template.toJSON().Resources;
    const copies = Object.values<any>(resources).filter(r => r.Type === 'Custom::AWS');
    expect(copies).toHaveLength(3);
    const tokens = new Set(copies.map(r => JSON.stringify(r.Properties.ServiceToken)));
    expect(tokens.size).toBe(1);
    const functionId = copies[0].Properties.ServiceToken['Fn::GetAtt'][0];
    const roleId = resources[functionId].Properties.Role['Fn::GetAtt'][0];
    const statements = Object.values<any>(resources)
      .filter(r => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap(r => r.Properties.PolicyDocument.Statement);
    const writes = statements.filter(s => s.Action === 's3:PutObject').map(s => s.Resource['Fn::Join'][1][1]).sort();
    expect(writes).toEqual(['/plugins.zip', '/requirements.txt', '/startup.sh']);
    expect(statements.filter(s => s.Action === 's3:GetObject')).toHaveLength(3);
  });

  test.each([
    ['RequirementsUpload', 'Requirements', 'requirements.txt'],
    ['PluginsUpload', 'Plugins', 'plugins.zip'],
    ['StartupScriptUpload', 'StartupScript', 'startup.sh'],
  ])('%s puts the file at its key and the environment reads the version S3 gave it', (uploadId, property, key) => {
    const copyId = logicalId(built, uploadId, 'Copy', 'Resource');
    expect(env.Properties[`${property}S3Path`]).toBe(key);
    expect(env.Properties[`${property}S3ObjectVersion`]).toEqual({ 'Fn::GetAtt': [copyId, 'VersionId'] });
    const call = sdkCall(built, uploadId);
    expect(call).toMatchObject({
      service: 'S3',
      action: 'copyObject',
      parameters: { Bucket: `<Ref:${logicalId(built, 'SourceBucket')}>`, Key: key, TaggingDirective: 'REPLACE' },
      physicalResourceId: { responsePath: 'VersionId' },
      outputPaths: ['VersionId'],
    });
    expect(call.parameters.CopySource).toMatch(new RegExp(`^cdk-hnb659fds-assets-${ACCOUNT}-${REGION}/[0-9a-f]{64}\\.${key.split('.').pop()}$`));
    // An update copies again (a new version); a delete leaves every version in place.
    expect(sdkCall(built, uploadId, 'Update')).toEqual(call);
    expect(built.template.toJSON().Resources[copyId].Properties.Delete).toBeUndefined();
  });

  test('the staged requirements asset is the local file, byte for byte', () => {
    const key: string = sdkCall(built, 'RequirementsUpload').parameters.CopySource.split('/').pop();
    const staged = path.join(built.outdir, `asset.${key}`);
    expect(fs.readFileSync(staged, 'utf-8')).toBe(fs.readFileSync(path.join(root, 'requirements.txt'), 'utf-8'));
  });

  test('a plugins folder is zipped with its contents at the root of the archive', () => {
    const key: string = sdkCall(built, 'PluginsUpload').parameters.CopySource.split('/').pop();
    expect(key).toMatch(/\.zip$/);
    const hash = key.replace(/\.zip$/, '');
    const manifest = JSON.parse(fs.readFileSync(path.join(built.outdir, 'TestStack.assets.json'), 'utf-8'));
    expect(manifest.files[hash].source.packaging).toBe('zip');
    const staged = path.join(built.outdir, manifest.files[hash].source.path);
    expect(fs.existsSync(path.join(staged, 'operators', 'custom.py'))).toBe(true);
    expect(fs.existsSync(path.join(staged, 'wheels', 'tool-1.0-py3-none-any.whl'))).toBe(true);
  });

  test('a plugins.zip is uploaded as it is', () => {
    const zipped = build({ plugins: DependencyFile.fromAsset(writeZip({ 'operators/custom.py': 'class CustomOperator: ...\n' })), airflowConfigurationOptions: { 'core.lazy_load_plugins': 'False' } });
    const key: string = sdkCall(zipped, 'PluginsUpload').parameters.CopySource.split('/').pop();
    const manifest = JSON.parse(fs.readFileSync(path.join(zipped.outdir, 'TestStack.assets.json'), 'utf-8'));
    expect(manifest.files[key.replace(/\.zip$/, '')].source.packaging).toBe('file');
  });

  test('a key given with a local path is where the file goes', () => {
    const custom = build({ ...fromProject(root), requirements: DependencyFile.fromAsset(path.join(root, 'requirements.txt'), { key: 'deps/requirements.txt' }) });
    expect(sdkCall(custom, 'RequirementsUpload').parameters.Key).toBe('deps/requirements.txt');
    expect(environmentOf(custom).Properties.RequirementsS3Path).toBe('deps/requirements.txt');
  });

  test('the versions are exposed for use elsewhere', () => {
    const resolve = (value?: string) => built.stack.resolve(value);
    expect(resolve(built.env.requirementsS3ObjectVersion)).toEqual(env.Properties.RequirementsS3ObjectVersion);
    expect(resolve(built.env.pluginsS3ObjectVersion)).toEqual(env.Properties.PluginsS3ObjectVersion);
    expect(resolve(built.env.startupScriptS3ObjectVersion)).toEqual(env.Properties.StartupScriptS3ObjectVersion);
  });

  test('without local paths nothing is uploaded', () => {
    const plain = build({});
    plain.template.resourceCountIs('Custom::AWS', 0);
    plain.template.resourceCountIs('Custom::CDKBucketDeployment', 0);
    expect(plain.env.dagsDeployment).toBeUndefined();
  });
});

describe('DAGs are synchronised to the DAG folder', () => {
  const root = sampleProject({ 'dags/__pycache__/etl.cpython-312.pyc': 'bytecode', 'dags/old.pyc': 'bytecode' });

  test('to the DAG folder, pruning only there, keeping files when the stack goes', () => {
    const built = build(fromProject(root));
    built.template.hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketName: { Ref: logicalId(built, 'SourceBucket') },
      DestinationBucketKeyPrefix: 'dags/',
      Prune: true,
    });
    const deployment = Object.values<any>(built.template.findResources('Custom::CDKBucketDeployment'))[0];
    expect(deployment.Properties.RetainOnDelete).toBe(true);
  });

  test('to a custom folder, and without pruning when asked', () => {
    const built = build({ ...fromProject(root), dags: Dags.fromAsset(path.join(root, 'dags'), { folder: 'airflow/dags/', prune: false }) });
    built.template.hasResourceProperties('Custom::CDKBucketDeployment', { DestinationBucketKeyPrefix: 'airflow/dags/', Prune: false });
  });

  /** The DAG deployment role's statements, resolved to the ARNs AWS would give, for the simulator. */
  function dagRolePolicy(built: Built, bucketName: string): any {
    const role = built.env.dagsDeployment!.handlerRole;
    const roleId = built.stack.getLogicalId(role.node.defaultChild as any);
    const policies = Object.values<any>(built.template.findResources('AWS::IAM::Policy'))
      .filter(p => p.Properties.Roles.some((r: any) => r.Ref === roleId));
    expect(policies).toHaveLength(1);
    const bucketId = built.env.sourceBucket.node.defaultChild ? built.stack.getLogicalId(built.env.sourceBucket.node.defaultChild as any) : 'none';
    return resolveIntrinsics(policies[0].Properties.PolicyDocument, {
      account: ACCOUNT,
      region: REGION,
      refs: { [bucketId]: bucketName },
      arns: { [bucketId]: `arn:aws:s3:::${bucketName}`, [logicalId(built, 'Key')]: DAG_KEY },
    });
  }
  const DAG_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

  async function asDagDeployment(policy: any, action: string, resource: string, context: { [key: string]: string } = {}): Promise<string> {
    const response = await runSimulation({
      identityPolicies: [{ name: 'DagsDeploymentRole', policy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: resource.startsWith('arn:aws:kms:')
        ? { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }] }
        : undefined,
      request: {
        principal: `arn:aws:sts::${ACCOUNT}:assumed-role/dags-deployment/fn`,
        action,
        resource: { resource, accountId: resource.startsWith('arn:aws:s3') ? ACCOUNT : resource.split(':')[4] },
        contextVariables: context,
      },
    }, {});
    if (response.resultType === 'error') {
      throw new Error(JSON.stringify(response.errors));
    }
    return response.overallResult;
  }

  describe.each([
    ['a created bucket', false, 'created-bucket'],
    ['an imported bucket', true, 'team-airflow-dags'],
  ])('the DAG sync into %s runs as a role confined to the DAG folder', (_name, importedBucket, bucketName) => {
    const built = build({ dags: Dags.fromAsset(path.join(root, 'dags'), { folder: 'airflow/dags' }) }, { importedBucket });
    const policy = dagRolePolicy(built, bucketName);
    const object = (key: string) => `arn:aws:s3:::${bucketName}/${key}`;
    const viaS3 = { 'kms:ViaService': `s3.${REGION}.amazonaws.com` };
    test.each([
      ['put a DAG', 's3:PutObject', object('airflow/dags/etl.py'), {}, 'Allowed'],
      ['delete (prune) a DAG', 's3:DeleteObject', object('airflow/dags/old.py'), {}, 'Allowed'],
      ['list the DAG folder', 's3:ListBucket', `arn:aws:s3:::${bucketName}`, { 's3:prefix': 'airflow/dags/' }, 'Allowed'],
      ['encrypt a new DAG through S3', 'kms:GenerateDataKey', DAG_KEY, viaS3, 'Allowed'],
      ['decrypt (multipart upload) through S3', 'kms:Decrypt', DAG_KEY, viaS3, 'Allowed'],
      ['delete an object version of a DAG', 's3:DeleteObjectVersion', object('airflow/dags/etl.py'), {}, 'ImplicitlyDenied'],
      ['delete a version of requirements.txt', 's3:DeleteObjectVersion', object('requirements.txt'), {}, 'ImplicitlyDenied'],
      ['overwrite requirements.txt', 's3:PutObject', object('requirements.txt'), {}, 'ImplicitlyDenied'],
      ['overwrite the startup script', 's3:PutObject', object('startup.sh'), {}, 'ImplicitlyDenied'],
      ['delete plugins.zip', 's3:DeleteObject', object('plugins.zip'), {}, 'ImplicitlyDenied'],
      ['write next to the DAG folder', 's3:PutObject', object('airflow/dags-old/etl.py'), {}, 'ImplicitlyDenied'],
      ['list the whole bucket', 's3:ListBucket', `arn:aws:s3:::${bucketName}`, { 's3:prefix': '' }, 'ImplicitlyDenied'],
      ['change the bucket policy', 's3:PutBucketPolicy', `arn:aws:s3:::${bucketName}`, {}, 'ImplicitlyDenied'],
      ['use the key directly', 'kms:Decrypt', DAG_KEY, {}, 'ImplicitlyDenied'],
      ['use the key through SQS', 'kms:Decrypt', DAG_KEY, { 'kms:ViaService': `sqs.${REGION}.amazonaws.com` }, 'ImplicitlyDenied'],
      ['re-encrypt with the key', 'kms:ReEncryptFrom', DAG_KEY, viaS3, 'ImplicitlyDenied'],
    ])('%s', async (_what, action, resource, context, expected) => {
      expect(await asDagDeployment(policy, action, resource, context as { [key: string]: string })).toBe(expected);
    });

    test('reads the staged DAG archive and no other asset', async () => {
      const asset = policy.Statement.find((st: any) => st.Action === 's3:GetObject' && String(st.Resource).includes('cdk-hnb659fds-assets'));
      expect(asset.Resource).toMatch(new RegExp(`^arn:aws:s3:::cdk-hnb659fds-assets-${ACCOUNT}-${REGION}/[0-9a-f]{64}\\.zip$`));
      expect(await asDagDeployment(policy, 's3:GetObject', asset.Resource)).toBe('Allowed');
      expect(await asDagDeployment(policy, 's3:GetObject', `arn:aws:s3:::cdk-hnb659fds-assets-${ACCOUNT}-${REGION}/other.zip`)).toBe('ImplicitlyDenied');
    });

    test('the bucket policy and the key policy grant the role nothing', () => {
      const roleId = built.stack.getLogicalId(built.env.dagsDeployment!.handlerRole.node.defaultChild as any);
      const resourcePolicies = [
        ...Object.values<any>(built.template.findResources('AWS::S3::BucketPolicy')).map(p => p.Properties.PolicyDocument),
        ...Object.values<any>(built.template.findResources('AWS::KMS::Key')).map(k => k.Properties.KeyPolicy),
      ];
      expect(JSON.stringify(resourcePolicies)).not.toContain(roleId);
    });
  });

  test('two environments of one stack share the DAG folder role, each folder named', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'mwaa-out-')) });
    const stack = new Stack(app, 'TwoStack', { env: { account: ACCOUNT, region: REGION } });
    const vpc = newVpc(stack);
    const a = new PrivateMwaaEnvironment(stack, 'A', { environmentName: 'env-a', vpc, dags: Dags.fromAsset(path.join(root, 'dags')) });
    const b = new PrivateMwaaEnvironment(stack, 'B', { environmentName: 'env-b', vpc, dags: Dags.fromAsset(path.join(root, 'dags'), { folder: 'team/dags' }) });
    expect(a.dagsDeployment!.handlerRole).toBe(b.dagsDeployment!.handlerRole);
    const roleId = stack.getLogicalId(a.dagsDeployment!.handlerRole.node.defaultChild as any);
    const statements = Object.values<any>(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
      .filter(p => p.Properties.Roles.some((r: any) => r.Ref === roleId)).flatMap(p => p.Properties.PolicyDocument.Statement);
    const writes = statements.filter((st: any) => JSON.stringify(st.Action).includes('s3:PutObject')).map((st: any) => JSON.stringify(st.Resource));
    expect(writes).toHaveLength(2);
    expect(writes.some(w => w.includes('/dags/*'))).toBe(true);
    expect(writes.some(w => w.includes('/team/dags/*'))).toBe(true);
    expect(JSON.stringify(statements)).not.toContain('s3:DeleteObject*');
  });

  test('a BucketDeployment of the stack created before the environment: the DAG sync fails, naming the fix', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'mwaa-out-')) });
    const stack = new Stack(app, 'SharedStack', { env: { account: ACCOUNT, region: REGION } });
    const website = new s3.Bucket(stack, 'Website');
    new s3deploy.BucketDeployment(stack, 'Site', { sources: [s3deploy.Source.data('index.html', 'hello')], destinationBucket: website });
    expect(() => new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'test-env', vpc: newVpc(stack), dags: Dags.fromAsset(path.join(root, 'dags')) }))
      .toThrow(/^`dags`: Dags\.fromAsset needs the deployment function CDK shares between the BucketDeployments of stack SharedStack to run as its DAG folder role, .*Create the environment before the other BucketDeployment, or put it in another stack, got: SharedStack\/Custom::CDKBucketDeployment[0-9A-F]+\/ServiceRole$/);
  });

  test('Python caches stay behind', () => {
    const built = build(fromProject(root));
    const manifest = JSON.parse(fs.readFileSync(path.join(built.outdir, 'TestStack.assets.json'), 'utf-8'));
    const dagAsset = Object.values<any>(manifest.files).find(f => fs.existsSync(path.join(built.outdir, f.source.path, 'etl.py')));
    const staged = path.join(built.outdir, dagAsset.source.path);
    expect(fs.readdirSync(staged).sort()).toEqual(['etl.py', 'reports']);
  });
});

describe('DAGs and dependency files already in the bucket', () => {
  test('Dags.fromBucket names the DAG folder and uploads nothing', () => {
    const built = build({ dags: Dags.fromBucket('airflow/dags/') });
    expect(environmentOf(built).Properties.DagS3Path).toBe('airflow/dags/');
    built.template.resourceCountIs('Custom::CDKBucketDeployment', 0);
    expect(built.env.dagsDeployment).toBeUndefined();
  });

  test('Dags.fromBucket() is the folder dags, as when no DAG source is given', () => {
    const named = build({ dags: Dags.fromBucket() });
    expect(environmentOf(named).Properties.DagS3Path).toBe('dags');
    expect(changedResources(named.template, build({}).template)).toEqual([]);
  });

  test('DependencyFile.fromBucket gives the environment the key and version, uploading nothing', () => {
    const built = build({
      requirements: DependencyFile.fromBucket('deps/requirements.txt', 'req-v7'),
      plugins: DependencyFile.fromBucket('deps/plugins.zip', 'plug-v7'),
      startupScript: DependencyFile.fromBucket('deps/startup.sh', 'start-v7'),
      airflowConfigurationOptions: { 'core.lazy_load_plugins': 'False' },
    });
    expect(environmentOf(built).Properties).toMatchObject({
      RequirementsS3Path: 'deps/requirements.txt',
      RequirementsS3ObjectVersion: 'req-v7',
      PluginsS3Path: 'deps/plugins.zip',
      PluginsS3ObjectVersion: 'plug-v7',
      StartupScriptS3Path: 'deps/startup.sh',
      StartupScriptS3ObjectVersion: 'start-v7',
    });
    expect([built.env.requirementsS3ObjectVersion, built.env.pluginsS3ObjectVersion, built.env.startupScriptS3ObjectVersion])
      .toEqual(['req-v7', 'plug-v7', 'start-v7']);
    built.template.resourceCountIs('Custom::AWS', 0);
  });

  test('the DAG folder of an upload is checked like one in the bucket', () => {
    expect(() => build({ dags: Dags.fromAsset(path.join(sampleProject(), 'dags'), { folder: '/dags' }) }))
      .toThrow("`dags` must be a key relative to the source bucket, 1 to 1,024 characters, without a leading '/' or 's3://', got: '/dags'");
  });
});

describe('what a change to one file changes', () => {
  test('nothing, when nothing changed', () => {
    const root = sampleProject();
    expect(changedResources(build(fromProject(root)).template, build(fromProject(copyTree(root))).template)).toEqual([]);
  });

  test('a DAG change changes the DAG deployment and not the environment', () => {
    const root = sampleProject();
    const before = build(fromProject(root));
    const changed = copyTree(root);
    fs.writeFileSync(path.join(changed, 'dags', 'etl.py'), 'from airflow import DAG  # now with a schedule\n');
    const after = build(fromProject(changed));
    const deploymentId = logicalId(before, 'DagsDeployment', 'CustomResource');
    // The deployment runs again, and its role reads the new staged archive (and no other).
    const rolePolicyId = before.stack.getLogicalId(before.stack.node.findChild('PrivateMwaaDagsDeploymentRole').node.findChild('DefaultPolicy').node.defaultChild as any);
    expect(changedResources(before.template, after.template)).toEqual([deploymentId, rolePolicyId].sort());
    expect(environmentOf(after)).toEqual(environmentOf(before));
  });

  test.each([
    ['requirements.txt', 'RequirementsUpload', 'RequirementsS3ObjectVersion', `${PINNED_REQUIREMENTS}apache-airflow-providers-slack\n`],
    ['plugins/operators/custom.py', 'PluginsUpload', 'PluginsS3ObjectVersion', 'class CustomOperator:\n    retries = 3\n'],
    ['startup.sh', 'StartupScriptUpload', 'StartupScriptS3ObjectVersion', '#!/bin/sh\nexport ENVIRONMENT_STAGE=prod\n'],
  ])('a change to %s changes one upload, which the environment reads its version from', (file, uploadId, property, content) => {
    const root = sampleProject();
    const before = build(fromProject(root));
    const changed = copyTree(root);
    fs.writeFileSync(path.join(changed, file), content);
    const after = build(fromProject(changed));
    const copyId = logicalId(before, uploadId, 'Copy', 'Resource');
    const policyId = logicalId(before, uploadId, 'Copy', 'CustomResourcePolicy');
    // The copy runs again (one new object version) and its policy names the new staged asset.
    expect(changedResources(before.template, after.template)).toEqual([copyId, policyId].sort());
    expect(sdkCall(after, uploadId).parameters.CopySource).not.toEqual(sdkCall(before, uploadId).parameters.CopySource);
    // The environment's own properties are the same reference, so it updates once, with the new version.
    expect(environmentOf(after)).toEqual(environmentOf(before));
    expect(environmentOf(after).Properties[property]).toEqual({ 'Fn::GetAtt': [copyId, 'VersionId'] });
  });
});

describe('the upload may write its one object and nothing else', () => {
  const BUCKET = 'test-env-source-bucket';
  const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
  const ASSETS = `cdk-hnb659fds-assets-${ACCOUNT}-${REGION}`;
  const built = build(fromProject(sampleProject()));
  const policyId = logicalId(built, 'RequirementsUpload', 'Copy', 'CustomResourcePolicy');
  const bucketId = logicalId(built, 'SourceBucket');
  const keyId = logicalId(built, 'Key');
  const document = resolveIntrinsics(built.template.toJSON().Resources[policyId].Properties.PolicyDocument, {
    account: ACCOUNT,
    region: REGION,
    refs: { [bucketId]: BUCKET },
    arns: { [bucketId]: `arn:aws:s3:::${BUCKET}`, [keyId]: KEY_ARN },
  });
  // KMS reads the key policy first: the key the construct creates delegates to IAM policies in its account.
  const keyPolicy = resolveIntrinsics(built.template.toJSON().Resources[keyId].Properties.KeyPolicy, {
    account: ACCOUNT,
    region: REGION,
    refs: {},
    arns: {},
  });
  const stagedKey: string = sdkCall(built, 'RequirementsUpload').parameters.CopySource.split('/').pop();
  const viaS3 = { 'kms:ViaService': `s3.${REGION}.amazonaws.com` };

  async function call(action: string, resource: string, context: { [key: string]: string } = {}): Promise<string> {
    const response = await runSimulation({
      identityPolicies: [{ name: 'UploadPolicy', policy: document }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: resource.startsWith('arn:aws:kms:') ? keyPolicy : undefined,
      request: {
        principal: `arn:aws:iam::${ACCOUNT}:role/UploadFunctionRole`,
        action,
        resource: { resource, accountId: ACCOUNT },
        contextVariables: context,
      },
    }, {});
    if (response.resultType === 'error') {
      throw new Error(JSON.stringify(response.errors));
    }
    return response.overallResult;
  }

  test('its statements are the three named ones, and the function uses the SDK of its runtime (no download at deploy time)', () => {
    expect(document.Statement.map((st: any) => st.Sid)).toEqual(['ReadStagedAsset', 'WriteThisObjectOnly', 'EncryptThroughS3']);
    const copy = built.template.toJSON().Resources[logicalId(built, 'RequirementsUpload', 'Copy', 'Resource')];
    expect(copy.Properties.InstallLatestAwsSdk).toBe(false);
  });

  test.each([
    ['read the staged requirements asset', 's3:GetObject', `arn:aws:s3:::${ASSETS}/${stagedKey}`, {}],
    ['write requirements.txt', 's3:PutObject', `arn:aws:s3:::${BUCKET}/requirements.txt`, {}],
    ['generate a data key through S3', 'kms:GenerateDataKey', KEY_ARN, viaS3],
  ])('may %s', async (_name, action, resource, context) => {
    expect(await call(action, resource, context)).toBe('Allowed');
  });

  test.each([
    ['read another staged asset', 's3:GetObject', `arn:aws:s3:::${ASSETS}/${'0'.repeat(64)}.zip`, {}],
    ['write into the assets bucket', 's3:PutObject', `arn:aws:s3:::${ASSETS}/${stagedKey}`, {}],
    ['write a DAG', 's3:PutObject', `arn:aws:s3:::${BUCKET}/dags/etl.py`, {}],
    ['write plugins.zip', 's3:PutObject', `arn:aws:s3:::${BUCKET}/plugins.zip`, {}],
    ['write requirements.txt of another bucket', 's3:PutObject', 'arn:aws:s3:::another-bucket/requirements.txt', {}],
    ['delete requirements.txt', 's3:DeleteObject', `arn:aws:s3:::${BUCKET}/requirements.txt`, {}],
    ['read requirements.txt back', 's3:GetObject', `arn:aws:s3:::${BUCKET}/requirements.txt`, {}],
    ['decrypt with the key', 'kms:Decrypt', KEY_ARN, viaS3],
    ['generate a data key directly', 'kms:GenerateDataKey', KEY_ARN, {}],
    ['generate a data key through SQS', 'kms:GenerateDataKey', KEY_ARN, { 'kms:ViaService': `sqs.${REGION}.amazonaws.com` }],
  ])('may not %s', async (_name, action, resource, context) => {
    expect(await call(action, resource, context)).not.toBe('Allowed');
  });
});

describe('bad delivery input fails at synth', () => {
  const root = sampleProject({
    'notes/README.md': 'no python here\n',
    'notes/data.csv': 'a,b\n',
    'plugins.tar.gz': 'not a zip',
    'fake/plugins.zip': 'a text file with a .zip name',
  });
  const wheelZip = writeZip({ 'wheels/tool-1.0-py3-none-any.whl': 'wheel', 'constraints.txt': 'apache-airflow==3.0.6\n' });
  const cases: Array<[string, () => Props, RegExp]> = [
    ['a missing DAG folder', () => ({ dags: Dags.fromAsset(path.join(root, 'nope')) }), /`dags` must be an existing folder.*got: '.*nope' \(not found\)/],
    ['a DAG "folder" that is a file', () => ({ dags: Dags.fromAsset(path.join(root, 'startup.sh')) }), /`dags` must be an existing folder.*\(a file\)/],
    ['a missing requirements file', () => ({ requirements: DependencyFile.fromAsset(path.join(root, 'missing.txt')) }), /`requirements` must be an existing file, got: '.*missing\.txt' \(not found\)/],
    ['a requirements folder', () => ({ requirements: DependencyFile.fromAsset(path.join(root, 'dags')) }), /`requirements` must be an existing file.*\(a folder\)/],
    ['a missing startup script', () => ({ startupScript: DependencyFile.fromAsset(path.join(root, 'missing.sh')) }), /`startupScript` must be an existing file/],
    ['a requirements path outside the bucket', () => ({ requirements: DependencyFile.fromAsset(path.join(root, 'requirements.txt'), { key: 's3://other-bucket/requirements.txt' }) }),
      /`requirements` must be a key relative to the source bucket.*got: 's3:\/\/other-bucket\/requirements\.txt'/],
    ['a missing plugins path', () => ({ plugins: DependencyFile.fromAsset(path.join(root, 'gone')) }), /`plugins` must be an existing plugins folder or \.zip file, got: '.*gone' \(not found\)/],
    ['a plugins archive that is not a zip', () => ({ plugins: DependencyFile.fromAsset(path.join(root, 'plugins.tar.gz')) }), /`plugins` must be a plugins folder or a \.zip file.*got: '.*plugins\.tar\.gz'/],
    ['a plugins folder without Python files', () => ({ plugins: DependencyFile.fromAsset(path.join(root, 'notes')) }),
      /`plugins` must contain Python files \(\.py modules or \.whl wheels\).*got: 2 file\(s\) \(README\.md, data\.csv\)/],
    ['a .zip name on a file that is not a zip archive', () => ({ plugins: DependencyFile.fromAsset(path.join(root, 'fake', 'plugins.zip')) }),
      /`plugins` must be a plugins folder or a \.zip file.*got: '.*fake\/plugins\.zip'/],
    ['a plugins.zip without Python files', () => ({ plugins: DependencyFile.fromAsset(writeZip({ 'docs/README.md': 'hello', 'docs/': '' })) }),
      /`plugins` must contain Python files.*got: 1 file\(s\) \(docs\/README\.md\)/],
    ['requirements taking a wheel the plugins.zip lacks', () => ({
      requirements: DependencyFile.fromAsset(writeRequirements('-c /usr/local/airflow/plugins/constraints.txt\n/usr/local/airflow/plugins/wheels/other-1.0-py3-none-any.whl\n')),
      plugins: DependencyFile.fromAsset(wheelZip),
    }), /`plugins` does not contain, got: wheels\/other-1\.0-py3-none-any\.whl missing from '.*plugins\.zip'/],
    ['requirements taking a wheel the plugins folder lacks', () => ({
      requirements: DependencyFile.fromAsset(writeRequirements('-c /usr/local/airflow/plugins/constraints.txt\n/usr/local/airflow/plugins/wheels/missing-2.0-py3-none-any.whl\n')),
      plugins: DependencyFile.fromAsset(path.join(root, 'plugins')),
    }), /`requirements` refers to files under \/usr\/local\/airflow\/plugins that `plugins` does not contain, got: constraints\.txt, wheels\/missing-2\.0-py3-none-any\.whl missing/],
    ['requirements taking a wheel with no plugins at all', () => ({
      requirements: DependencyFile.fromAsset(writeRequirements('/usr/local/airflow/plugins/tool-1.0-py3-none-any.whl\n')),
    }), /`requirements` installs files from \/usr\/local\/airflow\/plugins but the environment has no plugins \(set `plugins`\).*got: tool-1\.0-py3-none-any\.whl/],
  ];

  test.each(cases)('%s', (_name, props, message) => {
    expect(() => build(props())).toThrow(message);
  });
});

function writeRequirements(content: string): string {
  return path.join(writeTree({ 'requirements.txt': content }), 'requirements.txt');
}

describe('keys, folders and versions that slip past S3 fail at synth, naming the prop and the value', () => {
  test.each<[string, () => Props, string]>([
    ['a blank version', () => ({ requirements: DependencyFile.fromBucket('requirements.txt', '') }),
      "`requirements` needs the S3 object version of its key (MWAA reads the file at a pinned version), got: ''"],
    ['a version of spaces', () => ({ plugins: DependencyFile.fromBucket('plugins.zip', '   ') }),
      "`plugins` needs the S3 object version of its key (MWAA reads the file at a pinned version), got: '   '"],
    ['a DAG folder "."', () => ({ dags: Dags.fromBucket('.') }),
      "`dags` must not have '.', '..' or empty segments (keys are taken literally by S3 and IAM), got: '.'"],
    ['a DAG folder with ".."', () => ({ dags: Dags.fromBucket('airflow/../dags/') }),
      "`dags` must not have '.', '..' or empty segments (keys are taken literally by S3 and IAM), got: 'airflow/../dags/'"],
    ['a key with a "." segment', () => ({ startupScript: DependencyFile.fromBucket('./startup.sh', 'v1') }),
      "`startupScript` must not have '.', '..' or empty segments (keys are taken literally by S3 and IAM), got: './startup.sh'"],
    ['a key with an empty segment', () => ({ requirements: DependencyFile.fromBucket('deps//requirements.txt', 'v1') }),
      "`requirements` must not have '.', '..' or empty segments (keys are taken literally by S3 and IAM), got: 'deps//requirements.txt'"],
    ['a startup script inside the DAG folder', () => ({ startupScript: DependencyFile.fromBucket('dags/startup.sh', 'v1') }),
      "`startupScript` must be outside the DAG folder dags/, which DAG developers can write to: code put there would run on every Airflow container as the execution role, got: 'dags/startup.sh'"],
    ['plugins inside a custom DAG folder', () => ({ dags: Dags.fromBucket('airflow/dags/'), plugins: DependencyFile.fromBucket('airflow/dags/plugins.zip', 'v1') }),
      "`plugins` must be outside the DAG folder airflow/dags/, which DAG developers can write to: code put there would run on every Airflow container as the execution role, got: 'airflow/dags/plugins.zip'"],
    ['requirements inside the DAG folder', () => ({ requirements: DependencyFile.fromBucket('dags/deps/requirements.txt', 'v1') }),
      "`requirements` must be outside the DAG folder dags/, which DAG developers can write to: code put there would run on every Airflow container as the execution role, got: 'dags/deps/requirements.txt'"],
  ])('%s', (_what, props, message) => {
    expect(() => build(props())).toThrow(message);
  });

  test('the other side of each rule synthesizes: a version, plain segments, keys next to (not in) the DAG folder', () => {
    const built = build({
      dags: Dags.fromBucket('airflow/dags/'),
      requirements: DependencyFile.fromBucket('airflow/requirements.txt', 'v1'),
      plugins: DependencyFile.fromBucket('airflow/dags-plugins.zip', 'v2'),
      startupScript: DependencyFile.fromBucket('dags/startup.sh', 'v3'),
    });
    const properties = environmentOf(built).Properties;
    expect(properties.DagS3Path).toBe('airflow/dags/');
    expect(properties.PluginsS3Path).toBe('airflow/dags-plugins.zip');
    expect(properties.StartupScriptS3Path).toBe('dags/startup.sh');
    expect(properties.RequirementsS3ObjectVersion).toBe('v1');
  });
});

describe('requirements that would fail on the environment earn a warning', () => {
  function warnings(built: Built, id: string) {
    return Annotations.fromStack(built.stack).findWarning('*', Match.stringLikeRegexp(`\\[ack: cdk-private-mwaa:${id}\\]`));
  }
  const plugins = sampleProject({ 'plugins/constraints.txt': 'apache-airflow==3.0.6\n', 'plugins/snowflake-3.0-py3-none-any.whl': 'wheel' });
  const offline = [
    '--constraint /usr/local/airflow/plugins/constraints.txt',
    '--no-index',
    '--find-links /usr/local/airflow/plugins',
    'apache-airflow-providers-snowflake',
    '/usr/local/airflow/plugins/snowflake-3.0-py3-none-any.whl',
  ].join('\n');

  test.each([
    ['no --constraint line', 'requirementsConstraint', 'apache-airflow-providers-slack\n', false, /has no '--constraint' line/],
    ['a package from the default index without internet', 'requirementsNeedIndex', PINNED_REQUIREMENTS, true,
      /no internet route, but it installs 1 package\(s\) from the default index \(apache-airflow-providers-snowflake\) without '--no-index' and its constraints file is downloaded/],
    ['a downloaded constraints file without internet', 'requirementsNeedIndex',
      '--constraint https://raw.githubusercontent.com/apache/airflow/constraints-3.0.6/constraints-3.12.txt\n--no-index\n', true, /its constraints file is downloaded \(https:/],
  ])('%s', (_name, id, content, isolated, message) => {
    const built = build({ requirements: DependencyFile.fromAsset(writeRequirements(content)) }, { isolated });
    const found = warnings(built, id);
    expect(found).toHaveLength(1);
    expect(found[0].entry.data).toMatch(message);
  });

  test.each([
    ['wheels from plugins without internet', offline, true],
    ['a private index reachable from the VPC', '-c /usr/local/airflow/plugins/constraints.txt\n--index-url https://repo.example.com/simple/\nsnowflake\n', true],
    ['options written with = and short ones run together', '--constraint=/usr/local/airflow/plugins/constraints.txt\n--no-index\n-f/usr/local/airflow/plugins\nsnowflake\n', true],
    ['wheels from plugins, with inline comments after the options', '-c /usr/local/airflow/plugins/constraints.txt  # pinned\n--no-index  # wheels only\n--find-links /usr/local/airflow/plugins\t# here\nsnowflake # a wheel\n', true],
  ])('none for %s', (_name, content, isolated) => {
    const built = build({
      requirements: DependencyFile.fromAsset(writeRequirements(content)),
      plugins: DependencyFile.fromAsset(path.join(plugins, 'plugins')),
      airflowConfigurationOptions: { 'core.lazy_load_plugins': 'False' },
    }, { isolated });
    expect(warnings(built, 'requirementsConstraint')).toHaveLength(0);
    expect(warnings(built, 'requirementsNeedIndex')).toHaveLength(0);
  });

  test('a private web server with internet for the workers still warns: the web server installs them without internet', () => {
    const built = build({ requirements: DependencyFile.fromAsset(writeRequirements(PINNED_REQUIREMENTS)) });
    const found = warnings(built, 'requirementsNeedIndex');
    expect(found).toHaveLength(1);
    expect(found[0].entry.data).toContain('`requirements`: the web server is private (PRIVATE_ONLY) and installs the requirements too, without internet access (AWS recommends wheels for a private web server), '
      + 'but it installs 1 package(s) from the default index (apache-airflow-providers-snowflake) without \'--no-index\' and its constraints file is downloaded');
  });

  test('none for pinned requirements with internet and a public web server', () => {
    const built = build({
      requirements: DependencyFile.fromAsset(writeRequirements(PINNED_REQUIREMENTS)),
      webserverAccessMode: WebserverAccessMode.PUBLIC_ONLY,
    });
    expect(warnings(built, 'requirementsConstraint')).toHaveLength(0);
    expect(warnings(built, 'requirementsNeedIndex')).toHaveLength(0);
  });

  test('none for wheels and constraints that are inside plugins.zip', () => {
    const built = build({
      requirements: DependencyFile.fromAsset(writeRequirements('-c /usr/local/airflow/plugins/constraints.txt\n--no-index\n/usr/local/airflow/plugins/wheels/tool-1.0-py3-none-any.whl\n')),
      plugins: DependencyFile.fromAsset(writeZip({ 'wheels/tool-1.0-py3-none-any.whl': 'wheel', 'constraints.txt': 'apache-airflow==3.0.6\n' })),
      airflowConfigurationOptions: { 'core.lazy_load_plugins': 'False' },
      publicAccessGuardrail: false, // its CloudTrail warning is not about requirements
    }, { isolated: true });
    expect(Annotations.fromStack(built.stack).findWarning('*', Match.anyValue())).toHaveLength(0);
  });

  test('a constraints file for another Airflow version warns, by id and message; the matching one does not', () => {
    const other = build({
      requirements: DependencyFile.fromAsset(writeRequirements(
        '--constraint "https://raw.githubusercontent.com/apache/airflow/constraints-2.10.3/constraints-3.11.txt"\napache-airflow-providers-snowflake\n')),
    });
    const found = Annotations.fromStack(other.stack).findWarning('*', Match.stringLikeRegexp('\\[ack: cdk-private-mwaa:constraintsVersion\\]'));
    expect(found.map(w => w.entry.data)).toEqual([expect.stringContaining(
      '`requirements`: its constraints file is for another Airflow version than `airflowVersion` 3.0.6, so pip may install provider versions that do not match the environment\'s Airflow; '
      + 'use the constraints of 3.0.6, or acknowledge this warning (got: https://raw.githubusercontent.com/apache/airflow/constraints-2.10.3/constraints-3.11.txt).')]);
    const same = build({ requirements: DependencyFile.fromAsset(writeRequirements(`${PINNED_REQUIREMENTS}`)) });
    expect(Annotations.fromStack(same.stack).findWarning('*', Match.stringLikeRegexp('constraintsVersion'))).toEqual([]);
  });

  test('the warning can be acknowledged', () => {
    const stack = new Stack(new App(), 'TestStack', { env: { account: ACCOUNT, region: REGION } });
    const env = new PrivateMwaaEnvironment(stack, 'Airflow', {
      environmentName: 'test-env',
      vpc: newVpc(stack),
      requirements: DependencyFile.fromAsset(writeRequirements('snowflake\n')),
    });
    CoreAnnotations.of(env).acknowledgeWarning('cdk-private-mwaa:requirementsConstraint', 'pinned in the wheel set');
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('requirementsConstraint'))).toHaveLength(0);
  });

  test('uploaded plugins without lazy loading turned off earn the lazy-loading warning', () => {
    const built = build({ plugins: DependencyFile.fromAsset(path.join(plugins, 'plugins')) });
    expect(warnings(built, 'lazyLoadPlugins')).toHaveLength(1);
  });
});

describe('the Secrets Manager backend', () => {
  test('sets the backend and its prefixes in the Airflow configuration, next to the user\'s options', () => {
    const built = build({
      secretsBackend: { connectionsPrefix: 'teams/data/connections', variablesPrefix: 'teams/data/variables' },
      airflowConfigurationOptions: { 'core.default_timezone': 'utc' },
    });
    const options = environmentOf(built).Properties.AirflowConfigurationOptions;
    expect(options['core.default_timezone']).toBe('utc');
    expect(options['secrets.backend']).toBe('airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend');
    expect(JSON.parse(options['secrets.backend_kwargs'])).toEqual({
      connections_prefix: 'teams/data/connections',
      variables_prefix: 'teams/data/variables',
    });
  });

  test('defaults to airflow/connections and airflow/variables', () => {
    const options = environmentOf(build({ secretsBackend: {} })).Properties.AirflowConfigurationOptions;
    expect(JSON.parse(options['secrets.backend_kwargs'])).toEqual({ connections_prefix: 'airflow/connections', variables_prefix: 'airflow/variables' });
  });

  test('is not configured unless asked for', () => {
    expect(environmentOf(build({})).Properties.AirflowConfigurationOptions).toBeUndefined();
  });

  test.each([
    ['a leading slash', { connectionsPrefix: '/airflow/connections' }, /`secretsBackend\.connectionsPrefix` must be a secret name prefix.*got: '\/airflow\/connections'/],
    ['a trailing slash', { variablesPrefix: 'airflow/variables/' }, /`secretsBackend\.variablesPrefix` must be a secret name prefix.*got: 'airflow\/variables\/'/],
    ['a wildcard', { connectionsPrefix: 'airflow/*' }, /`secretsBackend\.connectionsPrefix`.*without wildcards.*got: 'airflow\/\*'/],
    ['an empty prefix', { variablesPrefix: '' }, /`secretsBackend\.variablesPrefix` must be a secret name prefix.*got: ''/],
  ])('rejects a prefix with %s', (_name, backend, message) => {
    expect(() => build({ secretsBackend: backend })).toThrow(message);
  });

  test('rejects a backend also set by hand', () => {
    expect(() => build({ secretsBackend: {}, airflowConfigurationOptions: { 'secrets.backend': 'my.Backend' } }))
      .toThrow("`airflowConfigurationOptions` must not set the secrets backend when `secretsBackend` does, got: 'secrets.backend'");
  });
});

/**
 * The zip reader that the plugins checks rest on (`src/private/delivery.ts`), on archives written by
 * Python's zipfile and then damaged byte by byte: it must find the end record wherever a comment puts
 * it, read past each entry's extra field and comment, and give `undefined` (never a wrong list or an
 * exception) for what it does not understand.
 */
describe('the zip reader', () => {
  /** An archive written by Python's zipfile; each entry may carry a comment and an extra field. */
  function pythonZip(entries: Array<{ name: string; comment?: string; extra?: number }>, archiveComment = 0): string {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mwaa-zip-')), 'plugins.zip');
    const script = [
      'import json, sys, zipfile',
      'entries, comment = json.loads(sys.argv[2]), int(sys.argv[3])',
      'with zipfile.ZipFile(sys.argv[1], "w") as z:',
      '    for e in entries:',
      '        info = zipfile.ZipInfo(e["name"])',
      '        info.comment = e.get("comment", "").encode()',
      // An extra field of the given data size, under a header id no reader acts on (0xcafe).
      '        size = e.get("extra", 0)',
      '        info.extra = (b"\\xfe\\xca" + size.to_bytes(2, "little") + b"x" * size) if size else b""',
      '        z.writestr(info, "content of " + e["name"])',
      '    z.comment = b"c" * comment',
    ].join('\n');
    execFileSync('python3', ['-c', script, file, JSON.stringify(entries), String(archiveComment)]);
    return file;
  }

  /** The offset of the end of central directory record (no comment: the last 22 bytes). */
  function endRecord(data: Buffer): number {
    return data.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  }

  function patched(file: string, patch: (data: Buffer) => void): string {
    const data = fs.readFileSync(file);
    patch(data);
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mwaa-zip-')), 'plugins.zip');
    fs.writeFileSync(out, data);
    return out;
  }

  function bytes(...content: number[]): string {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mwaa-bytes-')), 'plugins.zip');
    fs.writeFileSync(out, Buffer.from(content));
    return out;
  }

  test('reads every name, in order, past extra fields and entry comments', () => {
    const file = pythonZip([
      { name: 'operators/custom.py', comment: 'an entry comment', extra: 12 },
      { name: 'wheels/tool-1.0-py3-none-any.whl', extra: 4 },
      { name: 'hooks/ünïcode.py', comment: 'x' },
    ]);
    expect(zipEntries(file)).toEqual(['operators/custom.py', 'wheels/tool-1.0-py3-none-any.whl', 'hooks/ünïcode.py']);
  });

  test.each([
    ['no comment', 0],
    ['a short comment', 5],
    ['the longest comment a zip may have (65,535 bytes), which puts the end record furthest from the end', 0xffff],
  ])('finds the end record behind %s', (_name, comment) => {
    const file = pythonZip([{ name: 'a.py' }, { name: 'b/c.py' }], comment);
    expect(fs.statSync(file).size).toBeGreaterThanOrEqual(22 + comment);
    expect(zipEntries(file)).toEqual(['a.py', 'b/c.py']);
  });

  test('an empty archive has no entries, and starts like a zip', () => {
    const file = pythonZip([]);
    expect(fs.statSync(file).size).toBe(22);
    expect(zipEntries(file)).toEqual([]);
    expect(isZipArchive(file)).toBe(true);
  });

  test('an end record further back than the longest comment allows is not looked for', () => {
    // A valid empty archive followed by 65,536 bytes: the record is one byte out of reach.
    const file = pythonZip([]);
    fs.appendFileSync(file, Buffer.alloc(0x10000, 0x63));
    expect(zipEntries(file)).toBeUndefined();
  });

  test.each([
    ['an entry count of 0xffff (ZIP64)', (d: Buffer) => d.writeUInt16LE(0xffff, endRecord(d) + 10)],
    ['a central directory offset of 0xffffffff (ZIP64)', (d: Buffer) => d.writeUInt32LE(0xffffffff, endRecord(d) + 16)],
    ['a central directory offset past the end of the file', (d: Buffer) => d.writeUInt32LE(d.length + 100, endRecord(d) + 16)],
    ['a central directory offset 45 bytes before the end (no room for a header)', (d: Buffer) => d.writeUInt32LE(d.length - 45, endRecord(d) + 16)],
    ['more entries counted than the central directory holds', (d: Buffer) => d.writeUInt16LE(3, endRecord(d) + 10)],
    ['a central directory header with a wrong signature', (d: Buffer) => d.writeUInt32LE(0x02014b51, d.readUInt32LE(endRecord(d) + 16))],
  ])('gives no names for %s', (_name, patch) => {
    const file = patched(pythonZip([{ name: 'a.py' }, { name: 'b.py' }]), patch);
    expect(zipEntries(file)).toBeUndefined();
  });

  test('an archive of more entries than 65,535 (ZIP64) gives no names, rather than the first 65,535', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mwaa-zip-')), 'plugins.zip');
    execFileSync('python3', ['-c', [
      'import sys, zipfile',
      'with zipfile.ZipFile(sys.argv[1], "w") as z:',
      '    for i in range(65536):',
      '        z.writestr(f"{i}.py", b"")',
    ].join('\n'), file]);
    const data = fs.readFileSync(file);
    expect(data.readUInt16LE(endRecord(data) + 10)).toBe(0xffff);
    expect(data.readUInt32LE(endRecord(data) + 16)).toBeLessThan(data.length);
    expect(zipEntries(file)).toBeUndefined();
  });

  test('a central directory header cut short by the end of the file gives no names, and no error', () => {
    const file = patched(pythonZip([{ name: 'a.py' }, { name: 'b.py' }]), d => {
      // One entry, whose header signature is 45 bytes before the end, where the directory is said to
      // start: one byte too few for a header.
      d.writeUInt16LE(1, endRecord(d) + 10);
      d.writeUInt32LE(0x02014b50, d.length - 45);
      d.writeUInt32LE(d.length - 45, endRecord(d) + 16);
    });
    expect(zipEntries(file)).toBeUndefined();
  });

  test('a central directory header that ends exactly at the end of the file is read', () => {
    // The end record first (one entry, its directory at byte 22), then one 46-byte header with an empty name.
    const end = [0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 1, 0, 1, 0, 46, 0, 0, 0, 22, 0, 0, 0, 0, 0];
    const header = [0x50, 0x4b, 0x01, 0x02, ...new Array(42).fill(0)];
    expect(zipEntries(bytes(...end, ...header))).toEqual(['']);
  });

  test('checking whether a file is a zip closes the file it opened', () => {
    // The module object itself: `import * as fs` gives a read-only view of it, which jest cannot spy on.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const nodeFs: typeof fs = require('fs');
    const file = bytes(0x50, 0x4b, 0x03, 0x04);
    const open = jest.spyOn(nodeFs, 'openSync');
    const close = jest.spyOn(nodeFs, 'closeSync');
    try {
      isZipArchive(file);
      expect(open).toHaveBeenCalledTimes(1);
      expect(close.mock.calls).toEqual([[open.mock.results[0].value]]);
    } finally {
      open.mockRestore();
      close.mockRestore();
    }
  });

  test('counts fewer than the central directory holds give only those', () => {
    const file = patched(pythonZip([{ name: 'a.py' }, { name: 'b.py' }]), d => d.writeUInt16LE(1, endRecord(d) + 10));
    expect(zipEntries(file)).toEqual(['a.py']);
  });

  test.each([
    ['a text file', Buffer.from('not a zip, but longer than twenty-two bytes\n')],
    ['a file shorter than an end record', Buffer.from('PK')],
    ['an empty file', Buffer.alloc(0)],
  ])('gives no names, and no error, for %s', (_name, content) => {
    const file = bytes(...content);
    expect(zipEntries(file)).toBeUndefined();
    expect(isZipArchive(file)).toBe(false);
  });

  test.each([
    ['a local file header', [0x50, 0x4b, 0x03, 0x04], true],
    ['an end record (an empty archive)', [0x50, 0x4b, 0x05, 0x06], true],
    ['a central directory header', [0x50, 0x4b, 0x01, 0x02], false],
    ['three bytes of a local file header', [0x50, 0x4b, 0x03], false],
    ['a local file header with one byte wrong', [0x50, 0x4b, 0x03, 0x05], false],
  ])('a file that starts with %s is a zip: %s', (_name, content, expected) => {
    expect(isZipArchive(bytes(...(content as number[])))).toBe(expected);
  });

  test('a real archive starts like a zip', () => {
    expect(isZipArchive(pythonZip([{ name: 'a.py' }]))).toBe(true);
  });

  test('files are listed with POSIX paths relative to the folder, folders themselves left out', () => {
    const root = writeTree({ 'a.py': '', 'sub/b.py': '', 'sub/deeper/c.txt': '' });
    fs.mkdirSync(path.join(root, 'empty'));
    expect(listFiles(root).sort()).toEqual(['a.py', 'sub/b.py', 'sub/deeper/c.txt']);
  });

  test('what is at a path: a file, a folder, or nothing', () => {
    const root = writeTree({ 'a.py': '' });
    expect(pathKind(path.join(root, 'a.py'))).toBe('file');
    expect(pathKind(root)).toBe('directory');
    expect(pathKind(path.join(root, 'missing.py'))).toBe('missing');
  });
});
