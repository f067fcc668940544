// `sops -e` for one file in memory (SPEC-SOPS §2–§6, §8): load the plain file into the store's tree, encrypt
// the selected leaves and comments with the data key, store the MAC and the metadata, print in the same format.
import { isUtf8 } from 'node:buffer';
import { SluiceError } from '../errors.ts';
import { cryptDecider, normalizeRules } from './crypt-rules.ts';
import { loadJson } from './json-store.ts';
import { loadSopsStore } from './load-store.ts';
import { encodeMetadata, flattenMetadata, type RawMetadata } from './metadata-encode.ts';
import type { SopsCryptRules, SopsKeyGroup } from './sops-metadata.ts';
import type { TreeItem } from './sops-tree.ts';
import type { LoadedSopsFile, SopsFormat } from './store.ts';
import { encryptTree } from './tree-encrypt.ts';
import { encryptValue, type RandomBytes } from './value-encrypt.ts';
import { expandYamlAliases } from './yaml-expand-aliases.ts';

export interface SealOptions {
  /** The fresh 32-byte data key (the caller wraps it for the key groups). */
  dataKey: Buffer;
  /** The key groups with their `enc` fields already holding the wrapped data key (or Shamir shares). */
  keyGroups: readonly SopsKeyGroup[];
  shamirThreshold?: number;
  /** At most one rule; none means sops' default `unencrypted_suffix: _unencrypted`. */
  rules: SopsCryptRules;
  macOnlyEncrypted?: boolean;
  /** The time written as `lastmodified` (and the MAC's AAD). */
  now: Date;
  random: RandomBytes;
  /** Names the file in errors. */
  fileName: string;
}

/** Go's `time.Now().UTC().Format(time.RFC3339)`: whole seconds, `Z`. */
export function rfc3339Seconds(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z');
}

/** Loads a plain file for encryption; a file that already has sops metadata is refused (sops does too).
 * Binary files are taken as bytes, so any content (not only UTF-8) is encrypted unchanged. */
export function loadPlainFile(
  content: string | Uint8Array,
  format: SopsFormat,
  file: string,
): LoadedSopsFile {
  if (typeof content !== 'string' && format !== 'binary' && !isUtf8(content)) {
    // Decoding would replace bytes with U+FFFD and encrypt a different file; sops' parsers refuse it too.
    throw new SluiceError(
      'ValidationFailed',
      `${file} is not UTF-8 text, so it cannot be read as ${format}; convert it to UTF-8, or encrypt it whole as a binary file (a name without .yaml/.json/.env/.ini).`,
      { file },
    );
  }
  const text = typeof content === 'string' ? content : Buffer.from(content).toString('utf8');
  let loaded: LoadedSopsFile;
  if (format === 'binary') {
    // The binary store: the whole file is the string `data` of a JSON envelope (§9.3).
    loaded = loadJson('{"data": ""}', file);
    const data = loaded.tree[0]?.items[0];
    if (data) data.value = typeof content === 'string' ? content : new Uint8Array(content);
  } else loaded = loadSopsStore(format === 'yaml' ? expandYamlAliases(text) : text, format, file);
  if (loaded.metadata !== undefined) {
    throw new SluiceError(
      'ValidationFailed',
      `${file} already has sops metadata (a "sops" key${format === 'dotenv' ? ' or sops_ keys' : ''}): it is encrypted already; use sluice secrets rotate to re-encrypt it, or rename the key.`,
      { file },
    );
  }
  return loaded;
}

/** Encrypts a loaded tree in place and prints the encrypted file with its metadata. */
export function sealLoadedFile(loaded: LoadedSopsFile, format: SopsFormat, opts: SealOptions): string {
  const file = opts.fileName;
  if (opts.keyGroups.length === 0 || opts.keyGroups.some((g) => g.length === 0)) {
    throw new SluiceError(
      'UsageError',
      `${file}: no recipients to encrypt for; give --age RECIPIENT or --kms ARN.`,
      { file },
    );
  }
  // The binary store has one value, the whole file: sops ignores every rule there (getEncryptConfig), so a
  // .sops.yaml regex meant for YAML can never leave a binary file in plaintext; its metadata names no rule.
  const single = format === 'binary';
  const rules = normalizeRules(single ? {} : opts.rules, file);
  const macOnlyEncrypted = !single && (opts.macOnlyEncrypted ?? false);
  const mac = encryptTree(loaded.tree, opts.dataKey, cryptDecider(rules, file), {
    macOnlyEncrypted,
    random: opts.random,
  });
  const lastModified = rfc3339Seconds(opts.now);
  const metadata = encodeMetadata({
    keyGroups: opts.keyGroups,
    shamirThreshold: opts.shamirThreshold ?? (opts.keyGroups.length > 1 ? opts.keyGroups.length : 0),
    lastModified,
    mac: encryptValue(mac, opts.dataKey, lastModified, opts.random),
    rules: single ? {} : rules,
    macOnlyEncrypted,
  });
  return emitWithMetadata(loaded, format, metadata, file);
}

function emitWithMetadata(
  loaded: LoadedSopsFile,
  format: SopsFormat,
  metadata: RawMetadata,
  file: string,
): string {
  const branch = loaded.tree[0];
  switch (format) {
    case 'yaml':
      // No document means nowhere to put the sops entry: an empty output would lose the key for good.
      if (loaded.tree.length === 0)
        throw new SluiceError(
          'ValidationFailed',
          `${file} has no YAML document to encrypt; add at least one key (a mapping) and run again.`,
          { file },
        );
      if (!loaded.emitEncrypted) throw new Error('the YAML store cannot emit encrypted files');
      return loaded.emitEncrypted(metadata);
    case 'json':
    case 'binary': {
      // A fresh JSON envelope: the binary store's own emit prints only the data string.
      const out = loadJson('{}', file);
      out.tree[0]?.items.push(...(branch?.items ?? []), { key: 'sops', value: jsonTree(metadata) });
      return out.emit();
    }
    case 'dotenv':
      branch?.items.push(...flattenMetadata(metadata).map(([k, v]) => ({ key: `sops_${k}`, value: v })));
      return loaded.emit();
    case 'ini':
      branch?.items.push({
        key: 'sops',
        value: {
          kind: 'map',
          // sops' INI store escapes newlines in metadata values (EscapeNewlines).
          items: flattenMetadata(metadata).map(([key, v]) => ({ key, value: v.replaceAll('\n', '\\n') })),
        },
      });
      return loaded.emit();
  }
}

function jsonTree(v: unknown): TreeItem['value'] {
  if (Array.isArray(v)) return { kind: 'seq', items: v.map((x) => ({ value: jsonTree(x) })) };
  if (v !== null && typeof v === 'object')
    return { kind: 'map', items: Object.entries(v).map(([key, x]) => ({ key, value: jsonTree(x) })) };
  if (typeof v === 'number') return BigInt(v);
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  return null;
}
