// The Flux objects one render found, each with what the pipeline did with it: the structured record that
// `sluice check` reads from the render status (the warnings say the same to a person, as text).
import { notHonoured } from '../../api/helm-release-not-honoured.ts';
import { convertOlderApiVersion } from '../../api/older-api-versions.ts';
import { isFluxInstance } from '../fleet/flux-instance.ts';
import type { SplitResult } from '../pipeline/split-rendered-objects.ts';
import type { KubeObject } from '../render/yaml-codec.ts';
import { fluxObjectIdentity } from './flux-objects-undeclared.ts';
import { generatedObjectsFound } from './generated-objects-found.ts';
import { resourceSetFound } from './resource-set-found.ts';

/**
 * `declared`: decoded into a source, Kustomization or HelmRelease of the cluster; `fleet-root`: gotk-sync.yaml's
 * flux-system objects, which the control plane's own root stands for; `skipped`: dropped with a warning;
 * `shipped`: applied to the cluster as a plain object, which no Sluice component acts on; `undeclared`: the
 * render that held it failed after kustomize built it (a child it could not decode, a limit), so nothing was.
 */
export type FluxObjectHandling = 'declared' | 'fleet-root' | 'skipped' | 'shipped' | 'undeclared';

export interface FluxObjectFound {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  /** The repository file that declares it, when kustomize could say; else '' (a generated object). */
  file: string;
  handling: FluxObjectHandling;
  /** Where Sluice does not do what Flux does: dropped older-version fields, fields not carried out. */
  differences: string[];
  /** Said but no difference: a deprecated apiVersion converted as Flux converted it. */
  notes: string[];
  /** Why it was skipped, as the render's status said it (the object's own warning, without its name). */
  skippedBecause?: string;
  /** It could not be carried out, already at the render (a ResourceSet whose templates fail). */
  failure?: string;
  /** An ArtifactGenerator: the ExternalArtifacts (sources of the cluster) it makes, by name. */
  produces?: string[];
}

/**
 * `objects`: the render's output (before the split, with the source-file notes); `declares`: false for a
 * HelmRelease, whose chart's Flux objects are skipped whatever they are.
 */
export function fluxObjectsFound(
  objects: readonly KubeObject[],
  split: SplitResult,
  declares: boolean,
): FluxObjectFound[] {
  const shipped = new Set<KubeObject>(split.shipped);
  const declared = new Set([
    ...[...split.gitRepositories, ...split.kustomizations, ...split.helmReleases, ...split.chartSources].map(
      (o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`,
    ),
    // An ArtifactGenerator is declared through its artifacts (ExternalArtifact sources of the cluster).
    ...split.artifacts.map((a) => `ArtifactGenerator/${a.metadata.namespace}/${a.spec.generator}`),
    ...split.discoveries.map((g) => `ArtifactGenerator/${g.metadata.namespace}/${g.metadata.name}`),
  ]);
  const reports = new Map((split.resourceSets ?? []).map((r) => [`${r.kind}/${r.namespace}/${r.name}`, r]));
  const found: FluxObjectFound[] = [];
  for (const obj of objects) {
    const identity = fluxObjectIdentity(obj);
    if (!identity) continue;
    const { kind, namespace, name } = identity;
    const conversion = convertOlderApiVersion(obj as Record<string, unknown>);
    const [deprecation, ...dropped] = (conversion?.notes ?? []).map((n) =>
      withoutRef(n, kind, namespace, name),
    );
    const spec = (conversion?.object ?? obj).spec;
    const handling = handlingOf(obj, kind, namespace, name, { declares, shipped, declared });
    const ref = `${kind}/${namespace}/${name}`;
    const prefix = `${ref}: `;
    const report = declares ? reports.get(ref) : undefined;
    const said = split.warnings.find((w) => w.startsWith(prefix));
    found.push({
      ...identity,
      handling,
      ...(handling === 'skipped' && said && { skippedBecause: said.slice(prefix.length) }),
      differences: [
        ...(isFluxInstance(obj) ? [FLUX_INSTANCE_SKIPPED] : []),
        ...dropped,
        ...(kind === 'HelmRelease' && isRecord(spec) ? notHonoured(spec) : []),
      ],
      notes: deprecation ? [deprecation] : [],
      // A ResourceSet or input provider: what its expansion said.
      ...(report && resourceSetFound(report)),
      ...(kind === 'ArtifactGenerator' && { produces: producedBy(split, namespace, name) }),
    });
  }
  if (!declares) return found;
  return [
    ...found,
    ...generatedObjectsFound(split, new Set(found.map((f) => `${f.kind}/${f.namespace}/${f.name}`))),
  ];
}

function producedBy(split: SplitResult, namespace: string, generator: string): string[] {
  return split.artifacts
    .filter((a) => a.metadata.namespace === namespace && a.spec.generator === generator)
    .map((a) => a.metadata.name);
}

const FLUX_INSTANCE_SKIPPED =
  'its distribution, components and cluster settings install Flux, which Sluice replaces, so they are not applied; its spec.sync is read as the cluster root';

function handlingOf(
  obj: KubeObject,
  kind: string,
  namespace: string,
  name: string,
  seen: { declares: boolean; shipped: Set<KubeObject>; declared: Set<string> },
): FluxObjectHandling {
  if (!seen.declares) return 'skipped';
  if (seen.shipped.has(obj)) return 'shipped';
  if (seen.declared.has(`${kind}/${namespace}/${name}`)) return 'declared';
  // Its spec.sync is the cluster's root (adopt-root.ts), the rest installs Flux: like gotk-components.yaml.
  if (isFluxInstance(obj)) return 'fleet-root';
  const fleetRoot =
    namespace === 'flux-system' &&
    name === 'flux-system' &&
    (kind === 'GitRepository' || kind === 'Kustomization');
  return fleetRoot ? 'fleet-root' : 'skipped';
}

/** The notes name the object first (`Kind/ns/name: …`); the report has it in its own columns. */
function withoutRef(note: string, kind: string, namespace: string, name: string): string {
  const prefix = `${kind}/${namespace}/${name}: `;
  return note.startsWith(prefix) ? note.slice(prefix.length) : note;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
