// Flux's GenerateManifest step as pure data: the spec fields of a Kustomization merged into the
// kustomization file (FLUX-RENDER §2), plus `sortOptions: fifo` so the kustomize CLI keeps Flux's order.
import type { KustomizationSpec } from '../../api/kustomization.ts';
import { SluiceError } from '../errors.ts';
import { KNOWN_KUSTOMIZE_FIELDS } from './kustomize-fields.ts';

type Raw = Record<string, unknown>;

export interface MergeInput {
  /** The parsed kustomization file, or undefined when Flux generates one. */
  existing: Raw | undefined;
  /** Resources of a generated file (`./a.yaml`, `./sub`); ignored when `existing` is set. */
  generatedResources: string[];
  spec: KustomizationSpec;
  /** Whether `<dirPath>/<component>` exists, for ignoreMissingComponents. */
  componentExists: (component: string) => boolean;
  /** Object reference for error messages, e.g. `Kustomization/flux-system/apps`. */
  objectRef: string;
}

export function mergeKustomization(input: MergeInput): Raw {
  const { spec, existing } = input;
  const k: Raw = existing
    ? Object.fromEntries(Object.entries(existing).filter(([key]) => KNOWN_KUSTOMIZE_FIELDS.has(key)))
    : generated(input.generatedResources);
  k.apiVersion ??= 'kustomize.config.k8s.io/v1beta1';
  k.kind ??= 'Kustomization';

  if (existing && !hasItems(k.resources)) k.buildMetadata = ['originAnnotations'];
  if (spec.targetNamespace !== undefined) k.namespace = spec.targetNamespace;
  if (spec.namePrefix !== undefined) k.namePrefix = spec.namePrefix;
  if (spec.nameSuffix !== undefined) k.nameSuffix = spec.nameSuffix;
  if (spec.patches?.length) k.patches = [...asList(k.patches), ...spec.patches.map((p) => ({ ...p }))];
  if (spec.components?.length) {
    const extra = spec.components.filter((component, i) => {
      if (!isLocalRelativePath(component)) {
        throw new SluiceError(
          'BuildFailed',
          `${input.objectRef}: spec.components[${i}]: component path '${component}' must be local and relative`,
          { object: input.objectRef, field: `spec.components[${i}]` },
        );
      }
      return !(spec.ignoreMissingComponents && !input.componentExists(component));
    });
    if (extra.length) k.components = [...asList(k.components), ...extra];
  }
  if (spec.images?.length) k.images = mergeImages(asList(k.images) as Raw[], spec.images);
  if (!k.sortOptions) k.sortOptions = { order: 'fifo' };
  return k;
}

function generated(resources: string[]): Raw {
  const k: Raw = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization' };
  if (resources.length === 0) k.namespace = '_placeholder';
  else k.resources = resources;
  return k;
}

function hasItems(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0;
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** pkg/kustomize v1.39 semantics: newTag and digest are replaced together when either is set. */
function mergeImages(existing: Raw[], images: KustomizationSpec['images'] & object): Raw[] {
  const out = existing.map((image) => ({ ...image }));
  for (const image of images) {
    const found = out.find((e) => e.name === image.name);
    if (!found) {
      out.push({ ...image });
      continue;
    }
    if (image.newName) found.newName = image.newName;
    if (image.newTag || image.digest) {
      setOrDelete(found, 'newTag', image.newTag);
      setOrDelete(found, 'digest', image.digest);
    }
  }
  return out;
}

function setOrDelete(target: Raw, key: string, value: string | undefined): void {
  if (value) target[key] = value;
  else delete target[key];
}

const REMOTE_PREFIXES = [
  'git::',
  'gh:',
  'ssh://',
  'https://',
  'http://',
  'git@',
  'github.com:',
  'github.com/',
];

/** Flux's IsLocalRelativePath: no remote URL forms, no absolute paths. */
export function isLocalRelativePath(path: string): boolean {
  const lower = path.toLowerCase();
  if (REMOTE_PREFIXES.some((prefix) => lower.startsWith(prefix))) return false;
  if (lower.startsWith('file://')) return !path.slice('file://'.length).startsWith('/');
  return !path.startsWith('/');
}
