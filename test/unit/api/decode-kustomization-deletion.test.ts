// A Kustomization's spec.deletionPolicy is decoded against Flux's enum and carried in the apply options
// (absent for the default, so earlier digests hold); spec.kubeConfig is refused, as for HelmReleases.
import { describe, expect, it } from 'vitest';
import { decodeResource } from '../../../shared/api/decode-resource.ts';
import type { DeletionPolicy } from '../../../shared/api/kustomization.ts';
import { createLocalRenderDeps } from '../../../shared/config/render-deps.ts';
import { isSluiceError, type SluiceError } from '../../../shared/core/errors.ts';
import { kustomizationRenderer } from '../../../shared/usecases/renderers/kustomization-renderer.ts';
import { testKustomization } from '../../support/kustomization-fixture.ts';

type Raw = Record<string, unknown>;

const FILE = 'clusters/dev/apps.yaml';

const kustomization = (spec: Raw): Raw => ({
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  metadata: { name: 'apps', namespace: 'flux-system' },
  spec: { interval: '10m', prune: true, sourceRef: { kind: 'GitRepository', name: 'fleet' }, ...spec },
});

const decode = (spec: Raw) => decodeResource(kustomization(spec), { file: FILE, document: 0 });

function refusalOf(run: () => unknown): SluiceError {
  try {
    run();
  } catch (err) {
    if (isSluiceError(err)) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('decoding spec.deletionPolicy', () => {
  it.each(['MirrorPrune', 'Delete', 'WaitForTermination', 'Orphan'])('keeps %s', (policy) => {
    expect(decode({ deletionPolicy: policy })).toMatchObject({ spec: { deletionPolicy: policy } });
  });

  it('leaves it out when absent (MirrorPrune)', () => {
    const decoded = decode({});
    expect(decoded.kind === 'Kustomization' && 'deletionPolicy' in decoded.spec).toBe(false);
  });

  it.each([['delete'], ['Purge'], ['']])('refuses %j, naming the field and the allowed values', (policy) => {
    const refusal = refusalOf(() => decode({ deletionPolicy: policy }));
    expect(refusal).toMatchObject({ code: 'ValidationFailed', field: 'spec.deletionPolicy' });
    expect(refusal.message).toContain('"MirrorPrune", "Delete", "WaitForTermination", "Orphan"');
  });

  it('words a misspelt policy as the README shows it', () => {
    expect(refusalOf(() => decode({ deletionPolicy: 'delete' })).message).toBe(
      'clusters/dev/apps.yaml: Kustomization/flux-system/apps: spec.deletionPolicy: expected one of "MirrorPrune", "Delete", "WaitForTermination", "Orphan", got "delete"',
    );
  });

  it('refuses a value that is not a string', () => {
    expect(refusalOf(() => decode({ deletionPolicy: 1 }))).toMatchObject({
      code: 'ValidationFailed',
      field: 'spec.deletionPolicy',
    });
  });
});

describe('decoding spec.kubeConfig', () => {
  it('refuses it: the puller would apply to its own cluster, not the remote one', () => {
    const refusal = refusalOf(() => decode({ kubeConfig: { secretRef: { name: 'remote' } } }));
    expect(refusal).toMatchObject({ code: 'ValidationFailed', field: 'spec.kubeConfig', retryable: false });
    expect(refusal.message).toContain('declare it in the fleet path of the cluster it is meant for');
  });

  it('accepts an explicit null, as if absent', () => {
    expect(() => decode({ kubeConfig: null })).not.toThrow();
  });
});

describe("the Kustomization renderer's deletion policy", () => {
  const renderer = kustomizationRenderer(createLocalRenderDeps());
  const applyOf = (deletionPolicy?: DeletionPolicy) =>
    renderer.plan(
      {
        cluster: 'dev',
        kustomization: testKustomization('apps', 'flux-system', deletionPolicy ? { deletionPolicy } : {}),
        sourceKey: 'GitRepository/flux-system/fleet',
        parent: null,
      },
      { noCrossNamespaceRefs: false },
    ).apply;

  it.each(['Delete', 'WaitForTermination', 'Orphan'] as const)('carries %s to the puller', (policy) => {
    expect(applyOf(policy).deletionPolicy).toBe(policy);
  });

  it('leaves MirrorPrune out, so artifacts rendered before the field keep their digest', () => {
    expect('deletionPolicy' in applyOf('MirrorPrune')).toBe(false);
    expect('deletionPolicy' in applyOf()).toBe(false);
  });
});
