import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Annotations as CoreAnnotations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Dags, MwaaWarnings, PrivateMwaaEnvironment } from '../src';
import { newStack, newVpc, PartialProps } from './support/fixtures';

// A DAG folder synchronised by `Dags.fromAsset` with pruning (the default) deletes, on every
// deployment, what people with DAG deployment rights uploaded there: one acknowledgeable warning.
function dagFolder(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dags-'));
  fs.writeFileSync(path.join(dir, 'hello.py'), 'from airflow import DAG\n');
  return dir;
}

function build(props: PartialProps) {
  const stack = newStack();
  const env = new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'test-env', vpc: newVpc(stack), ...props });
  return { stack, env };
}

function ownerWarnings(stack: ReturnType<typeof newStack>) {
  return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(`\\[ack: ${MwaaWarnings.PRUNED_DAG_FOLDER_WRITABLE}\\]`));
}

const MESSAGE = (writer: string) => new RegExp(
  `^\`Dags.fromAsset\` synchronises the DAG folder dags/ with pruning, and DAG deployment is granted to ${writer} \\(and maybe others\\): every deployment deletes the DAGs they upload\\. `
  + 'Choose one owner: `Dags.fromAsset\\(path, \\{ prune: false \\}\\)` to keep their DAGs \\(files removed from the local folder then stay in the bucket\\), '
  + 'or deploy DAGs only from the local folder and acknowledge this warning\\.');

test('the developer profile\'s group and a pruned DAG folder: one warning, on the environment, naming the policy', () => {
  const { stack } = build({ dags: Dags.fromAsset(dagFolder()) });
  const warnings = ownerWarnings(stack);
  expect(warnings.map(w => w.id)).toEqual(['/TestStack/Airflow']);
  expect(warnings[0].entry.data).toMatch(MESSAGE('TestStack/Airflow/DevelopersAccessPolicy'));
});

test('prune: false keeps people\'s DAGs: no warning', () => {
  const { stack } = build({ dags: Dags.fromAsset(dagFolder(), { prune: false }) });
  expect(ownerWarnings(stack)).toHaveLength(0);
});

test('a DAG folder deployed another way (fromBucket) has no pruning: no warning', () => {
  const { stack } = build({ dags: Dags.fromBucket() });
  expect(ownerWarnings(stack)).toHaveLength(0);
});

test('without groups nobody writes DAGs: no warning, until grantDagDeployment after construction: one warning, naming the first grantee', () => {
  const { stack, env } = build({ dags: Dags.fromAsset(dagFolder()), peopleAccess: { createGroups: false } });
  const role = new iam.Role(stack, 'CiRole', { assumedBy: new iam.AccountRootPrincipal() });
  const other = new iam.Role(stack, 'Teammate', { assumedBy: new iam.AccountRootPrincipal() });
  expect(ownerWarnings(stack)).toHaveLength(0);
  env.grantDagDeployment(role);
  env.grantDagDeployment(other);
  env.grantDagDeployment(role);
  const warnings = ownerWarnings(stack);
  expect(warnings).toHaveLength(1);
  expect(warnings[0].entry.data).toMatch(MESSAGE('TestStack/CiRole'));
});

test('other grants do not count as DAG writes', () => {
  const { stack, env } = build({ dags: Dags.fromAsset(dagFolder()), peopleAccess: { createGroups: false } });
  const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
  env.grantReadLogs(role);
  env.grantDependencyDeployment(role);
  expect(ownerWarnings(stack)).toHaveLength(0);
});

test('acknowledged on the environment, it is not reported', () => {
  const { stack, env } = build({ dags: Dags.fromAsset(dagFolder()) });
  CoreAnnotations.of(env).acknowledgeWarning(MwaaWarnings.PRUNED_DAG_FOLDER_WRITABLE, 'CI owns the DAG folder; developers test in their own environment.');
  expect(ownerWarnings(stack)).toHaveLength(0);
});
