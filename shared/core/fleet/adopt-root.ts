// A cluster's root as its fleet declares it: the gotk-sync.yaml objects `flux bootstrap` wrote (as the root's
// own render produced them, so kustomization.yaml patches are applied) or a FluxInstance's spec.sync.
import { decodeResource } from '../../api/decode-resource.ts';
import type { Kustomization } from '../../api/kustomization.ts';
import { canonicalJson } from '../canonical-json.ts';
import { redactUrl } from '../git/select-ref.ts';
import { takeSourceFile } from '../render/source-file.ts';
import type { KubeObject } from '../render/yaml-codec.ts';
import { normalizeFleetPath } from './cluster-root.ts';
import { type FluxInstanceSync, fluxInstanceSync, isFluxInstance } from './flux-instance.ts';
import { sameRepository } from './same-repository.ts';

export interface RootAdoptionInput {
  /** The root Kustomization the render used (configured, or adopted by an earlier pass). */
  configured: Kustomization;
  objects: readonly KubeObject[];
  /** The fleet source the root renders from. */
  fleet: { url: string; branch?: string | undefined };
  /** The cluster's configured variables: they win over the fleet's postBuild.substitute. */
  variables: Record<string, string>;
}

export interface RootAdoption {
  /** The root as the fleet declares it, set only when it differs from `configured`: render again with it. */
  kustomization?: Kustomization;
  /** Where the root was read from, for the status: `clusters/dev/flux-system/gotk-sync.yaml`, a FluxInstance. */
  readFrom?: string;
  /** The render's objects without the root's own GitRepository and Kustomization: they are the fleet itself. */
  objects: KubeObject[];
  warnings: string[];
}

const KUSTOMIZE_API = /^kustomize\.toolkit\.fluxcd\.io\//;
const SOURCE_API = /^source\.toolkit\.fluxcd\.io\//;

export function adoptRoot(input: RootAdoptionInput): RootAdoption {
  const root = input.configured.metadata;
  const isSelf = (obj: KubeObject, api: RegExp, kind: string) => {
    const meta = (obj.metadata ?? {}) as { name?: string; namespace?: string };
    return (
      obj.kind === kind &&
      api.test(String(obj.apiVersion ?? '')) &&
      meta.name === root.name &&
      (meta.namespace ?? root.namespace) === root.namespace
    );
  };
  const selfKs = input.objects.find((o) => isSelf(o, KUSTOMIZE_API, 'Kustomization'));
  const selfGit = input.objects.find((o) => isSelf(o, SOURCE_API, 'GitRepository'));
  const objects = input.objects.filter((o) => o !== selfKs && o !== selfGit);
  const instances = input.objects.filter(isFluxInstance).map(fluxInstanceSync);
  const sync = instances.find((s) => s !== undefined);
  const warnings: string[] = [];
  if (instances.filter(Boolean).length > 1)
    warnings.push(
      `the root renders ${instances.length} FluxInstances; Sluice reads the first (${sync?.ref}): keep one per cluster, as the Flux Operator does`,
    );
  if (sync) return { ...fromFluxInstance(input, sync, warnings), objects };
  if (selfKs) return { ...fromGotkSync(input, selfKs, selfGit, warnings), objects };
  return { objects, warnings };
}

function fromFluxInstance(
  input: RootAdoptionInput,
  sync: FluxInstanceSync,
  warnings: string[],
): Omit<RootAdoption, 'objects'> {
  const at = sync.ref;
  if (sync.kind !== 'GitRepository') {
    warnings.push(
      `${at}: spec.sync.kind ${sync.kind || '(unset)'} is not supported for the fleet root by Sluice; the root renders from the configured fleet repository at ${input.configured.spec.path}: sync from a GitRepository, or set the cluster's path`,
    );
    return { warnings };
  }
  checkRepository(warnings, `${at}: spec.sync.url`, sync.url, input.fleet.url);
  const branch = /^refs\/heads\/(.+)$/.exec(sync.gitRef)?.[1];
  if (sync.gitRef && !branch)
    warnings.push(
      `${at}: spec.sync.ref ${sync.gitRef} is not a branch (refs/heads/<branch>); Sluice follows the configured branch ${input.fleet.branch ?? ''}`,
    );
  else checkBranch(warnings, `${at}: spec.sync.ref`, branch, input.fleet.branch);
  const root = input.configured.metadata;
  if (sync.root.name !== root.name || sync.root.namespace !== root.namespace)
    warnings.push(
      `${at}: spec.sync names the root ${sync.root.namespace}/${sync.root.name}, the configuration ${root.namespace}/${root.name}: set the cluster's root to { name: ${sync.root.name}, namespace: ${sync.root.namespace} } so children naming GitRepository ${sync.root.name} find the fleet`,
    );
  const path = normalizeFleetPath(sync.path);
  if (!sync.path || !insidePath(sync.path)) {
    warnings.push(
      `${at}: spec.sync.path ${JSON.stringify(sync.path)} is not a directory inside the repository; the root stays at ${input.configured.spec.path}`,
    );
    return { readFrom: at, warnings };
  }
  const spec = { ...input.configured.spec, path: `./${path}` };
  return { ...changed(input.configured, { ...input.configured, spec }), readFrom: at, warnings };
}

