// A fast reader for the YAML `helm repo index` writes (go-yaml block style), taking only what chart
// selection needs: each chart's versions with their name, version, digest, urls and created time. Public
// indexes run to 20–30 MB, where a general YAML parser takes seconds. It reads by indentation and skips
// every other field whole; anything outside the subset it knows returns undefined, and the caller parses
// the document with the full YAML parser instead, so an unusual index costs time, never correctness.
import { flowStrings, scalar, splitKey, Unsupported, unsupported } from './index-yaml-scalars.ts';

export interface RawChartVersion {
  name?: string;
  version?: string;
  digest?: string;
  urls: string[];
  created?: string;
}

export interface RawIndex {
  apiVersion?: string;
  entries: Map<string, RawChartVersion[]>;
}

type KeptField = 'name' | 'version' | 'digest' | 'created';
/** The fields of a chart version the reader keeps; every other key is skipped with its value. */
const KEPT = new Set(['name', 'version', 'digest', 'urls', 'created']);

/** The index, or undefined when the text needs the full YAML parser. */
export function readIndexYaml(text: string): RawIndex | undefined {
  try {
    return new Reader(text).read();
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}

/** A content line, by offsets into the text: most lines are skipped without ever being sliced. */
interface Line {
  start: number;
  /** Where its content starts: `start + indent`. */
  indent: number;
  /** End of the content (before CR/LF). */
  end: number;
}

const SPACE = 32;
const DASH = 45;
const HASH = 35;
const CR = 13;
const TAB = 9;

class Reader {
  private readonly text: string;
  /** Offset of the current line's first character. */
  private pos = 0;
  private firstContent = -1;
  private peeked: Line | undefined;
  /** A `- key: value` line is read again as `key: value` at the mapping's indentation. */
  private override: { start: number; indent: number } | undefined;

  constructor(text: string) {
    this.text = text;
  }

  read(): RawIndex {
    const index: RawIndex = { entries: new Map() };
    const seen = new Set<string>();
    // One leading document marker is allowed (`---`); any later one, or a directive, is not.
    const first = this.next();
    if (first?.indent === 0 && /^---\s*$/.test(this.body(first))) this.consume();
    let line = this.next();
    if (!line) return unsupported();
    while (line) {
      if (line.indent !== 0) return unsupported();
      const { key, rest } = splitKey(this.body(line));
      if (seen.has(key)) return unsupported();
      seen.add(key);
      this.consume();
      if (key === 'entries') {
        if (rest === '{}') index.entries = new Map();
        else if (rest === '') this.readEntries(index.entries);
        else return unsupported();
      } else if (key === 'apiVersion') {
        const value = scalar(rest);
        if (this.continues(0)) return unsupported();
        if (value !== null) index.apiVersion = value;
      } else {
        this.skipValue(0);
      }
      line = this.next();
    }
    return index;
  }

  /** Chart names at one indentation, each with a list of versions. */
  private readEntries(entries: Map<string, RawChartVersion[]>): void {
    const first = this.next();
    if (!first || first.indent === 0) {
      if (first && this.isDash(first)) unsupported();
      return;
    }
    const n = first.indent;
    for (let line = this.next(); line && line.indent > 0; line = this.next()) {
      if (line.indent !== n) unsupported();
      const { key, rest } = splitKey(this.body(line));
      if (entries.has(key)) unsupported();
      this.consume();
      if (rest === '') entries.set(key, this.readVersions(n));
      else if (rest === '[]' || scalar(rest) === null) entries.set(key, []);
      else unsupported();
    }
  }

  /** The sequence of version mappings under a chart name at indentation `n` (dashes at `n` or deeper). */
  private readVersions(n: number): RawChartVersion[] {
    const versions: RawChartVersion[] = [];
    const first = this.next();
    if (!first || first.indent < n || !this.isDash(first)) {
      // `name:` with nothing under it is null: no versions.
      if (first && first.indent > n) unsupported();
      return versions;
    }
    const d = first.indent;
    for (let line = this.next(); line && line.indent === d && this.isDash(line); line = this.next()) {
      versions.push(this.readVersion(line, d));
    }
    // Next comes a chart name at `n` or a top-level key; a dash at `n` under deeper dashes is malformed.
    const after = this.next();
    if (after && (after.indent > n || (after.indent === n && this.isDash(after)))) unsupported();
    return versions;
  }

  /** One `- key: value …` mapping whose dash sits at `d`. */
  private readVersion(dashLine: Line, d: number): RawChartVersion {
    const text = this.text;
    let f = dashLine.indent + 1;
    while (f < dashLine.end - dashLine.start && text.charCodeAt(dashLine.start + f) === SPACE) f++;
    if (dashLine.start + f >= dashLine.end) {
      // A lone dash: the mapping starts on the next line.
      this.consume();
      const first = this.next();
      if (!first || first.indent <= d) return unsupported();
      f = first.indent;
    } else {
      this.override = { start: dashLine.start, indent: f };
      this.peeked = undefined;
    }
    const version: RawChartVersion = { urls: [] };
    const seen = new Set<string>();
    for (let line = this.next(); line && line.indent === f && !this.isDash(line); line = this.next()) {
      const key = this.plainKey(line);
      const split = key === undefined ? splitKey(this.body(line)) : undefined;
      const name = key ?? (split as { key: string }).key;
      if (seen.has(name) || name === '<<') unsupported();
      seen.add(name);
      if (!KEPT.has(name)) {
        this.consume();
        this.skipValue(f);
        continue;
      }
      const rest = split?.rest ?? splitKey(this.body(line)).rest;
      this.consume();
      if (name === 'urls') {
        version.urls = rest === '' ? this.readStrings(f) : flowStrings(rest);
        continue;
      }
      const value = scalar(rest);
      if (this.continues(f)) unsupported();
      if (value !== null) version[name as KeptField] = value;
    }
    // The mapping ends at its dash's indentation or less; anything else is a shape this reader skips.
    const after = this.next();
    if (after && after.indent > d) unsupported();
    return version;
  }

  /** A block sequence of single-line scalars under a key at `f` (dashes at `f` or deeper). */
  private readStrings(f: number): string[] {
    const out: string[] = [];
    const first = this.next();
    if (!first || first.indent < f || (first.indent === f && !this.isDash(first))) return out;
    const u = first.indent;
    if (!this.isDash(first)) unsupported();
    for (let line = this.next(); line && line.indent === u && this.isDash(line); line = this.next()) {
      const value = scalar(this.body(line).slice(1).trimStart());
      this.consume();
      if (value === null) unsupported();
      out.push(value as string);
    }
    const after = this.next();
    if (after && (after.indent > f || (after.indent === f && this.isDash(after)))) unsupported();
    return out;
  }

  /**
   * Skips the value of a key at indentation `k`: deeper lines, blank lines, comments and a sequence's
   * dashes at `k`. Most of an index is skipped, so this looks at character codes only.
   */
  private skipValue(k: number): void {
    const text = this.text;
    const length = text.length;
    let pos = this.pos;
    while (pos < length) {
      let i = pos;
      while (text.charCodeAt(i) === SPACE) i++;
      const c = text.charCodeAt(i);
      const blank = i === length || c === 10 || (c === CR && text.charCodeAt(i + 1) === 10);
      const next = text.charCodeAt(i + 1);
      const dashAtK = i - pos === k && c === DASH && (next === SPACE || next === 10 || i + 1 === length);
      if (!(i - pos > k || blank || c === HASH || dashAtK)) break;
      const nl = text.indexOf('\n', i);
      pos = nl < 0 ? length : nl + 1;
    }
    this.pos = pos;
  }

  /** True when a value on a key's line at `k` goes on past it (a folded scalar, a nested block). */
  private continues(k: number): boolean {
    const line = this.next();
    return line !== undefined && (line.indent > k || (line.indent === k && this.isDash(line)));
  }

  /** The key of a `key: …` line whose key is plain and simple (letters, digits, `._/-`), else undefined. */
  private plainKey(line: Line): string | undefined {
    const text = this.text;
    const at = line.start + line.indent;
    const c = text.charCodeAt(at);
    const simple = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
    if (!simple) return undefined;
    let i = at + 1;
    for (; i < line.end; i++) {
      const ch = text.charCodeAt(i);
      const ok =
        (ch >= 97 && ch <= 122) ||
        (ch >= 65 && ch <= 90) ||
        (ch >= 48 && ch <= 57) ||
        ch === 95 ||
        ch === 46 ||
        ch === 47 ||
        ch === DASH;
      if (!ok) break;
    }
    if (text.charCodeAt(i) !== 58 || (i + 1 < line.end && text.charCodeAt(i + 1) !== SPACE)) return undefined;
    return text.slice(at, i);
  }

  private isDash(line: Line): boolean {
    const at = line.start + line.indent;
    return (
      this.text.charCodeAt(at) === DASH && (at + 1 === line.end || this.text.charCodeAt(at + 1) === SPACE)
    );
  }

  private body(line: Line): string {
    return this.text.slice(line.start + line.indent, line.end);
  }

  /** Steps past the current line. */
  private consume(): void {
    const nl = this.text.indexOf('\n', this.pos);
    this.pos = nl < 0 ? this.text.length : nl + 1;
  }

  /** The next line that is neither blank nor a comment, without consuming it (asked several times). */
  private next(): Line | undefined {
    if (this.peeked?.start === this.pos) return this.peeked;
    const text = this.text;
    while (this.pos < text.length) {
      const start = this.pos;
      const nl = text.indexOf('\n', start);
      let end = nl < 0 ? text.length : nl;
      if (text.charCodeAt(end - 1) === CR) end--;
      let indent = 0;
      while (text.charCodeAt(start + indent) === SPACE) indent++;
      const c = text.charCodeAt(start + indent);
      if (start + indent >= end || c === HASH || (c === TAB && /^\s*$/.test(text.slice(start, end)))) {
        this.pos = nl < 0 ? text.length : nl + 1;
        continue;
      }
      if (this.firstContent < 0) this.firstContent = start;
      // A tab in indentation, a directive or a document marker other than a leading `---`: the subset
      // ends here.
      const body = indent === 0 ? text.slice(start, Math.min(end, start + 4)) : '';
      if (c === TAB || (indent === 0 && /^(---|\.\.\.)(\s|$)|^%/.test(body))) {
        if (!(start === this.firstContent && /^---\s*$/.test(text.slice(start, end)))) unsupported();
      }
      if (this.override?.start === start) indent = this.override.indent;
      this.peeked = { start, indent, end };
      return this.peeked;
    }
    return undefined;
  }
}
