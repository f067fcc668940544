import { describe, expect, it } from 'vitest';
import { loadCloudConfig } from '../../../shared/config/cloud-config.ts';
import { isSluiceError } from '../../../shared/core/errors.ts';

const ENV = {
  AWS_REGION: 'eu-west-1',
  SLUICE_CLUSTERS: 'dev,prod',
  SLUICE_SIGNING_KEY_ARN: 'arn:aws:kms:eu-west-1:123456789012:key/k',
  SLUICE_DATA_KEY_ARN: 'arn:aws:kms:eu-west-1:123456789012:key/d',
  SLUICE_BUCKET: 'b',
  SLUICE_FLEET_URL: 'https://github.com/example/fleet.git',
  SLUICE_WEBHOOK_SECRET: 's',
};

function problemOf(env: Record<string, string>): string {
  try {
    loadCloudConfig({ ...ENV, ...env });
  } catch (err) {
    if (isSluiceError(err) && err.code === 'ConfigInvalid') return err.message;
    throw err;
  }
  throw new Error('the configuration was accepted');
}

describe('loadCloudConfig SLUICE_CLUSTER_ROOTS', () => {
  it('is optional: every cluster then starts at clusters/<name>', () => {
    expect(loadCloudConfig(ENV).clusterRoots).toBeUndefined();
  });

  it('reads each cluster root settings', () => {
    const roots = { prod: { path: 'kubernetes/clusters/prod', variables: { ENV: 'prod' } } };
    expect(loadCloudConfig({ ...ENV, SLUICE_CLUSTER_ROOTS: JSON.stringify(roots) }).clusterRoots).toEqual(
      roots,
    );
  });

  it.each([
    ['text that is not JSON', '{prod', 'must be JSON'],
    ['a cluster not declared', '{"staging":{}}', 'is not one of SLUICE_CLUSTERS'],
    ['a path leaving the repository', '{"prod":{"path":"../x"}}', 'SLUICE_CLUSTER_ROOTS.prod.path'],
  ])('refuses %s, naming the variable', (_what, text, named) => {
    expect(problemOf({ SLUICE_CLUSTER_ROOTS: text })).toContain(named);
  });
});

describe('loadCloudConfig SLUICE_ROLLBACK_SECRET', () => {
  it('is optional: without it (or empty, the stack secret left unset) the webhook takes no rollback', () => {
    expect(loadCloudConfig(ENV).rollbackSecret).toBeUndefined();
    expect(loadCloudConfig({ ...ENV, SLUICE_ROLLBACK_SECRET: '' }).rollbackSecret).toBeUndefined();
    expect(loadCloudConfig({ ...ENV, SLUICE_ROLLBACK_SECRET: 'ops' }).rollbackSecret).toBe('ops');
  });

  it('must differ from the webhook secret, which the Git host holds', () => {
    const problem = problemOf({ SLUICE_ROLLBACK_SECRET: 's' });
    expect(problem).toContain('SLUICE_ROLLBACK_SECRET must differ from SLUICE_WEBHOOK_SECRET');
    expect(problem).not.toContain("'s'");
  });
});
