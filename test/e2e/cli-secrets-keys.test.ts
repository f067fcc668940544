// `sluice secrets` through the real CLI entry, for what goes beyond one age or KMS key: binary files that are
// not UTF-8 (byte for byte), PGP recipients on encrypt and rotate, Shamir key groups, and .sops.yaml rules.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli, runCliBytes } from '../support/run-cli.ts';
import { type AgeTestKey, newAgeKey, newPgpKey, type PgpTestKey } from '../support/sops-keys.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-keys-'));
const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: dir,
  XDG_CONFIG_HOME: join(dir, 'config'),
  AWS_EC2_METADATA_DISABLED: 'true',
  ...extra,
});
const file = (name: string, content: string | Uint8Array) => {
  const path = join(dir, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  return path;
};
const sluice = (args: string[], extra: NodeJS.ProcessEnv = {}) => runCli(args, { cwd: dir, env: env(extra) });

const SECRET = 'hunter2-s3cr3t';
const PLAIN_YAML = `kind: Secret\nmetadata:\n    name: db\nstringData:\n    password: ${SECRET}\n`;

let age: AgeTestKey;
let other: AgeTestKey;
let third: AgeTestKey;
let pgp: PgpTestKey;
let keyFile: string;
let pubFile: string;
let privFile: string;
beforeAll(async () => {
  [age, other, third] = await Promise.all([newAgeKey(), newAgeKey(), newAgeKey()]);
  pgp = await newPgpKey();
  keyFile = file('keys.txt', `${age.identity}\n`);
  pubFile = file('pgp.pub.asc', pgp.armoredPublicKey);
  privFile = file('pgp.priv.asc', pgp.armoredPrivateKey);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('binary files that are not UTF-8', () => {
  it('encrypt, decrypt and rotate keep every byte; sluice secrets decrypt writes the raw bytes', async () => {
    const bytes = Buffer.concat([
      Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28, 0xed, 0xa0, 0x80]),
      Buffer.from(SECRET),
      Buffer.from([0x0a, 0xf8, 0x88, 0x80, 0x80, 0x80]),
    ]);
    const plain = file('blob.p12', bytes);
    const run = await sluice(['secrets', 'encrypt', plain, '--age', age.recipient]);
    expect(run.stderr).toBe('');
    expect(run.stdout).not.toContain(SECRET);
    const encrypted = file('blob.enc.p12', run.stdout);
    const back = await runCliBytes(['secrets', 'decrypt', encrypted], {
      cwd: dir,
      env: env({ SOPS_AGE_KEY_FILE: keyFile }),
    });
    expect(back.stderr).toBe('');
    expect(back.stdout.equals(bytes)).toBe(true);

    const rotated = await sluice(['secrets', 'rotate', encrypted, '--in-place'], {
      SOPS_AGE_KEY_FILE: keyFile,
    });
    expect(rotated.stderr).toBe('');
    expect(readFileSync(encrypted, 'utf8')).not.toBe(run.stdout);
    const again = await runCliBytes(['secrets', 'decrypt', encrypted], {
      cwd: dir,
      env: env({ SOPS_AGE_KEY_FILE: keyFile }),
    });
    expect(again.stdout.equals(bytes)).toBe(true);
  });
});

describe('--output-type', () => {
  it('ini prints each top-level mapping as a section; json indents with a tab, as sops does', async () => {
    const text = `db:\n    user: admin\n    password: ${SECRET}\n    port: 5432\ncache:\n    host: redis\n`;
    const run = await sluice(['secrets', 'encrypt', file('sections.yaml', text), '--age', age.recipient]);
    const path = file('sections.enc.yaml', run.stdout);
    const ini = await sluice(['secrets', 'decrypt', path, '--output-type', 'ini'], {
      SOPS_AGE_KEY_FILE: keyFile,
    });
    expect(ini.stderr).toBe('');
    expect(ini.stdout).toBe(
      `[db]\nuser = admin\npassword = ${SECRET}\nport = 5432\n\n[cache]\nhost = redis\n`,
    );
    const json = await sluice(['secrets', 'decrypt', path, '--output-type', 'json'], {
      SOPS_AGE_KEY_FILE: keyFile,
    });
    expect(json.stdout).toBe(
      `{\n\t"db": {\n\t\t"user": "admin",\n\t\t"password": "${SECRET}",\n\t\t"port": 5432\n\t},\n\t"cache": {\n\t\t"host": "redis"\n\t}\n}\n`,
    );
    const flat = await sluice(['secrets', 'decrypt', path, '--output-type', 'dotenv'], {
      SOPS_AGE_KEY_FILE: keyFile,
    });
    expect(flat.code).not.toBe(0);
    expect(flat.stdout).toBe('');
    expect(flat.stderr).not.toContain(SECRET);
  });
});

describe('PGP recipients', () => {
  it('encrypt --pgp FINGERPRINT --pgp-key-file PUBLIC.asc: the private key alone decrypts it', async () => {
    const run = await sluice([
      'secrets',
      'encrypt',
      file('pgp.yaml', PLAIN_YAML),
      '--pgp',
      pgp.fingerprint,
      '--pgp-key-file',
      pubFile,
    ]);
    expect(run.stderr).toBe('');
    const md = (parse(run.stdout) as { sops: { pgp: { fp: string; created_at: string; enc: string }[] } })
      .sops;
    expect(Object.keys(md.pgp[0] ?? {})).toEqual(['created_at', 'enc', 'fp']);
    expect(md.pgp[0]?.fp).toBe(pgp.fingerprint);
    expect(md.pgp[0]?.enc).toMatch(/^-----BEGIN PGP MESSAGE-----/);
    const back = await sluice([
      'secrets',
      'decrypt',
      file('pgp.enc.yaml', run.stdout),
      '--pgp-key-file',
      privFile,
    ]);
    expect(back.stderr).toBe('');
    expect(back.stdout).toBe(PLAIN_YAML);
  });

  it('encrypt --pgp without the public key names the fingerprint and how to export it, and prints nothing', async () => {
    const run = await sluice([
      'secrets',
      'encrypt',
      file('nopub.yaml', PLAIN_YAML),
      '--pgp',
      pgp.fingerprint,
    ]);
    expect(run.code).not.toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(pgp.fingerprint);
    expect(run.stderr).toContain('--pgp-key-file');
    expect(run.stderr).toContain('gpg --export --armor');
  });

  it('rotate re-wraps the PGP entry with the key of its fingerprint from --pgp-key-file, beside age', async () => {
    const run = await sluice([
      'secrets',
      'encrypt',
      file('rot-pgp.yaml', PLAIN_YAML),
      '--pgp',
      pgp.fingerprint,
      '--pgp-key-file',
      pubFile,
      '--age',
      age.recipient,
    ]);
    const path = file('rot-pgp.enc.yaml', run.stdout);
    // The old data key comes from age; the private key file also serves as the PGP public key to re-wrap for.
    const rotated = await sluice(['secrets', 'rotate', path, '--in-place', '--pgp-key-file', privFile], {
      SOPS_AGE_KEY_FILE: keyFile,
    });
    expect(rotated.stderr).toBe('');
    expect(rotated.code).toBe(0);
    type Pgp = { sops: { pgp: { enc: string }[] } };
    const before = (parse(run.stdout) as Pgp).sops;
    const after = (parse(readFileSync(path, 'utf8')) as Pgp).sops;
    expect(after.pgp[0]?.enc).not.toBe(before.pgp[0]?.enc);
    // Only the PGP key now: the re-wrapped entry opens the new data key.
    const back = await sluice(['secrets', 'decrypt', path, '--pgp-key-file', privFile]);
    expect(back.stdout).toBe(PLAIN_YAML);
  });

  it('rotate without the PGP key names the entry, leaves the file untouched and no temporary file', async () => {
    const run = await sluice([
      'secrets',
      'encrypt',
      file('rot-nopgp.yaml', PLAIN_YAML),
      '--pgp',
      pgp.fingerprint,
      '--pgp-key-file',
      pubFile,
      '--age',
      age.recipient,
    ]);
    const path = file('rot-nopgp.enc.yaml', run.stdout);
    const rotated = await sluice(['secrets', 'rotate', path, '--in-place'], { SOPS_AGE_KEY_FILE: keyFile });
    expect(rotated.code).not.toBe(0);
    expect(rotated.stderr).toContain('rot-nopgp.enc.yaml');
    expect(rotated.stderr).toContain(`pgp ${pgp.fingerprint}`);
    expect(rotated.stderr).toContain('--pgp-key-file');
    expect(rotated.stderr).not.toContain(SECRET);
    expect(readFileSync(path, 'utf8')).toBe(run.stdout);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});

describe('Shamir key groups', () => {
  it('--shamir-secret-sharing-threshold 2 makes each key a group: any two identities decrypt, one does not', async () => {
    const run = await sluice([
      'secrets',
      'encrypt',
      file('shamir.yaml', PLAIN_YAML),
      '--age',
      `${age.recipient},${other.recipient}`,
      '--age',
      third.recipient,
      '--shamir-secret-sharing-threshold',
      '2',
    ]);
    expect(run.stderr).toBe('');
    const md = (parse(run.stdout) as { sops: Record<string, unknown> }).sops;
    expect(md.shamir_threshold).toBe(2);
    expect((md.key_groups as { age: { recipient: string }[] }[]).map((g) => g.age[0]?.recipient)).toEqual([
      age.recipient,
      other.recipient,
      third.recipient,
    ]);
    const path = file('shamir.enc.yaml', run.stdout);
    const two = await sluice(['secrets', 'decrypt', path], {
      SOPS_AGE_KEY: `${other.identity}\n${third.identity}`,
    });
    expect(two.stderr).toBe('');
    expect(two.stdout).toBe(PLAIN_YAML);
    const one = await sluice(['secrets', 'decrypt', path], { SOPS_AGE_KEY: third.identity });
    expect(one.code).not.toBe(0);
    expect(one.stdout).toBe('');
    expect(one.stderr).toContain('shamir.enc.yaml');
  });

  it('a threshold above the number of keys is a usage error (exit 2) saying what to give', async () => {
    const run = await sluice([
      'secrets',
      'encrypt',
      file('shamir-bad.yaml', PLAIN_YAML),
      '--age',
      age.recipient,
      '--shamir-secret-sharing-threshold',
      '2',
    ]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('--shamir-secret-sharing-threshold');
  });
});

describe('.sops.yaml creation rules', () => {
  let repo: string;
  beforeAll(() => {
    repo = join(dir, 'fleet');
    file(
      'fleet/.sops.yaml',
      `creation_rules:
  - path_regex: clusters/prod/.*\\.yaml$
    encrypted_regex: ^(data|stringData)$
    shamir_threshold: 2
    key_groups:
      - age: [${age.recipient}]
      - age: [${other.recipient}]
        pgp: [${pgp.fingerprint}]
  - path_regex: \\.env$
    age: ${other.recipient}
  - path_regex: ^apps/
    age: ${age.recipient}
    mac_only_encrypted: true
`,
    );
  });

  it('without key flags takes the first rule matching the path relative to .sops.yaml, from any directory', async () => {
    const path = file('fleet/clusters/prod/db.yaml', PLAIN_YAML);
    const run = await runCli(['secrets', 'encrypt', path, '--pgp-key-file', pubFile], {
      cwd: tmpdir(),
      env: env(),
    });
    expect(run.stderr).toBe('');
    const md = (parse(run.stdout) as { sops: Record<string, unknown> }).sops;
    expect(Object.keys(md)).toEqual([
      'shamir_threshold',
      'key_groups',
      'lastmodified',
      'mac',
      'encrypted_regex',
      'version',
    ]);
    expect(md.encrypted_regex).toBe('^(data|stringData)$');
    const groups = md.key_groups as Record<string, { recipient?: string; fp?: string }[]>[];
    expect(groups.map((g) => Object.keys(g))).toEqual([['age'], ['age', 'pgp']]);
    expect(groups[1]?.pgp?.[0]?.fp).toBe(pgp.fingerprint);
    expect(run.stdout).toContain('name: db');
    expect(run.stdout).not.toContain(SECRET);
    const enc = file('fleet/clusters/prod/db.enc.yaml', run.stdout);
    const back = await sluice(['secrets', 'decrypt', enc, '--pgp-key-file', privFile], {
      SOPS_AGE_KEY_FILE: keyFile,
    });
    expect(back.stderr).toBe('');
    expect(back.stdout).toBe(PLAIN_YAML);
  });

  it('later rules by path: .env files for one recipient, apps/ with mac_only_encrypted', async () => {
    const envRun = await sluice(['secrets', 'encrypt', file('fleet/apps/web/app.env', `TOKEN=${SECRET}\n`)]);
    expect(envRun.stdout).toContain(`sops_age__list_0__map_recipient=${other.recipient}\n`);
    const yamlRun = await sluice(['secrets', 'encrypt', file('fleet/apps/web/s.yaml', PLAIN_YAML)]);
    const md = (parse(yamlRun.stdout) as { sops: Record<string, unknown> }).sops;
    expect(md.mac_only_encrypted).toBe(true);
    expect((md.age as { recipient: string }[])[0]?.recipient).toBe(age.recipient);
  });

  it('key flags win over the rule keys; the rule still sets which values are encrypted, as sops does', async () => {
    const run = await sluice([
      'secrets',
      'encrypt',
      file('fleet/clusters/prod/flags.yaml', PLAIN_YAML),
      '--age',
      third.recipient,
    ]);
    const md = (parse(run.stdout) as { sops: Record<string, unknown> }).sops;
    expect((md.age as { recipient: string }[]).map((a) => a.recipient)).toEqual([third.recipient]);
    expect(md.key_groups).toBeUndefined();
    expect(md.encrypted_regex).toBe('^(data|stringData)$');
  });

  it('a file no rule matches names .sops.yaml, the path it matched and the fix; exit 2', async () => {
    const run = await sluice(['secrets', 'encrypt', file('fleet/docs/notes.yaml', PLAIN_YAML)]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(join(repo, '.sops.yaml'));
    expect(run.stderr).toContain('"docs/notes.yaml"');
    expect(run.stderr).toContain('--age');
  });

  it('a bad .sops.yaml names the file and the field, and nothing is printed or written', async () => {
    file('broken/.sops.yaml', 'creation_rules:\n  - path_regex: .*\n    shamir_threshold: two\n    age: x\n');
    const path = file('broken/s.yaml', PLAIN_YAML);
    const run = await sluice(['secrets', 'encrypt', path, '--in-place']);
    expect(run.code).not.toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(join(dir, 'broken/.sops.yaml'));
    expect(run.stderr).toContain('creation_rules[0].shamir_threshold');
    expect(readFileSync(path, 'utf8')).toBe(PLAIN_YAML);
  });
});
