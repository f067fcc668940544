// Lambda: the tool sandbox. Runs kustomize or `helm template` on a workspace lent through pre-signed URLs
// and answers with the outcome. Its role has no permissions and its environment no settings: nothing to steal.
import { tmpdir } from 'node:os';
import { ConfinedHelm } from '../shared/adapters/render/confined-helm.ts';
import { ConfinedProcess } from '../shared/adapters/render/confined-process.ts';
import { KubectlKustomize } from '../shared/adapters/render/kubectl-kustomize.ts';
import { runSandboxRequest, type SandboxRequest } from '../shared/adapters/render/sandbox-request.ts';
import { resolveToolPath } from '../shared/adapters/render/tool-paths.ts';

let kustomize: KubectlKustomize | undefined;
let helm: ConfinedHelm | undefined;

export async function handler(event: SandboxRequest) {
  kustomize ??= new KubectlKustomize(resolveToolPath('kubectl'), { confined: new ConfinedProcess('auto') });
  helm ??= new ConfinedHelm(resolveToolPath('helm'), { confined: new ConfinedProcess('auto') });
  return runSandboxRequest({ kustomize, helm, scratchDir: tmpdir() }, event);
}
