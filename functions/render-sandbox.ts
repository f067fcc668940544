// Lambda: the tool sandbox. Runs kustomize on a workspace lent through pre-signed URLs and answers with
// the outcome. Its role has no permissions and its environment no settings: nothing to steal.
import { tmpdir } from 'node:os';
import { ConfinedProcess } from '../shared/adapters/render/confined-process.ts';
import { KubectlKustomize } from '../shared/adapters/render/kubectl-kustomize.ts';
import { runSandboxRequest, type SandboxRequest } from '../shared/adapters/render/sandbox-request.ts';
import { resolveToolPath } from '../shared/adapters/render/tool-paths.ts';

let kustomize: KubectlKustomize | undefined;

export async function handler(event: SandboxRequest) {
  kustomize ??= new KubectlKustomize(resolveToolPath('kubectl'), { confined: new ConfinedProcess('auto') });
  return runSandboxRequest({ kustomize, scratchDir: tmpdir() }, event);
}
