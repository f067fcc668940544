// The pure pieces the pipeline stages share: queue messages, the retry policy, webhook signatures, where
// state lives in the object store, and how a render's output is split into what is shipped to the cluster
// and what becomes the control plane's own input.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isSluiceError } from '../../../../shared/core/errors.ts';
import { decodeJob, encodeJob, type Job } from '../../../../shared/core/pipeline/jobs.ts';
import { DEFAULT_RETRY, decideRetry } from '../../../../shared/core/pipeline/retry-policy.ts';
import { splitRenderedObjects } from '../../../../shared/core/pipeline/split-rendered-objects.ts';
import {
  fetchUserFromPath,
  keyFromPath,
  legacyKeys,
  sourceKeyOf,
  stateKeys,
  targetFromPath,
} from '../../../../shared/core/pipeline/state-keys.ts';
import {
  kustomizationTarget,
  parseTargetKey,
  type Target,
  targetKey,
} from '../../../../shared/core/pipeline/target.ts';
import { signBody, verifyHmacSignature } from '../../../../shared/core/pipeline/webhook-signature.ts';
import type { KubeObject } from '../../../../shared/core/render/yaml-codec.ts';

function errorOf(run: () => unknown): {
  code: string;
  message: string;
  field: string | undefined;
  retryable: boolean;
} {
  try {
    run();
  } catch (err) {
    if (isSluiceError(err))
      return { code: err.code, message: err.message, field: err.field, retryable: err.retryable };
    throw err;
  }
  throw new Error('expected an error');
}

describe('decodeJob', () => {
  const jobs: Job[] = [
    { kind: 'fetch', sourceKey: 'abc', reason: 'webhook' },
    {
      kind: 'render',
      cluster: 'dev',
      target: kustomizationTarget({ namespace: 'flux-system', name: 'apps' }),
    },
    {
      kind: 'nudge',
      target: kustomizationTarget({ namespace: 'flux-system', name: 'apps' }),
      digest: 'sha256:00',
    },
    {
      kind: 'apply-report',
      cluster: 'dev',
      target: kustomizationTarget({ namespace: 'flux-system', name: 'apps' }),
      digest: 'sha256:00',
      revision: 'main@sha1:0',
      ready: true,
      reason: 'ReconciliationSucceeded',
      message: 'ok',
      applied: 1,
      pruned: 0,
      at: '2025-01-01T00:00:00.000Z',
    },
  ];

  it.each(jobs.map((job) => [job.kind, job] as const))('round-trips a %s job', (_kind, job) => {
    expect(decodeJob(encodeJob(job))).toEqual(job);
  });

  it.each([
    ['text that is not JSON', 'hello', 'queue message is not JSON; it was dead-lettered'],
    ['truncated JSON', '{"kind":"fetch"', 'queue message is not JSON; it was dead-lettered'],
    ['an unknown kind', '{"kind":"deploy"}', 'queue message has unknown kind "deploy"; it was dead-lettered'],
    ['a kind that is not a string', '{"kind":7}', 'queue message has unknown kind 7; it was dead-lettered'],
    [
      'no kind at all',
      '{"sourceKey":"abc"}',
      'queue message has unknown kind undefined; it was dead-lettered',
    ],
    ['JSON null', 'null', 'queue message has unknown kind undefined; it was dead-lettered'],
    ['a JSON array', '[]', 'queue message has unknown kind undefined; it was dead-lettered'],
  ])('refuses %s with InvalidJob', (_what, body, message) => {
    expect(errorOf(() => decodeJob(body))).toMatchObject({ code: 'InvalidJob', message });
  });

  it('reads a message of the earlier format (kustomization, no target) as a Kustomization target', () => {
    const earlier = {
      kind: 'render',
      cluster: 'dev',
      kustomization: { namespace: 'flux-system', name: 'apps' },
    };
    expect(decodeJob(JSON.stringify(earlier))).toEqual({
      kind: 'render',
      cluster: 'dev',
      target: { kind: 'Kustomization', namespace: 'flux-system', name: 'apps' },
    });
  });

  it('refuses a target of a kind Sluice does not know', () => {
    const body = JSON.stringify({
      kind: 'nudge',
      target: { kind: 'Secret', namespace: 'a', name: 'b' },
      digest: '',
    });
    expect(errorOf(() => decodeJob(body)).message).toBe(
      'queue message of kind nudge has no valid target; it was dead-lettered',
    );
  });

  it('marks a malformed message as not worth retrying', () => {
    expect(errorOf(() => decodeJob('nope')).retryable).toBe(false);
    expect(errorOf(() => decodeJob('{"kind":"deploy"}')).retryable).toBe(false);
  });
});

