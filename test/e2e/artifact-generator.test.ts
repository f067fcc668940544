// ArtifactGenerators end to end through the embedded control plane: artifacts composed from the fleet's own
// GitRepository and a Bucket on the embedded S3-compatible server, applied by a Kustomization (sourceRef
// ExternalArtifact) and a HelmRelease (chartRef ExternalArtifact), composed again when an input moves;
// spec.pathPattern discovery; and a HelmChart built from the Bucket.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileSource } from '../../cli/commands/reconcile.ts';
import { findControlPlane } from '../../cli/control-plane-context.ts';
import { type BucketHost, bucketSourceYaml, startBucketHost } from '../support/bucket-host.ts';
import { type Harness, startHarness, WEBHOOK_SECRET } from '../support/pipeline-harness.ts';

let h: Harness;
let host: BucketHost;

const configMap = (name: string, value: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: default
data:
  value: "${value}"
`;

const plane = () =>
  findControlPlane(
    { api: h.plane.apiUrl },
    { SLUICE_WEBHOOK_SECRET: WEBHOOK_SECRET, XDG_CONFIG_HOME: join(h.dataDir, 'no-config') },
  );

const artifact = async () =>
  (await h.status()).sources.find(
    (s) =>
      s.kind === 'ExternalArtifact' && s.declarers.some((d) => d.name === 'composed' && d.cluster === 'dev'),
  );

const appliedValue = async (name: string) =>
  ((await h.kube.object('v1', 'ConfigMap', name, 'default')) as { data?: { value?: string } } | undefined)
    ?.data?.value;

const fleet = (bucket: BucketHost) => `${bucketSourceYaml(bucket)}---
apiVersion: source.extensions.fluxcd.io/v1beta1
kind: ArtifactGenerator
metadata:
  name: app
  namespace: flux-system
spec:
  sources:
    - alias: fleet
      kind: GitRepository
      name: flux-system
    - alias: assets
      kind: Bucket
      name: assets
  artifacts:
    - name: composed
      copy:
        - from: "@fleet/app-base/**"
          to: "@artifact/app/"
          exclude: ["*.md"]
        - from: "@assets/settings/cm.yaml"
          to: "@artifact/app/"
    - name: greeter-chart
      revision: "@assets"
      copy:
        - from: "@fleet/charts/greeter/"
          to: "@artifact/"
        - from: "@assets/values-prod.yaml"
          to: "@artifact/greeter/values.yaml"
          strategy: Merge
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: greeter
  namespace: flux-system
spec:
  interval: 1h
  releaseName: greeter
  targetNamespace: default
  chartRef:
    kind: ExternalArtifact
    name: greeter-chart
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: bucket-chart
  namespace: flux-system
spec:
  interval: 1h
  releaseName: bucket-chart
  targetNamespace: default
  chart:
    spec:
      chart: ./charts/hello
      sourceRef:
        kind: Bucket
        name: assets
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: composed
  namespace: flux-system
spec:
  interval: 1h
  path: ./app
  prune: true
  sourceRef:
    kind: ExternalArtifact
    name: composed
`;

/** One artifact per `teams/<team>/envs/<env>` directory of the fleet, found by spec.pathPattern. */
const teams = `apiVersion: source.extensions.fluxcd.io/v1beta1
kind: ArtifactGenerator
metadata:
  name: teams
  namespace: flux-system
spec:
  sources:
    - alias: fleet
      kind: GitRepository
      name: flux-system
  pathPattern: "@fleet/teams/{team}/envs/{env}"
  artifacts:
    - name: "team-{team}-{env}"
      copy:
        - from: "@fleet/teams/{team}/envs/{env}/**"
          to: "@artifact/"
`;

const teamKustomization = (name: string) => `---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: ${name}
  namespace: flux-system
spec:
  interval: 1h
  path: ./
  prune: true
  sourceRef:
    kind: ExternalArtifact
    name: ${name}
`;

beforeAll(async () => {
  host = await startBucketHost('assets');
  await host.put('settings/cm.yaml', configMap('from-bucket', 'one'));
  await host.put('values-prod.yaml', 'greeting: Bonjour\n');
  // A chart kept in the Bucket itself, for a HelmChart whose source is the Bucket.
  await host.put('charts/hello/Chart.yaml', 'apiVersion: v2\nname: hello\nversion: 0.1.0\n');
  await host.put(
    'charts/hello/templates/cm.yaml',
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-from-bucket-chart\ndata:\n  chart: {{ .Chart.Name }}\n',
  );
  h = await startHarness({
    files: {
      'clusters/dev/generator.yaml': fleet(host),
      'app-base/kustomization.yaml': 'resources:\n- base-cm.yaml\n- cm.yaml\n',
      'app-base/base-cm.yaml': configMap('from-git', 'base'),
      'app-base/README.md': '# excluded from the artifact\n',
      'clusters/dev/teams.yaml': teams + teamKustomization('team-alpha-dev'),
      'teams/alpha/envs/dev/cm.yaml': configMap('alpha-dev', 'alpha'),
      'charts/greeter/Chart.yaml': 'apiVersion: v2\nname: greeter\nversion: 1.0.0\n',
      'charts/greeter/values.yaml': 'greeting: Hello\ncolor: blue\n',
      'charts/greeter/templates/configmap.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-greeting\ndata:\n  greeting: {{ .Values.greeting | quote }}\n  color: {{ .Values.color | quote }}\n',
    },
    settings: { clusters: ['dev'], allowedSourceHosts: [host.origin] },
  });
  await h.start();
}, 90_000);

afterAll(async () => {
  await h?.close();
  await host?.close();
});

describe('an ArtifactGenerator composing the fleet repository and a Bucket', () => {
  it('applies the composed artifact through a Kustomization with sourceRef ExternalArtifact', async () => {
    await h.waitFor('both ConfigMaps applied', async () =>
      (await appliedValue('from-git')) === 'base' && (await appliedValue('from-bucket')) === 'one'
        ? true
        : undefined,
    );
    const composed = await artifact();
    expect(composed?.revision).toMatch(/^latest@sha256:[a-f0-9]{64}$/);
    expect(composed?.error).toBeUndefined();
    // What sluice status lists among the sources, as the README shows it.
    expect(composed?.declaredBy).toBe('ExternalArtifact/flux-system/composed (cluster dev)');
    expect(composed?.url).toBe('ArtifactGenerator/flux-system/app#composed');
  });

  it('composes a new revision when an input moves, and applies it', async () => {
    const before = await artifact();
    await host.put('settings/cm.yaml', configMap('from-bucket', 'two'));
    await reconcileSource(plane(), 'assets', 'Bucket');
    await h.waitFor('the new value applied', async () =>
      (await appliedValue('from-bucket')) === 'two' ? true : undefined,
    );
    const after = await artifact();
    expect(after?.revision).toMatch(/^latest@sha256:[a-f0-9]{64}$/);
    expect(after?.revision).not.toBe(before?.revision);
    expect(after?.generation).toBe((before?.generation ?? 0) + 1);
    // The Git side is still there: the artifact is composed whole again.
    expect(await appliedValue('from-git')).toBe('base');
  });

  it('composes again from a new fleet commit', async () => {
    await h.push({ 'app-base/base-cm.yaml': configMap('from-git', 'changed') }, 'change the base');
    await h.webhook();
    await h.waitFor('the new commit applied through the artifact', async () =>
      (await appliedValue('from-git')) === 'changed' ? true : undefined,
    );
    expect(await appliedValue('from-bucket')).toBe('two');
  });

  it('renders a HelmRelease from a chart it composed, its values file merged with the Merge strategy', async () => {
    const cm = (await h.waitFor('the release applied', () =>
      h.kube.object('v1', 'ConfigMap', 'greeter-greeting', 'default'),
    )) as unknown as { data: Record<string, string> };
    expect(cm.data).toEqual({ greeting: 'Bonjour', color: 'blue' });
    // revision: "@assets": the artifact carries the Bucket's revision instead of latest@<digest>.
    const sources = (await h.status()).sources;
    const bucket = sources.find((s) => s.kind === 'Bucket');
    const chart = sources.find(
      (s) => s.kind === 'ExternalArtifact' && s.declarers.some((d) => d.name === 'greeter-chart'),
    );
    expect(chart?.revision).toBe(bucket?.revision);
    expect(chart?.revision).toMatch(/^sha256:[a-f0-9]{64}$/);
  });

  it('discovers one artifact per directory with spec.pathPattern, and a new directory on a new commit', async () => {
    await h.waitFor('the discovered artifact applied', async () =>
      (await appliedValue('alpha-dev')) === 'alpha' ? true : undefined,
    );
    await h.push(
      {
        'teams/beta/envs/prod/cm.yaml': configMap('beta-prod', 'beta'),
        'clusters/dev/teams.yaml':
          teams + teamKustomization('team-alpha-dev') + teamKustomization('team-beta-prod'),
      },
      'a new team',
    );
    await h.webhook();
    await h.waitFor('the new directory applied', async () =>
      (await appliedValue('beta-prod')) === 'beta' ? true : undefined,
    );
    const names = (await h.status()).sources
      .filter((s) => s.kind === 'ExternalArtifact')
      .flatMap((s) => s.declarers.map((d) => d.name))
      .sort();
    expect(names).toEqual(['composed', 'greeter-chart', 'team-alpha-dev', 'team-beta-prod']);
  });

  it('builds a HelmChart from a Bucket as from a GitRepository', async () => {
    const cm = (await h.waitFor('the release applied', () =>
      h.kube.object('v1', 'ConfigMap', 'bucket-chart-from-bucket-chart', 'default'),
    )) as unknown as { data: Record<string, string> };
    expect(cm.data).toEqual({ chart: 'hello' });
  });
});
