// A parent Kustomization's namePrefix/nameSuffix and spec.patches reach the Flux objects it declares exactly
// as Flux applies them: kustomize renames every child Kustomization and HelmRelease (not Namespaces), leaves
// the names inside them (sourceRef, dependsOn) alone, and patches them (by kind and group, by name with a
// JSON6902 patch, by labelSelector) before the parent's postBuild substitution. Each child then renders and
// delivers with the patched spec, into the test Kubernetes API server; a deletionPolicy set by a patch
// decides what happens to a child's objects when the parent withdraws it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stateOf } from '../../shared/usecases/state-store.ts';
import { type Harness, startHarness } from '../support/pipeline-harness.ts';

const PLATFORM = `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: platform
  namespace: flux-system
spec:
  interval: 10m
  path: ./platform
  prune: true
  namePrefix: team-
  nameSuffix: -x
  sourceRef:
    kind: GitRepository
    name: flux-system
  postBuild:
    substituteFrom:
      - kind: ConfigMap
        name: cluster-vars
  patches:
    # Fleet-wide defaults for child Kustomizations, picked by group, kind and label.
    - target:
        group: kustomize.toolkit.fluxcd.io
        kind: Kustomization
        labelSelector: tier=web
      patch: |
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata:
          name: any
        spec:
          targetNamespace: web-ns
          deletionPolicy: Orphan
          postBuild:
            substitute:
              greeting: patched-\${cluster_name}
    # A JSON6902 patch by the name written in the file (patches run before the prefix is added).
    - target:
        kind: Kustomization
        name: db
      patch: |
        - op: add
          path: /spec/targetNamespace
          value: db-ns
    # HelmRelease defaults, by label.
    - target:
        group: helm.toolkit.fluxcd.io
        kind: HelmRelease
        labelSelector: defaults=fleet
      patch: |
        apiVersion: helm.toolkit.fluxcd.io/v2
        kind: HelmRelease
        metadata:
          name: any
        spec:
          install:
            remediation:
              retries: 3
          values:
            greeting: patched by the parent
`;

const CHILDREN = `apiVersion: v1
kind: Namespace
metadata:
  name: web-ns
---
apiVersion: v1
kind: Namespace
metadata:
  name: db-ns
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: web
  namespace: flux-system
  labels:
    tier: web
spec:
  interval: 10m
  path: ./platform/web-app
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: db
  namespace: flux-system
spec:
  interval: 10m
  path: ./platform/db-app
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: cache
  namespace: flux-system
spec:
  interval: 10m
  dependsOn:
    - name: db
  path: ./platform/db-app
  targetNamespace: db-ns
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: greeter
  namespace: flux-system
  labels:
    defaults: fleet
spec:
  interval: 10m
  releaseName: greeter
  targetNamespace: greet
  install:
    createNamespace: true
  chart:
    spec:
      chart: ./charts/hello
      sourceRef:
        kind: GitRepository
        name: flux-system
`;

