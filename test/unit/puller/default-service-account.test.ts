// SLUICE_DEFAULT_SERVICE_ACCOUNT (Flux's --default-service-account): a ServiceAccount name, or refused, and
// whom a target's calls then act as.
import { describe, expect, it } from 'vitest';
import { loadPullerConfig } from '../../../puller/config.ts';
import type { Target } from '../../../shared/core/pipeline/target.ts';
import { tenantUser } from '../../../shared/usecases/puller/tenant-identity.ts';

const base = { SLUICE_CLUSTER: 'dev', SLUICE_BUCKET: 'b', AWS_REGION: 'r', SLUICE_PUBLIC_KEY: 'pem' };
const code = (run: () => unknown) => {
  try {
    run();
    return 'ok';
  } catch (err) {
    return (err as { code?: string }).code;
  }
};

describe('SLUICE_DEFAULT_SERVICE_ACCOUNT', () => {
  it('is read as a ServiceAccount name, and absent by default or when empty', () => {
    expect(
      loadPullerConfig({ ...base, SLUICE_DEFAULT_SERVICE_ACCOUNT: 'flux-tenant' }).defaultServiceAccount,
    ).toBe('flux-tenant');
    expect(loadPullerConfig(base).defaultServiceAccount).toBeUndefined();
    expect(
      loadPullerConfig({ ...base, SLUICE_DEFAULT_SERVICE_ACCOUNT: '' }).defaultServiceAccount,
    ).toBeUndefined();
  });

  it.each(['team-a:deployer', 'system:serviceaccount:team-a:deployer', 'Deployer'])(
    'refuses %j, which is no ServiceAccount name',
    (value) => {
      expect(code(() => loadPullerConfig({ ...base, SLUICE_DEFAULT_SERVICE_ACCOUNT: value }))).toBe(
        'ConfigInvalid',
      );
    },
  );
});

describe('tenantUser', () => {
  const target: Target = { kind: 'Kustomization', namespace: 'team-a', name: 'apps' };
  it.each([
    ['neither set: the puller itself', undefined, undefined, undefined],
    ["the target's own account", 'deployer', undefined, 'system:serviceaccount:team-a:deployer'],
    [
      'the default account in the target namespace',
      undefined,
      'tenant',
      'system:serviceaccount:team-a:tenant',
    ],
    [
      "the target's account before the default",
      'deployer',
      'tenant',
      'system:serviceaccount:team-a:deployer',
    ],
  ])('%s', (_what, own, fallback, user) => {
    expect(tenantUser(target, own, fallback)).toBe(user);
  });

  it('refuses a name that would impersonate another user', () => {
    expect(code(() => tenantUser(target, 'flux-system:admin', undefined))).toBe('AccessDenied');
  });
});
