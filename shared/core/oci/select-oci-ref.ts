// Which manifest an OCIRepository's spec.ref names, with source-controller's precedence: digest, then
// semver (over the tags semverFilter keeps), then tag, else `latest`; and the revision Flux spells for it.
import semver from 'semver';
import type { OciRef } from '../../ports/oci-registry.ts';
import { SluiceError } from '../errors.ts';
import { parseRange, parseTagVersion } from '../git/semver-range.ts';

export const DEFAULT_TAG = 'latest';
/** Helm writes `+` in chart versions as `_` in OCI tags; Flux maps them back for this layer type only. */
export const HELM_CHART_LAYER = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip';

export type OciRefPlan =
  | { kind: 'digest'; digest: string }
  | { kind: 'semver'; range: string; filter: string | undefined }
  | { kind: 'tag'; tag: string };

export function planOciRef(ref: OciRef | undefined): OciRefPlan {
  if (ref?.digest) return { kind: 'digest', digest: ref.digest };
  if (ref?.semver) return { kind: 'semver', range: ref.semver, filter: ref.semverFilter || undefined };
  if (ref?.tag) return { kind: 'tag', tag: ref.tag };
  return { kind: 'tag', tag: DEFAULT_TAG };
}

/** The tag holding the highest version in `range` among `tags` (those matching `filter`, when given). */
export function selectSemverTag(
  tags: readonly string[],
  plan: { range: string; filter: string | undefined },
  layerMediaType: string | undefined,
  display: string,
): string {
  const range = parseRange(plan.range);
  if (!range) {
    throw new SluiceError(
      'ValidationFailed',
      `spec.ref.semver ${JSON.stringify(plan.range)} is not a semver range`,
      {
        field: 'spec.ref.semver',
      },
    );
  }
  let filter: RegExp | undefined;
  if (plan.filter !== undefined) {
    try {
      filter = new RegExp(plan.filter);
    } catch {
      throw new SluiceError(
        'ValidationFailed',
        `spec.ref.semverFilter ${JSON.stringify(plan.filter)} is not a regular expression`,
        { field: 'spec.ref.semverFilter' },
      );
    }
  }
  const chart = layerMediaType === HELM_CHART_LAYER;
  const versions = tags
    .filter((tag) => !filter || filter.test(tag))
    .map((tag) => ({ tag, version: parseTagVersion(chart ? tag.replaceAll('_', '+') : tag) }))
    .filter((v): v is { tag: string; version: string } => v.version !== undefined)
    .sort((a, b) => semver.rcompare(a.version, b.version));
  const match = versions.find((v) => range.test(v.version));
  if (match) return match.tag;
  const newest = versions.slice(0, 5).map((v) => v.tag);
  const seen = newest.length > 0 ? `newest versions seen: ${newest.join(', ')}` : 'no tag there is a version';
  throw new SluiceError(
    'ArtifactNotFound',
    `no tag of ${display} matches semver ${JSON.stringify(plan.range)}${filter ? ` with semverFilter ${JSON.stringify(plan.filter)}` : ''} (${seen}); push a matching tag or change spec.ref.semver`,
    { field: 'spec.ref.semver' },
  );
}

/** Flux's revision: `<tag>@sha256:<hex>`, or the digest alone when spec.ref.digest chose it. */
export function ociRevision(plan: OciRefPlan, tag: string | undefined, manifestDigest: string): string {
  return plan.kind === 'digest' || tag === undefined ? manifestDigest : `${tag}@${manifestDigest}`;
}
