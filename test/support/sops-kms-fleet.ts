// A fleet whose Secret is SOPS-encrypted with AWS KMS (the test KMS server), rendered by a Kustomization whose
// decryption Secret may carry sops.aws-kms credentials: for the keys-Secret tests of the render.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import type { ConfigData } from '../../shared/api/config-data.ts';
import { loadPlainFile, sealLoadedFile } from '../../shared/core/sops/encrypt-sops-file.ts';
import type { KmsKeyEntry, SopsKeyEntry } from '../../shared/core/sops/sops-metadata.ts';
import type { SopsFormat } from '../../shared/core/sops/store.ts';
import type { RenderRequest } from '../../shared/usecases/render-kustomization.ts';
import type { KmsServer } from './kms-server.ts';
import { testKustomization } from './kustomization-fixture.ts';

export const KMS_CONTEXT = { Environment: 'prod' };

/** The data key wrapped by KMS `arn` as sops writes a kms entry (`role` assumed before Decrypt when set). */
export async function kmsEntry(
  kms: KmsServer,
  arn: string,
  dataKey: Buffer,
  role?: string,
): Promise<KmsKeyEntry> {
  const admin = new KMSClient({
    endpoint: kms.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIAADMIN', secretAccessKey: 'admin-secret' },
  });
  try {
    const out = await admin.send(
      new EncryptCommand({ KeyId: arn, Plaintext: dataKey, EncryptionContext: KMS_CONTEXT }),
    );
    return {
      type: 'kms',
      arn,
      role,
      context: KMS_CONTEXT,
      createdAt: '2026-01-01T00:00:00Z',
      enc: Buffer.from(out.CiphertextBlob as Uint8Array).toString('base64'),
      awsProfile: undefined,
    };
  } finally {
    admin.destroy();
  }
}

/** `plain` sealed as sops does, its data key wrapped for each of `entries(dataKey)`. */
export async function sealWith(
  plain: string,
  format: SopsFormat,
  file: string,
  entries: (dataKey: Buffer) => Promise<SopsKeyEntry[]>,
  encryptedRegex?: string,
): Promise<string> {
  const dataKey = randomBytes(32);
  return sealLoadedFile(loadPlainFile(plain, format, file), format, {
    dataKey,
    keyGroups: [await entries(dataKey)],
    rules: encryptedRegex ? { encryptedRegex } : {},
    now: new Date('2026-01-02T03:04:05Z'),
    random: (n) => randomBytes(n),
    fileName: file,
  });
}

/** A Secret manifest holding `value`, encrypted in place with its metadata in the clear, as Flux wants it. */
export function secretManifest(name: string, value: string): string {
  return `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\nstringData:\n  password: ${value}\n`;
}

export class FleetDirs {
  private readonly roots: string[] = [];

  /** A repository root holding `files`, with a kustomization.yaml listing `resources` unless given. */
  make(files: Record<string, string>): string {
    const root = mkdtempSync(join(tmpdir(), 'sluice-sops-keys-'));
    this.roots.push(root);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(root, name), text);
    return root;
  }

  cleanup(): void {
    for (const root of this.roots.splice(0)) rmSync(root, { recursive: true, force: true });
  }
}

/** The decryption Secret as the fleet's config records hold it (decoded data). */
export function keysSecret(data: Record<string, string>, name = 'sops-keys'): ConfigData {
  return {
    kind: 'Secret',
    metadata: { name, namespace: 'flux-system', labels: {}, annotations: {} },
    data,
    source: { file: `clusters/dev/${name}.yaml`, document: 0 },
  };
}

/** The Kustomization `apps` at the root of `root`, decrypting with `secretRef` (none: the control plane's keys). */
export function renderRequest(
  root: string,
  configs: ConfigData[],
  secretRef: string | null = 'sops-keys',
): RenderRequest {
  return {
    ks: testKustomization('apps', 'flux-system', {
      path: '.',
      decryption: { provider: 'sops', ...(secretRef && { secretRef: { name: secretRef } }) },
    }),
    sourceRoot: root,
    configLookup: (kind, namespace, name) =>
      configs.find((c) => c.kind === kind && c.metadata.namespace === namespace && c.metadata.name === name),
  };
}
