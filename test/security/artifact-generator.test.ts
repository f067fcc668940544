// ArtifactGenerator copy operations are hostile input: paths that leave the source or the artifact are refused,
// links in an input snapshot are never followed, every count and size is bounded (files, bytes, operations,
// brace and glob patterns, YAML aliases, discovered directories), and under noCrossNamespaceRefs a generator reads only its own namespace.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsArtifactComposer } from '../../shared/adapters/generator/fs-artifact-composer.ts';
import type { CopyOperation } from '../../shared/core/generator/copy-operation.ts';
import { compileExclude, matchExclude } from '../../shared/core/generator/exclude-match.ts';
import { mergeYaml } from '../../shared/core/generator/merge-yaml.ts';
import { discoverArtifacts } from '../../shared/core/generator/path-pattern.ts';
import { type PlanLimits, planArtifact } from '../../shared/core/generator/plan-artifact.ts';
import { matchSegment } from '../../shared/core/generator/segment-match.ts';
import { SourceTree, type TreeEntry } from '../../shared/core/generator/source-tree.ts';
import { errorOf } from '../support/error-of.ts';
import { type Harness, startHarness } from '../support/pipeline-harness.ts';

const LIMITS: PlanLimits = { maxFiles: 50, maxTotalBytes: 1000, maxCopyOperations: 5 };

const op = (from: string, to: string, more: Partial<CopyOperation> = {}): CopyOperation => ({
  from,
  to,
  exclude: [],
  strategy: 'Overwrite',
  ...more,
});

function tree(files: Record<string, number>): SourceTree {
  const entries = new Map<string, TreeEntry>();
  for (const [file, size] of Object.entries(files)) {
    const segs = file.split('/');
    for (let i = 1; i < segs.length; i++) entries.set(segs.slice(0, i).join('/'), { type: 'dir' });
    entries.set(file, { type: 'file', size });
  }
  return new SourceTree(entries);
}

const src = tree({ 'app/a.yaml': 10, 'b.yaml': 10 });
const plan = (copy: CopyOperation[], sources = new Map([['src', src]])) =>
  planArtifact(copy, sources, LIMITS, 'spec.artifacts[0]');

describe('copy paths that would leave the source or the artifact', () => {
  it.each([
    ['@src/../other-tenant/secret.yaml', '@artifact/'],
    ['@src/app/../../x.yaml', '@artifact/'],
    ['@src//etc/passwd', '@artifact/'],
    ['@src/../*', '@artifact/'],
    ['@src/b.yaml', '@artifact/../escape.yaml'],
    ['@src/b.yaml', '@artifact//etc/escape.yaml'],
    ['@src/b.yaml', '@artifact/a/../../escape.yaml'],
  ])('%s → %s is refused as PathEscapesRoot', (from, to) => {
    expect(errorOf(() => plan([op(from, to)])).code).toBe('PathEscapesRoot');
  });

  it('refuses a backslash in a destination, a separator elsewhere', () => {
    expect(errorOf(() => plan([op('@src/b.yaml', '@artifact/..\\escape.yaml')])).code).toBe(
      'ValidationFailed',
    );
  });
});

