// The puller image, checked without a Docker engine: its Dockerfile read statically (final stage distroless,
// a numeric non-root USER, no RUN, only the bundle copied in, an exec-form ENTRYPOINT), and its build stage
// replayed on a copy of exactly the build context it names, whose bundle then runs as the ENTRYPOINT runs it
// (Node's permission model: no file writes) against the local S3/SQS server and the test API server.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signArtifact } from '../../shared/core/artifact/sign-artifact.ts';
import { setOwnerLabels } from '../../shared/core/render/owner-labels.ts';
import { defaultQueueNames } from '../../shared/usecases/pipeline-deps.ts';
import { parseDockerfile, type Stage } from '../support/dockerfile.ts';
import { startKubeApiServer } from '../support/kube-api-server.ts';
import { startPullerWorld, storeAndIndex, testArtifact } from '../support/puller-world.ts';

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

  it('starts node on the bundle in exec form (signals reach node, no shell needed), allowed to read only', () => {
    expect(only(final, 'ENTRYPOINT').map((e) => e.exec)).toEqual([
      [
        '/nodejs/bin/node',
        // memory settings, measured by bench/puller-footprint.ts
        '--optimize-for-size',
        '--max-semi-space-size=1',
        '--no-turbofan',
        '--no-maglev',
        '--no-sparkplug',
        '--liftoff-only',
        '--bytecode-old-age=1',
        '--no-node-snapshot',
        '--no-icu-timezone-data',
        '--expose-gc',
        '--permission',
        '--allow-fs-read=*',
        '/app/puller.cjs',
      ],
    ]);
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
    expect(readdirSync(out).sort()).toEqual(['llhttp.wasm', 'llhttp_simd.wasm', 'puller.cjs']);
    expect(existsSync(join(dir, 'src', 'puller', 'deploy'))).toBe(false);
  });

  it('yields a bundle that, started as the ENTRYPOINT starts it, with no file write permitted, applies a signed artifact and turns ready', async () => {
    const [, ...flags] = only(final, 'ENTRYPOINT')[0]?.exec ?? [];
    const argv = flags.map((a) => (a === '/app/puller.cjs' ? join(out, 'puller.cjs') : a));
    const queues = defaultQueueNames('image');
    const world = await startPullerWorld({ name: 'image', bucket: 'sluice', queues, clusters: ['edge'] });
    const kube = await startKubeApiServer({ namespaces: ['apps'] });
    let logs = '';
    const child = spawn(process.execPath, argv, {
      cwd: out,
      env: {
        PATH: '/usr/bin:/bin',
        SLUICE_CLUSTER: 'edge',
        SLUICE_BUCKET: 'sluice',
        SLUICE_QUEUE_PREFIX: 'image',
        SLUICE_PUBLIC_KEY: world.publicKeyPem,
        SLUICE_AWS_ENDPOINT: world.fauxqs.endpoint,
        SLUICE_METRICS_ADDR: '127.0.0.1:0',
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: world.fauxqs.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: world.fauxqs.credentials.secretAccessKey,
        KUBECONFIG: join(dir, 'kubeconfig'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr.on('data', (c: Buffer) => {
      logs += c.toString();
    });
    try {
      writeFileSync(join(dir, 'kubeconfig'), kube.kubeconfig());
      const target = { kind: 'Kustomization' as const, namespace: 'flux-system', name: 'apps' };
      const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'from-image', namespace: 'apps' } };
      setOwnerLabels(cm, target);
      const signed = await signArtifact(testArtifact('edge', target, 1, [cm]), world.keys);
      await storeAndIndex({ store: world.store, cluster: 'edge' }, target, signed, {
        revision: 'main@sha1:1',
        publishedAt: Date.now(),
      });
      let ready = false;
      for (let i = 0; i < 200 && !ready; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const url = /"endpoints":"(http:[^"]+)"/.exec(logs)?.[1];
        ready = !!url && (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200;
      }
      expect(ready, logs).toBe(true);
      expect(kube.object('v1', 'ConfigMap', 'from-image', 'apps'), logs).toBeDefined();
      expect(logs).not.toContain('ERR_ACCESS_DENIED');
    } finally {
      child.kill('SIGTERM');
      await kube.close();
      await world.close();
    }
  }, 60_000);

  it('yields a bundle that starts alone and names its missing settings', () => {
    const run = spawnSync(process.execPath, [join(out, 'puller.cjs')], {
      cwd: out,
      env: { PATH: '/usr/bin:/bin' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('SLUICE_CLUSTER is not set');
  });
});
