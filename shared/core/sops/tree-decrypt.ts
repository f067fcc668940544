// sops' `Tree.Decrypt` (SPEC-SOPS §3–§5, §8): walk every branch depth-first in document order, decrypt the
// leaves and comments the rules select (in place), and hash the typed plaintext leaves into the MAC.
import { createHash } from 'node:crypto';
import { SluiceError } from '../errors.ts';
import type { CryptDecider } from './crypt-rules.ts';
import type { SopsTree, TreeItem, TreeMap, TreeSeq } from './sops-tree.ts';
import { isContainer } from './sops-tree.ts';
import { aadForPath, cipherKey, decryptValue } from './value-cipher.ts';
import { leafBytes, SopsComment, type SopsLeaf } from './value-types.ts';

export interface TreeDecryptResult {
  /** Uppercase hex SHA-512 over the plaintext leaves, as sops computes it. */
  mac: string;
  /** Comments that looked selected for decryption but did not decrypt (old sops wrote them in plaintext). */
  commentsKeptAsIs: number;
}

// SHA-256("sops"): the MAC seed when mac_only_encrypted is set (sops.go MACOnlyEncryptedInitialization).
const MAC_ONLY_ENCRYPTED_SEED = createHash('sha256').update('sops').digest();

export function decryptTree(
  tree: SopsTree,
  dataKey: Buffer,
  rules: CryptDecider,
  opts: { macOnlyEncrypted: boolean; file: string },
): TreeDecryptResult {
  const key = cipherKey(dataKey);
  const h = createHash('sha512');
  if (opts.macOnlyEncrypted) h.update(MAC_ONLY_ENCRYPTED_SEED);
  let commentsKeptAsIs = 0;
  const where = (path: readonly string[]) => `${opts.file}: ${path.length ? path.join('.') : '(top level)'}`;

  const walk = (container: TreeMap | TreeSeq, path: string[], stack: string[][]) => {
    const level: string[] = [];
    const levels = [...stack, level];
    for (const item of container.items) {
      if (item.comment) {
        level.push(item.comment.value);
        if (rules.shouldBeEncrypted(path, levels, true))
          commentsKeptAsIs += decryptComment(item, path) ? 0 : 1;
        continue;
      }
      const itemPath = item.key === undefined ? path : [...path, item.key];
      const v = item.value;
      if (isContainer(v)) walk(v, itemPath, levels);
      else if (v !== null) {
        const encrypted = rules.shouldBeEncrypted(itemPath, levels, false);
        if (encrypted) {
          if (typeof v !== 'string') {
            throw new SluiceError(
              'ValidationFailed',
              `The SOPS value at ${where(itemPath)} should be encrypted but is a plain ${typeof v}: the file was edited after encryption.`,
              { file: opts.file, field: itemPath.join('.') },
            );
          }
          const plain = decryptValue(v, key, aadForPath(itemPath), where(itemPath));
          if (plain instanceof SopsComment) {
            throw new SluiceError(
              'ValidationFailed',
              `The SOPS value at ${where(itemPath)} has type comment.`,
              {
                file: opts.file,
              },
            );
          }
          item.value = plain;
        }
        if (!opts.macOnlyEncrypted || encrypted) h.update(leafBytes(item.value as SopsLeaf));
      }
      level.length = 0;
    }
  };

  const decryptComment = (item: TreeItem, path: readonly string[]): boolean => {
    const text = item.comment?.value ?? '';
    try {
      const plain = decryptValue(text, key, aadForPath(path), where(path));
      item.comment = new SopsComment(plain instanceof SopsComment ? plain.value : String(plain));
      return true;
    } catch {
      return false;
    }
  };

  for (const branch of tree) walk(branch, [], []);
  return { mac: h.digest('hex').toUpperCase(), commentsKeptAsIs };
}
