// `sops -d` for one file in memory (SPEC-SOPS §10): load the store, decrypt the selected leaves and comments
// with the data key, verify the MAC (on by default, unlike Flux), and print the plain file in the same format.
import { SluiceError } from '../errors.ts';
import { cryptDecider } from './crypt-rules.ts';
import { loadSopsStore } from './load-store.ts';
import { verifyMac } from './mac.ts';
import { decodeMetadata } from './metadata-decode.ts';
import type { SopsMetadata } from './sops-metadata.ts';
import { toPlain } from './sops-tree.ts';
import type { SopsFormat } from './store.ts';
import { decryptTree } from './tree-decrypt.ts';

export interface DecryptSopsOptions {
  /** Verify the MAC (default true). Flux never does; Sluice does unless a Kustomization opts out. */
  verifyMac?: boolean;
  /** Names the file in errors (default: "the SOPS file"). */
  fileName?: string;
}

export interface DecryptedSopsFile {
  /** The file as `sops -d` writes it in the same format (a binary file that is not UTF-8: see `bytes`). */
  plaintext: string;
  /** The same, byte for byte: a binary file's exact bytes, whatever they are. */
  bytes: Buffer;
  /** The decrypted document(s) as plain data, comments dropped: one value per YAML document, else one. */
  tree: unknown;
  macVerified: boolean;
  /** Comments that did not decrypt and were kept as they were (files from old sops versions). */
  commentsKeptAsIs: number;
}

export function readSopsMetadata(text: string, format: SopsFormat, fileName = 'the SOPS file'): SopsMetadata {
  return decodeMetadata(loadSopsStore(text, format, fileName).metadata, fileName);
}

export function decryptSopsFile(
  text: string,
  format: SopsFormat,
  dataKey: Buffer,
  opts: DecryptSopsOptions = {},
): DecryptedSopsFile {
  const file = opts.fileName ?? 'the SOPS file';
  const loaded = loadSopsStore(text, format, file);
  const md = decodeMetadata(loaded.metadata, file);
  if (dataKey.length !== 32) {
    throw new SluiceError(
      'DecryptionFailed',
      `${file}: the data key is not 32 bytes; the key that unwrapped it is wrong.`,
      {
        file,
      },
    );
  }
  const { mac, commentsKeptAsIs } = decryptTree(loaded.tree, dataKey, cryptDecider(md.rules, file), {
    macOnlyEncrypted: md.macOnlyEncrypted,
    file,
  });
  const check = opts.verifyMac ?? true;
  if (check) verifyMac(md.mac, mac, dataKey, md.macAad, file);
  const docs = loaded.tree.map((b) => toPlain(b));
  const plaintext = loaded.emit();
  return {
    plaintext,
    bytes: loaded.emitBytes ? loaded.emitBytes() : Buffer.from(plaintext, 'utf8'),
    tree: format === 'yaml' && docs.length !== 1 ? docs : docs[0],
    macVerified: check,
    commentsKeptAsIs,
  };
}
