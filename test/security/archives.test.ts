// Untrusted archives (chart .tgz, OCI layers) cannot write outside their destination, plant links out of
// it, write through links, or exhaust memory and disk: each hostile archive is built byte by byte here.
import { lstat, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractTarGz, readTarGz } from '../../shared/adapters/archive/tar-gz.ts';
import { rejectionOf } from '../support/error-of.ts';
import { type FixtureEntry, header, tarGz } from '../support/tar-fixture.ts';

const GiB = 1024 * 1024 * 1024;
let root: string;
let count = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sluice-archives-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A fresh destination inside a fresh parent, so anything written beside it is seen. */
async function destination(): Promise<{ parent: string; dest: string }> {
  count += 1;
  const parent = join(root, `case-${count}`, 'a', 'b');
  await mkdir(parent, { recursive: true });
  return { parent, dest: join(parent, 'dest') };
}

async function refused(entries: FixtureEntry[]): Promise<{ code: string; message: string; file?: string }> {
  const { parent, dest } = await destination();
  const err = await rejectionOf(extractTarGz(tarGz(entries), dest));
  // Nothing stays behind: not in the destination, not beside it, not above it.
  expect(await readdir(parent)).toEqual([]);
  expect(await readdir(join(parent, '..'))).toEqual(['b']);
  expect(await readdir(join(parent, '..', '..'))).toEqual(['a']);
  const memory = await rejectionOf(readTarGz(tarGz(entries)));
  expect(memory.code).toBe(err.code);
  return { code: err.code, message: err.message, ...(err.file === undefined ? {} : { file: err.file }) };
}

describe('hostile paths', () => {
  it.each([
    ['a ../ entry', [{ name: '../evil.txt', data: 'x' }]],
    ['a ../ entry deeper down', [{ name: 'ok/../../../evil.txt', data: 'x' }]],
    ['an absolute path', [{ name: '/tmp/sluice-evil.txt', data: 'x' }]],
    ['a backslash climb', [{ name: '..\\..\\evil.txt', data: 'x' }]],
    ['a PAX path override with ..', [{ name: 'innocent.txt', data: 'x', pax: { path: '../../evil.txt' } }]],
    ['a PAX path with a NUL', [{ name: 'innocent.txt', data: 'x', pax: { path: 'a\0/../../evil' } }]],
    [
      'a GNU long name with ..',
      [
        {
          name: 'innocent.txt',
          data: 'x',
          gnuLongName: `${'d/'.repeat(60)}../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../evil`,
        },
      ],
    ],
  ] as [string, FixtureEntry[]][])('refuses %s', async (_, entries) => {
    const err = await refused(entries);
    expect(err.code).toBe('ArchiveRejected');
  });

  it('names the entry, never its contents', async () => {
    const err = await refused([{ name: '../evil.txt', data: 'CONTENT-THAT-MUST-NOT-SHOW' }]);
    expect(err.file).toBe('../evil.txt');
    expect(err.message).toContain('../evil.txt');
    expect(err.message).not.toContain('CONTENT-THAT-MUST-NOT-SHOW');
  });
});

describe('links', () => {
  it.each([
    ['a symlink to outside', [{ name: 'out', type: '2', linkName: '../../..' }]],
    ['an absolute symlink', [{ name: 'passwd', type: '2', linkName: '/etc/passwd' }]],
    [
      'a symlink chain leaving the tree (each link alone looks inside)',
      [
        { name: 'd/', type: '5' },
        { name: 'd/up', type: '2', linkName: '..' },
        { name: 'esc', type: '2', linkName: 'd/up/..' },
      ],
    ],
    [
      'a chain closed by a later link',
      [
        { name: 'x', type: '2', linkName: 'y/..' },
        { name: 'y', type: '2', linkName: '..' },
      ],
    ],
    [
      'a symlink loop',
      [
        { name: 'l1', type: '2', linkName: 'l2' },
        { name: 'l2', type: '2', linkName: 'l1' },
      ],
    ],
    [
      'a hard link',
      [
        { name: 'f', data: 'x' },
        { name: 'h', type: '1', linkName: 'f' },
      ],
    ],
    ['a hard link to outside', [{ name: 'h', type: '1', linkName: '/etc/shadow' }]],
    ['a character device', [{ name: 'null', type: '3' }]],
    ['a FIFO', [{ name: 'pipe', type: '6' }]],
    [
      'a write through an earlier symlink',
      [
        { name: 'real/', type: '5' },
        { name: 'link', type: '2', linkName: 'real' },
        { name: 'link/file.txt', data: 'x' },
      ],
    ],
    [
      'a symlink replacing an earlier file',
      [
        { name: 'values.yaml', data: 'a: 1' },
        { name: 'values.yaml', type: '2', linkName: 'other' },
      ],
    ],
    [
      'a file replacing an earlier symlink',
      [
        { name: 'link', type: '2', linkName: 'x' },
        { name: 'link', data: 'x' },
      ],
    ],
    [
      'a symlink over a directory made by an earlier file',
      [
        { name: 'dir/file', data: 'x' },
        { name: 'dir', type: '2', linkName: '.' },
      ],
    ],
  ] as [string, FixtureEntry[]][])('refuses %s', async (_, entries) => {
    expect((await refused(entries)).code).toBe('ArchiveRejected');
  });

  it('keeps a symlink whose chain stays inside, and writes the file it names only once', async () => {
    const { dest } = await destination();
    await extractTarGz(
      tarGz([
        { name: 'real/a.txt', data: 'a' },
        { name: 'link', type: '2', linkName: 'real' },
        { name: 'deep/up', type: '2', linkName: '../real/a.txt' },
      ]),
      dest,
    );
    expect((await lstat(join(dest, 'link'))).isSymbolicLink()).toBe(true);
    expect((await lstat(join(dest, 'deep/up'))).isSymbolicLink()).toBe(true);
  });
});

