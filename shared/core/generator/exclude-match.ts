// Exclude patterns of an ArtifactGenerator copy operation, read as source-watcher reads them (doublestar):
// `**` as a whole segment spans any number of directories, `{a,b}` alternatives, the rest as a glob segment.
import { SluiceError } from '../errors.ts';
import { matchSegment } from './segment-match.ts';

/** More alternatives than this in one pattern is a brace bomb, not an exclude list. */
export const MAX_EXCLUDE_ALTERNATIVES = 256;

/** A compiled exclude pattern: its brace alternatives, each split into segments. */
export type ExcludePattern = { text: string; alternatives: string[][] };

/** Throws ValidationFailed naming the pattern when it is malformed or expands too far. */
export function compileExclude(text: string): ExcludePattern {
  const alternatives = expandBraces(text).map((alt) =>
    alt.split('/').map((seg) => seg.replace(/^\[!/, '[^')),
  );
  // Malformed classes are reported now, as source-watcher validates excludes before copying.
  for (const segs of alternatives) for (const seg of segs) if (seg !== '**') matchSegment(seg, '');
  return { text, alternatives };
}

/** Does the whole path match (segment by segment, `**` spanning zero or more)? */
export function matchExclude(pattern: ExcludePattern, path: string): boolean {
  const parts = path.split('/');
  return pattern.alternatives.some((segs) => matchSegments(segs, parts));
}

function matchSegments(pattern: string[], parts: string[]): boolean {
  // Memoised on (pattern index, path index): `**/**/**` against a deep path stays polynomial.
  const memo = new Map<number, boolean>();
  const go = (pi: number, si: number): boolean => {
    const key = pi * (parts.length + 1) + si;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (pi === pattern.length) result = si === parts.length;
    else if (pattern[pi] === '**') result = go(pi + 1, si) || (si < parts.length && go(pi, si + 1));
    else
      result =
        si < parts.length && matchSegment(pattern[pi] as string, parts[si] as string) && go(pi + 1, si + 1);
    memo.set(key, result);
    return result;
  };
  return go(0, 0);
}

/** `a{b,c}d` → `abd`, `acd`; nested braces too. An unclosed brace is a bad pattern, as doublestar validates it. */
function expandBraces(text: string): string[] {
  const open = findUnescaped(text, '{', 0);
  if (open < 0) return [text];
  let depth = 0;
  const commas: number[] = [];
  let close = -1;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) {
      close = i;
      break;
    } else if (c === ',' && depth === 1) commas.push(i);
  }
  if (close < 0) throw invalid(text, 'a "{" is not closed');
  const bounds = [open, ...commas, close];
  const options = bounds.slice(0, -1).map((b, i) => text.slice(b + 1, bounds[i + 1]));
  const rest = expandBraces(text.slice(close + 1));
  const out: string[] = [];
  for (const option of options) {
    for (const inner of expandBraces(option)) {
      for (const tail of rest) {
        out.push(text.slice(0, open) + inner + tail);
        if (out.length > MAX_EXCLUDE_ALTERNATIVES)
          throw invalid(text, `it expands to more than ${MAX_EXCLUDE_ALTERNATIVES} alternatives`);
      }
    }
  }
  return out;
}

function findUnescaped(text: string, ch: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === ch) return i;
  }
  return -1;
}

function invalid(pattern: string, why: string): SluiceError {
  return new SluiceError('ValidationFailed', `invalid exclude pattern ${JSON.stringify(pattern)}: ${why}`);
}
