// Source waiters (a target or HelmChart waiting for a source a sibling declares later) are the render
// function's own records: only it reads, writes and deletes them; no other function or puller touches them.
import { describe, expect, it } from 'vitest';
import { isAllowed } from '../../shared/core/aws/evaluate-policy.ts';
import { stateKeys } from '../../shared/core/pipeline/state-keys.ts';
import { kustomizationTarget } from '../../shared/core/pipeline/target.ts';
import { functionPolicies, type PolicyArns, pullerPolicy } from '../../stacks/policies.ts';
import { testPolicyArns } from '../support/policy-arns.ts';

const arns: PolicyArns = testPolicyArns(['dev']);
const policies = functionPolicies(arns);
const waiter = `arn:aws:s3:::b/${stateKeys.sourceWaiter(
  'dev',
  { kind: 'GitRepository', namespace: 'flux-system', name: 'shared' },
  kustomizationTarget({ namespace: 'flux-system', name: 'apps' }),
)}`;

describe('the grants on source waiters', () => {
  it.each(['s3:GetObject', 's3:PutObject', 's3:DeleteObject'])(
    'let the render function %s them',
    (action) => {
      expect(isAllowed(policies.render, { action, resource: waiter })).toBe(true);
    },
  );

  it.each(['webhook', 'schedule', 'fetch', 'notify'] as const)(
    'let the %s function neither write nor delete them',
    (fn) => {
      for (const action of ['s3:PutObject', 's3:DeleteObject'])
        expect(isAllowed(policies[fn], { action, resource: waiter }), action).toBe(false);
    },
  );

  it('let no puller read them', () => {
    expect(isAllowed(pullerPolicy(arns, 'dev'), { action: 's3:GetObject', resource: waiter })).toBe(false);
  });
});
