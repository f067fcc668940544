// After a pass, with nothing else running, the loop gives memory back (PullerDeps.releaseMemory: a full
// collection in the image); a burst of nudged reconciles is not collected after each one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kustomizationTarget } from '../../shared/core/pipeline/target.ts';
import { eventually, type PullerLoop, startPullerLoop } from '../support/puller-loop.ts';

const TARGET = kustomizationTarget({ namespace: 'flux-system', name: 'apps' });
const cm = (n: number) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'settings', namespace: 'apps' },
  data: { n: String(n) },
});

let loop: PullerLoop;
let releases = 0;

beforeAll(async () => {
  loop = await startPullerLoop('release-memory');
  loop.deps.releaseMemory = () => {
    releases++;
  };
  await loop.publish(TARGET, [cm(1)], 1);
  loop.start();
}, 60_000);
afterAll(() => loop?.close());

describe('the puller loop, once a pass is over', () => {
  it('releases memory after its first full pass', async () => {
    expect(await eventually(async () => releases === 1)).toBe(true);
  });

  it('does not release again for nudged reconciles within the minimum gap', async () => {
    for (const n of [2, 3]) {
      const digest = await loop.publish(TARGET, [cm(n)], n);
      await loop.nudge(TARGET, digest);
      const applied = await eventually(
        async () =>
          (loop.kube.object('v1', 'ConfigMap', 'settings', 'apps')?.data as { n?: string } | undefined)?.n ===
          String(n),
      );
      expect(applied).toBe(true);
    }
    expect(releases).toBe(1);
  });
});
