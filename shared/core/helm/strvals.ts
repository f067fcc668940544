// Helm's `--set` line parser (helm.sh/helm/v4 pkg/strvals ParseInto / ParseIntoString), ported rune for rune:
// Flux runs it for a valuesFrom targetPath, so paths, escapes, lists and value typing must match it exactly.

/** strvals.MaxIndex: the largest list index a line may set. */
export const MAX_INDEX = 65536;
/** strvals.MaxNestedNameLevel: the deepest `a.b.c…` a line may name. */
export const MAX_NESTED_NAME_LEVEL = 30;

/**
 * A line Helm's parser refuses. The reason never quotes the line: the value part may come from a Secret.
 */
export class StrvalsError extends Error {
  override readonly name = 'StrvalsError';
}

type Values = Record<string, unknown>;

// Go's parser signals "input ended" with io.EOF, which ends the line quietly rather than failing it.
const EOF = Symbol('EOF');
const NOT_LIST = Symbol('NOT_LIST');
type Done = typeof EOF | undefined;

const KEY_STOP = new Set(['=', '[', ',', '.']);
const ITEM_STOP = new Set(['[', '.', '=']);
const INDEX_STOP = new Set([']']);
const VALUE_STOP = new Set([',']);
const LIST_STOP = new Set([',', '}']);

/**
 * Parses `line` (`name1=value1,name2=value2`) into `dest`, in place, as `strvals.ParseInto` does (values typed
 * like `--set`: true/false/null/integers) or, with `asStrings`, as `ParseIntoString` (`--set-string`).
 */
export function parseInto(line: string, dest: Values, asStrings = false): void {
  new Parser(Array.from(line), asStrings).parse(dest);
}

class Parser {
  private pos = 0;
  private readonly runes: string[];
  private readonly asStrings: boolean;

  constructor(runes: string[], asStrings: boolean) {
    this.runes = runes;
    this.asStrings = asStrings;
  }

  parse(data: Values): void {
    while (this.key(data, 0) !== EOF) {
      // One `name=value` per turn until the line ends.
    }
  }

  private read(): string | undefined {
    return this.pos < this.runes.length ? this.runes[this.pos++] : undefined;
  }

  private unread(): void {
    this.pos--;
  }

  /** Runes up to one in `stop` (consumed); a backslash takes the next rune literally. */
  private until(stop: Set<string>): { text: string; last?: string } {
    let text = '';
    for (;;) {
      const r = this.read();
      if (r === undefined) return { text };
      if (stop.has(r)) return { text, last: r };
      if (r === '\\') {
        const next = this.read();
        if (next === undefined) return { text };
        text += next;
      } else {
        text += r;
      }
    }
  }

  private key(data: Values, nestedNameLevel: number): Done {
    const { text: k, last } = this.until(KEY_STOP);
    if (last === undefined) {
      if (k === '') return EOF;
      throw new StrvalsError('a key has no value (no "=" follows it)');
    }
    if (last === '[') {
      const i = this.keyIndex();
      if (i === EOF) return EOF;
      let list: unknown[] = [];
      if (Object.hasOwn(data, k)) {
        const existing = data[k];
        if (!Array.isArray(existing))
          throw new StrvalsError('a list index is applied to a value that is not a list');
        list = existing;
      }
      const item = this.listItem(list, i, nestedNameLevel);
      set(data, k, item.list);
      return item.done;
    }
    if (last === '=') {
      const list = this.valList();
      if (list === EOF) {
        set(data, k, '');
        return EOF;
      }
      if (list !== NOT_LIST) {
        set(data, k, list);
        return undefined;
      }
      set(data, k, this.typed(this.until(VALUE_STOP).text));
      return undefined;
    }
    if (last === ',') {
      set(data, k, '');
      throw new StrvalsError('a key has no value (cannot end with ",")');
    }
    // last === '.'
    const level = nestedNameLevel + 1;
    if (level > MAX_NESTED_NAME_LEVEL) {
      throw new StrvalsError(`the name is nested deeper than the maximum of ${MAX_NESTED_NAME_LEVEL} levels`);
    }
    let inner: Values = {};
    if (Object.hasOwn(data, k)) {
      const existing = data[k];
      if (!isMap(existing)) throw new StrvalsError('a key is set inside a value that is not a map');
      inner = existing;
    }
    const done = this.key(inner, level);
    const filled = Object.keys(inner).length > 0;
    if (done === undefined && !filled) throw new StrvalsError('a key map has no value');
    if (filled) set(data, k, inner);
    return done;
  }