describe('decideRetry', () => {
  it('has the documented default policy', () => {
    expect(DEFAULT_RETRY).toEqual({ maxAttempts: 5, baseDelaySeconds: 2, maxDelaySeconds: 300 });
  });

  it.each([
    [1, 'retry', 2],
    [2, 'retry', 4],
    [3, 'retry', 8],
    [4, 'retry', 16],
    [5, 'dead-letter', 0],
    [6, 'dead-letter', 0],
  ])('after attempt %i of a retryable error: %s in %is', (attempt, action, delaySeconds) => {
    expect(decideRetry(true, attempt)).toEqual({ action, delaySeconds });
  });

  it.each([1, 2, 5])('dead-letters a non-retryable error at once (attempt %i)', (attempt) => {
    expect(decideRetry(false, attempt)).toEqual({ action: 'dead-letter', delaySeconds: 0 });
  });

  it.each([
    [1, 10],
    [2, 20],
    [3, 40],
    [4, 60],
    [9, 60],
  ])('caps the backoff at maxDelaySeconds (attempt %i → %is)', (attempt, delaySeconds) => {
    expect(
      decideRetry(true, attempt, { maxAttempts: 10, baseDelaySeconds: 10, maxDelaySeconds: 60 }),
    ).toEqual({
      action: 'retry',
      delaySeconds,
    });
  });

  it('dead-letters at once when the policy allows a single attempt', () => {
    expect(decideRetry(true, 1, { maxAttempts: 1, baseDelaySeconds: 1, maxDelaySeconds: 1 }).action).toBe(
      'dead-letter',
    );
  });
});

describe('verifyHmacSignature', () => {
  const secret = 'webhook-secret';
  const body = Buffer.from('{"ref":"refs/heads/main"}', 'utf8');
  const hex = createHmac('sha256', secret).update(body).digest('hex');

  it.each<[string, string | undefined, boolean]>([
    ["GitHub's sha256=<hex> header", `sha256=${hex}`, true],
    ['a bare hex digest', hex, true],
    ['uppercase hex', `sha256=${hex.toUpperCase()}`, true],
    ['bare uppercase hex', hex.toUpperCase(), true],
    ['a missing header', undefined, false],
    ['an empty header', '', false],
    ['the prefix alone', 'sha256=', false],
    [
      'a digest made with another secret',
      `sha256=${createHmac('sha256', 'other').update(body).digest('hex')}`,
      false,
    ],
    ['a digest of another body', `sha256=${createHmac('sha256', secret).update('{}').digest('hex')}`, false],
    ['a sha1 header', `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`, false],
    ['non-hex characters', `sha256=${'z'.repeat(64)}`, false],
    ['a digest one character short', `sha256=${hex.slice(1)}`, false],
    ['a digest one byte too long', `sha256=${hex}00`, false],
    ['a 40-character digest', `sha256=${hex.slice(0, 40)}`, false],
    ['surrounding whitespace', ` sha256=${hex} `, false],
    ['a base64 digest', `sha256=${createHmac('sha256', secret).update(body).digest('base64')}`, false],
  ])('for %s returns %s', (_what, header, ok) => {
    expect(verifyHmacSignature(body, secret, header)).toBe(ok);
  });

  it('refuses everything when no secret is configured', () => {
    const unsigned = `sha256=${createHmac('sha256', '').update(body).digest('hex')}`;
    expect(verifyHmacSignature(body, '', unsigned)).toBe(false);
  });

  it('accepts what signBody produces, for strings and bytes alike', () => {
    expect(signBody(body, secret)).toBe(`sha256=${hex}`);
    expect(signBody(body.toString('utf8'), secret)).toBe(`sha256=${hex}`);
    expect(verifyHmacSignature(body, secret, signBody(body, secret))).toBe(true);
  });
});

