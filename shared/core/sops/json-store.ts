// The sops JSON store (SPEC-SOPS §9.2): an order- and duplicate-preserving parse into the walker's tree
// (ints when Int64 parses, else floats), and sops' tab-indented output. The binary store wraps it (§9.3).
import { SluiceError } from '../errors.ts';
import {
  isContainer,
  type SopsTree,
  type TreeItem,
  type TreeMap,
  type TreeSeq,
  type TreeValue,
  toPlain,
} from './sops-tree.ts';
import type { LoadedSopsFile } from './store.ts';
import { formatGoFloat } from './value-types.ts';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Parses JSON text into a tree, keeping key order and duplicates. */
export function parseJsonTree(text: string, file: string): TreeValue {
  let i = 0;
  const fail = (): never => {
    throw new SluiceError(
      'ValidationFailed',
      `${file} is not valid JSON (at offset ${i}); it may be truncated.`,
      { file },
    );
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i] ?? '')) i++;
  };
  const str = (): string => {
    if (text[i] !== '"') return fail();
    let j = i + 1;
    while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
    if (j >= text.length) return fail();
    const raw = text.slice(i, j + 1);
    try {
      // JSON.parse does the escapes and rejects raw control characters.
      const s = JSON.parse(raw) as string;
      i = j + 1;
      return s;
    } catch {
      return fail();
    }
  };
  const value = (): TreeValue => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const items: TreeItem[] = [];
      ws();
      if (text[i] === '}') {
        i++;
        return { kind: 'map', items };
      }
      for (;;) {
        ws();
        const key = str();
        ws();
        if (text[i++] !== ':') fail();
        items.push({ key, value: value() });
        ws();
        const d = text[i++];
        if (d === '}') return { kind: 'map', items };
        if (d !== ',') fail();
      }
    }
    if (c === '[') {
      i++;
      const items: TreeItem[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return { kind: 'seq', items };
      }
      for (;;) {
        items.push({ value: value() });
        ws();
        const d = text[i++];
        if (d === ']') return { kind: 'seq', items };
        if (d !== ',') fail();
      }
    }
    if (c === '"') return str();
    for (const [word, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    const m = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) return fail();
    i += m[0].length;
    if (m[1] === undefined && m[2] === undefined) {
      const n = BigInt(m[0]);
      if (n >= INT64_MIN && n <= INT64_MAX) return n;
    }
    return Number(m[0]);
  };
  const v = value();
  ws();
  if (i !== text.length) fail();
  return v;
}

export function loadJson(text: string, file: string): LoadedSopsFile {
  const root = parseJsonTree(text, file);
  if (!isContainer(root) || root.kind !== 'map') {
    throw new SluiceError(
      'ValidationFailed',
      `${file}: a SOPS JSON file must be an object at the top level.`,
      { file },
    );
  }
  const sopsIdx = root.items.findIndex((it) => it.key === 'sops');
  const metadata = sopsIdx >= 0 ? toPlain(root.items[sopsIdx]?.value ?? null) : undefined;
  const branch: TreeMap = { kind: 'map', items: root.items.filter((it) => it.key !== 'sops') };
  const tree: SopsTree = [branch];
  return { tree, metadata, emit: () => `${emitJson(branch, '')}\n` };
}

/** The binary store: a JSON envelope whose `data` string is the whole plain file (any bytes, §9.3). */
export function loadBinary(text: string, file: string): LoadedSopsFile {
  const loaded = loadJson(text, file);
  const data = (): string | Uint8Array => {
    const item = loaded.tree[0]?.items.find((it) => it.key === 'data');
    if (!item || !(typeof item.value === 'string' || item.value instanceof Uint8Array)) {
      throw new SluiceError('ValidationFailed', `${file}: a SOPS binary file needs a string "data" entry.`, {
        file,
      });
    }
    return item.value;
  };
  return {
    ...loaded,
    emit() {
      const d = data();
      return typeof d === 'string' ? d : Buffer.from(d).toString('utf8');
    },
    emitBytes() {
      const d = data();
      return typeof d === 'string' ? Buffer.from(d, 'utf8') : Buffer.from(d);
    },
  };
}

function emitJson(v: TreeValue, indent: string): string {
  if (!isContainer(v)) return scalar(v);
  const inner = `${indent}\t`;
  const items = v.items.filter((it) => !it.comment);
  if (items.length === 0) return v.kind === 'map' ? '{}' : '[]';
  const body = items.map((it) =>
    (v as TreeMap | TreeSeq).kind === 'map'
      ? `${inner}${JSON.stringify(it.key)}: ${emitJson(it.value, inner)}`
      : `${inner}${emitJson(it.value, inner)}`,
  );
  return v.kind === 'map' ? `{\n${body.join(',\n')}\n${indent}}` : `[\n${body.join(',\n')}\n${indent}]`;
}

function scalar(v: Exclude<TreeValue, TreeMap | TreeSeq>): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return formatGoFloat(v);
  if (typeof v === 'boolean') return String(v);
  return JSON.stringify(Buffer.from(v).toString('base64'));
}
