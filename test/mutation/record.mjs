#!/usr/bin/env node
// @ts-check
/**
 * Per-module mutation records (docs/testing.md, "Mutation testing").
 *
 * Each security-relevant module in stryker.config.mjs has a record, test/mutation/<name>.json.gz: the
 * Stryker incremental report of its last run against the tests that own it (every mutant with its
 * status, and the source of the module and of those tests when it ran).
 *
 *   node test/mutation/record.mjs <name>...   run the modules and rewrite their records (commit them)
 *   node test/mutation/record.mjs --all       the same for every module
 *   node test/mutation/record.mjs --check     CI: compare each record with the code and re-run,
 *                                             incrementally, the modules whose source or owning
 *                                             tests changed; fail if a score fell below its record
 *                                             or docs/testing.md shows another score
 *   node test/mutation/record.mjs --scores    print each record's counts as the docs table's rows
 *
 * Static and hybrid mutants (reached while a test file loads, which is where most files synthesize
 * their shared template) run against every owning test, reloaded (stryker.config.mjs, ignoreStatic).
 * An earlier record is the starting point: only mutants whose code or covering tests changed run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { MODULES } from '../../stryker.config.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const RECORDS = join(ROOT, 'test', 'mutation');
const WORK = join(ROOT, 'reports', 'mutation');
const DOCS = join(ROOT, 'docs', 'testing.md');

/** @param {string} name */
const recordPath = name => join(RECORDS, `${name}.json.gz`);
/** @param {string} name */
const workPath = name => join(WORK, `${name}.incremental.json`);

/** @param {string} name @returns {any | undefined} */
function readRecord(name) {
  const path = recordPath(name);
  return existsSync(path) ? JSON.parse(gunzipSync(readFileSync(path)).toString('utf-8')) : undefined;
}

/**
 * The counts of one module's report, and its score as Stryker computes it: detected (killed or timed
 * out) over detected plus undetected (survived or not covered); runtime and compile errors and
 * ignored mutants are not in it.
 * @param {any} report @param {string} file
 */
export function counts(report, file) {
  /** @type {Record<string, number>} */
  const by = {};
  for (const mutant of report.files[file]?.mutants ?? []) {
    by[mutant.status] = (by[mutant.status] ?? 0) + 1;
  }
  const n = (/** @type {string} */ s) => by[s] ?? 0;
  const detected = n('Killed') + n('Timeout');
  const undetected = n('Survived') + n('NoCoverage');
  const total = Object.values(by).reduce((a, b) => a + b, 0);
  return {
    total,
    killed: n('Killed'),
    timeout: n('Timeout'),
    survived: n('Survived'),
    noCoverage: n('NoCoverage'),
    runtimeErrors: n('RuntimeError'),
    compileErrors: n('CompileError'),
    ignored: n('Ignored'),
    score: detected + undetected === 0 ? 100 : Math.floor((detected / (detected + undetected)) * 1000) / 10,
  };
}

