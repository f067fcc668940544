// The sops YAML store (SPEC-SOPS §9.1, §8) on the `yaml` Document API: one branch per document, comments
// as tree items, yaml.v3 scalar rules; decrypted values are written back into the same nodes so key order
// and comments survive, then printed with sops' 4-space indent.
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type Node,
  parseAllDocuments,
  type Scalar,
  visit,
  type YAMLMap,
} from 'yaml';
import { SluiceError } from '../errors.ts';
import type { SopsTree, TreeItem, TreeMap, TreeSeq, TreeValue } from './sops-tree.ts';
import type { LoadedSopsFile } from './store.ts';
import { SopsComment } from './value-types.ts';
import { resolvePlainScalar } from './yaml-scalar.ts';

interface CommentOrigin {
  holder: { commentBefore?: string | null; comment?: string | null };
  prop: 'commentBefore' | 'comment';
  line: number;
}

export function loadYaml(text: string, file: string): LoadedSopsFile {
  const docs = parseAllDocuments(text, { keepSourceTokens: true, uniqueKeys: true });
  if (!Array.isArray(docs)) return loadYaml('', file);
  const tree: SopsTree = [];
  let metadata: unknown;
  docs.forEach((doc, di) => {
    if (doc.errors.length > 0) {
      throw new SluiceError(
        'ValidationFailed',
        `${file} is not valid YAML (document ${di + 1}); it may be truncated.`,
        { file },
      );
    }
    const branch: TreeMap = { kind: 'map', items: [] };
    tree.push(branch);
    branch.items.push(...comments(doc, 'commentBefore'));
    const root = doc.contents;
    if (root === null || (isScalar(root) && root.value === null)) {
      branch.items.push(...comments(doc, 'comment'));
      return;
    }
    if (!isMap(root)) {
      throw new SluiceError(
        'ValidationFailed',
        `${file}: document ${di + 1} is not a mapping; sops only supports mappings.`,
        {
          file,
        },
      );
    }
    const sopsIdx = root.items.findIndex((p) => isScalar(p.key) && p.key.value === 'sops');
    if (sopsIdx >= 0) {
      const [pair] = root.items.splice(sopsIdx, 1);
      if (di === 0) metadata = pair?.value ? (pair.value as Node).toJSON() : null;
    }
    const built = node(root, doc, file);
    if (typeof built === 'object' && built !== null && 'kind' in built) branch.items.push(...built.items);
    branch.items.push(...comments(doc, 'comment'));
  });
  return {
    tree,
    metadata,
    emit: () => {
      writeBack(tree);
      return printDocs(docs);
    },
    emitEncrypted: (sops) => {
      writeBack(tree);
      for (const d of docs) {
        if (!isMap(d.contents)) d.contents = d.createNode({}) as unknown as typeof d.contents;
        const pair = d.createPair('sops', sops);
        // sops (yaml.v3) quotes the RFC 3339 times (lastmodified, created_at) it writes.
        visit(pair.value as Node, {
          Scalar(_, s) {
            if (typeof s.value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(s.value)) s.type = 'QUOTE_DOUBLE';
          },
        });
        (d.contents as unknown as YAMLMap).add(pair);
      }
      return printDocs(docs);
    },
  };
}

// A document that had an explicit `---` prints it itself: the separator is added only between documents
// that do not, so no empty document appears in between.
function printDocs(docs: Document[]): string {
  return docs
    .map((d, i) => {
      const text = d.toString({ indent: 4, lineWidth: 0 });
      return i === 0 || text.startsWith('---') ? text : `---\n${text}`;
    })
    .join('');
}

function comments(holder: CommentOrigin['holder'] | undefined, prop: CommentOrigin['prop']): TreeItem[] {
  const text = holder?.[prop];
  if (!holder || typeof text !== 'string' || text === '') return [];
  return text.split('\n').map((line, i) => ({
    comment: new SopsComment(line),
    value: null,
    origin: { holder, prop, line: i } satisfies CommentOrigin,
  }));
}

