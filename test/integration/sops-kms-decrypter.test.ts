// The sops AWS KMS key source against the local KMS stand-in: Decrypt with the entry's ARN and exact
// encryption context, as its role when it names one, and KMS refusals mapped to typed, retryable-or-not errors.
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KmsSopsDecrypter } from '../../shared/adapters/aws/kms-sops-decrypter.ts';
import { sopsSessionName } from '../../shared/adapters/aws/sts-role-assumer.ts';
import { ageIdentitiesFromText } from '../../shared/adapters/sops/age-identities.ts';
import { pgpKeysFromFiles } from '../../shared/adapters/sops/pgp-keys.ts';
import type { KmsKeyEntry, SopsKeyEntry } from '../../shared/core/sops/sops-metadata.ts';
import type { AwsCredentials, RoleAssumer } from '../../shared/ports/role-assumer.ts';
import type { SopsKeySources } from '../../shared/ports/sops-key-source.ts';
import { unwrapDataKey } from '../../shared/usecases/sops/unwrap-data-key.ts';
import { rejectionOf } from '../support/error-of.ts';
import { type KmsServer, startKmsServer } from '../support/kms-server.ts';
import { ageEntry, newAgeKey, newPgpKey, pgpEntry } from '../support/sops-keys.ts';

const ROLE = 'arn:aws:iam::000000000000:role/sops-decrypt';
const CONTEXT = { Environment: 'prod', Team: 'payments' };
const dataKey = randomBytes(32);

/** A local STS: hands out per-role credentials and remembers who asked, in which region. */
class LocalRoles implements RoleAssumer {
  readonly assumed: { role: string; region: string }[] = [];
  async assume(role: string, region: string): Promise<AwsCredentials> {
    this.assumed.push({ role, region });
    return {
      accessKeyId: `ASIA${role.split('/').pop()}`,
      secretAccessKey: 'role-secret',
      sessionToken: 'token',
    };
  }
}

let server: KmsServer;
let admin: KMSClient;
let key: { keyId: string; arn: string };
let roles: LocalRoles;
let decrypter: KmsSopsDecrypter;
const regions: string[] = [];

beforeAll(async () => {
  server = await startKmsServer();
  const base = { endpoint: server.endpoint, maxAttempts: 1 };
  admin = new KMSClient({
    ...base,
    region: 'us-east-1',
    credentials: { accessKeyId: 'admin', secretAccessKey: 'x' },
  });
  key = server.createKey('SYMMETRIC_DEFAULT', { alias: 'sops' });
  roles = new LocalRoles();
  decrypter = new KmsSopsDecrypter({
    clientFor: (region, credentials) => {
      regions.push(region);
      return new KMSClient({
        ...base,
        region,
        credentials: credentials ?? { accessKeyId: 'caller', secretAccessKey: 'x' },
      });
    },
    roles,
  });
});

afterAll(async () => {
  admin?.destroy();
  await server?.close();
});

/** The entry sops writes: the data key encrypted under the key with the context. */
async function entry(
  over: Partial<KmsKeyEntry> = {},
  context: Record<string, string> = CONTEXT,
): Promise<KmsKeyEntry> {
  const out = await admin.send(
    new EncryptCommand({ KeyId: key.arn, Plaintext: dataKey, EncryptionContext: context }),
  );
  return {
    type: 'kms',
    arn: key.arn,
    role: undefined,
    context,
    createdAt: '2026-01-01T00:00:00Z',
    enc: Buffer.from(out.CiphertextBlob as Uint8Array).toString('base64'),
    awsProfile: undefined,
    ...over,
  };
}

const lastDecrypt = () => server.requests.filter((r) => r.operation === 'Decrypt').at(-1);

