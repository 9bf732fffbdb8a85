import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * Writes files (relative path to content) into a new temporary folder and returns it.
 */
export function writeTree(files: { [relativePath: string]: string }): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mwaa-delivery-'));
  for (const [relative, content] of Object.entries(files)) {
    const full = path.join(root, relative);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content);
  }
  return root;
}

/** A requirements file the library has nothing to say about, for an environment with internet. */
export const PINNED_REQUIREMENTS = [
  '--constraint "https://raw.githubusercontent.com/apache/airflow/constraints-3.0.6/constraints-3.12.txt"',
  'apache-airflow-providers-snowflake',
  '',
].join('\n');

/** The usual project: DAGs, requirements, a plugins folder with a wheel, a startup script. */
export function sampleProject(overrides: { [relativePath: string]: string } = {}): string {
  return writeTree({
    'dags/etl.py': 'from airflow import DAG\n',
    'dags/reports/daily.py': 'from airflow import DAG\n',
    'requirements.txt': PINNED_REQUIREMENTS,
    'plugins/operators/custom.py': 'class CustomOperator: ...\n',
    'plugins/wheels/tool-1.0-py3-none-any.whl': 'not really a wheel\n',
    'startup.sh': '#!/bin/sh\nexport ENVIRONMENT_STAGE=test\n',
    ...overrides,
  });
}

/**
 * Writes a real zip archive (with Python's zipfile, which the CI machine has for the code
 * generation check) holding the given entries, and returns its path.
 */
export function writeZip(entries: { [name: string]: string }): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mwaa-zip-')), 'plugins.zip');
  const script = 'import json, sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:\n'
    + '    for name, content in json.loads(sys.argv[2]).items():\n        z.writestr(name, content)\n';
  execFileSync('python3', ['-c', script, file, JSON.stringify(entries)]);
  return file;
}
