// ClusterApi over @kubernetes/client-node: server-side apply through the generic object API, with API
// errors turned into messages that name the object and the server's reason (never object contents).
import {
  ApiException,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';
import { SluiceError } from '../../core/errors.ts';
import type { KubeObject } from '../../core/render/yaml-codec.ts';
import type { ApplyAction, ClusterApi, ObjectRef } from '../../ports/cluster-api.ts';

export class ClientNodeCluster implements ClusterApi {
  private readonly api: KubernetesObjectApi;

  constructor(kubeConfig: KubeConfig) {
    this.api = KubernetesObjectApi.makeApiClient(kubeConfig);
  }

  async apply(
    obj: KubeObject,
    opts: { fieldManager: string; force: boolean },
  ): Promise<{ action: ApplyAction; live: KubeObject }> {
    const before = await this.get(refOf(obj));
    try {
      const live = (await this.api.patch(
        obj as KubernetesObject,
        undefined,
        undefined,
        opts.fieldManager,
        opts.force,
        PatchStrategy.ServerSideApply,
      )) as unknown as KubeObject;
      const rv = (o: KubeObject | undefined) =>
        (o?.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
      const action: ApplyAction = !before ? 'created' : rv(before) === rv(live) ? 'unchanged' : 'configured';
      return { action, live };
    } catch (err) {
      throw apiError('apply', refOf(obj), err);
    }
  }

  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    try {
      return (await this.api.read(header(ref))) as unknown as KubeObject;
    } catch (err) {
      if (err instanceof ApiException && err.code === 404) return undefined;
      throw apiError('read', ref, err);
    }
  }

  async delete(ref: ObjectRef): Promise<void> {
    try {
      await this.api.delete(header(ref), undefined, undefined, undefined, undefined, 'Background');
    } catch (err) {
      if (err instanceof ApiException && err.code === 404) return;
      throw apiError('delete', ref, err);
    }
  }
}

function header(ref: ObjectRef): KubernetesObject & { metadata: { name: string } } {
  return {
    apiVersion: ref.apiVersion,
    kind: ref.kind,
    metadata: { name: ref.name, ...(ref.namespace && { namespace: ref.namespace }) },
  };
}

export function refOf(obj: KubeObject): ObjectRef {
  const meta = (obj.metadata ?? {}) as { name?: string; namespace?: string };
  return {
    apiVersion: String(obj.apiVersion ?? ''),
    kind: String(obj.kind ?? ''),
    name: String(meta.name ?? ''),
    ...(meta.namespace && { namespace: meta.namespace }),
  };
}

export function describeRef(ref: ObjectRef): string {
  return `${ref.kind}/${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

function apiError(verb: string, ref: ObjectRef, err: unknown): SluiceError {
  if (err instanceof ApiException) {
    let reason = '';
    try {
      const body = typeof err.body === 'string' ? JSON.parse(err.body) : err.body;
      reason = (body as { message?: string })?.message ?? '';
    } catch {
      reason = '';
    }
    const code = Number(err.code);
    return new SluiceError(
      'ApplyFailed',
      `${describeRef(ref)}: ${verb} failed (HTTP ${code}): ${reason || 'no reason given'}`,
      {
        retryable: code >= 500 || code === 429 || code === 409,
        cause: err,
      },
    );
  }
  return new SluiceError('ApplyFailed', `${describeRef(ref)}: ${verb} failed: ${(err as Error).message}`, {
    retryable: true,
    cause: err,
  });
}
