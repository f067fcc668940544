// The tar push parser gives the same entries however the stream is cut into chunks, and applies PAX,
// GNU long-name and global headers the way GNU tar and Go's archive/tar do.
import { describe, expect, it } from 'vitest';
import { type TarEvent, TarParser } from '../../../../shared/core/archive/tar-parser.ts';
import { type FixtureEntry, tarEntries } from '../../../support/tar-fixture.ts';

function parse(tar: Buffer, chunkSize: number): { name: string; type: string; data: string }[] {
  const parser = new TarParser();
  const events: TarEvent[] = [];
  for (let at = 0; at < tar.length && !parser.ended; at += chunkSize) {
    events.push(...parser.push(tar.subarray(at, at + chunkSize)));
  }
  if (!parser.ended) events.push(...parser.finish());
  const out: { name: string; type: string; data: string }[] = [];
  for (const e of events) {
    if (e.type === 'entry') out.push({ name: e.entry.name, type: e.entry.typeflag, data: '' });
    const last = out[out.length - 1];
    if (e.type === 'data' && last) last.data += e.chunk.toString();
  }
  return out;
}

const ENTRIES: FixtureEntry[] = [
  { name: 'dir/', type: '5' },
  { name: 'dir/a.txt', data: 'a'.repeat(700) },
  { name: 'short', data: 'long name', gnuLongName: `${'x/'.repeat(80)}long.txt` },
  { name: 'short2', data: 'pax name', pax: { path: `${'y/'.repeat(80)}pax.txt`, comment: 'ignored' } },
  { name: 'link', type: '2', linkName: 'dir/a.txt' },
];

describe('TarParser', () => {
  it.each([1, 7, 512, 513, 100_000])('reads the same entries in chunks of %i bytes', (chunk) => {
    expect(parse(tarEntries(ENTRIES), chunk)).toEqual([
      { name: 'dir/', type: '5', data: '' },
      { name: 'dir/a.txt', type: '0', data: 'a'.repeat(700) },
      { name: `${'x/'.repeat(80)}long.txt`, type: '0', data: 'long name' },
      { name: `${'y/'.repeat(80)}pax.txt`, type: '0', data: 'pax name' },
      { name: 'link', type: '2', data: '' },
    ]);
  });

  it('accepts an archive without end blocks', () => {
    expect(parse(tarEntries([{ name: 'a', data: 'x' }], { endBlocks: false }), 512)).toHaveLength(1);
  });

  it('ignores whatever follows the end blocks', () => {
    const tar = Buffer.concat([tarEntries([{ name: 'a', data: 'x' }]), Buffer.from('garbage')]);
    expect(parse(tar, 512)).toHaveLength(1);
  });

  it.each([
    ['a truncated entry', tarEntries([{ name: 'a', data: 'x', size: 2048 }], { endBlocks: false })],
    ['a corrupt checksum', Buffer.concat([Buffer.from('not a tar header'), Buffer.alloc(1008, 1)])],
    ['a malformed PAX record', tarEntries([{ name: 'a', pax: { path: 'x' } }]).fill(0x41, 512, 520)],
  ])('refuses %s', (_, tar) => {
    expect(() => parse(tar, 512)).toThrow(expect.objectContaining({ code: 'ArchiveRejected' }));
  });
});
