// Single-line YAML scalars and keys as helm's index writer emits them (plain, single- or double-quoted),
// for the fast index reader; anything else throws Unsupported and the full YAML parser takes over.

/** Thrown when the text leaves the subset the fast reader knows; never escapes readIndexYaml. */
export class Unsupported extends Error {}

export const unsupported = (): never => {
  throw new Unsupported();
};

/** `key: rest` with a plain or quoted key; the rest without its comment is read by scalar(). */
export function splitKey(body: string): { key: string; rest: string } {
  let key: string;
  let after: string;
  if (body[0] === '"' || body[0] === "'") {
    const end = quotedEnd(body);
    key = unquote(body.slice(0, end + 1));
    after = body.slice(end + 1);
    if (!/^:(\s|$)/.test(after)) unsupported();
    after = after.slice(1);
  } else {
    if (/^[-?:,[\]{}#&*!|>%@`]/.test(body) && !/^[-?:][^\s]/.test(body)) unsupported();
    const colon = body.search(/:(\s|$)/);
    if (colon <= 0) unsupported();
    key = body.slice(0, colon).trimEnd();
    if (key === '<<' || /\s#/.test(key)) unsupported();
    after = body.slice(colon + 1);
  }
  const rest = stripComment(after.trim());
  return { key, rest };
}

/** Drops a trailing ` # comment` outside quotes. */
export function stripComment(text: string): string {
  if (text[0] === '"' || text[0] === "'") return text;
  const hash = text.search(/\s#/);
  return hash < 0 ? text : text.slice(0, hash).trimEnd();
}

/** A single-line scalar: plain, single- or double-quoted; null for an empty or null value. */
export function scalar(text: string): string | null {
  if (text === '' || text === '~' || text === 'null' || text === 'Null' || text === 'NULL') return null;
  const c = text[0];
  if (c === '"' || c === "'") {
    const end = quotedEnd(text);
    if (!/^(\s+#.*)?\s*$/.test(text.slice(end + 1))) unsupported();
    return unquote(text.slice(0, end + 1));
  }
  if (/^[[\]{}&*!|>%@`,#]/.test(c as string) || /^[-?:](\s|$)/.test(text)) unsupported();
  const value = stripComment(text);
  if (/:(\s|$)/.test(value)) unsupported();
  return value;
}

/** Index of the closing quote of the quoted scalar `text` starts with (it must close on this line). */
function quotedEnd(text: string): number {
  const q = text[0];
  for (let i = 1; i < text.length; i++) {
    const ch = text[i];
    if (q === '"' && ch === '\\') {
      i++;
      continue;
    }
    if (ch === q) {
      if (q === "'" && text[i + 1] === "'") {
        i++;
        continue;
      }
      return i;
    }
  }
  return unsupported();
}

const JSON_ESCAPES = /\\(?!["\\/bfnrt]|u[0-9a-fA-F]{4})/;

function unquote(quoted: string): string {
  if (quoted[0] === "'") return quoted.slice(1, -1).replaceAll("''", "'");
  // JSON's escapes are a subset of YAML's; YAML-only ones (\x, \e, \N, …) go to the full parser.
  if (JSON_ESCAPES.test(quoted) || hasControlCharacter(quoted)) unsupported();
  return JSON.parse(quoted) as string;
}

/** JSON refuses raw control characters (a tab, say) inside strings; YAML takes some of them. */
function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) < 32) return true;
  return false;
}

/** `[a, b]` of plain or quoted single-line scalars, on one line. */
export function flowStrings(text: string): string[] {
  if (!text.startsWith('[') || !text.endsWith(']')) return unsupported();
  const out: string[] = [];
  let rest = text.slice(1, -1).trim();
  while (rest !== '') {
    let item: string;
    if (rest[0] === '"' || rest[0] === "'") {
      const end = quotedEnd(rest);
      item = unquote(rest.slice(0, end + 1));
      rest = rest.slice(end + 1).trimStart();
    } else {
      const comma = rest.indexOf(',');
      const raw = (comma < 0 ? rest : rest.slice(0, comma)).trim();
      if (/[[\]{}#]/.test(raw)) unsupported();
      item = scalar(raw) ?? unsupported();
      rest = comma < 0 ? '' : rest.slice(comma);
    }
    out.push(item);
    if (rest === '') break;
    if (rest[0] !== ',') unsupported();
    rest = rest.slice(1).trimStart();
  }
  return out;
}