describe('sourceKeyOf', () => {
  const base = { url: 'https://git.example.com/fleet.git', ref: { branch: 'main' } };

  it('is a short hex key, the same every time for the same source', () => {
    expect(sourceKeyOf(base)).toMatch(/^[0-9a-f]{24}$/);
    expect(sourceKeyOf({ ...base, ref: { branch: 'main' } })).toBe(sourceKeyOf(base));
  });

  it('treats an absent field and an undefined one alike', () => {
    expect(sourceKeyOf({ ...base, ignore: undefined, secret: undefined })).toBe(sourceKeyOf(base));
  });

  it.each<[string, Parameters<typeof sourceKeyOf>[0]]>([
    ['the URL', { ...base, url: 'https://git.example.com/other.git' }],
    ['the branch', { ...base, ref: { branch: 'release' } }],
    ['the kind of ref', { ...base, ref: { tag: 'main' } }],
    ['a missing ref', { url: base.url }],
    ['the ignore rules', { ...base, ignore: '/*\n!/deploy\n' }],
    ['an empty ignore', { ...base, ignore: '' }],
    [
      'the credentials secret',
      { ...base, secret: { cluster: 'dev', namespace: 'flux-system', name: 'auth' } },
    ],
    [
      'the cluster of the secret',
      { ...base, secret: { cluster: 'prod', namespace: 'flux-system', name: 'auth' } },
    ],
  ])('changes with %s', (_what, spec) => {
    expect(sourceKeyOf(spec)).not.toBe(sourceKeyOf(base));
  });
});

describe('stateKeys and keyFromPath', () => {
  const ks = { namespace: 'flux-system', name: 'apps' };
  const apps = kustomizationTarget(ks);

  it('reads the object key back from a kustomization record path', () => {
    const path = stateKeys.kustomization('dev', ks);
    expect(path.startsWith(stateKeys.kustomizations('dev'))).toBe(true);
    expect(keyFromPath(path, stateKeys.kustomizations('dev'))).toEqual(ks);
  });

  it.each([
    ['index', stateKeys.index('dev', apps), stateKeys.indexes('dev')],
    ['render status', stateKeys.renderStatus('dev', apps), stateKeys.renderStatuses('dev')],
  ])('reads the target back from a %s path', (_area, path, prefix) => {
    expect(path.startsWith(prefix)).toBe(true);
    expect(targetFromPath(path, prefix)).toEqual(apps);
  });

  it('keeps dots in names', () => {
    const dotted = kustomizationTarget({ namespace: 'tenants', name: 'team-a.apps.v2' });
    expect(targetFromPath(stateKeys.index('dev', dotted), stateKeys.indexes('dev'))).toEqual(dotted);
  });

  it('lays index entries out per cluster and kind, inside the prefix a puller may read', () => {
    expect(stateKeys.index('dev', apps)).toBe('clusters/dev/index/Kustomization/flux-system/apps.json');
    expect(stateKeys.index('prod', apps)).not.toBe(stateKeys.index('dev', apps));
  });

  it('keeps a HelmRelease named like a Kustomization apart in every per-target key', () => {
    const release: Target = { ...apps, kind: 'HelmRelease' };
    for (const key of [
      stateKeys.index,
      stateKeys.renderStatus,
      stateKeys.applyStatus,
      stateKeys.targetRecord,
    ])
      expect(key('dev', release)).not.toBe(key('dev', apps));
    expect(stateKeys.fetchUser('src', 'dev', release)).not.toBe(stateKeys.fetchUser('src', 'dev', apps));
    expect(targetFromPath(stateKeys.index('dev', release), stateKeys.indexes('dev'))).toEqual(release);
  });

  it("reads the earlier layout's paths (no kind) as Kustomizations", () => {
    expect(targetFromPath(legacyKeys.index('dev', apps) as string, stateKeys.indexes('dev'))).toEqual(apps);
    expect(legacyKeys.index('dev', { ...apps, kind: 'HelmRelease' })).toBeUndefined();
    const users = stateKeys.fetchUsers('src');
    expect(fetchUserFromPath(legacyKeys.fetchUser('src', 'dev', apps) as string, users)).toEqual({
      cluster: 'dev',
      target: apps,
    });
    expect(fetchUserFromPath(stateKeys.fetchUser('src', 'dev', apps), users)).toEqual({
      cluster: 'dev',
      target: apps,
    });
  });

  it.each([
    ['an unknown kind', 'clusters/dev/index/Deployment/flux-system/apps.json'],
    ['too many segments', 'clusters/dev/index/Kustomization/flux-system/apps/x.json'],
    ['no .json', 'clusters/dev/index/Kustomization/flux-system/apps'],
  ])('reads no target from a path with %s', (_what, path) => {
    expect(targetFromPath(path, stateKeys.indexes('dev'))).toBeUndefined();
  });

  it('names a snapshot by the hex of its digest', () => {
    expect(stateKeys.snapshot('sha256:abc')).toBe('snapshots/abc.bundle.gz');
  });
});

