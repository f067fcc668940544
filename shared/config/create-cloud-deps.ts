// Composition root of the Lambda functions (createDeps' `cloud` mode): the same use-cases as embedded
// mode, with SQS, S3 and KMS.
// Clients are created here, once per cold start, never at module scope. Each function passes in only the
// heavier adapters it uses (Git, KMS, kustomize), so its bundle carries nothing else.

import { join } from 'node:path';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { S3Client } from '@aws-sdk/client-s3';
import { createAwsClients } from '../adapters/aws/clients.ts';
import { KmsDataKeys } from '../adapters/aws/kms-data-keys.ts';
import { S3ObjectStore } from '../adapters/aws/s3-object-store.ts';
import { SqsQueue } from '../adapters/aws/sqs-queue.ts';
import { gzipSnapshotBundler } from '../adapters/local/snapshot-bundle.ts';
import { SluiceError } from '../core/errors.ts';
import { systemClock } from '../ports/clock.ts';
import type { GitSource } from '../ports/git-source.ts';
import type { KeyService } from '../ports/key-service.ts';
import { consoleLogger } from '../ports/logger.ts';
import type { ObjectStore } from '../ports/object-store.ts';
import { defaultQueueNames, type PipelineDeps, type SourceAdapters } from '../usecases/pipeline-deps.ts';
import { type FleetKeyOf, fleetKeysOf } from '../usecases/register-fleet.ts';
import type { CloudConfig } from './cloud-config.ts';

export interface CloudDeps {
  config: CloudConfig;
  pipeline: PipelineDeps;
  /** Each cluster's fleet source (one per branch the clusters follow). */
  fleetSourceKey: FleetKeyOf;
}

export interface OptionalAdapters {
  git?: (workDir: string) => GitSource;
  /** Chart and OCI sources: the fetch function only. `snapshotsDir` is where their file sets go. */
  sources?: (workDir: string, snapshotsDir: string) => SourceAdapters;
  keys?: (kms: KMSClient, keyArn: string) => KeyService;
  /** `store`, `s3` and the config let the render function lend work to the tool sandbox function. */
  render?: (workDir: string, ctx: RenderContext) => PipelineDeps['render'];
}

export interface RenderContext {
  config: CloudConfig;
  s3: S3Client;
  store: ObjectStore;
}

export function createCloudDeps(config: CloudConfig, adapters: OptionalAdapters = {}): CloudDeps {
  const clients = createAwsClients({
    region: config.region,
    ...(config.endpoints && {
      endpoints: config.endpoints,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  });
  const missing = (what: string): never => {
    throw new SluiceError(
      'ConfigInvalid',
      `this function was built without ${what}; it is not meant to run this job`,
    );
  };
  const once = <T>(make: () => T): (() => T) => {
    let value: T | undefined;
    return () => {
      value ??= make();
      return value;
    };
  };
  const git = once(() => adapters.git?.(join(config.workDir, 'git')) ?? missing('a Git source'));
  const snapshotsDir = join(config.workDir, 'git', 'snapshots');
  const sources = once(
    () =>
      adapters.sources?.(join(config.workDir, 'sources'), snapshotsDir) ?? missing('chart and OCI sources'),
  );
  const keys = once(() => adapters.keys?.(clients.kms, config.signingKeyArn) ?? missing('the signing key'));
  const store = new S3ObjectStore(clients.s3, config.bucket);
  const render = once(
    () =>
      adapters.render?.(join(config.workDir, 'scratch'), { config, s3: clients.s3, store }) ??
      missing('kustomize'),
  );
  const pipeline: PipelineDeps = {
    store,
    queue: new SqsQueue(clients.sqs),
    get keys() {
      return keys();
    },
    dataKeys: new KmsDataKeys(clients.kms, { keyArn: config.dataKeyArn, caller: 'the control plane' }),
    get git() {
      return git();
    },
    get sources() {
      return sources();
    },
    snapshots: gzipSnapshotBundler,
    get render() {
      return render();
    },
    clock: systemClock,
    log: consoleLogger('sluice-fn'),
    queues: defaultQueueNames(config.queuePrefix),
    settings: {
      clusters: config.clusters,
      ...(config.clusterRoots && { clusterRoots: config.clusterRoots }),
      strictSubstitution: config.strictSubstitution,
      allowRemoteBases: config.allowRemoteBases,
      noCrossNamespaceRefs: config.noCrossNamespaceRefs,
      maxObjectsPerRender: config.maxObjectsPerRender,
      maxChildrenPerKustomization: config.maxChildrenPerKustomization,
      snapshotsDir,
    },
  };
  return { config, pipeline, fleetSourceKey: fleetKeysOf(config.fleet, config.clusterRoots) };
}
