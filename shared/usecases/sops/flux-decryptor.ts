// kustomize-controller's Decryptor for one render (FLUX-RENDER §4): decrypts generator and patch files
// before the build and objects after it, with the Kustomization's keys. Unlike Flux it checks MACs (unless
// the Kustomization opts out): on the committed file, since kustomize's rewrite of a resource breaks it.
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import { SluiceError } from '../../core/errors.ts';
import type { KubeObject } from '../../core/render/yaml-codec.ts';
import { decryptSopsFile, readSopsMetadata } from '../../core/sops/decrypt-sops-file.ts';
import {
  formatForPath,
  hasSopsMac,
  isDecryptionDisabled,
  markerFormat,
} from '../../core/sops/flux-markers.ts';
import type { SopsFormat } from '../../core/sops/store.ts';
import type { SopsKeySources } from '../../ports/sops-key-source.ts';
import { unwrapDataKey } from './unwrap-data-key.ts';

export interface FluxDecryptorOptions {
  /** `Kustomization/ns/name`, first in every error. */
  ref: string;
  sources: SopsKeySources;
  verifyMac: boolean;
  /** How to supply the keys, appended to key failures (e.g. which Secret to fix). */
  keyHint: string;
}

export class FluxDecryptor {
  private readonly opts: FluxDecryptorOptions;
  /**
   * Data keys by the digest of their wrapped forms: a resource is decrypted twice in a render (its MAC as
   * committed, then its built object), and KMS is asked once, as in Flux. Zeroed by dispose().
   */
  private readonly dataKeys = new Map<string, Buffer>();

  constructor(opts: FluxDecryptorOptions) {
    this.opts = opts;
  }

  /** SopsDecryptWithFormat: the document in `input` format, printed in `output` format. */
  async decrypt(
    text: string,
    input: SopsFormat,
    output: SopsFormat,
    file: string,
    verifyMac = this.opts.verifyMac,
  ): Promise<string> {
    return this.open(text, input, file, verifyMac, (decrypted) =>
      input === output ? decrypted.plaintext : emit(decrypted.tree, output, file),
    );
  }

  /** A generator or patch file as `sops -d` writes it, byte for byte (a binary file need not be UTF-8). */
  decryptFile(
    text: string,
    format: SopsFormat,
    file: string,
    verifyMac = this.opts.verifyMac,
  ): Promise<Buffer> {
    return this.open(text, format, file, verifyMac, (decrypted) => decrypted.bytes);
  }

  private async open<T>(
    text: string,
    input: SopsFormat,
    file: string,
    verifyMac: boolean,
    shape: (decrypted: ReturnType<typeof decryptSopsFile>) => T,
  ): Promise<T> {
    const { ref } = this.opts;
    try {
      const metadata = readSopsMetadata(text, input, file);
      const wrapped = createHash('sha256')
        .update(JSON.stringify([metadata.keyGroups, metadata.shamirThreshold]))
        .digest('hex');
      let dataKey = this.dataKeys.get(wrapped);
      if (!dataKey) {
        dataKey = Buffer.from(await unwrapDataKey(metadata, this.opts.sources, { file }));
        this.dataKeys.set(wrapped, dataKey);
      }
      return shape(decryptSopsFile(text, input, dataKey, { verifyMac, fileName: file }));
    } catch (err) {
      if (!(err instanceof SluiceError)) throw err;
      throw new SluiceError(err.code, `${ref}: ${err.message}${this.fixFor(err)}`, {
        retryable: err.retryable,
        object: ref,
        file,
        cause: err,
      });
    }
  }

  /** Zeroes every data key this render unwrapped; call once the render is done with the decryptor. */
  dispose(): void {
    for (const key of this.dataKeys.values()) key.fill(0);
    this.dataKeys.clear();
  }

  /** Decrypts the built objects in place of themselves (DecryptResource), before substitution. */
  async decryptObjects(objects: KubeObject[]): Promise<KubeObject[]> {
    const out: KubeObject[] = [];
    for (const obj of objects) out.push(await this.decryptObject(obj));
    return out;
  }

