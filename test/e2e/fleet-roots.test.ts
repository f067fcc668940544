// Fleets that do not start at clusters/<name>: a `flux bootstrap --path kubernetes/flux/cluster` fleet, two
// clusters sharing one path with their own variables, and a Flux Operator fleet whose FluxInstance names the
// root. Each is rendered by the embedded control plane and applied to the test Kubernetes API server.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatStatus } from '../../cli/commands/status.ts';
import type { SignedArtifact } from '../../shared/core/artifact/artifact.ts';
import { kustomizationTarget } from '../../shared/core/pipeline/target.ts';
import type { StatusView } from '../../shared/usecases/read-status.ts';
import { registerFleet } from '../../shared/usecases/register-fleet.ts';
import { stateOf } from '../../shared/usecases/state-store.ts';
import { type Harness, startHarness } from '../support/pipeline-harness.ts';
import { runCli } from '../support/run-cli.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/fleet-roots');
const ROOT = { namespace: 'flux-system', name: 'flux-system' };

const dataOf = (h: Harness, name: string, namespace = 'default') =>
  h.kube.object('v1', 'ConfigMap', name, namespace)?.data as Record<string, string> | undefined;

function targetOf(view: StatusView, cluster: string, name: string) {
  return view.clusters.find((c) => c.name === cluster)?.kustomizations.find((k) => k.name === name);
}

/** The ConfigMaps a cluster's published artifact holds, by name: what its puller would apply. */
async function publishedConfigMaps(h: Harness, cluster: string, name: string) {
  const state = stateOf(h.plane.deps);
  const entry = await state.getIndexEntry(cluster, kustomizationTarget({ namespace: 'flux-system', name }));
  if (!entry?.artifactKey) return undefined;
  const signed = (await state.getArtifactAt(entry.artifactKey)) as SignedArtifact | undefined;
  return Object.fromEntries(
    (signed?.payload.objects ?? [])
      .filter((o) => o.kind === 'ConfigMap')
      .map((o) => [String((o.metadata as { name: string }).name), o.data as Record<string, string>]),
  );
}

