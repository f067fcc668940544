// A rollback request's fields as the HTTP API and the webhook take them: each one checked, the kind
// defaulting to Kustomization, and a 400 UsageError naming what is wrong.
import { describe, expect, it } from 'vitest';
import { parseRollbackAsk } from '../../../shared/usecases/rollback-request.ts';
import { errorOf } from '../../support/error-of.ts';

const good = { cluster: 'dev', namespace: 'flux-system', name: 'web', to: 'sha256:abc' };

describe('parseRollbackAsk', () => {
  it('takes a Kustomization by default, a HelmRelease when named, and keeps who asked and why', () => {
    expect(parseRollbackAsk({ ...good, reason: 'broken' }, 'api')).toEqual({
      cluster: 'dev',
      target: { kind: 'Kustomization', namespace: 'flux-system', name: 'web' },
      to: 'sha256:abc',
      by: 'api',
      reason: 'broken',
    });
    expect(parseRollbackAsk({ ...good, kind: 'HelmRelease' }, 'webhook').target.kind).toBe('HelmRelease');
  });

  it.each([
    ['no object', 'dev/web', /is not an object/],
    ['no cluster', { ...good, cluster: undefined }, /no valid cluster/],
    ['an empty name', { ...good, name: '' }, /no valid name/],
    ['a digest that is no string', { ...good, to: 42 }, /no valid to/],
    ['an overlong namespace', { ...good, namespace: 'n'.repeat(254) }, /no valid namespace/],
    ['an unknown kind', { ...good, kind: 'Deployment' }, /kind "Deployment"/],
    ['a reason that is no string', { ...good, reason: ['x'] }, /reason that is no string/],
  ])('refuses %s', (_case, value, why) => {
    const err = errorOf(() => parseRollbackAsk(value, 'api'));
    expect(err.code).toBe('UsageError');
    expect(err.message).toMatch(why);
  });
});
