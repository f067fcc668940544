// The sops dotenv store (SPEC-SOPS §9.4): `\n`-split lines, `#` comments, `key=value` split at the first `=`
// (key untrimmed, value unquoted), `\n` escapes; metadata flattened into `sops_`-prefixed keys.
import { SluiceError } from '../errors.ts';
import { unflatten } from './flatten.ts';
import { isContainer, type TreeItem, type TreeMap } from './sops-tree.ts';
import type { LoadedSopsFile } from './store.ts';
import { formatGoFloat, SopsComment } from './value-types.ts';

const unescapeNewlines = (s: string) => s.replaceAll('\\n', '\n');

export function loadDotenv(text: string, file: string): LoadedSopsFile {
  const items: TreeItem[] = [];
  const flat = new Map<string, string>();
  text.split('\n').forEach((line, n) => {
    if (line === '') return;
    if (line.startsWith('#')) {
      items.push({ comment: new SopsComment(line.slice(1)), value: null });
      return;
    }
    const eq = line.indexOf('=');
    if (eq < 0) {
      throw new SluiceError(
        'ValidationFailed',
        `${file}: line ${n + 1} is neither KEY=VALUE nor a # comment.`,
        { file },
      );
    }
    const key = line.slice(0, eq);
    const value = unescapeNewlines(line.slice(eq + 1));
    if (key.startsWith('sops_')) flat.set(key.slice('sops_'.length), value);
    else items.push({ key, value });
  });
  const branch: TreeMap = { kind: 'map', items };
  return {
    tree: [branch],
    metadata: flat.size > 0 ? unflatten(flat, file) : undefined,
    emit: () => emitDotenv(branch, file),
  };
}

function emitDotenv(branch: TreeMap, file: string): string {
  let out = '';
  for (const it of branch.items) {
    if (it.comment) {
      out += `#${it.comment.value}\n`;
      continue;
    }
    const v = it.value;
    if (isContainer(v)) {
      throw new SluiceError(
        'ValidationFailed',
        `${file}: dotenv cannot hold the nested value at ${it.key}.`,
        { file },
      );
    }
    out += `${it.key}=${valueToString(v).replaceAll('\n', '\\n')}\n`;
  }
  return out;
}

// sops' `ValToString`: floats in 'G' form with `.0` when integral, bools lower case.
function valueToString(v: string | bigint | number | boolean | Uint8Array | null): string {
  if (v === null) return '';
  if (typeof v === 'number') {
    const s = formatGoFloat(v);
    return Number.isInteger(v) && !s.includes('.') ? `${s}.0` : s;
  }
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  return String(v);
}
