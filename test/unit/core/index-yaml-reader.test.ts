// The fast index reader against the full YAML parser on many generated documents (seeded, so a failure is
// reproducible): quoting styles, both sequence indentations, comments, blank lines, CRLF, block and folded
// scalars in skipped fields, flow lists. Whatever the reader accepts must read exactly as YAML reads it.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { rawIndexFromDocument } from '../../../shared/core/helm/index-document.ts';
import { readIndexYaml } from '../../../shared/core/helm/index-yaml-reader.ts';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generate(seed: number): string {
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const chance = (p: number) => rand() < p;
  const shuffle = <T>(xs: T[]): T[] => xs.sort(() => rand() - 0.5);

  /** A single-line value in one of YAML's styles (all read as the same text by a failsafe parser). */
  const scalarText = (text: string): string => {
    const style = pick(['plain', 'plain', 'single', 'double', 'double-escaped']);
    const comment = chance(0.1) ? ' # note' : '';
    if (style === 'single') return `'${text.replaceAll("'", "''")}'${comment}`;
    if (style === 'double') return `${JSON.stringify(text)}${comment}`;
    if (style === 'double-escaped')
      return `"${[...text].map((c) => (chance(0.3) ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c === '"' || c === '\\' ? `\\${c}` : c)).join('')}"${comment}`;
    return `${text}${comment}`;
  };

  /** A skipped field's value in some multi-line style, at key indentation `k`. */
  const skippedValue = (k: number): string => {
    const pad = ' '.repeat(k + 2);
    switch (
      pick([
        'plain',
        'folded',
        'literal',
        'folded-block',
        'single-multi',
        'double-multi',
        'map',
        'seq',
        'flow',
      ])
    ) {
      case 'folded':
        return ` word one\n${pad}version 9.9.9 continues\n${pad}- not a dash item`;
      case 'literal':
        return ` |\n${pad}version: 6.6.6\n${pad}- name: evil\n\n${pad}  urls: [x]\n${pad}# not a comment`;
      case 'folded-block':
        return ` >-\n${pad}urls:\n${pad}- evil.tgz`;
      case 'single-multi':
        return ` 'it''s\n${pad}version: 7.7.7'`;
      case 'double-multi':
        return ` "line \\"one\\"\n${pad}digest: bad"`;
      case 'map':
        return `\n${pad}version: 5.5.5\n${pad}nested:\n${pad}  name: x`;
      case 'seq':
        return `\n${' '.repeat(k)}- name: dep\n${' '.repeat(k)}  version: 1.0.0\n${' '.repeat(k)}- other`;
      case 'flow':
        return ` {version: 4.4.4, urls: [a,\n${pad}b]}`;
      default:
        return ' plain text, with a colon:in it';
    }
  };

  const chartNames = shuffle(['app', 'web-ui', 'yes', 'true', '1.0', 'x_y', 'svc.v2']).slice(
    0,
    1 + Math.floor(rand() * 4),
  );
  const seqIndent = chance(0.5) ? 0 : 2;
  const entries: string[] = ['entries:'];
  for (const name of chartNames) {
    entries.push(`  ${/^(yes|true|1\.0)$/.test(name) || chance(0.2) ? JSON.stringify(name) : name}:`);
    const versions = Math.floor(rand() * 4);
    for (let v = 0; v < versions; v++) {
      const d = 2 + seqIndent;
      const f = d + 2;
      const fields: string[][] = [];
      const kept: Record<string, string> = {
        name,
        version: pick([`1.${v}.0`, `v2.${v}.1-rc.${v}`, '1.10', `0.${v}.0+build.${v}`]),
        digest: 'ab'.repeat(32),
        created: `2026-0${1 + v}-01T00:00:00Z`,
      };
      for (const [k, value] of Object.entries(kept)) {
        const pad = ' '.repeat(f);
        // Now and then a kept field spans lines: the reader must hand those over, never half-read them.
        const roll = rand();
        if (roll < 0.01) fields.push([`${pad}${k}: |`, `${pad}  ${value}`]);
        else if (roll < 0.02) fields.push([`${pad}${k}: ${value}`, `${pad}  more`]);
        else if (roll < 0.87) fields.push([`${pad}${k}: ${scalarText(value)}`]);
      }
      if (chance(0.9)) {
        const urls = shuffle([
          `${name}-${v}.tgz`,
          `https://cdn.example.com/${name}/${v}.tgz`,
          `o'k/a#b "q" ${v}.tgz`,
        ]).slice(0, 1 + Math.floor(rand() * 3));
        if (chance(0.3))
          fields.push([
            `${' '.repeat(f)}urls: [${urls.map(scalarText).join(', ').replaceAll(' # note', '')}]`,
          ]);
        else {
          const u = chance(0.5) ? f : f + 2;
          fields.push([
            `${' '.repeat(f)}urls:`,
            ...urls.map((url) => `${' '.repeat(u)}- ${scalarText(url)}`),
          ]);
        }
      }
      for (const k of ['description', 'annotations', 'keywords', 'home']) {
        if (chance(0.6)) fields.push([`${' '.repeat(f)}${k}:${skippedValue(f)}`]);
      }
      shuffle(fields);
      if (chance(0.2)) fields.splice(Math.floor(rand() * fields.length), 0, [`${' '.repeat(f)}# a comment`]);
      if (chance(0.2)) fields.splice(Math.floor(rand() * fields.length), 0, ['']);
      const flat = fields.flat();
      if (flat.length === 0) flat.push(`${' '.repeat(f)}home: x`);
      if (chance(0.1)) entries.push(`${' '.repeat(d)}-`, ...flat);
      else entries.push(`${' '.repeat(d)}- ${(flat[0] as string).trimStart()}`, ...flat.slice(1));
    }
  }
  const top = shuffle([
    [`apiVersion: ${scalarText('v1')}`],
    entries,
    [`generated: ${scalarText('2026-11-30T12:00:00Z')}`],
    ['serverInfo:', '  contextPath: /charts'],
  ]);
  if (chance(0.2)) top.unshift(['# an index']);
  const text = `${chance(0.1) ? '---\n' : ''}${top.flat().join('\n')}\n`;
  return chance(0.15) ? text.replaceAll('\n', '\r\n') : text;
}

describe('readIndexYaml on generated documents', () => {
  it('reads 600 of them exactly as the YAML parser does, or hands them over', () => {
    let fast = 0;
    for (let seed = 1; seed <= 600; seed++) {
      const text = generate(seed);
      const expected = rawIndexFromDocument(parse(text, { schema: 'failsafe' }));
      const read = readIndexYaml(text);
      if (read === undefined) continue;
      fast++;
      expect({ seed, read }).toEqual({ seed, read: expected });
    }
    // Most of them are in the reader's subset: the comparison is not vacuous.
    expect(fast).toBeGreaterThan(250);
  });
});
