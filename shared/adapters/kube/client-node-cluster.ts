// ClusterApi over @kubernetes/client-node: server-side apply through the generic object API, with API
// errors turned into messages that name the object and the server's reason (never object contents).
// Every request carries an abort signal: the per-call timeout, joined with the caller's own signal.
// `as(user)` views share one client (and its discovery cache) and add `Impersonate-User` to their requests.
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  ApiException,
  createConfiguration,
  HttpMethod,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  type ResponseContext,
  ServerConfiguration,
} from '@kubernetes/client-node';
import { describeRef, refOf } from '../../core/apply/object-ref.ts';
import { SluiceError } from '../../core/errors.ts';
import type { KubeObject } from '../../core/render/yaml-codec.ts';
import type {
  ApplyAction,
  ApplyCallOptions,
  CallOptions,
  ClusterApi,
  ObjectRef,
} from '../../ports/cluster-api.ts';
import { ClusterApiError, type FieldConflict, forbiddenOf } from '../../ports/cluster-api-error.ts';
import { reuseConnections } from './reuse-connections.ts';

export interface ClientNodeClusterOptions {
  /** Longest a single API request may take (a hung API server must not stall the puller). */
  requestTimeoutMs?: number;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** The object before an apply, when the caller may not read it. */
const UNREADABLE: KubeObject = { apiVersion: '', kind: '' };

/** What client-node's request middleware adds to the request in progress. */
interface CallScope {
  signal: AbortSignal;
  /** Kubernetes impersonation: the API server authorizes the request as this user. */
  user?: string;
}

/** One client shared by a cluster and every view of it. */
interface Connection {
  api: ObjectApi;
  timeoutMs: number;
  scope: AsyncLocalStorage<CallScope>;
}

/** The calls, as the connection's own identity or (`user`) as another. */
class ClusterCalls implements ClusterApi {
  private readonly conn: Connection;
  private readonly user: string | undefined;

  protected constructor(conn: Connection, user: string | undefined) {
    this.conn = conn;
    this.user = user;
  }

  /** A view of the same cluster acting as `user`; an empty name is refused rather than meaning "myself". */
  as(user: string): ClusterApi {
    if (user.trim() === '') throw new SluiceError('InternalError', 'impersonation needs a user name');
    return new ClusterCalls(this.conn, user);
  }

