// A HelmRelease whose values come from a SOPS-encrypted Secret, as Flux fleets keep them: the Secret is
// encrypted with `sluice secrets encrypt`, decrypted by its Kustomization's spec.decryption, and the release
// renders with the plaintext values, which appear in no status.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../support/pipeline-harness.ts';
import { runCli } from '../support/run-cli.ts';

const GREETING = 'hello from a sealed secret';
let h: Harness;
let scratch: string;

const chart = {
  'charts/greeter/Chart.yaml': 'apiVersion: v2\nname: greeter\nversion: 1.0.0\n',
  'charts/greeter/values.yaml': 'greeting: Hello\n',
  'charts/greeter/templates/configmap.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: greeter\ndata:\n  greeting: {{ .Values.greeting | quote }}\n',
};

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'sluice-hr-sops-'));
  const identity = await generateX25519Identity();
  const recipient = await identityToRecipient(identity);
  const plain = join(scratch, 'greeter-values.yaml');
  writeFileSync(
    plain,
    `apiVersion: v1\nkind: Secret\nmetadata:\n  name: greeter-values\n  namespace: flux-system\nstringData:\n  values.yaml: |\n    greeting: ${GREETING}\n`,
  );
  const sealed = await runCli(
    ['secrets', 'encrypt', plain, '--age', recipient, '--encrypted-regex', '^(data|stringData)$'],
    { cwd: scratch, env: { PATH: process.env.PATH, HOME: scratch } },
  );
  if (sealed.code !== 0) throw new Error(`sluice secrets encrypt failed: ${sealed.stderr}`);
  expect(sealed.stdout).not.toContain(GREETING);
  h = await startHarness({
    files: {
      ...chart,
      'secrets/greeter-values.yaml': sealed.stdout,
      // The decryption keys, as a Flux fleet's bootstrap leaves them in flux-system (age identities in .agekey).
      'clusters/dev/sops-keys.yaml': `apiVersion: v1\nkind: Secret\nmetadata:\n  name: sops-keys\n  namespace: flux-system\nstringData:\n  age.agekey: ${identity}\n`,
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
      'clusters/dev/greeter.yaml': `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: greeter
  namespace: flux-system
spec:
  interval: 10m
  chart:
    spec:
      chart: ./charts/greeter
      sourceRef:
        kind: GitRepository
        name: flux-system
  valuesFrom:
    - kind: Secret
      name: greeter-values
`,
    },
  });
  await h.start();
}, 90_000);

afterAll(async () => {
  await h?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('a HelmRelease with values from a SOPS-encrypted Secret', () => {
  it('renders with the decrypted values, which no status shows', async () => {
    const cm = await h.waitFor(
      'the release applied with the secret values',
      async () => {
        const obj = (await h.kube.object('v1', 'ConfigMap', 'greeter', 'flux-system')) as unknown as
          | { data: { greeting: string } }
          | undefined;
        return obj?.data.greeting === GREETING ? obj : undefined;
      },
      30_000,
    );
    expect(cm.data.greeting).toBe(GREETING);
    const secret = h.kube.object('v1', 'Secret', 'greeter-values', 'flux-system') as unknown as {
      data?: Record<string, string>;
      sops?: unknown;
    };
    // The Secret reached the cluster decrypted, without its sops metadata.
    expect(secret.sops).toBeUndefined();
    expect(JSON.stringify(await h.status())).not.toContain(GREETING);
  });
});
