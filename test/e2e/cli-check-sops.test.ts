// `sluice check` on a fleet with a SOPS-encrypted Secret, as the README describes it: decrypted with the keys of
// the Secret that spec.decryption.secretRef names when the fleet declares it, and otherwise an error for the
// Kustomization naming the Secret or the key it lacks, with no plaintext or identity in the report.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kustomizationYaml } from '../support/kustomization-yaml.ts';
import { runCli } from '../support/run-cli.ts';
import { newAgeKey } from '../support/sops-keys.ts';

let root: string;
let age: { identity: string; recipient: string };
let encrypted: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'sluice-check-sops-'));
  age = await newAgeKey();
  const plain = join(root, 'db.yaml');
  writeFileSync(
    plain,
    'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: default\nstringData:\n  password: not-in-the-report\n',
  );
  const run = await runCli(
    ['secrets', 'encrypt', plain, '--age', age.recipient, '--encrypted-regex', '^(data|stringData)$'],
    { cwd: root, env: { PATH: process.env.PATH, HOME: root, XDG_CONFIG_HOME: join(root, 'config') } },
  );
  expect(run.code, run.stderr).toBe(0);
  encrypted = run.stdout;
}, 60_000);

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A fleet whose apps Kustomization decrypts ./apps with the Secret sops-keys, declared with this identity or not. */
function fleet(name: string, identity: string | undefined): string {
  const dir = join(root, name);
  const keys = `---
apiVersion: v1
kind: Secret
metadata:
  name: sops-keys
  namespace: flux-system
stringData:
  identity.agekey: ${identity}
`;
  const files: Record<string, string> = {
    'clusters/dev/apps.yaml': `${kustomizationYaml('apps', {
      path: './apps',
      after: '  decryption:\n    provider: sops\n    secretRef:\n      name: sops-keys\n',
    })}${identity ? keys : ''}`,
    'apps/db.sops.yaml': encrypted,
    'apps/kustomization.yaml': 'resources:\n  - db.sops.yaml\n',
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  execFileSync('git', ['init', '--quiet', dir]);
  return dir;
}

async function check(dir: string) {
  const run = await runCli(
    ['check', '--path', 'clusters/dev', '--render-sandbox', 'auto', '--timeout', '2m', '--output', 'json'],
    { cwd: dir, env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true' } },
  );
  const objects = (
    JSON.parse(run.stdout || '{"objects":[]}') as {
      objects: { name: string; verdict: string; reason: string }[];
    }
  ).objects;
  const verdict = (name: string) => objects.find((o) => o.name === name)?.verdict;
  const reason = (name: string) => objects.find((o) => o.name === name)?.reason;
  return { run, verdict, reason };
}

describe('sluice check on a fleet with SOPS-encrypted files', () => {
  it('decrypts with the keys of the Secret that spec.decryption.secretRef names, declared in the fleet', async () => {
    const { run, verdict } = await check(fleet('with-keys', age.identity));
    expect(run.code, run.stderr).toBe(0);
    expect(verdict('apps')).toBe('delivered');
    expect(run.stdout).not.toContain('not-in-the-report');
  }, 120_000);

  it('reports the Kustomization as an error naming the Secret the fleet does not declare (exit 1)', async () => {
    const { run, verdict, reason } = await check(fleet('without-keys', undefined));
    expect(run.code, run.stderr).toBe(1);
    expect(verdict('apps')).toBe('error');
    expect(reason('apps')).toContain('Secret flux-system/sops-keys was not found');
    expect(run.stdout).not.toContain('not-in-the-report');
  }, 120_000);

  it('reports the Kustomization as an error when the Secret holds another key (exit 1)', async () => {
    const other = await newAgeKey();
    const { run, verdict, reason } = await check(fleet('other-key', other.identity));
    expect(run.code, run.stderr).toBe(1);
    expect(verdict('apps')).toBe('error');
    expect(reason('apps')).toContain(`the age identity of ${age.recipient}`);
    expect(run.stdout).not.toContain('not-in-the-report');
    expect(run.stdout).not.toContain(other.identity);
  }, 120_000);
});