describe('limits', () => {
  it('refuses one file too many, naming maxFiles', async () => {
    const entries = Array.from({ length: 10_001 }, (_, i) => ({ name: `f/${i}.txt` }));
    const err = await refused(entries);
    expect(err.code).toBe('LimitExceeded');
    expect(err.message).toContain('maxFiles');
    expect(err.message).toContain('f/10000.txt');
  });

  it('refuses a file larger than maxFileBytes from its header, naming it', async () => {
    const { dest } = await destination();
    const err = await rejectionOf(
      extractTarGz(tarGz([{ name: 'big.bin', data: 'x', size: 65 * 1024 * 1024 }]), dest),
    );
    expect(err.code).toBe('LimitExceeded');
    expect(err.message).toContain('maxFileBytes');
    expect(err.file).toBe('big.bin');
  });

  it('refuses files adding up past maxTotalBytes', async () => {
    const { dest } = await destination();
    const data = Buffer.alloc(600 * 1024);
    const err = await rejectionOf(
      extractTarGz(
        tarGz([
          { name: 'a.bin', data },
          { name: 'b.bin', data },
        ]),
        dest,
        { maxTotalBytes: 1024 * 1024 },
      ),
    );
    expect(err.code).toBe('LimitExceeded');
    expect(err.message).toContain('maxTotalBytes');
    expect(err.file).toBe('b.bin');
  });
});

describe('a gzip bomb (1 GiB of zeros)', () => {
  let asFile: Buffer;
  let behindDirectory: Buffer;

  beforeAll(async () => {
    asFile = await gzipOfZeros(header({ name: 'zeros.bin' }, GiB), GiB);
    behindDirectory = await gzipOfZeros(header({ name: 'dir/', type: '5' }, GiB), GiB);
    expect(asFile.length).toBeLessThan(2 * 1024 * 1024);
  }, 120_000);

  it('is refused from its header when one file says it is that big', async () => {
    const { dest } = await destination();
    const err = await rejectionOf(extractTarGz(asFile, dest));
    expect(err.code).toBe('LimitExceeded');
    expect(err.file).toBe('zeros.bin');
  });

  it('is cut off while inflating when the bytes hide behind a directory header, with bounded memory', async () => {
    const { parent, dest } = await destination();
    const peak = await peakExternalMemory(async () => {
      const err = await rejectionOf(extractTarGz(behindDirectory, dest));
      expect(err.code).toBe('LimitExceeded');
      expect(err.message).toContain('maxTotalBytes');
    });
    expect(peak).toBeLessThan(256 * 1024 * 1024);
    expect(await readdir(parent)).toEqual([]);
  });

  it('is cut off at maxCompressionRatio when reading into memory, with bounded memory', async () => {
    const peak = await peakExternalMemory(async () => {
      const err = await rejectionOf(
        readTarGz(asFile, { maxFileBytes: 2 * GiB, maxTotalBytes: 2 * GiB, maxCompressionRatio: 20 }),
      );
      expect(err.code).toBe('LimitExceeded');
      expect(err.message).toContain('maxCompressionRatio');
      expect(err.file).toBe('zeros.bin');
    });
    expect(peak).toBeLessThan(256 * 1024 * 1024);
  });
});

/** gzip of `head` followed by `zeros` zero bytes, compressed as a stream (never held inflated). */
async function gzipOfZeros(head: Buffer, zeros: number): Promise<Buffer> {
  const gzip = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => out.push(chunk));
  const done = new Promise((resolve, reject) => {
    gzip.on('end', resolve);
    gzip.on('error', reject);
  });
  const block = Buffer.alloc(1024 * 1024);
  gzip.write(head);
  for (let written = 0; written < zeros; written += block.length) {
    if (!gzip.write(block)) await new Promise((resolve) => gzip.once('drain', resolve));
  }
  gzip.end(Buffer.alloc(1024));
  await done;
  return Buffer.concat(out);
}

/** The highest Buffer memory above the starting point seen while `run` works. */
async function peakExternalMemory(run: () => Promise<void>): Promise<number> {
  const start = process.memoryUsage().arrayBuffers;
  let peak = 0;
  const sample = (): void => {
    peak = Math.max(peak, process.memoryUsage().arrayBuffers - start);
  };
  const timer = setInterval(sample, 5);
  try {
    await run();
  } finally {
    clearInterval(timer);
    sample();
  }
  return peak;
}
