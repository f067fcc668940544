// The README's list of ResourceSet template functions, read from README.md itself: every function it names is
// one a template may call, and every one it names as not supported yet is refused as such.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  SUPPORTED_FUNCTIONS,
  UNSUPPORTED_FUNCTIONS,
} from '../../../shared/core/resourceset/template-functions.ts';

const README = readFileSync(join(import.meta.dirname, '../../../README.md'), 'utf8');
const start = README.indexOf('**Functions**:');
const refused = README.indexOf('these operator functions are named as not supported', start);
const end = README.indexOf('`slugify` drops the accents', refused);

/** The function names in the backquoted spans of a stretch of the README. */
function namesIn(text: string): string[] {
  return [...text.matchAll(/`([^`]+)`/g)]
    .flatMap((m) => (m[1] ?? '').split(/[\s/]+/))
    .filter((w) => /^[a-zA-Z][a-zA-Z0-9]*$/.test(w));
}

describe('the README list of ResourceSet template functions', () => {
  it('names only functions a template may call', () => {
    expect(start).toBeGreaterThan(0);
    const listed = namesIn(
      README.slice(start, README.indexOf('A function the operator does not have', start)),
    );
    expect(listed.length).toBeGreaterThan(100);
    expect(listed.filter((name) => !SUPPORTED_FUNCTIONS.includes(name))).toEqual([]);
  });

  it('names as not supported only functions Sluice refuses as such', () => {
    // `regex…` stands for the family; the dates it lists end with an ellipsis.
    const named = namesIn(README.slice(refused, end)).filter((n) => n !== 'regex');
    expect(named).toEqual(
      expect.arrayContaining(['ago', 'duration', 'toDate', 'unixEpoch', 'urlParse', 'randInt']),
    );
    expect(named.filter((name) => !UNSUPPORTED_FUNCTIONS.has(name))).toEqual([]);
    expect([...UNSUPPORTED_FUNCTIONS].filter((n) => n.startsWith('regex')).length).toBeGreaterThan(0);
  });
});
