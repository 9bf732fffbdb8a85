import { Annotations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { MwaaWarnings } from '../warnings';

// Who owns an environment's DAG folder. `Dags.fromAsset` with pruning deletes, on every deployment,
// what is not in the local folder; `grantDagDeployment` (the developer profile has it) lets someone
// upload there. Either feature records its half here, below both, and the second half to arrive
// reports the warning (at that moment, so that an acknowledgement made afterwards still removes it).
interface DagFolderUse {
  prunedFolder?: string;
  writer?: string;
  warned: boolean;
}

const USES = new WeakMap<IConstruct, DagFolderUse>();

function useOf(env: IConstruct): DagFolderUse {
  let use = USES.get(env);
  if (use === undefined) {
    use = { warned: false };
    USES.set(env, use);
  }
  return use;
}

/** Record that the DAG folder of `env` is synchronised from a local folder with pruning. */
export function recordPrunedDagFolder(env: IConstruct, folder: string): void {
  useOf(env).prunedFolder = folder;
  judge(env);
}

/** Record that `who` may write to the DAG folder of `env`. */
export function recordDagWriter(env: IConstruct, who: string): void {
  const use = useOf(env);
  use.writer = use.writer ?? who;
  judge(env);
}

function judge(env: IConstruct): void {
  const use = useOf(env);
  if (use.warned || use.prunedFolder === undefined || use.writer === undefined) {
    return;
  }
  use.warned = true;
  Annotations.of(env).addWarningV2(MwaaWarnings.PRUNED_DAG_FOLDER_WRITABLE,
    `\`Dags.fromAsset\` synchronises the DAG folder ${use.prunedFolder}/ with pruning, and DAG deployment is granted to ${use.writer} (and maybe others): every deployment deletes the DAGs they upload. Choose one owner: \`Dags.fromAsset(path, { prune: false })\` to keep their DAGs (files removed from the local folder then stay in the bucket), or deploy DAGs only from the local folder and acknowledge this warning.`);
}
