// What every SOPS store gives the decryption: the walker's tree, the raw `sops` mapping, and an emitter
// that writes the (by then decrypted) tree back in the store's own plain format, as `sops -d` does.
import type { SopsTree } from './sops-tree.ts';

export type SopsFormat = 'yaml' | 'json' | 'dotenv' | 'ini' | 'binary';

export interface LoadedSopsFile {
  tree: SopsTree;
  /** The `sops` mapping as plain data (unflattened), or undefined when the file has none. */
  metadata: unknown;
  /** The plain file, from the tree's current values. */
  emit(): string;
  /** The plain file as exact bytes, for a store whose output need not be UTF-8 (binary); else `emit()`'s. */
  emitBytes?(): Buffer;
  /** The file with the tree's current (encrypted) values and `metadata` as its `sops` entry, when the store
   * needs its own nodes for that (YAML: every document gets it, as sops writes). */
  emitEncrypted?(metadata: Record<string, unknown>): string;
}
