// Real archives go through the safe reader unchanged: charts packaged by the bundled helm, GNU tar's
// gnu and pax formats (long names, symlinks, executables), and our own deterministic packer.
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractTarGz, packTar, packTarGz, readTarGz } from '../../shared/adapters/archive/tar-gz.ts';
import { resolveToolPath } from '../../shared/adapters/render/tool-paths.ts';

const run = promisify(execFile);
const LONG = `${'deeply-nested-directory/'.repeat(6)}a-file-with-a-name-past-one-hundred-bytes.yaml`;
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sluice-tar-gz-'));
  const src = join(root, 'src');
  await mkdir(join(src, 'bin'), { recursive: true });
  await mkdir(join(src, LONG, '..'), { recursive: true });
  await writeFile(join(src, 'values.yaml'), 'replicas: 2\n');
  await writeFile(join(src, LONG), 'long: true\n');
  await writeFile(join(src, 'bin', 'run.sh'), '#!/bin/sh\n');
  await chmod(join(src, 'bin', 'run.sh'), 0o755);
  await writeFile(join(src, 'héllo.txt'), 'unicode name\n');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('extractTarGz and readTarGz on real archives', () => {
  it('reads a chart packaged by the bundled helm', async () => {
    const chart = join(root, 'chart', 'demo');
    await mkdir(join(chart, 'templates'), { recursive: true });
    await writeFile(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: demo\nversion: 1.2.3\n');
    await writeFile(join(chart, 'values.yaml'), 'replicas: 1\n');
    await writeFile(join(chart, 'templates', 'cm.yaml'), 'kind: ConfigMap\n');
    const home = join(root, 'helm-home');
    await run(resolveToolPath('helm'), ['package', chart, '--destination', join(root, 'chart')], {
      env: {
        PATH: process.env.PATH,
        HOME: home,
        HELM_CACHE_HOME: home,
        HELM_CONFIG_HOME: home,
        HELM_DATA_HOME: home,
      },
    });
    const archive = await readFile(join(root, 'chart', 'demo-1.2.3.tgz'));
    const files = await readTarGz(archive);
    expect([...files.keys()].sort()).toEqual([
      'demo/Chart.yaml',
      'demo/templates/cm.yaml',
      'demo/values.yaml',
    ]);
    expect(files.get('demo/values.yaml')?.toString()).toBe('replicas: 1\n');
    const dest = join(root, 'helm-out');
    expect(await extractTarGz(archive, dest)).toMatchObject({ files: 3 });
    expect(await readFile(join(dest, 'demo', 'templates', 'cm.yaml'), 'utf8')).toBe('kind: ConfigMap\n');
  });

  it.each(['gnu', 'pax', 'ustar'])(
    'reads tar czf --format=%s with a symlink, long names and modes',
    async (format) => {
      const src = join(root, `src-${format}`);
      await run('cp', ['-a', join(root, 'src'), src]);
      await symlink('values.yaml', join(src, 'link.yaml'));
      const archive = join(root, `${format}.tgz`);
      const names = format === 'ustar' ? ['values.yaml', 'link.yaml', 'bin'] : ['.'];
      await run('tar', ['czf', archive, `--format=${format}`, '-C', src, ...names]);
      const dest = join(root, `out-${format}`);
      await extractTarGz(await readFile(archive), dest);
      expect(await readFile(join(dest, 'values.yaml'), 'utf8')).toBe('replicas: 2\n');
      expect(await readlink(join(dest, 'link.yaml'))).toBe('values.yaml');
      expect((await stat(join(dest, 'bin', 'run.sh'))).mode & 0o777).toBe(0o755);
      expect((await stat(join(dest, 'values.yaml'))).mode & 0o777).toBe(0o644);
      if (format !== 'ustar') {
        expect(await readFile(join(dest, LONG), 'utf8')).toBe('long: true\n');
        expect(await readFile(join(dest, 'héllo.txt'), 'utf8')).toBe('unicode name\n');
      }
      const inMemory = await readTarGz(await readFile(archive));
      expect(inMemory.has('link.yaml')).toBe(false);
      expect(inMemory.get('values.yaml')?.toString()).toBe('replicas: 2\n');
    },
  );

  it('refuses a destination that is not empty', async () => {
    const dest = join(root, 'not-empty');
    await mkdir(dest);
    await writeFile(join(dest, 'x'), '');
    await expect(extractTarGz(await packTarGz(join(root, 'src')), dest)).rejects.toThrow('not empty');
  });
});

describe('packTarGz', () => {
  it('gives the same bytes for the same files, whatever their times, and GNU tar reads them', async () => {
    const a = await packTar(join(root, 'src'));
    const copy = join(root, 'copy');
    await run('cp', ['-r', join(root, 'src'), copy]);
    await chmod(join(copy, 'values.yaml'), 0o600);
    expect((await packTar(copy)).equals(a)).toBe(true);
    expect(gunzipSync(await packTarGz(copy)).equals(a)).toBe(true);
    const archive = join(root, 'packed.tgz');
    await writeFile(archive, await packTarGz(copy));
    const { stdout } = await run('tar', ['tzf', archive]);
    expect(stdout.split('\n')).toContain(LONG);
    expect(stdout.split('\n')).toContain('héllo.txt');
  });

  it('round-trips through readTarGz', async () => {
    const files = await readTarGz(await packTarGz(join(root, 'src')));
    expect([...files.keys()].sort()).toEqual(['bin/run.sh', LONG, 'héllo.txt', 'values.yaml'].sort());
  });

  it('refuses a symlink in the directory', async () => {
    const dir = join(root, 'with-link');
    await mkdir(dir);
    await symlink('nowhere', join(dir, 'l'));
    await expect(packTarGz(dir)).rejects.toMatchObject({ code: 'ArchiveRejected' });
  });
});
