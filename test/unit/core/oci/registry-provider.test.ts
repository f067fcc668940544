import { describe, expect, it } from 'vitest';
import { registryProvider } from '../../../../shared/core/oci/registry-provider.ts';
import { errorOf } from '../../../support/error-of.ts';

describe('registryProvider', () => {
  it.each([
    [undefined, 'ghcr.io', { kind: 'generic' }],
    ['generic', 'ghcr.io', { kind: 'generic' }],
    ['aws', '123456789012.dkr.ecr.eu-west-1.amazonaws.com', { kind: 'aws', region: 'eu-west-1' }],
    [
      'aws',
      '123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com:443',
      { kind: 'aws', region: 'us-gov-west-1' },
    ],
    ['aws', '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn', { kind: 'aws', region: 'cn-north-1' }],
  ])('%s for %s', (provider, host, expected) => {
    expect(registryProvider(provider, host)).toEqual(expected);
  });

  it.each([
    ['aws', 'ghcr.io', 'works only for ECR registries'],
    ['azure', 'x.azurecr.io', 'not supported by Sluice yet; use provider generic with a secretRef'],
    ['gcp', 'europe-docker.pkg.dev', 'not supported by Sluice yet; use provider generic with a secretRef'],
    ['oracle', 'x', 'is not one of generic, aws, azure, gcp'],
  ])('refuses %s for %s', (provider, host, message) => {
    const err = errorOf(() => registryProvider(provider, host));
    expect(err.code).toBe('ValidationFailed');
    expect(err.message).toContain(message);
  });
});
