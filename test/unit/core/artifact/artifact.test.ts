// Artifacts as the puller trusts them: a sha256 digest over the canonical payload (key order does not
// matter, every change does), an ECDSA P-256 signature from the key service over that digest, a binding to
// one cluster, one target and a publish sequence that only moves forward, and a local signing key kept private.
import { generateKeyPairSync, verify } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalKeyService } from '../../../../shared/adapters/local/local-key-service.ts';
import {
  ARTIFACT_API,
  type ArtifactPayload,
  artifactKey,
  digestOf,
  type SignedArtifact,
  type SignedPayload,
} from '../../../../shared/core/artifact/artifact.ts';
import { type AppliedMark, checkBinding } from '../../../../shared/core/artifact/binding.ts';
import { type Generation, isOlder } from '../../../../shared/core/artifact/generation.ts';
import { signArtifact, verifyArtifact } from '../../../../shared/core/artifact/sign-artifact.ts';
import { isSluiceError } from '../../../../shared/core/errors.ts';

function payload(): ArtifactPayload {
  return {
    apiVersion: ARTIFACT_API,
    kind: 'Artifact',
    cluster: 'dev',
    kustomization: { name: 'apps', namespace: 'flux-system' },
    target: { kind: 'Kustomization', name: 'apps', namespace: 'flux-system' },
    generation: { fleet: 3, source: 5, fleetKey: 'f', sourceKey: 's' },
    sequence: 50,
    source: {
      url: 'https://git.example.com/fleet.git',
      revision: 'main@sha1:0123456789abcdef0123456789abcdef01234567',
    },
    renderKey: 'sha256:render',
    apply: { prune: true, wait: false, force: false, timeoutMs: 300_000, intervalMs: 600_000, dependsOn: [] },
    objects: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } },
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'settings', namespace: 'apps', labels: { team: 'a' } },
        data: { color: 'blue', size: '3' },
      },
    ],
  };
}