describe('targetKey', () => {
  it('round-trips through parseTargetKey and tells kinds apart', () => {
    const release: Target = { kind: 'HelmRelease', namespace: 'flux-system', name: 'apps' };
    expect(parseTargetKey(targetKey(release))).toEqual(release);
    expect(targetKey(release)).not.toBe(targetKey({ ...release, kind: 'Kustomization' }));
    expect(parseTargetKey('Secret/flux-system/apps')).toBeUndefined();
  });
});

describe('splitRenderedObjects', () => {
  const BY = 'Kustomization/flux-system/flux-system';
  const kustomization = (
    name: string,
    namespace = 'flux-system',
    spec: Record<string, unknown> = {},
  ): KubeObject => ({
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name, namespace },
    spec: {
      interval: '10m',
      path: './apps',
      prune: true,
      sourceRef: { kind: 'GitRepository', name: 'fleet' },
      ...spec,
    },
  });
  const gitRepository = (name: string, namespace = 'flux-system'): KubeObject => ({
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: { name, namespace },
    spec: { url: 'https://git.example.com/tenant.git', interval: '1m', ref: { branch: 'main' } },
  });
  const fluxComponent = (apiVersion: string, kind: string, name: string, namespace?: string): KubeObject => ({
    apiVersion,
    kind,
    metadata: {
      name,
      ...(namespace && { namespace }),
      labels: { 'app.kubernetes.io/part-of': 'flux', 'app.kubernetes.io/instance': 'flux-system' },
    },
  });
  const deployment: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'apps' },
    spec: {},
  };
  const names = (objects: KubeObject[]) =>
    objects.map((o) => `${String(o.kind)}/${(o.metadata as { name: string }).name}`);

  it('ships plain manifests unchanged, in order', () => {
    const service: KubeObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'apps' },
    };
    const split = splitRenderedObjects([deployment, service], BY);
    expect(split.shipped).toEqual([deployment, service]);
    expect(split).toMatchObject({ gitRepositories: [], kustomizations: [], configs: [], warnings: [] });
  });

  it('registers Kustomizations and GitRepositories as inputs and does not ship them', () => {
    const split = splitRenderedObjects(
      [gitRepository('tenant'), kustomization('tenant-apps'), deployment],
      BY,
    );
    expect(names(split.shipped)).toEqual(['Deployment/web']);
    expect(split.gitRepositories.map((r) => [r.metadata.name, r.spec.url])).toEqual([
      ['tenant', 'https://git.example.com/tenant.git'],
    ]);
    expect(split.kustomizations.map((k) => [k.metadata.namespace, k.metadata.name, k.spec.prune])).toEqual([
      ['flux-system', 'tenant-apps', true],
    ]);
    expect(split.warnings).toEqual([]);
  });

  it('records where a registered Flux object came from', () => {
    const split = splitRenderedObjects([deployment, kustomization('tenant-apps')], BY);
    expect(split.kustomizations[0]?.source).toEqual({ file: `output of ${BY}`, document: 1 });
  });

  it('ships ConfigMaps and Secrets and also registers them for substituteFrom', () => {
    const configMap: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'vars', namespace: 'flux-system' },
      data: { region: 'eu' },
    };
    const secret: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'tokens', namespace: 'flux-system' },
      data: { token: Buffer.from('s3cr3t').toString('base64') },
    };
    const split = splitRenderedObjects([configMap, secret], BY);
    expect(split.shipped).toEqual([configMap, secret]);
    expect(split.configs.map((c) => [c.kind, c.metadata.name, c.data])).toEqual([
      ['ConfigMap', 'vars', { region: 'eu' }],
      ['Secret', 'tokens', { token: 's3cr3t' }],
    ]);
  });

  it("skips Flux's own install manifests except their Namespace, with one warning", () => {
    const split = splitRenderedObjects(
      [
        fluxComponent('v1', 'Namespace', 'flux-system'),
        fluxComponent(
          'apiextensions.k8s.io/v1',
          'CustomResourceDefinition',
          'kustomizations.kustomize.toolkit.fluxcd.io',
        ),
        fluxComponent('apps/v1', 'Deployment', 'kustomize-controller', 'flux-system'),
        fluxComponent('v1', 'ServiceAccount', 'source-controller', 'flux-system'),
        deployment,
      ],
      BY,
    );
    expect(names(split.shipped)).toEqual(['Namespace/flux-system', 'Deployment/web']);
    expect(split.warnings).toEqual([
      "skipped 3 objects of Flux's own install manifests (app.kubernetes.io/part-of: flux)",
    ]);
  });

  it('skips the flux-system GitRepository and Kustomization of gotk-sync.yaml: they are the fleet itself', () => {
    const split = splitRenderedObjects(
      [gitRepository('flux-system'), kustomization('flux-system'), kustomization('apps')],
      BY,
    );
    expect(split.gitRepositories).toEqual([]);
    expect(split.kustomizations.map((k) => k.metadata.name)).toEqual(['apps']);
    expect(split.shipped).toEqual([]);
    expect(split.warnings).toEqual([]);
  });

  it('treats a flux-system GitRepository without a namespace as the fleet too', () => {
    const repo = gitRepository('flux-system');
    delete (repo.metadata as { namespace?: string }).namespace;
    expect(splitRenderedObjects([repo], BY).gitRepositories).toEqual([]);
  });

  it('registers a Kustomization named flux-system in another namespace', () => {
    const split = splitRenderedObjects([kustomization('flux-system', 'tenants')], BY);
    expect(split.kustomizations.map((k) => `${k.metadata.namespace}/${k.metadata.name}`)).toEqual([
      'tenants/flux-system',
    ]);
  });

  it.each([
    ['notification.toolkit.fluxcd.io/v1', 'Receiver', 'github'],
    ['source.toolkit.fluxcd.io/v1beta1', 'HelmRepository', 'charts'],
    ['notification.toolkit.fluxcd.io/v1beta3', 'Alert', 'slack'],
    ['image.toolkit.fluxcd.io/v1beta2', 'ImagePolicy', 'app'],
  ])('skips an unsupported %s %s with a warning naming it', (apiVersion, kind, name) => {
    const split = splitRenderedObjects(
      [{ apiVersion, kind, metadata: { name, namespace: 'flux-system' }, spec: {} }, deployment],
      BY,
    );
    expect(names(split.shipped)).toEqual(['Deployment/web']);
    expect(split.warnings).toEqual([
      `${kind}/flux-system/${name}: ${apiVersion} ${kind} is not supported by Sluice yet and was skipped`,
    ]);
  });

  it('registers Flux objects written in older apiVersions as the same ones in v1/v2, noting each', () => {
    const chartRepo: KubeObject = {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'HelmRepository',
      metadata: { name: 'charts', namespace: 'apps' },
      spec: { url: 'https://charts.example.com', interval: '1h' },
    };
    const release: KubeObject = {
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: 'web', namespace: 'apps' },
      spec: {
        interval: '10m',
        chart: { spec: { chart: 'web', sourceRef: { kind: 'HelmRepository', name: 'charts' } } },
      },
    };
    const current = [kustomization('tenant'), gitRepository('tenant'), chartRepo, release];
    const older = [
      { ...kustomization('tenant'), apiVersion: 'kustomize.toolkit.fluxcd.io/v1beta2' },
      { ...gitRepository('tenant'), apiVersion: 'source.toolkit.fluxcd.io/v1beta2' },
      { ...chartRepo, apiVersion: 'source.toolkit.fluxcd.io/v1beta2' },
      { ...release, apiVersion: 'helm.toolkit.fluxcd.io/v2beta2' },
    ];
    const { warnings, ...split } = splitRenderedObjects(older, BY);
    const { warnings: none, ...same } = splitRenderedObjects(current, BY);
    expect(split).toEqual(same);
    expect(none).toEqual([]);
    const moved = (ref: string, from: string, to: string) =>
      `${ref}: ${from} is deprecated and no longer served since Flux 2.8; Sluice converts it to ${to.split('/')[1]} as Flux 2.7 did — move to ${to}`;
    expect(warnings).toEqual([
      moved(
        'Kustomization/flux-system/tenant',
        'kustomize.toolkit.fluxcd.io/v1beta2',
        'kustomize.toolkit.fluxcd.io/v1',
      ),
      moved(
        'GitRepository/flux-system/tenant',
        'source.toolkit.fluxcd.io/v1beta2',
        'source.toolkit.fluxcd.io/v1',
      ),
      moved('HelmRepository/apps/charts', 'source.toolkit.fluxcd.io/v1beta2', 'source.toolkit.fluxcd.io/v1'),
      moved('HelmRelease/apps/web', 'helm.toolkit.fluxcd.io/v2beta2', 'helm.toolkit.fluxcd.io/v2'),
    ]);
  });

  it('refuses an invalid Kustomization with ValidationFailed naming the field and where it came from', () => {
    const invalid = kustomization('tenant-apps');
    delete (invalid.spec as Record<string, unknown>).prune;
    const err = errorOf(() => splitRenderedObjects([deployment, invalid], BY));
    expect(err.code).toBe('ValidationFailed');
    expect(err.field).toBe('spec.prune');
    expect(err.message).toContain('spec.prune');
    expect(err.message).toContain(`output of ${BY}`);
    expect(err.message).toContain('Kustomization/flux-system/tenant-apps');
  });

  it('refuses an invalid GitRepository with ValidationFailed naming the field', () => {
    const invalid = gitRepository('tenant');
    (invalid.spec as Record<string, unknown>).url = 'git.example.com/tenant';
    const err = errorOf(() => splitRenderedObjects([invalid], BY));
    expect(err.code).toBe('ValidationFailed');
    expect(err.field).toBe('spec.url');
    expect(err.message).toContain('spec.url');
  });

  it('refuses a Secret whose data is not base64, naming the key', () => {
    const secret: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'bad', namespace: 'apps' },
      data: { token: 'not base64!' },
    };
    const err = errorOf(() => splitRenderedObjects([secret], BY));
    expect(err.code).toBe('ValidationFailed');
    expect(err.field).toBe('data.token');
    expect(err.message).not.toContain('not base64!');
  });
});
