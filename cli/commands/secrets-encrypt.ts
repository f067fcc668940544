// `sluice secrets encrypt FILE --age R… --kms ARN… --pgp FP…` or a .sops.yaml rule (sops -e) and `sluice secrets
// rotate FILE` (sops -r: a new data key for the file's own keys), without sops; stdout, or the file in place.
import { chmodSync, existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { KMSClient } from '@aws-sdk/client-kms';
import { KmsSopsEncrypter } from '../../shared/adapters/aws/kms-sops-encrypter.ts';
import { StsRoleAssumer } from '../../shared/adapters/aws/sts-role-assumer.ts';
import { AgeRecipientWrapper } from '../../shared/adapters/sops/age-recipient.ts';
import { type PgpPublicKeyring, pgpPublicKeysFromFiles } from '../../shared/adapters/sops/pgp-recipient.ts';
import { findSopsConfig } from '../../shared/adapters/sops/sops-config-file.ts';
import { SluiceError } from '../../shared/core/errors.ts';
import type { KmsKeySpec } from '../../shared/core/sops/creation-rules.ts';
import { detectFormat } from '../../shared/core/sops/detect-format.ts';
import type { SopsCryptRules, SopsKeyEntry } from '../../shared/core/sops/sops-metadata.ts';
import type { AwsCredentials } from '../../shared/ports/role-assumer.ts';
import type { SopsKeyWrapper } from '../../shared/ports/sops-key-wrapper.ts';
import { encryptSopsFile, rotateSopsFile } from '../../shared/usecases/sops/encrypt-file.ts';
import { keySources } from './secrets-decrypt.ts';
import { encryptPlan } from './secrets-encrypt-plan.ts';

export interface SecretsEncryptArgs {
  file: string;
  /** Each value may hold several keys separated by commas, as sops' flags do. */
  age: string[];
  kms: string[];
  /** PGP fingerprints; their public keys come from `pgpKeyFiles` (there is no gpg keyring). */
  pgp?: string[];
  pgpKeyFiles?: string[];
  /** sops' `--encryption-context k:v,k2:v2`, applied to every --kms key. */
  encryptionContext?: string;
  /** `--shamir-secret-sharing-threshold N`: with key flags, every key becomes its own key group. */
  shamirThreshold?: string;
  macOnlyEncrypted?: boolean;
  rules: SopsCryptRules;
  inPlace: boolean;
}

export interface SecretsRotateArgs {
  file: string;
  inPlace: boolean;
  ageKeyFiles: string[];
  pgpKeyFiles: string[];
  env: NodeJS.ProcessEnv;
}

const clientFor = (region: string, credentials?: AwsCredentials) =>
  new KMSClient({ region, ...(credentials && { credentials }) });

function readInput(file: string): string;
function readInput(file: string, asBytes: true): Buffer;
function readInput(file: string, asBytes = false): string | Buffer {
  if (!existsSync(file) || !statSync(file).isFile())
    throw new SluiceError('UsageError', `${file}: no such file`, { file });
  return asBytes ? readFileSync(file) : readFileSync(file, 'utf8');
}

/** Returns what to print on stdout ('' when the file was rewritten in place). */
export async function secretsEncrypt(args: SecretsEncryptArgs): Promise<string> {
  const text = readInput(args.file, true);
  const context = encryptionContext(args.encryptionContext);
  const format = detectFormat(args.file);
  const plan = encryptPlan(
    { ...args, binary: format === 'binary' },
    context,
    findSopsConfig(args.file, context),
  );
  const needsPgp = plan.groups.some((g) => g.pgp.length > 0);
  const keyring = needsPgp ? await pgpKeyring(args.pgpKeyFiles ?? []) : undefined;
  const keyGroups = plan.groups.map((g) => [
    ...g.kms.map((k) => kmsWrapper(k)),
    ...g.pgp.map((fp) => (keyring as PgpPublicKeyring).wrapperFor(fp, `${args.file}: --pgp ${fp}`)),
    ...g.age.map((r) => new AgeRecipientWrapper(r)),
  ]);
  const out = await encryptSopsFile(text, format, {
    file: args.file,
    keyGroups,
    shamirThreshold: plan.shamirThreshold,
    rules: plan.rules,
    macOnlyEncrypted: plan.macOnlyEncrypted,
  });
  return deliver(args.file, out, args.inPlace);
}

export async function secretsRotate(args: SecretsRotateArgs): Promise<string> {
  const text = readInput(args.file);
  const format = detectFormat(args.file);
  // One read of the key files serves both halves: private keys unwrap the old data key, and every key (a
  // private key's public half included) can wrap the new one for the entry with its fingerprint.
  const keyring = await pgpKeyring(args.pgpKeyFiles);
  const out = await rotateSopsFile(text, format, {
    file: args.file,
    sources: await keySources({ ...args, pgpKeyFiles: [...keyring.privateKeyFiles] }, /kms/.test(text)),
    wrapperFor: (entry) => wrapperFor(entry, keyring),
  });
  return deliver(args.file, out, args.inPlace);
}

async function pgpKeyring(files: readonly string[]): Promise<PgpPublicKeyring> {
  for (const file of files)
    if (!existsSync(file)) throw new SluiceError('UsageError', `PGP key file ${file} not found`, { file });
  return pgpPublicKeysFromFiles(files.map((name) => ({ name, bytes: readFileSync(name) })));
}

function kmsWrapper(k: KmsKeySpec): KmsSopsEncrypter {
  return new KmsSopsEncrypter({
    arn: k.arn,
    role: k.role,
    context: k.context,
    clientFor,
    roles: new StsRoleAssumer({ hostname: hostname() }),
  });
}

/** `k:v,k2:v2` as sops parses it (the first `:` splits key from value). */
function encryptionContext(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!text) return out;
  for (const pair of text.split(',')) {
    const colon = pair.indexOf(':');
    if (colon <= 0)
      throw new SluiceError(
        'UsageError',
        `--encryption-context wants KEY:VALUE pairs separated by commas (e.g. Environment:prod,Team:web); "${pair}" has no KEY:`,
      );
    out[pair.slice(0, colon)] = pair.slice(colon + 1);
  }
  return out;
}

/** The wrapper that re-wraps an entry for the same key; a key it cannot reach is an error the use-case names. */
function wrapperFor(entry: SopsKeyEntry, keyring: PgpPublicKeyring): SopsKeyWrapper {
  switch (entry.type) {
    case 'age':
      return new AgeRecipientWrapper(entry.recipient);
    case 'kms':
      return kmsWrapper({ arn: entry.arn, role: entry.role, context: entry.context });
    case 'pgp':
      return keyring.wrapperFor(entry.fp, 'its PGP key');
    default:
      throw new SluiceError(
        'UsageError',
        `Sluice re-wraps only age, PGP and AWS KMS keys; rotate this file with sops, or re-encrypt it with sluice secrets encrypt for age, PGP or KMS keys`,
      );
  }
}

function deliver(file: string, out: string, inPlace: boolean): string {
  if (!inPlace) return out;
  // Write beside and rename, so a crash never leaves a half-written secret file; keep the file's mode.
  const tmp = `${file}.sluice-${process.pid}.tmp`;
  try {
    writeFileSync(tmp, out, { mode: 0o600 });
    chmodSync(tmp, statSync(file).mode & 0o777);
    renameSync(tmp, file);
  } finally {
    rmSync(tmp, { force: true });
  }
  return '';
}
