// A release whose chart and values have not changed is in sync (helm-controller's rule): once it exists,
// a render of the same inputs gives back the install the cluster has instead of a needless upgrade, and
// any change of input renders an upgrade (`.Release.IsUpgrade`, the upgrade action's CRD policy).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeResource } from '../../shared/api/decode-resource.ts';
import { createLocalRenderDeps } from '../../shared/config/render-deps.ts';
import type { HelmReleaseRecord } from '../../shared/core/pipeline/records.ts';
import type { RenderInputs } from '../../shared/ports/renderer.ts';
import { helmReleaseRenderer } from '../../shared/usecases/renderers/helm-release-renderer.ts';
import { writeChart } from '../support/helm-charts.ts';

let root: string;
let chartDir: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sluice-helm-in-sync-'));
  chartDir = join(root, 'snapshot');
  await writeChart(chartDir, {
    name: 'greeter',
    version: '1.0.0',
    templates: {
      'configmap.yaml': [
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata:',
        '  name: greeter',
        'data:',
        '  greeting: {{ .Values.greeting | quote }}',
        '  upgrade: {{ .Release.IsUpgrade | quote }}',
        '',
      ].join('\n'),
    },
  });
}, 30_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function record(greeting: string): HelmReleaseRecord {
  const decoded = decodeResource(
    {
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: 'greeter', namespace: 'apps' },
      spec: {
        interval: '5m',
        releaseName: 'greeter',
        chart: { spec: { chart: 'greeter', sourceRef: { kind: 'HelmRepository', name: 'charts' } } },
        values: { greeting },
      },
    },
    { file: 'apps/greeter.yaml', document: 0 },
  );
  if (decoded.kind !== 'HelmRelease') throw new Error('not a HelmRelease');
  return { cluster: 'dev', helmRelease: decoded, sourceKey: 'HelmChart/apps/apps-greeter', parent: null };
}

const inputs: RenderInputs = {
  sourceRoot: '',
  sourceDigest: 'sha256:greeter-1.0.0',
  configs: [],
  strictSubstitution: false,
  allowRemoteBases: false,
};

describe('a HelmRelease whose release exists', () => {
  it('renders the same install again while its inputs are unchanged, and an upgrade once they change', async () => {
    const renderer = helmReleaseRenderer(createLocalRenderDeps());
    const at = { ...inputs, sourceRoot: chartDir };
    const install = await renderer.render(record('hi'), at);
    expect(install.helm?.description).toBe('Install complete');
    expect(install.objects[0]?.data).toEqual({ greeting: 'hi', upgrade: 'false' });

    const inSync = await renderer.render(record('hi'), {
      ...at,
      releaseExists: true,
      publishedKey: install.key,
    });
    expect(inSync.key).toBe(install.key);
    const { keptInstall, ...asInstalled } = inSync;
    expect(keptInstall).toBe(true);
    expect(asInstalled).toEqual(install);

    const changed = await renderer.render(record('hello'), {
      ...at,
      releaseExists: true,
      publishedKey: install.key,
    });
    expect(changed.helm?.description).toBe('Upgrade complete');
    expect(changed.objects[0]?.data).toEqual({ greeting: 'hello', upgrade: 'true' });

    // Once an upgrade was published, the same inputs keep rendering as that upgrade.
    const again = await renderer.render(record('hello'), {
      ...at,
      releaseExists: true,
      publishedKey: changed.key,
    });
    expect(again).toEqual(changed);
    // With no release (never applied, or gone), it is an install whatever was published.
    const fresh = await renderer.render(record('hello'), { ...at, publishedKey: changed.key });
    expect(fresh.helm?.description).toBe('Install complete');
  }, 60_000);
});
