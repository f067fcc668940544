// The puller's environment: everything it needs named when missing, and defaults for the rest.
import { describe, expect, it } from 'vitest';
import { loadPullerConfig } from '../../../puller/config.ts';

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
    });
  });

  it('names every missing setting at once', () => {
    expect(() => loadPullerConfig({ SLUICE_INTERVAL_SECONDS: '1' })).toThrow(
      "invalid puller configuration: SLUICE_CLUSTER is not set (this cluster's name as declared in sluice.config.ts); SLUICE_BUCKET is not set (the artifact bucket from the deploy outputs); AWS_REGION is not set (the region of the Sluice deployment); set SLUICE_PUBLIC_KEY (PEM) or SLUICE_SIGNING_KEY_ARN (the deploy output signingKeyArn); SLUICE_INTERVAL_SECONDS must be at least 5",
    );
  });
});
