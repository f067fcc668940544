// Flux API versions older than the ones Sluice decodes, converted as Flux converted them: the CRDs had no
// conversion webhook (strategy None), so the API server only rewrote apiVersion, and the controllers, reading
// their current Go types, ignored every field those types no longer have. Each conversion leaves status notes.
import { DEFAULT_NAMESPACE, objectRef } from './object-meta.ts';

/** A field the current version no longer has: Flux ignores it, and so does Sluice, saying what to do instead. */
interface DroppedField {
  /** Path below the object; '[]' walks every item of a list. */
  path: readonly string[];
  advice: string;
}

interface OlderVersion {
  current: string;
  /** The last Flux minor release whose CRDs still served this version, and the first that did not. */
  lastServedBy: string;
  removedIn: string;
  kinds: Readonly<Record<string, readonly DroppedField[]>>;
}

const PATCHES_ADVICE = 'write it as an item of spec.patches';
const POST_RENDER_PATCHES = 'write it as an item of the same post-renderer’s kustomize.patches';
const HELM_RELEASE_DROPS: readonly DroppedField[] = [
  {
    path: ['spec', 'chart', 'spec', 'valuesFile'],
    advice: 'list the file in spec.chart.spec.valuesFiles',
  },
  {
    path: ['spec', 'postRenderers', '[]', 'kustomize', 'patchesStrategicMerge'],
    advice: POST_RENDER_PATCHES,
  },
  { path: ['spec', 'postRenderers', '[]', 'kustomize', 'patchesJson6902'], advice: POST_RENDER_PATCHES },
];

/**
 * The older versions Sluice accepts: those Flux 2.7 still served (2.8 serves only v1/v2), and helm v2beta1,
 * served until Flux 2.6. Field lists: the api/ Go types of each version against the current one.
 */
export const OLDER_FLUX_API_VERSIONS: Readonly<Record<string, OlderVersion>> = {
  'kustomize.toolkit.fluxcd.io/v1beta2': {
    current: 'kustomize.toolkit.fluxcd.io/v1',
    lastServedBy: 'Flux 2.7',
    removedIn: 'Flux 2.8',
    kinds: {
      Kustomization: [
        { path: ['spec', 'patchesStrategicMerge'], advice: PATCHES_ADVICE },
        { path: ['spec', 'patchesJson6902'], advice: `${PATCHES_ADVICE} with its target` },
        { path: ['spec', 'validation'], advice: 'remove it: server-side apply always validates' },
      ],
    },
  },
  'source.toolkit.fluxcd.io/v1beta2': {
    current: 'source.toolkit.fluxcd.io/v1',
    lastServedBy: 'Flux 2.7',
    removedIn: 'Flux 2.8',
    kinds: {
      GitRepository: [
        { path: ['spec', 'gitImplementation'], advice: 'remove it: Flux always uses go-git' },
        { path: ['spec', 'accessFrom'], advice: 'remove it: a GitRepository v1 has no access control' },
      ],
      HelmRepository: [],
      HelmChart: [
        { path: ['spec', 'valuesFile'], advice: 'list the file in spec.valuesFiles' },
        { path: ['spec', 'accessFrom'], advice: 'remove it: a HelmChart v1 has no access control' },
      ],
      OCIRepository: [],
      Bucket: [{ path: ['spec', 'accessFrom'], advice: 'remove it: a Bucket v1 has no access control' }],
    },
  },
  'helm.toolkit.fluxcd.io/v2beta2': {
    current: 'helm.toolkit.fluxcd.io/v2',
    lastServedBy: 'Flux 2.7',
    removedIn: 'Flux 2.8',
    kinds: { HelmRelease: HELM_RELEASE_DROPS },
  },
  'helm.toolkit.fluxcd.io/v2beta1': {
    current: 'helm.toolkit.fluxcd.io/v2',
    lastServedBy: 'Flux 2.6',
    removedIn: 'Flux 2.7',
    kinds: { HelmRelease: HELM_RELEASE_DROPS },
  },
};

/** The apiVersion Sluice decodes an object of this kind as: the current one for an accepted older version. */
export function currentApiVersion(apiVersion: string, kind: string): string {
  const older = OLDER_FLUX_API_VERSIONS[apiVersion];
  return older?.kinds[kind] ? older.current : apiVersion;
}

export interface Conversion {
  object: Record<string, unknown>;
  /** One per converted object (the deprecation), then one per dropped field, each naming the object. */
  notes: string[];
}

/**
 * Converts an object of an accepted older version to the current one, or returns undefined when it is not
 * one. The input is not changed: the dropped fields are removed from copies of the maps that held them.
 */
export function convertOlderApiVersion(raw: Record<string, unknown>): Conversion | undefined {
  const apiVersion = String(raw.apiVersion ?? '');
  const kind = String(raw.kind ?? '');
  const older = OLDER_FLUX_API_VERSIONS[apiVersion];
  const dropped = older?.kinds[kind];
  if (!older || !dropped) return undefined;
  const ref = objectRef(kind, refMeta(raw.metadata));
  const currentVersion = older.current.slice(older.current.indexOf('/') + 1);
  const notes = [
    `${ref}: ${apiVersion} is deprecated and no longer served since ${older.removedIn}; Sluice converts it to ${currentVersion} as ${older.lastServedBy} did — move to ${older.current}`,
  ];
  let object: Record<string, unknown> = { ...raw, apiVersion: older.current };
  for (const field of dropped) {
    object = without(object, field.path, [], (at) =>
      notes.push(
        `${ref}: ${at} is not a field of ${older.current}, so Flux ignores it and so does Sluice; ${field.advice}`,
      ),
    ) as Record<string, unknown>;
  }
  return { object, notes };
}

/** Copies `value` without the field at `path`, calling `found` with the written path of each one removed. */
function without(
  value: unknown,
  path: readonly string[],
  walked: string[],
  found: (at: string) => void,
): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  if (head === '[]') {
    if (!Array.isArray(value)) return value;
    return value.map((item, i) =>
      without(item, rest, [...walked.slice(0, -1), `${walked.at(-1)}[${i}]`], found),
    );
  }
  if (!isPlainObject(value) || !(head in value)) return value;
  if (rest.length === 0) {
    const { [head]: _dropped, ...kept } = value;
    found([...walked, head].join('.'));
    return kept;
  }
  return { ...value, [head]: without(value[head], rest, [...walked, head], found) };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function refMeta(metadata: unknown): { name: string; namespace: string } {
  const meta = isPlainObject(metadata) ? metadata : {};
  const namespace = typeof meta.namespace === 'string' && meta.namespace ? meta.namespace : DEFAULT_NAMESPACE;
  return { name: String(meta.name ?? ''), namespace };
}
