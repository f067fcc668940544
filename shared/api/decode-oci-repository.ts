// Validates a raw OCIRepository object into the typed API with Flux's CRD rules (source-controller
// api/v1 ocirepository_types.go), naming each bad field; features Sluice cannot honour are refused.
import { parseRange } from '../core/git/semver-range.ts';
import { dropUndefined } from './decode-git-repository.ts';
import {
  ociRepositoryProblem,
  readLocalRef,
  readProvider,
  readTimeout,
  refuseUserinfo,
  refuseVerify,
  shownUrl,
} from './decode-source-fields.ts';
import type { FieldReader } from './field-reader.ts';
import {
  OBJECT_FIELDS,
  OCI_LAYER_SELECTOR_FIELDS,
  OCI_REF_FIELDS,
  OCI_REPOSITORY_SPEC_FIELDS,
} from './flux-fields.ts';
import type { ObjectMeta, SourceLocation } from './object-meta.ts';
import { OCI_REPOSITORY_API, type OCIRepository, type OciRepositoryRef } from './oci-repository.ts';

type Raw = Record<string, unknown>;

const URL_PATTERN = /^oci:\/\/.*$/;
const DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$|^sha512:[a-f0-9]{128}$/;
const OPERATIONS = ['extract', 'copy'] as const;
/** Flux pulls the `latest` tag when spec.ref names nothing. */
export const DEFAULT_OCI_TAG = 'latest';

export function decodeOciRepository(
  raw: Raw,
  metadata: ObjectMeta,
  source: SourceLocation,
  r: FieldReader,
): OCIRepository {
  r.knownFields(raw, '', OBJECT_FIELDS);
  const spec = r.object(raw, 'spec', 'spec', true);
  r.knownFields(spec, 'spec', OCI_REPOSITORY_SPEC_FIELDS);
  const url = readUrl(spec, r);
  const layerSelectorRaw = r.object(spec, 'layerSelector', 'spec.layerSelector');
  r.knownFields(layerSelectorRaw, 'spec.layerSelector', OCI_LAYER_SELECTOR_FIELDS);
  const layerSelector =
    layerSelectorRaw &&
    dropUndefined({
      mediaType: r.string(layerSelectorRaw, 'mediaType', 'spec.layerSelector.mediaType'),
      operation: r.string(layerSelectorRaw, 'operation', 'spec.layerSelector.operation', {
        oneOf: OPERATIONS,
      }) as 'extract' | 'copy' | undefined,
    });
  const secretRef = readLocalRef(spec, 'secretRef', r);
  const certSecretRef = readLocalRef(spec, 'certSecretRef', r);
  refuseVerify(spec, 'spec.verify', 'artifact', r);
  refuseUnsupported(spec, r);
  const ignore = r.string(spec, 'ignore', 'spec.ignore');
  return {
    kind: 'OCIRepository',
    apiVersion: OCI_REPOSITORY_API,
    metadata,
    spec: {
      url: url ?? '',
      ref: readRef(spec, r),
      ...(layerSelector && { layerSelector }),
      ...(secretRef && { secretRef }),
      ...(certSecretRef && { certSecretRef }),
      provider: readProvider(spec, r),
      ...(ignore !== undefined && { ignore }),
      insecure: r.boolean(spec, 'insecure', 'spec.insecure') ?? false,
      intervalMs: r.duration(spec, 'interval', 'spec.interval', true) ?? 0,
      timeoutMs: readTimeout(spec, r),
      suspend: r.boolean(spec, 'suspend', 'spec.suspend') ?? false,
    },
    source,
  };
}

