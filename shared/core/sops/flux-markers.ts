// kustomize-controller's rules for what it decrypts (FLUX-RENDER §4.1, §4.3): the marker bytes a file must
// hold, the format chosen from a key or path, and the opt-out annotation. Pure.
import type { SopsFormat } from './store.ts';

/** Flux reads no file above this (maxEncryptedFileSize). */
export const MAX_ENCRYPTED_FILE_SIZE = 5 * 1024 * 1024;

export const DECRYPT_ANNOTATION = 'kustomize.toolkit.fluxcd.io/decrypt';

// sopsFormatToMarkerBytes: exactly one space in the JSON marker, so minified JSON is silently not decrypted.
const MARKERS: Record<SopsFormat, string> = {
  yaml: 'mac: ENC[',
  json: '"mac": "ENC[',
  binary: '"mac": "ENC[',
  dotenv: 'sops_mac=ENC[',
  ini: '[sops]',
};

/** Whether Flux would decrypt a file of this format with this content. */
export function hasSopsMarker(text: string, format: SopsFormat): boolean {
  return text.includes(MARKERS[format]);
}

/**
 * The input format of a nested document in a Secret's data value, or undefined when it carries no marker.
 * JSON first: a JSON document never holds the YAML marker (its `mac` key is quoted), the reverse is rare.
 */
export function markerFormat(text: string): SopsFormat | undefined {
  for (const format of ['json', 'yaml', 'dotenv', 'ini'] as const)
    if (text.includes(MARKERS[format])) return format;
  return undefined;
}

/** Flux's formatForPath: sops' FormatForPath plus `.dockerconfigjson` as JSON. */
export function formatForPath(path: string): SopsFormat {
  if (path.endsWith('.dockerconfigjson') || path.endsWith('.json')) return 'json';
  if (path.endsWith('.yaml') || path.endsWith('.yml')) return 'yaml';
  if (path.endsWith('.env')) return 'dotenv';
  if (path.endsWith('.ini')) return 'ini';
  return 'binary';
}

/** IsDecryptionDisabled: the annotation equals "disabled", case-insensitively. */
export function isDecryptionDisabled(annotations: unknown): boolean {
  const value = (annotations as Record<string, unknown> | undefined)?.[DECRYPT_ANNOTATION];
  return typeof value === 'string' && value.toLowerCase() === 'disabled';
}

/** An object as built carrying a non-empty `sops.mac`: Flux decrypts it whatever its kind. */
export function hasSopsMac(obj: Record<string, unknown>): boolean {
  const sops = obj.sops as Record<string, unknown> | undefined;
  return typeof sops === 'object' && sops !== null && typeof sops.mac === 'string' && sops.mac !== '';
}
