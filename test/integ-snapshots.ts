/* eslint-disable no-console */
/**
 * Synthesizes every integration test app (`test/integ.*.ts`) and compares what it produces with its
 * committed snapshot (`test/integ.<name>.ts.snapshot/`), the way `integ-runner` does in snapshot
 * mode: templates, asset manifests, the cloud assembly manifest and the integ manifest must match.
 * Nothing is deployed.
 *
 * `npm run integ` compares and fails on drift; `npm run integ:update` rewrites the snapshots.
 *
 * Why not `integ-runner` itself: the newest `@aws-cdk/integ-runner` the registry here offers
 * (2.197.10) bundles a toolkit that reads cloud assemblies up to schema 53, and aws-cdk-lib 2.258.0
 * (our floor, for cdk-nag 3) writes schema 54. The apps use `IntegTest` and the snapshots keep
 * integ-runner's layout, so a newer integ-runner can take over unchanged.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stateMachineProblems } from './support/definition-checks';

const update = process.argv.includes('--update');
const testDir = __dirname;
const apps = fs.readdirSync(testDir).filter(f => /^integ\..+\.ts$/.test(f) && f !== 'integ-snapshots.ts').sort();

/** The files of an assembly that make up a snapshot (asset folders, the tree and the metadata, which has stack traces, are left out). */
function snapshotFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter(f => f.endsWith('.json') && f !== 'tree.json' && !f.endsWith('.metadata.json')).sort();
}

function synthesize(app: string): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'integ-'));
  execFileSync(process.execPath, ['-r', 'ts-node/register', path.join(testDir, app)], {
    cwd: path.dirname(testDir),
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      CDK_OUTDIR: outdir,
      TS_NODE_PROJECT: 'tsconfig.dev.json',
      TS_NODE_TRANSPILE_ONLY: 'true',
      // As integ-runner synthesizes: no version reporting, no path metadata, so snapshots are stable.
      CDK_CONTEXT_JSON: JSON.stringify({
        'aws:cdk:version-reporting': false,
        'aws:cdk:enable-path-metadata': false,
        'aws:cdk:enable-asset-metadata': false,
      }),
    },
  });
  return outdir;
}

/**
 * Comparable content: the cloud assembly manifest without its CLI and library versions, and
 * templates without the `salt` of integ-tests-alpha's assertion calls (the time of synthesis, so
 * that every deployment runs them again). The salt changes the template's hash, so the hashes of
 * templates are left out of the manifest and the asset manifests too: each template is compared
 * itself.
 */
function normalized(file: string, text: string): unknown {
  const json = JSON.parse(text);
  if (file === 'manifest.json') {
    delete json.version;
    delete json.minimumCliVersion;
    for (const artifact of Object.values<any>(json.artifacts ?? {})) {
      delete artifact.properties?.stackTemplateAssetObjectUrl;
    }
  }
  if (file.endsWith('.assets.json')) {
    for (const [hash, asset] of Object.entries<any>(json.files ?? {})) {
      if (typeof asset.source?.path === 'string' && asset.source.path.endsWith('.template.json')) {
        delete json.files[hash];
        // Destination ids end with a hash of the destination, object key included.
        asset.destinations = Object.values<any>(asset.destinations ?? {}).map(({ objectKey: _objectKey, ...destination }) => destination);
        json.files[asset.source.path] = asset;
      }
    }
  }
  if (file.endsWith('.template.json')) {
    for (const resource of Object.values<any>(json.Resources ?? {})) {
      if (typeof resource.Type === 'string' && resource.Type.startsWith('Custom::DeployAssert@')) {
        delete resource.Properties?.salt;
      }
    }
  }
  return json;
}

let drift = 0;
for (const app of apps) {
  const snapshot = path.join(testDir, `${app}.snapshot`);
  const outdir = synthesize(app);
  const produced = snapshotFiles(outdir);
  // Every state machine an integration app synthesizes passes Step Functions' definition-time checks.
  for (const file of produced.filter(f => f.endsWith('.template.json'))) {
    const template = JSON.parse(fs.readFileSync(path.join(outdir, file), 'utf-8'));
    if (!Object.values<any>(template.Resources ?? {}).some(r => r.Type === 'AWS::StepFunctions::StateMachine')) {
      continue;
    }
    const invalid = Object.entries(stateMachineProblems(template)).filter(([, list]) => list.length > 0);
    if (invalid.length > 0) {
      drift++;
      console.log(`INVALID  ${app} ${file}:\n  ${invalid.map(([id, list]) => `${id}: ${list.join('\n    ')}`).join('\n  ')}`);
    }
  }
  if (update) {
    fs.rmSync(snapshot, { recursive: true, force: true });
    fs.mkdirSync(snapshot, { recursive: true });
    for (const file of produced) {
      fs.copyFileSync(path.join(outdir, file), path.join(snapshot, file));
    }
    console.log(`UPDATED  ${app}: ${produced.length} files`);
    continue;
  }
  if (!fs.existsSync(snapshot)) {
    console.log(`MISSING  ${app}: no snapshot; run npm run integ:update`);
    drift++;
    continue;
  }
  const committed = snapshotFiles(snapshot);
  const problems: string[] = [];
  for (const file of new Set([...produced, ...committed])) {
    if (!produced.includes(file)) {
      problems.push(`${file} is in the snapshot but no longer produced`);
    } else if (!committed.includes(file)) {
      problems.push(`${file} is produced but not in the snapshot`);
    } else {
      const a = normalized(file, fs.readFileSync(path.join(outdir, file), 'utf-8'));
      const b = normalized(file, fs.readFileSync(path.join(snapshot, file), 'utf-8'));
      if (JSON.stringify(a) !== JSON.stringify(b)) {
        problems.push(`${file} differs`);
      }
    }
  }
  if (problems.length > 0) {
    drift++;
    console.log(`CHANGED  ${app}:\n  ${problems.join('\n  ')}`);
  } else {
    console.log(`UNCHANGED ${app}: ${produced.length} files`);
  }
}
console.log(`\nIntegration snapshots: ${apps.length} apps, ${update ? 'updated' : `${drift} with drift`}.`);
if (drift > 0) {
  process.exit(1);
}
