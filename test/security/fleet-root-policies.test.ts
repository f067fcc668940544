// The cloud functions may touch what the fleet-root settings need, and no more: the schedule function records
// a cluster's root names and withdraws a renamed root, the render function records the fleet layout.
import { describe, expect, it } from 'vitest';
import { isAllowed } from '../../shared/core/aws/evaluate-policy.ts';
import { stateKeys } from '../../shared/core/pipeline/state-keys.ts';
import { kustomizationTarget } from '../../shared/core/pipeline/target.ts';
import { rootNamesKey } from '../../shared/usecases/fleet-root-names.ts';
import { fleetLayoutKey } from '../../shared/usecases/report-fleet-layout.ts';
import { functionPolicies } from '../../stacks/policies.ts';
import { testPolicyArns } from '../support/policy-arns.ts';

const policies = functionPolicies(testPolicyArns(['dev']));
const object = (key: string) => `arn:aws:s3:::b/${key}`;
const root = kustomizationTarget({ namespace: 'flux-system', name: 'flux-system' });

describe('the fleet-root grants of the cloud functions', () => {
  it.each([
    ['s3:GetObject', rootNamesKey('dev'), true],
    ['s3:PutObject', rootNamesKey('dev'), true],
    ['s3:DeleteObject', stateKeys.targetRecord('dev', root), true],
    ['s3:DeleteObject', stateKeys.fetchUser('0123456789abcdef01234567', 'dev', root), true],
    // Nothing else becomes deletable: published artifacts, the index, a source's spec and state.
    ['s3:DeleteObject', stateKeys.index('dev', root), false],
    ['s3:DeleteObject', 'artifacts/dev/sha256-x.json', false],
    ['s3:DeleteObject', stateKeys.fetchSpec('0123456789abcdef01234567'), false],
    ['s3:DeleteObject', stateKeys.fetchState('0123456789abcdef01234567'), false],
    ['s3:DeleteObject', rootNamesKey('dev'), false],
    ['s3:PutObject', fleetLayoutKey('dev'), false],
  ])('schedule: %s %s is %s', (action, key, allowed) => {
    expect(isAllowed(policies.schedule, { action, resource: object(key) })).toBe(allowed);
  });

  it.each([
    ['s3:PutObject', fleetLayoutKey('dev'), true],
    ['s3:GetObject', fleetLayoutKey('dev'), true],
    ['s3:GetObject', rootNamesKey('dev'), true],
  ])('render: %s %s is %s', (action, key, allowed) => {
    expect(isAllowed(policies.render, { action, resource: object(key) })).toBe(allowed);
  });

  it('lets the webhook function read neither record', () => {
    expect(
      isAllowed(policies.webhook, { action: 's3:GetObject', resource: object(fleetLayoutKey('dev')) }),
    ).toBe(false);
  });
});
