// A cluster's capabilities decide how its HelmReleases render, so only that cluster's puller may set them:
// a report that names another cluster, or carries capabilities that are not a version and API versions,
// changes nothing of any cluster (the cluster is the reports channel's, never the report's).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApplyReport } from '../../shared/core/pipeline/jobs.ts';
import { recordApplyReport } from '../../shared/usecases/record-apply-report.ts';
import { stateOf } from '../../shared/usecases/state-store.ts';
import { type StoreAndQueues, startStoreAndQueues } from '../support/store-and-queues.ts';

let env: StoreAndQueues;

beforeAll(async () => {
  env = await startStoreAndQueues('caps-security', ['dev', 'prod']);
});
afterAll(() => env?.close());

const report = (cluster: string, kubeVersion: string, apiVersions: string[]): ApplyReport => ({
  kind: 'apply-report',
  cluster,
  target: { kind: 'Kustomization', namespace: 'flux-system', name: 'apps' },
  digest: 'sha256:00',
  revision: 'main@sha1:00',
  ready: true,
  reason: 'ReconciliationSucceeded',
  message: 'Applied',
  applied: 1,
  pruned: 0,
  at: '2026-11-30T12:00:00.000Z',
  capabilities: { kubeVersion, apiVersions },
});

describe("a cluster's capabilities", () => {
  it("cannot be set by another cluster's puller", async () => {
    await recordApplyReport(env.deps, 'prod', report('prod', 'v1.33.0', ['v1', 'apps/v1']));
    // dev's puller claims to speak for prod: refused, prod unchanged, dev unchanged.
    expect(await recordApplyReport(env.deps, 'dev', report('prod', 'v1.20.0', ['v1']))).toBe('refused');
    expect(await stateOf(env.deps).getCapabilities('prod')).toEqual({
      kubeVersion: 'v1.33.0',
      apiVersions: ['apps/v1', 'v1'],
    });
    expect(await stateOf(env.deps).getCapabilities('dev')).toBeUndefined();
  });

  it('cannot smuggle a helm flag or a path through a version', async () => {
    for (const [kubeVersion, apiVersions] of [
      ['v1.33.0 --post-renderer=/bin/sh', ['v1']],
      ['v1.33.0', ['apps/v1,--kubeconfig=/etc/passwd']],
      ['v1.33.0', ['--set=x=1']],
    ] as const) {
      expect(await recordApplyReport(env.deps, 'dev', report('dev', kubeVersion, [...apiVersions]))).toBe(
        'refused',
      );
    }
    expect(await stateOf(env.deps).getCapabilities('dev')).toBeUndefined();
  });
});
