// A decryption Secret's sops.aws-kms entry, as kustomize-controller uses it: the KMS keys of the files that
// Kustomization decrypts are used with those static credentials instead of the control plane's own, an entry
// role is assumed through STS with them, and the test KMS server lets only those credentials use the key.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLocalRenderDeps } from '../../shared/config/render-deps.ts';
import { createSopsKeyring } from '../../shared/config/sops-keyring.ts';
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

const CONTROL_PLANE = { id: 'AKIACONTROLPLANE', secret: 'control-plane-secret' };
const STATIC = { id: 'AKIASTATICFLEET', secret: 'static-fleet-secret-value', token: 'static-session-token' };
const ROLE = 'arn:aws:iam::000000000000:role/fleet-sops';
const awsKms = `aws_access_key_id: ${STATIC.id}\naws_secret_access_key: ${STATIC.secret}\naws_session_token: ${STATIC.token}\n`;

let kms: KmsServer;
let sts: StsServer;
const dirs = new FleetDirs();
const deps = () => createLocalRenderDeps({ sops: createSopsKeyring({ kms: true }) });

beforeAll(async () => {
  [kms, sts] = await Promise.all([startKmsServer(), startStsServer()]);
});
afterEach(() => {
  vi.unstubAllEnvs();
  dirs.cleanup();
});
afterAll(async () => {
  await Promise.all([kms?.close(), sts?.close()]);
});

/** The control plane as the cloud runs it: its own credentials in the default chain, AWS endpoints local. */
function controlPlaneEnv(): void {
  vi.stubEnv('AWS_ENDPOINT_URL_KMS', kms.endpoint);
  vi.stubEnv('AWS_ENDPOINT_URL_STS', sts.endpoint);
  vi.stubEnv('AWS_ACCESS_KEY_ID', CONTROL_PLANE.id);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', CONTROL_PLANE.secret);
  vi.stubEnv('AWS_SESSION_TOKEN', '');
  vi.stubEnv('AWS_PROFILE', '');
}

/** A key only the static credentials may use: the control plane's role is refused by its key policy. */
function fleetOnlyKey(): string {
  const { arn } = kms.createKey('SYMMETRIC_DEFAULT');
  kms.deny({
    key: arn,
    accessKeyId: CONTROL_PLANE.id,
    principal: 'arn:aws:sts::000000000000:assumed-role/sluice-render/render',
  });
  return arn;
}

async function fleetWith(arn: string, role?: string): Promise<string> {
  const secret = await sealWith(
    secretManifest('db', 'kms-sealed-password'),
    'yaml',
    'secret.yaml',
    async (dataKey) => [await kmsEntry(kms, arn, dataKey, role)],
    '^(data|stringData)$',
  );
  return dirs.make({ 'kustomization.yaml': 'resources: [secret.yaml]\n', 'secret.yaml': secret });
}

const decrypts = () => kms.requests.filter((r) => r.operation === 'Decrypt');