/** The same value with every object's keys in reverse insertion order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .reverse()
      .map(([k, v]) => [k, reverseKeys(v)]),
  );
}

function rejection(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (err) {
    if (isSluiceError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected the artifact to be rejected');
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-artifact-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('digestOf', () => {
  it('is a sha256 digest', () => {
    expect(digestOf(payload())).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('does not depend on the order of keys', () => {
    expect(digestOf(reverseKeys(payload()) as ArtifactPayload)).toBe(digestOf(payload()));
  });

  it.each<[string, (p: ArtifactPayload) => void]>([
    [
      'an object label',
      (p) => ((p.objects[1] as { metadata: { labels: Record<string, string> } }).metadata.labels.team = 'b'),
    ],
    ['an object data value', (p) => ((p.objects[1] as { data: Record<string, string> }).data.size = '4')],
    [
      'an added object',
      (p) => p.objects.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'apps' } }),
    ],
    ['a removed object', (p) => p.objects.pop()],
    ['the order of objects', (p) => p.objects.reverse()],
    ['an added field', (p) => ((p.objects[0] as Record<string, unknown>).spec = {})],
    [
      'a number that became a string',
      (p) => ((p.objects[1] as { data: Record<string, unknown> }).data.size = 3),
    ],
    ['the cluster', (p) => (p.cluster = 'prod')],
    ['the Kustomization', (p) => (p.kustomization = { name: 'apps', namespace: 'tenants' })],
    ['the target', (p) => (p.target = { kind: 'Kustomization', name: 'infra', namespace: 'flux-system' })],
    ['the generation', (p) => (p.generation = { ...p.generation, fleet: 4 })],
    ['the revision', (p) => (p.source.revision = 'main@sha1:fedcba9876543210fedcba9876543210fedcba98')],
    ['the render key', (p) => (p.renderKey = 'sha256:other')],
    ['prune', (p) => (p.apply.prune = false)],
    ['force', (p) => (p.apply.force = true)],
    ['the timeout', (p) => (p.apply.timeoutMs = 60_000)],
    ['dependsOn', (p) => p.apply.dependsOn.push({ name: 'infra', namespace: 'flux-system' })],
  ])('changes when %s changes', (_what, change) => {
    const changed = payload();
    change(changed);
    expect(digestOf(changed)).not.toBe(digestOf(payload()));
  });
});

describe('artifactKey', () => {
  it('addresses an artifact by cluster and the hex of its digest', () => {
    const digest = digestOf(payload());
    expect(artifactKey('dev', digest)).toBe(`artifacts/dev/${digest.slice('sha256:'.length)}.json`);
  });
});

describe('signArtifact and verifyArtifact', () => {
  let keys: LocalKeyService;
  let other: LocalKeyService;
  let signed: SignedArtifact;
  let publicKey: string;

  beforeAll(async () => {
    keys = new LocalKeyService(join(dir, 'sign', 'signing-key.pem'));
    other = new LocalKeyService(join(dir, 'other', 'signing-key.pem'));
    signed = await signArtifact(payload(), keys);
    publicKey = await keys.publicKeyPem();
  });

  it('records the digest, the key id and a DER signature over the digest', async () => {
    expect(signed.digest).toBe(digestOf(payload()));
    expect(signed.keyId).toBe(await keys.keyId());
    expect(signed.payload).toEqual(payload());
    expect(
      verify(
        'sha256',
        Buffer.from(signed.digest, 'utf8'),
        publicKey,
        Buffer.from(signed.signature, 'base64'),
      ),
    ).toBe(true);
  });

  it('verifies an untouched artifact and returns its payload', () => {
    expect(verifyArtifact(signed, publicKey)).toEqual(payload());
    expect(verifyArtifact(signed, publicKey, signed.digest)).toEqual(payload());
  });

  it('verifies after a JSON round trip through the store', () => {
    const stored = JSON.parse(JSON.stringify(signed, null, 2)) as SignedArtifact;
    expect(verifyArtifact(stored, publicKey, signed.digest)).toEqual(payload());
  });

  it('refuses a payload changed after signing, saying its content does not match its digest', () => {
    const tampered = structuredClone(signed);
    (tampered.payload.objects[1] as { data: Record<string, string> }).data.color = 'red';
    const err = rejection(() => verifyArtifact(tampered, publicKey));
    expect(err.code).toBe('ArtifactRejected');
    expect(err.message).toMatch(/digest/);
    expect(err.message).toContain(signed.digest);
  });

  it('refuses a payload whose digest was recomputed by whoever changed it, because the signature no longer verifies', () => {
    const tampered = structuredClone(signed);
    tampered.payload.apply.prune = false;
    tampered.digest = digestOf(tampered.payload);
    const err = rejection(() => verifyArtifact(tampered, publicKey));
    expect(err.code).toBe('ArtifactRejected');
    expect(err.message).toMatch(/signature/);
  });

  it('refuses an artifact signed by another key', async () => {
    const foreign = await signArtifact(payload(), other);
    const err = rejection(() => verifyArtifact(foreign, publicKey));
    expect(err.code).toBe('ArtifactRejected');
    expect(err.message).toMatch(/signature does not verify/);
  });

  it('refuses an artifact whose digest differs from the one the index names', () => {
    const indexed = `sha256:${'0'.repeat(64)}`;
    const err = rejection(() => verifyArtifact(signed, publicKey, indexed));
    expect(err.code).toBe('ArtifactRejected');
    expect(err.message).toContain(indexed);
  });

  it('refuses a signature that is not a valid DER signature', () => {
    const garbled = { ...signed, signature: Buffer.from('not a signature').toString('base64') };
    expect(rejection(() => verifyArtifact(garbled, publicKey)).code).toBe('ArtifactRejected');
  });

  it('never puts Secret data into a rejection message', () => {
    const secret = structuredClone(signed);
    secret.payload.objects.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'creds', namespace: 'apps' },
      data: { password: Buffer.from('hunter2-very-secret').toString('base64') },
    });
    const err = rejection(() => verifyArtifact(secret, publicKey));
    expect(err.message).not.toContain('hunter2');
    expect(err.message).not.toContain(Buffer.from('hunter2-very-secret').toString('base64'));
  });
});

describe('checkBinding', () => {
  const expected = {
    cluster: 'dev',
    target: { kind: 'Kustomization' as const, namespace: 'flux-system', name: 'apps' },
    keyFingerprint: 'k1',
    digest: 'sha256:this',
  };
  /** The last applied record: by default another one (its digest), with a publish sequence. */
  const applied = (
    sequence: number | undefined,
    opts: { fleet?: number; source?: number; digest?: string; key?: string } = {},
  ): AppliedMark => ({
    generation: { fleet: opts.fleet ?? 3, source: opts.source ?? 5, fleetKey: 'f', sourceKey: 's' },
    ...(sequence !== undefined && { sequence }),
    digest: opts.digest ?? 'sha256:earlier',
    keyFingerprint: opts.key ?? 'k1',
  });

  it.each<[string, AppliedMark | undefined]>([
    ['nothing was applied yet', undefined],
    ['an earlier sequence was applied', applied(49)],
    [
      'an earlier sequence at a newer generation was applied (order is by sequence)',
      applied(49, { fleet: 9 }),
    ],
    ['this very record was applied (a re-apply)', applied(50, { digest: 'sha256:this' })],
    ['a newer sequence was applied under another signing key', applied(99, { key: 'k0' })],
    ['an earlier puller recorded the same generation without a sequence', applied(undefined)],
    ['an earlier puller recorded an older generation without a sequence', applied(undefined, { fleet: 2 })],
  ])('accepts an artifact bound to this cluster and target when %s', (_when, mark) => {
    expect(() => checkBinding(payload(), expected, mark)).not.toThrow();
  });

  it.each<[string, (p: SignedPayload) => void, AppliedMark | undefined, RegExp]>([
    [
      'another cluster',
      (p) => (p.cluster = 'prod'),
      undefined,
      /signed for cluster 'prod', not this cluster 'dev'/,
    ],
    [
      'another target',
      (p) => {
        p.target = { kind: 'Kustomization', namespace: 'flux-system', name: 'infra' };
        p.kustomization = { namespace: 'flux-system', name: 'infra' };
      },
      undefined,
      /Kustomization 'flux-system\/infra', not for Kustomization 'flux-system\/apps'/,
    ],
    [
      'a HelmRelease named like the Kustomization',
      (p) => {
        p.target = { kind: 'HelmRelease', namespace: 'flux-system', name: 'apps' };
        delete p.kustomization;
      },
      undefined,
      /signed for HelmRelease 'flux-system\/apps', not for Kustomization 'flux-system\/apps'/,
    ],
    [
      'a target that disagrees with its kustomization field',
      (p) => (p.kustomization = { namespace: 'flux-system', name: 'infra' }),
      undefined,
      /not for Kustomization/,
    ],
    ['a lower sequence than the last applied', () => undefined, applied(51), /older than the last applied/],
    [
      'a lower sequence at a newer generation',
      (p) => (p.generation = { ...p.generation, fleet: 9 }),
      applied(51),
      /older than the last applied/,
    ],
    ['the same sequence with other content (a swap)', () => undefined, applied(50), /swap is refused/],
    [
      'an older fleet generation than an earlier puller recorded',
      () => undefined,
      applied(undefined, { fleet: 4 }),
      /older than the last applied/,
    ],
    [
      'an older source generation than an earlier puller recorded',
      () => undefined,
      applied(undefined, { source: 6 }),
      /older than the last applied/,
    ],
    [
      'no publish sequence (signed by the previous version)',
      (p) => delete (p as Partial<SignedPayload>).sequence,
      undefined,
      /no publish sequence \(signed by an older control plane\); re-render it/,
    ],
    ['a sequence that is not a whole number', (p) => (p.sequence = 50.5), undefined, /no publish sequence/],
    [
      'no binding at all (an artifact from before binding)',
      (p) => {
        delete (p as Partial<SignedPayload>).target;
        delete (p as Partial<SignedPayload>).generation;
      },
      undefined,
      /does not name its target and generation/,
    ],
  ])('refuses %s with ArtifactRejected', (_what, change, mark, why) => {
    const p = payload();
    change(p);
    const err = rejection(() => checkBinding(p, expected, mark));
    expect(err.code).toBe('ArtifactRejected');
    expect(err.message).toMatch(why);
  });
});