  async apply(obj: KubeObject, opts: ApplyCallOptions): Promise<{ action: ApplyAction; live: KubeObject }> {
    // A user who may patch but not read the object is refused (or not) by the apply itself, which names
    // the verb that matters (patch, or create for a new object); what it did is then unknown: configured.
    // A dry run's answer says itself whether the object exists (see ApplyCallOptions.dryRun).
    const before =
      opts.before !== undefined || opts.dryRun
        ? (opts.before ?? undefined)
        : await this.get(refOf(obj), opts).catch((err: unknown) => {
            if (forbiddenOf(err)) return UNREADABLE;
            throw err;
          });
    const live = await this.call('apply', refOf(obj), opts, async () => {
      return (await this.conn.api.patchAsGiven(obj, {
        strategy: PatchStrategy.ServerSideApply,
        fieldManager: opts.fieldManager,
        ...(opts.dryRun && { dryRun: true }),
        ...(opts.force !== undefined && { force: opts.force }),
      })) as unknown as KubeObject;
    });
    const rv = (o: KubeObject | undefined) =>
      (o?.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
    const action: ApplyAction = opts.dryRun
      ? rv(live)
        ? 'configured'
        : 'created'
      : before === UNREADABLE
        ? 'configured'
        : !before
          ? 'created'
          : rv(before) === rv(live)
            ? 'unchanged'
            : 'configured';
    return { action, live };
  }

  async mergePatch(patch: KubeObject, opts: { fieldManager: string } & CallOptions): Promise<KubeObject> {
    return this.call('patch', refOf(patch), opts, async () => {
      return (await this.conn.api.patchAsGiven(patch, {
        strategy: PatchStrategy.MergePatch,
        fieldManager: opts.fieldManager,
      })) as unknown as KubeObject;
    });
  }

  async get(ref: ObjectRef, opts: CallOptions = {}): Promise<KubeObject | undefined> {
    return this.call('read', ref, opts, async () => {
      try {
        return (await this.conn.api.read(header(ref))) as unknown as KubeObject;
      } catch (err) {
        if (err instanceof ApiException && err.code === 404) return undefined;
        throw err;
      }
    });
  }

  async delete(ref: ObjectRef, opts: CallOptions = {}): Promise<void> {
    await this.call('delete', ref, opts, async () => {
      try {
        await this.conn.api.delete(header(ref), undefined, undefined, undefined, undefined, 'Background');
      } catch (err) {
        if (!(err instanceof ApiException && err.code === 404)) throw err;
      }
    });
  }

  async list(
    type: { apiVersion: string; kind: string; namespace: string },
    labelSelector: string,
    opts: CallOptions = {},
  ): Promise<KubeObject[]> {
    const ref = { ...type, name: '' };
    return this.call('list', ref, opts, async () => {
      const list = await this.conn.api.list(
        type.apiVersion,
        type.kind,
        type.namespace,
        undefined,
        undefined,
        undefined,
        undefined,
        labelSelector,
      );
      // Typed lists leave apiVersion and kind off their items.
      return list.items.map((o) => ({ apiVersion: type.apiVersion, kind: type.kind, ...o }) as KubeObject);
    });
  }

  /** Runs one request under the per-call timeout joined with the caller's signal. */
  private async call<T>(verb: string, ref: ObjectRef, opts: CallOptions, run: () => Promise<T>): Promise<T> {
    const { timeoutMs } = this.conn;
    if (opts.signal?.aborted) throw stopped(verb, ref);
    // A timer cleared when the call ends, not AbortSignal.timeout: that one lives its whole 30 s, so a
    // large apply kept thousands of timers and signals alive (measured in bench/puller-footprint.ts).
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), timeoutMs);
    const signal = opts.signal ? AbortSignal.any([timeout.signal, opts.signal]) : timeout.signal;
    try {
      return await this.conn.scope.run({ signal, ...(this.user && { user: this.user }) }, run);
    } catch (err) {
      if (opts.signal?.aborted) throw stopped(verb, ref);
      if (timeout.signal.aborted)
        throw new SluiceError(
          'ApplyFailed',
          `${describeRef(ref)}: ${verb} timed out after ${Math.round(timeoutMs / 1000)}s (the API server did not answer in time)`,
          { retryable: true, cause: err },
        );
      throw apiError(verb, ref, err, this.user);
    } finally {
      clearTimeout(timer);
    }
  }
}

export class ClientNodeCluster extends ClusterCalls {
  constructor(kubeConfig: KubeConfig, opts: ClientNodeClusterOptions = {}) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new SluiceError('ConfigInvalid', 'the kubeconfig has no current cluster');
    reuseConnections(kubeConfig);
    const scope = new AsyncLocalStorage<CallScope>();
    const api = new ObjectApi(
      createConfiguration({
        baseServer: new ServerConfiguration(cluster.server, {}),
        authMethods: { default: kubeConfig },
        promiseMiddleware: [
          {
            // Runs after the kubeconfig's own authentication was applied to the request.
            pre: async (ctx) => {
              const call = scope.getStore();
              if (call) ctx.setSignal(call.signal);
              if (call?.user) ctx.setHeaderParam('Impersonate-User', call.user);
              return ctx;
            },
            post: async (res) => res,
          },
        ],
      }),
    );
    api.useNamespaceOf(kubeConfig);
    super({ api, timeoutMs: opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, scope }, undefined);
  }
}

/** The object API built on our own configuration (for the signal middleware), namespace from the context. */
class ObjectApi extends KubernetesObjectApi {
  useNamespaceOf(kubeConfig: KubeConfig): void {
    this.setDefaultNamespace(kubeConfig);
  }

  /**
   * A PATCH with the object sent as given. client-node's own patch encodes built-in kinds through its
   * typed models, which keep only the fields they know under the names they know: a CRD lost
   * `x-kubernetes-preserve-unknown-fields`, `x-kubernetes-int-or-string` and `$ref`, and any field newer
   * than the library (a new securityContext setting) vanished from what was applied, without an error.
   */
  async patchAsGiven(
    obj: KubeObject,
    opts: { strategy: PatchStrategy; fieldManager: string; dryRun?: boolean; force?: boolean },
  ): Promise<KubernetesObject> {
    const spec = obj as KubernetesObject;
    const request = this.configuration.baseServer.makeRequestContext(
      await this.specUriPath(spec, 'patch'),
      HttpMethod.PATCH,
    );
    request.setHeaderParam('Accept', 'application/json');
    request.setHeaderParam('Content-Type', opts.strategy);
    if (opts.dryRun) request.setQueryParam('dryRun', 'All');
    request.setQueryParam('fieldManager', opts.fieldManager);
    if (opts.force !== undefined) request.setQueryParam('force', String(opts.force));
    request.setBody(JSON.stringify(spec));
    return this.requestPromise(request);
  }

