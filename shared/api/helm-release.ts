// helm.toolkit.fluxcd.io/v2 HelmRelease: the fields Sluice honours, as Flux defines them (defaults applied).

import type { HelmChart } from './helm-chart.ts';
import type { ChartRef } from './implied-helm-chart.ts';
import type { KustomizeImage, KustomizePatch, PatchSelector } from './kustomization.ts';
import type { ObjectMeta, SourceLocation } from './object-meta.ts';

export const HELM_RELEASE_API = 'helm.toolkit.fluxcd.io/v2';

export type CrdPolicy = 'Skip' | 'Create' | 'CreateReplace';

export interface ValuesReference {
  kind: 'ConfigMap' | 'Secret';
  name: string;
  /** Default `values.yaml`. */
  valuesKey: string;
  /** Helm `--set` path the value is put at; unset: the value is a YAML map merged whole. */
  targetPath?: string;
  optional: boolean;
  /** With targetPath: the value is put verbatim (Helm's `--set-literal`), not parsed as `--set` syntax. */
  literal?: boolean;
}

/** A driftDetection ignore rule: JSON pointers (RFC 6901) left out of the diff, for the objects `target` selects. */
export interface DriftIgnoreRule {
  paths: string[];
  target?: PatchSelector;
}

export interface HelmReleaseAction {
  /**
   * Default Create for install and upgrade alike: helm-controller's code (crdPolicyOrDefault) applies Create to
   * upgrades too, though its API docs say Skip.
   */
  crds: CrdPolicy;
  disableHooks: boolean;
  disableWait: boolean;
  timeoutMs?: number;
  remediationRetries: number;
}

export interface HelmRelease {
  kind: 'HelmRelease';
  apiVersion: typeof HELM_RELEASE_API;
  metadata: ObjectMeta;
  spec: {
    /** The HelmChart `spec.chart` implies (as impliedHelmChart makes it), or undefined with chartRef. */
    chart?: { helmChart: HelmChart; sourceNamespace: string };
    chartRef?: ChartRef;
    /** Flux's default `[<targetNamespace>-]<name>`, shortened by its 53-character rule. */
    releaseName: string;
    targetNamespace?: string;
    /** Default: the HelmRelease's namespace. */
    storageNamespace: string;
    values?: Record<string, unknown>;
    valuesFrom: ValuesReference[];
    install: HelmReleaseAction & { createNamespace: boolean };
    upgrade: HelmReleaseAction & { force: boolean };
    uninstall: { keepHistory: boolean; disableHooks: boolean; timeoutMs?: number };
    postRenderers: { patches: KustomizePatch[]; images: KustomizeImage[] }[];
    commonMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
    dependsOn: { name: string; namespace?: string; kind?: 'HelmRelease' | 'Kustomization' }[];
    serviceAccountName?: string;
    suspend: boolean;
    driftDetection: { mode: 'enabled' | 'warn' | 'disabled'; ignore: DriftIgnoreRule[] };
    intervalMs: number;
    timeoutMs: number;
    /** Default 5; 0 means unlimited. */
    maxHistory: number;
    /**
     * Status warnings for the fields Sluice accepts but does not carry out (see helm-release-not-honoured.ts),
     * e.g. `spec.test: Helm tests are not run by Sluice: …`; absent or empty when there are none.
     */
    notHonoured?: string[];
  };
  source: SourceLocation;
}
