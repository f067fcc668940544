// sluice check's verdicts: what a render found (fluxObjectsFound over a real split) and what became of each
// object afterwards give one verdict, in a fixed precedence, and the report sorts and counts them stably.
import { describe, expect, it } from 'vitest';
import { checkReport, exitCodeOf } from '../../../../shared/core/check/check-report.ts';
import { classifyObject } from '../../../../shared/core/check/classify-object.ts';
import { isFluxApiVersion } from '../../../../shared/core/check/flux-api-version.ts';
import { type FluxObjectFound, fluxObjectsFound } from '../../../../shared/core/check/flux-object-found.ts';
import { splitRenderedObjects } from '../../../../shared/core/pipeline/split-rendered-objects.ts';
import { SOURCE_FILE_ANNOTATION } from '../../../../shared/core/render/source-file.ts';
import type { KubeObject } from '../../../../shared/core/render/yaml-codec.ts';

function flux(
  apiVersion: string,
  kind: string,
  name: string,
  spec: object = {},
  file = 'clusters/dev/x.yaml',
) {
  return {
    apiVersion,
    kind,
    // The render notes the file of toolkit objects only (moveOriginToSourceFile).
    metadata: {
      name,
      namespace: 'flux-system',
      ...(file && { annotations: { [SOURCE_FILE_ANNOTATION]: file } }),
    },
    spec,
  } as KubeObject;
}

const kustomization = (name: string, extra: object = {}) =>
  flux('kustomize.toolkit.fluxcd.io/v1', 'Kustomization', name, {
    interval: '10m',
    path: './apps',
    prune: true,
    sourceRef: { kind: 'GitRepository', name: 'flux-system' },
    ...extra,
  });

function found(objects: KubeObject[], declares = true): FluxObjectFound[] {
  return fluxObjectsFound(objects, splitRenderedObjects(objects, 'Kustomization/flux-system/root'), declares);
}

