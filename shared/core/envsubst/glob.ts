// Shell-style pattern matching as Go's path.Match, except that `*` also matches `/` (Flux's variant).
// Returns undefined for a malformed pattern, which the trim functions treat as "no change".

export function globMatch(pattern: string, text: string): boolean | undefined {
  const regex = compile(pattern);
  return regex === undefined ? undefined : regex.test(text);
}

const cache = new Map<string, RegExp | undefined>();

function compile(pattern: string): RegExp | undefined {
  if (cache.has(pattern)) return cache.get(pattern);
  let source = '';
  let ok = true;
  const chars = [...pattern];
  for (let i = 0; i < chars.length && ok; i++) {
    const ch = chars[i] as string;
    if (ch === '*') source += '[\\s\\S]*';
    else if (ch === '?') source += '[\\s\\S]';
    else if (ch === '\\') {
      if (i + 1 >= chars.length) ok = false;
      else source += escapeChar(chars[++i] as string);
    } else if (ch === '[') {
      let j = i + 1;
      let cls = '';
      if (chars[j] === '^') {
        cls += '^';
        j++;
      }
      let ranges = 0;
      while (j < chars.length && chars[j] !== ']') {
        let lo = chars[j] as string;
        if (lo === '\\') lo = chars[++j] ?? '';
        if (lo === '' || lo === '-') {
          ok = false;
          break;
        }
        j++;
        if (chars[j] === '-' && chars[j + 1] !== undefined && chars[j + 1] !== ']') {
          let hi = chars[j + 1] as string;
          j += 2;
          if (hi === '\\') hi = chars[j++] ?? '';
          if (hi === '' || hi < lo) ok = false;
          cls += `${escapeChar(lo)}-${escapeChar(hi)}`;
        } else cls += escapeChar(lo);
        ranges++;
      }
      if (j >= chars.length || ranges === 0) ok = false;
      source += `[${cls}]`;
      i = j;
    } else source += escapeChar(ch);
  }
  const regex = ok ? new RegExp(`^${source}$`, 'u') : undefined;
  cache.set(pattern, regex);
  return regex;
}

function escapeChar(ch: string): string {
  // '-' as \x2d: a literal everywhere, where 'u'-mode regexes reject `\-` outside a class.
  return ch === '-' ? '\\x2d' : ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
