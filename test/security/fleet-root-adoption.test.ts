// A fleet's own declaration of its root (gotk-sync.yaml, a FluxInstance) is fleet content: it may not move the
// root out of the repository, to another repository, or put a credential of its URL into a status line.
import { describe, expect, it } from 'vitest';
import { adoptRoot } from '../../shared/core/fleet/adopt-root.ts';
import type { KubeObject } from '../../shared/core/render/yaml-codec.ts';
import { rootKustomization } from '../../shared/usecases/register-fleet.ts';

const FLEET = { url: 'https://git.example/org/fleet.git', branch: 'main', intervalMs: 60_000 };
const configured = rootKustomization('dev', FLEET);
const meta = { name: 'flux-system', namespace: 'flux-system' };
const adopt = (objects: KubeObject[]) =>
  adoptRoot({ configured, objects, fleet: { url: FLEET.url, branch: 'main' }, variables: {} });
const selfKs = (path: string): KubeObject => ({
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  metadata: meta,
  spec: { interval: '10m', path, prune: true, sourceRef: { kind: 'GitRepository', name: 'flux-system' } },
});
const instance = (sync: Record<string, unknown>): KubeObject => ({
  apiVersion: 'fluxcd.controlplane.io/v1',
  kind: 'FluxInstance',
  metadata: { name: 'flux', namespace: 'flux-system' },
  spec: { sync: { kind: 'GitRepository', url: FLEET.url, ref: 'refs/heads/main', ...sync } },
});

describe('a fleet declaring its own root', () => {
  it.each(['../../etc', '/etc', 'clusters/../../..'])(
    'keeps the configured path when gotk-sync.yaml says %s',
    (path) => {
      const result = adopt([selfKs(path)]);
      expect(result.kustomization?.spec.path ?? configured.spec.path).toBe('./clusters/dev');
      expect(result.warnings.some((w) => w.includes('spec.path'))).toBe(true);
    },
  );

  it.each(['../../etc', '/etc'])('keeps the configured path when a FluxInstance syncs %s', (path) => {
    const result = adopt([instance({ path })]);
    expect(result.kustomization).toBeUndefined();
    expect(result.warnings[0]).toContain('spec.sync.path');
  });

  it('never follows a sync URL to another repository, and keeps its credentials out of the status', () => {
    const gitRepository: KubeObject = {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: meta,
      spec: { url: 'https://user:s3cr3t-token@evil.example/org/fleet.git', ref: { branch: 'main' } },
    };
    const gotk = adopt([gitRepository, selfKs('./clusters/dev')]);
    const flux = adopt([
      instance({ url: 'https://user:s3cr3t-token@evil.example/x.git', path: 'clusters/dev' }),
    ]);
    for (const result of [gotk, flux]) {
      expect(result.kustomization).toBeUndefined();
      expect(result.warnings).toHaveLength(1);
      expect(result.warnings.join('\n')).not.toContain('s3cr3t-token');
    }
  });
});