describe('LocalKeyService', () => {
  it('creates the key file on first use with mode 0600, in a directory it creates', async () => {
    const file = join(dir, 'fresh', 'nested', 'key.pem');
    const keys = new LocalKeyService(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(await keys.keyId()).toMatch(/^local:sha256:[0-9a-f]{16}$/);
    expect(await keys.publicKeyPem()).toMatch(/^-----BEGIN PUBLIC KEY-----/);
  });

  it('reuses the existing key on the next start', async () => {
    const file = join(dir, 'reuse', 'key.pem');
    const first = new LocalKeyService(file);
    const second = new LocalKeyService(file);
    expect(await second.keyId()).toBe(await first.keyId());
    expect(await second.publicKeyPem()).toBe(await first.publicKeyPem());
  });

  it('signs with ECDSA P-256 / SHA-256, verifiable with its public key', async () => {
    const keys = new LocalKeyService(join(dir, 'ecdsa', 'key.pem'));
    const message = Buffer.from('sha256:abc', 'utf8');
    const signature = await keys.sign(message);
    expect(verify('sha256', message, await keys.publicKeyPem(), signature)).toBe(true);
    expect(verify('sha256', Buffer.from('sha256:abd'), await keys.publicKeyPem(), signature)).toBe(false);
  });

  it.each([0o644, 0o640, 0o604, 0o660])('refuses a key file with mode %o and says how to fix it', (mode) => {
    const file = join(dir, `open-${mode.toString(8)}`, 'key.pem');
    new LocalKeyService(file);
    chmodSync(file, mode);
    let caught: unknown;
    try {
      new LocalKeyService(file);
    } catch (err) {
      caught = err;
    }
    expect(isSluiceError(caught)).toBe(true);
    const err = caught as { code: string; message: string };
    expect(err.code).toBe('ConfigInvalid');
    expect(err.message).toContain(`chmod 600 ${file}`);
    expect(err.message).not.toContain('PRIVATE KEY');
  });

  it('refuses a key that is not ECDSA P-256', () => {
    const file = join(dir, 'p384', 'key.pem');
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    mkdirSync(join(dir, 'p384'), { recursive: true });
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    let caught: unknown;
    try {
      new LocalKeyService(file);
    } catch (err) {
      caught = err;
    }
    expect(isSluiceError(caught) && caught.code).toBe('ConfigInvalid');
    expect((caught as Error).message).toMatch(/P-256/);
  });
});

describe('isOlder', () => {
  const g = (fleet: number, source: number): Generation => ({ fleet, source });

  it.each<[boolean, string, Generation, Generation | undefined]>([
    [false, 'there is no current entry', g(1, 1), undefined],
    [false, 'both generations are equal', g(3, 7), g(3, 7)],
    [false, 'both moved forward', g(4, 8), g(3, 7)],
    [false, 'only the fleet moved forward', g(4, 7), g(3, 7)],
    [false, 'only the source moved forward', g(3, 8), g(3, 7)],
    [true, 'the fleet is behind', g(2, 7), g(3, 7)],
    [true, 'the source is behind', g(3, 6), g(3, 7)],
    [true, 'the fleet moved forward but the source is behind', g(4, 6), g(3, 7)],
    [true, 'the source moved forward but the fleet is behind', g(2, 8), g(3, 7)],
    [true, 'both are behind', g(0, 0), g(3, 7)],
    [
      false,
      'the source changed identity (new URL or ref: a new sequence)',
      { ...g(3, 1), sourceKey: 'new' },
      { ...g(3, 40), sourceKey: 'old' },
    ],
    [false, 'the fleet changed identity', { ...g(1, 7), fleetKey: 'new' }, { ...g(9, 7), fleetKey: 'old' }],
    [
      true,
      'the same source is behind',
      { ...g(3, 1), sourceKey: 'same' },
      { ...g(3, 40), sourceKey: 'same' },
    ],
  ])('is %s when %s', (older, _when, next, current) => {
    expect(isOlder(next, current)).toBe(older);
  });
});
