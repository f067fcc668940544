// sops' `Tree.Encrypt` (SPEC-SOPS §3–§5, §8): walk every branch depth-first in document order, hash the
// plaintext leaves into the MAC, and replace the leaves and comments the rules select by their ENC values.
import { createHash } from 'node:crypto';
import type { CryptDecider } from './crypt-rules.ts';
import type { SopsTree, TreeMap, TreeSeq } from './sops-tree.ts';
import { isContainer } from './sops-tree.ts';
import { aadForPath } from './value-cipher.ts';
import { encryptValue, type RandomBytes } from './value-encrypt.ts';
import { leafBytes, SopsComment } from './value-types.ts';

// SHA-256("sops"): the MAC seed when mac_only_encrypted is set (sops.go MACOnlyEncryptedInitialization).
const MAC_ONLY_ENCRYPTED_SEED = createHash('sha256').update('sops').digest();

/** Encrypts the tree in place; returns the uppercase hex MAC over the plaintext, as `decryptTree` computes it. */
export function encryptTree(
  tree: SopsTree,
  dataKey: Buffer,
  rules: CryptDecider,
  opts: { macOnlyEncrypted: boolean; random: RandomBytes },
): string {
  const h = createHash('sha512');
  if (opts.macOnlyEncrypted) h.update(MAC_ONLY_ENCRYPTED_SEED);

  const walk = (container: TreeMap | TreeSeq, path: string[], stack: string[][]) => {
    const level: string[] = [];
    const levels = [...stack, level];
    for (const item of container.items) {
      if (item.comment) {
        level.push(item.comment.value);
        // Comments are decided before they are replaced: the stack holds plaintext, as in sops.
        if (rules.shouldBeEncrypted(path, levels, true))
          item.comment = new SopsComment(encryptValue(item.comment, dataKey, aadForPath(path), opts.random));
        continue;
      }
      const itemPath = item.key === undefined ? path : [...path, item.key];
      const v = item.value;
      if (isContainer(v)) walk(v, itemPath, levels);
      else if (v !== null) {
        const encrypted = rules.shouldBeEncrypted(itemPath, levels, false);
        if (!opts.macOnlyEncrypted || encrypted) h.update(leafBytes(v));
        if (encrypted) item.value = encryptValue(v, dataKey, aadForPath(itemPath), opts.random);
      }
      level.length = 0;
    }
  };

  for (const branch of tree) walk(branch, [], []);
  return h.digest('hex').toUpperCase();
}