function fromGotkSync(
  input: RootAdoptionInput,
  selfKs: KubeObject,
  selfGit: KubeObject | undefined,
  warnings: string[],
): Omit<RootAdoption, 'objects'> {
  const { object, file } = takeSourceFile(selfKs);
  const where = file ?? `the output of ${input.configured.spec.path}`;
  const decoded = decodeResource(object, { file: where, document: 0 }, warnings);
  if (decoded.kind !== 'Kustomization') return { warnings };
  const root = input.configured.metadata;
  const ref = decoded.spec.sourceRef;
  if (
    ref.kind !== 'GitRepository' ||
    ref.name !== root.name ||
    (ref.namespace ?? root.namespace) !== root.namespace
  )
    warnings.push(
      `${where}: Kustomization ${root.namespace}/${root.name} spec.sourceRef is ${ref.kind} ${ref.name}; Sluice renders the root from the configured fleet repository (GitRepository ${root.name})`,
    );
  if (selfGit) {
    const gitFile = takeSourceFile(selfGit).file ?? where;
    const spec = (selfGit.spec ?? {}) as { url?: unknown; ref?: Record<string, unknown> };
    checkRepository(
      warnings,
      `${gitFile}: GitRepository ${root.namespace}/${root.name} spec.url`,
      String(spec.url ?? ''),
      input.fleet.url,
    );
    const gitRef = spec.ref ?? {};
    const other = ['tag', 'semver', 'commit', 'name'].find((k) => typeof gitRef[k] === 'string' && gitRef[k]);
    if (other)
      warnings.push(
        `${gitFile}: GitRepository ${root.namespace}/${root.name} spec.ref.${other} is not followed; Sluice follows the configured branch ${input.fleet.branch ?? ''}`,
      );
    else
      checkBranch(
        warnings,
        `${gitFile}: GitRepository ${root.namespace}/${root.name} spec.ref.branch`,
        typeof gitRef.branch === 'string' ? gitRef.branch : undefined,
        input.fleet.branch,
      );
  }
  if (!insidePath(decoded.spec.path ?? ''))
    warnings.push(
      `${where}: Kustomization ${root.namespace}/${root.name} spec.path ${JSON.stringify(decoded.spec.path)} is not a directory inside the repository; the root stays at ${input.configured.spec.path}`,
    );
  const substitute = { ...decoded.spec.postBuild?.substitute, ...input.variables };
  const postBuild =
    decoded.spec.postBuild || Object.keys(substitute).length > 0
      ? {
          ...decoded.spec.postBuild,
          ...(Object.keys(substitute).length > 0 && { substitute }),
        }
      : undefined;
  const { postBuild: _, ...rest } = decoded.spec;
  const adopted: Kustomization = {
    ...input.configured,
    spec: {
      ...rest,
      // The fleet source and its interval stay Sluice's: the root follows the configured repository.
      sourceRef: input.configured.spec.sourceRef,
      intervalMs: input.configured.spec.intervalMs,
      path: insidePath(decoded.spec.path ?? '')
        ? `./${normalizeFleetPath(decoded.spec.path ?? '')}`
        : input.configured.spec.path,
      ...(postBuild && { postBuild }),
    },
    source: decoded.source,
  };
  return { ...changed(input.configured, adopted), readFrom: where, warnings };
}

/** Only a different spec renders again; the same spec read from another file is the same root. */
function changed(configured: Kustomization, adopted: Kustomization): { kustomization?: Kustomization } {
  return canonicalJson(configured.spec) === canonicalJson(adopted.spec) ? {} : { kustomization: adopted };
}

function checkRepository(warnings: string[], at: string, declared: string, fleet: string): void {
  if (!declared || sameRepository(declared, fleet)) return;
  warnings.push(
    `${at} is ${redactUrl(declared)}, not the configured fleet ${redactUrl(fleet)}; Sluice renders the configured fleet and does not follow it to another repository: correct the URL, or point Sluice's fleet at that repository`,
  );
}

function checkBranch(
  warnings: string[],
  at: string,
  declared: string | undefined,
  fleet: string | undefined,
): void {
  if (!declared || !fleet || declared === fleet) return;
  warnings.push(
    `${at} is branch ${declared}, the configuration follows ${fleet}; Sluice renders ${fleet}: set the cluster's branch to ${declared}, or correct the file`,
  );
}

/** A path Flux would resolve inside the repository: relative, without `..`. */
function insidePath(path: string): boolean {
  return !path.startsWith('/') && !normalizeFleetPath(path).split('/').includes('..');
}