describe('KmsSopsDecrypter', () => {
  it('decrypts with the stored ARN and exact encryption context, in the ARN region', async () => {
    regions.length = 0;
    expect(Buffer.from(await decrypter.unwrap(await entry()))).toEqual(dataKey);
    expect(regions).toEqual(['us-east-1']);
    expect(lastDecrypt()?.accessKeyId).toBe('caller');
  });

  it('decrypts an entry without context (sends an empty one)', async () => {
    expect(Buffer.from(await decrypter.unwrap(await entry({}, {})))).toEqual(dataKey);
  });

  it('refuses a context that differs from the one used on encrypt, without retrying', async () => {
    const changed = { ...(await entry()), context: { Environment: 'dev', Team: 'payments' } };
    const err = await rejectionOf(decrypter.unwrap(changed));
    expect(err.code).toBe('ValidationFailed');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain(key.arn);
  });

  it('assumes the entry role through STS and decrypts with its credentials', async () => {
    roles.assumed.length = 0;
    expect(Buffer.from(await decrypter.unwrap(await entry({ role: ROLE })))).toEqual(dataKey);
    expect(roles.assumed).toEqual([{ role: ROLE, region: 'us-east-1' }]);
    expect(lastDecrypt()?.accessKeyId).toBe('ASIAsops-decrypt');
  });

  it.each([
    ['AccessDeniedException', 400, 'AccessDenied'],
    ['DisabledException', 400, 'ConfigInvalid'],
    ['KMSInvalidStateException', 400, 'ConfigInvalid'],
    ['NotFoundException', 400, 'ConfigInvalid'],
  ])('maps %s to a permanent %s naming the key and the role', async (type, status, code) => {
    const e = await entry({ role: ROLE });
    server.failNext('Decrypt', { type, status });
    const err = await rejectionOf(decrypter.unwrap(e));
    expect(err.code).toBe(code);
    expect(err.retryable).toBe(false);
    expect(err.message).toContain(key.arn);
    expect(err.message).toContain(ROLE);
  });

  it.each([
    ['ThrottlingException', 400],
    ['KMSInternalException', 500],
    ['DependencyTimeoutException', 503],
  ])('maps %s to a retryable KeyServiceUnavailable', async (type, status) => {
    const e = await entry();
    server.failNext('Decrypt', { type, status });
    const err = await rejectionOf(decrypter.unwrap(e));
    expect(err.code).toBe('KeyServiceUnavailable');
    expect(err.retryable).toBe(true);
  });

  it.each([
    'arn:aws:kms:127.0.0.1:8080/x:000000000000:key/k',
    'arn:aws:kms:evil.example#:000000000000:key/k',
    'arn:aws:kms:us-east-1/..:000000000000:key/k',
  ])('refuses %s, whose region is no region name, before calling KMS', async (arn) => {
    const e = { ...(await entry()), arn };
    const before = server.requests.length;
    const err = await rejectionOf(decrypter.unwrap(e));
    expect(err.code).toBe('ValidationFailed');
    expect(err.message).toContain('names no AWS region');
    expect(server.requests.length).toBe(before);
  });

  it('refuses an ARN that names no KMS key, before calling KMS', async () => {
    const e = { ...(await entry()), arn: 'arn:aws:s3:::bucket' };
    const before = server.requests.length;
    const err = await rejectionOf(decrypter.unwrap(e));
    expect(err.code).toBe('ValidationFailed');
    expect(server.requests.length).toBe(before);
  });
});

