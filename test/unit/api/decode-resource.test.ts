// Reading the fleet: YAML files split into objects, and each object decoded into a typed resource with
// every invalid field named by its path, so one run reports all mistakes in an object at once.
import { describe, expect, it } from 'vitest';
import { decodeResource } from '../../../shared/api/decode-resource.ts';
import { parseManifests } from '../../../shared/api/parse-manifests.ts';
import { errorOf } from '../../support/error-of.ts';

type Raw = Record<string, unknown>;

const FILE = 'clusters/dev/apps.yaml';
const at = (document = 0) => ({ file: FILE, document });

const gitRepository = (spec: Raw = {}, metadata: Raw = { name: 'fleet', namespace: 'flux-system' }): Raw => ({
  apiVersion: 'source.toolkit.fluxcd.io/v1',
  kind: 'GitRepository',
  metadata,
  spec: { url: 'https://github.com/org/fleet', interval: '1m', ref: { branch: 'main' }, ...spec },
});

const kustomization = (spec: Raw = {}, metadata: Raw = { name: 'apps', namespace: 'flux-system' }): Raw => ({
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  metadata,
  spec: {
    interval: '10m',
    path: './apps',
    prune: true,
    sourceRef: { kind: 'GitRepository', name: 'fleet' },
    ...spec,
  },
});

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

