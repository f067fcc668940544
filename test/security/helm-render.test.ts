// A chart is untrusted input: rendering it must not reach the cluster, the network, the render host's files,
// the control plane's environment or helm plugins, and a chart that expands without bound is stopped.
// Every attack runs with bubblewrap where the host has it and without it (the guard and environment alone).
import { readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfinedHelm } from '../../shared/adapters/render/confined-helm.ts';
import { ConfinedProcess } from '../../shared/adapters/render/confined-process.ts';
import { type HelmTemplateRequest, renderHelmTemplate } from '../../shared/adapters/render/helm-template.ts';
import { resolveToolPath } from '../../shared/adapters/render/tool-paths.ts';
import { rejectionOf } from '../support/error-of.ts';
import { type FixtureChart, writeChart } from '../support/helm-charts.ts';
import { type KubeApiServer, startKubeApiServer } from '../support/kube-api-server.ts';

const SECRET = 'BEGIN-SIGNING-KEY-canary-helm-51c2';
let work: string;
let secretFile: string;
let kube: KubeApiServer;
let chartServer: Server;
let chartServerHits = 0;
let chartServerUrl: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'sluice-sec-helm-'));
  // Stands in for the control plane's data directory: the signing key lives beside the snapshots.
  secretFile = join(work, 'data/keys/signing-key.pem');
  await mkdir(join(work, 'data/keys'), { recursive: true });
  await writeFile(secretFile, SECRET);
  kube = await startKubeApiServer();
  chartServer = createServer((_req, res) => {
    chartServerHits++;
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => chartServer.listen(0, '127.0.0.1', resolve));
  chartServerUrl = `http://127.0.0.1:${(chartServer.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await kube.close();
  await new Promise((resolve) => chartServer.close(resolve));
  await rm(work, { recursive: true, force: true });
});

let count = 0;
/** A chart snapshot under the data directory, next to the key. */
async function chart(templates: Record<string, string>, extra: Partial<FixtureChart> = {}): Promise<string> {
  return writeChart(join(work, 'data/snapshots', String(++count)), {
    name: 'attack',
    version: '0.1.0',
    templates,
    ...extra,
  });
}

const sandboxes = ['auto', 'none'] as const;

function request(chartPath: string, sandbox: 'auto' | 'none', over: Partial<HelmTemplateRequest> = {}) {
  return {
    chartPath,
    releaseName: 'evil',
    namespace: 'tenant',
    values: {},
    isUpgrade: false,
    includeCrds: true,
    disableHooks: false,
    capabilities: { kubeVersion: 'v1.31.0', apiVersions: [] },
    sandbox,
    scratchDir: join(work, 'scratch'),
    ...over,
  } satisfies HelmTemplateRequest;
}

const cm = (data: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n${data}\n`;
const dataOf = (r: Awaited<ReturnType<typeof renderHelmTemplate>>) =>
  (r.manifests[0]?.data ?? {}) as Record<string, string>;

describe.each(sandboxes)('with sandbox %s', (sandbox) => {
  it('lookup sees no cluster, even when the control plane has a kubeconfig in its environment', async () => {
    const kubeconfig = join(work, `kubeconfig-${sandbox}`);
    await writeFile(kubeconfig, kube.kubeconfig());
    process.env.KUBECONFIG = kubeconfig;
    process.env.HELM_KUBEAPISERVER = kube.url;
    try {
      const path = await chart({
        'cm.yaml': cm(
          [
            '  ns: {{ lookup "v1" "Namespace" "" "" | toJson | quote }}',
            '  one: {{ lookup "v1" "Namespace" "" "kube-system" | toJson | quote }}',
          ].join('\n'),
        ),
      });
      kube.requests.length = 0;
      const out = await renderHelmTemplate(request(path, sandbox));
      expect(dataOf(out)).toEqual({ ns: '{}', one: '{}' });
      expect(kube.requests).toEqual([]);
    } finally {
      delete process.env.KUBECONFIG;
      delete process.env.HELM_KUBEAPISERVER;
    }
  });

  it('leaves no values file behind once the render is done (values may come from Secrets)', async () => {
    const path = await chart({ 'cm.yaml': cm('  v: {{ .Values.password | quote }}') });
    const scratch = join(work, `scratch-values-${sandbox}`);
    await renderHelmTemplate(request(path, sandbox, { values: { password: SECRET }, scratchDir: scratch }));
    const left = readdirSync(scratch, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    expect(left.map((e) => e.name)).toEqual([]);
  });

  it('a template cannot read files outside the chart', async () => {
    const path = await chart({
      'cm.yaml': cm(
        [
          '  up: {{ .Files.Get "../../keys/signing-key.pem" | quote }}',
          `  abs: {{ .Files.Get "${secretFile}" | quote }}`,
          '  glob: {{ .Files.Glob "../**" | len | quote }}',
        ].join('\n'),
      ),
    });
    const out = await renderHelmTemplate(request(path, sandbox));
    expect(dataOf(out)).toEqual({ up: '', abs: '', glob: '0' });
    expect(JSON.stringify(out)).not.toContain(SECRET);
  });

  it('a chart file that links outside the chart is refused before helm runs', async () => {
    const path = await chart({ 'cm.yaml': cm('  key: {{ .Files.Get "files/key" | quote }}') });
    await mkdir(join(path, 'files'));
    await symlink(secretFile, join(path, 'files/key'));
    const err = await rejectionOf(renderHelmTemplate(request(path, sandbox)));
    expect(err.code).toBe('PathEscapesRoot');
    expect(JSON.stringify({ m: err.message, c: String(err.cause ?? '') })).not.toContain(SECRET);
  });

  it('a dependency missing from charts/ is not downloaded: no request, no getter plugin', async () => {
    // The control plane's environment points helm at a plugin directory in the snapshot; helm must not see it.
    const marker = join(work, `plugin-ran-${sandbox}`);
    const plugins = join(work, 'data/snapshots/plugins');
    await mkdir(join(plugins, 'getter'), { recursive: true });
    await writeFile(
      join(plugins, 'getter/plugin.yaml'),
      `name: getter\nversion: 0.1.0\ncommand: "/bin/sh -c 'touch ${marker}'"\ndownloaders:\n- command: "/bin/sh -c 'touch ${marker}'"\n  protocols: [sluice]\n`,
    );
    process.env.HELM_PLUGINS = plugins;
    try {
      for (const repository of [
        chartServerUrl,
        'sluice://charts',
        `oci://127.0.0.1:${new URL(chartServerUrl).port}/x`,
      ]) {
        const path = await chart(
          { 'cm.yaml': cm('  a: b') },
          {
            chartYamlExtra: `dependencies:\n  - name: dep\n    version: 1.0.0\n    repository: ${repository}\n`,
          },
        );
        expect((await rejectionOf(renderHelmTemplate(request(path, sandbox)))).code).toBe('BuildFailed');
      }
      expect(chartServerHits).toBe(0);
      await expect(import('node:fs/promises').then((fs) => fs.access(marker))).rejects.toThrow();
    } finally {
      delete process.env.HELM_PLUGINS;
    }
  });

  it('helm sees none of the control plane environment, only its private homes', async () => {
    process.env.AWS_SECRET_ACCESS_KEY = SECRET;
    process.env.HELM_REPOSITORY_CONFIG = secretFile;
    process.env.HELM_PLUGINS = join(work, 'data/snapshots/plugins');
    try {
      const helm = new ConfinedHelm(resolveToolPath('helm'), {
        confined: new ConfinedProcess(sandbox),
        scratchDir: join(work, 'scratch'),
      });
      const settings = await helm.settings();
      expect(settings).toMatch(/^HELM_PLUGINS="[^"]*\/helm-[^/"]+\/plugins"$/m);
      expect(settings).toMatch(/^HELM_KUBECONTEXT=""$/m);
      expect(settings).not.toContain(join(work, 'data'));
      expect(settings).not.toContain(SECRET);
      // Helm's templates have no env function; a chart that asks fails, and the value appears nowhere.
      const path = await chart({ 'cm.yaml': cm('  k: {{ env "AWS_SECRET_ACCESS_KEY" | quote }}') });
      const err = await rejectionOf(renderHelmTemplate(request(path, sandbox)));
      expect(err.code).toBe('BuildFailed');
      expect(err.message).not.toContain(SECRET);
    } finally {
      delete process.env.AWS_SECRET_ACCESS_KEY;
      delete process.env.HELM_REPOSITORY_CONFIG;
      delete process.env.HELM_PLUGINS;
    }
  });

  it('a release name or capability cannot become a helm flag', async () => {
    const path = await chart({ 'cm.yaml': cm('  a: b') });
    for (const over of [
      { releaseName: '--post-renderer=/bin/sh' },
      { releaseName: '-f' },
      { namespace: '--kubeconfig=/x' },
      { capabilities: { kubeVersion: 'v1.31.0 --debug', apiVersions: [] } },
      { capabilities: { kubeVersion: 'v1.31.0', apiVersions: ['v1,--dependency-update'] } },
    ])
      expect((await rejectionOf(renderHelmTemplate(request(path, sandbox, over)))).code).toBe(
        'ValidationFailed',
      );
  });
});

describe('a chart that expands without bound', () => {
  const aaa = 'a'.repeat(200);

  it('is stopped at the output limit', async () => {
    const path = await chart({
      'cm.yaml': `{{- range until 20000 }}\n---\n${cm(`  x: "${aaa}"`).replace('name: x', 'name: c{{ . }}')}{{- end }}\n`,
    });
    const req = request(path, 'auto', { limits: { maxOutputBytes: 1024 ** 2 } });
    expect((await rejectionOf(renderHelmTemplate(req))).code).toBe('RenderLimitExceeded');
  });

  it('is stopped at the memory limit', async () => {
    const path = await chart({
      'cm.yaml': `{{- range until 3000000 }}\n---\n${cm(`  x: "${aaa}"`).replace('name: x', 'name: c{{ . }}')}{{- end }}\n`,
    });
    const req = request(path, 'auto', { limits: { memoryBytes: 1024 ** 3 } });
    expect((await rejectionOf(renderHelmTemplate(req))).code).toBe('RenderLimitExceeded');
  });

  it('is stopped at the time limit when it loops without output', async () => {
    const path = await chart({
      'cm.yaml': '{{- range until 100000 }}{{- range until 100000 }}{{- end }}{{- end }}\n',
    });
    const req = request(path, 'auto', { limits: { timeoutMs: 2000 } });
    expect((await rejectionOf(renderHelmTemplate(req))).code).toBe('RenderLimitExceeded');
  });

  it('fails on template recursion (helm bounds include depth) without running away', async () => {
    const path = await chart({
      '_loop.tpl': '{{- define "loop" }}{{ include "loop" . }}{{ end }}\n',
      'cm.yaml': '{{ include "loop" . }}\n',
    });
    const err = await rejectionOf(
      renderHelmTemplate(request(path, 'auto', { limits: { timeoutMs: 20_000 } })),
    );
    expect(['BuildFailed', 'RenderLimitExceeded']).toContain(err.code);
    expect(err.message.length).toBeLessThanOrEqual(1600);
  });
});
