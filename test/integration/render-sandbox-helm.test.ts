// HelmRelease renders in the cloud: the render function never runs helm itself; it lends the chart and the
// values to the tool sandbox function through pre-signed URLs of the real local S3-compatible server and
// reads the output back. The sandbox handler runs in-process here (a stand-in for Lambda's Invoke).
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../shared/adapters/aws/clients.ts';
import { S3ObjectStore } from '../../shared/adapters/aws/s3-object-store.ts';
import { s3Presigner } from '../../shared/adapters/aws/s3-presigner.ts';
import { SandboxHelm } from '../../shared/adapters/aws/sandbox-helm.ts';
import { type FauxqsHandle, startFauxqs } from '../../shared/adapters/embedded/fauxqs-server.ts';
import { ConfinedHelm } from '../../shared/adapters/render/confined-helm.ts';
import {
  type HelmTemplateRequest,
  localHelmTemplateDeps,
  renderHelmTemplate,
} from '../../shared/adapters/render/helm-template.ts';
import { KubectlKustomize } from '../../shared/adapters/render/kubectl-kustomize.ts';
import { runSandboxRequest, type SandboxRequest } from '../../shared/adapters/render/sandbox-request.ts';
import { resolveToolPath } from '../../shared/adapters/render/tool-paths.ts';
import { makeHelmHome, packageChart, writeChart } from '../support/helm-charts.ts';

let server: FauxqsHandle;
let work: string;
let store: S3ObjectStore;
let presign: ReturnType<typeof s3Presigner>;
let chartDir: string;
const invocations: SandboxRequest[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'sluice-sandbox-helm-'));
  server = await startFauxqs({ dataDir: join(work, 'store') });
  const clients = createAwsClients({
    region: 'us-east-1',
    endpoint: server.endpoint,
    credentials: server.credentials,
  });
  await clients.s3.send(new CreateBucketCommand({ Bucket: 'sluice' }));
  store = new S3ObjectStore(clients.s3, 'sluice');
  presign = s3Presigner(clients.s3, 'sluice');
  await mkdir(join(work, 'sandbox'), { recursive: true });
  chartDir = await writeChart(join(work, 'snapshot'), {
    name: 'app',
    version: '1.0.0',
    templates: {
      'cm.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: "{{ .Release.Name }}"}\ndata:\n  greeting: {{ .Values.greeting | quote }}\n  upgrade: {{ .Release.IsUpgrade | quote }}\n  monitoring: {{ .Capabilities.APIVersions.Has "monitoring.coreos.com/v1" | quote }}\n',
      'hook.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hook\n  annotations: {helm.sh/hook: pre-install}\n',
    },
    files: {
      'crds/crd.yaml':
        'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: xs.example.com}\n',
    },
  });
});

afterAll(async () => {
  await server.close();
  await rm(work, { recursive: true, force: true });
});

function sandboxDeps() {
  const local = localHelmTemplateDeps({ scratchDir: join(work, 'render') });
  const tool = new ConfinedHelm(resolveToolPath('helm'), { scratchDir: join(work, 'sandbox') });
  return {
    ...local,
    helm: new SandboxHelm({
      version: tool.version,
      store,
      presign,
      scratchDir: join(work, 'render'),
      // What the Lambda runtime does on Invoke: hand the JSON payload to the handler's code.
      invoke: async (req) => {
        invocations.push(req);
        return runSandboxRequest(
          {
            kustomize: new KubectlKustomize(resolveToolPath('kubectl')),
            helm: tool,
            scratchDir: join(work, 'sandbox'),
          },
          JSON.parse(JSON.stringify(req)),
        );
      },
    }),
  };
}

const request = (over: Partial<HelmTemplateRequest> = {}): HelmTemplateRequest => ({
  chartPath: chartDir,
  releaseName: 'web',
  namespace: 'apps',
  values: { greeting: 'from the cloud' },
  isUpgrade: true,
  includeCrds: true,
  disableHooks: false,
  capabilities: { kubeVersion: 'v1.31.0', apiVersions: ['monitoring.coreos.com/v1'] },
  scratchDir: join(work, 'render'),
  ...over,
});

describe('helm template through the tool sandbox function', () => {
  it('gives exactly the local render, and leaves nothing behind in the store', async () => {
    const [remote, local] = await Promise.all([
      renderHelmTemplate(request(), sandboxDeps()),
      renderHelmTemplate(request()),
    ]);
    expect(remote).toEqual(local);
    expect(remote.manifests[0]?.data).toMatchObject({
      greeting: 'from the cloud',
      upgrade: 'true',
      monitoring: 'true',
    });
    expect(remote.crds).toHaveLength(1);
    expect(remote.hooks).toHaveLength(1);
    const last = invocations.at(-1) as SandboxRequest;
    expect(last).toMatchObject({ tool: 'helm', helm: { chart: 'dir', releaseName: 'web', isUpgrade: true } });
    expect(JSON.stringify(last)).not.toContain('from the cloud');
    expect(await store.list('sandbox/')).toEqual([]);
  });

  it('renders a packaged chart too', async () => {
    const tgz = await packageChart(chartDir, join(work, 'packaged'), await makeHelmHome(work));
    const [remote, local] = await Promise.all([
      renderHelmTemplate(request({ chartPath: tgz }), sandboxDeps()),
      renderHelmTemplate(request({ chartPath: tgz })),
    ]);
    expect(remote).toEqual(local);
    expect((invocations.at(-1) as SandboxRequest).helm?.chart).toBe('archive');
  });

  it('answers a chart error with its code, and a request that is not a helm request is refused', async () => {
    const broken = await writeChart(join(work, 'broken'), {
      name: 'broken',
      version: '0.1.0',
      templates: { 'cm.yaml': '{{ fail "no" }}\n' },
    });
    await expect(renderHelmTemplate(request({ chartPath: broken }), sandboxDeps())).rejects.toMatchObject({
      code: 'BuildFailed',
    });
    const res = await runSandboxRequest(
      { kustomize: new KubectlKustomize(resolveToolPath('kubectl')), scratchDir: join(work, 'sandbox') },
      {
        inputUrl: 'http://127.0.0.1:9/x',
        outputUrl: 'http://127.0.0.1:9/y',
        allowRemoteBases: false,
        tool: 'helm',
      },
    );
    expect(res.ok).toBe(false);
  });
});
