// Expanding the ResourceSets of a render output with the operator's rules, on the examples of its docs:
// generated objects, deduplication, exclusion, resourcesTemplate, providers, and what is reported.
import { describe, expect, it } from 'vitest';
import { SluiceError } from '../../../shared/core/errors.ts';
import { splitRenderedObjects } from '../../../shared/core/pipeline/split-rendered-objects.ts';
import { moveOriginToSourceFile, SOURCE_FILE_ANNOTATION } from '../../../shared/core/render/source-file.ts';
import type { KubeObject } from '../../../shared/core/render/yaml-codec.ts';
import { expandResourceSets } from '../../../shared/core/resourceset/expand-resource-sets.ts';

const BY = 'Kustomization/flux-system/apps';

const resourceSet = (spec: Record<string, unknown>, meta: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'fluxcd.controlplane.io/v1',
  kind: 'ResourceSet',
  metadata: { name: 'podinfo', namespace: 'default', ...meta },
  spec,
});

const provider = (
  name: string,
  spec: Record<string, unknown>,
  labels?: Record<string, string>,
): KubeObject => ({
  apiVersion: 'fluxcd.controlplane.io/v1',
  kind: 'ResourceSetInputProvider',
  metadata: { name, namespace: 'default', ...(labels && { labels }) },
  spec,
});

const ids = (objects: KubeObject[]) =>
  objects.map((o) => {
    const m = o.metadata as { name: string; namespace?: string };
    return `${String(o.kind)}/${m.namespace ? `${m.namespace}/` : ''}${m.name}`;
  });

const errorOf = (fn: () => unknown): SluiceError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof SluiceError) return err;
    throw err;
  }
  throw new Error('no error');
};

