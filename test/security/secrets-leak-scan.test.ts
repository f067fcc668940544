// No leak, asserted: a fleet holding secrets in every way a Flux fleet does goes through the real pipeline and a
// real puller, then through every failure path (bad MAC, wrong key, KMS denied, apply failure, render failure);
// every log line, thrown error (with its causes), status, queue message (dead letters too), stored object and
// file left on disk is scanned for each plaintext value, as itself and base64 at every alignment: zero hits.
// So the scan can fail: the values do reach the cluster decrypted, and a value planted in the store is found.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanStderr } from '../../shared/adapters/render/kubectl-kustomize.ts';
import { decodeResource } from '../../shared/api/decode-resource.ts';
import { isSluiceError } from '../../shared/core/errors.ts';
import type { StatusView } from '../../shared/usecases/read-status.ts';
import { errorOf } from '../support/error-of.ts';
import { helmReleaseYaml } from '../support/helm-release-yaml.ts';
import { type KmsServer, startKmsServer } from '../support/kms-server.ts';
import { kustomizationYaml } from '../support/kustomization-yaml.ts';
import { type Evidence, scanFor, storeEvidence } from '../support/leak-evidence.ts';
import { type LeakWorld, startLeakWorld } from '../support/leak-scan-world.ts';
import { type AgeTestKey, ageEntry, newAgeKey } from '../support/sops-keys.ts';
import { kmsEntry, sealWith } from '../support/sops-kms-fleet.ts';

/** Plaintext values, one per way a fleet holds a secret. */
const CANARIES = {
  'age-encrypted Secret': 'LEAK-CANARY-1-age-sealed-db-password',
  'KMS-encrypted Secret': 'LEAK-CANARY-2-kms-sealed-db-password',
  'substituteFrom Secret': 'LEAK-CANARY-3-substitute-from-token',
  'valuesFrom Secret': 'LEAK-CANARY-4-helm-values-from-secret',
  'generator env file': 'LEAK-CANARY-5-generator-env-file-token',
  'malformed values Secret': 'LEAK-CANARY-7-malformed-values-yaml',
  'YAML-breaking substitute': 'LEAK-CANARY-8-breaks-the-yaml-it-lands-in',
  'patch file': 'LEAK-CANARY-9-sops-patch-file-value',
  'patch kustomize rejects': 'LEAK-CANARY-10-patch-kustomize-rejects',
  'patch leaving a Secret malformed': 'LEAK-CANARY-11-patch-leaves-secret-malformed',
};
const AWS_ID = 'AKIALEAKSCANCANARY01';
const AWS_SECRET = 'leak-canary-6-aws-secret/Access+Key';
const FLEET_USER = 'arn:aws:iam::000000000000:user/fleet-sops';

let kms: KmsServer;
let w: LeakWorld;
let key: AgeTestKey;
let wrongKey: AgeTestKey;
let kmsArn: string;
/** Every stored object at each step (records are overwritten as the steps go). */
const stored: Evidence[] = [];
let good: Record<string, string>;

/** Key material: the decryption Secret is in Git as the fleet wrote it, so snapshots are not scanned for it. */
const keyMaterial = () => ({
  'age identity': key.identity,
  'wrong age identity': wrongKey.identity,
  'AWS secret key': AWS_SECRET,
});

const secretYaml = (name: string, key: string, value: string) =>
  `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\n  namespace: flux-system\nstringData:\n  ${key}: ${value}\n`;

async function ageSealed(plain: string, format: 'yaml' | 'dotenv', file: string): Promise<string> {
  return sealWith(
    plain,
    format,
    file,
    async (dk) => [await ageEntry(key.recipient, dk)],
    format === 'yaml' ? '^(data|stringData)$' : undefined,
  );
}

function keysSecret(identity: string): string {
  return `apiVersion: v1
kind: Secret
metadata:
  name: sops-keys
  namespace: flux-system
stringData:
  age.agekey: ${identity}
  sops.aws-kms: |
    aws_access_key_id: ${AWS_ID}
    aws_secret_access_key: ${AWS_SECRET}
`;
}

