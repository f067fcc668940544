// A decryption Secret with entries Sluice does not use (a GCP KMS credential, an entry kustomize-controller
// ignores by name): the Kustomization still decrypts with its age key, and `sluice status` says which entries
// are not used and what Sluice does instead, instead of ignoring them silently. No key shows in the status.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness, WEBHOOK_SECRET } from '../support/pipeline-harness.ts';
import { type CliRun, runCli } from '../support/run-cli.ts';
import { ageEntry, newAgeKey } from '../support/sops-keys.ts';
import { sealWith } from '../support/sops-kms-fleet.ts';

const PASSWORD = 'sealed-db-password';
const GCP_KEY = 'gcp-private-key-canary';
let h: Harness;
let identity: string;

beforeAll(async () => {
  const key = await newAgeKey();
  identity = key.identity;
  const sealed = await sealWith(
    `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: flux-system\nstringData:\n  password: ${PASSWORD}\n`,
    'yaml',
    'secrets/db.yaml',
    async (dataKey) => [await ageEntry(key.recipient, dataKey)],
    '^(data|stringData)$',
  );
  h = await startHarness({
    files: {
      'secrets/db.yaml': sealed,
      'clusters/dev/sops-keys.yaml': `apiVersion: v1
kind: Secret
metadata:
  name: sops-keys
  namespace: flux-system
stringData:
  age.agekey: ${identity}
  identity: ${identity}
  sops.gcp-kms: '{"type":"service_account","private_key":"${GCP_KEY}"}'
`,
      'clusters/dev/secrets.yaml': `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: secrets
  namespace: flux-system
spec:
  interval: 10m
  path: ./secrets
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
  decryption:
    provider: sops
    secretRef:
      name: sops-keys
`,
    },
  });
  await h.start();
}, 90_000);

afterAll(async () => {
  await h?.close();
});

function sluice(...args: string[]): Promise<CliRun> {
  return runCli([...args, '--api', h.plane.apiUrl], {
    cwd: h.root,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: h.dataDir,
      SLUICE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      XDG_CONFIG_HOME: join(h.dataDir, 'no-config'),
    },
  });
}

describe('decryption Secret entries Sluice does not use', () => {
  it('are named in sluice status, while the Kustomization decrypts with the age key', async () => {
    await h.waitFor(
      'the sealed Secret applied, decrypted',
      () => h.kube.object('v1', 'Secret', 'db', 'flux-system'),
      30_000,
    );
    const run = await sluice('status');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    const warnings = lines
      .slice(lines.indexOf('WARNINGS') + 1)
      .filter((l) => l.startsWith('  flux-system/secrets: '));
    expect(warnings).toEqual([
      '  flux-system/secrets: spec.decryption.secretRef: Secret flux-system/sops-keys entry identity is ignored, as kustomize-controller ignores it: only *.agekey (age identities), *.asc (PGP private keys) and sops.aws-kms (AWS credentials for KMS) entries are read. If it holds keys, rename it (e.g. identity.agekey for an age key file, identity.asc for an armored PGP key)',
      '  flux-system/secrets: spec.decryption.secretRef: Secret flux-system/sops-keys entry sops.gcp-kms is not used: Sluice does not decrypt with GCP KMS (gcp_kms) keys; each file is decrypted with its age, PGP or AWS KMS keys instead, and a file whose only keys are gcp_kms fails. Re-encrypt such files to an age or AWS KMS key (sluice secrets encrypt --age RECIPIENT | --kms ARN) and remove the entry',
    ]);
    const shown = `${run.stdout}${run.stderr}${JSON.stringify(await h.status())}`;
    for (const secret of [identity, GCP_KEY, PASSWORD]) expect(shown).not.toContain(secret);
  });
});