describe('expandResourceSets', () => {
  it('generates the operator docs example: an OCIRepository and a HelmRelease per tenant, typed by the rendered YAML', () => {
    const rset = resourceSet({
      commonMetadata: { labels: { 'app.kubernetes.io/name': 'podinfo' } },
      inputs: [
        { tenant: 'team1', app: { version: '6.7.x', replicas: 2 } },
        { tenant: 'team2', app: { version: '6.6.x', replicas: 3 } },
      ],
      resources: [
        {
          apiVersion: 'source.toolkit.fluxcd.io/v1',
          kind: 'OCIRepository',
          metadata: { name: 'podinfo-<< inputs.tenant >>', namespace: 'default' },
          spec: {
            interval: '10m',
            url: 'oci://ghcr.io/stefanprodan/charts/podinfo',
            ref: { semver: '<< inputs.app.version | quote >>' },
          },
        },
        {
          apiVersion: 'helm.toolkit.fluxcd.io/v2',
          kind: 'HelmRelease',
          metadata: { name: 'podinfo-<< inputs.tenant >>', namespace: 'default' },
          spec: {
            interval: '1h',
            releaseName: 'podinfo-<< inputs.tenant >>',
            chartRef: { kind: 'OCIRepository', name: 'podinfo-<< inputs.tenant >>' },
            values: { replicaCount: '<< inputs.app.replicas | int >>' },
          },
        },
      ],
    });
    const { objects, warnings } = expandResourceSets([rset], BY);
    expect(ids(objects)).toEqual([
      'OCIRepository/default/podinfo-team1',
      'OCIRepository/default/podinfo-team2',
      'HelmRelease/default/podinfo-team1',
      'HelmRelease/default/podinfo-team2',
    ]);
    const hr = objects[3] as { spec: { values: unknown }; metadata: { labels: unknown } };
    expect(hr.spec.values).toEqual({ replicaCount: 3 });
    expect(hr.metadata.labels).toEqual({
      'app.kubernetes.io/name': 'podinfo',
      'resourceset.fluxcd.controlplane.io/name': 'podinfo',
      'resourceset.fluxcd.controlplane.io/namespace': 'default',
    });
    expect((objects[0] as { spec: { ref: unknown } }).spec.ref).toEqual({ semver: '6.7.x' });
    expect(warnings).toEqual(['ResourceSet/default/podinfo: generated 4 objects from 2 input sets']);
  });

  it('keeps one copy of an object every input set generates (the shared source of the docs)', () => {
    const rset = resourceSet({
      inputs: [{ tenant: 'team1' }, { tenant: 'team2' }],
      resources: [
        {
          apiVersion: 'source.toolkit.fluxcd.io/v1',
          kind: 'OCIRepository',
          metadata: { name: 'podinfo', namespace: 'default' },
        },
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'cm-<< inputs.tenant >>', namespace: 'default' },
        },
      ],
    });
    expect(ids(expandResourceSets([rset], BY).objects)).toEqual([
      'OCIRepository/default/podinfo',
      'ConfigMap/default/cm-team1',
      'ConfigMap/default/cm-team2',
    ]);
  });

  it('drops an object its template marks fluxcd.controlplane.io/reconcile: disabled', () => {
    const rset = resourceSet({
      inputs: [{ tenant: 'team1' }, { tenant: 'team2' }],
      resources: [
        {
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          metadata: {
            name: 'flux',
            namespace: '<< inputs.tenant >>',
            annotations: {
              'fluxcd.controlplane.io/reconcile':
                '<< if eq inputs.tenant "team1" >>enabled<< else >>disabled<< end >>',
            },
          },
        },
      ],
    });
    expect(ids(expandResourceSets([rset], BY).objects)).toEqual(['ServiceAccount/team1/flux']);
  });

  it('renders resourcesTemplate once per input set: the docs bundles give two sources and four Kustomizations', () => {
    const rset = resourceSet({
      inputs: [
        { bundle: 'addons', decryption: false, components: ['ingress-nginx', 'cert-manager'] },
        { bundle: 'apps', decryption: true, components: ['frontend', 'backend'] },
      ],
      resourcesTemplate: `---
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata:
  name: << inputs.bundle >>
  namespace: flux-system
spec:
  interval: 10m
  url: oci://registry.example.com/<< inputs.bundle >>
<<- range $component := inputs.components >>
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: << $component >>
  namespace: flux-system
spec:
  interval: 1h
  prune: true
  <<- if inputs.decryption >>
  decryption:
    provider: sops
    secretRef:
      name: << inputs.bundle >>-sops
  <<- end >>
  sourceRef:
    kind: OCIRepository
    name: << inputs.bundle >>
  path: ./<< $component >>
<<- end >>
`,
    });
    const { objects } = expandResourceSets([rset], BY);
    expect(ids(objects)).toEqual([
      'OCIRepository/flux-system/addons',
      'Kustomization/flux-system/ingress-nginx',
      'Kustomization/flux-system/cert-manager',
      'OCIRepository/flux-system/apps',
      'Kustomization/flux-system/frontend',
      'Kustomization/flux-system/backend',
    ]);
    const decryption = objects.map((o) => (o.spec as { decryption?: unknown }).decryption);
    expect(decryption).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      { provider: 'sops', secretRef: { name: 'apps-sops' } },
      { provider: 'sops', secretRef: { name: 'apps-sops' } },
    ]);
  });

  it('runs a resource as the YAML the operator prints: a string that cannot stay plain is single-quoted', () => {
    const rset = resourceSet({
      inputs: [{ k: 'a', v: 'b' }],
      resources: [
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'x', namespace: 'default' },
          data: { pair: '<< inputs.k | quote >>: << inputs.v >>' },
        },
      ],
    });
    expect(expandResourceSets([rset], BY).objects[0]?.data).toEqual({ pair: '"a": b' });
  });

  it('renders each resource once without inputs, with inputs reading as an empty map', () => {
    const rset = resourceSet({
      resources: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shared<< if inputs >>-x<< end >>' } },
      ],
    });
    expect(ids(expandResourceSets([rset], BY).objects)).toEqual(['Namespace/shared']);
  });

  it('reads a Static provider by name, and by selector, from the same render, in any order', () => {
    const rset = resourceSet({
      inputsFrom: [
        { kind: 'ResourceSetInputProvider', selector: { matchLabels: { env: 'dev' } } },
        { name: 'named' },
      ],
      resources: [
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: {
            name: '<< inputs.provider.name >>-<< inputs.id >>',
            namespace: '<< inputs.provider.namespace >>',
          },
          data: { region: '<< inputs.region >>' },
        },
      ],
    });
    const objects = [
      rset,
      provider('selected', { type: 'Static', defaultValues: { region: 'eu' } }, { env: 'dev' }),
      provider('other', { type: 'Static', defaultValues: { region: 'us' } }, { env: 'prod' }),
      provider('named', { type: 'Static', defaultValues: { region: 'ap' } }),
    ];
    const { objects: out, warnings } = expandResourceSets(objects, BY);
    // Providers in name order; each id is the Adler-32 of the provider's name.
    expect(ids(out)).toEqual(['ConfigMap/default/named-103023110', 'ConfigMap/default/selected-251265866']);
    expect(out.map((o) => (o.data as { region: string }).region)).toEqual(['ap', 'eu']);
    expect(warnings).toContain(
      'ResourceSetInputProvider/default/other: no ResourceSet of this render reads it; it is not shipped (it only feeds ResourceSets)',
    );
  });

  it('does not expand a ResourceSet whose provider asks a service, naming the provider and its type', () => {
    const rset = resourceSet({
      inputsFrom: [{ name: 'prs' }],
      resources: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'pr-<< inputs.id >>' } }],
    });
    const prs = provider('prs', { type: 'GitHubPullRequest', url: 'https://github.com/org/app' });
    const { objects, warnings, reports } = expandResourceSets([rset, prs], BY);
    expect(objects).toEqual([]);
    expect(warnings[0]).toBe(
      'ResourceSet/default/podinfo: not expanded: ResourceSetInputProvider/default/prs: input provider type GitHubPullRequest is not supported by Sluice yet: its inputs come from a service at runtime, not from Git (use type Static, or inline spec.inputs)',
    );
    expect(reports.map((r) => `${r.kind}/${r.name}: ${r.verdict}`)).toEqual([
      'ResourceSet/podinfo: unsupported',
      'ResourceSetInputProvider/prs: unsupported',
    ]);
  });

  it('refuses a ResourceSet whose named provider is not in the render, naming the reference, as the operator fails', () => {
    const rset = resourceSet({
      inputsFrom: [{ name: 'elsewhere' }],
      resources: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } }],
    });
    const err = errorOf(() => expandResourceSets([rset], BY));
    expect(err.code).toBe('ReferenceNotFound');
    expect(err.field).toBe('spec.inputsFrom[0]');
    expect(err.message).toMatch(
      /ResourceSetInputProvider\/default\/elsewhere is not in the same render output/,
    );
  });

  it('reports what Sluice does not do: dependsOn, serviceAccountName, wait, steps and cluster reads', () => {
    const rset = resourceSet({
      dependsOn: [
        {
          apiVersion: 'apiextensions.k8s.io/v1',
          kind: 'CustomResourceDefinition',
          name: 'helmreleases.helm.toolkit.fluxcd.io',
        },
      ],
      serviceAccountName: 'tenant',
      wait: true,
      steps: [
        {
          name: 'db',
          resources: [
            { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate', namespace: 'default' } },
          ],
        },
        {
          name: 'app',
          resources: [
            {
              apiVersion: 'v1',
              kind: 'Secret',
              metadata: {
                name: 'auth',
                namespace: 'default',
                annotations: { 'fluxcd.controlplane.io/copyFrom': 'flux-system/auth' },
              },
            },
          ],
        },
      ],
    });
    const { objects, warnings, reports } = expandResourceSets([rset], BY);
    expect(ids(objects)).toEqual(['Job/default/migrate', 'Secret/default/auth']);
    expect(warnings).toEqual([
      'ResourceSet/default/podinfo: generated 2 objects from 0 input sets',
      'ResourceSet/default/podinfo: spec.dependsOn (CustomResourceDefinition/helmreleases.helm.toolkit.fluxcd.io) is not waited for: the generated objects are applied with the rest of the render',
      'ResourceSet/default/podinfo: spec.serviceAccountName tenant is not impersonated: the generated objects are applied with the identity of the Kustomization that renders the ResourceSet',
      'ResourceSet/default/podinfo: spec.wait is not applied: health follows the rendering Kustomization (its wait and healthChecks)',
      'ResourceSet/default/podinfo: spec.steps (db, app) are applied together, not one after another',
      'ResourceSet/default/podinfo: fluxcd.controlplane.io/copyFrom is not resolved: Sluice cannot read the cluster at render time, the objects are applied as generated',
    ]);
    expect(reports[0]?.verdict).toBe('different');
  });

  it('still delivers a ResourceSet paused with fluxcd.controlplane.io/reconcile: disabled, and says so', () => {
    const rset = resourceSet(
      { resources: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } }] },
      { annotations: { 'fluxcd.controlplane.io/reconcile': 'disabled' } },
    );
    const { objects, warnings, reports } = expandResourceSets([rset], BY);
    // Generating nothing would prune what it generated before; the operator leaves it in place.
    expect(ids(objects)).toEqual(['Namespace/x']);
    expect(warnings[1]).toBe(
      'ResourceSet/default/podinfo: fluxcd.controlplane.io/reconcile: disabled does not pause it here: its objects are still delivered (suspend the Kustomization that renders it to pause them)',
    );
    expect(reports[0]?.verdict).toBe('different');
  });

  it('leaves a render without ResourceSets as it is', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } };
    expect(expandResourceSets([cm], BY)).toEqual({ objects: [cm], warnings: [], reports: [] });
  });
});

