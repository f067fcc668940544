// A Bucket as a Kustomization's source end to end through the embedded control plane: the embedded
// S3-compatible server as the bucket host (its own principals), a generic Bucket with a Secret, a prefix
// and ignore rules; the objects applied at Flux's revision, a changed object re-rendered, an unchanged
// listing keeping the source's generation.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileSource } from '../../cli/commands/reconcile.ts';
import { findControlPlane } from '../../cli/control-plane-context.ts';
import { type BucketHost, bucketSourceYaml, startBucketHost } from '../support/bucket-host.ts';
import { type Harness, startHarness, WEBHOOK_SECRET } from '../support/pipeline-harness.ts';

let h: Harness;
let host: BucketHost;

const configMap = (name: string, value: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: default
data:
  value: "${value}"
`;

const plane = () =>
  findControlPlane(
    { api: h.plane.apiUrl },
    { SLUICE_WEBHOOK_SECRET: WEBHOOK_SECRET, XDG_CONFIG_HOME: join(h.dataDir, 'no-config') },
  );

const source = async () =>
  (await h.status()).sources.find(
    (s) => s.kind === 'Bucket' && s.declarers.some((d) => d.name === 'assets' && d.cluster === 'dev'),
  );

const appliedValue = async (name: string) =>
  ((await h.kube.object('v1', 'ConfigMap', name, 'default')) as { data?: { value?: string } } | undefined)
    ?.data?.value;

beforeAll(async () => {
  host = await startBucketHost('assets');
  await host.put('manifests/app/kustomization.yaml', 'resources:\n- cm.yaml\n');
  await host.put('manifests/app/cm.yaml', configMap('from-bucket', 'one'));
  await host.put('manifests/app/notes.md', '# not a manifest\n');
  await host.put('elsewhere/cm.yaml', configMap('not-fetched', 'x'));
  const fleet = `${bucketSourceYaml(host, ['prefix: manifests/', 'ignore: "*.md"'])}---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: from-bucket
  namespace: flux-system
spec:
  interval: 1h
  path: ./manifests/app
  prune: true
  sourceRef:
    kind: Bucket
    name: assets
`;
  h = await startHarness({
    files: { 'clusters/dev/bucket.yaml': fleet },
    settings: { allowedSourceHosts: [host.origin] },
  });
  await h.start();
}, 90_000);

afterAll(async () => {
  await h?.close();
  await host?.close();
});

describe('a Bucket as a Kustomization source', () => {
  it("applies the bucket's objects under the prefix, at the revision Flux would name", async () => {
    const revision = await h.waitFor('the bucket fetched', async () => (await source())?.revision);
    expect(revision).toMatch(/^sha256:[a-f0-9]{64}$/);
    await h.waitFor('the ConfigMap applied', async () =>
      (await appliedValue('from-bucket')) === 'one' ? true : undefined,
    );
    expect(await h.kube.object('v1', 'ConfigMap', 'not-fetched', 'default')).toBeUndefined();
    // The Secret's keys were used, and are nowhere in what status shows.
    expect(JSON.stringify(await h.status())).not.toContain(host.reader.secretAccessKey);
  });

  it('an unchanged listing keeps the generation; a changed object moves it by one and is applied', async () => {
    const before = await source();
    // Unchanged: `sluice reconcile source bucket` lists the bucket and finds the same index.
    const out = await reconcileSource(plane(), 'assets', 'Bucket');
    expect(out).toBe(
      '► fetch requested for Bucket/flux-system/assets (cluster dev) (1 source); follow with: sluice status\n',
    );
    await host.put('manifests/app/cm.yaml', configMap('from-bucket', 'two'));
    await reconcileSource(plane(), 'assets', 'Bucket');
    await h.waitFor('the new object applied', async () =>
      (await appliedValue('from-bucket')) === 'two' ? true : undefined,
    );
    const after = await source();
    expect(after?.revision).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(after?.revision).not.toBe(before?.revision);
    expect(after?.generation).toBe((before?.generation ?? 0) + 1);
    expect(after?.error).toBeUndefined();
  });
});