describe('fluxObjectsFound', () => {
  it('records each Flux object of a render with its file and what the split did with it', () => {
    const objects = [
      kustomization('apps'),
      flux('notification.toolkit.fluxcd.io/v1beta3', 'Alert', 'on-call'),
      flux(
        'source.extensions.fluxcd.io/v1beta1',
        'ArtifactGenerator',
        'bundle',
        {
          sources: [{ alias: 'repo', kind: 'GitRepository', name: 'flux-system' }],
          artifacts: [{ name: 'bundle', copy: [{ from: '@repo/apps/**', to: '@artifact/' }] }],
        },
        '',
      ),
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'plain', namespace: 'default' } },
    ];
    expect(found(objects).map((f) => [f.kind, f.name, f.file, f.handling])).toEqual([
      ['Kustomization', 'apps', 'clusters/dev/x.yaml', 'declared'],
      ['Alert', 'on-call', 'clusters/dev/x.yaml', 'skipped'],
      // Its artifacts are sources of the cluster (ExternalArtifacts).
      ['ArtifactGenerator', 'bundle', '', 'declared'],
    ]);
  });

  it('names the fields an older version drops as differences, and its deprecation as a note', () => {
    const [apps] = found([
      {
        ...kustomization('apps', { validation: 'client' }),
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1beta2',
      },
    ]);
    expect(apps?.differences).toEqual([
      'spec.validation is not a field of kustomize.toolkit.fluxcd.io/v1, so Flux ignores it and so does Sluice; remove it: server-side apply always validates',
    ]);
    expect(apps?.notes).toHaveLength(1);
    expect(apps?.notes[0]).toContain('move to kustomize.toolkit.fluxcd.io/v1');
  });

  it('keeps what the render said about a skipped object as the reason it was skipped', () => {
    const [external] = found([
      flux('source.toolkit.fluxcd.io/v1', 'ExternalArtifact', 'from-elsewhere', {
        sourceRef: { apiVersion: 'example.com/v1', kind: 'Thing', name: 'x' },
      }),
    ]);
    expect(external?.handling).toBe('skipped');
    expect(external && classifyObject(external)).toMatchObject({
      verdict: 'unsupported',
      reason: expect.stringContaining('written by a third-party controller'),
    });
  });

  it('reports a ResourceSet by what its expansion said, and the Flux objects it generated at its file', () => {
    const objects = [
      flux('fluxcd.controlplane.io/v1', 'ResourceSet', 'tenants', {
        inputs: [{ tenant: 'team-a' }],
        resources: [
          {
            apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
            kind: 'Kustomization',
            metadata: { name: '<< inputs.tenant >>-apps', namespace: 'flux-system' },
            spec: {
              interval: '10m',
              path: './tenants',
              prune: true,
              sourceRef: { kind: 'GitRepository', name: 'flux-system' },
            },
          },
        ],
      }),
    ];
    expect(found(objects).map((f) => classifyObject(f))).toEqual([
      {
        kind: 'ResourceSet',
        namespace: 'flux-system',
        name: 'tenants',
        file: 'clusters/dev/x.yaml',
        verdict: 'delivered',
        reason: 'expanded into 1 object',
      },
      {
        kind: 'Kustomization',
        namespace: 'flux-system',
        name: 'team-a-apps',
        file: 'clusters/dev/x.yaml',
        verdict: 'delivered',
        reason: 'generated by ResourceSet flux-system/tenants',
      },
    ]);
  });

  it('names the HelmRelease fields Sluice accepts and does not carry out as differences', () => {
    const release = flux('helm.toolkit.fluxcd.io/v2', 'HelmRelease', 'web', {
      interval: '1h',
      chart: { spec: { chart: './charts/web', sourceRef: { kind: 'GitRepository', name: 'flux-system' } } },
      test: { enable: true },
    });
    const [web] = found([release]);
    expect(web && classifyObject(web)).toMatchObject({
      verdict: 'different',
      reason: expect.stringMatching(/^spec\.test: Helm tests are not run by Sluice/),
    });
  });

  it('names spec.rollback and remediation.retries of a HelmRelease as differences too', () => {
    const release = flux('helm.toolkit.fluxcd.io/v2', 'HelmRelease', 'web', {
      interval: '1h',
      chart: { spec: { chart: './charts/web', sourceRef: { kind: 'GitRepository', name: 'flux-system' } } },
      rollback: { cleanupOnFail: true },
      install: { remediation: { retries: 3 } },
    });
    const [web] = found([release]);
    const verdict = web && classifyObject(web);
    expect(verdict?.verdict).toBe('different');
    expect(verdict?.reason).toContain('spec.rollback: ');
    expect(verdict?.reason).toContain('spec.install.remediation.retries: ');
  });

  it('delivers an ArtifactGenerator with spec.pathPattern', () => {
    const generator = flux('source.extensions.fluxcd.io/v1beta1', 'ArtifactGenerator', 'teams', {
      sources: [{ alias: 'fleet', kind: 'GitRepository', name: 'flux-system' }],
      pathPattern: '@fleet/teams/{team}',
      artifacts: [{ name: 'team-{team}', copy: [{ from: '@fleet/teams/{team}/**', to: '@artifact/' }] }],
    });
    const [teams] = found([generator]);
    expect(teams && classifyObject(teams)).toMatchObject({ kind: 'ArtifactGenerator', verdict: 'delivered' });
  });

  it('skips every Flux object a chart renders: only Kustomizations declare them', () => {
    expect(found([kustomization('apps')], false).map((f) => f.handling)).toEqual(['skipped']);
  });
});

