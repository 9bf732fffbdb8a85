import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as mwaa from 'aws-cdk-lib/aws-mwaa';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { DependencyFile, MwaaChecks, MwaaWarnings, PrivateMwaaEnvironment } from '../src';
import { writeTree } from './support/files';
import { newStack, newVpc } from './support/fixtures';
import { parseRequirements } from '../src/private/requirements';

/**
 * The construct (`requirements: DependencyFile.fromAsset(...)`) and the `MWAA-Requirements-Constraint` rule read a
 * requirements file with one parser, so they agree on whether it has a constraints file, however
 * the line is spelled. Only the public API is used here, so that this file also runs against the
 * code from before the parser was shared (where it fails: the rule missed `-c/path`, the
 * construct missed a tab after the option).
 */
const RULE = 'MWAA-Requirements-Constraint';
const MOUNTED = '/usr/local/airflow/plugins/constraints.txt';
const URL = 'https://raw.githubusercontent.com/apache/airflow/constraints-3.0.6/constraints-3.12.txt';
const SPELLINGS = [
  `-c${MOUNTED}`,
  `-c ${MOUNTED}`,
  `-c\t${MOUNTED}`,
  `--constraint=${MOUNTED}`,
  `--constraint ${MOUNTED}`,
  `--constraint "${URL}"`,
  `--constraint\t"${URL}"`,
  `-c"${URL}"`,
];

/** The rule's findings for the app, and the construct's constraint warnings, after synthesis. */
function reports(stack: Stack): { findings: string[]; warnings: number } {
  const app = stack.node.root as any;
  const assembly = app.synth();
  const report = new MwaaChecks().validate({ templatePaths: assembly.stacks.map((s: any) => s.templateFullPath), appConstruct: app });
  const findings = report.violations.filter(v => v.ruleName === RULE).flatMap(v => v.violatingResources.map(r => r.constructPath ?? r.resourceLogicalId ?? ''));
  const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(`\\[ack: ${MwaaWarnings.REQUIREMENTS_CONSTRAINT}\\]`)).length;
  return { findings, warnings };
}

/** A PrivateMwaaEnvironment that uploads the requirements file, with plugins holding the constraints file. */
function construct(requirements: string): Stack {
  const stack = newStack();
  const project = writeTree({
    'requirements.txt': requirements,
    'plugins/constraints.txt': 'apache-airflow==3.0.6\n',
    'plugins/operators.py': '# an operator\n',
  });
  new PrivateMwaaEnvironment(stack, 'Airflow', {
    environmentName: 'test-env',
    vpc: newVpc(stack),
    requirements: DependencyFile.fromAsset(path.join(project, 'requirements.txt')),
    plugins: DependencyFile.fromAsset(path.join(project, 'plugins')),
    airflowConfigurationOptions: { 'core.lazy_load_plugins': 'False' },
  });
  return stack;
}

/** A plain CfnEnvironment whose requirements file a BucketDeployment puts in its bucket. */
function plain(requirements: string): Stack {
  const stack = newStack();
  const bucket = new s3.Bucket(stack, 'Bucket', { versioned: true });
  new s3deploy.BucketDeployment(stack, 'Deps', { sources: [s3deploy.Source.asset(writeTree({ 'requirements.txt': requirements }))], destinationBucket: bucket });
  new mwaa.CfnEnvironment(stack, 'Env', {
    name: 'plain-env',
    sourceBucketArn: bucket.bucketArn,
    requirementsS3Path: 'requirements.txt',
    requirementsS3ObjectVersion: 'v1',
  });
  return stack;
}

describe('the construct and MWAA-Requirements-Constraint agree on every spelling of a constraint line', () => {
  test.each(SPELLINGS)('%j: the construct does not warn, and with MwaaChecks on the rule finds nothing', line => {
    expect(reports(construct(`${line}\napache-airflow-providers-snowflake\n`))).toEqual({ findings: [], warnings: 0 });
  });

  test.each(SPELLINGS)('%j: the rule finds nothing on a plain CfnEnvironment', line => {
    expect(reports(plain(`${line}\napache-airflow-providers-snowflake\n`)).findings).toEqual([]);
  });

  test('without a constraint line, the construct warns once and the rule does not repeat it; a plain environment gets the finding', () => {
    expect(reports(construct('apache-airflow-providers-snowflake\n'))).toEqual({ findings: [], warnings: 1 });
    expect(reports(plain('apache-airflow-providers-snowflake\n'))).toEqual({ findings: ['TestStack/Env'], warnings: 0 });
  });

  test('a commented-out constraint line is no constraint, on both paths', () => {
    const commented = `# -c${MOUNTED}\napache-airflow-providers-snowflake\n`;
    expect(reports(construct(commented))).toEqual({ findings: [], warnings: 1 });
    expect(reports(plain(commented)).findings).toEqual(['TestStack/Env']);
  });
});

/**
 * The parser itself, line by line, following pip's requirements file format: a `#` at the start of a
 * line or after a blank starts a comment, one inside a token (a URL fragment) does not.
 * https://pip.pypa.io/en/stable/reference/requirements-file-format/
 */