describe('KmsSopsDecrypter on the stand-in KMS answers (key policy, key state, rate limit)', () => {
  /** A key of its own per test, so disabling or denying it touches no other test. */
  async function ownKeyEntry(over: Partial<KmsKeyEntry> = {}) {
    const own = server.createKey('SYMMETRIC_DEFAULT');
    const out = await admin.send(
      new EncryptCommand({ KeyId: own.arn, Plaintext: dataKey, EncryptionContext: CONTEXT }),
    );
    const e: KmsKeyEntry = {
      ...(await entry()),
      arn: own.arn,
      enc: Buffer.from(out.CiphertextBlob as Uint8Array).toString('base64'),
      ...over,
    };
    return { own, e };
  }
  const noKeyMaterial = (err: Error, e: KmsKeyEntry) => {
    for (const secret of [dataKey.toString('hex'), dataKey.toString('base64'), e.enc, 'role-secret']) {
      expect(`${err.message} ${JSON.stringify(err)}`).not.toContain(secret);
    }
  };

  it('a key policy denying the role: non-retryable AccessDenied naming the key ARN and the role', async () => {
    const { own, e } = await ownKeyEntry({ role: ROLE });
    server.deny({
      key: own.arn,
      accessKeyId: 'ASIAsops-decrypt',
      principal: 'arn:aws:sts::000000000000:assumed-role/sops-decrypt/sops@host',
      operations: ['Decrypt'],
    });
    const err = await rejectionOf(decrypter.unwrap(e));
    expect(err.code).toBe('AccessDenied');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain(own.arn);
    expect(err.message).toContain(ROLE);
    noKeyMaterial(err, e);
    // The same file without the role (another principal) still decrypts: the deny is the role's alone.
    expect(Buffer.from(await decrypter.unwrap({ ...e, role: undefined }))).toEqual(dataKey);
  });

  it('an explicit deny: says to remove the Deny, since no Allow can override it', async () => {
    const { own, e } = await ownKeyEntry({ role: ROLE });
    server.deny({
      key: own.arn,
      accessKeyId: 'ASIAsops-decrypt',
      principal: 'arn:aws:sts::000000000000:assumed-role/sops-decrypt/sops@host',
      operations: ['Decrypt'],
      explicit: true,
    });
    const err = await rejectionOf(decrypter.unwrap(e));
    expect([err.code, err.retryable]).toEqual(['AccessDenied', false]);
    expect(err.message).toContain('remove that Deny statement');
    expect(err.message).not.toContain('key policy statement {');
    noKeyMaterial(err, e);
  });

  it('a disabled key: non-retryable, naming the key; decrypts again once enabled', async () => {
    const { own, e } = await ownKeyEntry();
    server.disableKey(own.arn);
    const err = await rejectionOf(decrypter.unwrap(e));
    expect(err.code).toBe('ConfigInvalid');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain(own.arn);
    noKeyMaterial(err, e);
    server.enableKey(own.arn);
    expect(Buffer.from(await decrypter.unwrap(e))).toEqual(dataKey);
  });

  it('throttling: retryable KeyServiceUnavailable, and the retry succeeds', async () => {
    const { e } = await ownKeyEntry();
    server.throttle(1, 'Decrypt');
    const err = await rejectionOf(decrypter.unwrap(e));
    expect(err.code).toBe('KeyServiceUnavailable');
    expect(err.retryable).toBe(true);
    noKeyMaterial(err, e);
    expect(Buffer.from(await decrypter.unwrap(e))).toEqual(dataKey);
  });

  it('another encryption context: the real InvalidCiphertextException, non-retryable', async () => {
    const { own, e } = await ownKeyEntry();
    const err = await rejectionOf(decrypter.unwrap({ ...e, context: { ...CONTEXT, Team: 'other' } }));
    expect(err.code).toBe('ValidationFailed');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain(own.arn);
  });
});

describe('unwrapDataKey with a KMS key group', () => {
  it('fails as AccessDenied naming the file, key and role, with no key material', async () => {
    const e = await entry({ role: ROLE });
    server.failNext('Decrypt', { type: 'AccessDeniedException', status: 400 });
    const err = await rejectionOf(
      unwrapDataKey({ keyGroups: [[e]], shamirThreshold: 0 }, { kms: decrypter }, { file: 'apps/db.yaml' }),
    );
    expect(err.code).toBe('AccessDenied');
    expect(err.retryable).toBe(false);
    for (const named of ['apps/db.yaml', key.arn, ROLE]) expect(err.message).toContain(named);
    for (const secret of [dataKey.toString('hex'), dataKey.toString('base64'), e.enc]) {
      expect(`${err.message} ${JSON.stringify(err)}`).not.toContain(secret);
    }
  });

  it('is retryable when KMS throttles', async () => {
    const e = await entry();
    server.failNext('Decrypt', { type: 'ThrottlingException', status: 400 });
    const err = await rejectionOf(
      unwrapDataKey({ keyGroups: [[e]], shamirThreshold: 0 }, { kms: decrypter }),
    );
    expect(err.code).toBe('KeyServiceUnavailable');
    expect(err.retryable).toBe(true);
  });
});

