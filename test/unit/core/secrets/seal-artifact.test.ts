import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ARTIFACT_API, type ArtifactPayload, digestOf } from '../../../../shared/core/artifact/artifact.ts';
import type { ConfigRecord } from '../../../../shared/core/pipeline/records.ts';
import { hasSecrets, openArtifact, sealArtifact } from '../../../../shared/core/secrets/seal-artifact.ts';
import { openConfig, sealConfig } from '../../../../shared/core/secrets/seal-config.ts';
import { SecretCipher } from '../../../../shared/core/secrets/secret-cipher.ts';
import { errorOf } from '../../../support/error-of.ts';

const cipher = new SecretCipher(randomBytes(32));
const wrapped = { keyId: 'arn:aws:kms:us-east-1:111122223333:key/data', blob: 'd3JhcHBlZA==' };
const PASSWORD = Buffer.from('correct horse battery staple').toString('base64');

function payload(over: Partial<ArtifactPayload> = {}): ArtifactPayload {
  return {
    apiVersion: ARTIFACT_API,
    kind: 'Artifact',
    cluster: 'dev',
    target: { kind: 'Kustomization', namespace: 'flux-system', name: 'apps' },
    kustomization: { namespace: 'flux-system', name: 'apps' },
    generation: { fleet: 1, source: 1 },
    sequence: 1,
    source: { url: 'https://git.example/fleet', revision: 'main@sha1:abc' },
    renderKey: 'k',
    apply: { prune: true, wait: false, force: false, timeoutMs: 1, intervalMs: 1, dependsOn: [] },
    objects: [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'app' }, data: { a: 'b' } },
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'db', namespace: 'app' },
        type: 'Opaque',
        data: { password: PASSWORD, empty: null },
        stringData: { user: 'admin-user' },
      },
    ],
    ...over,
  } as ArtifactPayload;
}

describe('sealing an artifact', () => {
  it('seals every Secret value and keeps names, keys and other objects readable', () => {
    const sealed = sealArtifact(payload(), cipher, wrapped);
    const text = JSON.stringify(sealed);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain('admin-user');
    expect(sealed.seal).toEqual(wrapped);
    expect(sealed.objects[0]).toEqual(payload().objects[0]);
    const secret = sealed.objects[1] as {
      data: Record<string, unknown>;
      stringData: Record<string, unknown>;
    };
    expect(Object.keys(secret.data)).toEqual(['password', 'empty']);
    expect(secret.data.empty).toBeNull();
    expect(openArtifact(sealed, cipher)).toEqual(payload());
  });

  it('gives the same digest for the same content, so an unchanged render publishes nothing', () => {
    expect(digestOf(sealArtifact(payload(), cipher, wrapped))).toBe(
      digestOf(sealArtifact(payload({ generation: { fleet: 1, source: 1 } }), cipher, wrapped)),
    );
  });

  it('seals a HelmRelease values and manifest, where valuesFrom Secrets end up', () => {
    const helm = {
      releaseName: 'web',
      namespace: 'app',
      storageNamespace: 'app',
      chart: { name: 'web', version: '1.0.0', metadata: {} },
      values: { db: { password: 'from-a-secret' } },
      manifest: 'kind: Secret\nstringData:\n  token: from-a-secret\n',
      disableHooks: false,
      createNamespace: false,
      crds: 'Create' as const,
      maxHistory: 5,
      keepHistory: false,
      uninstallDisableHooks: false,
      timeoutMs: 1,
      description: 'd',
    };
    const p = payload({
      target: { kind: 'HelmRelease', namespace: 'app', name: 'web' },
      apply: { ...payload().apply, helm },
      objects: [],
    });
    delete (p as { kustomization?: unknown }).kustomization;
    expect(hasSecrets(p)).toBe(true);
    const sealed = sealArtifact(p, cipher, wrapped);
    expect(JSON.stringify(sealed)).not.toContain('from-a-secret');
    expect(openArtifact(sealed, cipher)).toEqual(p);
  });

  it('leaves an artifact without secrets alone (its digest is what it always was)', () => {
    expect(hasSecrets(payload({ objects: [payload().objects[0] as never] }))).toBe(false);
  });

  it('refuses a sealed value moved to another Secret or another cluster', () => {
    const sealed = sealArtifact(payload(), cipher, wrapped);
    const moved = structuredClone(sealed);
    (moved.objects[1] as { metadata: { name: string } }).metadata.name = 'other';
    expect(errorOf(() => openArtifact(moved, cipher)).code).toBe('DecryptionFailed');
    expect(errorOf(() => openArtifact({ ...sealed, cluster: 'prod' }, cipher)).code).toBe('DecryptionFailed');
  });

  it('refuses a Secret value that is not sealed in a sealed artifact', () => {
    const sealed = sealArtifact(payload(), cipher, wrapped);
    const planted = structuredClone(sealed);
    (planted.objects[1] as { stringData: Record<string, string> }).stringData.user = 'planted';
    const err = errorOf(() => openArtifact(planted, cipher));
    expect(err.code).toBe('DecryptionFailed');
    expect(err.message).toContain('stringData.user');
  });
});

describe('sealing a stored Secret record', () => {
  const record: ConfigRecord = {
    kind: 'Secret',
    namespace: 'app',
    name: 'vars',
    data: { TOKEN: 'tok-value-1' },
    parent: { namespace: 'flux-system', name: 'apps' },
  };

  it('seals its values for its cluster and opens them again', () => {
    const sealed = sealConfig('dev', record, cipher, wrapped);
    expect(JSON.stringify(sealed)).not.toContain('tok-value-1');
    expect(openConfig('dev', sealed, cipher)).toEqual(record);
    expect(errorOf(() => openConfig('prod', sealed, cipher)).code).toBe('DecryptionFailed');
  });

  it('leaves ConfigMaps readable', () => {
    const cm = { ...record, kind: 'ConfigMap' as const };
    expect(sealConfig('dev', cm, cipher, wrapped)).toEqual(cm);
  });
});