describe('bounds', () => {
  it('refuses an artifact of more files and directories than a snapshot may hold', () => {
    const many = tree(Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`f${i}.yaml`, 1])));
    expect(errorOf(() => plan([op('@src/*', '@artifact/')], new Map([['src', many]]))).code).toBe(
      'LimitExceeded',
    );
  });

  it('refuses an artifact of more bytes than a snapshot may hold, copies of one file counted each time', () => {
    const big = tree({ 'big.yaml': 600 });
    const copy = [op('@src/big.yaml', '@artifact/one.yaml'), op('@src/big.yaml', '@artifact/two.yaml')];
    expect(errorOf(() => plan(copy, new Map([['src', big]]))).code).toBe('LimitExceeded');
  });

  it('refuses more copy operations than the bound', () => {
    const copy = Array.from({ length: 6 }, () => op('@src/b.yaml', '@artifact/'));
    expect(errorOf(() => plan(copy)).code).toBe('LimitExceeded');
  });

  it('refuses an exclude whose braces expand without end', () => {
    const bomb = '{a,b}'.repeat(20);
    expect(errorOf(() => compileExclude(bomb)).code).toBe('ValidationFailed');
    expect(errorOf(() => plan([op('@src/*', '@artifact/', { exclude: [bomb] })])).code).toBe(
      'ValidationFailed',
    );
  });

  it('matches star-heavy globs and excludes against long names and deep paths without backtracking blow-up', () => {
    expect(matchSegment('*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(4000))).toBe(false);
    const deep = Array.from({ length: 200 }, () => 'd').join('/');
    expect(matchExclude(compileExclude('**/**/**/**/**/**/**/**/**/**/x'), deep)).toBe(false);
  });

  it('refuses a pathPattern that discovers more artifacts than the bound, and directory names that are no label value', () => {
    const dirs = tree(Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`apps/app${i}/k.yaml`, 1])));
    const each = { name: '{app}', copy: [op('@src/apps/{app}/**', '@artifact/')] };
    expect(errorOf(() => discoverArtifacts('@src/apps/{app}', [each], dirs, 10)).code).toBe('LimitExceeded');
    const hostile = tree({ 'apps/.hidden/k.yaml': 1, 'apps/a b/k.yaml': 1 });
    expect(errorOf(() => discoverArtifacts('@src/apps/{app}', [each], hostile)).code).toBe(
      'ValidationFailed',
    );
  });

  it('refuses a YAML alias bomb in a merged file instead of expanding it', () => {
    const laughs = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
      'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
      'g: [*f,*f,*f,*f,*f,*f,*f,*f,*f]',
    ].join('\n');
    expect(
      errorOf(() => mergeYaml({ text: 'a: 1\n', name: 'base' }, { text: laughs, name: 'bomb' })).code,
    ).toBe('ValidationFailed');
  });

  it('never quotes the text of a file it cannot merge', () => {
    const e = errorOf(() =>
      mergeYaml(
        { text: 'a: 1\n', name: 'base' },
        { text: 'password: hunter2-secret\n  bad: [indent', name: 'values' },
      ),
    );
    expect(e.code).toBe('ValidationFailed');
    expect(e.message).not.toContain('hunter2');
  });
});

describe('links in an input snapshot', () => {
  const root = mkdtempSync(join(tmpdir(), 'sluice-generator-sec-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('are never followed: neither a file link nor a directory link reaches the artifact', async () => {
    const outside = join(root, 'other-tenant');
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(outside, 'secret.yaml'), 'token: do-not-copy\n');
    const input = join(root, 'input');
    mkdirSync(join(input, 'app'), { recursive: true });
    writeFileSync(join(input, 'app/cm.yaml'), 'kind: ConfigMap\n');
    symlinkSync(join(outside, 'secret.yaml'), join(input, 'app/link.yaml'));
    symlinkSync(outside, join(input, 'app/linked-dir'));
    const composer = new FsArtifactComposer({ snapshotsDir: join(root, 'snapshots') });
    const listed = await composer.list(input);
    expect(listed.list('app')).toEqual(['cm.yaml']);
    const sources = new Map([['src', listed]]);
    const all = planArtifact([op('@src/app/**', '@artifact/')], sources, LIMITS, 'spec.artifacts[0]');
    expect([...all.files.keys()]).toEqual(['cm.yaml']);
    expect(
      errorOf(() => planArtifact([op('@src/app/link.yaml', '@artifact/')], sources, LIMITS, 'x')).code,
    ).toBe('PathNotFound');
    expect(
      errorOf(() => planArtifact([op('@src/app/linked-dir/', '@artifact/')], sources, LIMITS, 'x')).code,
    ).toBe('PathNotFound');
  });
});

describe('noCrossNamespaceRefs', () => {
  let h: Harness;
  const tenant = `apiVersion: source.extensions.fluxcd.io/v1beta1
kind: ArtifactGenerator
metadata:
  name: steal
  namespace: team-a
spec:
  sources:
    - alias: platform
      kind: GitRepository
      name: flux-system
      namespace: flux-system
  artifacts:
    - name: stolen
      copy:
        - from: "@platform/clusters/**"
          to: "@artifact/"
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: stolen
  namespace: team-a
spec:
  interval: 1h
  path: ./
  prune: true
  sourceRef:
    kind: ExternalArtifact
    name: stolen
`;

  beforeAll(async () => {
    h = await startHarness({
      files: { 'clusters/dev/tenant-generator.yaml': tenant },
      settings: { clusters: ['dev'], noCrossNamespaceRefs: true },
    });
    await h.start();
  }, 90_000);

  afterAll(async () => {
    await h?.close();
  });

  it("refuses a generator reading another namespace's source, and composes nothing from it", async () => {
    const denied = await h.waitFor(
      'the artifact refused',
      async () => (await h.status()).sources.find((s) => s.kind === 'ExternalArtifact' && s.error)?.error,
    );
    expect(denied.code).toBe('AccessDenied');
    expect(denied.message).toContain('ArtifactGenerator/team-a/steal: spec.sources[alias=platform]');
    const artifact = (await h.status()).sources.find((s) => s.kind === 'ExternalArtifact');
    expect(artifact?.revision).toBeUndefined();
  });
});