function node(n: unknown, doc: Document, file: string): TreeValue {
  const target = isAlias(n) ? n.resolve(doc) : n;
  if (isMap(target)) {
    // A collection's own comments live inside it (AAD = its path): the head ones first, the foot ones last.
    const items: TreeItem[] = [...comments(target, 'commentBefore')];
    for (const pair of target.items) {
      const key = isScalar(pair.key) ? pair.key.value : pair.key;
      if (typeof key !== 'string') {
        throw new SluiceError('ValidationFailed', `${file}: a mapping has a key that is not a string.`, {
          file,
        });
      }
      items.push(...comments(pair.key as Scalar, 'commentBefore'));
      items.push(...entry(pair.value as Node | null, key, doc, file));
    }
    items.push(...comments(target, 'comment'));
    return { kind: 'map', items } satisfies TreeMap;
  }
  if (isSeq(target)) {
    const items: TreeItem[] = [...comments(target, 'commentBefore')];
    for (const el of target.items) items.push(...entry(el as Node | null, undefined, doc, file));
    items.push(...comments(target, 'comment'));
    return { kind: 'seq', items } satisfies TreeSeq;
  }
  if (target === null || target === undefined) return null;
  if (isScalar(target)) {
    if (target.type === 'PLAIN' && !target.tag) {
      const src = target.srcToken && 'source' in target.srcToken ? target.srcToken.source : undefined;
      // A multi-line plain scalar is folded by the parser; its raw source would keep the line breaks.
      const plain = typeof src === 'string' && !src.includes('\n') ? src : String(target.value ?? '');
      return resolvePlainScalar(plain);
    }
    const v = target.value;
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
    if (typeof v === 'number') return Number.isInteger(v) && target.tag?.endsWith(':int') ? BigInt(v) : v;
    if (typeof v === 'bigint') return v;
    if (v instanceof Uint8Array) return v;
    return String(v);
  }
  throw new SluiceError('ValidationFailed', `${file}: unsupported YAML node.`, { file });
}

/** One map entry or sequence element; a scalar's head and line comments sit around it in its container. */
function entry(value: Node | null, key: string | undefined, doc: Document, file: string): TreeItem[] {
  const scalar = isScalar(value) ? value : undefined;
  const item: TreeItem = { value: node(value, doc, file), origin: isAlias(value) ? undefined : value };
  if (key !== undefined) item.key = key;
  return [...comments(scalar, 'commentBefore'), item, ...comments(scalar, 'comment')];
}

/** Copies the tree's (decrypted) leaves and comments back into the YAML nodes they came from. */
function writeBack(tree: SopsTree): void {
  const commentLines = new Map<CommentOrigin['holder'], Map<CommentOrigin['prop'], string[]>>();
  const visit = (items: TreeItem[]) => {
    for (const it of items) {
      if (it.comment) {
        const o = it.origin as CommentOrigin | undefined;
        if (!o) continue;
        const props = commentLines.get(o.holder) ?? new Map();
        commentLines.set(o.holder, props);
        const lines = props.get(o.prop) ?? [];
        lines[o.line] = it.comment.value;
        props.set(o.prop, lines);
        continue;
      }
      const v = it.value;
      if (typeof v === 'object' && v !== null && 'kind' in v) visit(v.items);
      else if (isScalar(it.origin)) setScalar(it.origin, v);
    }
  };
  for (const branch of tree) visit(branch.items);
  for (const [holder, props] of commentLines)
    for (const [prop, lines] of props) holder[prop] = lines.join('\n');
}

function setScalar(s: Scalar, v: Exclude<TreeValue, TreeMap | TreeSeq>): void {
  const next =
    v instanceof Uint8Array
      ? Buffer.from(v).toString('utf8')
      : typeof v === 'bigint' && Number.isSafeInteger(Number(v))
        ? Number(v)
        : v;
  if (s.value === next) return;
  s.value = next;
  // Let the printer pick plain, quoted or block style for the new value.
  s.type = undefined;
  delete s.srcToken;
}
