// A HelmRelease rendered again from the same inputs publishes nothing: its values and manifest are sealed
// with the cluster's data key, and equal content seals to equal bytes, so the digest stays and the cluster
// gets no new Helm release revision. That holds once the release is installed too: a release whose chart
// and values are unchanged is in sync, as helm-controller has it, and is not upgraded for nothing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetSourceKey } from '../../shared/usecases/register-fleet.ts';
import { renderJob } from '../../shared/usecases/render-job.ts';
import { stateOf } from '../../shared/usecases/state-store.ts';
import { EXAMPLE_FLEET, type Harness, startHarness } from '../support/pipeline-harness.ts';

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
    // The pipeline settles first: the puller installs the release and reports the cluster's capabilities,
    // which renders it once more (against them); the last artifact is the one the cluster has applied.
    const first = await h.waitFor(
      'hello installed at its last render',
      async () => {
        const [entry, applied, status] = await Promise.all([
          state.getIndexEntry('dev', HELLO),
          state.getApplyStatus('dev', HELLO),
          state.getRenderStatus('dev', HELLO),
        ]);
        const settled =
          entry?.digest !== undefined &&
          applied?.ready === true &&
          applied.digest === entry.digest &&
          status?.digest === entry.digest &&
          !status.warnings.some((w) => w.includes('default capabilities'));
        return settled ? entry.digest : undefined;
      },
      60_000,
    );
    const signed = await state.getArtifactAt(state.artifactLocation('dev', first));
    expect(signed?.payload.kind === 'Artifact' && signed.payload.seal).toBeTruthy();
    const fleetKey = fleetSourceKey({ url: h.git.url('fleet'), branch: 'main', intervalMs: 0 });
    const again = await renderJob(h.plane.deps, { kind: 'render', cluster: 'dev', target: HELLO }, fleetKey);
    expect(again).toEqual({ outcome: 'unchanged', digest: first });
  });

  it('renders an upgrade when something besides the chart and values changed (in sync no longer)', async () => {
    const state = stateOf(h.plane.deps);
    const before = (await state.getIndexEntry('dev', HELLO))?.digest;
    const file = join(EXAMPLE_FLEET, 'clusters/dev/hello.yaml');
    const text = readFileSync(file, 'utf8').replace(
      '  interval: 10m\n',
      '  interval: 10m\n  maxHistory: 3\n',
    );
    await h.push({ 'clusters/dev/hello.yaml': text }, 'hello: keep 3 revisions');
    await h.webhook();
    const digest = await h.waitFor(
      'hello published again',
      async () => {
        const entry = await state.getIndexEntry('dev', HELLO);
        return entry?.digest !== before ? entry?.digest : undefined;
      },
      60_000,
    );
    const signed = await state.getArtifactAt(state.artifactLocation('dev', digest));
    const helm = signed?.payload.kind === 'Artifact' ? signed.payload.apply.helm : undefined;
    expect(helm?.maxHistory).toBe(3);
    expect(helm?.description).toBe('Upgrade complete');
  });
});
