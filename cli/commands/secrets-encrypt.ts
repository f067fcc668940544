// `sluice secrets encrypt FILE --age R… --kms ARN…` (sops -e) and `sluice secrets rotate FILE` (sops -r: a new
// data key for the file's own recipients), without the sops binary; stdout, or the file itself with --in-place.
import { chmodSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { KMSClient } from '@aws-sdk/client-kms';
import { KmsSopsEncrypter } from '../../shared/adapters/aws/kms-sops-encrypter.ts';
import { StsRoleAssumer } from '../../shared/adapters/aws/sts-role-assumer.ts';
import { AgeRecipientWrapper } from '../../shared/adapters/sops/age-recipient.ts';
import { SluiceError } from '../../shared/core/errors.ts';
import { detectFormat } from '../../shared/core/sops/detect-format.ts';
import type { SopsCryptRules, SopsKeyEntry } from '../../shared/core/sops/sops-metadata.ts';
import type { AwsCredentials } from '../../shared/ports/role-assumer.ts';
import type { SopsKeyWrapper } from '../../shared/ports/sops-key-wrapper.ts';
import { encryptSopsFile, rotateSopsFile } from '../../shared/usecases/sops/encrypt-file.ts';
import { keySources } from './secrets-decrypt.ts';

export interface SecretsEncryptArgs {
  file: string;
  age: string[];
  kms: string[];
  /** sops' `--encryption-context k:v,k2:v2`, applied to every --kms key. */
  encryptionContext?: string;
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
  const recipients: SopsKeyWrapper[] = [
    ...args.kms.map((arn) => kmsWrapper(arn, encryptionContext(args.encryptionContext))),
    ...args.age.map((r) => new AgeRecipientWrapper(r)),
  ];
  const out = await encryptSopsFile(text, detectFormat(args.file), {
    file: args.file,
    recipients,
    rules: args.rules,
  });
  return deliver(args.file, out, args.inPlace);
}

export async function secretsRotate(args: SecretsRotateArgs): Promise<string> {
  const text = readInput(args.file);
  const format = detectFormat(args.file);
  const out = await rotateSopsFile(text, format, {
    file: args.file,
    sources: await keySources(args, /kms/.test(text)),
    wrapperFor: (entry) => wrapperFor(entry, args.file),
  });
  return deliver(args.file, out, args.inPlace);
}

/** `--kms ARN` or sops' `ARN+ROLE_ARN` form. */
function kmsWrapper(spec: string, context: Record<string, string>): KmsSopsEncrypter {
  const [arn = '', role] = spec.split('+');
  return new KmsSopsEncrypter({
    arn,
    role,
    context,
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

function wrapperFor(entry: SopsKeyEntry, file: string): SopsKeyWrapper {
  switch (entry.type) {
    case 'age':
      return new AgeRecipientWrapper(entry.recipient);
    case 'kms':
      return new KmsSopsEncrypter({
        arn: entry.arn,
        role: entry.role,
        context: entry.context,
        clientFor,
        roles: new StsRoleAssumer({ hostname: hostname() }),
      });
    default:
      throw new SluiceError(
        'UsageError',
        `${file} has a ${entry.type} key; sluice secrets rotate re-wraps only age and AWS KMS keys: rotate it with sops, or re-encrypt it with sluice secrets encrypt for age/KMS recipients.`,
        { file },
      );
  }
}

function deliver(file: string, out: string, inPlace: boolean): string {
  if (!inPlace) return out;
  // Write beside and rename, so a crash never leaves a half-written secret file; keep the file's mode.
  const tmp = `${file}.sluice-${process.pid}.tmp`;
  writeFileSync(tmp, out, { mode: 0o600 });
  chmodSync(tmp, statSync(file).mode & 0o777);
  renameSync(tmp, file);
  return '';
}
