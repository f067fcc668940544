// The pre-build guard: every kustomization reachable from the build path is followed, remote bases are
// refused unless enabled, and no file reference (symlinks included) may resolve outside the repository.
import { describe, expect, it } from 'vitest';
import { guardKustomizeTree } from '../../../../shared/core/render/guard-kustomize-tree.ts';
import { errorOf } from '../../../support/error-of.ts';
import { type MemoryNode, memoryTree } from '../../../support/memory-tree.ts';

type Raw = Record<string, unknown>;

const ROOT = '/src';
const DIR = '/src/apps';

/** Paths relative to the repository root, or absolute (outside it). */
function tree(files: Record<string, MemoryNode>) {
  return memoryTree(
    Object.fromEntries(
      Object.entries(files).map(([p, node]) => [p.startsWith('/') ? p : `${ROOT}/${p}`, node]),
    ),
  );
}

function guard(k: Raw, files: Record<string, MemoryNode> = {}, allowRemoteBases = false, dir = DIR): void {
  guardKustomizeTree(tree({ 'apps/': '', ...files }), dir, k, { root: ROOT, allowRemoteBases });
}

const remoteMessage = (file: string, field: string, ref: string) =>
  `${file}: ${field}: remote reference ${JSON.stringify(ref)} is not allowed; vendor it into the repository or enable remote bases for this Sluice installation`;
const escapeMessage = (file: string, field: string, ref: string) =>
  `${file}: ${field}: ${JSON.stringify(ref)} points outside the repository; reference files inside the repository only`;