  /**
   * Objects as the API server wrote them. client-node's typed decoding keeps only the fields its models
   * know (a field newer than the library is dropped) and turns timestamps into Dates: health and drift
   * must see the live object whole, as kubectl does. Failures still go through client-node's errors.
   */
  protected override async processResponse<T extends KubernetesObject>(
    response: ResponseContext,
    type?: string,
  ): Promise<T> {
    if (response.httpStatusCode < 200 || response.httpStatusCode > 299)
      return super.processResponse<T>(response, type);
    return JSON.parse(await response.body.text()) as T;
  }
}

function stopped(verb: string, ref: ObjectRef): SluiceError {
  return new SluiceError(
    'ApplyFailed',
    `${describeRef(ref)}: ${verb} stopped: the Kustomization's timeout ran out`,
    { retryable: true },
  );
}

function header(ref: ObjectRef): KubernetesObject & { metadata: { name: string } } {
  return {
    apiVersion: ref.apiVersion,
    kind: ref.kind,
    metadata: { name: ref.name, ...(ref.namespace && { namespace: ref.namespace }) },
  };
}

/** The Kubernetes verb behind each of our calls, for a 403 whose message does not name one. */
const VERBS: Record<string, string> = {
  apply: 'patch',
  patch: 'patch',
  read: 'get',
  delete: 'delete',
  list: 'list',
};

function apiError(verb: string, ref: ObjectRef, err: unknown, user: string | undefined): SluiceError {
  if (err instanceof ApiException) {
    const status = statusOf(err.body);
    const code = Number(err.code);
    const forbidden =
      code === 403
        ? {
            object: describeRef(ref),
            verb: status.refusedVerb ?? VERBS[verb] ?? verb,
            ...(user && { user }),
          }
        : undefined;
    return new ClusterApiError(
      `${describeRef(ref)}: ${verb} failed (HTTP ${code}): ${status.message || 'no reason given'}`,
      {
        status: code,
        immutableField: code === 422 && status.immutableField,
        ...(forbidden && { forbidden }),
        ...(code === 409 && status.conflicts.length > 0 && { conflicts: status.conflicts }),
      },
      { retryable: code >= 500 || code === 429 || code === 409, cause: err },
    );
  }
  return new SluiceError('ApplyFailed', `${describeRef(ref)}: ${verb} failed: ${(err as Error).message}`, {
    retryable: true,
    cause: err,
  });
}

/**
 * The API server's Status body. Kubernetes has no reason code for an immutable field: a 422 Invalid
 * names it in a cause's message ("field is immutable"), so this adapter, the protocol's boundary, is
 * the one place that reads that text and turns it into a flag. Likewise a 403 names the refused verb only
 * in its message (`User "u" cannot create resource ...`): an apply that would create is refused `create`.
 */
function statusOf(body: unknown): {
  message: string;
  immutableField: boolean;
  refusedVerb?: string;
  conflicts: FieldConflict[];
} {
  let parsed: unknown;
  try {
    parsed = typeof body === 'string' ? JSON.parse(body) : body;
  } catch {
    return { message: '', immutableField: false, conflicts: [] };
  }
  const status = (parsed ?? {}) as {
    message?: unknown;
    details?: { causes?: { message?: unknown; reason?: unknown; field?: unknown }[] };
  };
  const message = typeof status.message === 'string' ? status.message : '';
  const causes = Array.isArray(status.details?.causes) ? status.details.causes : [];
  const texts = causes.length > 0 ? causes.map((c) => String(c?.message ?? '')) : [message];
  const refusedVerb = /\bcannot ([a-z]+) resource "/.exec(message)?.[1];
  // Server-side apply's 409 names each field in a FieldManagerConflict cause and the other manager only in
  // that cause's message: `conflict with "kubectl" using apps/v1`.
  const conflicts = causes.flatMap((c): FieldConflict[] => {
    const manager = /^conflict with "([^"]*)"/.exec(String(c?.message ?? ''))?.[1];
    return c?.reason === 'FieldManagerConflict' && typeof c.field === 'string' && manager !== undefined
      ? [{ manager, field: c.field }]
      : [];
  });
  return {
    message,
    immutableField: texts.some((t) => t.includes('field is immutable')),
    ...(refusedVerb && { refusedVerb }),
    conflicts,
  };
}
