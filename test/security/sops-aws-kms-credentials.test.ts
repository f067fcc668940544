// The static AWS credentials of a decryption Secret's sops.aws-kms entry never show: not in any error (message,
// fields, cause chain, inspected form), log line or render warning, on every failure path of KMS, STS and the entry.
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLocalRenderDeps } from '../../shared/config/render-deps.ts';
import { createSopsKeyring } from '../../shared/config/sops-keyring.ts';
import type { SluiceError } from '../../shared/core/errors.ts';
import { renderKustomization } from '../../shared/usecases/render-kustomization.ts';
import { rejectionOf } from '../support/error-of.ts';
import { type KmsServer, startKmsServer } from '../support/kms-server.ts';
import {
  FleetDirs,
  keysSecret,
  kmsEntry,
  renderRequest,
  sealWith,
  secretManifest,
} from '../support/sops-kms-fleet.ts';
import { type StsServer, startStsServer } from '../support/sts-server.ts';

const ID = 'AKIALEAKCANARY0001';
const SECRET = 'leak-canary-secret/Access+Key0001';
const TOKEN = 'leak-canary-session-token-0001';
const ENTRY = `aws_access_key_id: ${ID}\naws_secret_access_key: ${SECRET}\naws_session_token: ${TOKEN}\n`;
const ROLE = 'arn:aws:iam::000000000000:role/fleet-sops';

let kms: KmsServer;
let sts: StsServer;
const dirs = new FleetDirs();
const logged: string[] = [];
const deps = () => createLocalRenderDeps({ sops: createSopsKeyring({ kms: false }) });

beforeAll(async () => {
  [kms, sts] = await Promise.all([startKmsServer(), startStsServer()]);
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const)
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      logged.push(args.map((a) => inspect(a)).join(' '));
    });
});
afterEach(() => {
  vi.unstubAllEnvs();
  dirs.cleanup();
  logged.length = 0;
});
afterAll(async () => {
  vi.restoreAllMocks();
  await Promise.all([kms?.close(), sts?.close()]);
});

function localAws(): void {
  vi.stubEnv('AWS_ENDPOINT_URL_KMS', kms.endpoint);
  vi.stubEnv('AWS_ENDPOINT_URL_STS', sts.endpoint);
}

async function fleet(role?: string): Promise<{ root: string; arn: string }> {
  const { arn } = kms.createKey('SYMMETRIC_DEFAULT');
  const secret = await sealWith(
    secretManifest('db', 'plain-password-canary'),
    'yaml',
    'secret.yaml',
    async (dataKey) => [await kmsEntry(kms, arn, dataKey, role)],
    '^(data|stringData)$',
  );
  return {
    root: dirs.make({ 'kustomization.yaml': 'resources: [secret.yaml]\n', 'secret.yaml': secret }),
    arn,
  };
}

/** Every form an error takes on its way to a status or a log, and every log line: no credential in any. */
function assertNoCredentials(err: SluiceError): void {
  const forms = [err.message, JSON.stringify(err), inspect(err, { depth: 10 }), ...logged];
  for (let cause: unknown = err.cause; cause; cause = (cause as { cause?: unknown }).cause)
    forms.push(String((cause as Error).message), inspect(cause, { depth: 10 }));
  for (const text of forms)
    for (const credential of [ID, SECRET, TOKEN, 'plain-password-canary', ...sts.issuedSecrets])
      expect(text).not.toContain(credential);
  expect(err.message).toContain('Kustomization/flux-system/apps');
}

async function failure(
  root: string,
  entry = ENTRY,
  extra: Record<string, string> = {},
): Promise<SluiceError> {
  return rejectionOf(
    renderKustomization(deps(), renderRequest(root, [keysSecret({ 'sops.aws-kms': entry, ...extra })])),
  );
}

describe('sops.aws-kms credentials (security)', () => {
  it('KMS denies them: AccessDenied names the key and the entry, not the credentials', async () => {
    localAws();
    const { root, arn } = await fleet();
    kms.deny({ key: arn, accessKeyId: ID, principal: 'arn:aws:iam::000000000000:user/fleet' });
    const err = await failure(root);
    expect(err.code).toBe('AccessDenied');
    expect(err.message).toContain(arn);
    expect(err.message).toContain('entry sops.aws-kms');
    assertNoCredentials(err);
  });

  it.each([
    ['UnrecognizedClientException', 400],
    ['InvalidSignatureException', 400],
    ['DisabledException', 400],
  ])('KMS answers %s: nothing of the credentials in the error', async (type, status) => {
    localAws();
    const { root } = await fleet();
    kms.failNext('Decrypt', { type, status, message: `${type} for the request` });
    assertNoCredentials(await failure(root));
  });

  it.each([
    ['ThrottlingException', 400],
    ['KMSInternalException', 500],
  ])(
    'KMS keeps answering %s: retryable, and nothing of the credentials in the error',
    async (type, status) => {
      localAws();
      const { root } = await fleet();
      // The SDK's own 3 attempts of a retryable answer: each one fails.
      for (let i = 0; i < 3; i++)
        kms.failNext('Decrypt', { type, status, message: `${type} for the request` });
      const err = await failure(root);
      expect([err.code, err.retryable]).toEqual(['KeyServiceUnavailable', true]);
      assertNoCredentials(err);
    },
  );

  it('STS refuses the role to them: names the role and the entry only', async () => {
    localAws();
    const { root } = await fleet(ROLE);
    sts.trust(ROLE, ['AKIASOMEONEELSE']);
    const err = await failure(root);
    expect(err.code).toBe('AccessDenied');
    expect(err.message).toContain(ROLE);
    assertNoCredentials(err);
  });

  it('the role session KMS then denies: the session credentials STS issued stay hidden too', async () => {
    localAws();
    const role = 'arn:aws:iam::000000000000:role/denied-session';
    const { root, arn } = await fleet(role);
    kms.deny({
      key: arn,
      accessKeyId: 'ASIADENIED-SESSION',
      principal: 'arn:aws:sts::000000000000:assumed-role/denied-session/sops@host',
    });
    const err = await failure(root);
    expect(err.code).toBe('AccessDenied');
    expect(sts.issuedSecrets.length).toBeGreaterThan(0);
    assertNoCredentials(err);
  });

  it.each([
    ['not YAML', `aws_access_key_id: ${ID}\naws_secret_access_key: "${SECRET}\n  - [${TOKEN}`],
    ['a field that is no string', `aws_access_key_id: ${ID}\naws_secret_access_key: [${SECRET}]\n`],
    ['a key without its secret', `aws_access_key_id: ${ID}\naws_session_token: ${TOKEN}\n`],
  ])('an entry that is %s fails without quoting it', async (_, entry) => {
    localAws();
    const { root } = await fleet();
    const err = await failure(root, entry);
    expect(err.message).toContain('sops.aws-kms');
    assertNoCredentials(err);
  });

  it('a successful render: warnings and objects carry no credential, nothing is logged', async () => {
    localAws();
    const { root } = await fleet();
    const { objects, warnings } = await renderKustomization(
      deps(),
      renderRequest(root, [
        keysSecret({ 'sops.aws-kms': ENTRY, 'sops.gcp-kms': `{"private_key":"${SECRET}"}` }),
      ]),
    );
    expect(warnings).toHaveLength(1);
    const shown = JSON.stringify({ objects, warnings, logged });
    for (const credential of [ID, SECRET, TOKEN]) expect(shown).not.toContain(credential);
  });
});
