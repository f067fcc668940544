// `sluice secrets decrypt FILE [--output-type yaml|json|dotenv|ini|binary]`: `sops -d` without the sops binary.
// Keys as sops finds them: SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, the default age keys file, --age-key-file and
// --pgp-key-file; AWS KMS entries with the default AWS credentials (and their role, when set).
import { existsSync, readFileSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { KMSClient } from '@aws-sdk/client-kms';
import { stringify } from 'yaml';
import { KmsSopsDecrypter } from '../../shared/adapters/aws/kms-sops-decrypter.ts';
import { StsRoleAssumer } from '../../shared/adapters/aws/sts-role-assumer.ts';
import { ageIdentitiesFromText } from '../../shared/adapters/sops/age-identities.ts';
import { pgpKeysFromFiles } from '../../shared/adapters/sops/pgp-keys.ts';
import { SluiceError } from '../../shared/core/errors.ts';
import { decryptSopsFile, readSopsMetadata } from '../../shared/core/sops/decrypt-sops-file.ts';
import { detectFormat } from '../../shared/core/sops/detect-format.ts';
import type { SopsFormat } from '../../shared/core/sops/store.ts';
import type { SopsKeySources } from '../../shared/ports/sops-key-source.ts';
import { unwrapDataKey } from '../../shared/usecases/sops/unwrap-data-key.ts';

export interface SecretsDecryptArgs {
  file: string;
  outputType?: string;
  ageKeyFiles: string[];
  pgpKeyFiles: string[];
  env: NodeJS.ProcessEnv;
}

const OUTPUT_TYPES = ['yaml', 'json', 'dotenv', 'ini', 'binary'] as const;

/** What to print: bytes as they are, since a binary file's plaintext need not be UTF-8 (sops writes raw bytes). */
export async function secretsDecrypt(args: SecretsDecryptArgs): Promise<string | Uint8Array> {
  if (!existsSync(args.file)) throw new SluiceError('UsageError', `${args.file}: no such file`);
  const output = outputTypeOf(args.outputType);
  const format = detectFormat(args.file);
  const text = readFileSync(args.file, 'utf8');
  const metadata = readSopsMetadata(text, format, args.file);
  const sources = await keySources(
    args,
    metadata.keyGroups.some((g) => g.some((k) => k.type === 'kms')),
  );
  const dataKey = Buffer.from(await unwrapDataKey(metadata, sources, { file: args.file }));
  const decrypted = decryptSopsFile(text, format, dataKey, { fileName: args.file });
  dataKey.fill(0);
  if (!output || output === format) return decrypted.bytes;
  return convert(decrypted.tree, format, output, args.file);
}

function outputTypeOf(value: string | undefined): SopsFormat | undefined {
  if (value === undefined) return undefined;
  if (!(OUTPUT_TYPES as readonly string[]).includes(value))
    throw new SluiceError(
      'UsageError',
      `--output-type ${JSON.stringify(value)}: expected one of ${OUTPUT_TYPES.join(', ')} (default: the file's own format)`,
    );
  return value as SopsFormat;
}

/** sops' own places for keys, in its order; a source with nothing in it is left out (its type is skipped). */
export async function keySources(
  args: Pick<SecretsDecryptArgs, 'ageKeyFiles' | 'pgpKeyFiles' | 'env'>,
  needsKms: boolean,
): Promise<SopsKeySources> {
  const texts: string[] = [];
  const from: string[] = [];
  if (args.env.SOPS_AGE_KEY) {
    texts.push(args.env.SOPS_AGE_KEY);
    from.push('$SOPS_AGE_KEY');
  }
  const defaultFile = join(args.env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'sops', 'age', 'keys.txt');
  const files = [
    ...(args.env.SOPS_AGE_KEY_FILE ? [args.env.SOPS_AGE_KEY_FILE] : []),
    ...args.ageKeyFiles,
    ...(existsSync(defaultFile) ? [defaultFile] : []),
  ];
  for (const file of files) {
    if (!existsSync(file)) throw new SluiceError('UsageError', `age key file ${file} not found`);
    texts.push(readFileSync(file, 'utf8'));
    from.push(file);
  }
  const sources: SopsKeySources = {};
  if (texts.length > 0) sources.age = ageIdentitiesFromText(texts, from.join(', '));
  if (args.pgpKeyFiles.length > 0) {
    for (const file of args.pgpKeyFiles)
      if (!existsSync(file)) throw new SluiceError('UsageError', `PGP key file ${file} not found`);
    sources.pgp = await pgpKeysFromFiles(
      args.pgpKeyFiles.map((file) => readFileSync(file)),
      args.pgpKeyFiles.join(', '),
    );
  }
  if (needsKms) {
    sources.kms = new KmsSopsDecrypter({
      clientFor: (region, credentials) => new KMSClient({ region, ...(credentials && { credentials }) }),
      roles: new StsRoleAssumer({ hostname: hostname() }),
    });
  }
  return sources;
}

function convert(tree: unknown, from: SopsFormat, to: SopsFormat, file: string): string | Uint8Array {
  const docs = Array.isArray(tree) && from === 'yaml' ? (tree as unknown[]) : [tree];
  const single = docs.length === 1 ? docs[0] : docs;
  switch (to) {
    case 'yaml':
      return docs.map((d) => stringify(d)).join('---\n');
    case 'json':
      // sops' JSON store indents with a tab (NewStoresConfig), as Flux's emitter does.
      return `${JSON.stringify(single, null, '\t')}\n`;
    case 'ini':
      return iniOf(single, file);
    case 'binary': {
      const data = (single as Record<string, unknown> | undefined)?.data;
      if (data instanceof Uint8Array) return data;
      if (typeof data !== 'string')
        throw new SluiceError('UsageError', `${file}: --output-type binary needs a top-level "data" string`);
      return data;
    }
    case 'dotenv': {
      const map = single as Record<string, unknown>;
      if (
        !map ||
        typeof map !== 'object' ||
        Array.isArray(map) ||
        Object.values(map).some((v) => typeof v === 'object' && v !== null)
      )
        throw new SluiceError(
          'UsageError',
          `${file}: --output-type dotenv needs a flat map of keys to values`,
        );
      return Object.entries(map)
        .map(([k, v]) => `${k}=${String(v)}\n`)
        .join('');
    }
    default:
      throw new SluiceError('UsageError', `--output-type ${to} from a ${from} file is not supported`);
  }
}

/** sops' INI store from a tree: every top-level key a section of flat values; an empty DEFAULT is left out. */
function iniOf(doc: unknown, file: string): string {
  const sections = doc && typeof doc === 'object' && !Array.isArray(doc) ? Object.entries(doc) : undefined;
  const flat = (v: unknown): v is Record<string, unknown> =>
    !!v &&
    typeof v === 'object' &&
    !Array.isArray(v) &&
    !(v instanceof Uint8Array) &&
    Object.values(v).every((x) => x === null || typeof x !== 'object' || x instanceof Uint8Array);
  if (!sections?.every(([, v]) => flat(v)))
    throw new SluiceError(
      'UsageError',
      `${file}: --output-type ini needs a mapping of sections, each a flat mapping of keys to values`,
      { file },
    );
  const text = (v: unknown) =>
    v === null || v === undefined
      ? ''
      : v instanceof Uint8Array
        ? Buffer.from(v).toString('utf8')
        : String(v);
  return sections
    .filter(([name, v]) => !(name === 'DEFAULT' && Object.keys(v as object).length === 0))
    .map(([name, v]) => {
      const lines = Object.entries(v as Record<string, unknown>).map(([k, x]) => {
        const s = text(x);
        return s.includes('\n') ? `${k} = """${s}"""` : `${k} = ${s}`;
      });
      return `${[`[${name}]`, ...lines].join('\n')}\n`;
    })
    .join('\n');
}
