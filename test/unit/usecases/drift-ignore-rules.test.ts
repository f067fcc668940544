// Flux's drift ignore rules reach the artifact's apply options only when set (so every earlier artifact keeps
// its digest): a Kustomization's spec.ignore (Flux 2.9), a HelmRelease's driftDetection.ignore with mode
// enabled. Bad pointers, regular expressions and selectors are refused with the fleet file, by field.
import { describe, expect, it } from 'vitest';
import { decodeHelmRelease } from '../../../shared/api/decode-helm-release.ts';
import { decodeKustomization } from '../../../shared/api/decode-kustomization.ts';
import type { HelmRelease } from '../../../shared/api/helm-release.ts';
import type { Kustomization } from '../../../shared/api/kustomization.ts';
import { createLocalRenderDeps } from '../../../shared/config/render-deps.ts';
import { helmReleaseRenderer } from '../../../shared/usecases/renderers/helm-release-renderer.ts';
import { kustomizationRenderer } from '../../../shared/usecases/renderers/kustomization-renderer.ts';
import { decodeYaml, issuesOf } from '../api/decode-helpers.ts';

const ks = (spec = '') => `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, namespace: flux-system}
spec:
  interval: 10m
  prune: true
  sourceRef: {kind: GitRepository, name: fleet}
${spec}`;

const hr = (spec = '') => `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: podinfo, namespace: apps}
spec:
  interval: 10m
  chartRef: {kind: OCIRepository, name: podinfo}
${spec}`;

const deps = createLocalRenderDeps();
const ksApply = (spec?: string) =>
  kustomizationRenderer(deps).plan(
    {
      cluster: 'dev',
      kustomization: decodeYaml(ks(spec)) as Kustomization,
      sourceKey: 'GitRepository/flux-system/fleet',
      parent: null,
    },
    { noCrossNamespaceRefs: false },
  );
const hrPlan = (spec?: string) =>
  helmReleaseRenderer(deps).plan(
    {
      cluster: 'dev',
      helmRelease: decodeYaml(hr(spec)) as HelmRelease,
      sourceKey: 'OCIRepository/apps/podinfo',
      parent: null,
    },
    { noCrossNamespaceRefs: false },
  );

describe('spec.ignore of a Kustomization', () => {
  it('reaches the apply options as decoded, and is absent when not set', () => {
    const plan = ksApply(`  ignore:
    - paths: ["/spec/replicas"]
      target: {kind: Deployment, labelSelector: "app in (web, api)"}
    - paths: ["/metadata/annotations/cert-manager.io~1issuer"]`);
    expect(plan.apply.driftIgnoreRules).toEqual([
      { paths: ['/spec/replicas'], target: { kind: 'Deployment', labelSelector: 'app in (web, api)' } },
      { paths: ['/metadata/annotations/cert-manager.io~1issuer'] },
    ]);
    expect('driftIgnoreRules' in ksApply().apply).toBe(false);
  });

  it('refuses a path that is no JSON pointer, a bad regular expression and a bad selector, by field', () => {
    const found = issuesOf(
      ks(`  ignore:
    - paths: ["spec.replicas"]
    - paths: ["/a"]
      target: {name: "web-("}
    - paths: ["/a"]
      target: {annotationSelector: "a in ("}
    - target: {kind: Deployment}`),
      decodeKustomization,
    ).map((i) => i.field);
    expect(found).toEqual([
      'spec.ignore[0].paths[0]',
      'spec.ignore[1].target.name',
      'spec.ignore[2].target.annotationSelector',
      'spec.ignore[3].paths',
    ]);
  });
});

describe('driftDetection.ignore of a HelmRelease', () => {
  const ignore = `    ignore:
      - paths: ["/spec/replicas"]
        target: {kind: Deployment}`;

  it('reaches the apply options with mode enabled, no longer with a not-honoured warning', () => {
    const plan = hrPlan(`  driftDetection:\n    mode: enabled\n${ignore}`);
    expect(plan.apply.driftIgnoreRules).toEqual([
      { paths: ['/spec/replicas'], target: { kind: 'Deployment' } },
    ]);
    expect(plan.warnings.filter((w) => w.includes('driftDetection'))).toEqual([]);
  });

  it('reaches the apply options with mode warn too, which looks for drift and corrects none', () => {
    const plan = hrPlan(`  driftDetection:\n    mode: warn\n${ignore}`);
    expect(plan.apply.driftIgnoreRules).toEqual([
      { paths: ['/spec/replicas'], target: { kind: 'Deployment' } },
    ]);
    expect(plan.apply.driftMode).toBe('warn');
    expect(plan.apply.correctDrift).toBe(false);
    expect(plan.warnings.filter((w) => w.includes('driftDetection'))).toEqual([]);
  });

  it('has no effect with mode disabled, and says so', () => {
    const plan = hrPlan(`  driftDetection:\n    mode: disabled\n${ignore}`);
    expect('driftIgnoreRules' in plan.apply).toBe(false);
    expect(plan.warnings).toContain(
      'spec.driftDetection.ignore: has no effect unless spec.driftDetection.mode is enabled or warn',
    );
  });

  it('refuses a bad regular expression in a target', () => {
    const found = issuesOf(
      hr(
        `  driftDetection:\n    mode: enabled\n    ignore:\n      - paths: ["/a"]\n        target: {kind: "Deploy(ment"}`,
      ),
      decodeHelmRelease,
    ).map((i) => i.field);
    expect(found).toEqual(['spec.driftDetection.ignore[0].target.kind']);
  });
});
