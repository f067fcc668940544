// The sops INI store (SPEC-SOPS §9.5, go-ini quirks): sections of string values, the DEFAULT section first,
// `;`/`#` comments (a section's first, a key's after it), `"""` values; metadata in the `[sops]` section.
import { SluiceError } from '../errors.ts';
import { unflatten } from './flatten.ts';
import { isContainer, type TreeItem, type TreeMap } from './sops-tree.ts';
import type { LoadedSopsFile } from './store.ts';
import { SopsComment } from './value-types.ts';

const stripComment = (line: string) => line.replace(/^[;#]\s*/, '');

export function loadIni(text: string, file: string): LoadedSopsFile {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const sections: TreeItem[] = [];
  const defaults: TreeMap = { kind: 'map', items: [] };
  sections.push({ key: 'DEFAULT', value: defaults });
  const flat = new Map<string, string>();
  let current: TreeMap | 'sops' = defaults;
  let pendingComments: string[] = [];
  for (let n = 0; n < lines.length; n++) {
    const line = (lines[n] ?? '').trim();
    if (line === '') continue;
    if (line.startsWith(';') || line.startsWith('#')) {
      pendingComments.push(stripComment(line));
      continue;
    }
    if (line.startsWith('[')) {
      const end = line.indexOf(']');
      if (end < 0) throw bad(file, n);
      const name = line.slice(1, end).trim();
      if (name === 'sops') current = 'sops';
      else {
        const map: TreeMap = {
          kind: 'map',
          items: pendingComments.map((c) => ({ comment: new SopsComment(c), value: null })),
        };
        sections.push({ key: name, value: map });
        current = map;
      }
      pendingComments = [];
      continue;
    }
    const m = /^([^=:]*?)\s*[=:]\s*(.*)$/.exec(line);
    if (!m) throw bad(file, n);
    const key = m[1] ?? '';
    let value = m[2] ?? '';
    if (value.startsWith('"""')) {
      // go-ini multi-line value: runs to the closing `"""`.
      let body = value.slice(3);
      while (!body.includes('"""')) {
        n++;
        if (n >= lines.length) throw bad(file, n);
        body += `\n${lines[n]}`;
      }
      value = body.slice(0, body.indexOf('"""'));
    } else if (/^(["'`]).*\1$/.test(value) && value.length >= 2) value = value.slice(1, -1);
    else {
      const c = value.search(/[#;]/);
      if (c >= 0) value = value.slice(0, c).trimEnd();
    }
    if (current === 'sops') flat.set(key, value.replaceAll('\\n', '\n'));
    else {
      current.items.push({ key, value });
      for (const c of pendingComments) current.items.push({ comment: new SopsComment(c), value: null });
    }
    pendingComments = [];
  }
  const branch: TreeMap = { kind: 'map', items: sections };
  return {
    tree: [branch],
    metadata: flat.size > 0 ? unflatten(flat, file) : undefined,
    emit: () => emitIni(branch),
  };
}

// go-ini prints a section's comments above its header and a key's comments above the key; sops' tree keeps
// them first in the section and after the key respectively.
function emitIni(branch: TreeMap): string {
  const out: string[] = [];
  for (const section of branch.items) {
    const map = section.value;
    if (!isContainer(map) || map.kind !== 'map') continue;
    if (section.key === 'DEFAULT' && map.items.length === 0) continue;
    const head: string[] = [];
    const keys: { line: string; comments: string[] }[] = [];
    for (const it of map.items) {
      if (it.comment) {
        const last = keys.at(-1);
        (last ? last.comments : head).push(`; ${it.comment.value}`);
        continue;
      }
      const v = it.value;
      const s =
        v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : isContainer(v) ? '' : String(v ?? '');
      keys.push({ line: s.includes('\n') ? `${it.key} = """${s}"""` : `${it.key} = ${s}`, comments: [] });
    }
    const body = keys.flatMap((k) => [...k.comments, k.line]);
    out.push(`${[...head, `[${section.key}]`, ...body].join('\n')}\n`);
  }
  return out.join('\n');
}

function bad(file: string, n: number): SluiceError {
  return new SluiceError(
    'ValidationFailed',
    `${file}: line ${n + 1} is not valid INI; the file may be truncated.`,
    {
      file,
    },
  );
}
