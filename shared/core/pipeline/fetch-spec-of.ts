// What to fetch for each Flux source kind a cluster declares: the fetch spec (its identity, hashed into the
// source key, so equal declarations share one fetch) and the kind's own fields. Pure.
import type { Bucket } from '../../api/bucket.ts';
import type { GitRepository } from '../../api/git-repository.ts';
import type { HelmChart } from '../../api/helm-chart.ts';
import type { HelmRepository } from '../../api/helm-repository.ts';
import type { OCIRepository } from '../../api/oci-repository.ts';
import type { GeneratedArtifact } from '../generator/generated-artifact.ts';
import type { FetchSpec } from './records.ts';
import type { SourceKind } from './source-kind.ts';
import { sourceKeyOf } from './state-keys.ts';

export type SourceObject =
  | GitRepository
  | OCIRepository
  | HelmRepository
  | HelmChart
  | Bucket
  | GeneratedArtifact;

type SecretRef = { cluster: string; namespace: string; name: string };

const secretOf = (
  ref: { name: string } | undefined,
  cluster: string,
  namespace: string,
): SecretRef | undefined => ref && { cluster, namespace, name: ref.name };

export function fetchSpecOf(source: SourceObject, cluster: string): FetchSpec {
  const ns = source.metadata.namespace;
  switch (source.kind) {
    case 'GitRepository': {
      const secret = secretOf(source.spec.secretRef, cluster, ns);
      const identity = { url: source.spec.url, ref: source.spec.ref, ignore: source.spec.ignore, secret };
      return {
        sourceKey: sourceKeyOf(identity),
        url: source.spec.url,
        ...(source.spec.ref && { ref: source.spec.ref }),
        ...(source.spec.ignore !== undefined && { ignore: source.spec.ignore }),
        ...(secret && { secret }),
      };
    }
    case 'OCIRepository': {
      const s = source.spec;
      const secret = secretOf(s.secretRef, cluster, ns);
      const certSecret = secretOf(s.certSecretRef, cluster, ns);
      const oci: NonNullable<FetchSpec['oci']> = {
        ...(s.ref && { ref: s.ref }),
        ...(s.layerSelector && { layerSelector: s.layerSelector }),
        ...(s.insecure && { insecure: true }),
        ...(s.provider !== 'generic' && { provider: s.provider }),
        timeoutMs: s.timeoutMs,
      };
      return keyed({
        kind: 'OCIRepository',
        url: s.url,
        ...(s.ignore !== undefined && { ignore: s.ignore }),
        ...(secret && { secret }),
        ...(certSecret && { certSecret }),
        oci,
      });
    }
    case 'HelmRepository': {
      const s = source.spec;
      const secret = secretOf(s.secretRef, cluster, ns);
      const certSecret = secretOf(s.certSecretRef, cluster, ns);
      return keyed({
        kind: 'HelmRepository',
        url: s.url,
        ...(secret && { secret }),
        ...(certSecret && { certSecret }),
        helmRepository: {
          type: s.type,
          ...(s.passCredentials && { passCredentials: true }),
          ...(s.insecure && { insecure: true }),
          ...(s.provider !== 'generic' && { provider: s.provider }),
          timeoutMs: s.timeoutMs,
        },
      });
    }
    case 'Bucket': {
      const s = source.spec;
      const secret = secretOf(s.secretRef, cluster, ns);
      return keyed({
        kind: 'Bucket',
        // What status shows: the endpoint and bucket, never credentials (the decoder refuses a scheme or userinfo).
        url: `${s.insecure ? 'http' : 'https'}://${s.endpoint}/${s.bucketName}`,
        ...(s.ignore !== undefined && { ignore: s.ignore }),
        ...(secret && { secret }),
        bucket: {
          provider: s.provider,
          bucketName: s.bucketName,
          endpoint: s.endpoint,
          ...(s.insecure && { insecure: true }),
          ...(s.region && { region: s.region }),
          ...(s.prefix && { prefix: s.prefix }),
          timeoutMs: s.timeoutMs,
        },
      });
    }
    case 'HelmChart': {
      const s = source.spec;
      const kind: SourceKind = s.sourceRef.kind;
      return keyed({
        kind: 'HelmChart',
        // Not a URL: what `sluice status` shows and `sluice reconcile source chart` names it by.
        url: `${s.sourceRef.kind}/${ns}/${s.sourceRef.name}#${s.chart}`,
        helmChart: {
          chart: s.chart,
          version: s.version,
          sourceRef: { cluster, kind, namespace: ns, name: s.sourceRef.name },
          valuesFiles: s.valuesFiles,
          ignoreMissingValuesFiles: s.ignoreMissingValuesFiles,
          reconcileStrategy: s.reconcileStrategy,
        },
      });
    }
    case 'ExternalArtifact': {
      const s = source.spec;
      return keyed({
        kind: 'ExternalArtifact',
        // Not a URL: what `sluice status` shows for the artifact.
        url: `ArtifactGenerator/${ns}/${s.generator}#${source.metadata.name}`,
        generator: {
          cluster,
          namespace: ns,
          generator: s.generator,
          sources: s.sources,
          artifact: s.artifact,
          field: s.field,
          ...(s.fleetSourceKey && { fleetSourceKey: s.fleetSourceKey }),
        },
      });
    }
  }
}

/** Every field but the key is the identity of a non-Git source. */
function keyed(spec: Omit<FetchSpec, 'sourceKey'>): FetchSpec {
  const { url, ref, ignore, secret, ...more } = spec;
  return { sourceKey: sourceKeyOf({ url, ref, ignore, secret, more }), ...spec };
}
