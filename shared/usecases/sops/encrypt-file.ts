// `sops -e` and `sops rotate` for one file: a fresh random data key, wrapped for every master key (Shamir
// shares across key groups), all selected values encrypted; rotation first decrypts with the old key.
import { randomBytes } from 'node:crypto';
import { SluiceError } from '../../core/errors.ts';
import { cryptDecider } from '../../core/sops/crypt-rules.ts';
import { loadPlainFile, rfc3339Seconds, sealLoadedFile } from '../../core/sops/encrypt-sops-file.ts';
import { loadSopsStore } from '../../core/sops/load-store.ts';
import { verifyMac } from '../../core/sops/mac.ts';
import { decodeMetadata } from '../../core/sops/metadata-decode.ts';
import { shamirSplit } from '../../core/sops/shamir.ts';
import type { SopsCryptRules, SopsKeyEntry, SopsKeyGroup } from '../../core/sops/sops-metadata.ts';
import type { SopsFormat } from '../../core/sops/store.ts';
import { decryptTree } from '../../core/sops/tree-decrypt.ts';
import type { RandomBytes } from '../../core/sops/value-encrypt.ts';
import type { SopsKeySources } from '../../ports/sops-key-source.ts';
import type { SopsKeyWrapper } from '../../ports/sops-key-wrapper.ts';
import { describeKey, unwrapDataKey } from './unwrap-data-key.ts';

export interface EncryptEnv {
  now?: () => Date;
  random?: RandomBytes;
}

const rand: RandomBytes = (n) => randomBytes(n);

/** Wraps a new data key for the groups: the key itself for one group, else one Shamir share per group. */
async function wrapForGroups(
  groups: readonly (readonly SopsKeyWrapper[])[],
  dataKey: Buffer,
  threshold: number,
  createdAt: string,
  random: RandomBytes,
): Promise<SopsKeyGroup[]> {
  const secrets = groups.length > 1 ? shamirSplit(dataKey, groups.length, threshold, random) : [dataKey];
  return Promise.all(
    groups.map((g, i) => Promise.all(g.map((w) => w.wrap(secrets[i] as Uint8Array, createdAt)))),
  );
}

export interface EncryptFileOptions extends EncryptEnv {
  file: string;
  /** One key group (the usual case): every recipient can decrypt alone. */
  recipients?: readonly SopsKeyWrapper[];
  /** Several key groups instead: the data key is Shamir-split, one share per group (SPEC-SOPS §7). */
  keyGroups?: readonly (readonly SopsKeyWrapper[])[];
  /** How many groups must unwrap to rebuild the key; 0 or absent means all of them, as sops does. */
  shamirThreshold?: number;
  rules: SopsCryptRules;
  macOnlyEncrypted?: boolean;
}

/** sops' bounds for a split (shamir.Split): 2 ≤ threshold ≤ groups ≤ 255; one group needs no threshold. */
function thresholdFor(groups: number, asked: number | undefined, file: string): number {
  if (groups <= 1) return 0;
  const threshold = asked || groups;
  if (!Number.isInteger(threshold) || threshold < 2 || threshold > groups || groups > 255) {
    throw new SluiceError(
      'UsageError',
      `${file}: a Shamir threshold of ${threshold} does not fit ${groups} key groups; give a threshold from 2 to ${Math.min(groups, 255)} (and at most 255 groups).`,
      { file },
    );
  }
  return threshold;
}

export async function encryptSopsFile(
  text: string | Uint8Array,
  format: SopsFormat,
  opts: EncryptFileOptions,
): Promise<string> {
  const groups = opts.keyGroups ?? (opts.recipients ? [opts.recipients] : []);
  if (groups.length === 0 || groups.some((g) => g.length === 0)) {
    throw new SluiceError(
      'UsageError',
      `${opts.file}: no recipients to encrypt for${groups.length > 1 ? ' in one of its key groups' : ''}; give --age RECIPIENT, --kms ARN or --pgp FINGERPRINT (repeatable), or a .sops.yaml creation rule.`,
      { file: opts.file },
    );
  }
  const threshold = thresholdFor(groups.length, opts.shamirThreshold, opts.file);
  const loaded = loadPlainFile(text, format, opts.file);
  // Rules are checked before any key service is called.
  cryptDecider(opts.rules, opts.file);
  const now = (opts.now ?? (() => new Date()))();
  const random = opts.random ?? rand;
  const dataKey = Buffer.from(random(32));
  try {
    const keyGroups = await wrapForGroups(groups, dataKey, threshold, rfc3339Seconds(now), random);
    return sealLoadedFile(loaded, format, {
      dataKey,
      keyGroups,
      shamirThreshold: threshold,
      rules: opts.rules,
      ...(opts.macOnlyEncrypted !== undefined && { macOnlyEncrypted: opts.macOnlyEncrypted }),
      now,
      random,
      fileName: opts.file,
    });
  } finally {
    dataKey.fill(0);
  }
}

export interface RotateFileOptions extends EncryptEnv {
  file: string;
  /** The keys that unwrap the current data key. */
  sources: SopsKeySources;
  /** A wrapper for an entry of the file: the same recipient, ARN, role and context. */
  wrapperFor(entry: SopsKeyEntry): SopsKeyWrapper;
}

/** Re-encrypts every value under a new data key for the file's own key groups; the MAC must verify first. */
export async function rotateSopsFile(
  text: string,
  format: SopsFormat,
  opts: RotateFileOptions,
): Promise<string> {
  const loaded = loadSopsStore(text, format, opts.file);
  const md = decodeMetadata(loaded.metadata, opts.file);
  // Every entry gets its wrapper before any key service is called: one that cannot be re-wrapped stops the
  // rotation with the file untouched.
  const wrappers = md.keyGroups.map((g, gi) =>
    g.map((e) => {
      try {
        return opts.wrapperFor(e);
      } catch (err) {
        if (!(err instanceof SluiceError)) throw err;
        const where = md.keyGroups.length > 1 ? `key_groups[${gi}] ` : '';
        throw new SluiceError(
          err.code,
          `${opts.file}: cannot re-wrap the data key for ${where}${describeKey(e)}: ${err.message}`,
          { file: opts.file, retryable: err.retryable, cause: err },
        );
      }
    }),
  );
  const oldKey = Buffer.from(await unwrapDataKey(md, opts.sources, { file: opts.file }));
  const random = opts.random ?? rand;
  const dataKey = Buffer.from(random(32));
  try {
    const { mac } = decryptTree(loaded.tree, oldKey, cryptDecider(md.rules, opts.file), {
      macOnlyEncrypted: md.macOnlyEncrypted,
      file: opts.file,
    });
    verifyMac(md.mac, mac, oldKey, md.macAad, opts.file);
    const now = (opts.now ?? (() => new Date()))();
    const threshold = md.keyGroups.length > 1 ? md.shamirThreshold || md.keyGroups.length : 0;
    const keyGroups = await wrapForGroups(wrappers, dataKey, threshold, rfc3339Seconds(now), random);
    return sealLoadedFile(loaded, format, {
      dataKey,
      keyGroups,
      shamirThreshold: threshold,
      rules: md.rules,
      macOnlyEncrypted: md.macOnlyEncrypted,
      now,
      random,
      fileName: opts.file,
    });
  } finally {
    oldKey.fill(0);
    dataKey.fill(0);
  }
}
