// The puller's endpoints while its loop runs against real local servers: /readyz turns ready after the first
// full pass, /healthz answers, and /metrics counts reconciles per target (by result and reason), times them,
// records the last success, queue lag and passes, and the process's memory, in text a scraper parses.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalKeyService } from '../../shared/adapters/local/local-key-service.ts';
import { EXPOSITION_CONTENT_TYPE } from '../../shared/core/metrics/exposition.ts';
import type { Target } from '../../shared/core/pipeline/target.ts';
import { type Family, parseExposition } from '../support/prometheus-text.ts';
import { eventually, type PullerLoop, scrape, startPullerLoop } from '../support/puller-loop.ts';

const APPS: Target = { kind: 'Kustomization', namespace: 'flux-system', name: 'apps' };
const FORGED: Target = { kind: 'Kustomization', namespace: 'flux-system', name: 'forged' };
const configMap = (name: string) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'apps' },
  data: { a: '1' },
});

let loop: PullerLoop;
let appsDigest: string;

beforeAll(async () => {
  loop = await startPullerLoop('endpoints');
  appsDigest = await loop.publish(APPS, [configMap('one')], 1);
  // Signed by a key the puller does not trust: refused, reported not ready.
  await loop.publish(FORGED, [configMap('two')], 1, new LocalKeyService(join(loop.world.dir, 'other.pem')));
});

afterAll(() => loop?.close());

async function metrics(): Promise<Map<string, Family>> {
  const res = await scrape(loop, '/metrics');
  expect(res.headers.get('content-type')).toBe(EXPOSITION_CONTENT_TYPE);
  return parseExposition(await res.text());
}

const targetLabels = (t: Target) => ({ kind: t.kind, namespace: t.namespace, name: t.name });

describe('the puller endpoints', () => {
  it('are live but not ready before the loop has completed a full pass', async () => {
    expect((await scrape(loop, '/healthz')).status).toBe(200);
    const readyz = await scrape(loop, '/readyz');
    expect(readyz.status).toBe(503);
    expect(await readyz.text()).toBe('failing: no full pass has completed yet\n');
  });

  it('turn ready once the first full pass against the store and the API server completed', async () => {
    loop.start();
    expect(await eventually(async () => (await scrape(loop, '/readyz')).status === 200)).toBe(true);
    expect(loop.kube.object('v1', 'ConfigMap', 'one', 'apps')).toBeDefined();
  });

  it('count each reconcile by target, result and Flux reason', async () => {
    const reconciles = (await metrics()).get('sluice_puller_reconcile_total');
    expect(reconciles?.type).toBe('counter');
    expect(reconciles?.samples).toEqual(
      expect.arrayContaining([
        {
          name: 'sluice_puller_reconcile_total',
          labels: { ...targetLabels(APPS), result: 'ready', reason: 'ReconciliationSucceeded' },
          value: 1,
        },
        {
          name: 'sluice_puller_reconcile_total',
          labels: { ...targetLabels(FORGED), result: 'not_ready', reason: 'ArtifactRejected' },
          value: 1,
        },
      ]),
    );
  });

  it('time reconciles and passes as histograms, and keep the last success per target', async () => {
    const families = await metrics();
    const durations = families.get('sluice_puller_reconcile_duration_seconds');
    expect(durations?.type).toBe('histogram');
    const count = (t: Target) =>
      durations?.samples.find(
        (s) => s.name.endsWith('_count') && s.labels.name === t.name && s.labels.kind === t.kind,
      )?.value;
    expect([count(APPS), count(FORGED)]).toEqual([1, 1]);
    const passes = families.get('sluice_puller_pass_duration_seconds')?.samples ?? [];
    expect(passes.find((s) => s.name.endsWith('_count') && s.labels.pass === 'full')?.value).toBe(1);
    const lastSuccess = families.get('sluice_puller_last_success_timestamp_seconds');
    expect(lastSuccess?.type).toBe('gauge');
    expect(lastSuccess?.samples.map((s) => s.labels.name)).toEqual(['apps']);
    expect(lastSuccess?.samples[0]?.value).toBeGreaterThan(Date.parse('2026-01-01') / 1000);
    expect(families.get('sluice_puller_last_full_pass_timestamp_seconds')?.samples).toHaveLength(1);
  });

  it('report the process memory under its standard name', async () => {
    const rss = (await metrics()).get('process_resident_memory_bytes');
    expect(rss?.type).toBe('gauge');
    expect(rss?.samples[0]?.value).toBeGreaterThan(16 * 1024 ** 2);
  });

  it('record a nudged pass and how long its nudge waited in the queue', async () => {
    await loop.nudge(APPS, appsDigest);
    const nudged = async () =>
      (await metrics())
        .get('sluice_puller_pass_duration_seconds')
        ?.samples.some((s) => s.name.endsWith('_count') && s.labels.pass === 'nudge' && s.value >= 1) ??
      false;
    expect(await eventually(nudged)).toBe(true);
    const lag = (await metrics()).get('sluice_puller_queue_lag_seconds');
    expect(lag?.type).toBe('gauge');
    expect(lag?.samples[0]?.value).toBeGreaterThanOrEqual(0);
  });

  it('answer HEAD without a body', async () => {
    const res = await scrape(loop, '/metrics', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });
});
