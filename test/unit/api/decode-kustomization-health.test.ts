// A Kustomization's health fields are decoded and carried to the puller: spec.wait, spec.healthChecks (with
// Flux's defaults), spec.healthCheckExprs (each CEL expression checked here, at decode time) and spec.timeout.
import { describe, expect, it } from 'vitest';
import { decodeResource } from '../../../shared/api/decode-resource.ts';
import { createLocalRenderDeps } from '../../../shared/config/render-deps.ts';
import { kustomizationRenderer } from '../../../shared/usecases/renderers/kustomization-renderer.ts';
import { errorOf } from '../../support/error-of.ts';
import { testKustomization } from '../../support/kustomization-fixture.ts';

type Raw = Record<string, unknown>;

const FILE = 'clusters/dev/apps.yaml';
const KS = 'Kustomization/flux-system/apps';

const kustomization = (spec: Raw): Raw => ({
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  metadata: { name: 'apps', namespace: 'flux-system' },
  spec: { interval: '10m', prune: true, sourceRef: { kind: 'GitRepository', name: 'fleet' }, ...spec },
});

const sealedSecret = {
  apiVersion: 'bitnami.com/v1alpha1',
  kind: 'SealedSecret',
  failed: "status.conditions.filter(e, e.type == 'Synced').all(e, e.status == 'False')",
  current: "status.conditions.filter(e, e.type == 'Synced').all(e, e.status == 'True')",
};

const decode = (spec: Raw) => decodeResource(kustomization(spec), { file: FILE, document: 0 });

describe('decoding spec.healthCheckExprs', () => {
  it('keeps valid expressions', () => {
    expect(decode({ wait: true, healthCheckExprs: [sealedSecret] })).toMatchObject({
      spec: { wait: true, healthCheckExprs: [sealedSecret] },
    });
  });

  it('refuses an expression that does not parse, naming the field and the expression', () => {
    const err = errorOf(() =>
      decode({
        healthCheckExprs: [{ ...sealedSecret, current: "status.conditions.exists(e, e.type == 'Ready'" }],
      }),
    );
    expect(err.code).toBe('ValidationFailed');
    expect(err.message).toBe(
      `${FILE}: ${KS}: spec.healthCheckExprs[0].current: invalid CEL expression 'status.conditions.exists(e, e.type == 'Ready'': Expected RPAREN, got EOF`,
    );
  });

  it.each([
    ['no current', { apiVersion: 'example.com/v1' }, 'spec.healthCheckExprs[0].current: is required'],
    ['no apiVersion', { current: 'true' }, 'spec.healthCheckExprs[0].apiVersion: is required'],
    ['an unknown field', { ...sealedSecret, ready: 'true' }, 'spec.healthCheckExprs[0].ready: unknown field'],
    [
      'an expression that is not a bool',
      { ...sealedSecret, failed: "'broken'" },
      "spec.healthCheckExprs[0].failed: CEL expression ''broken'' must evaluate to a bool, not string",
    ],
  ])('refuses an entry with %s', (_, entry, message) => {
    expect(errorOf(() => decode({ healthCheckExprs: [entry] })).message).toContain(message);
  });

  it('refuses a second entry for the same group and kind', () => {
    const err = errorOf(() =>
      decode({ healthCheckExprs: [sealedSecret, { ...sealedSecret, apiVersion: 'bitnami.com/v1' }] }),
    );
    expect(err.message).toContain(
      'spec.healthCheckExprs[1]: duplicate custom health check for GroupKind bitnami.com/SealedSecret',
    );
  });
});

describe("the Kustomization renderer's apply options", () => {
  const renderer = kustomizationRenderer(createLocalRenderDeps());
  const applyOf = (spec: Parameters<typeof testKustomization>[2]) =>
    renderer.plan(
      {
        cluster: 'dev',
        kustomization: testKustomization('apps', 'flux-system', spec),
        sourceKey: 'GitRepository/flux-system/fleet',
        parent: null,
      },
      { noCrossNamespaceRefs: false },
    ).apply;

  it('carry wait, timeout, healthChecks (apiVersion defaulting to apps/v1) and healthCheckExprs', () => {
    const apply = applyOf({
      wait: true,
      timeoutMs: 120_000,
      healthChecks: [
        { kind: 'Deployment', name: 'web', namespace: 'apps' },
        { apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', namespace: 'apps' },
        { apiVersion: 'v1', kind: 'Namespace', name: 'apps' },
      ],
      healthCheckExprs: [sealedSecret],
    });
    expect(apply).toMatchObject({
      wait: true,
      timeoutMs: 120_000,
      healthChecks: [
        { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'apps' },
        { apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', namespace: 'apps' },
        { apiVersion: 'v1', kind: 'Namespace', name: 'apps' },
      ],
      healthCheckExprs: [sealedSecret],
    });
  });

  it('leave healthChecks and healthCheckExprs out when unset, so existing artifacts keep their digest', () => {
    const apply = applyOf({ healthChecks: [], healthCheckExprs: [] });
    expect(apply).not.toHaveProperty('healthChecks');
    expect(apply).not.toHaveProperty('healthCheckExprs');
  });
});
