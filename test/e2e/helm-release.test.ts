// HelmRelease end to end through the embedded control plane: a chart in the fleet repository, rendered once
// with the real helm, applied by the puller into the test Kubernetes API server, where the real `helm list`,
// `helm history` and `helm get values` read the release Sluice recorded; a values change upgrades it,
// removing it uninstalls it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHelmHome, runHelm } from '../support/helm-charts.ts';
import { helmReleaseYaml } from '../support/helm-release-yaml.ts';
import { type Harness, startHarness } from '../support/pipeline-harness.ts';

let h: Harness;
let scratch: string;
let kubeconfig: string;
let home: string;

const chart = {
  'charts/greeter/Chart.yaml': 'apiVersion: v2\nname: greeter\nversion: 1.2.0\nappVersion: "2.0"\n',
  'charts/greeter/values.yaml': 'greeting: Hello\n',
  'charts/greeter/templates/configmap.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-greeting
data:
  greeting: {{ .Values.greeting | quote }}
  action: {{ if .Release.IsUpgrade }}upgrade{{ else }}install{{ end }}
  {{- if .Capabilities.APIVersions.Has "apps/v1/Deployment" }}
  deployments: "yes"
  {{- end }}
`,
  'charts/greeter/templates/NOTES.txt': 'Thanks for installing {{ .Release.Name }}.\n',
};

const release = (greeting: string) =>
  helmReleaseYaml('greeter', {
    chart: './charts/greeter',
    targetNamespace: 'greetings',
    before: '  install:\n    createNamespace: true\n',
    after: `  values:\n    greeting: ${greeting}\n`,
  });

const helm = async (...args: string[]) =>
  (await runHelm([...args, '--kubeconfig', kubeconfig], { home })).stdout;

const configMap = () =>
  h.kube.object('v1', 'ConfigMap', 'greetings-greeter-greeting', 'greetings') as unknown as
    | {
        data: Record<string, string>;
        metadata: { uid: string; labels?: Record<string, string>; annotations?: Record<string, string> };
      }
    | undefined;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'sluice-helm-e2e-'));
  h = await startHarness({ files: { ...chart, 'clusters/dev/greeter.yaml': release('Hello') } });
  kubeconfig = join(scratch, 'kubeconfig');
  writeFileSync(kubeconfig, h.kube.kubeconfig());
  home = await makeHelmHome(scratch);
  await h.start();
}, 90_000);

afterAll(async () => {
  await h?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('a HelmRelease in the fleet', () => {
  it('is rendered with helm and applied with Helm ownership metadata, against the cluster capabilities', async () => {
    const cm = await h.waitFor('the release applied', configMap, 30_000);
    expect(cm.data.greeting).toBe('Hello');
    expect(cm.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('Helm');
    expect(cm.metadata.annotations).toMatchObject({
      'meta.helm.sh/release-name': 'greetings-greeter',
      'meta.helm.sh/release-namespace': 'greetings',
    });
    // The puller reported the API server's capabilities; the chart saw apps/v1 Deployments.
    await h.waitFor(
      'rendered against the capabilities',
      async () => (await configMap())?.data.deployments === 'yes' || undefined,
    );
  });

  it('shows in helm list, and helm get values reads the values Sluice merged', async () => {
    const list = await h.waitFor('helm list shows it', async () => {
      // The example fleet's own release (hello) is there too.
      const out = (
        JSON.parse(await helm('list', '-A', '-o', 'json')) as {
          name: string;
          status: string;
          chart: string;
          namespace: string;
        }[]
      ).filter((r) => r.name !== 'hello');
      return out.length > 0 ? out : undefined;
    });
    expect(list).toEqual([
      expect.objectContaining({
        name: 'greetings-greeter',
        // The release's namespace; its record lives in the storage namespace (the HelmRelease's), as with Flux.
        namespace: 'greetings',
        status: 'deployed',
        chart: 'greeter-1.2.0',
      }),
    ]);
    const values = JSON.parse(
      await helm('get', 'values', 'greetings-greeter', '-n', 'flux-system', '-o', 'json'),
    );
    expect(values).toEqual({ greeting: 'Hello' });
    const status = await h.status();
    const row = status.clusters[0]?.kustomizations.find(
      (k) => k.kind === 'HelmRelease' && k.name === 'greeter',
    );
    expect(row).toMatchObject({ name: 'greeter', chart: { name: 'greeter' } });
  });

  it('upgrades in place when the values change: same object, a new revision in helm history', async () => {
    const before = await configMap();
    await h.push({ 'clusters/dev/greeter.yaml': release('Bonjour') }, 'greet in French');
    await h.webhook();
    const cm = await h.waitFor(
      'the new values applied',
      async () => {
        const now = await configMap();
        return now?.data.greeting === 'Bonjour' ? now : undefined;
      },
      30_000,
    );
    expect(cm.metadata.uid).toBe(before?.metadata.uid);
    expect(cm.data.action).toBe('upgrade');
    const history = await h.waitFor('two revisions', async () => {
      const out = JSON.parse(
        await helm('history', 'greetings-greeter', '-n', 'flux-system', '-o', 'json'),
      ) as { revision: number; status: string }[];
      return out.some((r) => r.status === 'deployed' && r.revision > 1) ? out : undefined;
    });
    expect(history.at(-1)?.status).toBe('deployed');
    expect(history.slice(0, -1).every((r) => r.status === 'superseded')).toBe(true);
  });

  it.each([
    {
      what: 'a valuesFrom ConfigMap that does not exist',
      spec: '  valuesFrom:\n    - kind: ConfigMap\n      name: missing-values\n',
      files: {} as Record<string, string>,
      expect: /spec\.valuesFrom\[0\].*ConfigMap 'flux-system\/missing-values'/,
    },
    {
      what: 'a values key that is not a map',
      spec: '  valuesFrom:\n    - kind: ConfigMap\n      name: scalar-values\n',
      files: {
        'clusters/dev/scalar-values.yaml':
          'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: scalar-values\n  namespace: flux-system\ndata:\n  values.yaml: just a string\n',
      },
      expect: /spec\.valuesFrom\[0\]/,
    },
    {
      what: 'a chart that fails to render',
      spec: '',
      // Only the chart changes: new values in the same commit may first render, correctly, against the
      // chart as it was, and that good release would then be the one kept.
      greeting: 'Bonjour',
      files: { 'charts/greeter/templates/fail.yaml': '{{ fail "greeter: greeting must not be Hola" }}\n' },
      expect: /greeting must not be Hola/,
    },
    {
      what: 'a post-renderer patch that matches nothing',
      spec: '  postRenderers:\n    - kustomize:\n        patches:\n          - patch: |\n              apiVersion: v1\n              kind: Secret\n              metadata:\n                name: no-such-secret\n              data: {}\n',
      files: {} as Record<string, string>,
      expect: /spec\.postRenderers\[0\]/,
    },
  ])(
    'keeps the last good release applied and names the problem: $what',
    async ({ spec, files, expect: message, greeting }) => {
      await h.push(
        { ...files, 'clusters/dev/greeter.yaml': release(greeting ?? 'Hola') + spec },
        'a bad release',
      );
      await h.webhook();
      const failed = await h.waitFor(
        'the render failure recorded',
        async () => {
          const row = (await h.status()).clusters[0]?.kustomizations.find(
            (k) => k.kind === 'HelmRelease' && k.name === 'greeter',
          );
          return row?.render && !row.render.ready && message.test(row.render.message)
            ? row.render
            : undefined;
        },
        30_000,
      );
      expect(failed.message).toContain('HelmRelease/flux-system/greeter');
      expect((await configMap())?.data.greeting).toBe('Bonjour');
      // Back to the good release before the next case.
      await h.push(
        {
          ...Object.fromEntries(Object.keys(files).map((f) => [f, null])),
          'clusters/dev/greeter.yaml': release('Bonjour'),
        },
        'back to good',
      );
      await h.webhook();
      await h.waitFor('good again', async () => {
        const row = (await h.status()).clusters[0]?.kustomizations.find(
          (k) => k.kind === 'HelmRelease' && k.name === 'greeter',
        );
        return row?.render?.ready || undefined;
      });
    },
  );

  it('uninstalls when the HelmRelease leaves the fleet', async () => {
    await h.push({ 'clusters/dev/greeter.yaml': null }, 'no more greetings');
    await h.webhook();
    await h.waitFor(
      'the objects removed',
      async () => ((await configMap()) === undefined ? true : undefined),
      30_000,
    );
    await h.waitFor(
      'helm list is empty',
      async () =>
        (JSON.parse(await helm('list', '-A', '-o', 'json')) as { name: string }[]).every(
          (r) => r.name === 'hello',
        ) || undefined,
    );
  });
});
