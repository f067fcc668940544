// The version a HelmChart artifact gets under `reconcileStrategy: Revision`: Flux sets the source
// revision as semver build metadata, shortened to 12 hex characters for Git (and digest) revisions.
import { SluiceError } from '../errors.ts';

/**
 * `1.2.3` + `main@sha1:0123456789abcdef…` → `1.2.3+0123456789ab`. Existing build metadata is replaced,
 * as Masterminds' SetMetadata does. OCI revisions (`<tag>@sha256:<hex>`) use their digest, like Bucket's.
 */
export function versionWithRevision(version: string, revision: string): string {
  const metadata = revisionMetadata(revision);
  if (metadata === undefined) {
    throw new SluiceError(
      'ValidationFailed',
      `cannot add the source revision ${JSON.stringify(revision)} to chart version ${version}: it holds no commit hash or digest`,
    );
  }
  const plus = version.indexOf('+');
  return `${plus < 0 ? version : version.slice(0, plus)}+${metadata}`;
}

function revisionMetadata(revision: string): string | undefined {
  // `<ref>@sha1:<hex>`, `<ref>@sha256:<hex>`, `sha256:<hex>`, legacy `<branch>/<hex>`, or a bare hex.
  const hex = /(?:^|[@:/])([0-9a-f]{12,})$/.exec(revision)?.[1];
  return hex?.slice(0, 12);
}