describe('decodeResource', () => {
  describe('decodes valid objects', () => {
    it('a GitRepository with its defaults', () => {
      expect(
        decodeResource(gitRepository({ secretRef: { name: 'auth' }, ignore: '/*\n!/deploy\n' }), at()),
      ).toEqual({
        kind: 'GitRepository',
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        metadata: { name: 'fleet', namespace: 'flux-system', labels: {}, annotations: {} },
        spec: {
          url: 'https://github.com/org/fleet',
          ref: { branch: 'main' },
          intervalMs: 60_000,
          timeoutMs: 60_000,
          secretRef: { name: 'auth' },
          ignore: '/*\n!/deploy\n',
          suspend: false,
        },
        source: at(),
      });
    });

    it('a Kustomization with every merged field', () => {
      const raw = kustomization({
        interval: '1h30m',
        retryInterval: '2m',
        timeout: '45s',
        targetNamespace: 'team',
        namePrefix: 'p-',
        nameSuffix: '-s',
        patches: [{ patch: 'p', target: { kind: 'Deployment', labelSelector: 'app=web' } }],
        images: [{ name: 'nginx', newTag: '1.27' }],
        components: ['../components/a'],
        ignoreMissingComponents: true,
        commonMetadata: { labels: { team: 'a' }, annotations: { owner: 'me' } },
        postBuild: { substitute: { env: 'dev' }, substituteFrom: [{ kind: 'ConfigMap', name: 'vars' }] },
        dependsOn: [{ name: 'infra' }],
        wait: true,
      });
      const decoded = decodeResource(raw, at(2));
      expect(decoded).toMatchObject({
        kind: 'Kustomization',
        metadata: { name: 'apps', namespace: 'flux-system' },
        spec: {
          sourceRef: { kind: 'GitRepository', name: 'fleet' },
          path: './apps',
          intervalMs: 5_400_000,
          retryIntervalMs: 120_000,
          timeoutMs: 45_000,
          prune: true,
          wait: true,
          force: false,
          suspend: false,
          targetNamespace: 'team',
          namePrefix: 'p-',
          nameSuffix: '-s',
          patches: [{ patch: 'p', target: { kind: 'Deployment', labelSelector: 'app=web' } }],
          images: [{ name: 'nginx', newTag: '1.27' }],
          components: ['../components/a'],
          ignoreMissingComponents: true,
          commonMetadata: { labels: { team: 'a' }, annotations: { owner: 'me' } },
          postBuild: {
            substitute: { env: 'dev' },
            substituteFrom: [{ kind: 'ConfigMap', name: 'vars', optional: false }],
          },
          dependsOn: [{ name: 'infra' }],
        },
        source: at(2),
      });
    });

    it('a Kustomization keeps its healthChecks (the puller waits for them)', () => {
      const raw = kustomization({
        healthChecks: [
          { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'apps' },
          { kind: 'Namespace', name: 'apps' },
        ],
      });
      expect(decodeResource(raw, at())).toMatchObject({
        spec: {
          healthChecks: [
            { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'apps' },
            { kind: 'Namespace', name: 'apps' },
          ],
        },
      });
    });

    it('a ConfigMap, keeping its data as text', () => {
      const raw = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'vars', namespace: 'apps' },
        data: { a: '1', b: 'x\ny' },
      };
      expect(decodeResource(raw, at())).toEqual({
        kind: 'ConfigMap',
        metadata: { name: 'vars', namespace: 'apps', labels: {}, annotations: {} },
        data: { a: '1', b: 'x\ny' },
        source: at(),
      });
    });

    const secrets: { name: string; raw: Raw; data: Record<string, string> }[] = [
      {
        name: 'base64-decodes data',
        raw: { data: { user: b64('admin'), pw: b64('s3cr3t\n') } },
        data: { user: 'admin', pw: 's3cr3t\n' },
      },
      {
        name: 'tolerates line-wrapped base64',
        raw: {
          data: { long: `${b64('0123456789abcdef').slice(0, 12)}\n${b64('0123456789abcdef').slice(12)}` },
        },
        data: { long: '0123456789abcdef' },
      },
      {
        name: 'takes stringData as it is',
        raw: { stringData: { token: 'plain' } },
        data: { token: 'plain' },
      },
      {
        name: 'lets stringData win over data',
        raw: { data: { a: b64('from-data'), b: b64('only-data') }, stringData: { a: 'from-stringData' } },
        data: { a: 'from-stringData', b: 'only-data' },
      },
      { name: 'decodes an empty value', raw: { data: { empty: '' } }, data: { empty: '' } },
      { name: 'has no data at all', raw: {}, data: {} },
    ];
    it.each(secrets)('a Secret that $name', (c) => {
      const raw = {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 's', namespace: 'apps' },
        type: 'Opaque',
        ...c.raw,
      };
      expect(decodeResource(raw, at())).toMatchObject({ kind: 'Secret', data: c.data });
    });

    it('any other object as a plain manifest', () => {
      const raw = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web' },
        spec: { replicas: 2 },
      };
      expect(decodeResource(raw, at())).toEqual({ kind: 'Manifest', object: raw, source: at() });
    });

    it('puts an object without a namespace in flux-system', () => {
      const decoded = decodeResource(kustomization({}, { name: 'apps' }), at());
      expect(decoded.kind === 'Kustomization' && decoded.metadata.namespace).toBe('flux-system');
    });
  });

  describe('names every invalid field with its path', () => {
    const ks = 'Kustomization/flux-system/apps';
    const repo = 'GitRepository/flux-system/fleet';
    const cases: { name: string; raw: Raw; document?: number; message: string }[] = [
      {
        name: 'a bad interval',
        raw: kustomization({ interval: 'ten minutes' }),
        message: `${FILE}: ${ks}: spec.interval: expected a duration like "10m", "1h30m" or "45s", got "ten minutes"`,
      },
      {
        name: 'a missing prune',
        raw: kustomization({ prune: undefined }),
        message: `${FILE}: ${ks}: spec.prune: is required (true or false)`,
      },
      {
        name: 'a non-boolean prune',
        raw: kustomization({ prune: 'yes' }),
        message: `${FILE}: ${ks}: spec.prune: expected true or false, got "yes"`,
      },
      {
        name: 'an unknown sourceRef kind',
        raw: kustomization({ sourceRef: { kind: 'HelmRepository', name: 'x' } }),
        message: `${FILE}: ${ks}: spec.sourceRef.kind: expected one of "GitRepository", "OCIRepository", "Bucket", "ExternalArtifact", got "HelmRepository"`,
      },
      {
        name: 'a targetNamespace longer than 63 characters',
        raw: kustomization({ targetNamespace: 'n'.repeat(64) }),
        message: `${FILE}: ${ks}: spec.targetNamespace: must be at most 63 characters, got 64`,
      },
      {
        name: 'an empty targetNamespace',
        raw: kustomization({ targetNamespace: '' }),
        message: `${FILE}: ${ks}: spec.targetNamespace: must be at least 1 characters`,
      },
      {
        name: 'a patch without its patch text',
        raw: kustomization({ patches: [{ target: { kind: 'Deployment' } }] }),
        message: `${FILE}: ${ks}: spec.patches[0].patch: is required`,
      },
      {
        name: 'an image without a name',
        raw: kustomization({ images: [{ newTag: '1' }, 'nginx'] }),
        message: `${FILE}: ${ks}: spec.images[0].name: is required; spec.images[1]: expected a mapping, got "nginx"`,
      },
      {
        name: 'a health check without a kind',
        raw: kustomization({ healthChecks: [{ name: 'web' }] }),
        message: `${FILE}: ${ks}: spec.healthChecks[0].kind: is required`,
      },
      {
        name: 'a non-string component',
        raw: kustomization({ components: ['ok', 3] }),
        message: `${FILE}: ${ks}: spec.components[1]: expected a string, got 3`,
      },
      {
        name: 'a non-string substitute value',
        raw: kustomization({ postBuild: { substitute: { replicas: 3 } } }),
        message: `${FILE}: ${ks}: spec.postBuild.substitute.replicas: expected a string, got 3`,
      },
      {
        name: 'an unknown substituteFrom kind',
        raw: kustomization({ postBuild: { substituteFrom: [{ kind: 'Vault', name: 'v' }] } }),
        message: `${FILE}: ${ks}: spec.postBuild.substituteFrom[0].kind: expected one of "ConfigMap", "Secret", got "Vault"`,
      },
      {
        name: 'an uppercase name, in the second document of the file',
        raw: kustomization({}, { name: 'Apps', namespace: 'flux-system' }),
        document: 1,
        message: `${FILE} (document 2): Kustomization/flux-system/Apps: metadata.name: expected a lowercase DNS-1123 name (a-z, 0-9, '-', '.'), got "Apps"`,
      },
      {
        name: 'a missing metadata',
        raw: { apiVersion: 'v1', kind: 'ConfigMap', data: {} },
        message: `${FILE}: ConfigMap/flux-system/: metadata: is required; metadata.name: is required`,
      },
      {
        name: 'a GitRepository URL that is not http(s)',
        raw: gitRepository({ url: 'file:///srv/fleet' }),
        message: `${FILE}: ${repo}: spec.url: expected an http:// or https:// URL, got "file:///srv/fleet": file:// URLs are not supported`,
      },
      {
        name: 'a short commit',
        raw: gitRepository({ ref: { commit: 'abc123' } }),
        message: `${FILE}: ${repo}: spec.ref.commit: expected a full 40-character (SHA-1) or 64-character (SHA-256) lowercase commit hash, got "abc123"`,
      },
      {
        name: 'a GitRepository timeout in hours (the CRD allows ms, s and m only)',
        raw: gitRepository({ timeout: '1h' }),
        message: `${FILE}: ${repo}: spec.timeout: expected a duration in ms, s or m such as "60s", got "1h"`,
      },
      {
        name: 'a missing GitRepository interval',
        raw: gitRepository({ interval: undefined }),
        message: `${FILE}: ${repo}: spec.interval: is required`,
      },
      {
        name: 'Secret data that is not base64',
        raw: {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 's', namespace: 'apps' },
          data: { token: 'not base64!' },
        },
        message: `${FILE}: Secret/apps/s: data.token: expected base64-encoded bytes (put plain text under stringData instead)`,
      },
      {
        name: 'ConfigMap data that is not text',
        raw: {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'c', namespace: 'apps' },
          data: { port: 8080, on: true },
        },
        message: `${FILE}: ConfigMap/apps/c: data.port: expected a string, got 8080; data.on: expected a string, got true`,
      },
    ];
    it.each(cases)('$name', (c) => {
      expect(errorOf(() => decodeResource(c.raw, at(c.document)))).toEqual({
        code: 'ValidationFailed',
        message: c.message,
      });
    });

    it('reports a missing sourceRef first', () => {
      const err = errorOf(() => decodeResource(kustomization({ sourceRef: undefined }), at()));
      expect(err.code).toBe('ValidationFailed');
      expect(err.message.startsWith(`${FILE}: ${ks}: spec.sourceRef: is required`)).toBe(true);
    });

    it('reports several problems of one object at once, in field order', () => {
      const raw = kustomization({
        interval: '5 min',
        prune: undefined,
        sourceRef: { kind: 'GitRepository' },
        wait: 'true',
      });
      expect(errorOf(() => decodeResource(raw, at()))).toEqual({
        code: 'ValidationFailed',
        message:
          `${FILE}: Kustomization/flux-system/apps: spec.sourceRef.name: is required; spec.prune: is required (true or false); ` +
          'spec.interval: expected a duration like "10m", "1h30m" or "45s", got "5 min"; spec.wait: expected true or false, got "true"',
      });
    });

    it('never echoes a Secret value in a validation message', () => {
      const raw = {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 's', namespace: 'apps' },
        data: { token: 'ghp_S3cr3t-T0ken!' },
      };
      expect(errorOf(() => decodeResource(raw, at())).message).not.toContain('S3cr3t');
    });
  });

  describe('refuses Flux kinds it does not support', () => {
    const supported =
      'Sluice understands source.toolkit.fluxcd.io/v1 GitRepository, source.toolkit.fluxcd.io/v1 HelmRepository, source.toolkit.fluxcd.io/v1 OCIRepository, source.toolkit.fluxcd.io/v1 HelmChart, source.toolkit.fluxcd.io/v1 Bucket, kustomize.toolkit.fluxcd.io/v1 Kustomization, helm.toolkit.fluxcd.io/v2 HelmRelease';
    const cases: [string, string, string][] = [
      // Versions Sluice does not convert (the ones Flux 2.7 still served are: older-api-versions.test.ts).
      ['helm.toolkit.fluxcd.io/v2alpha1', 'HelmRelease', 'HelmRelease/flux-system/x'],
      ['source.toolkit.fluxcd.io/v1beta1', 'HelmRepository', 'HelmRepository/flux-system/x'],
      ['source.toolkit.fluxcd.io/v1beta1', 'GitRepository', 'GitRepository/flux-system/x'],
      ['kustomize.toolkit.fluxcd.io/v1beta1', 'Kustomization', 'Kustomization/flux-system/x'],
      ['source.toolkit.fluxcd.io/v1beta2', 'ExternalArtifact', 'ExternalArtifact/flux-system/x'],
      ['notification.toolkit.fluxcd.io/v1beta3', 'Alert', 'Alert/flux-system/x'],
    ];
    it.each(cases)('%s %s', (apiVersion, kind, ref) => {
      const raw = { apiVersion, kind, metadata: { name: 'x' }, spec: {} };
      expect(errorOf(() => decodeResource(raw, at()))).toEqual({
        code: 'UnsupportedResource',
        message: `${FILE}: ${ref}: unsupported apiVersion/kind "${apiVersion}" ${kind}; ${supported}`,
      });
    });

    it('leaves a kustomize.config.k8s.io Kustomization (a kustomization file) to be a plain manifest', () => {
      const raw = {
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        metadata: { name: 'k' },
        resources: [],
      };
      expect(decodeResource(raw, at()).kind).toBe('Manifest');
    });
  });

  describe('refuses objects without apiVersion or kind', () => {
    const cases: [string, Raw, string][] = [
      ['no apiVersion', { kind: 'ConfigMap', metadata: { name: 'a' } }, 'apiVersion'],
      ['an empty apiVersion', { apiVersion: '', kind: 'ConfigMap', metadata: { name: 'a' } }, 'apiVersion'],
      [
        'a non-string apiVersion',
        { apiVersion: 1, kind: 'ConfigMap', metadata: { name: 'a' } },
        'apiVersion',
      ],
      ['no kind', { apiVersion: 'v1', metadata: { name: 'a' } }, 'kind'],
      ['an empty kind', { apiVersion: 'v1', kind: '', metadata: { name: 'a' } }, 'kind'],
    ];
    it.each(cases)('%s', (_name, raw, missing) => {
      expect(errorOf(() => decodeResource(raw, at()))).toEqual({
        code: 'InvalidManifest',
        message: `${FILE}: object has no ${missing}; every document must set apiVersion and kind`,
      });
    });
  });
});

