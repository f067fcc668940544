// Kustomization fields Sluice reads but does not carry out yet (wait, healthChecks, retryInterval) are
// reported in that Kustomization's render status and by `sluice status`, never silently ignored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatStatus } from '../../cli/commands/status.ts';
import { type Harness, kustomizationStatus, startHarness } from '../support/pipeline-harness.ts';

const INFRASTRUCTURE = `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: infrastructure
  namespace: flux-system
spec:
  interval: 10m
  retryInterval: 1m
  timeout: 2m
  wait: true
  healthChecks:
    - apiVersion: v1
      kind: Namespace
      name: podinfo
  path: ./infrastructure
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
`;

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ files: { 'clusters/dev/infrastructure.yaml': INFRASTRUCTURE } });
  await h.start();
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('fields not enforced yet', () => {
  it('are warnings in the render status of the Kustomization that sets them, and only of that one', async () => {
    const view = await h.waitFor('both rendered', async () => {
      const v = await h.status();
      const rendered = ['infrastructure', 'apps'].every((n) => kustomizationStatus(v, n)?.render?.ready);
      return rendered ? v : undefined;
    });
    expect(kustomizationStatus(view, 'infrastructure')?.render?.warnings).toEqual([
      expect.stringMatching(/^spec\.wait: not enforced yet: /),
      expect.stringMatching(/^spec\.healthChecks: not enforced yet: /),
      expect.stringMatching(/^spec\.retryInterval: not enforced yet: /),
    ]);
    // spec.timeout is enforced (it bounds the apply), so it is no warning; apps sets none of the fields.
    expect(kustomizationStatus(view, 'apps')?.render?.warnings).toEqual([]);
  });

  it('are shown by sluice status', async () => {
    const text = formatStatus(await h.status());
    expect(text).toContain('flux-system/infrastructure: spec.wait: not enforced yet: ');
    expect(text).toContain('flux-system/infrastructure: spec.healthChecks: not enforced yet: ');
    expect(text).not.toContain('flux-system/apps: spec.');
  });
});
