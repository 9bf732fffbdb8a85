import * as fs from 'fs';
import * as path from 'path';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const semver = require('semver');

// The supported Node.js versions are stated in four places that must agree: package.json `engines`
// (from `minNodeVersion` in .projenrc.ts), .nvmrc, the README's install section, and the `engines`
// of every installed package (a floor that some package refuses would print engine warnings on a
// fresh install at the floor, which is what stating support is meant to prevent).
const ROOT = path.join(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf-8'));
const floor = semver.minVersion(pkg.engines?.node ?? '0.0.0').version as string;
const nvmrc = fs.readFileSync(path.join(ROOT, '.nvmrc'), 'utf-8').trim();

function installedEngines(): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  const walk = (dir: string) => {
    for (const name of fs.readdirSync(dir)) {
      if (name.startsWith('.')) {
        continue;
      }
      const full = path.join(dir, name);
      if (name.startsWith('@')) {
        walk(full);
        continue;
      }
      const manifest = path.join(full, 'package.json');
      if (fs.existsSync(manifest)) {
        const json = JSON.parse(fs.readFileSync(manifest, 'utf-8'));
        if (typeof json.engines?.node === 'string') {
          found.push([`${json.name}@${json.version}`, json.engines.node]);
        }
        if (fs.existsSync(path.join(full, 'node_modules'))) {
          walk(path.join(full, 'node_modules'));
        }
      }
    }
  };
  walk(path.join(ROOT, 'node_modules'));
  return found;
}

test('package.json states a floor, which is a maintained release line (22 or later)', () => {
  expect(pkg.engines?.node).toBe('>= 22.13.0');
  expect(semver.major(floor)).toBeGreaterThanOrEqual(22);
});

test('.nvmrc names a release at or above the floor', () => {
  expect(nvmrc).toMatch(/^\d+(\.\d+){0,2}$/);
  expect(semver.gte(semver.coerce(nvmrc).version, floor)).toBe(true);
});

test('the README\'s install section states the floor and what .nvmrc asks for', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf-8');
  const install = readme.slice(readme.indexOf('## Install'), readme.indexOf('## Quick start'));
  expect(install).toContain(`Node.js: ${semver.major(floor)}.${semver.minor(floor)} or newer`);
  expect(install).toContain(`\`>= ${floor}\``);
  expect(install).toContain(`\`.nvmrc\` asks contributors for ${nvmrc}`);
});

test('every installed package accepts the floor and the .nvmrc release (no engine warnings there)', () => {
  const engines = installedEngines();
  expect(engines.length).toBeGreaterThan(100);
  for (const version of [floor, semver.coerce(nvmrc).version]) {
    expect(engines.filter(([, range]) => !semver.satisfies(version, range)).map(([name, range]) => `${name} needs ${range}, not ${version}`)).toEqual([]);
  }
});

test('Node 20 is below the floor, and some installed packages indeed refuse it', () => {
  expect(semver.satisfies('20.20.2', pkg.engines.node)).toBe(false);
  expect(installedEngines().filter(([, range]) => !semver.satisfies('20.20.2', range)).length).toBeGreaterThan(0);
});
