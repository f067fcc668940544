// Port: the Kubernetes API as the puller uses it: server-side apply, read, delete. Every call is bounded
// by the adapter's own per-call timeout and, when given, by the caller's signal (a target's deadline).
import type { KubeObject } from '../core/render/yaml-codec.ts';

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

export type ApplyAction = 'created' | 'configured' | 'unchanged';

export interface CallOptions {
  /** Aborts the call (the target's apply timeout ran out). */
  signal?: AbortSignal;
}

export interface ApplyCallOptions extends CallOptions {
  fieldManager: string;
  /** Take ownership of fields another manager set; without it such a change is a 409 (`conflicts` set). */
  force: boolean;
  /**
   * `dryRun: 'All'`: the API server answers with the object as the apply would leave it and stores nothing.
   * The answer's action is `created` when the object does not exist (no resourceVersion), else `configured`:
   * whether anything would change is the caller's comparison with what it read.
   */
  dryRun?: boolean;
  /** The object as the caller just read it (null: absent), so the adapter need not read it again. */
  before?: KubeObject | null;
}

export interface ClusterApi {
  /** Server-side apply; `force` takes ownership of conflicting fields, as Flux does. */
  apply(obj: KubeObject, opts: ApplyCallOptions): Promise<{ action: ApplyAction; live: KubeObject }>;
  get(ref: ObjectRef, opts?: CallOptions): Promise<KubeObject | undefined>;
  /**
   * A JSON merge patch (RFC 7386) of the object `patch` names (apiVersion, kind, metadata name and namespace):
   * Flux's cleanup of kubectl's field ownership and annotations before an apply. Returns the object after.
   */
  mergePatch(patch: KubeObject, opts: { fieldManager: string } & CallOptions): Promise<KubeObject>;
  /** Background propagation; a missing object is not an error. */
  delete(ref: ObjectRef, opts?: CallOptions): Promise<void>;
  /**
   * The same cluster acting as `user` (Kubernetes impersonation, e.g. `system:serviceaccount:<ns>:<name>`):
   * the API server authorizes every call of the view as that user, and a refusal is a ClusterApiError
   * with `forbidden` set (see cluster-api-error.ts).
   */
  as(user: string): ClusterApi;
  /** Objects of one kind in one namespace matching a label selector (Helm's release records). */
  list(
    type: { apiVersion: string; kind: string; namespace: string },
    labelSelector: string,
    opts?: CallOptions,
  ): Promise<KubeObject[]>;
}
