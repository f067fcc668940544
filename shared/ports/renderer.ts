// Port: turns one target's declared record and its materialised source into the objects to ship, one
// implementation per target kind (renderer-for.ts picks it). The render use-case knows no kind's spec.
import type { ConfigData } from '../api/config-data.ts';
import type { ApplyOptions } from '../core/artifact/artifact.ts';
import type { HelmReleaseApply } from '../core/helm/helm-release-apply.ts';
import type { ClusterCapabilities, TargetRecord } from '../core/pipeline/records.ts';
import type { ObjectKey } from '../core/pipeline/state-keys.ts';
import type { TargetKind } from '../core/pipeline/target.ts';
import type { KubeObject } from '../core/render/yaml-codec.ts';

/** A target's declared record, as its declaring render wrote it; one member per kind with a renderer. */
export type { TargetRecord };

/** What the pipeline needs to know before rendering: read from the record, no I/O. */
export interface RenderPlan {
  /** `Kind/namespace/name`, for messages. */
  objectRef: string;
  /** spec.suspend: nothing is rendered and nothing published. */
  suspended: boolean;
  /** The source it renders from (namespace defaulted); only GitRepository sources are fetched today. */
  sourceRef: { kind: string } & ObjectKey;
  /** Whether it reads this cluster's ConfigMaps/Secrets (Flux's substituteFrom). */
  needsConfigs: boolean;
  /** How the puller applies what it renders. */
  apply: ApplyOptions;
  /** Fields decoded but not carried out, shown in its render status. */
  warnings: string[];
}

export interface RenderInputs {
  /** Absolute path of the materialised source (repository root). */
  sourceRoot: string;
  /** Identity of the source content; part of the render's cache key. */
  sourceDigest: string;
  /** This cluster's ConfigMaps/Secrets, when the plan needs them. */
  configs: ConfigData[];
  strictSubstitution: boolean;
  allowRemoteBases: boolean;
  /** The cluster's capabilities as its puller last reported them (HelmRelease renders); undefined before any report. */
  capabilities?: ClusterCapabilities;
  /** A HelmRelease already has a release in the cluster (an apply succeeded): `--is-upgrade`. */
  releaseExists?: boolean;
  /** The render key of the artifact the cluster was last given for this target (a HelmRelease keeps an install in sync). */
  publishedKey?: string;
}

export interface RenderOutput {
  /** Names the inputs of the render (see render-key.ts). */
  key: string;
  /** In the order the tool produced them, before splitting and apply ordering. */
  objects: KubeObject[];
  /** A HelmRelease's release, for the artifact's apply options (see HelmReleaseApply). */
  helm?: HelmReleaseApply;
  /** A release that exists, rendered as the install the cluster was given because its inputs are unchanged. */
  keptInstall?: boolean;
  /** Render-time notes for the status (e.g. rendered without the cluster's capabilities). */
  warnings?: string[];
}

export interface Renderer {
  readonly kind: TargetKind;
  /** Throws a typed error when the record may not render at all (e.g. a refused cross-namespace reference). */
  plan(record: TargetRecord, options: { noCrossNamespaceRefs: boolean }): RenderPlan;
  render(record: TargetRecord, inputs: RenderInputs): Promise<RenderOutput>;
}
