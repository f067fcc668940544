// Test stand-in for a Kubernetes API server: a 127.0.0.1 HTTP server with discovery, CRUD, LIST/WATCH,
// server-side apply with managedFields, CRD registration and simulated workload status (see kube-api-server/).
// With `tls`, it serves HTTPS and offers HTTP/2 first, as kube-apiserver does (so clients that offer h2, such
// as client-node's undici, speak HTTP/2 to it as they would to a real cluster), under a throwaway certificate
// that its kubeconfig() trusts.
//
// Authentication and authorization: a request's bearer token names its user: the `token` option is the admin
// (`kubernetes-admin` in `system:masters`, which authorization never stops; without a `token` option, any
// request the `users` option does not name is the admin); the `users` option names others. `Impersonate-User`
// and `Impersonate-Group` switch to another identity when the caller may `impersonate` it (users, groups, or
// serviceaccounts in the service account's namespace); an impersonated service account is in
// `system:serviceaccounts` and `system:serviceaccounts:<ns>`. Resource requests are authorized by RBAC
// (rbac.authorization.k8s.io/v1 Role, ClusterRole, RoleBinding, ClusterRoleBinding, stored like any
// resource: verbs, apiGroups, resources with `*` and subresources, resourceNames) when the server runs with
// `authorization: 'RBAC'` or the request impersonates; otherwise everything is allowed, as before. An apply
// that creates its object needs `create` besides `patch`. A denial is kube-apiserver's 403 Status.
// Not modelled: ClusterRole aggregation (aggregationRule), the escalate/bind checks on writing roles and
// bindings, nonResourceURLs (discovery, /version and health are open to everyone), Impersonate-Uid and
// Impersonate-Extra-* (refused with 400), authentication other than bearer tokens (no client certificates,
// no TokenReview, no ServiceAccount tokens), the `system:unauthenticated`/anonymous user, admission of RBAC
// objects (a binding to a missing role is stored and grants nothing), and SelfSubjectAccessReview.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createSecureServer, type Http2Session } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import { identify, type KubeUser } from './kube-api-server/authentication.ts';
import { attributesOf, forbidden, rbacAuthorizer, verbOf } from './kube-api-server/authorization.ts';
import type { ServerContext } from './kube-api-server/context.ts';
import { reconcileStatus } from './kube-api-server/controllers.ts';
import {
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  SERVER_VERSION,
} from './kube-api-server/discovery.ts';
import { FaultInjector } from './kube-api-server/faults.ts';
import { serveResource, watchRequest } from './kube-api-server/handlers.ts';
import {
  defaultManager,
  mediaType,
  readBodyBytes,
  sendError,
  sendJson,
  sendStatus,
} from './kube-api-server/http-io.ts';
import { clone, deepEqual } from './kube-api-server/json.ts';
import { renderKubeconfig } from './kube-api-server/kubeconfig.ts';
import { PROTOBUF, protobufToJson } from './kube-api-server/protobuf.ts';
import { ResourceRegistry } from './kube-api-server/registry.ts';
import { type ApiRequest, pathNotFound } from './kube-api-server/request.ts';
import { parseRoute, type ResourceTarget } from './kube-api-server/routing.ts';
import { ObjectStore } from './kube-api-server/store.ts';
import type { KubeObject } from './kube-api-server/types.ts';
import { WatchHub } from './kube-api-server/watch.ts';
import { commitWrite } from './kube-api-server/writes.ts';
import { selfSignedCertificate } from './test-certificate.ts';

export type { KubeUser } from './kube-api-server/authentication.ts';
export type { StatusBody } from './kube-api-server/status.ts';
export type { KubeObject, ManagedFieldsEntry, ObjectMeta } from './kube-api-server/types.ts';

export interface KubeApiServerOptions {
  /** When set, every request must carry `Authorization: Bearer <token>` (else 401); kubeconfig() includes it. */
  token?: string;
  /** When false, Deployments and StatefulSets never become ready (Available=False). Default true. */
  deploymentsReady?: boolean;
  /** Namespaces to create up front, besides `default` and `kube-system`. */
  namespaces?: string[];
  /**
   * 'RBAC': every resource request is authorized against the stored Roles and bindings (the admin always
   * passes). Default 'AlwaysAllow': only requests that impersonate are authorized.
   */
  authorization?: 'AlwaysAllow' | 'RBAC';
  /** Further callers by bearer token (each also in `system:authenticated`). */
  users?: Record<string, KubeUser>;
  /** HTTPS with HTTP/2 preferred and HTTP/1.1 accepted, as kube-apiserver serves. Default: plain HTTP/1.1. */
  tls?: boolean;
}

