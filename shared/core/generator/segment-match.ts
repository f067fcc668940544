// One path segment against one glob segment, as Go's path.Match reads it (what source-watcher's copy globs
// use): `*` any run of characters, `?` one, `[...]`/`[^...]` a class with ranges, `\` escapes. Never `/`.
import { SluiceError } from '../errors.ts';

/** Throws ValidationFailed for a malformed pattern (an unclosed class, a trailing `\`), as Go's ErrBadPattern. */
export function matchSegment(pattern: string, name: string): boolean {
  const p = [...pattern];
  const s = [...name];
  // Iterative two-pointer matching with one backtrack point: linear-ish, so hostile patterns cannot blow up.
  let pi = 0;
  let si = 0;
  let starP = -1;
  let starS = 0;
  while (si < s.length) {
    const c = p[pi];
    if (c === '*') {
      starP = pi++;
      starS = si;
      continue;
    }
    if (c !== undefined) {
      const step = matchOne(p, pi, s[si] as string);
      if (step.matched) {
        pi = step.next;
        si++;
        continue;
      }
    }
    if (starP < 0) {
      validate(p, pi);
      return false;
    }
    pi = starP + 1;
    si = ++starS;
  }
  while (p[pi] === '*') pi++;
  if (pi < p.length) {
    validate(p, pi);
    return false;
  }
  return true;
}

/** True when a segment has glob metacharacters (source-watcher's own test: `*`, `?`, `[`, `]`). */
export function hasGlobChars(text: string): boolean {
  return /[*?[\]]/.test(text);
}

function matchOne(p: string[], pi: number, ch: string): { matched: boolean; next: number } {
  const c = p[pi];
  if (c === '?') return { matched: ch !== '/', next: pi + 1 };
  if (c === '\\') {
    if (pi + 1 >= p.length) throw badPattern(p.join(''));
    return { matched: p[pi + 1] === ch, next: pi + 2 };
  }
  if (c === '[') return matchClass(p, pi, ch);
  return { matched: c === ch, next: pi + 1 };
}

function matchClass(p: string[], start: number, ch: string): { matched: boolean; next: number } {
  let i = start + 1;
  const negated = p[i] === '^';
  if (negated) i++;
  let matched = false;
  let first = true;
  for (;;) {
    if (i >= p.length) throw badPattern(p.join(''));
    if (p[i] === ']' && !first) break;
    first = false;
    const lo = readClassChar(p, i);
    i = lo.next;
    let hi = lo.ch;
    if (p[i] === '-' && p[i + 1] !== ']') {
      const h = readClassChar(p, i + 1);
      hi = h.ch;
      i = h.next;
    }
    if (lo.ch <= ch && ch <= hi) matched = true;
  }
  return { matched: matched !== negated && ch !== '/', next: i + 1 };
}

function readClassChar(p: string[], i: number): { ch: string; next: number } {
  const c = p[i];
  // As Go's getEsc: a class member is never a bare `-` or `]` (`[]]` is a bad pattern there too).
  if (c === undefined || c === '-' || c === ']') throw badPattern(p.join(''));
  if (c === '\\') {
    const e = p[i + 1];
    if (e === undefined) throw badPattern(p.join(''));
    return { ch: e, next: i + 2 };
  }
  return { ch: c, next: i + 1 };
}

/** Go reports a bad pattern even when the name already failed to match: check the rest of it. */
function validate(p: string[], from: number): void {
  for (let i = from; i < p.length; ) {
    const c = p[i];
    if (c === '\\') {
      if (i + 1 >= p.length) throw badPattern(p.join(''));
      i += 2;
    } else if (c === '[') {
      i = matchClass(p, i, '\u0000').next;
    } else i++;
  }
}

function badPattern(pattern: string): SluiceError {
  return new SluiceError('ValidationFailed', `syntax error in pattern ${JSON.stringify(pattern)}`);
}
