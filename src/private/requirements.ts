import * as path from 'path';
import { PLUGINS_MOUNT } from './mwaa';

/**
 * The one reader of pip requirements files in the library: the construct's checks of
 * `requirementsLocalPath` and the `MWAA-Requirements-Constraint` rule both call it, so they cannot
 * disagree about what a file says.
 *
 * @see https://pip.pypa.io/en/stable/reference/requirements-file-format/
 */

/**
 * What a requirements file asks pip to do, as far as the library cares.
 */
export interface RequirementsSummary {
  /** `-c`/`--constraint` targets. */
  readonly constraints: string[];
  /** Whether `--no-index` is given. */
  readonly noIndex: boolean;
  /** `-i`/`--index-url`/`--extra-index-url` targets. */
  readonly indexUrls: string[];
  /** Requirement lines that name a package to be found on an index (not a local wheel). */
  readonly packages: string[];
  /** Files under the plugins mount the file refers to (wheels, constraints, find-links folders), relative to it (`.` for the mount itself). */
  readonly pluginReferences: string[];
}

/**
 * An option line: the option, then its value after `=`, after blanks (spaces or tabs), or, for a
 * short option, right after it (`-c/path`), as pip's option parser reads them. (Of the options, only
 * the short ones end in `-c`, `-i` or `-f`, so the look-behind needs no anchor.)
 */
const OPTION_LINE = /^(-c|--constraint|-i|--index-url|--extra-index-url|-f|--find-links)(?:=\s*|\s+|(?<=-[cif]))(\S+)/;

/**
 * Reads the lines of a pip requirements file that matter here. Comments and blank lines are
 * skipped; options may be written `--opt value`, `--opt=value` or, for short ones, `-cvalue`.
 */
export function parseRequirements(text: string): RequirementsSummary {
  const constraints: string[] = [];
  const indexUrls: string[] = [];
  const packages: string[] = [];
  const pluginReferences: string[] = [];
  let noIndex = false;
  const mounted = (target: string) => {
    const normal = path.posix.normalize(target);
    if (normal === PLUGINS_MOUNT || normal.startsWith(`${PLUGINS_MOUNT}/`)) {
      // The mount itself (a project installed from the plugins folder) is `.`: the plugins as a whole.
      pluginReferences.push(path.posix.relative(PLUGINS_MOUNT, normal) || '.');
    }
  };
  for (const raw of text.split(/\r?\n/)) {
    // Stryker disable next-line Regex: without the `$` the greedy `.*` still runs to the end of the line (no `m` flag, no newline left after the split).
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') {
      continue;
    }
    const option = OPTION_LINE.exec(line);
    if (option) {
      const [, name, quoted] = option;
      const target = quoted.replace(/^(["'])(.*)\1$/, '$2');
      if (name === '-c' || name === '--constraint') {
        constraints.push(target);
        // Stryker disable next-line Regex: unanchored, it differs only for a path with `file://` inside it, which names no file pip could read
        mounted(target.replace(/^file:\/\//, ''));
      } else if (name !== '-f' && name !== '--find-links') {
        // A find-links folder is only a place to look, not a file that must exist.
        indexUrls.push(target);
      }
      continue;
    }
    if (line === '--no-index') {
      noIndex = true;
      continue;
    }
    if (line.startsWith('-')) {
      continue;
    }
    // Stryker disable next-line Regex: unanchored, it differs only for `file://` after a line's start: a package line stays one, a path with it inside names no file
    const local = line.replace(/^file:\/\//, '');
    if (local.startsWith('/')) {
      mounted(local.split(/\s|;/)[0]);
      continue;
    }
    packages.push(line);
  }
  return { constraints, noIndex, indexUrls, packages, pluginReferences };
}

/** Whether the file pins its dependencies with a constraints file (from Airflow 2.7.2, MWAA expects one). */
export function hasConstraint(summary: RequirementsSummary): boolean {
  return summary.constraints.length > 0;
}