export interface KubeApiRequestLog {
  method: string;
  /** Path without query string, e.g. `/api/v1/namespaces/default/configmaps/app`. */
  path: string;
  /** Query parameters, e.g. `{ fieldManager: 'sluice', force: 'true' }`. */
  query: Record<string, string>;
  /** Request Content-Type without parameters ('' when absent). */
  contentType: string;
  /** Response status code (0 until the response is finished; watches stay 200). */
  status: number;
  /** Who the request acted as, impersonation applied ('' when it was refused before that was known). */
  user: string;
  /** '2.0' when it came over HTTP/2, else '1.1'. */
  httpVersion: string;
}

export interface ObjectFilter {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
}

export interface KubeApiServer {
  /** `http://127.0.0.1:<port>` (`https://` with `tls`) */
  readonly url: string;
  /** kubeconfig YAML pointing at this server, current-context set (optionally with a default namespace). */
  kubeconfig(opts?: { namespace?: string; token?: string }): string;
  /** Deep copies of stored objects (sorted by namespace, then name), optionally filtered. */
  objects(filter?: ObjectFilter): KubeObject[];
  /** One stored object (deep copy), or undefined. */
  object(apiVersion: string, kind: string, name: string, namespace?: string): KubeObject | undefined;
  /**
   * The next request whose method matches (`'*'` = any) and whose path matches `path` gets a Status error
   * with `status` instead of being served. Faults queue up and each fires once; `skip` lets that many
   * matching requests through first.
   */
  failNext(method: string, path: RegExp, status: number, message?: string, opts?: { skip?: number }): void;
  /** Switches simulated Deployment/StatefulSet readiness and re-evaluates existing ones. */
  setDeploymentsReady(ready: boolean): void;
  /** Every request received, in order (a live array: read, slice or clear it). */
  readonly requests: KubeApiRequestLog[];
  /** Ends watches, drops all connections and stops listening. Idempotent. */
  close(): Promise<void>;
}

function clusterIPAllocator(): () => string {
  let next = 10;
  return () => {
    const n = next++;
    return `10.96.${Math.floor(n / 256) % 256}.${n % 256}`;
  };
}

function createContext(opts: KubeApiServerOptions): ServerContext {
  return {
    registry: new ResourceRegistry(),
    store: new ObjectStore(),
    controllers: { workloadsReady: opts.deploymentsReady ?? true },
    defaulting: { allocateClusterIP: clusterIPAllocator() },
  };
}

function seedNamespace(ctx: ServerContext, name: string): void {
  const type = ctx.registry.find('', 'v1', 'namespaces');
  if (!type || ctx.store.get(type, '', name)) return;
  commitWrite(ctx, {
    type,
    namespace: '',
    name,
    live: undefined,
    candidate: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
    ownership: () => [],
    dryRun: false,
  });
}

function resyncWorkloads(ctx: ServerContext): void {
  for (const type of ctx.registry.all()) {
    if (type.group !== 'apps' || (type.kind !== 'Deployment' && type.kind !== 'StatefulSet')) continue;
    for (const live of ctx.store.list(type)) {
      const next = clone(live);
      reconcileStatus(type, next, live, ctx.controllers);
      if (deepEqual(next.status, live.status)) continue;
      next.metadata.resourceVersion = ctx.store.nextResourceVersion();
      ctx.store.put(type, next);
    }
  }
}