describe('a requirements file that installs the plugins folder itself', () => {
  const withRequirements = (plugins: boolean) => {
    const stack = newStack();
    const project = writeTree({ 'requirements.txt': `-c ${MOUNTED}\n/usr/local/airflow/plugins\n`, 'plugins/constraints.txt': 'x==1\n', 'plugins/setup.py': '' });
    new PrivateMwaaEnvironment(stack, 'Airflow', {
      environmentName: 'test-env',
      vpc: newVpc(stack),
      requirements: DependencyFile.fromAsset(path.join(project, 'requirements.txt')),
      plugins: plugins ? DependencyFile.fromAsset(path.join(project, 'plugins')) : undefined,
      airflowConfigurationOptions: { 'core.lazy_load_plugins': 'False' },
    });
  };

  test('needs plugins, and with them is no missing file', () => {
    expect(() => withRequirements(false)).toThrow(/^`requirements` installs files from \/usr\/local\/airflow\/plugins but the environment has no plugins \(set `plugins`\), got: constraints\.txt, \.$/);
    expect(() => withRequirements(true)).not.toThrow();
  });
});

describe('parseRequirements', () => {
  const NOTHING = { constraints: [], noIndex: false, indexUrls: [], packages: [], pluginReferences: [] };

  test('an inline comment after an option or a requirement is not part of it', () => {
    expect(parseRequirements([
      `-c ${MOUNTED}  # pinned`,
      '--no-index  # wheels only',
      '--find-links /usr/local/airflow/plugins\t# here',
      'snowflake==3.0 # from a wheel',
    ].join('\n'))).toEqual({ ...NOTHING, constraints: [MOUNTED], noIndex: true, packages: ['snowflake==3.0'], pluginReferences: ['constraints.txt'] });
  });

  test('a # inside a token is kept (a URL fragment), a whole-line comment and blank lines are skipped', () => {
    expect(parseRequirements('# a comment\n\n   \ngit+https://github.com/corp/lib.git#egg=lib\n')).toEqual({
      ...NOTHING, packages: ['git+https://github.com/corp/lib.git#egg=lib'],
    });
  });

  test('--no-index only as a whole option: a longer option of that prefix is not it', () => {
    expect(parseRequirements('--no-index-please\n').noIndex).toBe(false);
    expect(parseRequirements('--no-index\r\nsnowflake\r\n')).toEqual({ ...NOTHING, noIndex: true, packages: ['snowflake'] });
  });

  test('index options are indexes, --find-links is not, and quotes around a value are dropped', () => {
    expect(parseRequirements([
      '-i https://repo.example.com/simple/',
      '--index-url=https://second.example.com/simple/',
      "--extra-index-url 'https://third.example.com/simple/'",
      '-f /usr/local/airflow/plugins/wheels',
      '--find-links=https://wheels.example.com/',
    ].join('\n'))).toEqual({ ...NOTHING, indexUrls: ['https://repo.example.com/simple/', 'https://second.example.com/simple/', 'https://third.example.com/simple/'] });
  });

  test('only quotes around the whole value are dropped, not quotes inside it', () => {
    expect(parseRequirements('-i https://repo.example.com/simple/?q="a"\n--extra-index-url "https://b.example.com/simple/"x\n').indexUrls)
      .toEqual(['https://repo.example.com/simple/?q="a"', '"https://b.example.com/simple/"x']);
  });

  test('constraints anywhere are constraints; only those under the plugins mount are plugin references', () => {
    expect(parseRequirements(`--constraint "${URL}"\n-c file://${MOUNTED}\n-c/tmp/other.txt\n`)).toEqual({
      ...NOTHING, constraints: [URL, `file://${MOUNTED}`, '/tmp/other.txt'], pluginReferences: ['constraints.txt'],
    });
  });

  test('an option is one only at the start of its line: a package whose name ends in -c, -i or -f is a package', () => {
    expect(parseRequirements('tool-c >= 1.0\nlib-i 2.0\n')).toEqual({ ...NOTHING, packages: ['tool-c >= 1.0', 'lib-i 2.0'] });
  });

  test('any run of blanks may separate an option from its value', () => {
    expect(parseRequirements(`--constraint   ${MOUNTED}\n-i \t https://repo.example.com/simple/\n`)).toEqual({
      ...NOTHING, constraints: [MOUNTED], indexUrls: ['https://repo.example.com/simple/'], pluginReferences: ['constraints.txt'],
    });
  });

  test('the plugins folder itself, installed as a project, refers to the plugins as a whole (.)', () => {
    expect(parseRequirements('/usr/local/airflow/plugins\n/usr/local/airflow/plugins/\n').pluginReferences).toEqual(['.', '.']);
  });

  test('local files: under the mount they are plugin references (normalized, markers dropped), elsewhere neither package nor reference', () => {
    expect(parseRequirements([
      '/usr/local/airflow/plugins/wheels/tool-1.0-py3-none-any.whl',
      'file:///usr/local/airflow/plugins/a-1.0-py3-none-any.whl; python_version>"3"',
      '/usr/local/airflow/plugins/../plugins/b-1.0-py3-none-any.whl',
      '/usr/local/airflow/plugins/e-1.0-py3-none-any.whl --hash=sha256:0123abcd',
      '/usr/local/airflow/pluginsX/c-1.0-py3-none-any.whl',
      '/tmp/d-1.0-py3-none-any.whl',
      '-r other.txt',
    ].join('\n'))).toEqual({ ...NOTHING, pluginReferences: ['wheels/tool-1.0-py3-none-any.whl', 'a-1.0-py3-none-any.whl', 'b-1.0-py3-none-any.whl', 'e-1.0-py3-none-any.whl'] });
  });
});