  private async decryptObject(obj: KubeObject): Promise<KubeObject> {
    const meta = (obj.metadata ?? {}) as Record<string, unknown>;
    if (isDecryptionDisabled(meta.annotations)) return obj;
    const name = objectName(obj);
    if (hasSopsMac(obj)) {
      // The MAC of a resource was checked on its committed file before the build (sopsSourceFiles).
      const json = await this.decrypt(JSON.stringify(obj, null, '\t'), 'json', 'json', name, false);
      const plain = JSON.parse(json) as KubeObject;
      delete plain.sops;
      return plain;
    }
    if (obj.kind !== 'Secret' || typeof obj.data !== 'object' || obj.data === null) return obj;
    const data = { ...(obj.data as Record<string, unknown>) };
    let changed = false;
    for (const [key, value] of Object.entries(data)) {
      if (typeof value !== 'string' || !BASE64.test(value)) continue; // Flux lets the apply report it
      const text = Buffer.from(value, 'base64').toString('utf8');
      const input = markerFormat(text);
      if (!input) continue;
      const plain = await this.decrypt(text, input, formatForPath(key), `${name} data.${key}`);
      data[key] = Buffer.from(plain, 'utf8').toString('base64');
      changed = true;
    }
    return changed ? { ...obj, data } : obj;
  }

  private fixFor(err: SluiceError): string {
    if (err.code === 'MacMismatch')
      return `; re-encrypt the file with sops (sops updatekeys or sops edit) or, to accept Flux's unchecked MACs, annotate the Kustomization sluice.dev/sops-verify-mac: "false"`;
    if (err.code === 'ValidationFailed' || err.code === 'AccessDenied') return `; ${this.opts.keyHint}`;
    return '';
  }
}

/** Flux's apply refuses a v1 Secret still holding `sops` unless it is opted out of decryption (§4.3). */
export function refuseEncryptedSecrets(
  objects: readonly KubeObject[],
  ref: string,
  decrypting: boolean,
): void {
  for (const obj of objects) {
    const meta = (obj.metadata ?? {}) as Record<string, unknown>;
    if (obj.apiVersion !== 'v1' || obj.kind !== 'Secret' || obj.sops === undefined) continue;
    if (isDecryptionDisabled(meta.annotations)) continue;
    throw new SluiceError(
      'DecryptionFailed',
      `${ref}: ${objectName(obj)} is SOPS encrypted, configuring decryption is required for this secret to be reconciled; ${
        decrypting
          ? 'its sops metadata has no MAC, re-encrypt it with sops'
          : 'set spec.decryption (provider: sops, secretRef: the Secret holding the keys)'
      }`,
      { object: ref },
    );
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function objectName(obj: KubeObject): string {
  const meta = (obj.metadata ?? {}) as Record<string, unknown>;
  const ns = typeof meta.namespace === 'string' && meta.namespace ? `${meta.namespace}/` : '';
  return `${String(obj.kind)}/${ns}${String(meta.name)}`;
}

/** Flux's output emitters (§4.1): JSON tab-indented with a newline, binary the raw `data`, dotenv k=v lines. */
function emit(tree: unknown, output: SopsFormat, file: string): string {
  switch (output) {
    case 'json':
      return `${JSON.stringify(tree, null, '\t')}\n`;
    case 'yaml':
      return stringify(tree, { indent: 4 });
    case 'binary': {
      const data = (tree as Record<string, unknown> | undefined)?.data;
      if (typeof data !== 'string')
        throw new SluiceError(
          'DecryptionFailed',
          `${file}: no binary data found in tree; the key names a binary value, so the document must be a sops binary file (sops -e on the raw file), or rename the key with the document's extension`,
          { file },
        );
      return data;
    }
    case 'dotenv': {
      const map = tree as Record<string, unknown>;
      if (!map || typeof map !== 'object' || Array.isArray(map))
        throw new SluiceError('DecryptionFailed', `${file}: a dotenv value needs a flat mapping`, { file });
      return Object.entries(map)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}\n`)
        .join('');
    }
    default:
      throw new SluiceError(
        'DecryptionFailed',
        `${file}: converting a sops document to ${output} is not supported; name the key with the document's own extension`,
        { file },
      );
  }
}