/** spec.url: `oci://<host>/<repository>` without credentials, tag or digest (those belong in spec.ref). */
function readUrl(spec: Raw | undefined, r: FieldReader): string | undefined {
  const url = r.string(spec, 'url', 'spec.url', { required: true });
  if (url === undefined || url === '' || !refuseUserinfo(url, r)) return undefined;
  if (!URL_PATTERN.test(url)) {
    const https = /^https?:\/\/(.*)$/i.exec(url)?.[1];
    r.fail(
      'spec.url',
      `expected an oci:// URL such as "oci://ghcr.io/org/manifests", got ${shownUrl(url)}${https ? `; for a registry write oci://${https}` : ''}`,
    );
    return undefined;
  }
  const rest = url.slice('oci://'.length);
  const slash = rest.indexOf('/');
  const host = slash < 0 ? rest : rest.slice(0, slash);
  const repository = slash < 0 ? '' : rest.slice(slash + 1);
  if (host === '' || repository === '' || !URL.canParse(`https://${rest}`)) {
    r.fail(
      'spec.url',
      `expected oci://<registry host>/<repository> such as "oci://ghcr.io/org/manifests", got ${shownUrl(url)}`,
    );
    return undefined;
  }
  const lastSegment = repository.slice(repository.lastIndexOf('/') + 1);
  const at = lastSegment.search(/[:@]/);
  if (at >= 0) {
    const field = lastSegment[at] === '@' ? 'spec.ref.digest' : 'spec.ref.tag';
    r.fail(
      'spec.url',
      `must name the repository only, without a tag or digest; write ${JSON.stringify(url.slice(0, url.length - lastSegment.length + at))} and put ${JSON.stringify(lastSegment.slice(at + 1))} in ${field}`,
    );
    return undefined;
  }
  const problem = ociRepositoryProblem(repository);
  if (problem) {
    r.fail('spec.url', problem);
    return undefined;
  }
  return url;
}

/** spec.ref, with Flux's default: the `latest` tag when neither digest, semver nor tag is set. */
function readRef(spec: Raw | undefined, r: FieldReader): OciRepositoryRef {
  const refRaw = r.object(spec, 'ref', 'spec.ref');
  r.knownFields(refRaw, 'spec.ref', OCI_REF_FIELDS);
  const digest = r.string(refRaw, 'digest', 'spec.ref.digest', {
    pattern: DIGEST_PATTERN,
    patternHint: 'a manifest digest "sha256:<64 lowercase hex digits>"',
  });
  const semver = r.string(refRaw, 'semver', 'spec.ref.semver');
  if (semver !== undefined && parseRange(semver) === undefined) {
    r.fail(
      'spec.ref.semver',
      `expected a semver range such as ">=6.0.0 <7.0.0", "6.x" or "~1.2", got ${JSON.stringify(semver)}`,
    );
  }
  const semverFilter = r.string(refRaw, 'semverFilter', 'spec.ref.semverFilter');
  if (semverFilter !== undefined && !compiles(semverFilter)) {
    r.fail(
      'spec.ref.semverFilter',
      `expected a regular expression such as ".*-rc.*", got ${JSON.stringify(semverFilter)}, which does not compile`,
    );
  }
  const tag = r.string(refRaw, 'tag', 'spec.ref.tag');
  const ref = dropUndefined({ digest, semver, semverFilter, tag });
  return ref.digest || ref.semver || ref.tag ? ref : { ...ref, tag: DEFAULT_OCI_TAG };
}

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

/** Fields Flux honours that Sluice cannot yet: ignoring them would pull something other than asked. */
function refuseUnsupported(spec: Raw | undefined, r: FieldReader): void {
  if (spec?.serviceAccountName !== undefined) {
    r.fail(
      'spec.serviceAccountName',
      'pull secrets from a ServiceAccount are not supported by this Sluice version yet (Sluice reads no ServiceAccount from the cluster); put the registry credentials in a kubernetes.io/dockerconfigjson Secret and name it in spec.secretRef instead',
    );
  }
  if (spec?.proxySecretRef !== undefined) {
    r.fail(
      'spec.proxySecretRef',
      'proxies are not supported by this Sluice version yet: the control plane connects to the registry directly; remove the field if it can',
    );
  }
}