describe('the sops.aws-kms entry of a decryption Secret', () => {
  it('decrypts a KMS key with its static credentials where the control plane role is denied', async () => {
    controlPlaneEnv();
    const arn = fleetOnlyKey();
    const root = await fleetWith(arn);
    const before = decrypts().length;
    const { objects, warnings } = await renderKustomization(
      deps(),
      renderRequest(root, [keysSecret({ 'sops.aws-kms': awsKms })]),
    );
    expect(objects[0]?.stringData).toEqual({ password: 'kms-sealed-password' });
    // The committed file's MAC check and the built object share one unwrap: KMS is asked once, as the entry.
    expect(
      decrypts()
        .slice(before)
        .map((r) => r.accessKeyId),
    ).toEqual([STATIC.id]);
    expect(warnings).toEqual([]);
  });

  it('without the entry, the same file is decrypted as the control plane, and its denial names key and caller', async () => {
    controlPlaneEnv();
    const arn = fleetOnlyKey();
    const root = await fleetWith(arn);
    const err = await rejectionOf(
      renderKustomization(deps(), renderRequest(root, [keysSecret({ 'other.agekey': '' })])),
    );
    expect(err.code).toBe('AccessDenied');
    expect(err.message).toContain(arn);
    expect(err.message).toContain('the credentials Sluice runs with');
    expect(decrypts().at(-1)?.accessKeyId).toBe(CONTROL_PLANE.id);
  });

  it("assumes the entry's role through STS with the static credentials, then decrypts as the role", async () => {
    controlPlaneEnv();
    const { arn } = kms.createKey('SYMMETRIC_DEFAULT');
    sts.trust(ROLE, [STATIC.id]);
    const root = await fleetWith(arn, ROLE);
    const { objects } = await renderKustomization(
      deps(),
      renderRequest(root, [keysSecret({ 'sops.aws-kms': awsKms })]),
    );
    expect(objects[0]?.stringData).toEqual({ password: 'kms-sealed-password' });
    expect(sts.requests.at(-1)).toMatchObject({
      action: 'AssumeRole',
      roleArn: ROLE,
      accessKeyId: STATIC.id,
    });
    expect(sts.requests.at(-1)?.sessionName).toMatch(/^sops@/);
    expect(decrypts().at(-1)?.accessKeyId).toBe('ASIAFLEET-SOPS');
  });

  it('a role whose trust policy does not admit the static credentials fails naming the role and the entry', async () => {
    controlPlaneEnv();
    const { arn } = kms.createKey('SYMMETRIC_DEFAULT');
    const role = 'arn:aws:iam::000000000000:role/other-team';
    sts.trust(role, ['AKIASOMEONEELSE']);
    const root = await fleetWith(arn, role);
    const err = await rejectionOf(
      renderKustomization(deps(), renderRequest(root, [keysSecret({ 'sops.aws-kms': awsKms })])),
    );
    expect(err.code).toBe('AccessDenied');
    expect(err.message).toContain(role);
    expect(err.message).toContain('sts:AssumeRole');
    expect(err.message).toContain('Secret flux-system/sops-keys entry sops.aws-kms');
  });

  it('works in a process without AWS credentials of its own, as in Flux', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_KMS', kms.endpoint);
    const { arn } = kms.createKey('SYMMETRIC_DEFAULT');
    const root = await fleetWith(arn);
    const { objects } = await renderKustomization(
      createLocalRenderDeps({ sops: createSopsKeyring({ kms: false }) }),
      renderRequest(root, [keysSecret({ 'sops.aws-kms': awsKms })]),
    );
    expect(objects[0]?.stringData).toEqual({ password: 'kms-sealed-password' });
    expect(decrypts().at(-1)?.accessKeyId).toBe(STATIC.id);
  });

  it('an entry without credentials fails every KMS key naming the entry, without falling back to the role', async () => {
    controlPlaneEnv();
    const { arn } = kms.createKey('SYMMETRIC_DEFAULT');
    const root = await fleetWith(arn);
    const before = kms.requests.length;
    const err = await rejectionOf(
      renderKustomization(
        deps(),
        renderRequest(root, [keysSecret({ 'sops.aws-kms': 'aws_access_key_id: ""\n' })]),
      ),
    );
    expect(err.code).toBe('ValidationFailed');
    expect(err.message).toContain('aws_access_key_id, aws_secret_access_key');
    expect(err.message).toContain('Secret flux-system/sops-keys entry sops.aws-kms');
    expect(kms.requests.length).toBe(before);
  });

  it('an entry that is not YAML credentials is refused by name, as Flux refuses the import', async () => {
    controlPlaneEnv();
    const { arn } = kms.createKey('SYMMETRIC_DEFAULT');
    const root = await fleetWith(arn);
    const err = await rejectionOf(
      renderKustomization(deps(), renderRequest(root, [keysSecret({ 'sops.aws-kms': '- a list\n' })])),
    );
    expect(err.code).toBe('ValidationFailed');
    expect(err.field).toBe('spec.decryption.secretRef');
    expect(err.message).toContain('failed to import Secret flux-system/sops-keys entry sops.aws-kms');
  });
});