describe('guardKustomizeTree', () => {
  describe('accepts local references inside the repository', () => {
    const cases: { name: string; k: Raw; files?: Record<string, MemoryNode> }[] = [
      {
        name: 'plain resources',
        k: { resources: ['cm.yaml', './deploy.yaml'] },
        files: { 'apps/cm.yaml': '', 'apps/deploy.yaml': '' },
      },
      {
        name: 'a base one level up, followed into its own kustomization',
        k: { resources: ['../base'] },
        files: { 'base/kustomization.yaml': 'resources: [cm.yaml]\npatches:\n  - path: ../shared/p.yaml\n' },
      },
      {
        name: 'a missing local path (kustomize reports it)',
        k: { resources: ['missing.yaml', '../nowhere'] },
      },
      {
        name: 'generator files inside the repository, with and without a key',
        k: {
          configMapGenerator: [
            { name: 'c', files: ['app.properties', 'key=../shared/value.txt'], envs: ['.env'] },
          ],
          secretGenerator: [{ name: 's', files: ['../shared/secret.txt'], env: 'secret.env' }],
        },
      },
      {
        name: 'inline generator/transformer documents are not paths',
        k: { transformers: ['apiVersion: builtin\nkind: LabelTransformer\nmetadata:\n  name: x\n'] },
      },
      {
        name: 'a symlink that stays inside the repository',
        k: { resources: ['link.yaml', 'linked-dir'] },
        files: {
          'apps/link.yaml': { symlink: '../shared/cm.yaml' },
          'shared/cm.yaml': '',
          'apps/linked-dir': { symlink: '../shared' },
        },
      },
      {
        name: 'a cycle between two kustomizations',
        k: { resources: ['../a'] },
        files: {
          'a/kustomization.yaml': 'resources: [../b]\n',
          'b/kustomization.yaml': 'resources: [../a, ../apps]\n',
        },
      },
      {
        name: 'a file whose name merely starts with two dots, at the repository root',
        k: { resources: ['..data/cm.yaml'] },
        files: { '..data/cm.yaml': '' },
      },
    ];
    it.each(cases)('$name', (c) => {
      const dir = c.name.includes('repository root') ? ROOT : DIR;
      expect(() => guard(c.k, c.files, false, dir)).not.toThrow();
    });
  });

  describe('refuses remote references unless remote bases are allowed', () => {
    const refs = [
      'https://github.com/org/repo//deploy?ref=v1.0.0',
      'http://example.com/manifests/app.yaml',
      'git::https://github.com/org/repo//deploy',
      'github.com/fluxcd/flux2/manifests/install?ref=main',
      'git@github.com:org/repo.git//deploy',
      'ssh://git@github.com/org/repo//deploy',
      'gh:org/repo',
      's3://bucket/key',
    ];
    it.each(refs)('resources: %s', (ref) => {
      const err = errorOf(() => guard({ resources: ['cm.yaml', ref] }));
      expect(err).toEqual({
        code: 'RemoteBaseDisabled',
        message: remoteMessage('apps/kustomization.yaml', 'resources[1]', ref),
      });
    });

    const https = refs.slice(0, 4).filter((r) => !r.startsWith('http://'));
    it.each(https)('with remote bases enabled, an https reference is allowed and listed: %s', (ref) => {
      const inputs = guardKustomizeTree(
        tree({ 'apps/': '' }),
        DIR,
        { resources: [ref] },
        {
          root: ROOT,
          allowRemoteBases: true,
        },
      );
      expect(inputs.remotes).toEqual([ref]);
    });

    const notHttps = refs.filter((r) => !https.includes(r));
    it.each(notHttps)('with remote bases enabled, anything but https is still refused: %s', (ref) => {
      const err = errorOf(() => guard({ resources: [ref] }, {}, true));
      expect(err.code).toBe('RemoteBaseDisabled');
      expect(err.message).toContain('is not https');
    });

    const fields: { name: string; k: Raw; field: string }[] = [
      { name: 'components', k: { components: ['https://example.com/c'] }, field: 'components[0]' },
      { name: 'bases', k: { bases: ['github.com/org/repo//base'] }, field: 'bases[0]' },
      {
        name: 'patches[].path',
        k: { patches: [{ path: 'https://example.com/p.yaml' }] },
        field: 'patches[0].path',
      },
      { name: 'crds', k: { crds: ['https://example.com/crd.yaml'] }, field: 'crds[0]' },
    ];
    it.each(fields)('in $name', (c) => {
      const ref = JSON.parse(JSON.stringify(c.k)) as Raw;
      const err = errorOf(() => guard(ref));
      expect(err.code).toBe('RemoteBaseDisabled');
      expect(err.message.startsWith(`apps/kustomization.yaml: ${c.field}: remote reference `)).toBe(true);
    });

    it('in a base reached through resources, naming that base’s file', () => {
      const files = {
        'base/kustomization.yaml': 'resources:\n  - cm.yaml\n  - https://example.com/x.yaml\n',
      };
      expect(errorOf(() => guard({ resources: ['../base'] }, files))).toEqual({
        code: 'RemoteBaseDisabled',
        message: remoteMessage('base/kustomization.yaml', 'resources[1]', 'https://example.com/x.yaml'),
      });
    });

    it('in a component reached through components', () => {
      const files = {
        'components/c/kustomization.yaml': 'kind: Component\ncomponents:\n  - git::https://example.com/r\n',
      };
      expect(errorOf(() => guard({ components: ['../components/c'] }, files)).code).toBe(
        'RemoteBaseDisabled',
      );
    });
  });

  describe('refuses references that leave the repository', () => {
    const outside: Record<string, MemoryNode> = { '/etc/passwd': 'root:x:0:0', '/etc/ssl/': '' };
    const cases: {
      name: string;
      k: Raw;
      files?: Record<string, MemoryNode>;
      file?: string;
      field: string;
      ref: string;
    }[] = [
      {
        name: 'resources climbing out',
        k: { resources: ['../../outside'] },
        field: 'resources[0]',
        ref: '../../outside',
      },
      {
        name: 'components climbing out',
        k: { components: ['../../../c'] },
        field: 'components[0]',
        ref: '../../../c',
      },
      { name: 'bases climbing out', k: { bases: ['../../b'] }, field: 'bases[0]', ref: '../../b' },
      {
        name: 'a patch file',
        k: { patches: [{ path: '../../outside/patch.yaml' }] },
        field: 'patches[0].path',
        ref: '../../outside/patch.yaml',
      },
      {
        name: 'a patchesJson6902 file',
        k: { patchesJson6902: [{ path: '../../p.json', target: { kind: 'X' } }] },
        field: 'patchesJson6902[0].path',
        ref: '../../p.json',
      },
      {
        name: 'a patchesStrategicMerge file',
        k: { patchesStrategicMerge: ['../../smp.yaml'] },
        field: 'patchesStrategicMerge[0]',
        ref: '../../smp.yaml',
      },
      {
        name: 'a replacements file',
        k: { replacements: [{ path: '../../r.yaml' }] },
        field: 'replacements[0].path',
        ref: '../../r.yaml',
      },
      {
        name: 'a configMapGenerator file with a key',
        k: { configMapGenerator: [{ name: 'c', files: ['ok.txt', 'key=../../outside.txt'] }] },
        field: 'configMapGenerator[0].files[1]',
        ref: '../../outside.txt',
      },
      {
        name: 'a configMapGenerator file without a key',
        k: { configMapGenerator: [{ name: 'c', files: ['../../x'] }] },
        field: 'configMapGenerator[0].files[0]',
        ref: '../../x',
      },
      {
        name: 'a configMapGenerator env file',
        k: { configMapGenerator: [{ name: 'c', envs: ['../../.env'] }] },
        field: 'configMapGenerator[0].envs[0]',
        ref: '../../.env',
      },
      {
        name: 'a secretGenerator file',
        k: { secretGenerator: [{ name: 's', files: ['id_rsa=../../../root/.ssh/id_rsa'] }] },
        field: 'secretGenerator[0].files[0]',
        ref: '../../../root/.ssh/id_rsa',
      },
      {
        name: 'a secretGenerator env (singular)',
        k: { secretGenerator: [{ name: 's', env: '../../s.env' }] },
        field: 'secretGenerator[0].env',
        ref: '../../s.env',
      },
      {
        name: 'openapi.path',
        k: { openapi: { path: '../../schema.json' } },
        field: 'openapi.path',
        ref: '../../schema.json',
      },
      { name: 'a crds file', k: { crds: ['../../crd.yaml'] }, field: 'crds[0]', ref: '../../crd.yaml' },
      {
        name: 'a transformers path',
        k: { transformers: ['../../t.yaml'] },
        field: 'transformers[0]',
        ref: '../../t.yaml',
      },
      {
        name: 'a symlinked file resolving outside',
        k: { resources: ['passwd.yaml'] },
        files: { 'apps/passwd.yaml': { symlink: '/etc/passwd' } },
        field: 'resources[0]',
        ref: 'passwd.yaml',
      },
      {
        name: 'a symlinked directory climbing out with ../',
        k: { resources: ['escape'] },
        files: { 'apps/escape': { symlink: '../../etc' } },
        field: 'resources[0]',
        ref: 'escape',
      },
      {
        name: 'a path through a symlinked directory',
        k: { configMapGenerator: [{ name: 'c', files: ['up/passwd'] }] },
        files: { 'apps/up': { symlink: '../../etc' } },
        field: 'configMapGenerator[0].files[0]',
        ref: 'up/passwd',
      },
      {
        name: 'a patch in a base, naming the base file',
        k: { resources: ['../base'] },
        files: { 'base/kustomization.yaml': 'patches:\n  - path: ../../../p.yaml\n' },
        file: 'base/kustomization.yaml',
        field: 'patches[0].path',
        ref: '../../../p.yaml',
      },
      {
        name: 'a generator file two bases deep',
        k: { resources: ['../a'] },
        files: {
          'a/kustomization.yaml': 'resources: [../b]\n',
          'b/kustomization.yml': 'configMapGenerator:\n  - name: c\n    files: [../../x.txt]\n',
        },
        file: 'b/kustomization.yml',
        field: 'configMapGenerator[0].files[0]',
        ref: '../../x.txt',
      },
    ];
    it.each(cases)('$name', (c) => {
      const err = errorOf(() => guard(c.k, { ...outside, ...c.files }));
      expect(err).toEqual({
        code: 'PathEscapesRoot',
        message: escapeMessage(c.file ?? 'apps/kustomization.yaml', c.field, c.ref),
      });
    });

    const absolute: { k: Raw; field: string; ref: string; allow: boolean }[] = [false, true].flatMap(
      (allow) => [
        { k: { resources: ['/etc/passwd'] }, field: 'resources[0]', ref: '/etc/passwd', allow },
        {
          k: { configMapGenerator: [{ name: 'env', files: ['/proc/self/environ'] }] },
          field: 'configMapGenerator[0].files[0]',
          ref: '/proc/self/environ',
          allow,
        },
        {
          k: { secretGenerator: [{ name: 's', files: ['key=/etc/passwd'] }] },
          field: 'secretGenerator[0].files[0]',
          ref: '/etc/passwd',
          allow,
        },
      ],
    );
    it.each(absolute)('an absolute path in $field is a path escape (allowRemoteBases: $allow)', (c) => {
      const files = { ...outside, '/proc/self/environ': 'AWS_SECRET_ACCESS_KEY=x' };
      expect(errorOf(() => guard(c.k, files, c.allow))).toEqual({
        code: 'PathEscapesRoot',
        message: `apps/kustomization.yaml: ${c.field}: ${JSON.stringify(c.ref)} points outside the repository; use a path relative to the kustomization`,
      });
    });

    it('allowing remote bases does not allow leaving the repository', () => {
      expect(errorOf(() => guard({ resources: ['../../outside'] }, {}, true)).code).toBe('PathEscapesRoot');
    });
  });

  describe('refuses helmCharts, as Flux builds without Helm', () => {
    const message = (file: string) =>
      `${file}: helmCharts: Helm chart inflation in kustomize is disabled, as in Flux; use a HelmRelease instead`;

    it.each([false, true])('in the root kustomization (allowRemoteBases: %s)', (allow) => {
      const k = { helmCharts: [{ name: 'podinfo', repo: 'https://stefanprodan.github.io/podinfo' }] };
      expect(errorOf(() => guard(k, {}, allow))).toEqual({
        code: 'BuildFailed',
        message: message('apps/kustomization.yaml'),
      });
    });

    it('in a base', () => {
      const files = { 'base/kustomization.yaml': 'helmCharts:\n  - name: podinfo\n    version: 6.0.0\n' };
      expect(errorOf(() => guard({ resources: ['../base'] }, files))).toEqual({
        code: 'BuildFailed',
        message: message('base/kustomization.yaml'),
      });
    });

    it('an empty helmCharts list is harmless', () => {
      expect(() => guard({ helmCharts: [] })).not.toThrow();
    });
  });
  describe('follows built-in plugin configurations (generators, transformers, validators)', () => {
    const gen = (body: string) => `apiVersion: builtin\nkind: ${body}`;
    const escapes: { name: string; k: Raw; files?: Record<string, MemoryNode>; field: string }[] = [
      {
        name: 'a ConfigMapGenerator file listed in generators, reading an absolute path',
        k: { generators: ['gen.yaml'] },
        files: { 'apps/gen.yaml': gen('ConfigMapGenerator\nmetadata: {name: x}\nfiles: [/etc/passwd]\n') },
        field: 'generators[0] (document 1).files[0]',
      },
      {
        name: 'a SecretGenerator in the second document of a generator file, climbing out',
        k: { generators: ['gen.yaml'] },
        files: {
          'apps/gen.yaml': `${gen('LabelTransformer\nmetadata: {name: l}\n')}---\n${gen('SecretGenerator\nmetadata: {name: s}\nenvs: [../../x.env]\n')}`,
        },
        field: 'generators[0] (document 2).envs[0]',
      },
      {
        name: 'an inline SecretGenerator with a keyed file',
        k: { generators: [gen('SecretGenerator\nmetadata: {name: s}\nfiles: [k=/proc/self/environ]\n')] },
        field: 'generators[0].files[0]',
      },
      {
        name: 'a PatchTransformer path',
        k: { transformers: ['t.yaml'] },
        files: { 'apps/t.yaml': gen('PatchTransformer\nmetadata: {name: p}\npath: ../../p.yaml\n') },
        field: 'transformers[0] (document 1).path',
      },
      {
        name: 'a PatchStrategicMergeTransformer path list',
        k: {
          transformers: [gen('PatchStrategicMergeTransformer\nmetadata: {name: p}\npaths: [/etc/shadow]\n')],
        },
        field: 'transformers[0].paths[0]',
      },
      {
        name: 'a ReplacementTransformer replacements file',
        k: {
          transformers: [
            gen('ReplacementTransformer\nmetadata: {name: r}\nreplacements: [{path: ../../r.yaml}]\n'),
          ],
        },
        field: 'transformers[0].replacements[0].path',
      },
      {
        name: 'a validator config',
        k: { validators: ['v.yaml'] },
        files: { 'apps/v.yaml': gen('PatchJson6902Transformer\nmetadata: {name: v}\npath: /x.json\n') },
        field: 'validators[0] (document 1).path',
      },
      {
        name: 'a plugin config in a directory listed in transformers',
        k: { transformers: ['plugins'] },
        files: {
          'apps/plugins/kustomization.yaml': 'resources: [gen.yaml]\n',
          'apps/plugins/gen.yaml': gen('ConfigMapGenerator\nmetadata: {name: x}\nfiles: [/etc/hostname]\n'),
        },
        field: 'resources[0] (document 1).files[0]',
      },
      {
        name: 'a plugin config whose file path goes through a symlink chain out of the repository',
        k: { generators: ['gen.yaml'] },
        files: {
          'apps/gen.yaml': gen('ConfigMapGenerator\nmetadata: {name: x}\nfiles: [a/key.pem]\n'),
          'apps/a': { symlink: 'b' },
          'apps/b': { symlink: '../c' },
          c: { symlink: '/keys' },
          '/keys/key.pem': 'secret',
        },
        field: 'generators[0] (document 1).files[0]',
      },
    ];
    it.each(escapes)('$name', (c) => {
      const err = errorOf(() => guard(c.k, c.files ?? {}, true));
      expect(err.code).toBe('PathEscapesRoot');
      expect(err.message).toContain(`${c.field}: `);
    });

    it('lists plugin config files and the files they read as build inputs', () => {
      const files = {
        'apps/gen.yaml': gen('ConfigMapGenerator\nmetadata: {name: x}\nfiles: [data/v.txt]\n'),
        'apps/data/v.txt': 'value',
      };
      const inputs = guardKustomizeTree(
        tree({ 'apps/': '', ...files }),
        DIR,
        { generators: ['gen.yaml'] },
        {
          root: ROOT,
          allowRemoteBases: false,
        },
      );
      expect(inputs.files).toEqual(['/src/apps/gen.yaml', '/src/apps/data/v.txt']);
    });

    it('refuses a plugin directory that patches its configurations (the guard could not see the result)', () => {
      const files = {
        'apps/plugins/kustomization.yaml':
          'resources: [gen.yaml]\npatches:\n  - patch: \'[{"op":"add","path":"/files/0","value":"/etc/passwd"}]\'\n    target: {kind: ConfigMapGenerator}\n',
        'apps/plugins/gen.yaml': gen('ConfigMapGenerator\nmetadata: {name: x}\nfiles: [ok.txt]\n'),
      };
      const err = errorOf(() => guard({ generators: ['plugins'] }, files));
      expect(err.code).toBe('BuildFailed');
      expect(err.message).toContain('apps/plugins/kustomization.yaml: patches: ');
    });

    it('refuses HelmChartInflationGenerator configs, as Flux builds without Helm', () => {
      const k = { generators: [gen('HelmChartInflationGenerator\nmetadata: {name: h}\nchartHome: /\n')] };
      expect(errorOf(() => guard(k)).code).toBe('BuildFailed');
    });

    it('refuses URLs in plugin configs unless remote bases are enabled, and then only https', () => {
      const k = {
        generators: [
          gen('ConfigMapGenerator\nmetadata: {name: x}\nfiles: [http://169.254.169.254/latest]\n'),
        ],
      };
      expect(errorOf(() => guard(k)).code).toBe('RemoteBaseDisabled');
      expect(errorOf(() => guard(k, {}, true)).message).toContain('is not https');
    });
  });
});
