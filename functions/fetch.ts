// Lambda: fetch jobs from the FIFO fetch queue (message group = source), with partial batch failures.

import { EcrTokenSource } from '../shared/adapters/aws/ecr-token-source.ts';
import { IsomorphicGitSource } from '../shared/adapters/git/isomorphic-git-source.ts';
import { loadCloudConfig } from '../shared/config/cloud-config.ts';
import { type CloudDeps, createCloudDeps } from '../shared/config/create-cloud-deps.ts';
import { createSourceAdapters } from '../shared/config/source-adapters.ts';
import { cloudSourcePolicy } from '../shared/config/source-address-settings.ts';
import { fetchSource } from '../shared/usecases/fetch-source.ts';
import { sqsFunction } from './middleware/sqs-function.ts';

export function createFetchHandler(factory: () => CloudDeps | Promise<CloudDeps>) {
  return sqsFunction(factory, 'fetch', (deps, job) => fetchSource(deps.pipeline, job));
}

export const handler = createFetchHandler(() => {
  const config = loadCloudConfig();
  const policy = cloudSourcePolicy({
    fleetUrl: config.fleet.url,
    restrictSourceAddresses: config.restrictSourceAddresses ?? true,
    allowedSourceHosts: config.allowedSourceHosts ?? [],
  });
  return createCloudDeps(config, {
    git: (dir) => new IsomorphicGitSource({ cacheDir: dir, addressPolicy: policy }),
    sources: (_dir, snapshotsDir) =>
      createSourceAdapters({ snapshotsDir, policy, ecr: new EcrTokenSource() }),
  });
});
