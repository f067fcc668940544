// An ArtifactGenerator read from the fleet: source-watcher's CRD rules and controller checks, each problem
// named by its field; in a render its artifacts become ExternalArtifact sources of the cluster, never shipped.
import { describe, expect, it } from 'vitest';
import type { DecodedArtifactGenerator } from '../../../shared/api/artifact-generator-decode.ts';
import { decodeResource } from '../../../shared/api/decode-resource.ts';
import { fetchSpecOf } from '../../../shared/core/pipeline/fetch-spec-of.ts';
import { splitRenderedObjects } from '../../../shared/core/pipeline/split-rendered-objects.ts';
import type { KubeObject } from '../../../shared/core/render/yaml-codec.ts';

const generator = (spec: Record<string, unknown> = {}, annotations?: Record<string, string>): KubeObject => ({
  apiVersion: 'source.extensions.fluxcd.io/v1beta1',
  kind: 'ArtifactGenerator',
  metadata: { name: 'my-app', namespace: 'apps', ...(annotations && { annotations }) },
  spec: {
    sources: [
      { alias: 'backend', kind: 'GitRepository', name: 'my-backend' },
      { alias: 'config', kind: 'Bucket', name: 'my-configs', namespace: 'shared' },
    ],
    artifacts: [
      {
        name: 'my-app-composite',
        revision: '@backend',
        copy: [
          { from: '@backend/deploy/**', to: '@artifact/my-app/backend/', exclude: ['*.md'] },
          { from: '@config/envs/prod/configmap.yaml', to: '@artifact/my-app/env.yaml', strategy: 'Merge' },
        ],
      },
    ],
    ...spec,
  },
});

const decode = (obj: KubeObject) =>
  decodeResource(obj, { file: 'apps/generator.yaml', document: 0 }) as DecodedArtifactGenerator;

const problems = (obj: KubeObject): string => {
  try {
    decode(obj);
  } catch (err) {
    return (err as Error).message;
  }
  return '';
};

describe('an ArtifactGenerator decoded', () => {
  it('keeps its sources (namespace defaulted to its own) and artifacts', () => {
    const g = decode(generator());
    expect(g.spec.sources).toEqual([
      { alias: 'backend', kind: 'GitRepository', name: 'my-backend', namespace: 'apps' },
      { alias: 'config', kind: 'Bucket', name: 'my-configs', namespace: 'shared' },
    ]);
    expect(g.spec.artifacts[0]?.copy[1]).toEqual({
      from: '@config/envs/prod/configmap.yaml',
      to: '@artifact/my-app/env.yaml',
      exclude: [],
      strategy: 'Merge',
    });
    expect(g.suspended).toBe(false);
  });

  it('is suspended by the reconcile annotation, in any case', () => {
    expect(decode(generator({}, { 'source.extensions.fluxcd.io/reconcile': 'Disabled' })).suspended).toBe(
      true,
    );
  });

  it.each([
    [
      'a duplicate alias',
      {
        sources: [
          { alias: 'a', kind: 'GitRepository', name: 'x' },
          { alias: 'a', kind: 'Bucket', name: 'y' },
        ],
        artifacts: [{ name: 'n', copy: [{ from: '@a/x', to: '@artifact/' }] }],
      },
      'spec.sources[1].alias: duplicate source alias',
    ],
    [
      'a source kind Flux does not have',
      { sources: [{ alias: 'a', kind: 'HelmRepository', name: 'x' }] },
      'spec.sources[0].kind: expected one of',
    ],
    [
      'an alias with capitals',
      { sources: [{ alias: 'Backend', kind: 'GitRepository', name: 'x' }] },
      'spec.sources[0].alias: expected lowercase',
    ],
    [
      'a revision naming no alias',
      { artifacts: [{ name: 'n', revision: '@nope', copy: [{ from: '@backend/x', to: '@artifact/' }] }] },
      "spec.artifacts[0].revision: source alias 'nope' not found",
    ],
    [
      'an artifact name that is no object name',
      { artifacts: [{ name: 'My_App', copy: [{ from: '@backend/x', to: '@artifact/' }] }] },
      'spec.artifacts[0].name: expected a valid Kubernetes object name',
    ],
    [
      'a destination outside @artifact',
      { artifacts: [{ name: 'n', copy: [{ from: '@backend/x', to: '/tmp/x' }] }] },
      'spec.artifacts[0].copy[0].to: expected "@artifact/<path>"',
    ],
    [
      'an unknown strategy',
      { artifacts: [{ name: 'n', copy: [{ from: '@backend/x', to: '@artifact/', strategy: 'Append' }] }] },
      'spec.artifacts[0].copy[0].strategy: expected one of',
    ],
    ['no artifacts', { artifacts: [] }, 'spec.artifacts: must list at least one artifact'],
    ['a misspelt field', { artefacts: [] }, 'spec.artefacts: unknown field; did you mean spec.artifacts?'],
  ])('refuses %s, naming the field', (_title, spec, expected) => {
    const message = problems(generator(spec as Record<string, unknown>));
    expect(message).toMatch(/^apps\/generator\.yaml: ArtifactGenerator\/apps\/my-app: /);
    expect(message).toContain(expected);
  });
});

describe('an ArtifactGenerator in a render', () => {
  const BY = 'Kustomization/flux-system/apps';

  it('becomes one ExternalArtifact source per artifact, not shipped', () => {
    const split = splitRenderedObjects([generator()], BY);
    expect(split.shipped).toEqual([]);
    expect(split.warnings).toEqual([]);
    expect(split.artifacts.map((a) => `${a.kind}/${a.metadata.namespace}/${a.metadata.name}`)).toEqual([
      'ExternalArtifact/apps/my-app-composite',
    ]);
    const spec = fetchSpecOf(split.artifacts[0] as (typeof split.artifacts)[number], 'dev');
    expect(spec.kind).toBe('ExternalArtifact');
    expect(spec.url).toBe('ArtifactGenerator/apps/my-app#my-app-composite');
    // Another cluster's artifact reads that cluster's sources: another source.
    expect(fetchSpecOf(split.artifacts[0] as (typeof split.artifacts)[number], 'prod').sourceKey).not.toBe(
      spec.sourceKey,
    );
  });

  it('keeps a generator with pathPattern for discovery when it is registered, its names as templates', () => {
    const split = splitRenderedObjects(
      [
        generator({
          pathPattern: '@backend/apps/{app}',
          artifacts: [{ name: '{app}', copy: [{ from: '@backend/apps/{app}/**', to: '@artifact/' }] }],
        }),
      ],
      BY,
    );
    expect(split.artifacts).toEqual([]);
    expect(split.warnings).toEqual([]);
    expect(split.discoveries.map((g) => [g.metadata.name, g.pathPattern])).toEqual([
      ['my-app', '@backend/apps/{app}'],
    ]);
  });

  it('reports an ExternalArtifact the fleet declares itself as having no producer', () => {
    const external = {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'ExternalArtifact',
      metadata: { name: 'from-elsewhere', namespace: 'apps' },
      spec: { sourceRef: { apiVersion: 'example.com/v1', kind: 'Thing', name: 'x' } },
    };
    const split = splitRenderedObjects([external], BY);
    expect(split.shipped).toEqual([]);
    expect(split.warnings).toHaveLength(1);
    expect(split.warnings[0]).toMatch(
      /^ExternalArtifact\/apps\/from-elsewhere: ExternalArtifacts written by a third-party controller are not supported by Sluice \(it has no producer for them\); the object was skipped\. /,
    );
  });
});
