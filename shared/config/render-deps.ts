// Builds the render dependencies for a local process (CLI, embedded control plane, tests): the real
// kustomize from the unpacked layer, run confined, a scratch overlay directory, and an in-memory render cache.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fsTreeReader } from '../adapters/local/fs-tree-reader.ts';
import { MemoryRenderCache } from '../adapters/local/memory-render-cache.ts';
import { ConfinedHelm } from '../adapters/render/confined-helm.ts';
import {
  ConfinedProcess,
  type SandboxPreference,
  type ToolLimits,
} from '../adapters/render/confined-process.ts';
import { KubectlKustomize } from '../adapters/render/kubectl-kustomize.ts';
import { LocalHelmTemplate } from '../adapters/render/local-helm-template.ts';
import { OverlayWorkspaces } from '../adapters/render/overlay-workspaces.ts';
import { resolveToolPath } from '../adapters/render/tool-paths.ts';
import type { SopsKeyring } from '../ports/sops-keyring.ts';
import type { RemotePolicy, RenderDeps } from '../usecases/render-kustomization.ts';

import { createSopsKeyring } from './sops-keyring.ts';

export interface LocalRenderOptions {
  /** Explicit kubectl binary (SLUICE_KUBECTL); otherwise the project's unpacked copy or /opt/kubectl. */
  kubectlPath?: string;
  scratchDir?: string;
  /** bubblewrap when the host has it (`auto`, the default), always (`bwrap`) or never (`none`). */
  sandbox?: SandboxPreference;
  /** Time, memory and output bounds of one kustomize run. */
  limits?: Partial<ToolLimits>;
  /** Host check for remote bases; without one, remote references are refused even when enabled. */
  remotePolicy?: RemotePolicy;
  /** SOPS keys for spec.decryption (Secret-held age/PGP keys; KMS only when the process has AWS credentials). */
  sops?: SopsKeyring;
}

export function createLocalRenderDeps(opts: LocalRenderOptions = {}): RenderDeps {
  const confined = new ConfinedProcess(opts.sandbox ?? 'auto');
  const kustomize = new KubectlKustomize(resolveToolPath('kubectl', opts.kubectlPath), {
    confined,
    ...(opts.limits && { limits: opts.limits }),
  });
  const scratchDir = opts.scratchDir ?? join(tmpdir(), 'sluice-render');
  return {
    tree: fsTreeReader,
    workspaces: new OverlayWorkspaces(scratchDir),
    kustomize,
    helm: new LocalHelmTemplate({
      helm: new ConfinedHelm(resolveToolPath('helm'), {
        confined,
        ...(opts.limits && { limits: opts.limits }),
        scratchDir,
      }),
      kustomize,
      scratchDir,
    }),
    cache: new MemoryRenderCache(),
    ...(opts.remotePolicy && { remotePolicy: opts.remotePolicy }),
    sops: opts.sops ?? createSopsKeyring({ kms: false }),
  };
}
