// A fleet written in the Flux API versions Flux 2.7 still served (kustomize v1beta2, helm v2beta1) renders
// and delivers exactly what the same fleet in v1/v2 does: the same records and artifact content, while
// `sluice status` names each older object, the version to move to, and each field Flux ignores.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentDigestOf } from '../../shared/core/artifact/rollback.ts';
import { verifyArtifact } from '../../shared/core/artifact/sign-artifact.ts';
import type { Target } from '../../shared/core/pipeline/target.ts';
import { readArtifact } from '../../shared/usecases/read-artifact.ts';
import { stateOf } from '../../shared/usecases/state-store.ts';
import { type Harness, startHarness, WEBHOOK_SECRET } from '../support/pipeline-harness.ts';
import { type CliRun, runCli } from '../support/run-cli.ts';

const INFRASTRUCTURE_V1BETA2 = `apiVersion: kustomize.toolkit.fluxcd.io/v1beta2
kind: Kustomization
metadata:
  name: infrastructure
  namespace: flux-system
spec:
  interval: 10m
  path: ./infrastructure
  prune: true
  validation: client
  sourceRef:
    kind: GitRepository
    name: flux-system
`;

const APPS_V1BETA2 = `apiVersion: kustomize.toolkit.fluxcd.io/v1beta2
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  interval: 10m
  dependsOn:
    - name: infrastructure
  path: ./apps/dev
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
  targetNamespace: podinfo
  commonMetadata:
    labels:
      app.kubernetes.io/part-of: podinfo
  postBuild:
    substitute:
      podinfo_color: blue
    substituteFrom:
      - kind: ConfigMap
        name: cluster-vars
`;

const HELLO_V2BETA1 = `apiVersion: helm.toolkit.fluxcd.io/v2beta1
kind: HelmRelease
metadata:
  name: hello
  namespace: flux-system
spec:
  interval: 10m
  releaseName: hello
  targetNamespace: hello
  install:
    createNamespace: true
  chart:
    spec:
      chart: ./charts/hello
      valuesFile: charts/hello/values.yaml
      sourceRef:
        kind: GitRepository
        name: flux-system
  values:
    greeting: Hello from Sluice
`;

const toV1 = (text: string) =>
  text
    .replace('kustomize.toolkit.fluxcd.io/v1beta2', 'kustomize.toolkit.fluxcd.io/v1')
    .replace('helm.toolkit.fluxcd.io/v2beta1', 'helm.toolkit.fluxcd.io/v2')
    .replace('  validation: client\n', '')
    .replace('      valuesFile: charts/hello/values.yaml\n', '');

const TARGETS: Target[] = [
  { kind: 'Kustomization', namespace: 'flux-system', name: 'infrastructure' },
  { kind: 'Kustomization', namespace: 'flux-system', name: 'apps' },
  { kind: 'HelmRelease', namespace: 'flux-system', name: 'hello' },
];

let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    files: {
      'clusters/dev/infrastructure.yaml': INFRASTRUCTURE_V1BETA2,
      'clusters/dev/apps.yaml': APPS_V1BETA2,
      'clusters/dev/hello.yaml': HELLO_V2BETA1,
    },
  });
  await h.start();
}, 90_000);

afterAll(async () => {
  await h?.close();
});

function sluice(...args: string[]): Promise<CliRun> {
  return runCli([...args, '--api', h.plane.apiUrl], {
    cwd: h.root,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: h.dataDir,
      SLUICE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      XDG_CONFIG_HOME: join(h.dataDir, 'no-config'),
    },
  });
}

/** Once every target has an artifact of the head revision: its record, objects and content digest. */
async function delivered() {
  const head = `main@sha1:${await h.repo.head()}`;
  await h.waitFor(
    `every target rendered at ${head}`,
    async () =>
      (await h.status()).clusters[0]?.kustomizations.every(
        // A HelmRelease's revision is its chart's version; its record comes from the root's render at head.
        (k) => k.render?.ready && (k.kind === 'HelmRelease' || k.artifact?.revision === head),
      ) || undefined,
    60_000,
  );
  const state = stateOf(h.plane.deps);
  const publicKeyPem = await h.plane.deps.keys.publicKeyPem();
  const seen = [];
  for (const target of TARGETS) {
    const entry = await state.getIndexEntry('dev', target);
    const signed = entry?.artifactKey ? await state.getArtifactAt(entry.artifactKey) : undefined;
    if (!signed) throw new Error(`no artifact for ${target.kind}/${target.name}`);
    seen.push({
      record: await state.getTargetRecord('dev', target),
      objects: (await readArtifact(h.plane.deps, 'dev', target)).objects,
      // A HelmRelease artifact's release description names the source revision, so its content digest
      // differs between two commits; its record and objects are compared instead.
      content:
        target.kind === 'HelmRelease'
          ? undefined
          : contentDigestOf(verifyArtifact(signed, publicKeyPem, entry?.digest)),
    });
  }
  return seen;
}

describe('a fleet in older Flux API versions', () => {
  let older: Awaited<ReturnType<typeof delivered>>;

  it('is delivered, and sluice status names each older object and each field Flux ignores', async () => {
    older = await delivered();
    expect(h.kube.object('apps/v1', 'Deployment', 'podinfo', 'podinfo')).toBeDefined();
    const run = await sluice('status');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    const warnings = lines
      .slice(lines.indexOf('WARNINGS') + 1)
      .filter((l) => l.startsWith('  flux-system/flux-system: ') && l.includes('toolkit.fluxcd.io/'));
    expect(warnings).toEqual([
      '  flux-system/flux-system: Kustomization/flux-system/apps: kustomize.toolkit.fluxcd.io/v1beta2 is deprecated and no longer served since Flux 2.8; Sluice converts it to v1 as Flux 2.7 did — move to kustomize.toolkit.fluxcd.io/v1',
      '  flux-system/flux-system: HelmRelease/flux-system/hello: helm.toolkit.fluxcd.io/v2beta1 is deprecated and no longer served since Flux 2.7; Sluice converts it to v2 as Flux 2.6 did — move to helm.toolkit.fluxcd.io/v2',
      '  flux-system/flux-system: HelmRelease/flux-system/hello: spec.chart.spec.valuesFile is not a field of helm.toolkit.fluxcd.io/v2, so Flux ignores it and so does Sluice; list the file in spec.chart.spec.valuesFiles',
      '  flux-system/flux-system: Kustomization/flux-system/infrastructure: kustomize.toolkit.fluxcd.io/v1beta2 is deprecated and no longer served since Flux 2.8; Sluice converts it to v1 as Flux 2.7 did — move to kustomize.toolkit.fluxcd.io/v1',
      '  flux-system/flux-system: Kustomization/flux-system/infrastructure: spec.validation is not a field of kustomize.toolkit.fluxcd.io/v1, so Flux ignores it and so does Sluice; remove it: server-side apply always validates',
    ]);
  }, 90_000);

  it('gives the same records and artifact content as the same fleet moved to v1/v2', async () => {
    await h.push(
      {
        'clusters/dev/infrastructure.yaml': toV1(INFRASTRUCTURE_V1BETA2),
        'clusters/dev/apps.yaml': toV1(APPS_V1BETA2),
        'clusters/dev/hello.yaml': toV1(HELLO_V2BETA1),
      },
      'move to kustomize v1 and helm v2',
    );
    await h.webhook();
    const current = await delivered();
    expect(current).toEqual(older);
    const run = await sluice('status');
    expect(run.stdout).not.toMatch(/v1beta2|v2beta1/);
  }, 90_000);
});