describe('classifyObject', () => {
  const base: FluxObjectFound = {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    namespace: 'flux-system',
    name: 'apps',
    file: 'clusters/dev/apps.yaml',
    handling: 'declared',
    differences: [],
    notes: [],
  };

  it.each([
    ['a declared object that rendered', base, {}, 'delivered', ''],
    ['a deprecated version, converted', { ...base, notes: ['deprecated'] }, {}, 'delivered', 'deprecated'],
    [
      'a dropped field',
      { ...base, differences: ['spec.validation dropped'] },
      {},
      'different',
      'spec.validation dropped',
    ],
    [
      'a failed render, its place left out of the reason',
      base,
      {
        failure: { message: 'clusters/dev/apps.yaml: Kustomization/flux-system/apps: spec.path: not found' },
      },
      'error',
      'spec.path: not found',
    ],
    [
      'a refusal',
      base,
      { failure: { message: 'X is not supported', unsupported: true } },
      'unsupported',
      'X is not supported',
    ],
    [
      'a skipped kind, even with a failure',
      {
        ...base,
        kind: 'ImagePolicy',
        apiVersion: 'image.toolkit.fluxcd.io/v1',
        handling: 'skipped' as const,
      },
      { failure: { message: 'ignored' } },
      'unsupported',
      'image automation is not supported by Sluice: image tags are not scanned and nothing is written back to Git',
    ],
  ])('%s', (_what, object, outcome, verdict, reason) => {
    expect(classifyObject(object, outcome)).toEqual({
      kind: object.kind,
      namespace: 'flux-system',
      name: 'apps',
      file: 'clusters/dev/apps.yaml',
      verdict,
      reason,
    });
  });
});

describe('classifyObject on notification kinds', () => {
  it.each(['Alert', 'Provider'])('reports a %s as unsupported: notifications are not sent', (kind) => {
    const object: FluxObjectFound = {
      apiVersion: 'notification.toolkit.fluxcd.io/v1',
      kind,
      namespace: 'flux-system',
      name: 'x',
      file: 'clusters/dev/notifications.yaml',
      handling: 'skipped',
      differences: [],
      notes: [],
    };
    expect(classifyObject(object)).toMatchObject({
      verdict: 'unsupported',
      reason: expect.stringMatching(/^notifications are not sent by Sluice/),
    });
  });
});

describe('classifyObject on a Receiver', () => {
  it('reports it as unsupported, naming the endpoint Sluice takes webhooks at instead', () => {
    const object: FluxObjectFound = {
      apiVersion: 'notification.toolkit.fluxcd.io/v1',
      kind: 'Receiver',
      namespace: 'flux-system',
      name: 'github',
      file: 'clusters/dev/receiver.yaml',
      handling: 'skipped',
      differences: [],
      notes: [],
    };
    expect(classifyObject(object)).toMatchObject({
      verdict: 'unsupported',
      reason: expect.stringMatching(/^Flux Receivers are not served: .*POST \/hooks\/generic$/),
    });
  });
});

describe('checkReport', () => {
  it('sorts by file, kind, namespace and name, keeps the first of duplicates, and counts', () => {
    const o = (kind: string, name: string, file: string, verdict: 'delivered' | 'error') => ({
      kind,
      namespace: 'ns',
      name,
      file,
      verdict,
      reason: '',
    });
    const report = checkReport([
      o('Kustomization', 'b', 'b.yaml', 'delivered'),
      o('Kustomization', 'a', 'b.yaml', 'error'),
      o('Kustomization', 'a', 'b.yaml', 'delivered'),
      o('HelmRelease', 'z', 'a.yaml', 'delivered'),
    ]);
    expect(report.objects.map((x) => `${x.file} ${x.kind} ${x.name} ${x.verdict}`)).toEqual([
      'a.yaml HelmRelease z delivered',
      'b.yaml Kustomization a error',
      'b.yaml Kustomization b delivered',
    ]);
    expect(report.summary).toEqual({ delivered: 2, different: 0, unsupported: 0, error: 1 });
    expect(exitCodeOf(report)).toBe(1);
    expect(exitCodeOf(checkReport([o('Kustomization', 'a', 'a.yaml', 'delivered')]))).toBe(0);
  });
});

describe('isFluxApiVersion', () => {
  it.each([
    ['source.toolkit.fluxcd.io/v1', true],
    ['source.extensions.fluxcd.io/v1beta1', true],
    ['fluxcd.controlplane.io/v1', true],
    ['image.toolkit.fluxcd.io/v1beta2', true],
    ['apps/v1', false],
    ['v1', false],
    ['example.com/v1', false],
  ])('%s is %s', (apiVersion, expected) => {
    expect(isFluxApiVersion(apiVersion)).toBe(expected);
  });
});
