// Validates a raw HelmRepository object into the typed API with Flux's CRD rules (source-controller
// api/v1 helmrepository_types.go), naming each bad field and what to write instead.
import { readLocalRef, readProvider, readTimeout, refuseUserinfo, shownUrl } from './decode-source-fields.ts';
import type { FieldReader } from './field-reader.ts';
import {
  ACCESS_FROM_FIELDS,
  HELM_REPOSITORY_SPEC_FIELDS,
  NAMESPACE_SELECTOR_FIELDS,
  OBJECT_FIELDS,
} from './flux-fields.ts';
import { HELM_REPOSITORY_API, type HelmRepository } from './helm-repository.ts';
import type { ObjectMeta, SourceLocation } from './object-meta.ts';

/** Flux's own pattern, case-sensitive as the CRD's. */
const URL_PATTERN = /^(http|https|oci):\/\/.*$/;
const TYPES = ['default', 'oci'] as const;
/** Flux requeues a HelmRepository without spec.interval every minute (GetRequeueAfter). */
export const DEFAULT_HELM_REPOSITORY_INTERVAL_MS = 60_000;

export function decodeHelmRepository(
  raw: Record<string, unknown>,
  metadata: ObjectMeta,
  source: SourceLocation,
  r: FieldReader,
): HelmRepository {
  r.knownFields(raw, '', OBJECT_FIELDS);
  const spec = r.object(raw, 'spec', 'spec', true);
  r.knownFields(spec, 'spec', HELM_REPOSITORY_SPEC_FIELDS);
  const typeText = r.string(spec, 'type', 'spec.type', { oneOf: TYPES });
  const type = typeText === 'oci' ? 'oci' : 'default';
  const url = readUrl(spec, typeText, r);
  readAccessFrom(spec, r);
  const secretRef = readLocalRef(spec, 'secretRef', r);
  const certSecretRef = readLocalRef(spec, 'certSecretRef', r);
  return {
    kind: 'HelmRepository',
    apiVersion: HELM_REPOSITORY_API,
    metadata,
    spec: {
      url: url ?? '',
      type,
      ...(secretRef && { secretRef }),
      ...(certSecretRef && { certSecretRef }),
      passCredentials: r.boolean(spec, 'passCredentials', 'spec.passCredentials') ?? false,
      insecure: r.boolean(spec, 'insecure', 'spec.insecure') ?? false,
      intervalMs: r.duration(spec, 'interval', 'spec.interval') || DEFAULT_HELM_REPOSITORY_INTERVAL_MS,
      timeoutMs: readTimeout(spec, r),
      provider: readProvider(spec, r),
      suspend: r.boolean(spec, 'suspend', 'spec.suspend') ?? false,
    },
    source,
  };
}

/** spec.url: Flux's pattern, no credentials, and a scheme that agrees with spec.type. */
function readUrl(
  spec: Record<string, unknown> | undefined,
  typeText: string | undefined,
  r: FieldReader,
): string | undefined {
  const url = r.string(spec, 'url', 'spec.url', { required: true });
  if (url === undefined || url === '' || !refuseUserinfo(url, r)) return undefined;
  if (!URL_PATTERN.test(url)) {
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1];
    r.fail(
      'spec.url',
      `expected an http://, https:// or oci:// URL (lowercase scheme, as Flux's pattern ^(http|https|oci)://.*$), got ${shownUrl(url)}${scheme && !/^(http|https|oci)$/.test(scheme) ? `: ${scheme}:// URLs are not chart repositories` : ''}`,
    );
    return undefined;
  }
  if (!URL.canParse(url) || new URL(url).host === '') {
    r.fail(
      'spec.url',
      `expected a URL with a host such as "https://charts.example.com", got ${shownUrl(url)}`,
    );
    return undefined;
  }
  const isOci = url.startsWith('oci://');
  if (typeText === 'oci' && !isOci) {
    r.fail(
      'spec.url',
      `with spec.type "oci" the URL must start with oci://, got ${shownUrl(url)}; write the registry as oci://<host>/<path>, or remove spec.type for an HTTP(S) chart repository with an index.yaml`,
    );
    return undefined;
  }
  if (typeText !== 'oci' && isOci) {
    r.fail(
      'spec.type',
      `an oci:// URL is an OCI registry, which Flux reads only with spec.type "oci"; add "type: oci" to the spec${typeText === undefined ? ' (it defaults to "default", an HTTP(S) repository with an index.yaml)' : ''}`,
    );
    return undefined;
  }
  return url;
}

/**
 * spec.accessFrom is validated and otherwise ignored, exactly as in Flux, whose API marks it "not
 * implemented". Cross-namespace references follow the `--no-cross-namespace-refs` setting instead.
 */
function readAccessFrom(spec: Record<string, unknown> | undefined, r: FieldReader): void {
  const accessFrom = r.object(spec, 'accessFrom', 'spec.accessFrom');
  if (!accessFrom) return;
  r.knownFields(accessFrom, 'spec.accessFrom', ACCESS_FROM_FIELDS);
  if (accessFrom.namespaceSelectors === undefined)
    r.fail('spec.accessFrom.namespaceSelectors', 'is required');
  r.objects(accessFrom, 'namespaceSelectors', 'spec.accessFrom.namespaceSelectors', (item, path) => {
    r.knownFields(item, path, NAMESPACE_SELECTOR_FIELDS);
    r.stringMap(item, 'matchLabels', `${path}.matchLabels`);
  });
}