describe('sopsSessionName', () => {
  it.each([
    ['build-1.example.com', 'sops@build-1.example.com'],
    ['host with spaces/and:colons', 'sops@hostwithspacesandcolons'],
    ['x'.repeat(80), `sops@${'x'.repeat(59)}`],
  ])('%s → %s', (host, name) => {
    expect(sopsSessionName(host)).toBe(name);
  });
});

describe('KMS refusals name the key, the principal that tried and what would allow it', () => {
  const SESSION = 'arn:aws:sts::000000000000:assumed-role/sluice-render/render-fn';

  it('a key policy that does not admit the control plane: the role KMS saw, its statement and the grant', async () => {
    const own = server.createKey('SYMMETRIC_DEFAULT');
    const e = { ...(await entry()), ...(await reencrypt(own.arn)) };
    server.deny({ key: own.arn, accessKeyId: 'caller', principal: SESSION, operations: ['Decrypt'] });
    const err = await rejectionOf(decrypter.unwrap(e));
    expect([err.code, err.retryable]).toEqual(['AccessDenied', false]);
    expect(err.message).toContain(`KMS saw ${SESSION}`);
    expect(err.message).toContain('"Principal":{"AWS":"arn:aws:iam::000000000000:role/sluice-render"}');
    expect(err.message).toContain(
      `aws kms create-grant --key-id ${own.arn} --grantee-principal arn:aws:iam::000000000000:role/sluice-render --operations Decrypt`,
    );
  });

  it('a missing grant for the entry role: the grant command for that role', async () => {
    const own = server.createKey('SYMMETRIC_DEFAULT');
    const e = { ...(await entry({ role: ROLE })), ...(await reencrypt(own.arn)) };
    server.deny({
      key: own.arn,
      accessKeyId: 'ASIAsops-decrypt',
      principal: 'arn:aws:sts::000000000000:assumed-role/sops-decrypt/sops@host',
      operations: ['Decrypt'],
    });
    const err = await rejectionOf(decrypter.unwrap(e));
    expect(err.code).toBe('AccessDenied');
    expect(err.message).toContain(`role ${ROLE}`);
    expect(err.message).toContain(
      `aws kms create-grant --key-id ${own.arn} --grantee-principal ${ROLE} --operations Decrypt`,
    );
  });

  it('a wrong region in the ARN: KMS of that region has no such key, named with the region and role', async () => {
    const e = await entry({ role: ROLE });
    const elsewhere = e.arn.replace(':us-east-1:', ':eu-west-1:');
    regions.length = 0;
    const err = await rejectionOf(decrypter.unwrap({ ...e, arn: elsewhere }));
    expect(regions).toEqual(['eu-west-1']);
    expect([err.code, err.retryable]).toEqual(['ConfigInvalid', false]);
    for (const named of [elsewhere, `role ${ROLE}`, 'no such key in eu-west-1', 'multi-Region replica'])
      expect(err.message).toContain(named);
  });

  it('static credentials (a sops.aws-kms entry) are named by their entry, never shown', async () => {
    const own = server.createKey('SYMMETRIC_DEFAULT');
    const e = { ...(await entry()), ...(await reencrypt(own.arn)) };
    const who = 'the credentials of Secret flux-system/sops-keys entry sops.aws-kms';
    const viaEntry = new KmsSopsDecrypter({
      clientFor: (region, credentials) =>
        new KMSClient({
          endpoint: server.endpoint,
          maxAttempts: 1,
          region,
          ...(credentials && { credentials }),
        }),
      credentials: { value: { accessKeyId: 'AKIAFLEET', secretAccessKey: 'fleet-secret' }, who },
    });
    expect(Buffer.from(await viaEntry.unwrap(e))).toEqual(dataKey);
    expect(lastDecrypt()?.accessKeyId).toBe('AKIAFLEET');
    server.failNext('Decrypt', { type: 'UnrecognizedClientException', status: 400 });
    const err = await rejectionOf(viaEntry.unwrap(e));
    expect(err.code).toBe('AccessDenied');
    expect(err.message).toContain(`as ${who}`);
    expect(err.message).toContain('fix that entry');
    expect(`${err.message} ${inspect(err, { depth: 10 })}`).not.toMatch(/AKIAFLEET|fleet-secret/);
  });
});