describe('a fleet bootstrapped at kubernetes/flux/cluster', () => {
  let h: Harness;
  const GOTK = 'kubernetes/flux/cluster/flux-system/gotk-sync.yaml';
  const gotkSync = (url: string) =>
    `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 1m0s
  ref:
    branch: main
  url: ${url}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 10m0s
  path: ./kubernetes/flux/cluster
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
`;

  beforeAll(async () => {
    h = await startHarness({
      fleet: join(FIXTURES, 'bootstrap-path'),
      settings: { clusters: ['home'], clusterRoots: { home: { path: 'kubernetes/flux/cluster' } } },
    });
    // flux bootstrap writes the fleet's own URL into gotk-sync.yaml.
    await h.push({ [GOTK]: gotkSync(h.git.url('fleet')) }, 'bootstrap');
    await h.start();
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  it('renders the configured path, with the postBuild a patch gave the root in flux-system/kustomization.yaml', async () => {
    const info = await h.waitFor('cluster-info applied', () => dataOf(h, 'cluster-info'));
    expect(info).toEqual({ name: 'home' });
    expect(await h.waitFor('greeting applied', () => dataOf(h, 'greeting'))).toEqual({
      text: 'hello from kubernetes/apps',
    });
    const root = targetOf(await h.status(), 'home', 'flux-system');
    expect(root?.path).toBe('./kubernetes/flux/cluster');
    expect(root?.render?.ready).toBe(true);
    // gotk-components.yaml: the Namespace is kept, the controllers are not; gotk-sync.yaml is the fleet itself.
    expect(h.kube.object('v1', 'Namespace', 'flux-system')).toBeDefined();
    expect(h.kube.objects({ kind: 'Deployment' })).toEqual([]);
    expect(h.kube.objects({ kind: 'GitRepository' })).toEqual([]);
    expect(h.kube.objects({ kind: 'Kustomization' })).toEqual([]);
  });

  it('decrypts the SOPS files of the root, as the decryption a patch gave it asks', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'sluice-root-sops-'));
    try {
      const plain = join(scratch, 'home-secret.yaml');
      writeFileSync(
        plain,
        'apiVersion: v1\nkind: Secret\nmetadata:\n  name: home-secret\n  namespace: default\nstringData:\n  token: only-the-cluster-sees-this\n',
      );
      const sealed = await runCli(
        [
          'secrets',
          'encrypt',
          plain,
          '--age',
          h.plane.sops.recipient,
          '--encrypted-regex',
          '^(data|stringData)$',
        ],
        { cwd: scratch, env: { PATH: process.env.PATH, HOME: scratch } },
      );
      expect(sealed.code).toBe(0);
      await h.push({ 'kubernetes/flux/cluster/home-secret.sops.yaml': sealed.stdout }, 'a secret');
      await h.webhook();
      const secret = await h.waitFor('home-secret applied', () =>
        h.kube.object('v1', 'Secret', 'home-secret', 'default'),
      );
      const data = (secret.data ?? {}) as Record<string, string>;
      const token = data.token
        ? Buffer.from(data.token, 'base64').toString('utf8')
        : (secret.stringData as Record<string, string>)?.token;
      expect(token).toBe('only-the-cluster-sees-this');
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('reports a gotk-sync.yaml naming another repository, and keeps rendering the configured fleet', async () => {
    await h.push({ [GOTK]: gotkSync('https://git.example/someone/else.git') }, 'point elsewhere');
    await h.webhook();
    const warning = await h.waitFor('the root reports the URL', async () =>
      targetOf(await h.status(), 'home', 'flux-system')?.render?.warnings.find((w) => w.includes('spec.url')),
    );
    expect(warning).toContain(`${GOTK}: GitRepository flux-system/flux-system spec.url`);
    expect(targetOf(await h.status(), 'home', 'flux-system')?.render?.ready).toBe(true);
    expect(dataOf(h, 'cluster-info')).toEqual({ name: 'home' });
  });
});

describe('two clusters sharing kubernetes/clusters/production with their own variables', () => {
  let h: Harness;

  beforeAll(async () => {
    const shared = 'kubernetes/clusters/production';
    h = await startHarness({
      fleet: join(FIXTURES, 'shared-path'),
      settings: {
        // lab has no path set, and the fleet has no clusters/lab.
        clusters: ['eu', 'us', 'lab'],
        clusterRoots: {
          eu: { path: shared, variables: { REGION: 'eu-west-1' } },
          us: { path: shared, variables: { REGION: 'us-east-1', TIER: 'premium' } },
        },
      },
    });
    await h.start();
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  it('applies the first cluster with its variables, on the root and through it on the apps', async () => {
    expect(await h.waitFor('region applied', () => dataOf(h, 'region'))).toEqual({ region: 'eu-west-1' });
    expect(await h.waitFor('app-config applied', () => dataOf(h, 'app-config'))).toEqual({
      region: 'eu-west-1',
      tier: 'standard',
    });
  });

  it('publishes the second cluster from the same path with its own variables', async () => {
    const apps = await h.waitFor('us apps published', () => publishedConfigMaps(h, 'us', 'apps'));
    expect(apps['app-config']).toEqual({ region: 'us-east-1', tier: 'premium' });
    expect((await publishedConfigMaps(h, 'us', ROOT.name))?.region).toEqual({ region: 'us-east-1' });
  });

  it('reports the directory no cluster declares and the cluster whose path is missing, in status and in sluice status', async () => {
    const view = await h.waitFor('fleet notes', async () => {
      const v = await h.status();
      return (v.fleet?.notes.length ?? 0) >= 2 ? v : undefined;
    });
    expect(view.fleet?.notes.map((n) => [n.kind, n.cluster, n.path])).toEqual([
      ['MissingClusterPath', 'lab', 'clusters/lab'],
      ['UndeclaredClusterDirectory', undefined, 'kubernetes/clusters/staging'],
    ]);
    const text = formatStatus(view);
    expect(text).toContain('FLEET');
    expect(text).toContain('cluster lab: its path clusters/lab does not exist in the fleet');
    expect(text).toContain('kubernetes/clusters/staging looks like a cluster root');
  });

  it('fetches the fleet once for all clusters, as they follow one branch', async () => {
    const fleet = (await h.status()).sources.filter((s) => s.url === h.git.url('fleet'));
    expect(fleet).toHaveLength(1);
  });
});

describe('a Flux Operator fleet', () => {
  let h: Harness;
  const INSTANCE = 'clusters/prod/flux-system/flux-instance.yaml';
  const EDGE = 'bootstrap/edge/flux-instance.yaml';

  beforeAll(async () => {
    h = await startHarness({
      fleet: join(FIXTURES, 'flux-instance'),
      settings: { clusters: ['prod', 'edge'], clusterRoots: { edge: { path: 'bootstrap/edge' } } },
    });
    const fixture = (await import('node:fs')).readFileSync;
    const withUrl = (file: string) =>
      fixture(join(FIXTURES, 'flux-instance', file), 'utf8').replace(
        'https://git.example/replaced-by-the-test/fleet.git',
        h.git.url('fleet'),
      );
    await h.push({ [INSTANCE]: withUrl(INSTANCE), [EDGE]: withUrl(EDGE) }, 'the fleet URL');
    await h.start();
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  it('delivers what the FluxInstance syncs and applies no FluxInstance, saying why in status', async () => {
    expect(await h.waitFor('greeting applied', () => dataOf(h, 'greeting'))).toEqual({
      text: 'hello from the FluxInstance fleet',
    });
    expect(h.kube.objects({ kind: 'FluxInstance' })).toEqual([]);
    const root = targetOf(await h.status(), 'prod', 'flux-system');
    expect(root?.render?.warnings).toEqual([
      expect.stringMatching(
        /^clusters\/prod\/flux-system\/flux-instance\.yaml: FluxInstance\/flux-system\/flux: .*skipped and not applied; its spec\.sync is this cluster's root$/,
      ),
    ]);
  });

  it('renders the root at spec.sync.path when the FluxInstance lives elsewhere', async () => {
    const apps = await h.waitFor('edge apps published', () => publishedConfigMaps(h, 'edge', 'apps-edge'));
    expect(apps.greeting).toEqual({ text: 'hello from the edge' });
    const root = targetOf(await h.status(), 'edge', 'flux-system');
    expect(root?.render?.ready).toBe(true);
  });
});

describe('clusters following different branches of one fleet', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({
      settings: { clusters: ['canary', 'dev'], clusterRoots: { canary: { branch: 'canary' } } },
    });
    // The canary branch adds a cluster and an app directory main does not have.
    await h.repo.checkoutNewBranch('canary');
    await h.repo.write({
      'clusters/canary/apps.yaml': `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: canary-apps
  namespace: flux-system
spec:
  interval: 10m
  path: ./apps/canary
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
  targetNamespace: default
`,
      'apps/canary/greeting.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: greeting
data:
  text: hello from the canary branch
`,
    });
    await h.repo.commit('canary');
    await h.repo.push({ branch: 'canary' });
    await h.repo.checkout('main');
    await h.start();
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  it('renders each cluster and its children from its own branch', async () => {
    expect(await h.waitFor('canary greeting applied', () => dataOf(h, 'greeting'))).toEqual({
      text: 'hello from the canary branch',
    });
    const view = await h.waitFor('dev root rendered', async () => {
      const v = await h.status();
      return targetOf(v, 'dev', 'flux-system')?.render?.ready ? v : undefined;
    });
    const fleet = view.sources.filter((s) => s.url === h.git.url('fleet'));
    expect(fleet).toHaveLength(2);
    expect(new Set(fleet.map((s) => s.revision?.split('@')[0]))).toEqual(new Set(['main', 'canary']));
    expect(targetOf(view, 'dev', 'canary-apps')).toBeUndefined();
  });
});

describe('a root with names of its own', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({
      fleet: join(FIXTURES, 'root-names'),
      settings: { clusterRoots: { dev: { root: { namespace: 'flux-system', name: 'fleet' } } } },
    });
    await h.start();
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  it('registers the root under those names, and children naming GitRepository fleet read the fleet', async () => {
    expect(await h.waitFor('greeting applied', () => dataOf(h, 'greeting'))).toEqual({
      text: 'hello through GitRepository fleet',
    });
    const view = await h.status();
    expect(targetOf(view, 'dev', 'fleet')?.render?.ready).toBe(true);
    expect(targetOf(view, 'dev', 'flux-system')).toBeUndefined();
  });

  it('withdraws the root registered under the old names when the root is renamed, and keeps delivering', async () => {
    const { deps } = h.plane;
    const renamed = { dev: { root: { namespace: 'flux-system', name: 'renamed' } } };
    await registerFleet(
      { ...deps, settings: { ...deps.settings, clusterRoots: renamed } },
      { url: h.git.url('fleet'), branch: 'main', intervalMs: 3_600_000 },
    );
    const view = await h.waitFor('the old root withdrawn, the new one rendered', async () => {
      const v = await h.status();
      // Withdrawn: its index entry is a signed tombstone (the target stays listed while its apply status does).
      const old = targetOf(v, 'dev', 'fleet');
      const withdrawn = !old || old.artifact?.deleted === true;
      return withdrawn && targetOf(v, 'dev', 'renamed')?.render?.ready ? v : undefined;
    });
    expect(targetOf(view, 'dev', 'apps')?.render?.ready).toBe(true);
    expect(dataOf(h, 'greeting')).toEqual({ text: 'hello through GitRepository fleet' });
  });
});