/** @param {string} name @param {Record<string, string>} env */
function stryker(name, env) {
  // The tests write temporary files (cloud assemblies, archives) and leave them to the system; each
  // mutant runs them again, which over a run fills a disk. Here they go into one folder, removed after.
  const tmp = mkdtempSync(join(tmpdir(), `stryker-${name}-`));
  try {
    run(name, { ...env, TMPDIR: tmp });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** @param {string} name @param {Record<string, string>} env */
function run(name, env) {
  const result = spawnSync('npx', ['stryker', 'run', '--incremental', '--incrementalFile', workPath(name),
    '--concurrency', process.env.STRYKER_CONCURRENCY ?? '2', '--reporters', 'json,progress-append-only'], {
    cwd: ROOT,
    stdio: 'inherit',
    // Without the TypeScript checker, which took most of each run: a mutant that would not compile
    // runs as JavaScript and is killed, ends in a runtime error, or survives and is judged by hand.
    env: { ...process.env, STRYKER_MODULE: name, STRYKER_NO_CHECKER: '1', ...env },
  });
  if (result.status !== 0) {
    throw new Error(`stryker run for ${name} exited with ${result.status}`);
  }
}

/**
 * The report without its surviving and timed-out mutants, so an incremental run tries them again:
 * Stryker re-runs a survivor only when a test that covers it while running is added, and a static
 * one (reached while a test file loads) never has such a test; and a timeout may be a machine under
 * load rather than a mutant that loops (it counts as detected, so it is not kept on trust).
 * @param {any} report
 */
function withoutUndecided(report) {
  const files = Object.fromEntries(Object.entries(report.files).map(([path, file]) => [path, {
    .../** @type {any} */ (file),
    mutants: /** @type {any} */ (file).mutants.filter((/** @type {any} */ m) => !['Survived', 'NoCoverage', 'Timeout'].includes(m.status)),
  }]));
  return { ...report, files };
}

/** @param {string} name */
function record(name) {
  mkdirSync(WORK, { recursive: true });
  const previous = readRecord(name);
  if (previous) {
    writeFileSync(workPath(name), JSON.stringify(withoutUndecided(previous)));
  }
  stryker(name, {});
  const report = JSON.parse(readFileSync(workPath(name), 'utf-8'));
  mkdirSync(RECORDS, { recursive: true });
  writeFileSync(recordPath(name), gzipSync(JSON.stringify(report), { level: 9 }));
  console.log(`${name}: ${JSON.stringify(counts(report, MODULES[name].file))}`);
}

/**
 * What changed since a record: the module's source, or the source of one of its owning tests, or
 * the list of owning tests.
 * @param {string} name @param {any} report
 * @returns {string[]}
 */
function changes(name, report) {
  const module = MODULES[name];
  /** @type {string[]} */
  const changed = [];
  if (report.files[module.file]?.source !== readFileSync(join(ROOT, module.file), 'utf-8')) {
    changed.push(module.file);
  }
  const recorded = Object.keys(report.testFiles ?? {}).sort();
  if (JSON.stringify(recorded) !== JSON.stringify([...module.tests].sort())) {
    changed.push(`owning tests (recorded: ${recorded.join(', ')})`);
  }
  for (const test of module.tests) {
    if (report.testFiles?.[test]?.source !== readFileSync(join(ROOT, test), 'utf-8')) {
      changed.push(test);
    }
  }
  return changed;
}

/** The scores docs/testing.md shows, by module file. */
function documentedScores() {
  /** @type {Record<string, string>} */
  const scores = {};
  for (const line of readFileSync(DOCS, 'utf-8').split('\n')) {
    const row = /^\| `(src\/[^`]+)` \|.*\| ([0-9.]+)% \|/.exec(line);
    if (row) {
      scores[row[1]] = row[2];
    }
  }
  return scores;
}

function check() {
  const problems = [];
  const documented = documentedScores();
  for (const [name, module] of Object.entries(MODULES)) {
    const report = readRecord(name);
    if (!report) {
      // Not measured yet (docs/testing.md says which); nothing to compare with.
      console.log(`${name}: no record yet (node test/mutation/record.mjs ${name})`);
      continue;
    }
    const recorded = counts(report, module.file);
    if (documented[module.file] !== recorded.score.toFixed(1)) {
      problems.push(`${name}: docs/testing.md shows ${documented[module.file] ?? 'no score'}% for ${module.file}, its record ${recorded.score.toFixed(1)}%`);
    }
    const changed = changes(name, report);
    if (changed.length === 0) {
      console.log(`${name}: unchanged since its record, ${recorded.score.toFixed(1)}%`);
      continue;
    }
    console.log(`${name}: changed since its record (${changed.join(', ')}); running the changed mutants`);
    mkdirSync(WORK, { recursive: true });
    writeFileSync(workPath(name), JSON.stringify(withoutUndecided(report)));
    stryker(name, {});
    const now = counts(JSON.parse(readFileSync(workPath(name), 'utf-8')), module.file);
    console.log(`${name}: ${now.score.toFixed(1)}% (record ${recorded.score.toFixed(1)}%)`);
    if (now.score < recorded.score) {
      problems.push(`${name}: mutation score ${now.score.toFixed(1)}% is below its record's ${recorded.score.toFixed(1)}%; kill the new survivors (reports/mutation/mutation.json) or mark equivalents`);
    }
  }
  if (problems.length > 0) {
    console.error(problems.join('\n'));
    process.exit(1);
  }
}

function scores() {
  for (const [name, module] of Object.entries(MODULES)) {
    const report = readRecord(name);
    if (!report) {
      console.log(`| \`${module.file}\` | not recorded |`);
      continue;
    }
    const c = counts(report, module.file);
    console.log(`| \`${module.file}\` | ${c.total} | ${c.killed + c.timeout} | ${c.survived + c.noCoverage} | ${c.runtimeErrors} | ${c.compileErrors} | ${c.ignored} | ${c.score.toFixed(1)}% | ${module.tests.map(t => `\`${t.replace('test/', '')}\``).join(', ')} |`);
  }
}

const args = process.argv.slice(2);
if (args.includes('--check')) {
  check();
} else if (args.includes('--scores')) {
  scores();
} else {
  const names = args.includes('--all') ? Object.keys(MODULES) : args;
  if (names.length === 0) {
    console.error('usage: node test/mutation/record.mjs <module>... | --all | --check | --scores');
    process.exit(2);
  }
  for (const name of names) {
    if (!MODULES[name]) {
      throw new Error(`no module named '${name}' (known: ${Object.keys(MODULES).join(', ')})`);
    }
    record(name);
  }
}

