// The render key: a digest of everything that can change a render's output. Equal keys ⇒ equal output,
// so N clusters with identical inputs render once. Variable values enter only as a digest.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json.ts';

export interface RenderKeyInput {
  engine: string;
  sourceDigest: string;
  path: string;
  kustomization: Record<string, unknown>;
  owner: { name: string; namespace: string };
  postBuild: boolean;
  vars: ReadonlyMap<string, string>;
  strict: boolean;
  allowRemoteBases: boolean;
  ownerNamespace: string | null;
  /** SOPS: a digest of the keys Secret's entries (never the entries) and the MAC choice. */
  decryption?: { keys: string; verifyMac: boolean };
}

export function renderKey(input: RenderKeyInput): string {
  const vars = [...input.vars.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const payload = canonicalJson({ ...input, vars, version: 1 });
  return `sha256:${createHash('sha256').update(payload).digest('hex')}`;
}