const SECRETS_KUSTOMIZATION = `namespace: flux-system
resources: [db.yaml, kms-db.yaml, app-vars.yaml, hr-values.yaml]
generatorOptions:
  disableNameSuffixHash: true
secretGenerator:
- name: gen
  envs: [gen.env]
patches:
- path: patch.yaml
`;

/**
 * A patch of Secret `name`, SOPS-encrypted as a whole file (decrypted before the build, as Flux does). A
 * generated Secret has no namespace until after the patches; db says its own.
 */
const patchOf = (name: 'gen' | 'db', stringData: string) =>
  ageSealed(
    `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\n${name === 'db' ? '  namespace: flux-system\n' : ''}stringData:${stringData}\n`,
    'yaml',
    'patch.yaml',
  );

async function fleet(): Promise<Record<string, string>> {
  return {
    'clusters/dev/sops-keys.yaml': keysSecret(key.identity),
    'clusters/dev/secrets.yaml': kustomizationYaml('secrets', {
      path: './secrets',
      after: '  decryption:\n    provider: sops\n    secretRef:\n      name: sops-keys\n',
    }),
    'clusters/dev/apps.yaml': kustomizationYaml('apps', {
      path: './apps',
      after: '  postBuild:\n    substituteFrom:\n      - kind: Secret\n        name: app-vars\n',
    }),
    'clusters/dev/greeter.yaml': helmReleaseYaml('greeter', {
      chart: './charts/greeter',
      after: '  valuesFrom:\n    - kind: Secret\n      name: hr-values\n',
    }),
    'secrets/kustomization.yaml': SECRETS_KUSTOMIZATION,
    'secrets/db.yaml': await ageSealed(
      secretYaml('db', 'password', CANARIES['age-encrypted Secret']),
      'yaml',
      'db.yaml',
    ),
    'secrets/kms-db.yaml': await sealWith(
      secretYaml('kms-db', 'password', CANARIES['KMS-encrypted Secret']),
      'yaml',
      'kms-db.yaml',
      async (dk) => [await kmsEntry(kms, kmsArn, dk)],
      '^(data|stringData)$',
    ),
    'secrets/app-vars.yaml': await ageSealed(
      secretYaml('app-vars', 'app_token', CANARIES['substituteFrom Secret']),
      'yaml',
      'app-vars.yaml',
    ),
    'secrets/hr-values.yaml': await ageSealed(
      secretYaml('hr-values', 'values.yaml', `"password: ${CANARIES['valuesFrom Secret']}"`),
      'yaml',
      'hr-values.yaml',
    ),
    'secrets/patch.yaml': await patchOf('gen', `\n  extra: ${CANARIES['patch file']}`),
    'secrets/gen.env': await ageSealed(`TOKEN=${CANARIES['generator env file']}\n`, 'dotenv', 'gen.env'),
    'apps/kustomization.yaml': 'resources: [token.yaml]\n',
    'apps/token.yaml': secretYaml('app-token', 'token', '${app_token}'),
    'charts/greeter/Chart.yaml': 'apiVersion: v2\nname: greeter\nversion: 1.0.0\n',
    'charts/greeter/values.yaml': 'password: unset\n',
    'charts/greeter/templates/secret.yaml':
      'apiVersion: v1\nkind: Secret\nmetadata:\n  name: greeter\nstringData:\n  password: {{ .Values.password | quote }}\n',
  };
}

const target = (kind: 'Kustomization' | 'HelmRelease', name: string) => (view: StatusView) =>
  view.clusters[0]?.kustomizations.find((k) => k.kind === kind && k.name === name);
const secretsKs = target('Kustomization', 'secrets');

/** The live Secret's value of `key`, decoded. */
function liveSecret(name: string, entry: string): string | undefined {
  const s = w.kube.object('v1', 'Secret', name, 'flux-system') as
    | { data?: Record<string, string> }
    | undefined;
  const v = s?.data?.[entry];
  return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
}

