// yaml.v3's resolution of plain (unquoted, untagged) scalars (SPEC-SOPS §9.1), which the MAC depends on:
// YAML 1.1-style ints (`0755`, `0x1F`, `0b101`, underscores), Go floats, `true/True/TRUE`, `~/null`.
import type { SopsLeaf } from './value-types.ts';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

export function resolvePlainScalar(text: string): SopsLeaf {
  if (['', '~', 'null', 'Null', 'NULL'].includes(text)) return null;
  if (['true', 'True', 'TRUE'].includes(text)) return true;
  if (['false', 'False', 'FALSE'].includes(text)) return false;
  if (['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'].includes(text)) return Infinity;
  if (['-.inf', '-.Inf', '-.INF'].includes(text)) return -Infinity;
  if (['.nan', '.NaN', '.NAN'].includes(text)) return Number.NaN;
  if (!'+-.0123456789'.includes(text[0] ?? '')) return text;
  const int = parseGoInt(text.replaceAll('_', ''));
  if (int !== undefined) return int;
  if (FLOAT.test(text)) return Number(text);
  return text;
}

// strconv.ParseInt(s, 0, 64): sign, then 0x/0o/0b prefixes or a leading 0 for octal.
function parseGoInt(s: string): bigint | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return undefined;
  const [, sign = '', body = ''] = m;
  let n: bigint;
  if (/^0[oO]/.test(body)) n = BigInt(`0o${body.slice(2)}`);
  else if (/^0[xXbB]/.test(body)) n = BigInt(body.toLowerCase());
  else if (body.length > 1 && body.startsWith('0')) n = BigInt(`0o${body.slice(1)}`);
  else n = BigInt(body);
  if (sign === '-') n = -n;
  return n >= INT64_MIN && n <= INT64_MAX ? n : undefined;
}
