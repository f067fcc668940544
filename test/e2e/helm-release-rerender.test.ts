// A HelmRelease rendered again from the same inputs publishes nothing: its values and manifest are sealed
// with the cluster's data key, and equal content seals to equal bytes, so the digest stays and the cluster
// gets no new Helm release revision.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetSourceKey } from '../../shared/usecases/register-fleet.ts';
import { renderJob } from '../../shared/usecases/render-job.ts';
import { stateOf } from '../../shared/usecases/state-store.ts';
import { type Harness, startHarness } from '../support/pipeline-harness.ts';

const HELLO = { kind: 'HelmRelease' as const, namespace: 'flux-system', name: 'hello' };
let h: Harness;

beforeAll(async () => {
  h = await startHarness({});
  await h.start();
}, 90_000);
afterAll(async () => {
  await h?.close();
});

describe('a HelmRelease rendered again from the same inputs', () => {
  it('keeps its sealed artifact and its digest: outcome unchanged', async () => {
    const state = stateOf(h.plane.deps);
    const first = await h.waitFor(
      'hello published',
      async () => (await state.getIndexEntry('dev', HELLO))?.digest,
      60_000,
    );
    const signed = await state.getArtifactAt(state.artifactLocation('dev', first));
    expect(signed?.payload.kind === 'Artifact' && signed.payload.seal).toBeTruthy();
    const fleetKey = fleetSourceKey({ url: h.git.url('fleet'), branch: 'main', intervalMs: 0 });
    const again = await renderJob(h.plane.deps, { kind: 'render', cluster: 'dev', target: HELLO }, fleetKey);
    expect(again).toEqual({ outcome: 'unchanged', digest: first });
  });
});