/** The shared data key wrapped under another key, for an entry of that key. */
async function reencrypt(arn: string): Promise<Pick<KmsKeyEntry, 'arn' | 'enc'>> {
  const out = await admin.send(
    new EncryptCommand({ KeyId: arn, Plaintext: dataKey, EncryptionContext: CONTEXT }),
  );
  return { arn, enc: Buffer.from(out.CiphertextBlob as Uint8Array).toString('base64') };
}

describe("a key group's master keys are tried in Flux's order", () => {
  /** Real sources recording the order they are asked in: age and PGP keys that do not match, KMS that does. */
  async function recordingSources(log: string[]) {
    const [wrongAge, wrongPgp] = [await newAgeKey(), await newPgpKey()];
    const age = ageIdentitiesFromText(wrongAge.identity);
    const pgp = await pgpKeysFromFiles([Buffer.from(wrongPgp.armoredPrivateKey)]);
    const asked =
      <E>(name: string, unwrap: (e: E) => Promise<Uint8Array>) =>
      (e: E) => {
        log.push(name);
        return unwrap(e);
      };
    const sources: SopsKeySources = {
      age: { count: age.count, unwrap: asked('age', (e) => age.unwrap(e)) },
      pgp: { fingerprints: pgp.fingerprints, unwrap: asked('pgp', (e) => pgp.unwrap(e)) },
      kms: { unwrap: asked('kms', (e) => decrypter.unwrap(e)) },
    };
    return sources;
  }

  /** sops writes a group's keys kms first (then gcp_kms, hckms, azure_kv, hc_vault, age, pgp). */
  async function group(): Promise<SopsKeyEntry[]> {
    const [someAge, somePgp] = [await newAgeKey(), await newPgpKey()];
    return [
      await entry(),
      {
        type: 'hc_vault',
        fields: { vault_address: 'https://vault.example', key_name: 'k' },
        enc: 'vault:v1:x',
      },
      await ageEntry(someAge.recipient, dataKey),
      await pgpEntry(somePgp, dataKey),
    ];
  }

  it('age, then PGP (sops.DefaultDecryptionOrder), then the rest in file order: KMS', async () => {
    const log: string[] = [];
    const key = await unwrapDataKey(
      { keyGroups: [await group()], shamirThreshold: 0 },
      await recordingSources(log),
    );
    expect(Buffer.from(key)).toEqual(dataKey);
    expect(log).toEqual(['age', 'pgp', 'kms']);
  });

  it('a key Sluice cannot use comes last, and the failure lists every key in the order tried', async () => {
    const log: string[] = [];
    server.failNext('Decrypt', { type: 'AccessDeniedException', status: 400 });
    const err = await rejectionOf(
      unwrapDataKey({ keyGroups: [await group()], shamirThreshold: 0 }, await recordingSources(log), {
        file: 'apps/db.yaml',
      }),
    );
    expect(log).toEqual(['age', 'pgp', 'kms']);
    const at = (s: string) => err.message.indexOf(s);
    expect(at('age age1')).toBeLessThan(at('pgp '));
    expect(at('pgp ')).toBeLessThan(at('kms arn:'));
    expect(at('kms arn:')).toBeLessThan(at('hc_vault https://vault.example'));
    expect(err.message).toContain(
      'hc_vault (HashiCorp Vault/OpenBao transit) keys are not supported by Sluice',
    );
  });
});
