// A HelmRelease's Helm release name as helm-controller computes it: spec.releaseName, else
// `[<targetNamespace>-]<name>`, shortened by release.ShortenName when longer than Helm's 53 characters.
import { createHash } from 'node:crypto';

/** Helm's limit on release names. */
export const MAX_RELEASE_NAME_LENGTH = 53;
const SHORT_HASH_LENGTH = 12;

export interface ReleaseNameInput {
  metadata: { name: string };
  spec: { releaseName?: string | undefined; targetNamespace?: string | undefined };
}

/** v2.HelmRelease.GetReleaseName, then release.ShortenName, as every helm-controller action names the release. */
export function releaseNameOf(hr: ReleaseNameInput): string {
  const { releaseName, targetNamespace } = hr.spec;
  if (releaseName) return shortenName(releaseName);
  return shortenName(targetNamespace ? `${targetNamespace}-${hr.metadata.name}` : hr.metadata.name);
}

/**
 * release.ShortenName: a name over 53 bytes becomes its first 40 bytes, `-`, and the first 12 hex characters
 * of the SHA-256 of the whole name, so two long names sharing a prefix stay apart.
 */
export function shortenName(name: string): string {
  const bytes = Buffer.from(name, 'utf8');
  if (bytes.length <= MAX_RELEASE_NAME_LENGTH) return name;
  const sum = createHash('sha256').update(bytes).digest('hex');
  const keep = MAX_RELEASE_NAME_LENGTH - (SHORT_HASH_LENGTH + 1);
  return `${bytes.subarray(0, keep).toString('utf8')}-${sum.slice(0, SHORT_HASH_LENGTH)}`;
}