const configMapFile = (name: string, data: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n${data}`;

let h: Harness;
const data = (name: string, ns: string) =>
  h.kube.object('v1', 'ConfigMap', name, ns)?.data as Record<string, string> | undefined;

beforeAll(async () => {
  h = await startHarness({
    files: {
      'clusters/dev/platform.yaml': PLATFORM,
      'platform/children.yaml': CHILDREN,
      'platform/web-app/configmap.yaml': configMapFile('web-config', '  msg: ${greeting:=unset}\n'),
      'platform/db-app/configmap.yaml': configMapFile('db-config', '  role: db\n'),
    },
  });
  await h.start();
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('a parent Kustomization with namePrefix, nameSuffix and patches on its children', () => {
  it('renames its child Kustomizations and HelmReleases, and not its Namespaces, as kustomize does for Flux', async () => {
    const names = await h.waitFor('the children registered', async () => {
      const found = (await h.status()).clusters[0]?.kustomizations
        .filter((k) => k.namespace === 'flux-system' && /team-/.test(k.name))
        .map((k) => `${k.kind}/${k.name}`)
        .sort();
      return found && found.length === 4 ? found : undefined;
    });
    expect(names).toEqual([
      'HelmRelease/team-greeter-x',
      'Kustomization/team-cache-x',
      'Kustomization/team-db-x',
      'Kustomization/team-web-x',
    ]);
    const unprefixed = (await h.status()).clusters[0]?.kustomizations.filter((k) =>
      ['web', 'db', 'cache', 'greeter'].includes(k.name),
    );
    expect(unprefixed).toEqual([]);
    expect(h.kube.object('v1', 'Namespace', 'web-ns')).toBeDefined();
  });

  it('delivers a child patched by group, kind and labelSelector, substituted by the parent after the patch', async () => {
    const web = await h.waitFor('web-config in web-ns', () => data('web-config', 'web-ns'));
    expect(web).toEqual({ msg: 'patched-dev' });
  });

  it('delivers a child patched by a JSON6902 patch targeting its name', async () => {
    expect(await h.waitFor('db-config in db-ns', () => data('db-config', 'db-ns'))).toEqual({ role: 'db' });
  });

  it('delivers a HelmRelease patched by labelSelector: its values and its install remediation', async () => {
    const greeting = await h.waitFor('the greeter release', () => data('greeter-greeting', 'greet'));
    expect(greeting).toMatchObject({ greeting: 'patched by the parent' });
    const records = await stateOf(h.plane.deps).listHelmReleaseRecords('dev');
    const greeter = records.find((r) => r.helmRelease.metadata.name === 'team-greeter-x');
    expect(greeter?.helmRelease.spec.install.remediationRetries).toBe(3);
  });

  it('leaves the names inside the renamed children as written, so a dependsOn on a renamed sibling waits, as in Flux', async () => {
    const records = await stateOf(h.plane.deps).listTargetRecords('dev');
    const cache = records.find((r) => r.kustomization.metadata.name === 'team-cache-x');
    expect(cache?.kustomization.spec.dependsOn).toEqual([{ name: 'db' }]);
    expect(cache?.kustomization.spec.sourceRef).toEqual({ kind: 'GitRepository', name: 'flux-system' });
    const status = await h.waitFor('cache reported', async () =>
      (await h.status()).clusters[0]?.kustomizations.find((k) => k.name === 'team-cache-x' && k.apply),
    );
    expect(status.apply).toMatchObject({ ready: false, reason: 'DependencyNotReady' });
  });

  it('withdrawing the children honours the deletionPolicy the patch gave one of them', async () => {
    const withoutWebAndDb = CHILDREN.split('---\n')
      .filter((doc) => !/name: (web|db)\n {2}namespace: flux-system/.test(doc))
      .join('---\n');
    await h.push({ 'platform/children.yaml': withoutWebAndDb }, 'withdraw web and db');
    await h.webhook();
    // db (MirrorPrune, prune: true) is deleted; web (Orphan, from the patch) leaves its objects.
    await h.waitFor('db-config deleted', () => data('db-config', 'db-ns') === undefined);
    const web = await h.waitFor('web withdrawn', async () =>
      (await h.status()).clusters[0]?.kustomizations.find(
        (k) => k.name === 'team-web-x' && k.apply?.reason === 'Removed',
      ),
    );
    expect(web.apply?.message).toBe(
      'Kustomization removed from the fleet; orphaned 1 objects (deletionPolicy Orphan)',
    );
    expect(data('web-config', 'web-ns')).toEqual({ msg: 'patched-dev' });
  });

  it('refuses a child with spec.kubeConfig, naming its file, the field and the fix; the last good state stays', async () => {
    const remote = `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: remote
  namespace: flux-system
spec:
  interval: 10m
  path: ./platform/db-app
  prune: true
  kubeConfig:
    secretRef:
      name: staging-kubeconfig
  sourceRef:
    kind: GitRepository
    name: flux-system
`;
    await h.push({ 'platform/remote.yaml': remote }, 'a child for another cluster');
    await h.webhook();
    const platform = await h.waitFor('platform refused', async () =>
      (await h.status()).clusters[0]?.kustomizations.find(
        (k) => k.name === 'platform' && k.render?.ready === false,
      ),
    );
    expect(platform.render?.reason).toBe('BuildFailed');
    expect(platform.render?.message).toContain('platform/remote.yaml');
    expect(platform.render?.message).toContain('spec.kubeConfig');
    expect(platform.render?.message).toContain('declare it in the fleet path of the cluster it is meant for');
    expect(data('web-config', 'web-ns')).toEqual({ msg: 'patched-dev' });
  });
});
