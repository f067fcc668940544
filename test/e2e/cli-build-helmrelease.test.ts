// `sluice build helmrelease` as a user runs it: the HelmRelease's manifest on stdout, equal to the bundled
// `helm template` of the same chart and values (Flux's order, --values last) plus Sluice's ownership and
// origin metadata; errors as `✗ file: object: field: message` on stderr.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { FROM_CRDS_DIR } from '../../shared/core/helm/helm-release-apply.ts';
import { makeHelmHome, packageChart, runHelm, writeChart } from '../support/helm-charts.ts';
import { helmReleaseYaml } from '../support/helm-release-yaml.ts';
import { type CliRun, runCli } from '../support/run-cli.ts';

let dir: string;
let home: string;

function sluice(...args: string[]): Promise<CliRun> {
  return runCli(args, { cwd: dir });
}

/** `sluice build helmrelease NAME --file release.yaml ARGS...` in the test's folder. */
function build(name: string, ...args: string[]): Promise<CliRun> {
  return sluice('build', 'helmrelease', name, '--file', 'release.yaml', ...args);
}

async function write(path: string, text: string): Promise<void> {
  await mkdir(join(dir, path, '..'), { recursive: true });
  await writeFile(join(dir, path), text);
}

const CRD = [
  'apiVersion: apiextensions.k8s.io/v1',
  'kind: CustomResourceDefinition',
  'metadata:',
  '  name: greetings.example.com',
  'spec:',
  '  group: example.com',
  '  scope: Namespaced',
  '  names: {kind: Greeting, plural: greetings}',
  '  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]',
  '',
].join('\n');

const RELEASE = [
  helmReleaseYaml('greeter', {
    chart: './charts/greeter',
    targetNamespace: 'apps',
    after: `  valuesFrom:
  - kind: ConfigMap
    name: greeter-values
  values:
    greeting: hi
    nested:
      fromSpec: spec
`,
  }),
  `apiVersion: v1
kind: ConfigMap
metadata:
  name: greeter-values
  namespace: flux-system
data:
  values.yaml: |
    greeting: from-configmap
    colour: red
    nested:
      fromSpec: configmap
      fromConfigMap: configmap
`,
  helmReleaseYaml('broken', { chart: './charts/broken' }),
  helmReleaseYaml('lonely', {
    chart: './charts/greeter',
    after: `  valuesFrom:
  - kind: ConfigMap
    name: absent
`,
  }),
  helmReleaseYaml('prod', {
    chart: './charts/greeter',
    chartSpec: `      valuesFiles:
      - ./charts/greeter/values.yaml
      - ./charts/greeter/values-prod.yaml
`,
    after: `  values:
    greeting: from-release
`,
  }),
  helmReleaseYaml('podinfo', {
    chart: 'podinfo',
    chartSpec: '      version: 6.x\n',
    sourceRef: { kind: 'HelmRepository', name: 'podinfo' },
  }),
].join('---\n');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-cli-build-hr-'));
  home = await makeHelmHome(dir);
  await writeChart(join(dir, 'charts'), {
    name: 'greeter',
    version: '1.0.0',
    values: 'greeting: hello\ncolour: grey\nnested:\n  fromChart: chart\n',
    templates: {
      'configmap.yaml': [
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata:',
        '  name: {{ .Release.Name }}',
        '  namespace: {{ .Release.Namespace }}',
        '  labels:',
        '    app.kubernetes.io/name: {{ .Chart.Name }}',
        'data:',
        '  greeting: {{ .Values.greeting | quote }}',
        '  colour: {{ .Values.colour | quote }}',
        '  nested: {{ .Values.nested | toJson | quote }}',
        '  upgrade: {{ .Release.IsUpgrade | quote }}',
        '  kube: {{ .Capabilities.KubeVersion.Version | quote }}',
        '  monitoring: {{ .Capabilities.APIVersions.Has "monitoring.coreos.com/v1" | quote }}',
        '',
      ].join('\n'),
      'hook.yaml': [
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata:',
        '  name: {{ .Release.Name }}-before',
        '  namespace: {{ .Release.Namespace }}',
        '  annotations:',
        '    helm.sh/hook: pre-install,pre-upgrade',
        '    helm.sh/hook-weight: "-1"',
        'data:',
        '  step: before',
        '',
      ].join('\n'),
    },
    files: { 'crds/greetings.yaml': CRD, 'values-prod.yaml': 'colour: prod-purple\ngreeting: prod\n' },
  });
  await writeChart(join(dir, 'charts'), {
    name: 'broken',
    version: '0.1.0',
    values: '{}\n',
    templates: {
      'deployment.yaml': 'image: {{ required "values.image is required: set image" .Values.image }}\n',
    },
  });
  await packageChart(join(dir, 'charts/greeter'), join(dir, 'dist'), home);
  await write('release.yaml', RELEASE);
  await write('override.yaml', 'colour: blue\nnested:\n  fromOverride: override\n');
  await write('override-2.yaml', 'colour: green\n');
  await write('list.yaml', '- colour\n- blue\n');
  // The values helm is given in the comparison: the ConfigMap's, spec.values, then each --values file.
  await write(
    'helm/configmap-values.yaml',
    'greeting: from-configmap\ncolour: red\nnested:\n  fromSpec: configmap\n  fromConfigMap: configmap\n',
  );
  await write('helm/spec-values.yaml', 'greeting: hi\nnested:\n  fromSpec: spec\n');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

