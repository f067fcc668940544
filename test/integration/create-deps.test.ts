// The composition root: createDeps(mode, settings) gives each mode its adapters, named by the same queue and
// store names as the stacks, and a puller without any way to verify artifacts does not start.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeps } from '../../shared/config/create-deps.ts';
import type { SluiceError } from '../../shared/core/errors.ts';
import { queueNames } from '../../shared/core/pipeline/resource-names.ts';
import { silentLogger } from '../../shared/ports/logger.ts';
import { type KmsServer, startKmsServer } from '../support/kms-server.ts';

const kube = () => {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:1' }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return config;
};

describe('createDeps', () => {
  let kms: KmsServer;
  let dataDir: string;
  beforeAll(async () => {
    kms = await startKmsServer();
    dataDir = mkdtempSync(join(tmpdir(), 'sluice-create-deps-'));
  });
  afterAll(async () => {
    await kms.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const puller = {
    cluster: 'prod',
    aws: { region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } },
    bucket: 'b',
    queues: queueNames('sluice-dev'),
    inventoryNamespace: 'sluice-system',
    establishTimeoutMs: 1000,
    log: silentLogger,
  };

  it('puller: its own cluster queue and reports channel, named as the stacks name them', async () => {
    const deps = await createDeps('puller', {
      ...puller,
      aws: { ...puller.aws, endpoint: kms.endpoint },
      kube: kube(),
      publicKeyPem: 'PEM',
    });
    expect(deps.queues).toEqual({ cluster: 'sluice-dev-cluster-prod', reports: 'sluice-dev-reports-prod' });
    expect(deps.publicKeyPem).toBe('PEM');
  });

  it('puller: reads the public key from KMS when only the key ARN is given', async () => {
    const key = kms.createKey('ECC_NIST_P256');
    const deps = await createDeps('puller', {
      ...puller,
      aws: { ...puller.aws, endpoint: kms.endpoint },
      kube: kube(),
      signingKeyArn: key.arn,
    });
    expect(deps.publicKeyPem).toContain('BEGIN PUBLIC KEY');
  });

  it('puller: without a public key or key ARN it does not start', async () => {
    const err = (await createDeps('puller', { ...puller, kube: kube() }).catch(
      (e: unknown) => e,
    )) as SluiceError;
    expect(err.code).toBe('ConfigInvalid');
  });

  it('embedded: snapshots under the data directory, fleet credentials in settings only', async () => {
    const credentials = { username: 'git', password: 'secret' };
    const deps = await createDeps('embedded', {
      dataDir,
      store: {
        endpoint: 'http://127.0.0.1:1',
        credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
        bucket: 'b',
      },
      queues: queueNames(),
      fleet: { url: 'http://127.0.0.1:2/fleet.git', credentials },
      renderSandbox: 'none',
      pipeline: { clusters: ['dev'], strictSubstitution: true, allowRemoteBases: false },
      log: silentLogger,
    });
    expect(deps.settings.snapshotsDir).toBe(join(dataDir, 'git-cache', 'snapshots'));
    expect(deps.settings.fleetCredentials).toEqual(credentials);
    expect(deps.queues.fetch).toBe('sluice-fetch.fifo');
    expect(await deps.keys.publicKeyPem()).toContain('BEGIN PUBLIC KEY');
  });

  it('cli: render dependencies only', async () => {
    const deps = await createDeps('cli', {});
    expect(Object.keys(deps)).toEqual(['render']);
    expect(deps.render.remotePolicy).toBeDefined();
  });
});
