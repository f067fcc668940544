// The puller's HTTP endpoints are a new listener in the cluster: loopback unless configured, read-only
// (GET and HEAD on three paths, nothing else), and no body names a credential, key or token — while the
// loop runs with real ones and while it fails.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPullerConfig } from '../../puller/config.ts';
import type { Target } from '../../shared/core/pipeline/target.ts';
import { eventually, type PullerLoop, scrape, startPullerLoop } from '../support/puller-loop.ts';

const APPS: Target = { kind: 'Kustomization', namespace: 'flux-system', name: 'apps' };
let loop: PullerLoop;

beforeAll(async () => {
  loop = await startPullerLoop('endpoints-security');
  await loop.publish(
    APPS,
    [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'apps' }, data: { a: '1' } }],
    1,
  );
  loop.start();
  await eventually(async () => (await scrape(loop, '/readyz')).status === 200);
});

afterAll(() => loop?.close());

describe('the puller endpoints', () => {
  it('listen on loopback unless SLUICE_METRICS_ADDR says otherwise', () => {
    const config = loadPullerConfig({
      SLUICE_CLUSTER: 'c',
      SLUICE_BUCKET: 'b',
      AWS_REGION: 'r',
      SLUICE_PUBLIC_KEY: 'k',
    });
    expect(config.metricsAddress.host).toBe('127.0.0.1');
  });

  it.each(['POST', 'PUT', 'PATCH', 'DELETE'])('refuse %s', async (method) => {
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      const res = await scrape(loop, path, { method, body: method === 'DELETE' ? undefined : 'x' });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, HEAD');
    }
  });

  it.each(['/', '/debug/pprof', '/metrics/extra', '/%2e%2e/etc/passwd', '//metrics', '/healthz/'])(
    'serve nothing at %s',
    async (path) => {
      expect((await scrape(loop, path)).status).toBe(404);
    },
  );

  it('name no credential, key or token in any body, working or failing', async () => {
    const secrets = [
      loop.world.fauxqs.credentials.accessKeyId,
      loop.world.fauxqs.credentials.secretAccessKey,
      loop.world.publicKeyPem.split('\n')[1] as string,
      readFileSync(join(loop.world.dir, 'keys', 'signing.pem'), 'utf8').split('\n')[1] as string,
      'PRIVATE KEY',
    ];
    const bodies = async () =>
      Promise.all(['/healthz', '/readyz', '/metrics'].map(async (p) => (await scrape(loop, p)).text()));
    const working = await bodies();
    // The store and queue go away: the loop's rounds fail, and the probes say so without its error text.
    await loop.world.fauxqs.close();
    expect(await eventually(async () => (await scrape(loop, '/readyz')).status === 503)).toBe(true);
    const failing = await bodies();
    for (const body of [...working, ...failing])
      for (const secret of secrets) expect(body).not.toContain(secret);
    expect(failing[1]).toMatch(/^failing: the latest round failed \d+ s ago\n$/);
    expect(failing.join('')).not.toContain(loop.world.fauxqs.endpoint);
  });
});