type Obj = {
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
};

function parse(text: string): Obj[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as Obj | null)
    .filter((o): o is Obj => o !== null);
}

/** Sluice's render less what it adds to helm's: Helm's ownership metadata and Flux's origin labels. */
function withoutSluiceMetadata(objects: Obj[]): Obj[] {
  return objects.map((o) => {
    const copy = structuredClone(o);
    const meta = copy.metadata;
    for (const label of [
      'app.kubernetes.io/managed-by',
      'helm.toolkit.fluxcd.io/name',
      'helm.toolkit.fluxcd.io/namespace',
    ])
      delete meta.labels?.[label];
    for (const annotation of ['meta.helm.sh/release-name', 'meta.helm.sh/release-namespace', FROM_CRDS_DIR])
      delete meta.annotations?.[annotation];
    if (meta.labels && Object.keys(meta.labels).length === 0) delete meta.labels;
    if (meta.annotations && Object.keys(meta.annotations).length === 0) delete meta.annotations;
    return copy;
  });
}

const byKindAndName = (a: Obj, b: Obj) =>
  `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`);

describe('sluice build helmrelease', () => {
  it('prints what the bundled helm template renders from the same chart and values, plus ownership', async () => {
    const run = await build(
      'greeter',
      '--values',
      'override.yaml',
      '--values',
      'override-2.yaml',
      '--kube-version',
      'v1.31.2',
      '--api-versions',
      'monitoring.coreos.com/v1',
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const helm = await runHelm(
      [
        'template',
        'apps-greeter',
        join(dir, 'charts/greeter'),
        '--namespace',
        'apps',
        '--include-crds',
        '--kube-version',
        'v1.31.2',
        '--api-versions',
        'monitoring.coreos.com/v1',
        '-f',
        'helm/configmap-values.yaml',
        '-f',
        'helm/spec-values.yaml',
        '-f',
        'override.yaml',
        '-f',
        'override-2.yaml',
      ],
      { home, cwd: dir },
    );
    const ours = parse(run.stdout);
    expect(withoutSluiceMetadata(ours).sort(byKindAndName)).toEqual(parse(helm.stdout).sort(byKindAndName));
    // CRDs first, then the release's objects, then hooks; each release object carries Helm's ownership.
    expect(ours.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'CustomResourceDefinition/greetings.example.com',
      'ConfigMap/apps-greeter',
      'ConfigMap/apps-greeter-before',
    ]);
    const release = ours[1] as Obj;
    expect(release.metadata.labels).toMatchObject({
      'app.kubernetes.io/managed-by': 'Helm',
      'helm.toolkit.fluxcd.io/name': 'greeter',
      'helm.toolkit.fluxcd.io/namespace': 'flux-system',
    });
    expect(release.metadata.annotations).toEqual({
      'meta.helm.sh/release-name': 'apps-greeter',
      'meta.helm.sh/release-namespace': 'apps',
    });
  });

  it('merges the ConfigMap from the file, spec.values over it, and each --values file last, in order', async () => {
    const run = await build('greeter', '--values', 'override-2.yaml', '--values', 'override.yaml');
    expect(run.code).toBe(0);
    const data = (parse(run.stdout)[1] as unknown as { data: Record<string, string> }).data;
    expect(data.greeting).toBe('hi'); // spec.values over the ConfigMap
    expect(data.colour).toBe('blue'); // the last --values wins
    expect(JSON.parse(data.nested as string)).toEqual({
      fromChart: 'chart',
      fromConfigMap: 'configmap',
      fromSpec: 'spec',
      fromOverride: 'override',
    });
    expect(data.upgrade).toBe('false');
    const upgrade = await sluice('build', 'hr', 'greeter', '--file', 'release.yaml', '--is-upgrade');
    expect(upgrade.code).toBe(0);
    expect(upgrade.stdout).toContain('upgrade: "true"');
  });

  it('builds spec.chart from the checkout at --path as source-controller does, spec.valuesFiles included', async () => {
    const run = await build('prod', '--path', '.');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const data = (parse(run.stdout)[1] as unknown as { data: Record<string, string> }).data;
    expect(data).toMatchObject({ colour: 'prod-purple', greeting: 'from-release' });
    const elsewhere = await build('prod', '--path', 'charts');
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toContain(`from the local checkout ${join(dir, 'charts')} (--path`);
    const missing = await build('prod', '--path', 'nowhere');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('invalid --path "nowhere": not found');
  });

  it('renders a chart from a HelmRepository only with --chart, and says so without it', async () => {
    const missing = await build('podinfo');
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toBe(
      "✗ release.yaml: HelmRelease/flux-system/podinfo: spec.chart.spec.sourceRef is a HelmRepository ('podinfo'): sluice build fetches nothing; download the chart (helm pull <repository>/podinfo) and pass --chart DIR|TGZ\n",
    );
    const packaged = await build('podinfo', '--chart', 'dist/greeter-1.0.0.tgz');
    expect(packaged.stderr).toBe('');
    expect(packaged.code).toBe(0);
    expect(packaged.stdout).toContain('  name: podinfo\n  namespace: flux-system\n');
  });

  it("fails with exit code 1 and helm's reason when the chart does not render", async () => {
    const run = await build('broken');
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^✗ release\.yaml: HelmRelease\/flux-system\/broken: helm template failed: /);
    expect(run.stderr).toContain('values.image is required: set image');
    expect(run.stderr).toContain('fix the chart or the values');
  });

  it('names spec.valuesFrom[0] when its ConfigMap is not in the file', async () => {
    const run = await build('lonely');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^✗ release\.yaml: HelmRelease\/flux-system\/lonely: spec\.valuesFrom\[0\]: ConfigMap 'flux-system\/absent' not found/,
    );
    expect(run.stderr).toContain(
      'sluice build reads valuesFrom objects from the other documents of release.yaml',
    );
  });

  it('lists the HelmReleases of the file when the name is not among them', async () => {
    const run = await build('nope');
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      "✗ HelmRelease 'nope' in namespace 'flux-system' not found in file 'release.yaml' (it holds flux-system/greeter, flux-system/broken, flux-system/lonely, flux-system/prod, flux-system/podinfo); check the name, or pass --namespace with the HelmRelease's namespace\n",
    );
  });

  it('refuses a missing --file or a bad --kube-version as usage errors (exit 2)', async () => {
    const noFile = await sluice('build', 'helmrelease', 'greeter');
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toContain('✗ build helmrelease needs --file FILE');
    const badVersion = await build('greeter', '--kube-version', 'latest');
    expect(badVersion.code).toBe(2);
    expect(badVersion.stderr).toContain('--kube-version "latest" is not a Kubernetes version');
    const valuesNotMap = await build('greeter', '--values', 'list.yaml');
    expect(valuesNotMap.code).toBe(1);
    expect(valuesNotMap.stderr).toContain('--values list.yaml: not a YAML map');
  });
});

