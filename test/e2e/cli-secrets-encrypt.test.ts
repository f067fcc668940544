// `sluice secrets encrypt` and `sluice secrets rotate` through the real CLI entry: every store round-trips
// through `sluice secrets decrypt` (key order and comments kept), age X25519 and post-quantum recipients, AWS
// KMS against the stand-in, rotation to a new data key, interop with the shapes real sops writes, and errors
// that name the file and the fix without any plaintext.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { armor, Decrypter, generateHybridIdentity, identityToRecipient } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type KmsServer, startKmsServer } from '../support/kms-server.ts';
import { runCli } from '../support/run-cli.ts';
import { newAgeKey } from '../support/sops-keys.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-encrypt-'));
const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: dir,
  XDG_CONFIG_HOME: join(dir, 'config'),
  AWS_EC2_METADATA_DISABLED: 'true',
  ...extra,
});
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

let age: { identity: string; recipient: string };
let keyFile: string;
beforeAll(async () => {
  age = await newAgeKey();
  keyFile = file('keys.txt', `# test identity\n${age.identity}\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SECRET = 'hunter2-s3cr3t';

/** Plain files as sops prints them (so the decrypted output is byte-identical), each holding SECRET. */
const PLAIN: Record<string, string> = {
  'secret.yaml': `# top comment\nzeta: 1\nalpha:\n    # about the password\n    password: ${SECRET}\n    port: 5432\n    ratio: 1.5\n    on: true\n    list:\n        - a\n        - b\n    empty: ""\n    note_unencrypted: stays plain\n`,
  'secret.json': `{\n\t"zeta": "${SECRET}",\n\t"alpha": [\n\t\t1,\n\t\ttrue,\n\t\t2.5\n\t],\n\t"empty": ""\n}\n`,
  'secret.env': `# a comment\nPASSWORD=${SECRET}\nMULTI=one\\ntwo\nHOST_unencrypted=db.local\n`,
  'secret.ini': `; head comment\n[db]\npassword = ${SECRET}\n; after password\nuser = admin\n`,
  'secret.bin': `raw\u0001bytes\n${SECRET}\n`,
};

async function encrypt(path: string, ...flags: string[]) {
  return runCli(['secrets', 'encrypt', path, ...flags], { cwd: dir, env: env() });
}

async function decrypt(path: string, extra: NodeJS.ProcessEnv = {}) {
  return runCli(['secrets', 'decrypt', path], {
    cwd: dir,
    env: env({ SOPS_AGE_KEY_FILE: keyFile, ...extra }),
  });
}

/** The data key inside an age `enc` armor, unwrapped with the test identity. */
async function dataKeyOf(enc: string, identity: string): Promise<string> {
  const d = new Decrypter();
  d.addIdentity(identity);
  return Buffer.from(await d.decrypt(armor.decode(enc))).toString('hex');
}

describe('sluice secrets encrypt', () => {
  for (const [name, text] of Object.entries(PLAIN)) {
    it(`${name}: the output decrypts with sluice secrets decrypt to the same file, and holds no plaintext`, async () => {
      const plain = file(name, text);
      const run = await encrypt(plain, '--age', age.recipient);
      expect(run.code).toBe(0);
      expect(run.stdout).not.toContain(SECRET);
      expect(run.stdout).toContain('ENC[AES256_GCM,data:');
      const encrypted = file(`enc-${name}`, run.stdout);
      const back = await decrypt(encrypted);
      expect(back.stderr).toBe('');
      expect(back.stdout).toBe(text);
    });
  }

  it('--in-place rewrites the file; --encrypted-regex encrypts only data/stringData and records the rule', async () => {
    const text = `apiVersion: v1\nkind: Secret\n# public comment\nmetadata:\n    name: db\nstringData:\n    # private comment\n    password: ${SECRET}\n`;
    const path = file('regex.yaml', text);
    const run = await encrypt(
      path,
      '--age',
      age.recipient,
      '--encrypted-regex',
      '^(data|stringData)$',
      '--in-place',
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    const out = readFileSync(path, 'utf8');
    expect(out).toContain('name: db');
    expect(out).toContain('# public comment');
    expect(out).not.toContain('private comment');
    expect(out).not.toContain(SECRET);
    const md = (parse(out) as { sops: Record<string, unknown> }).sops;
    expect(md.encrypted_regex).toBe('^(data|stringData)$');
    expect(md.unencrypted_suffix).toBeUndefined();
    expect((await decrypt(path)).stdout).toBe(text);
  });

  it('wraps the data key for post-quantum age1pq1 recipients (mlkem768x25519 stanza)', async () => {
    const identity = await generateHybridIdentity();
    const recipient = await identityToRecipient(identity);
    const run = await encrypt(file('pq.yaml', PLAIN['secret.yaml'] as string), '--age', recipient);
    expect(run.code).toBe(0);
    const enc = (parse(run.stdout) as { sops: { age: { enc: string }[] } }).sops.age[0]?.enc ?? '';
    expect(Buffer.from(armor.decode(enc)).toString('latin1')).toContain('-> mlkem768x25519 ');
    const back = await decrypt(file('pq.enc.yaml', run.stdout), {
      SOPS_AGE_KEY: identity,
      SOPS_AGE_KEY_FILE: '',
    });
    expect(back.stdout).toBe(PLAIN['secret.yaml']);
  });

  describe('with AWS KMS', () => {
    let kms: KmsServer;
    beforeAll(async () => {
      kms = await startKmsServer();
    });
    afterAll(() => kms.close());
    const awsEnv = () => ({
      AWS_ENDPOINT_URL_KMS: kms.endpoint,
      AWS_ACCESS_KEY_ID: 'AKIDSLUICETEST',
      AWS_SECRET_ACCESS_KEY: 'test-secret',
    });

    it('--kms ARN wraps the data key with kms:Encrypt; the file decrypts through kms:Decrypt, alongside age', async () => {
      const { arn } = kms.createKey('SYMMETRIC_DEFAULT');
      const plain = file('kms.yaml', PLAIN['secret.yaml'] as string);
      const run = await runCli(['secrets', 'encrypt', plain, '--kms', arn, '--age', age.recipient], {
        cwd: dir,
        env: env(awsEnv()),
      });
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const md = (parse(run.stdout) as { sops: Record<string, unknown> }).sops;
      expect(Object.keys(md)).toEqual(['kms', 'age', 'lastmodified', 'mac', 'unencrypted_suffix', 'version']);
      const entry = (md.kms as Record<string, unknown>[])[0] ?? {};
      expect(Object.keys(entry)).toEqual(['arn', 'created_at', 'enc', 'aws_profile']);
      expect(entry.arn).toBe(arn);
      expect(entry.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(kms.requests.map((r) => r.operation)).toContain('Encrypt');
      // Only KMS can unwrap: no age identity in the environment.
      const back = await runCli(['secrets', 'decrypt', file('kms.enc.yaml', run.stdout)], {
        cwd: dir,
        env: env(awsEnv()),
      });
      expect(back.stderr).toBe('');
      expect(back.stdout).toBe(PLAIN['secret.yaml']);
      expect(kms.requests.map((r) => r.operation)).toContain('Decrypt');
    });

    it('--encryption-context is sent to kms:Encrypt and stored in the entry, so kms:Decrypt gets it back', async () => {
      const { arn } = kms.createKey('SYMMETRIC_DEFAULT');
      const plain = file('kms-ctx.env', PLAIN['secret.env'] as string);
      const run = await runCli(
        ['secrets', 'encrypt', plain, '--kms', arn, '--encryption-context', 'Environment:prod,Team:web'],
        { cwd: dir, env: env(awsEnv()) },
      );
      expect(run.stderr).toBe('');
      expect(run.stdout).toContain('sops_kms__list_0__map_context__map_Environment=prod\n');
      expect(run.stdout).toContain('sops_kms__list_0__map_context__map_Team=web\n');
      const encrypted = file('kms-ctx.enc.env', run.stdout);
      const back = await runCli(['secrets', 'decrypt', encrypted], { cwd: dir, env: env(awsEnv()) });
      expect(back.stdout).toBe(PLAIN['secret.env']);
      // A changed context no longer opens the data key: KMS binds it.
      file('kms-ctx.enc.env', run.stdout.replace('Team=web', 'Team=ops'));
      const denied = await runCli(['secrets', 'decrypt', encrypted], { cwd: dir, env: env(awsEnv()) });
      expect(denied.code).not.toBe(0);
      expect(denied.stderr).not.toContain(SECRET);
      const bad = await runCli(
        ['secrets', 'encrypt', plain, '--kms', arn, '--encryption-context', 'nocolon'],
        {
          cwd: dir,
          env: env(awsEnv()),
        },
      );
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toContain('KEY:VALUE');
    });

    it('a KMS refusal names the key and the fix, and prints nothing', async () => {
      const { arn } = kms.createKey('SYMMETRIC_DEFAULT');
      kms.failNext('Encrypt', { type: 'AccessDeniedException', status: 400 });
      const run = await runCli(
        ['secrets', 'encrypt', file('denied.yaml', PLAIN['secret.yaml'] as string), '--kms', arn],
        {
          cwd: dir,
          env: env(awsEnv()),
        },
      );
      expect(run.code).not.toBe(0);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(arn);
      expect(run.stderr).toContain('kms:Encrypt');
      expect(run.stderr).not.toContain(SECRET);
    });
  });

  it('errors name the file and the fix, never a value', async () => {
    const plain = file('err.yaml', PLAIN['secret.yaml'] as string);
    const none = await encrypt(plain);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('err.yaml');
    expect(none.stderr).toContain('--age');
    const two = await encrypt(
      plain,
      '--age',
      age.recipient,
      '--encrypted-regex',
      'a',
      '--unencrypted-suffix',
      '_u',
    );
    expect(two.code).toBe(2);
    const bad = await encrypt(plain, '--age', 'age1notarecipient');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('age-keygen -y');
    const once = await encrypt(plain, '--age', age.recipient);
    const again = await encrypt(file('err.enc.yaml', once.stdout), '--age', age.recipient);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('err.enc.yaml');
    expect(again.stderr).toContain('sluice secrets rotate');
    const missing = await encrypt(join(dir, 'nope.yaml'), '--age', age.recipient);
    expect(missing.stderr).toContain('nope.yaml');
    for (const r of [none, two, bad, again, missing]) {
      expect(r.stdout).toBe('');
      expect(r.stderr).not.toContain(SECRET);
    }
  });
});

describe('sluice secrets rotate', () => {
  it('re-encrypts every value under a new data key for the same recipients; the plaintext is unchanged', async () => {
    const other = await newAgeKey();
    const name = 'rotate.yaml';
    const run = await encrypt(
      file(name, PLAIN['secret.yaml'] as string),
      '--age',
      age.recipient,
      '--age',
      other.recipient,
    );
    const path = file('rotate.enc.yaml', run.stdout);
    const before = parse(run.stdout) as { sops: { age: { recipient: string; enc: string }[]; mac: string } };
    const rotated = await runCli(['secrets', 'rotate', path, '--in-place'], {
      cwd: dir,
      env: env({ SOPS_AGE_KEY_FILE: keyFile }),
    });
    expect(rotated.stderr).toBe('');
    expect(rotated.code).toBe(0);
    const text = readFileSync(path, 'utf8');
    const after = parse(text) as typeof before;
    expect(after.sops.age.map((a) => a.recipient)).toEqual([age.recipient, other.recipient]);
    const oldKey = await dataKeyOf(before.sops.age[0]?.enc ?? '', age.identity);
    const newKey = await dataKeyOf(after.sops.age[0]?.enc ?? '', age.identity);
    expect(newKey).not.toBe(oldKey);
    // The second recipient can unwrap the new key too.
    expect(await dataKeyOf(after.sops.age[1]?.enc ?? '', other.identity)).toBe(newKey);
    expect(after.sops.mac).not.toBe(before.sops.mac);
    expect((await decrypt(path)).stdout).toBe(PLAIN['secret.yaml']);
  });

  it('without a key names the file and the recipient to provide, and changes nothing', async () => {
    const run = await encrypt(file('rot-nokey.yaml', PLAIN['secret.yaml'] as string), '--age', age.recipient);
    const path = file('rot-nokey.enc.yaml', run.stdout);
    const rotated = await runCli(['secrets', 'rotate', path, '--in-place'], { cwd: dir, env: env() });
    expect(rotated.code).not.toBe(0);
    expect(rotated.stderr).toContain('rot-nokey.enc.yaml');
    expect(rotated.stderr).toContain(age.recipient);
    expect(rotated.stderr).not.toContain(SECRET);
    expect(readFileSync(path, 'utf8')).toBe(run.stdout);
  });
});

const vectors = join(import.meta.dirname, '../../../shared/vectors/sops');
const present = existsSync(join(vectors, 'expected.json'));
if (!present)
  console.warn(`skipping the sops interop tests of sluice secrets encrypt: no vectors at ${vectors}`);

describe.skipIf(!present)('interop with files real sops writes', () => {
  const flux = join(vectors, 'fluxcd-kustomize-controller/internal/controller/testdata/sops');
  const ENC =
    /^ENC\[AES256_GCM,data:[A-Za-z0-9+/]+=*,iv:[A-Za-z0-9+/]{43}=,tag:[A-Za-z0-9+/]{22}==,type:(str|int|float|bool|comment)\]$/;

  it("a file encrypted for the vectors' age test identity decrypts, with sops' metadata and ENC shapes", async () => {
    const identityFile = join(flux, 'keys/age.txt');
    const recipient = /public key: (age1[0-9a-z]+)/.exec(readFileSync(identityFile, 'utf8'))?.[1] ?? '';
    const run = await encrypt(file('interop.yaml', PLAIN['secret.yaml'] as string), '--age', recipient);
    expect(run.code).toBe(0);
    const back = await decrypt(file('interop.enc.yaml', run.stdout), { SOPS_AGE_KEY_FILE: identityFile });
    expect(back.stdout).toBe(PLAIN['secret.yaml']);

    const ours = parse(run.stdout) as Record<string, unknown> & { sops: Record<string, unknown> };
    const theirs = parse(readFileSync(join(vectors, 'getsops-sops/example.yaml'), 'utf8')) as {
      sops: Record<string, unknown>;
    };
    const fluxAge = parse(readFileSync(join(flux, 'algorithms/age.yaml'), 'utf8')) as {
      sops: Record<string, unknown>;
    };
    // Same fields in the same order as sops writes them, key lists aside (example.yaml has pgp, ours age).
    const common = (md: Record<string, unknown>) => Object.keys(md).filter((k) => k !== 'pgp' && k !== 'age');
    expect(common(ours.sops)).toEqual(common(theirs.sops));
    expect(Object.keys((ours.sops.age as object[])[0] ?? {})).toEqual(
      Object.keys((fluxAge.sops.age as object[])[0] ?? {}),
    );
    for (const md of [ours.sops, theirs.sops]) {
      expect(md.lastmodified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(md.mac).toMatch(ENC);
      expect(md.mac).toMatch(/type:str\]$/);
      expect(md.unencrypted_suffix).toBe('_unencrypted');
    }
    expect(run.stdout).toMatch(/\n {4}lastmodified: "[^"]+"\n/);
    const enc = (ours.sops.age as { enc: string }[])[0]?.enc ?? '';
    expect(enc).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----\n[\s\S]+\n-----END AGE ENCRYPTED FILE-----\n$/);
    // Every leaf of ours has sops' ENC shape, with sops' types.
    const alpha = ours.alpha as Record<string, unknown>;
    expect(alpha.password).toMatch(ENC);
    expect(alpha.port).toMatch(/type:int\]$/);
    expect(alpha.ratio).toMatch(/type:float\]$/);
    expect(alpha.on).toMatch(/type:bool\]$/);
    expect(alpha.empty).toBe('');
    expect(alpha.note_unencrypted).toBe('stays plain');
    expect(run.stdout).toMatch(/^#ENC\[AES256_GCM,.*type:comment\]\n/);
  });
});