async function captureStore(step: string): Promise<void> {
  stored.push(...(await storeEvidence(w.deps.store, `store after ${step}`)));
}

/**
 * Pushes `files`, waits for the `secrets` render of that commit to end as `ready` (a failure: with a message
 * that `says` so), and records its status and the store.
 */
async function renderOf(files: Record<string, string | null>, message: string, ready: boolean, says = '') {
  // A failed render's status keeps the revision of the artifact it leaves in place: told apart by its time.
  const since = Date.now();
  const sha = await w.push(files, message);
  const render = await w.waitFor(`the secrets render of "${message}"`, async () => {
    const r = secretsKs(await w.status(false))?.render;
    const done = ready ? r?.revision?.endsWith(sha) : r?.message.includes(says);
    return r && Date.parse(r.at) >= since && r.ready === ready && done ? r : undefined;
  });
  await w.status();
  await captureStore(message);
  return render;
}

beforeAll(async () => {
  kms = await startKmsServer();
  // The SDK's KMS endpoint for the sops.aws-kms credentials of the decryption Secret: the test KMS server.
  vi.stubEnv('AWS_ENDPOINT_URL_KMS', kms.endpoint);
  kmsArn = kms.createKey('SYMMETRIC_DEFAULT').arn;
  [key, wrongKey] = await Promise.all([newAgeKey(), newAgeKey()]);
  good = await fleet();
  w = await startLeakWorld(good);
}, 60_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  await w?.close();
  await kms?.close();
});

/** The codes along the cause chain of the last error the `secrets` render threw: what its failure was about. */
function lastThrownCodes(): string[] {
  const err = w.thrown.findLast(
    (e) => e instanceof Error && e.message.includes('Kustomization/flux-system/secrets:'),
  );
  const codes: string[] = [];
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause)
    if (isSluiceError(e)) codes.push(e.code);
  return codes;
}

/** What the cluster holds besides Secrets (inventories, Namespaces, …), which no value may reach. */
function clusterEvidence(): Evidence[] {
  return w.kube
    .objects()
    .filter((o) => o.kind !== 'Secret')
    .map((o) => ({
      where: `cluster:${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`,
      text: JSON.stringify(o),
    }));
}

/** Every file the control plane left on its disk (render scratch, Git cache, keys). */
function diskEvidence(dir = w.dataDir): Evidence[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => {
      const path = join(e.parentPath, e.name);
      return { where: `disk:${relative(w.dataDir, path)}`, text: readFileSync(path).toString('utf8') };
    });
}

/** Git's content as the fleet committed it (the decryption Secret is in it in plaintext, by the fleet's choice). */
const isGitContent = (e: Evidence) => /snapshots\//.test(e.where) || e.where.startsWith('disk:git-cache/');

