// A push parser for tar streams: fed inflated chunks, it yields entries with PAX ('x', 'g') and GNU
// long-name ('L', 'K') headers applied, then their data, so callers stream files without buffering them.
import { SluiceError } from '../errors.ts';
import { BLOCK, parseHeader, parsePax, type RawHeader } from './tar-header.ts';

/** An entry with its metadata overrides applied; `name` and `linkName` are still unchecked archive text. */
export interface TarEntry {
  name: string;
  linkName: string;
  typeflag: string;
  size: number;
  mode: number;
}

export type TarEvent =
  | { type: 'entry'; entry: TarEntry }
  /** Data of the last entry (regular files only; other entries' bodies are skipped). */
  | { type: 'data'; chunk: Buffer }
  | { type: 'entryEnd' }
  | { type: 'end' };

/** A PAX or long-name header is metadata, never this big in a real archive; it is held in memory. */
export const MAX_META_BYTES = 1024 * 1024;
/** Metadata headers in a row before one entry: a real writer emits at most a few. */
const MAX_META_IN_A_ROW = 8;
const META_TYPES = new Set(['x', 'g', 'L', 'K']);
const DATA_TYPES = new Set(['0', '\0', '7']);

type State =
  | { at: 'header' }
  | { at: 'meta'; header: RawHeader; remaining: number; parts: Buffer[] }
  | { at: 'data'; size: number; remaining: number; emit: boolean }
  | { at: 'padding'; remaining: number }
  | { at: 'end' };

export class TarParser {
  private state: State = { at: 'header' };
  private pending: Buffer = Buffer.alloc(0);
  private global = new Map<string, string>();
  private local = new Map<string, string>();
  private longName: string | undefined;
  private longLink: string | undefined;
  private metaInARow = 0;
  /** Name of the entry being read, for errors raised by the caller mid-entry. */
  current: string | undefined;

  get ended(): boolean {
    return this.state.at === 'end';
  }

  push(chunk: Buffer): TarEvent[] {
    const events: TarEvent[] = [];
    let input = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    while (input.length > 0 && this.state.at !== 'end') {
      const state = this.state;
      if (state.at === 'header') {
        if (input.length < BLOCK) break;
        this.onHeader(input.subarray(0, BLOCK), events);
        input = input.subarray(BLOCK);
      } else if (state.at === 'meta') {
        const take = Math.min(state.remaining, input.length);
        state.parts.push(Buffer.from(input.subarray(0, take)));
        state.remaining -= take;
        input = input.subarray(take);
        if (state.remaining === 0) this.onMeta(state.header, Buffer.concat(state.parts));
      } else if (state.at === 'data') {
        const take = Math.min(state.remaining, input.length);
        if (state.emit && take > 0) events.push({ type: 'data', chunk: input.subarray(0, take) });
        state.remaining -= take;
        input = input.subarray(take);
        if (state.remaining === 0) this.finishEntry(events);
      } else if (state.at === 'padding') {
        const take = Math.min(state.remaining, input.length);
        state.remaining -= take;
        input = input.subarray(take);
        if (state.remaining === 0) this.state = { at: 'header' };
      }
    }
    if (this.state.at !== 'end' && input.length > 0) this.pending = Buffer.from(input);
    return events;
  }

  /** The stream ended: fine at an entry boundary (end blocks are optional, as for Go's reader), else truncated. */
  finish(): TarEvent[] {
    if (this.state.at === 'end') return [];
    if (this.state.at === 'header' && this.pending.length === 0 && this.longName === undefined) {
      if (this.local.size === 0 && this.longLink === undefined) return [{ type: 'end' }];
    }
    const where = this.current === undefined ? '' : ` in entry ${JSON.stringify(this.current)}`;
    throw new SluiceError('ArchiveRejected', `archive is truncated${where}`, fileOf(this.current));
  }

  private onHeader(block: Buffer, events: TarEvent[]): void {
    const header = parseHeader(block);
    if (header === undefined) {
      // The first zero block ends the archive (a second one usually follows); anything after is ignored.
      this.state = { at: 'end' };
      events.push({ type: 'end' });
      return;
    }
    if (META_TYPES.has(header.typeflag)) {
      this.metaInARow += 1;
      if (this.metaInARow > MAX_META_IN_A_ROW || header.size > MAX_META_BYTES) {
        throw new SluiceError(
          'ArchiveRejected',
          `archive has oversized or repeated metadata headers before entry ${JSON.stringify(header.name)}`,
          fileOf(header.name),
        );
      }
      this.state = { at: 'meta', header, remaining: header.size, parts: [] };
      if (header.size === 0) this.onMeta(header, Buffer.alloc(0));
      return;
    }
    const entry = this.applyOverrides(header);
    this.current = entry.name;
    events.push({ type: 'entry', entry });
    this.state = {
      at: 'data',
      size: entry.size,
      remaining: entry.size,
      emit: DATA_TYPES.has(entry.typeflag),
    };
    if (entry.size === 0) this.finishEntry(events);
  }

  private onMeta(header: RawHeader, data: Buffer): void {
    if (header.typeflag === 'x') for (const [k, v] of parsePax(data)) this.local.set(k, v);
    else if (header.typeflag === 'g') for (const [k, v] of parsePax(data)) this.global.set(k, v);
    else if (header.typeflag === 'L') this.longName = cString(data);
    else this.longLink = cString(data);
    this.toPadding(header.size);
  }

  private applyOverrides(header: RawHeader): TarEntry {
    const pax = (key: string): string | undefined => this.local.get(key) ?? this.global.get(key);
    const name = pax('path') ?? this.longName ?? header.name;
    const linkName = pax('linkpath') ?? this.longLink ?? header.linkName;
    const sizeText = pax('size');
    let size = header.size;
    if (sizeText !== undefined) {
      if (!/^\d{1,15}$/.test(sizeText)) {
        throw new SluiceError(
          'ArchiveRejected',
          `archive entry ${JSON.stringify(name)} has a PAX size that is not a number`,
          fileOf(name),
        );
      }
      size = Number(sizeText);
    }
    this.local = new Map();
    this.longName = undefined;
    this.longLink = undefined;
    this.metaInARow = 0;
    return { name, linkName, typeflag: header.typeflag, size, mode: header.mode };
  }

  private finishEntry(events: TarEvent[]): void {
    events.push({ type: 'entryEnd' });
    this.current = undefined;
    this.toPadding(this.state.at === 'data' ? this.state.size : 0);
  }

  private toPadding(size: number): void {
    const padding = (BLOCK - (size % BLOCK)) % BLOCK;
    this.state = padding === 0 ? { at: 'header' } : { at: 'padding', remaining: padding };
  }
}

function cString(data: Buffer): string {
  const end = data.indexOf(0);
  return data.subarray(0, end < 0 ? data.length : end).toString('utf8');
}

function fileOf(name: string | undefined): { file?: string } {
  return name === undefined ? {} : { file: name };
}
