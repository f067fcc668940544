// The puller's environment: everything it needs named when missing, and defaults for the rest.
import { describe, expect, it } from 'vitest';
import { loadPullerConfig, parseListenAddress } from '../../../puller/config.ts';

describe('loadPullerConfig', () => {
  it('reads a complete environment with defaults', () => {
    expect(
      loadPullerConfig({
        SLUICE_CLUSTER: 'dev',
        SLUICE_BUCKET: 'b',
        AWS_REGION: 'eu-west-1',
        SLUICE_SIGNING_KEY_ARN: 'arn:k',
      }),
    ).toEqual({
      cluster: 'dev',
      region: 'eu-west-1',
      bucket: 'b',
      queuePrefix: 'sluice',
      signingKeyArn: 'arn:k',
      intervalMs: 60_000,
      inventoryNamespace: 'sluice-system',
      kubeTimeoutMs: 30_000,
      metricsAddress: { host: '127.0.0.1', port: 8080 },
      concurrency: 4,
    });
  });

  it('serves its endpoints where SLUICE_METRICS_ADDR says, and refuses what is no host:port', () => {
    const base = { SLUICE_CLUSTER: 'dev', SLUICE_BUCKET: 'b', AWS_REGION: 'r', SLUICE_PUBLIC_KEY: 'pem' };
    expect(loadPullerConfig({ ...base, SLUICE_METRICS_ADDR: '0.0.0.0:9090' }).metricsAddress).toEqual({
      host: '0.0.0.0',
      port: 9090,
    });
    expect(() => loadPullerConfig({ ...base, SLUICE_METRICS_ADDR: '8080' })).toThrow(
      expect.objectContaining({ code: 'ConfigInvalid' }),
    );
  });

  it('reconciles SLUICE_CONCURRENT targets at once (Flux: --concurrent), from 1 to 64', () => {
    const base = { SLUICE_CLUSTER: 'dev', SLUICE_BUCKET: 'b', AWS_REGION: 'r', SLUICE_PUBLIC_KEY: 'pem' };
    expect(loadPullerConfig({ ...base, SLUICE_CONCURRENT: '8' }).concurrency).toBe(8);
    for (const bad of ['0', '65', '2.5', 'four'])
      expect(() => loadPullerConfig({ ...base, SLUICE_CONCURRENT: bad })).toThrow(
        expect.objectContaining({ code: 'ConfigInvalid' }),
      );
  });

  it('names every missing setting at once', () => {
    expect(() => loadPullerConfig({ SLUICE_INTERVAL_SECONDS: '1' })).toThrow(
      "invalid puller configuration: SLUICE_CLUSTER is not set (this cluster's name as declared in sluice.config.ts); SLUICE_BUCKET is not set (the artifact bucket from the deploy outputs); AWS_REGION is not set (the region of the Sluice deployment); set SLUICE_PUBLIC_KEY (PEM) or SLUICE_SIGNING_KEY_ARN (the deploy output signingKeyArn); SLUICE_INTERVAL_SECONDS must be at least 5",
    );
  });
});

describe('parseListenAddress', () => {
  it.each([
    ['127.0.0.1:8080', { host: '127.0.0.1', port: 8080 }],
    ['0.0.0.0:0', { host: '0.0.0.0', port: 0 }],
    ['[::]:8080', { host: '::', port: 8080 }],
    ['localhost:9440', { host: 'localhost', port: 9440 }],
    [':8080', undefined],
    ['0.0.0.0', undefined],
    ['0.0.0.0:65536', undefined],
    ['::1:8080', undefined],
    ['http://0.0.0.0:8080', undefined],
  ])('reads %s', (text, address) => {
    expect(parseListenAddress(text)).toEqual(address);
  });
});
