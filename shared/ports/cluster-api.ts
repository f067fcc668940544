// Port: the Kubernetes API as the puller uses it: server-side apply, read, delete.
import type { KubeObject } from '../core/render/yaml-codec.ts';

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

export type ApplyAction = 'created' | 'configured' | 'unchanged';

export interface ClusterApi {
  /** Server-side apply; `force` takes ownership of conflicting fields, as Flux does. */
  apply(
    obj: KubeObject,
    opts: { fieldManager: string; force: boolean },
  ): Promise<{ action: ApplyAction; live: KubeObject }>;
  get(ref: ObjectRef): Promise<KubeObject | undefined>;
  /** Background propagation; a missing object is not an error. */
  delete(ref: ObjectRef): Promise<void>;
}