describe('parseManifests', () => {
  it('splits documents, skipping empty ones but keeping their index', () => {
    const text =
      '---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n# nothing\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: b\n';
    expect(parseManifests(text, FILE)).toEqual([
      { index: 0, value: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } } },
      { index: 2, value: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'b' } } },
    ]);
  });

  it('reads YAML 1.2 as kustomize does: yes and on stay strings', () => {
    const [doc] = parseManifests('data:\n  a: yes\n  b: on\n  c: "true"\n', FILE);
    expect(doc?.value).toEqual({ data: { a: 'yes', b: 'on', c: 'true' } });
  });

  const syntax: { name: string; text: string; line: number; column: number }[] = [
    {
      name: 'a duplicate key',
      text: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  name: y\n',
      line: 5,
      column: 3,
    },
    {
      name: 'an unterminated quote in the second document',
      text: 'a: 1\n---\nfoo: "unterminated\n',
      line: 4,
      column: 1,
    },
    { name: 'a compact nested mapping', text: 'a: b: c\n', line: 1, column: 4 },
    {
      name: 'a mapping inside a plain scalar',
      text: 'metadata:\n  name: a\n    labels: x\n',
      line: 2,
      column: 9,
    },
  ];
  it.each(syntax)('reports $name with file, line and column', (c) => {
    const err = errorOf(() => parseManifests(c.text, FILE));
    expect(err.code).toBe('InvalidManifest');
    expect(err.message).toMatch(
      new RegExp(
        `^${FILE}: invalid YAML at line ${c.line}, column ${c.column}: .+; fix the syntax and commit again$`,
      ),
    );
  });

  it('reports an alias to a missing anchor as invalid YAML, with its position', () => {
    const err = errorOf(() =>
      parseManifests('apiVersion: v1\nkind: ConfigMap\ndata:\n  a: *missing\n', FILE),
    );
    expect(err.code).toBe('InvalidManifest');
    expect(err.message).toMatch(new RegExp(`^${FILE}: invalid YAML at line 4, column \\d+: `));
  });

  const notObjects: [string, string, number][] = [
    ['a top-level list', '- a\n- b\n', 1],
    ['a scalar', 'just text\n', 1],
    ['a scalar second document', 'a: 1\n---\n42\n', 2],
  ];
  it.each(notObjects)('refuses %s', (_name, text, document) => {
    expect(errorOf(() => parseManifests(text, FILE))).toEqual({
      code: 'InvalidManifest',
      message: `${FILE}: document ${document} is not a Kubernetes object (expected a mapping with apiVersion, kind and metadata)`,
    });
  });
});