  /** `n]`; EOF before `]` ends the line quietly, as Go's wrapped io.EOF does. */
  private keyIndex(): number | typeof EOF {
    const { text, last } = this.until(INDEX_STOP);
    if (last === undefined) return EOF;
    return atoi(text);
  }

  private listItem(list: unknown[], i: number, nestedNameLevel: number): { list: unknown[]; done?: Done } {
    if (i < 0) throw new StrvalsError(`negative ${i} index not allowed`);
    const { text, last } = this.until(ITEM_STOP);
    if (text.length > 0) throw new StrvalsError('unexpected data after a list index');
    if (last === undefined) return { list, done: EOF };
    if (last === '=') {
      const values = this.valList();
      if (values === EOF) return { list: setIndex(list, i, '') };
      if (values !== NOT_LIST) return { list: setIndex(list, i, values) };
      return { list: setIndex(list, i, this.typed(this.until(VALUE_STOP).text)) };
    }
    if (last === '[') {
      const next = this.keyIndex();
      if (next === EOF) return { list, done: EOF };
      let current: unknown[] = [];
      const existed = list.length > i ? list[i] : null;
      if (existed !== null && existed !== undefined) {
        if (!Array.isArray(existed))
          throw new StrvalsError('a list index is applied to a value that is not a list');
        current = existed;
      }
      const nested = this.listItem(current, next, nestedNameLevel);
      if (nested.done === EOF) return { list, done: EOF };
      return { list: setIndex(list, i, nested.list) };
    }
    // last === '.': a map inside the list; an item that is not one is replaced, in place, as Helm does.
    let inner: Values = {};
    if (list.length > i) {
      const existing = list[i];
      if (isMap(existing)) inner = existing;
      else list[i] = inner;
    }
    if (this.key(inner, nestedNameLevel) === EOF) return { list, done: EOF };
    return { list: setIndex(list, i, inner) };
  }

  /** `{a,b}` as a list; NOT_LIST (nothing consumed) when the value does not start with `{`. */
  private valList(): unknown[] | typeof EOF | typeof NOT_LIST {
    const r = this.read();
    if (r === undefined) return EOF;
    if (r !== '{') {
      this.unread();
      return NOT_LIST;
    }
    const list: unknown[] = [];
    for (;;) {
      const { text, last } = this.until(LIST_STOP);
      if (last === undefined) throw new StrvalsError('a list must end with "}"');
      list.push(this.typed(text));
      if (last === '}') {
        const next = this.read();
        if (next !== undefined && next !== ',') this.unread();
        return list;
      }
    }
  }

  private typed(text: string): unknown {
    return this.asStrings ? text : typedVal(text);
  }
}

function set(data: Values, key: string, value: unknown): void {
  if (key === '') return;
  data[key] = value;
}

/** Go's setIndex: grows the list (a new one, nil-padded) when too short, else sets in place. */
function setIndex(list: unknown[], index: number, value: unknown): unknown[] {
  if (index < 0) throw new StrvalsError(`negative ${index} index not allowed`);
  if (index > MAX_INDEX) {
    throw new StrvalsError(`index of ${index} is greater than maximum supported index of ${MAX_INDEX}`);
  }
  let out = list;
  if (out.length <= index) {
    out = [...list];
    while (out.length <= index) out.push(null);
  }
  out[index] = value;
  return out;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const DECIMAL = /^[+-]?[0-9]+$/;

/** Go's strconv.Atoi on 64-bit: optional sign, decimal digits, int64 range. */
function atoi(text: string): number {
  if (!DECIMAL.test(text)) throw new StrvalsError('a list index is not a number');
  const n = BigInt(text);
  if (n < INT64_MIN || n > INT64_MAX) throw new StrvalsError('a list index is out of range');
  return Number(n);
}

/**
 * strvals.typedVal: true/false/null (any case) and decimal integers not starting with 0 are typed, the rest
 * stays a string. Integers beyond 2^53 lose precision here (Helm keeps int64; JSON numbers cannot).
 */
export function typedVal(text: string): unknown {
  const folded = text.toLowerCase().replaceAll('\u017f', 's');
  if (folded === 'true') return true;
  if (folded === 'false') return false;
  if (folded === 'null') return null;
  if (text === '0') return 0;
  if (text !== '' && text[0] !== '0' && DECIMAL.test(text)) {
    const n = BigInt(text);
    if (n >= INT64_MIN && n <= INT64_MAX) return Number(n);
  }
  return text;
}

function isMap(value: unknown): value is Values {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