describe('secrets in a fleet, through the pipeline and the puller (security)', () => {
  it('are applied decrypted: every value reaches its Secret in the cluster (the scan looks at real data)', async () => {
    await w.waitFor(
      'every target rendered',
      async () => {
        const targets = (await w.status(false)).clusters[0]?.kustomizations ?? [];
        return ['secrets', 'apps', 'greeter'].every((n) => targets.find((t) => t.name === n)?.render?.ready);
      },
      30_000,
    );
    // The HelmRelease renders again once the puller has reported the cluster's capabilities.
    await w.waitFor(
      'every value applied',
      async () => {
        await w.reconcile();
        return liveSecret('greeter', 'password') === CANARIES['valuesFrom Secret'] || undefined;
      },
      30_000,
    );
    expect(liveSecret('db', 'password')).toBe(CANARIES['age-encrypted Secret']);
    expect(liveSecret('gen', 'extra')).toBe(CANARIES['patch file']);
    expect(liveSecret('kms-db', 'password')).toBe(CANARIES['KMS-encrypted Secret']);
    expect(liveSecret('app-token', 'token')).toBe(CANARIES['substituteFrom Secret']);
    expect(liveSecret('gen', 'TOKEN')).toBe(CANARIES['generator env file']);
    expect(liveSecret('greeter', 'password')).toBe(CANARIES['valuesFrom Secret']);
    expect(liveSecret('sops-keys', 'age.agekey')).toBe(key.identity);
    await w.status();
    await captureStore('the first apply');
  }, 60_000);

  it('a tampered value fails the MAC check, and the applied Secret stays', async () => {
    const tampered = (good['secrets/db.yaml'] ?? '').replace('name: db\n', 'name: db-tampered\n');
    expect(tampered).not.toBe(good['secrets/db.yaml']);
    const render = await renderOf({ 'secrets/db.yaml': tampered }, 'tamper a MAC-covered value', false);
    expect(lastThrownCodes()).toContain('MacMismatch');
    expect(render.message).toContain('secrets/db.yaml');
    expect(liveSecret('db', 'password')).toBe(CANARIES['age-encrypted Secret']);
    await renderOf({ 'secrets/db.yaml': good['secrets/db.yaml'] ?? '' }, 'restore db.yaml', true);
  });

  it('a wrong key, then no decryption Secret at all, fail naming the Secret to fix', async () => {
    const wrong = await renderOf(
      { 'clusters/dev/sops-keys.yaml': keysSecret(wrongKey.identity) },
      'a wrong age key',
      false,
      'no key of its key group could be used',
    );
    // No key of the file's key group could be used: the keys Secret does not fit the file.
    expect(lastThrownCodes()).toContain('ValidationFailed');
    expect(wrong.message).toContain('Secret flux-system/sops-keys');
    const missing = await renderOf(
      { 'clusters/dev/sops-keys.yaml': null },
      'remove the keys',
      false,
      'not found',
    );
    expect(missing.message).toContain('sops-keys');
    await renderOf({ 'clusters/dev/sops-keys.yaml': keysSecret(key.identity) }, 'restore the keys', true);
  });

  it("an apply failure of a Secret is reported, and the cluster's copy stays", async () => {
    w.kube.failNext(
      'PATCH',
      /\/namespaces\/flux-system\/secrets\/db$/,
      422,
      'Secret "db" is invalid: injected',
    );
    const report = (await w.reconcile(true)).find((r) => r.target.name === 'secrets');
    expect(report).toMatchObject({ ready: false, reason: 'ReconciliationFailed' });
    await w.waitFor(
      'the apply failure in status',
      async () => secretsKs(await w.status(false))?.apply?.ready === false,
    );
    await w.status();
    expect(liveSecret('db', 'password')).toBe(CANARIES['age-encrypted Secret']);
    expect((await w.reconcile(true)).find((r) => r.target.name === 'secrets')?.ready).toBe(true);
    await captureStore('the apply failure');
  });

  it('a broken kustomization.yaml fails the render: invalid YAML, or a missing resource after decryption', async () => {
    for (const [text, says] of [
      [`${SECRETS_KUSTOMIZATION}resources: [\n`, 'invalid YAML'],
      [SECRETS_KUSTOMIZATION.replace('hr-values.yaml]', 'hr-values.yaml, missing.yaml]'), 'missing.yaml'],
    ] as const) {
      const render = await renderOf(
        { 'secrets/kustomization.yaml': text },
        `kustomization.yaml: ${says}`,
        false,
        says,
      );
      expect(render.reason).toBe('BuildFailed');
    }
    await renderOf(
      { 'secrets/kustomization.yaml': SECRETS_KUSTOMIZATION },
      'restore kustomization.yaml',
      true,
    );
  });

  it('a decrypted patch fails the render when kustomize refuses it, or when it leaves a Secret malformed', async () => {
    for (const [name, canary, says] of [
      // db has a stringData mapping: kustomize's merge answers "wrong node kind … node contents:" and the node.
      ['db', 'patch kustomize rejects', 'node contents'],
      // gen has none: kustomize merges the string in, and the Secret is refused when the output is read.
      ['gen', 'patch leaving a Secret malformed', 'stringData: expected a mapping'],
    ] as const) {
      const patch = await patchOf(name, ` ${CANARIES[canary]}`);
      const render = await renderOf({ 'secrets/patch.yaml': patch }, `a patch of ${name}`, false, says);
      expect(render.reason).toBe('BuildFailed');
    }
    await renderOf({ 'secrets/patch.yaml': good['secrets/patch.yaml'] ?? '' }, 'restore the patch', true);
  });

  it("a values Secret that is not YAML fails the HelmRelease's render", async () => {
    const greeter = target('HelmRelease', 'greeter');
    const malformed = await ageSealed(
      secretYaml('hr-values', 'values.yaml', `"password: [${CANARIES['malformed values Secret']}"`),
      'yaml',
      'hr-values.yaml',
    );
    const since = Date.now();
    await w.push({ 'secrets/hr-values.yaml': malformed }, 'malformed values');
    const render = await w.waitFor('the greeter render fails', async () => {
      const r = greeter(await w.status(false))?.render;
      return r && Date.parse(r.at) >= since && !r.ready ? r : undefined;
    });
    expect(render.message).toContain("Secret 'flux-system/hr-values'");
    await w.status();
    await captureStore('malformed values');
    await renderOf(
      { 'secrets/hr-values.yaml': good['secrets/hr-values.yaml'] ?? '' },
      'restore the values',
      true,
    );
  });

  it('a substituted value that breaks the YAML it lands in fails the render', async () => {
    const apps = target('Kustomization', 'apps');
    const breaking = await ageSealed(
      secretYaml('app-vars', 'app_token', `"[${CANARIES['YAML-breaking substitute']}: {"`),
      'yaml',
      'app-vars.yaml',
    );
    const since = Date.now();
    await w.push({ 'secrets/app-vars.yaml': breaking }, 'a YAML-breaking substitute');
    const render = await w.waitFor('the apps render fails', async () => {
      const r = apps(await w.status(false))?.render;
      return r && Date.parse(r.at) >= since && !r.ready ? r : undefined;
    });
    expect(render.message).toContain("var substitution failed for 'app-token'");
    await w.status();
    await captureStore('a YAML-breaking substitute');
    await renderOf(
      { 'secrets/app-vars.yaml': good['secrets/app-vars.yaml'] ?? '' },
      'restore the variables',
      true,
    );
  });

  it("KMS denying the decryption Secret's credentials fails the render, naming the key and who was denied", async () => {
    kms.deny({ key: kmsArn, accessKeyId: AWS_ID, principal: FLEET_USER });
    // A comment changes the render's inputs, so it runs again (and asks KMS again).
    const render = await renderOf(
      { 'secrets/kustomization.yaml': `# KMS denies\n${SECRETS_KUSTOMIZATION}` },
      'KMS denies the fleet credentials',
      false,
    );
    expect(lastThrownCodes()).toContain('AccessDenied');
    expect(render.message).toContain(kmsArn);
    expect(render.message).toContain(FLEET_USER);
    expect(liveSecret('kms-db', 'password')).toBe(CANARIES['KMS-encrypted Secret']);
  });

  it('leave no value in any log line, thrown error, status, queue message, stored object or file', async () => {
    // Dead letters are read back too (the recording queue keeps what it delivers).
    for (const q of [w.deps.queues.fetch, w.deps.queues.render, w.deps.queues.reports('dev')])
      await w.deps.queue.receive(w.deps.queues.deadLetter(q), { maxMessages: 10, visibilitySeconds: 1 });
    await w.status();
    const evidence = [...w.evidence, ...stored, ...clusterEvidence(), ...diskEvidence()];
    expect(scanFor(CANARIES, evidence)).toEqual([]);
    expect(
      scanFor(
        keyMaterial(),
        evidence.filter((e) => !isGitContent(e)),
      ),
    ).toEqual([]);

    // What was scanned: each failure's thrown error, log lines, statuses, sent messages, every stored artifact.
    const where = (prefix: string) => evidence.filter((e) => e.where.startsWith(prefix)).length;
    expect(where('thrown by render')).toBeGreaterThanOrEqual(5);
    expect(where('log')).toBeGreaterThan(20);
    expect(where('sluice status')).toBeGreaterThan(10);
    expect(where('queue-sent:')).toBeGreaterThan(20);
    expect(where(`queue-sent:${w.deps.queues.deadLetter(w.deps.queues.render)}`)).toBeGreaterThan(0);
    expect(where('apply reports')).toBeGreaterThan(1);
    expect(stored.filter((e) => e.where.includes(':artifacts/dev/')).length).toBeGreaterThan(10);
    // Snapshots were inflated and read: the keys Secret, committed in plaintext, is in them.
    expect(scanFor({ 'age identity': key.identity }, stored.filter(isGitContent))).not.toEqual([]);
  });

  it('finds a value planted in a stored object, a log line or a queue message (the scan can fail)', async () => {
    const value = CANARIES['generator env file'];
    await w.deps.store.put(
      'planted/leak.json',
      JSON.stringify({ data: Buffer.from(`X=${value}`).toString('base64') }),
    );
    w.deps.log.info('planted', { value });
    await w.deps.queue.send(w.deps.queues.deadLetter(w.deps.queues.render), {
      body: JSON.stringify({ token: Buffer.from(value).toString('base64url') }),
      groupId: 'planted',
      deduplicationId: 'planted',
    });
    const evidence = [...w.evidence.slice(-2), ...(await storeEvidence(w.deps.store))];
    const hits = scanFor(CANARIES, evidence).map((h) => `${h.where} ${h.secret} ${h.form}`);
    expect(hits).toEqual(
      expect.arrayContaining([
        'store:planted/leak.json generator env file base64@2',
        'log generator env file plaintext',
        expect.stringMatching(/^queue-sent:.* generator env file base64url@0$/),
      ]),
    );
  });
});

