// Conformance: every vector in ../shared/vectors/sops decrypts, with its data key, to the expected plaintext
// and MAC verdict (SPEC-SOPS); skipped with a warning when the shared vectors are not beside the checkout.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { decryptSopsFile } from '../../shared/core/sops/decrypt-sops-file.ts';
import type { SopsFormat } from '../../shared/core/sops/store.ts';

const dir = join(import.meta.dirname, '../../../shared/vectors/sops');
const present = existsSync(join(dir, 'expected.json'));
if (!present) console.warn(`sops-vectors: ${dir} is absent; skipping the SOPS conformance vectors`);

interface Vector {
  label: string;
  fmt: SopsFormat;
  ok: boolean;
  macOk: boolean;
  dataKeyHex: string;
  plaintext: unknown;
  comments: string[];
}

const vectors: Vector[] = present ? JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) : [];

/** The encrypted text of a vector: a file, or `inside/secret.yaml#data.key`, a sops JSON file base64 in a Secret. */
function vectorText(label: string): string {
  const [base = '', nested] = (label.split(' ')[0] ?? '').split('#');
  const candidates = [
    join(dir, base),
    join(dir, 'fluxcd-kustomize-controller/internal/controller/testdata/sops', base),
  ];
  const file = candidates.find((c) => existsSync(c));
  if (!file) throw new Error(`vector file for ${label} not found`);
  const text = readFileSync(file, 'utf8');
  if (nested === undefined) return text;
  let v: unknown = parseYaml(text);
  for (const k of nested.split('.')) v = (v as Record<string, unknown>)[k];
  return Buffer.from(String(v), 'base64').toString('utf8');
}

describe.skipIf(!present)('SOPS conformance vectors (../shared/vectors/sops)', () => {
  it('lists vectors', () => {
    expect(vectors.length).toBeGreaterThan(0);
  });

  it.each(vectors.map((v) => [v.label, v] as const))('%s', (_label, v) => {
    const text = vectorText(v.label);
    const key = Buffer.from(v.dataKeyHex, 'hex');
    if (!v.ok) {
      expect(() => decryptSopsFile(text, v.fmt, key, { fileName: v.label })).toThrow();
      return;
    }
    if (!v.macOk) {
      expect(() => decryptSopsFile(text, v.fmt, key, { fileName: v.label })).toThrowError(
        expect.objectContaining({ code: 'MacMismatch' }),
      );
      const unchecked = decryptSopsFile(text, v.fmt, key, { fileName: v.label, verifyMac: false });
      expect(unchecked.macVerified).toBe(false);
      expect(unchecked.tree).toEqual(v.plaintext);
      return;
    }
    const out = decryptSopsFile(text, v.fmt, key, { fileName: v.label });
    expect(out.macVerified).toBe(true);
    expect(out.tree).toEqual(v.plaintext);
    // Comments: the ones sops decrypts come out decrypted, the plaintext ones of old files are kept.
    const keptAsIs = v.comments.filter((c) => c.startsWith('comment kept as-is')).length;
    expect(out.commentsKeptAsIs).toBe(keptAsIs);
    if (keptAsIs === 0) expect(out.plaintext).not.toContain('ENC[');
    if (v.fmt === 'binary') expect(out.plaintext).toBe((v.plaintext as { data: string }).data);
    // The printed plain file parses back to the same document.
    if (v.fmt === 'yaml') expect(parseYaml(out.plaintext)).toEqual(v.plaintext);
    if (v.fmt === 'json') expect(JSON.parse(out.plaintext)).toEqual(v.plaintext);
  });
});
