// The Flux Operator's FluxInstance (fluxcd.controlplane.io/v1) as Sluice reads it: only its spec.sync, the
// cluster's root. Its distribution, components and cluster settings install Flux, which Sluice replaces.
import { takeSourceFile } from '../render/source-file.ts';
import type { KubeObject } from '../render/yaml-codec.ts';

export interface FluxInstanceSync {
  /** Where it was found: `<file>: FluxInstance/<namespace>/<name>`, the file when the render knows it. */
  ref: string;
  kind: string;
  url: string;
  /** A Git reference: `refs/heads/<branch>`, `refs/tags/<tag>`, or a commit. */
  gitRef: string;
  path: string;
  /** The root GitRepository and Kustomization: spec.sync.name, default the instance's namespace. */
  root: { namespace: string; name: string };
}

export function isFluxInstance(obj: KubeObject): boolean {
  return obj.kind === 'FluxInstance' && String(obj.apiVersion ?? '').startsWith('fluxcd.controlplane.io/');
}

/** The status line of a FluxInstance in a render's output: skipped like gotk-components.yaml. */
export function skippedFluxInstance(obj: KubeObject): string {
  const { file } = takeSourceFile(obj);
  return `${file ? `${file}: ` : ''}${instanceRef(obj)}: its distribution, components and cluster settings install Flux, which Sluice replaces, so it was skipped and not applied; its spec.sync is this cluster's root`;
}

/** The sync of a FluxInstance, or undefined when it declares none. */
export function fluxInstanceSync(obj: KubeObject): FluxInstanceSync | undefined {
  const spec = (obj.spec ?? {}) as { sync?: Record<string, unknown> };
  const sync = spec.sync;
  if (!sync || typeof sync !== 'object') return undefined;
  const namespace = String((obj.metadata as { namespace?: string } | undefined)?.namespace ?? 'flux-system');
  const { file } = takeSourceFile(obj);
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  return {
    ref: file ? `${file}: ${instanceRef(obj)}` : instanceRef(obj),
    kind: text(sync.kind),
    url: text(sync.url),
    gitRef: text(sync.ref),
    path: text(sync.path),
    root: { namespace, name: text(sync.name) || namespace },
  };
}

function instanceRef(obj: KubeObject): string {
  const meta = (obj.metadata ?? {}) as { name?: string; namespace?: string };
  return `FluxInstance/${meta.namespace ?? 'flux-system'}/${meta.name ?? ''}`;
}
