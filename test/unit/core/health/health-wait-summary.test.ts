// How a health wait ends and what it says, in kustomize-controller's words (fluxcd/pkg ssa WaitForSet).
import { describe, expect, it } from 'vitest';
import type { HealthStatus } from '../../../../shared/core/health/health-result.ts';
import {
  type ObjectHealth,
  waitMessage,
  waitVerdict,
} from '../../../../shared/core/health/health-wait-summary.ts';

const at = (kind: string, name: string, status: HealthStatus, namespace?: string): ObjectHealth => ({
  ref: { apiVersion: 'v1', kind, name, ...(namespace && { namespace }) },
  status,
  message: status === 'Unknown' ? 'the API server answered 500' : `${kind} is ${status}`,
});

describe('waitVerdict', () => {
  it.each<[string, HealthStatus[], boolean, string]>([
    ['all Current', ['Current', 'Current'], true, 'healthy'],
    ['one in progress', ['Current', 'InProgress'], true, 'pending'],
    ['one Failed while another is in progress, failing fast', ['Failed', 'InProgress'], true, 'failed'],
    ['one Failed while another is in progress, not failing fast', ['Failed', 'InProgress'], false, 'pending'],
    ['only Current and Failed left, not failing fast', ['Failed', 'Current'], false, 'failed'],
    ['one not found yet', ['NotFound', 'Current'], true, 'pending'],
    ['one Unknown', ['Unknown'], true, 'pending'],
    ['one terminating', ['Terminating'], true, 'pending'],
  ])('%s is %s', (_, statuses, failFast, verdict) => {
    expect(
      waitVerdict(
        statuses.map((s, i) => at('ConfigMap', `c${i}`, s, 'apps')),
        failFast,
      ),
    ).toBe(verdict);
  });
});

describe('waitMessage', () => {
  const objects = [
    at('Deployment', 'web', 'InProgress', 'apps'),
    at('Namespace', 'apps', 'Current'),
    at('Job', 'migrate', 'Failed', 'apps'),
    at('Widget', 'w', 'Unknown', 'apps'),
  ];

  it('at a timeout names every object not Current, with the error of an Unknown one', () => {
    expect(waitMessage(objects, 'timeout')).toBe(
      "timeout waiting for: [Deployment/apps/web status: 'InProgress', Job/apps/migrate status: 'Failed', Widget/apps/w status: 'Unknown': the API server answered 500]",
    );
  });

  it('when failing early names only the Failed ones', () => {
    expect(waitMessage(objects, 'failed')).toBe(
      "failed early due to stalled resources: [Job/apps/migrate status: 'Failed']",
    );
  });

  it('names a cluster-scoped object without a namespace', () => {
    expect(waitMessage([at('Namespace', 'apps', 'NotFound')], 'timeout')).toBe(
      "timeout waiting for: [Namespace/apps status: 'NotFound']",
    );
  });

  it('says nothing when healthy', () => {
    expect(waitMessage([at('Namespace', 'apps', 'Current')], 'healthy')).toBe('');
  });
});
