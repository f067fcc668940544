// Builds the render dependencies for a local process (CLI, embedded control plane, tests): the real
// kustomize from the unpacked layer, a scratch overlay directory, and an in-memory render cache.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fsTreeReader } from '../adapters/local/fs-tree-reader.ts';
import { MemoryRenderCache } from '../adapters/local/memory-render-cache.ts';
import { KubectlKustomize } from '../adapters/render/kubectl-kustomize.ts';
import { OverlayWorkspaces } from '../adapters/render/overlay-workspaces.ts';
import { resolveToolPath } from '../adapters/render/tool-paths.ts';
import type { RenderDeps } from '../usecases/render-kustomization.ts';

export interface LocalRenderOptions {
  /** Explicit kubectl binary (SLUICE_KUBECTL); otherwise the project's unpacked copy or /opt/kubectl. */
  kubectlPath?: string;
  scratchDir?: string;
}

export function createLocalRenderDeps(opts: LocalRenderOptions = {}): RenderDeps {
  return {
    tree: fsTreeReader,
    workspaces: new OverlayWorkspaces(opts.scratchDir ?? join(tmpdir(), 'sluice-render')),
    kustomize: new KubectlKustomize(resolveToolPath('kubectl', opts.kubectlPath)),
    cache: new MemoryRenderCache(),
  };
}