// The README's example ("sluice build helmrelease"), file for file and command for command: keep the two equal.
const README_FILES: Record<string, string> = {
  'charts/greeter/Chart.yaml': 'apiVersion: v2\nname: greeter\nversion: 1.0.0\n',
  'charts/greeter/values.yaml': 'greeting: hello\ncolour: grey\n',
  'charts/greeter/templates/configmap.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}
data:
  greeting: {{ .Values.greeting | quote }}
  colour: {{ .Values.colour | quote }}
`,
  'clusters/dev/greeter.yaml': `${helmReleaseYaml('greeter', {
    chart: './charts/greeter',
    targetNamespace: 'apps',
    after: `  valuesFrom:
  - kind: ConfigMap
    name: greeter-values
  values:
    colour: green
`,
  })}---
apiVersion: v1
kind: ConfigMap
metadata:
  name: greeter-values
  namespace: flux-system
data:
  values.yaml: |
    greeting: hi
    colour: red
`,
  'blue.yaml': 'colour: blue\n',
};

const README_OUTPUT = `apiVersion: v1
data:
  colour: blue
  greeting: hi
kind: ConfigMap
metadata:
  annotations:
    meta.helm.sh/release-name: apps-greeter
    meta.helm.sh/release-namespace: apps
  labels:
    app.kubernetes.io/managed-by: Helm
    helm.toolkit.fluxcd.io/name: greeter
    helm.toolkit.fluxcd.io/namespace: flux-system
  name: apps-greeter
  namespace: apps
---
`;

describe('the README example of sluice build helmrelease', () => {
  let fleet: string;
  beforeAll(async () => {
    fleet = await mkdtemp(join(tmpdir(), 'sluice-cli-build-hr-readme-'));
    for (const [path, text] of Object.entries(README_FILES)) {
      await mkdir(join(fleet, path, '..'), { recursive: true });
      await writeFile(join(fleet, path), text);
    }
  });
  afterAll(async () => {
    await rm(fleet, { recursive: true, force: true });
  });

  /** A README line `$ sluice …`, split on spaces as a shell would split it (no quoting in these examples). */
  const run = (line: string) => runCli(line.replace(/^\$ sluice /, '').split(' '), { cwd: fleet });

  it('prints the release as shown', async () => {
    const build = await run(
      '$ sluice build helmrelease greeter --file clusters/dev/greeter.yaml --values blue.yaml',
    );
    expect(build.stderr).toBe('');
    expect(build.code).toBe(0);
    expect(build.stdout).toBe(README_OUTPUT);
  });

  it('lists the HelmReleases of the file for a name that is not there, as shown', async () => {
    const typo = await run('$ sluice build helmrelease greter --file clusters/dev/greeter.yaml');
    expect(typo.code).toBe(1);
    expect(typo.stderr).toBe(
      "✗ HelmRelease 'greter' in namespace 'flux-system' not found in file 'clusters/dev/greeter.yaml' (it holds flux-system/greeter); check the name, or pass --namespace with the HelmRelease's namespace\n",
    );
  });
});
