// The puller image, checked without a Docker engine: its Dockerfile read statically (final stage distroless,
// a numeric non-root USER, no RUN, only the bundle copied in, an exec-form ENTRYPOINT), and its build stage
// replayed on a copy of exactly the build context it names, whose bundle then starts on its own.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDockerfile, type Stage } from '../support/dockerfile.ts';

const root = join(import.meta.dirname, '../..');
const stages = parseDockerfile(readFileSync(join(root, 'puller/Dockerfile'), 'utf8'));
const [build, final] = stages as [Stage, Stage];
const ignored = readFileSync(join(root, 'puller/Dockerfile.dockerignore'), 'utf8')
  .split('\n')
  .filter((l) => l !== '' && !l.startsWith('#'));
const only = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword);

describe('the puller Dockerfile', () => {
  it('has a build stage and a distroless Node 24 final stage', () => {
    expect(stages).toHaveLength(2);
    expect(build.name).toBe('build');
    expect(final.base).toMatch(/^gcr\.io\/distroless\/nodejs24-debian\d+:nonroot(@sha256:[0-9a-f]{64})?$/);
  });

  it('runs the final stage as a numeric non-root user, so runAsNonRoot can check it', () => {
    const users = only(final, 'USER');
    expect(users).toHaveLength(1);
    const [uid, gid] = (users[0]?.args ?? '').split(':').map(Number);
    expect(uid).toBeGreaterThan(0);
    expect(gid).toBeGreaterThan(0);
  });

  it('runs nothing in the final stage and copies in only the build stage output', () => {
    expect(only(final, 'RUN')).toEqual([]);
    expect(only(final, 'ADD')).toEqual([]);
    const copies = only(final, 'COPY');
    expect(copies.map((c) => [c.flags.from, c.flags.chown, c.args])).toEqual([
      ['build', '0:0', '/out/ /app/'],
    ]);
  });

  it('starts node on the bundle in exec form (signals reach node, no shell needed)', () => {
    expect(only(final, 'ENTRYPOINT').map((e) => e.exec)).toEqual([['/nodejs/bin/node', '/app/puller.mjs']]);
    expect(only(final, 'CMD')).toEqual([]);
  });

  it('keeps the build context to what the build stage copies', () => {
    expect(ignored.slice(0, 1)).toEqual(['*']);
    const copied = only(build, 'COPY').flatMap((c) => c.args.split(/\s+/).slice(0, -1));
    expect(copied.sort()).toEqual(['package-lock.json', 'package.json', 'puller', 'shared']);
    expect(ignored.filter((l) => l.startsWith('!')).sort()).toEqual(
      ['package-lock.json', 'package.json', 'puller', 'shared'].map((p) => `!${p}`),
    );
  });
});

describe('the build stage replayed on its build context', () => {
  let dir: string;
  let out: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-puller-image-'));
    const context = join(dir, 'src');
    const excluded = ignored
      .filter((l) => !l.startsWith('!') && l !== '*')
      .map((l) => join(root, l.replace(/\/$/, '')));
    out = join(dir, 'out');
    for (const copy of only(build, 'COPY')) {
      for (const source of copy.args.split(/\s+/).slice(0, -1))
        cpSync(join(root, source), join(context, source), {
          recursive: true,
          // The ignore file's exclusions below the included folders (puller/dist, puller/deploy).
          filter: (src) => !excluded.some((p) => src === p || src.startsWith(`${p}/`)),
        });
    }
    // `npm ci` stands in as the project's installed node_modules.
    symlinkSync(join(root, 'node_modules'), join(context, 'node_modules'));
    const bundle = only(build, 'RUN').find((r) => r.args.includes('bundle-puller'));
    const [cmd, ...args] = (bundle?.args ?? '').split(/\s+/).map((a) => a.replace(/^\/out\//, `${out}/`));
    expect(cmd).toBe('node');
    execFileSync(process.execPath, args, { cwd: context, stdio: 'pipe' });
  }, 120_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the bundle the final stage copies', () => {
    expect(readdirSync(out)).toContain('puller.mjs');
    expect(existsSync(join(dir, 'src', 'puller', 'deploy'))).toBe(false);
  });

  it('yields a bundle that starts alone and names its missing settings', () => {
    const run = spawnSync(process.execPath, [join(out, 'puller.mjs')], {
      cwd: out,
      env: { PATH: '/usr/bin:/bin' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('SLUICE_CLUSTER is not set');
  });
});
