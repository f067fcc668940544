import { describe, expect, it } from 'vitest';
import { adoptRoot } from '../../../../shared/core/fleet/adopt-root.ts';
import { SOURCE_FILE_ANNOTATION } from '../../../../shared/core/render/source-file.ts';
import type { KubeObject } from '../../../../shared/core/render/yaml-codec.ts';
import { rootKustomization } from '../../../../shared/usecases/register-fleet.ts';

const FLEET = { url: 'https://git.example/org/fleet.git', branch: 'main', intervalMs: 60_000 };
const configured = rootKustomization('dev', FLEET);
const GOTK = 'clusters/dev/flux-system/gotk-sync.yaml';

function gotkSync(ks: Record<string, unknown> = {}, git: Record<string, unknown> = {}): KubeObject[] {
  const meta = {
    name: 'flux-system',
    namespace: 'flux-system',
    annotations: { [SOURCE_FILE_ANNOTATION]: GOTK },
  };
  return [
    {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: meta,
      spec: { interval: '1m0s', ref: { branch: 'main' }, url: 'ssh://git@git.example/org/fleet', ...git },
    },
    {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: meta,
      spec: {
        interval: '10m0s',
        path: './clusters/dev',
        prune: true,
        sourceRef: { kind: 'GitRepository', name: 'flux-system' },
        ...ks,
      },
    },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } },
  ];
}

function fluxInstance(sync: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'fluxcd.controlplane.io/v1',
    kind: 'FluxInstance',
    metadata: { name: 'flux', namespace: 'flux-system' },
    spec: { distribution: { version: '2.x', registry: 'ghcr.io/fluxcd' }, sync },
  };
}

const adopt = (objects: KubeObject[], variables: Record<string, string> = {}) =>
  adoptRoot({ configured, objects, fleet: { url: FLEET.url, branch: 'main' }, variables });

describe('adoptRoot from gotk-sync.yaml', () => {
  it('keeps the configured root when gotk-sync.yaml says what flux bootstrap writes, and drops the fleet objects', () => {
    const result = adopt(gotkSync());
    expect(result.kustomization).toBeUndefined();
    expect(result.warnings).toEqual([]);
    expect(result.objects.map((o) => o.kind)).toEqual(['Namespace']);
  });

  it('takes the fields a patch gave the root Kustomization (decryption, postBuild, path)', () => {
    const result = adopt(
      gotkSync({
        path: './clusters/dev/',
        decryption: { provider: 'sops', secretRef: { name: 'sops-age' } },
        postBuild: { substitute: { DOMAIN: 'example.org', CLUSTER: 'from-file' } },
      }),
      { CLUSTER: 'dev' },
    );
    expect(result.readFrom).toBe(GOTK);
    expect(result.kustomization?.spec).toMatchObject({
      path: './clusters/dev',
      decryption: { provider: 'sops', secretRef: { name: 'sops-age' } },
      postBuild: { substitute: { DOMAIN: 'example.org', CLUSTER: 'dev' } },
      intervalMs: FLEET.intervalMs,
      sourceRef: configured.spec.sourceRef,
    });
    expect(result.kustomization?.source.file).toBe(GOTK);
  });

  it('reports a sync URL of another repository, naming the file and the field, and does not follow it', () => {
    const result = adopt(gotkSync({}, { url: 'https://git.example/org/other' }));
    expect(result.kustomization).toBeUndefined();
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toBe(
      `${GOTK}: GitRepository flux-system/flux-system spec.url is https://git.example/org/other, not the configured fleet ${FLEET.url}; Sluice renders the configured fleet and does not follow it to another repository: correct the URL, or point Sluice's fleet at that repository`,
    );
  });

  it('reports a sync branch other than the configured one', () => {
    const result = adopt(gotkSync({}, { ref: { branch: 'production' } }));
    expect(result.warnings[0]).toContain('spec.ref.branch is branch production');
  });

  it('reports a tag the fleet would be pinned to', () => {
    expect(adopt(gotkSync({}, { ref: { tag: 'v1.0.0' } })).warnings[0]).toContain(
      'spec.ref.tag is not followed',
    );
  });
});

describe('adoptRoot from a FluxInstance', () => {
  it('renders from spec.sync.path', () => {
    const result = adopt([
      fluxInstance({
        kind: 'GitRepository',
        url: FLEET.url,
        ref: 'refs/heads/main',
        path: 'clusters/staging',
      }),
    ]);
    expect(result.kustomization?.spec.path).toBe('./clusters/staging');
    expect(result.readFrom).toBe('FluxInstance/flux-system/flux');
    expect(result.warnings).toEqual([]);
    // The FluxInstance itself is split out later, with its status line.
    expect(result.objects.map((o) => o.kind)).toEqual(['FluxInstance']);
  });

  it('keeps the root where it is when spec.sync.path says so', () => {
    const result = adopt([
      fluxInstance({ kind: 'GitRepository', url: FLEET.url, ref: 'refs/heads/main', path: './clusters/dev' }),
    ]);
    expect(result.kustomization).toBeUndefined();
  });

  it.each([
    [
      'an OCIRepository sync',
      { kind: 'OCIRepository', url: 'oci://ghcr.io/org/fleet', ref: 'latest', path: 'x' },
      'spec.sync.kind',
    ],
    [
      'another repository',
      {
        kind: 'GitRepository',
        url: 'https://git.example/org/other',
        ref: 'refs/heads/main',
        path: 'clusters/dev',
      },
      'spec.sync.url',
    ],
    [
      'another branch',
      { kind: 'GitRepository', url: FLEET.url, ref: 'refs/heads/prod', path: 'clusters/dev' },
      'spec.sync.ref',
    ],
    [
      'a tag',
      { kind: 'GitRepository', url: FLEET.url, ref: 'refs/tags/v1', path: 'clusters/dev' },
      'spec.sync.ref',
    ],
    [
      'a path leaving the repository',
      { kind: 'GitRepository', url: FLEET.url, ref: 'refs/heads/main', path: '../x' },
      'spec.sync.path',
    ],
    [
      'another root name',
      { kind: 'GitRepository', url: FLEET.url, ref: 'refs/heads/main', path: 'clusters/dev', name: 'fleet' },
      'set the cluster',
    ],
  ])('reports %s, naming the field', (_what, sync, field) => {
    const result = adopt([fluxInstance(sync)]);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toContain(field);
    expect(result.warnings[0]).toContain('FluxInstance/flux-system/flux');
  });

  it('does not follow an OCIRepository sync to another path', () => {
    const result = adopt([
      fluxInstance({ kind: 'OCIRepository', url: 'oci://r/x', ref: 'latest', path: 'elsewhere' }),
    ]);
    expect(result.kustomization).toBeUndefined();
  });
});