describe('messages that could quote a decrypted value (security)', () => {
  const value = 'LEAK-CANARY-12-quoted-by-a-message';

  it("drops the YAML node kustomize's wrong-node-kind error ends with", () => {
    const stderr = `error: wrong node kind: expected MappingNode but got ScalarNode: node contents:\n${value}\n`;
    const text = cleanStderr(stderr, {});
    expect(text).toBe(
      'wrong node kind: expected MappingNode but got ScalarNode: node contents: (not shown: it may hold secrets)',
    );
    expect(scanFor({ value }, [{ where: 'kustomize', text }])).toEqual([]);
  });

  it.each([
    ['stringData as a string', { stringData: value }, 'stringData: expected a mapping, got a string'],
    ['data as a list', { data: [value] }, 'data: expected a mapping, got a list'],
    [
      'a stringData value as a number',
      { stringData: { pin: 20261130 } },
      'stringData.pin: expected a string, got a number',
    ],
    [
      'a stringData value as a list',
      { stringData: { token: [value] } },
      'stringData.token: expected a string, got a list',
    ],
  ])("names a Secret's malformed values by their type only (%s)", (_what, fields, problem) => {
    const raw = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, ...fields };
    const err = errorOf(() => decodeResource(raw, { file: 'db.yaml', document: 0 }));
    expect(err.code).toBe('ValidationFailed');
    expect(err.message).toContain(problem);
    expect(scanFor({ value, pin: '20261130' }, [{ where: 'decode', text: err.message }])).toEqual([]);
  });

  it("still quotes a ConfigMap's malformed value (no secret there)", () => {
    const raw = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { replicas: 3 } };
    const err = errorOf(() => decodeResource(raw, { file: 'cm.yaml', document: 0 }));
    expect(err.message).toContain('data.replicas: expected a string, got 3');
  });
});
