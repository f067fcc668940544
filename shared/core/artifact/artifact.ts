// The artifact a cluster pulls: the ordered objects of one Kustomization plus what the puller needs to
// apply them, as canonical JSON; its sha256 digest is its address and what the signature covers.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json.ts';
import type { KubeObject } from '../render/yaml-codec.ts';

export const ARTIFACT_API = 'sluice.dev/v1alpha1';

export interface ApplyOptions {
  prune: boolean;
  wait: boolean;
  force: boolean;
  timeoutMs: number;
  /** How often the puller re-applies an unchanged artifact to correct drift. */
  intervalMs: number;
  dependsOn: { name: string; namespace: string }[];
  serviceAccountName?: string;
}

export interface ArtifactPayload {
  apiVersion: typeof ARTIFACT_API;
  kind: 'Artifact';
  cluster: string;
  kustomization: { name: string; namespace: string };
  source: { url: string; revision: string };
  renderKey: string;
  apply: ApplyOptions;
  /** In apply order. */
  objects: KubeObject[];
}

export interface SignedArtifact {
  digest: string;
  keyId: string;
  /** base64 DER ECDSA P-256 / SHA-256 signature over the UTF-8 bytes of `digest`. */
  signature: string;
  payload: ArtifactPayload;
}

export function digestOf(payload: ArtifactPayload): string {
  return `sha256:${createHash('sha256').update(canonicalJson(payload)).digest('hex')}`;
}

/** Content address inside the object store. */
export function artifactKey(cluster: string, digest: string): string {
  return `artifacts/${cluster}/${digest.replace(/^sha256:/, '')}.json`;
}
