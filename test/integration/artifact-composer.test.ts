// ArtifactGenerator artifacts on disk: input snapshots listed, the plan written as a read-only file set
// named by its content digest, YAML merged as Helm merges values files, the same files giving the same digest.
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FsArtifactComposer } from '../../shared/adapters/generator/fs-artifact-composer.ts';
import type { CopyOperation } from '../../shared/core/generator/copy-operation.ts';
import { planArtifact } from '../../shared/core/generator/plan-artifact.ts';
import type { SourceTree } from '../../shared/core/generator/source-tree.ts';

const root = mkdtempSync(join(tmpdir(), 'sluice-composer-'));
const composer = new FsArtifactComposer({ snapshotsDir: join(root, 'snapshots') });
const LIMITS = { maxFiles: 1000, maxTotalBytes: 10_000_000, maxCopyOperations: 100 };

afterAll(() => {
  // The file sets are read-only: make their directories writable again to remove them.
  const dirs = [join(root, 'snapshots')];
  for (const entry of readdirSync(join(root, 'snapshots'), { recursive: true, withFileTypes: true }))
    if (entry.isDirectory()) dirs.push(join(entry.parentPath, entry.name));
  for (const dir of dirs) chmodSync(dir, 0o755);
  rmSync(root, { recursive: true, force: true });
});

function snapshot(name: string, files: Record<string, string>): string {
  const dir = join(root, 'inputs', name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const op = (from: string, to: string, more: Partial<CopyOperation> = {}): CopyOperation => ({
  from,
  to,
  exclude: [],
  strategy: 'Overwrite',
  ...more,
});

async function compose(copy: CopyOperation[], inputs: Record<string, string>) {
  const dirs = new Map(Object.entries(inputs));
  const trees = new Map<string, SourceTree>();
  for (const [alias, dir] of dirs) trees.set(alias, await composer.list(dir));
  return composer.write(planArtifact(copy, trees, LIMITS, 'spec.artifacts[0]'), dirs);
}

const chart = snapshot('chart', {
  'podinfo/Chart.yaml': 'name: podinfo\nversion: 6.7.0\n',
  'podinfo/values.yaml':
    'replicaCount: 1\nimage:\n  repository: ghcr.io/stefanprodan/podinfo\n  tag: 6.7.0\nports: [80, 443]\n',
  'podinfo/templates/deploy.yaml': 'kind: Deployment\n',
});
const repo = snapshot('repo', {
  'values-prod.yaml': 'replicaCount: 3\nimage:\n  tag: 6.7.1\nports: [8080]\n',
  'notes.md': '# notes\n',
});

describe('a composed artifact on disk', () => {
  it('holds the planned files, with a values file merged as Helm merges --values', async () => {
    const out = await compose(
      [
        op('@chart/', '@artifact/'),
        op('@repo/values-prod.yaml', '@artifact/podinfo/values.yaml', { strategy: 'Merge' }),
      ],
      { chart, repo },
    );
    expect(out.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(out.dir).toBe(join(root, 'snapshots', out.digest.slice('sha256:'.length)));
    expect(readFileSync(join(out.dir, 'podinfo/Chart.yaml'), 'utf8')).toBe('name: podinfo\nversion: 6.7.0\n');
    // Maps merged key by key, lists replaced whole, keys sorted as sigs.k8s.io/yaml writes them.
    expect(readFileSync(join(out.dir, 'podinfo/values.yaml'), 'utf8')).toBe(
      'image:\n  repository: ghcr.io/stefanprodan/podinfo\n  tag: 6.7.1\nports:\n- 8080\nreplicaCount: 3\n',
    );
    expect(readFileSync(join(out.dir, 'podinfo/templates/deploy.yaml'), 'utf8')).toBe('kind: Deployment\n');
  });

  it('is read-only once written', async () => {
    const out = await compose([op('@repo/values-prod.yaml', '@artifact/')], { repo });
    expect(statSync(out.dir).mode & 0o222).toBe(0);
    expect(statSync(join(out.dir, 'values-prod.yaml')).mode & 0o222).toBe(0);
  });

  it('gets the same digest for the same files however they were copied, and another for other files', async () => {
    const a = await compose([op('@chart/podinfo/**', '@artifact/')], { chart });
    const b = await compose(
      [
        op('@chart/podinfo/Chart.yaml', '@artifact/'),
        op('@chart/podinfo/values.yaml', '@artifact/'),
        op('@chart/podinfo/templates', '@artifact/'),
      ],
      { chart },
    );
    const c = await compose([op('@chart/podinfo/**', '@artifact/', { exclude: ['templates/**'] })], {
      chart,
    });
    expect(b.digest).toBe(a.digest);
    expect(c.digest).not.toBe(a.digest);
  });

  it('refuses to merge a file that is not a YAML mapping, naming both files', async () => {
    const list = snapshot('list', { 'values.yaml': '- a\n- b\n' });
    await expect(
      compose(
        [
          op('@chart/podinfo/values.yaml', '@artifact/values.yaml'),
          op('@list/values.yaml', '@artifact/values.yaml', { strategy: 'Merge' }),
        ],
        { chart, list },
      ),
    ).rejects.toMatchObject({
      code: 'ValidationFailed',
      message: expect.stringContaining('list:values.yaml'),
    });
  });
});
