// `sluice secrets decrypt` through the real CLI entry, on sops test vectors (files encrypted by the real sops,
// with their published test keys): keys from sops' environment variables and flags, output formats, and the
// failures (no key, a missing MAC) that must name the file and leak nothing. Skips when ../shared is absent.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from '../support/run-cli.ts';

const vectors = join(import.meta.dirname, '../../../shared/vectors/sops');
const present = existsSync(join(vectors, 'expected.json'));
if (!present) console.warn(`skipping sluice secrets decrypt tests: the sops vectors are not at ${vectors}`);

const flux = join(vectors, 'fluxcd-kustomize-controller/internal/controller/testdata/sops');
const sops = join(vectors, 'getsops-sops');
const home = mkdtempSync(join(tmpdir(), 'sluice-secrets-'));
// No key from the machine running the tests: an empty config home and no sops variables but the test's.
const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: home,
  XDG_CONFIG_HOME: join(home, 'config'),
  AWS_EC2_METADATA_DISABLED: 'true',
  ...extra,
});
const expected = (label: string) =>
  (
    JSON.parse(readFileSync(join(vectors, 'expected.json'), 'utf8')) as {
      label: string;
      plaintext: unknown;
    }[]
  ).find((e) => e.label === label)?.plaintext;

afterAll(() => rmSync(home, { recursive: true, force: true }));

describe.skipIf(!present)('sluice secrets decrypt', () => {
  it('decrypts with the age key in $SOPS_AGE_KEY_FILE, like sops -d', async () => {
    const run = await runCli(['secrets', 'decrypt', join(flux, 'algorithms/age.yaml')], {
      cwd: home,
      env: env({ SOPS_AGE_KEY_FILE: join(flux, 'keys/age.txt') }),
    });
    expect(run.code).toBe(0);
    expect(parse(run.stdout)).toEqual(
      expected('fluxcd-kustomize-controller/internal/controller/testdata/sops/algorithms/age.yaml'),
    );
    expect(run.stdout).not.toContain('ENC[');
    expect(run.stdout).not.toContain('sops:');
  });

  it('takes the key text itself from $SOPS_AGE_KEY, post-quantum identities included, and prints JSON on request', async () => {
    const run = await runCli(
      ['secrets', 'decrypt', join(flux, 'algorithms/age-pq.yaml'), '--output-type', 'json'],
      {
        cwd: home,
        env: env({ SOPS_AGE_KEY: readFileSync(join(flux, 'keys/age-pq.txt'), 'utf8') }),
      },
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(
      expected('fluxcd-kustomize-controller/internal/controller/testdata/sops/algorithms/age-pq.yaml'),
    );
  });

  it('decrypts with a PGP key from --pgp-key-file, dotenv files as dotenv', async () => {
    const pgp = await runCli(
      ['secrets', 'decrypt', join(flux, 'algorithms/pgp.yaml'), '--pgp-key-file', join(flux, 'keys/pgp.asc')],
      { cwd: home, env: env() },
    );
    expect(pgp.code).toBe(0);
    expect(parse(pgp.stdout)).toEqual(
      expected('fluxcd-kustomize-controller/internal/controller/testdata/sops/algorithms/pgp.yaml'),
    );
    const dotenv = await runCli(
      [
        'secrets',
        'decrypt',
        join(sops, 'functional-tests/res/format.enc.env'),
        '--pgp-key-file',
        join(sops, 'pgp/sops_functional_tests_key.asc'),
      ],
      { cwd: home, env: env() },
    );
    expect(dotenv.code).toBe(0);
    expect(dotenv.stdout).toBe('foo = bar\n');
  });

  it('without a usable key names the file and the recipients to provide, and prints nothing', async () => {
    const run = await runCli(['secrets', 'decrypt', join(flux, 'algorithms/age.yaml')], {
      cwd: home,
      env: env(),
    });
    expect(run.code).not.toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('algorithms/age.yaml');
    expect(run.stderr).toContain('age1l44xcng8dqj32nlv6d930qvvrny05hglzcv9qpc7kxjc6902ma4qufys29');
    expect(run.stderr).not.toContain('value');
  });

  it('refuses a file whose MAC is missing, naming the file (Flux would not check; Sluice does)', async () => {
    const run = await runCli(
      [
        'secrets',
        'decrypt',
        join(sops, 'functional-tests/res/no_mac.yaml'),
        '--pgp-key-file',
        join(sops, 'pgp/sops_functional_tests_key.asc'),
      ],
      { cwd: home, env: env() },
    );
    expect(run.code).not.toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('no_mac.yaml');
  });

  it('says what --output-type takes', async () => {
    const run = await runCli(
      ['secrets', 'decrypt', join(flux, 'algorithms/age.yaml'), '--output-type', 'toml'],
      {
        cwd: home,
        env: env({ SOPS_AGE_KEY_FILE: join(flux, 'keys/age.txt') }),
      },
    );
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('--output-type "toml": expected one of yaml, json, dotenv, ini, binary');
  });
});