describe('errors name the ResourceSet, its file and the field', () => {
  const inFile = (spec: Record<string, unknown>) =>
    resourceSet(spec, { annotations: { [SOURCE_FILE_ANNOTATION]: 'clusters/dev/podinfo.yaml' } });

  it('a template failure: code BuildFailed, the field, the input set and the position', () => {
    const rset = inFile({
      inputs: [{ tenant: 'a' }],
      resources: [
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: '<< inputs.tenant >>', namespace: '<< inputs.namespace >>' },
        },
      ],
    });
    const err = errorOf(() => expandResourceSets([rset], BY));
    expect(err.code).toBe('BuildFailed');
    expect(err.message).toBe(
      'ResourceSet/default/podinfo (clusters/dev/podinfo.yaml): spec.resources[0] (input set 1): line 5, column 17: at <inputs.namespace>: map has no entry for key "namespace"',
    );
    expect({ object: err.object, file: err.file, field: err.field }).toEqual({
      object: 'ResourceSet/default/podinfo',
      file: 'clusters/dev/podinfo.yaml',
      field: 'spec.resources[0]',
    });
  });

  it('the file kustomize names in its origin annotation, as for Flux objects', () => {
    const rset = resourceSet(
      { resources: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: '<< inputs.x >>' } }] },
      { annotations: { 'config.kubernetes.io/origin': 'path: tenants.yaml\n' } },
    );
    moveOriginToSourceFile(rset, 'clusters/dev');
    expect(errorOf(() => expandResourceSets([rset], BY)).file).toBe('clusters/dev/tenants.yaml');
  });

  it('output that is no Kubernetes object', () => {
    const rset = inFile({ resourcesTemplate: '<< "a: [" >>' });
    const err = errorOf(() => expandResourceSets([rset], BY));
    expect(err.code).toBe('BuildFailed');
    expect(err.field).toBe('spec.resourcesTemplate');
  });

  it('a spec the operator rejects', () => {
    expect(errorOf(() => expandResourceSets([inFile({ inputs: [] })], BY)).message).toBe(
      'ResourceSet/default/podinfo (clusters/dev/podinfo.yaml): spec: at least one of steps, resources or resourcesTemplate must be set',
    );
    expect(
      errorOf(() =>
        expandResourceSets([inFile({ inputStrategy: { name: 'Zip' }, resourcesTemplate: 'x' })], BY),
      ).field,
    ).toBe('spec.inputStrategy.name');
    expect(
      errorOf(() =>
        expandResourceSets(
          [inFile({ inputsFrom: [{ kind: 'ResourceSetInputProvider' }], resourcesTemplate: 'x' })],
          BY,
        ),
      ).message,
    ).toMatch(/spec\.inputsFrom\[0\]: input provider reference must have either name or selector set$/);
  });

  it('an object two steps both generate', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default' } };
    const err = errorOf(() =>
      expandResourceSets(
        [
          inFile({
            steps: [
              { name: 'one', resources: [cm] },
              { name: 'two', resources: [cm] },
            ],
          }),
        ],
        BY,
      ),
    );
    expect(err.message).toMatch(
      /spec\.steps\[1\]: duplicate resource ConfigMap\/default\/x in step "two", already defined in step "one"$/,
    );
  });
});

