// `sluice reconcile source git NAME` against the embedded control plane: the source is found by the
// declarers the status API lists as data, whichever of several GitRepositories of one repository is named.

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileSource } from '../../cli/commands/reconcile.ts';
import { findControlPlane } from '../../cli/control-plane-context.ts';
import { rejectionOf } from '../support/error-of.ts';
import { type Harness, startHarness, WEBHOOK_SECRET } from '../support/pipeline-harness.ts';

let h: Harness;
/** The harness's control plane, named by --api; its secret from the environment, as a Git host would have it. */
const plane = () =>
  findControlPlane(
    { api: h.plane.apiUrl },
    { SLUICE_WEBHOOK_SECRET: WEBHOOK_SECRET, XDG_CONFIG_HOME: join(h.dataDir, 'no-config') },
  );

beforeAll(async () => {
  h = await startHarness();
  await h.start();
  await h.waitFor('the fleet delivered', () => h.kube.object('apps/v1', 'Deployment', 'podinfo', 'podinfo'));
}, 60_000);

afterAll(async () => {
  await h?.close();
});

const gitRepository = (name: string, url: string) => `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: ${name}
  namespace: flux-system
spec:
  interval: 1h
  url: ${url}
  ref:
    branch: main
`;

describe('sluice reconcile source git', () => {
  it('finds each of two GitRepositories of one repository by name, and names what it asked to fetch', async () => {
    const url = `${h.git.url('fleet')}/`;
    await h.push(
      { 'clusters/dev/sources.yaml': `${gitRepository('alpha', url)}---\n${gitRepository('beta', url)}` },
      'two GitRepositories of one repository',
    );
    await h.webhook();
    const source = await h.waitFor('both declarations recorded', async () =>
      (await h.status()).sources.find((s) => s.declarers?.filter((d) => d.cluster === 'dev').length === 2),
    );
    expect(source.declarers).toEqual([
      { cluster: 'dev', namespace: 'flux-system', name: 'alpha' },
      { cluster: 'dev', namespace: 'flux-system', name: 'beta' },
    ]);

    for (const name of ['alpha', 'flux-system/beta']) {
      const out = await reconcileSource(plane(), name);
      expect(out).toContain(
        'GitRepository/flux-system/alpha (cluster dev), GitRepository/flux-system/beta (cluster dev)',
      );
    }
  });

  it('refuses a name no GitRepository has, listing the known ones', async () => {
    const err = await rejectionOf(reconcileSource(plane(), 'gamma'));
    expect(err.code).toBe('UsageError');
    // The message is the point: it names what can be asked for.
    expect(err.message).toContain('flux-system/alpha');
    expect(err.message).toContain('flux-system/flux-system');
  });
});