export async function startKubeApiServer(opts: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  const ctx = createContext(opts);
  for (const ns of ['default', 'kube-system', ...(opts.namespaces ?? [])]) seedNamespace(ctx, ns);
  const faults = new FaultInjector();
  const watches = new WatchHub();
  const requests: KubeApiRequestLog[] = [];
  const authorize = rbacAuthorizer(ctx);
  const authentication = {
    ...(opts.token !== undefined && { adminToken: opts.token }),
    users: opts.users ?? {},
  };
  let hostPort = '127.0.0.1:0';

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    let contentType = mediaType(req.headers['content-type']);
    const log: KubeApiRequestLog = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      contentType,
      status: 0,
      user: '',
      httpVersion: req.httpVersion,
    };
    requests.push(log);
    res.on('finish', () => {
      log.status = res.statusCode;
    });
    try {
      const bytes = await readBodyBytes(req);
      let body = bytes.toString('utf8');
      const { user, impersonated } = identify(req, authentication, authorize);
      log.user = user.name;
      const route = parseRoute(url.pathname);
      // Authorization is off unless asked for, or the request acts as someone else (see the header).
      const enforce = opts.authorization === 'RBAC' || impersonated;
      const check = (verb: string, target: ResourceTarget) => {
        const attrs = attributesOf(verb, target);
        if (enforce && !authorize(user, attrs)) throw forbidden(user, attrs);
      };
      if (route.kind === 'resource') check(verbOf(method, route.target, url.searchParams), route.target);
      const fault = faults.take(method, url.pathname);
      if (fault) return sendStatus(res, fault);
      if (contentType === PROTOBUF) {
        body = protobufToJson(bytes);
        contentType = 'application/json';
      }
      switch (route.kind) {
        case 'version':
          return sendJson(res, 200, SERVER_VERSION);
        case 'health':
          res.writeHead(200, { 'Content-Type': 'text/plain' });
          res.end('ok');
          return;
        case 'coreVersions':
          return sendJson(res, 200, apiVersions(hostPort));
        case 'groupList':
          return sendJson(res, 200, apiGroupList(ctx.registry));
        case 'group': {
          const doc = apiGroup(ctx.registry, route.group);
          return doc ? sendJson(res, 200, doc) : sendError(res, pathNotFound());
        }
        case 'resourceList': {
          const doc = apiResourceList(ctx.registry, route.group, route.version);
          return doc ? sendJson(res, 200, doc) : sendError(res, pathNotFound());
        }
        case 'resource': {
          const apiReq: ApiRequest = {
            method,
            target: route.target,
            query: url.searchParams,
            contentType: contentType || 'application/json',
            body,
            defaultManager: defaultManager(req),
            ...(enforce && { authorizeCreate: () => check('create', route.target) }),
          };
          const watch = watchRequest(ctx, apiReq);
          if (watch) return watches.start(ctx, res, watch);
          const out = serveResource(ctx, apiReq);
          return sendJson(res, out.code, out.body);
        }
        case 'unknown':
          return sendError(res, pathNotFound());
      }
    } catch (err) {
      if (!res.headersSent) sendError(res, err);
      else res.destroy(err as Error);
    }
  };

  // HTTP/2's compatibility API has the request and response methods the handlers use.
  const onRequest = (req: IncomingMessage, res: ServerResponse) => void handle(req, res);
  const certificate = opts.tls ? selfSignedCertificate(['localhost']) : undefined;
  const server = certificate
    ? createSecureServer(
        { cert: certificate.certPem, key: certificate.keyPem, allowHTTP1: true },
        onRequest as never,
      )
    : createServer(onRequest);
  // An HTTP/2 server has no closeAllConnections: its sessions and HTTP/1.1 sockets are closed by hand.
  const connections = new Set<Http2Session | Socket>();
  const track = (c: Http2Session | Socket) => {
    connections.add(c);
    c.once('close', () => connections.delete(c));
  };
  if (certificate) server.on('session', track).on('secureConnection', track);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  hostPort = `127.0.0.1:${port}`;
  const url = `${certificate ? 'https' : 'http'}://${hostPort}`;

  let closing: Promise<void> | undefined;
  const matchesFilter = (o: KubeObject, f: ObjectFilter) =>
    (f.apiVersion === undefined || o.apiVersion === f.apiVersion) &&
    (f.kind === undefined || o.kind === f.kind) &&
    (f.namespace === undefined || (o.metadata.namespace ?? '') === f.namespace) &&
    (f.name === undefined || o.metadata.name === f.name);

  return {
    url,
    requests,
    kubeconfig: (k = {}) =>
      renderKubeconfig({
        server: url,
        ...(certificate && { certificateAuthority: certificate.certPem }),
        ...((k.token ?? opts.token) ? { token: k.token ?? opts.token } : {}),
        ...(k.namespace ? { namespace: k.namespace } : {}),
      }),
    objects: (filter = {}) => ctx.store.all().filter((o) => matchesFilter(o, filter)),
    object: (apiVersion, kind, name, namespace) => {
      const type = ctx.registry.findByKind(apiVersion, kind);
      const obj = type ? ctx.store.get(type, namespace ?? '', name) : undefined;
      return obj && type ? { ...obj, apiVersion } : undefined;
    },
    failNext: (method, path, status, message, { skip } = {}) =>
      faults.add({
        method,
        path,
        status,
        ...(message !== undefined ? { message } : {}),
        ...(skip !== undefined ? { skip } : {}),
      }),
    setDeploymentsReady: (ready) => {
      ctx.controllers.workloadsReady = ready;
      resyncWorkloads(ctx);
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        watches.closeAll();
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
        for (const c of connections) c.destroy();
      });
      return closing;
    },
  };
}