describe('splitRenderedObjects with a ResourceSet', () => {
  it('declares the Flux objects it generates, naming the ResourceSet file, and ships the rest', () => {
    const rset = resourceSet(
      {
        inputs: [{ tenant: 'team-a' }],
        resources: [
          { apiVersion: 'v1', kind: 'Namespace', metadata: { name: '<< inputs.tenant >>' } },
          {
            apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
            kind: 'Kustomization',
            metadata: { name: '<< inputs.tenant >>', namespace: 'flux-system' },
            spec: {
              interval: '10m',
              path: './tenants',
              prune: true,
              sourceRef: { kind: 'GitRepository', name: 'flux-system' },
            },
          },
        ],
      },
      { annotations: { [SOURCE_FILE_ANNOTATION]: 'clusters/dev/tenants.yaml' } },
    );
    const split = splitRenderedObjects([rset], BY);
    expect(split.kustomizations.map((k) => k.metadata.name)).toEqual(['team-a']);
    expect(ids(split.shipped)).toEqual(['Namespace/team-a']);
    expect(split.warnings).toContain('ResourceSet/default/podinfo: generated 2 objects from 1 input set');
  });

  it('counts the generated objects in the render limit', () => {
    const rset = resourceSet({
      inputs: Array.from({ length: 5 }, (_, i) => ({ i })),
      resources: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns-<< inputs.i >>' } }],
    });
    const err = errorOf(() =>
      splitRenderedObjects([rset], BY, { maxObjectsPerRender: 3, maxChildrenPerKustomization: 10 }),
    );
    expect(err.code).toBe('LimitExceeded');
    expect(err.message).toMatch(
      /^Kustomization\/flux-system\/apps: renders 4 objects once its ResourceSets are expanded, more than the limit of 3/,
    );
  });
});
