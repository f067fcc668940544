// The scheduler queues the renders of failed targets again (retry-failed-renders.ts): it may read render
// statuses and HelmRelease records, never write or delete them; no puller gains anything from it.
import { describe, expect, it } from 'vitest';
import { isAllowed } from '../../shared/core/aws/evaluate-policy.ts';
import { stateKeys } from '../../shared/core/pipeline/state-keys.ts';
import { kustomizationTarget, type Target } from '../../shared/core/pipeline/target.ts';
import { functionPolicies, type PolicyArns, pullerPolicy } from '../../stacks/policies.ts';
import { testPolicyArns } from '../support/policy-arns.ts';

const arns: PolicyArns = testPolicyArns(['dev', 'prod']);
const policies = functionPolicies(arns);
const object = (key: string) => `arn:aws:s3:::b/${key}`;
const release: Target = { kind: 'HelmRelease', namespace: 'apps', name: 'podinfo' };
const apps = kustomizationTarget({ namespace: 'flux-system', name: 'apps' });
const status = object(stateKeys.renderStatus('prod', apps));
const releaseStatus = object(stateKeys.renderStatus('prod', release));
const releaseRecord = object(stateKeys.targetRecord('prod', release));
const kustomizationRecord = object(stateKeys.targetRecord('prod', apps));

describe('the grants for retrying failed renders', () => {
  it.each([
    ['a Kustomization render status', status],
    ['a HelmRelease render status', releaseStatus],
    ['a HelmRelease record', releaseRecord],
    ['a Kustomization record', kustomizationRecord],
  ])('let the schedule function read %s', (_what, resource) => {
    expect(isAllowed(policies.schedule, { action: 's3:GetObject', resource })).toBe(true);
  });

  it.each(['s3:PutObject', 's3:DeleteObject'])(
    'let the schedule function not %s a render status or a HelmRelease record',
    (action) => {
      for (const resource of [status, releaseStatus, releaseRecord])
        expect(isAllowed(policies.schedule, { action, resource }), resource).toBe(false);
    },
  );

  it('let the schedule function send render jobs', () => {
    expect(isAllowed(policies.schedule, { action: 'sqs:SendMessage', resource: arns.queues.render })).toBe(
      true,
    );
  });

  it('let no puller read the render statuses or records of another cluster', () => {
    const dev = pullerPolicy(arns, 'dev');
    for (const resource of [status, releaseStatus, releaseRecord])
      expect(isAllowed(dev, { action: 's3:GetObject', resource }), resource).toBe(false);
  });
});
