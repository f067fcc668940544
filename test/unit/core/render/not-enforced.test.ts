// Which Kustomization fields are reported as not enforced yet: only the ones a fleet actually sets.
import { describe, expect, it } from 'vitest';
import type { KustomizationSpec } from '../../../../shared/api/kustomization.ts';
import { notEnforcedWarnings } from '../../../../shared/core/render/not-enforced.ts';
import { testSpec } from '../../../support/kustomization-fixture.ts';

const spec = testSpec;

describe('notEnforcedWarnings', () => {
  it.each<[string, Partial<KustomizationSpec>, string[]]>([
    ['nothing for a spec that sets none of the fields', {}, []],
    ['nothing for wait: false', { wait: false }, []],
    ['nothing for spec.timeout, which bounds the apply', { timeoutMs: 120_000 }, []],
    ['nothing for an empty healthChecks list', { healthChecks: [] }, []],
    ['spec.wait', { wait: true }, ['spec.wait']],
    [
      'spec.healthChecks',
      { healthChecks: [{ kind: 'Deployment', name: 'web', namespace: 'apps' }] },
      ['spec.healthChecks'],
    ],
    ['spec.retryInterval', { retryIntervalMs: 60_000 }, ['spec.retryInterval']],
    [
      'each field set, in spec order',
      { wait: true, healthChecks: [{ kind: 'Namespace', name: 'apps' }], retryIntervalMs: 1, timeoutMs: 1 },
      ['spec.wait', 'spec.healthChecks', 'spec.retryInterval'],
    ],
  ])('%s', (_what, extra, fields) => {
    const warnings = notEnforcedWarnings(spec(extra));
    expect(warnings.map((w) => w.split(':')[0])).toEqual(fields);
    for (const w of warnings) expect(w).toContain(': not enforced yet: ');
  });

  it('counts the health checks it does not run', () => {
    const checks = [
      { kind: 'Deployment', name: 'a' },
      { kind: 'Deployment', name: 'b' },
    ];
    expect(notEnforcedWarnings(spec({ healthChecks: checks }))[0]).toContain('the 2 objects listed are');
  });
});
