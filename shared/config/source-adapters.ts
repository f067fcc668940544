// The fetch stage's adapters for chart, OCI and Bucket sources, assembled once per process: one registry client
// (its tokens are reused across fetches), one index client, one chart builder, all under one address policy.
// Their file sets land in the pipeline's snapshot directory, so a render on the same machine reads them in place.
import { join } from 'node:path';
import { S3BucketSource } from '../adapters/bucket/s3-bucket-source.ts';
import { FsArtifactComposer } from '../adapters/generator/fs-artifact-composer.ts';
import { HelmChartBuilder } from '../adapters/helm/chart-builder.ts';
import { HttpHelmRepository } from '../adapters/helm/http-helm-repository.ts';
import { indexSnapshotWriter } from '../adapters/helm/index-snapshots.ts';
import { systemResolver } from '../adapters/net/system-resolver.ts';
import { RegistryOciArtifactSource } from '../adapters/oci/oci-artifact-source.ts';
import { HttpOciRegistryClient } from '../adapters/oci/registry-client.ts';
import type { SourceAddressPolicy } from '../core/net/source-address-policy.ts';
import type { HostResolver } from '../ports/host-resolver.ts';
import type { RegistryTokenSource } from '../ports/registry-token-source.ts';
import type { SourceAdapters } from '../usecases/pipeline-deps.ts';

export interface SourceAdapterSettings {
  /** The pipeline's settings.snapshotsDir: `<snapshotsDir>/<digest hex>` per file set. */
  snapshotsDir: string;
  policy: SourceAddressPolicy;
  resolver?: HostResolver;
  /** ECR logins for `provider: aws` (the cloud); without it such sources are refused with the reason. */
  ecr?: RegistryTokenSource;
}

export function createSourceAdapters(s: SourceAdapterSettings): SourceAdapters {
  const resolver = s.resolver ?? systemResolver;
  const registry = new HttpOciRegistryClient({ policy: s.policy, resolver, ...(s.ecr && { ecr: s.ecr }) });
  const helm = new HttpHelmRepository({ policy: s.policy, resolver });
  return {
    // The artifact source keeps its file sets under `<cacheDir>/snapshots/`.
    oci: new RegistryOciArtifactSource({ cacheDir: join(s.snapshotsDir, '..'), client: registry }),
    helm,
    charts: new HelmChartBuilder({ workDir: s.snapshotsDir, helmRepositories: helm, oci: registry }),
    writeIndexSnapshot: indexSnapshotWriter(s.snapshotsDir),
    bucket: new S3BucketSource({ snapshotsDir: s.snapshotsDir, policy: s.policy, resolver }),
    artifacts: new FsArtifactComposer({ snapshotsDir: s.snapshotsDir }),
  };
}
