// Contract: the Kubernetes API stand-in (kube-api-server.ts) behaves like a real kube-apiserver for the real
// @kubernetes/client-node v2 client: discovery, CRUD, server-side apply ownership, CRDs, errors, watch.

import {
  ApiException,
  CoreV1Api,
  KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  type V1Status,
  Watch,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KubeApiServer, startKubeApiServer } from '../support/kube-api-server.ts';
import { widgetCrd as widgetCrdOf } from '../support/widget-crd.ts';

type Obj = KubernetesObject & Record<string, unknown>;

let server: KubeApiServer;
let kc: KubeConfig;
let client: KubernetesObjectApi;
let core: CoreV1Api;

function clientsFor(kubeconfig: string): { kc: KubeConfig; client: KubernetesObjectApi; core: CoreV1Api } {
  const config = new KubeConfig();
  config.loadFromString(kubeconfig);
  return {
    kc: config,
    client: KubernetesObjectApi.makeApiClient(config),
    core: config.makeApiClient(CoreV1Api),
  };
}

/** Server-side apply as the puller does it. */
function apply(obj: Obj, manager = 'sluice', force = true, dryRun?: string): Promise<Obj> {
  return client.patch(obj, undefined, dryRun, manager, force, PatchStrategy.ServerSideApply) as Promise<Obj>;
}

/** Runs `fn`, expecting an ApiException; returns its code and Status body. */
async function apiError(fn: () => Promise<unknown>): Promise<{ code: number; body: V1Status }> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof ApiException) {
      const body = typeof err.body === 'string' ? JSON.parse(err.body) : err.body;
      return { code: err.code, body: body as V1Status };
    }
    throw err;
  }
  throw new Error('expected the request to fail');
}

function raw(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${server.url}${path}`, init);
}

function configMap(name: string, data: Record<string, string | null>, labels?: Record<string, string>): Obj {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'team-a', ...(labels ? { labels } : {}) },
    data,
  };
}

function deployment(name: string, selectorApp: string, replicas = 2): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'team-a' },
    spec: {
      replicas,
      selector: { matchLabels: { app: selectorApp } },
      template: {
        metadata: { labels: { app: selectorApp } },
        spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
      },
    },
  };
}

const widgetCrd = widgetCrdOf({ statusSubresource: true }) as Obj;

beforeAll(async () => {
  server = await startKubeApiServer();
  ({ kc, client, core } = clientsFor(server.kubeconfig()));
  await core.createNamespace({ body: { metadata: { name: 'team-a' } } });
});

afterAll(async () => {
  await server?.close();
});

describe('kubeconfig and discovery', () => {
  it('produces a kubeconfig whose current context points at the server', () => {
    expect(kc.getCurrentCluster()?.server).toBe(server.url);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('serves APIResourceLists for built-in groups', async () => {
    const core = (await (await raw('/api/v1')).json()) as {
      resources: { name: string; kind: string; namespaced: boolean; verbs: string[] }[];
    };
    expect(core.resources.find((r) => r.name === 'configmaps')).toMatchObject({
      kind: 'ConfigMap',
      namespaced: true,
      verbs: expect.arrayContaining(['get', 'list', 'create', 'patch', 'delete']),
    });
    expect(core.resources.find((r) => r.name === 'namespaces')?.namespaced).toBe(false);
    const groups = (await (await raw('/apis')).json()) as { groups: { name: string }[] };
    expect(groups.groups.map((g) => g.name)).toEqual(
      expect.arrayContaining([
        'apps',
        'rbac.authorization.k8s.io',
        'apiextensions.k8s.io',
        'networking.k8s.io',
        'batch',
        'policy',
      ]),
    );
    const batch = (await (await raw('/apis/batch/v1')).json()) as { resources: { kind: string }[] };
    expect(batch.resources.map((r) => r.kind)).toEqual(expect.arrayContaining(['Job', 'CronJob']));
    expect((await raw('/apis/example.invalid/v1')).status).toBe(404);
  });

  it('starts with default and kube-system namespaces, and creates namespaces as Active', async () => {
    const names = (await core.listNamespace()).items.map((n) => n.metadata?.name);
    expect(names).toEqual(expect.arrayContaining(['default', 'kube-system', 'team-a']));
    const ns = await core.readNamespace({ name: 'team-a' });
    expect(ns.status?.phase).toBe('Active');
    expect(ns.metadata?.labels?.['kubernetes.io/metadata.name']).toBe('team-a');
  });
});

describe('server-side apply', () => {
  it('creates an object with server-populated metadata and managedFields', async () => {
    const created = await apply(configMap('app-config', { a: '1', b: '2' }, { app: 'web' }));
    const meta = created.metadata ?? {};
    expect(meta.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(meta.resourceVersion).toMatch(/^\d+$/);
    expect(meta.creationTimestamp).toBeInstanceOf(Date);
    expect(meta.managedFields).toEqual([
      expect.objectContaining({
        manager: 'sluice',
        operation: 'Apply',
        apiVersion: 'v1',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:data': { 'f:a': {}, 'f:b': {} }, 'f:metadata': { 'f:labels': { 'f:app': {} } } },
      }),
    ]);
    expect(server.requests.at(-1)).toMatchObject({
      method: 'PATCH',
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager: 'sluice', force: 'true' },
      status: 201,
    });
  });

  it('removes fields the manager stops applying; an identical re-apply is a no-op', async () => {
    const before = await core.readNamespacedConfigMap({ name: 'app-config', namespace: 'team-a' });
    const after = await apply(configMap('app-config', { a: '1' }, { app: 'web' }));
    expect(after.data).toEqual({ a: '1' });
    expect(Number(after.metadata?.resourceVersion)).toBeGreaterThan(Number(before.metadata?.resourceVersion));
    const again = await apply(configMap('app-config', { a: '1' }, { app: 'web' }));
    expect(again.metadata?.resourceVersion).toBe(after.metadata?.resourceVersion);
    const stored = server.object('v1', 'ConfigMap', 'app-config', 'team-a');
    expect(stored?.data).toEqual({ a: '1' });
  });

  it('reports a 409 conflict against another manager unless forced', async () => {
    const { code, body } = await apiError(() =>
      apply(configMap('app-config', { a: 'other' }), 'intruder', false),
    );
    expect(code).toBe(409);
    expect(body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Conflict', code: 409 });
    expect(body.message).toBe('Apply failed with 1 conflict: conflict with "sluice" using v1: .data.a');
    expect(body.details?.causes?.[0]).toMatchObject({ field: '.data.a' });

    const forced = await apply(configMap('app-config', { a: 'other' }), 'intruder', true);
    expect(forced.data).toEqual({ a: 'other' });
    const managers = (forced.metadata?.managedFields ?? []).map((m) => [
      m.manager,
      Object.keys(m.fieldsV1 as object),
    ]);
    expect(managers).toEqual([
      ['sluice', ['f:metadata']],
      ['intruder', ['f:data']],
    ]);
    // Values shared with the same value are not conflicts.
    const shared = await apply(configMap('app-config', { a: 'other' }, { app: 'web' }), 'third', false);
    expect(shared.data).toEqual({ a: 'other' });
  });

  it('requires fieldManager for apply requests (400)', async () => {
    const { code, body } = await apiError(() =>
      client.patch(
        configMap('app-config', { a: '1' }),
        undefined,
        undefined,
        undefined,
        undefined,
        PatchStrategy.ServerSideApply,
      ),
    );
    expect(code).toBe(400);
    expect(body.reason).toBe('BadRequest');
    expect(body.message).toContain('fieldManager is required');
  });

  it('dryRun=All returns the result without storing it', async () => {
    const result = await apply(configMap('dry', { x: '1' }), 'sluice', true, 'All');
    expect(result.data).toEqual({ x: '1' });
    expect(server.object('v1', 'ConfigMap', 'dry', 'team-a')).toBeUndefined();
    await expect(core.readNamespacedConfigMap({ name: 'dry', namespace: 'team-a' })).rejects.toMatchObject({
      code: 404,
    });
  });

  it('returns 404 namespaces "x" not found for a missing namespace', async () => {
    const cm = { ...configMap('orphan', { a: '1' }), metadata: { name: 'orphan', namespace: 'nope' } };
    const { code, body } = await apiError(() => apply(cm));
    expect(code).toBe(404);
    expect(body).toMatchObject({
      reason: 'NotFound',
      message: 'namespaces "nope" not found',
      details: { name: 'nope', kind: 'namespaces' },
    });
  });
});

describe('other verbs', () => {
  it('creates, lists with label and field selectors, and paginates', async () => {
    await client.create(configMap('web-1', { k: 'v' }, { role: 'web', tier: 'front' }));
    await client.create(configMap('web-2', { k: 'v' }, { role: 'web', tier: 'back' }));
    await client.create(configMap('db-1', { k: 'v' }, { role: 'db' }));
    const dup = await apiError(() => client.create(configMap('db-1', {})));
    expect(dup).toMatchObject({
      code: 409,
      body: { reason: 'AlreadyExists', message: 'configmaps "db-1" already exists' },
    });

    const names = async (labelSelector?: string, fieldSelector?: string) =>
      (await core.listNamespacedConfigMap({ namespace: 'team-a', labelSelector, fieldSelector })).items.map(
        (i) => i.metadata?.name,
      );
    expect(await names('role=web')).toEqual(['web-1', 'web-2']);
    expect(await names('role in (db, web),tier!=back')).toEqual(['db-1', 'web-1']);
    expect(await names('tier')).toEqual(['web-1', 'web-2']);
    expect(await names('!tier,role')).toEqual(['db-1']);
    expect(await names('role notin (web)')).toEqual(['app-config', 'db-1']);
    expect(await names(undefined, 'metadata.name=web-2')).toEqual(['web-2']);

    const viaObjectApi = await client.list(
      'v1',
      'ConfigMap',
      'team-a',
      undefined,
      undefined,
      undefined,
      undefined,
      'role==web',
    );
    expect(viaObjectApi.items.map((i) => i.metadata?.name)).toEqual(['web-1', 'web-2']);

    const page1 = await core.listNamespacedConfigMap({ namespace: 'team-a', limit: 2 });
    expect(page1.items).toHaveLength(2);
    const page2 = await core.listNamespacedConfigMap({
      namespace: 'team-a',
      limit: 2,
      _continue: page1.metadata?._continue,
    });
    expect([...page1.items, ...page2.items].map((i) => i.metadata?.name)).toEqual([
      'app-config',
      'db-1',
      'web-1',
      'web-2',
    ]);

    const bad = await apiError(() =>
      core.listNamespacedConfigMap({ namespace: 'team-a', fieldSelector: 'spec.foo=1' }),
    );
    expect(bad.code).toBe(400);
  });

  it('merge patch, JSON patch and PUT update the object and bump resourceVersion', async () => {
    const merged = (await client.patch(
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'web-1', namespace: 'team-a' },
        data: { k: null, n: '1' },
      } as Obj,
      undefined,
      undefined,
      undefined,
      undefined,
      PatchStrategy.MergePatch,
    )) as Obj;
    expect(merged.data).toEqual({ n: '1' });

    const patched = await core.patchNamespacedConfigMap(
      { name: 'web-1', namespace: 'team-a', body: [{ op: 'add', path: '/data/m', value: '2' }] },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    expect(patched.data).toEqual({ n: '1', m: '2' });

    const current = await core.readNamespacedConfigMap({ name: 'web-1', namespace: 'team-a' });
    current.data = { replaced: 'yes' };
    const replaced = await core.replaceNamespacedConfigMap({
      name: 'web-1',
      namespace: 'team-a',
      body: current,
    });
    expect(replaced.data).toEqual({ replaced: 'yes' });
    expect(Number(replaced.metadata?.resourceVersion)).toBeGreaterThan(
      Number(current.metadata?.resourceVersion),
    );

    const stale = await apiError(() =>
      core.replaceNamespacedConfigMap({ name: 'web-1', namespace: 'team-a', body: current }),
    );
    expect(stale).toMatchObject({ code: 409, body: { reason: 'Conflict' } });
  });

  it('deletes objects (Status Success) and then 404s', async () => {
    const status = await client.delete(
      configMap('db-1', {}),
      undefined,
      undefined,
      undefined,
      undefined,
      'Background',
    );
    expect(status).toMatchObject({ kind: 'Status', status: 'Success' });
    const { code, body } = await apiError(() =>
      core.readNamespacedConfigMap({ name: 'db-1', namespace: 'team-a' }),
    );
    expect(code).toBe(404);
    expect(body).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'NotFound',
      message: 'configmaps "db-1" not found',
    });
    expect((await apiError(() => client.delete(configMap('db-1', {})))).code).toBe(404);
  });

  it('keeps an object with finalizers terminating until its last finalizer is removed', async () => {
    const held = configMap('held', { a: '1' });
    held.metadata = { ...held.metadata, finalizers: ['example.com/hold'] };
    await apply(held);
    await client.delete(configMap('held', {}));
    const terminating = await core.readNamespacedConfigMap({ name: 'held', namespace: 'team-a' });
    expect(terminating.metadata?.deletionTimestamp).toBeDefined();
    await client.patch(
      // A merge patch's null removes the field.
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'held', namespace: 'team-a', finalizers: null },
      } as never,
      undefined,
      undefined,
      undefined,
      undefined,
      PatchStrategy.MergePatch,
    );
    const { code } = await apiError(() =>
      core.readNamespacedConfigMap({ name: 'held', namespace: 'team-a' }),
    );
    expect(code).toBe(404);
  });
});

describe('workloads', () => {
  it('reports Deployments ready with observedGeneration and Available=True', async () => {
    const created = await apply(deployment('web', 'web', 3));
    expect(created.metadata?.generation).toBe(1);
    expect(created.status).toMatchObject({
      observedGeneration: 1,
      replicas: 3,
      readyReplicas: 3,
      updatedReplicas: 3,
      availableReplicas: 3,
    });
    const conditions = (created.status as { conditions: { type: string; status: string }[] }).conditions;
    expect(conditions).toContainEqual(expect.objectContaining({ type: 'Available', status: 'True' }));

    const scaled = await apply(deployment('web', 'web', 5));
    expect(scaled.metadata?.generation).toBe(2);
    expect(scaled.status).toMatchObject({ observedGeneration: 2, readyReplicas: 5 });
  });

  it('rejects a changed Deployment selector with 422 "field is immutable"', async () => {
    const { code, body } = await apiError(() => apply(deployment('web', 'other')));
    expect(code).toBe(422);
    expect(body.reason).toBe('Invalid');
    expect(body.message).toMatch(
      /^Deployment\.apps "web" is invalid: spec\.selector: Invalid value: .*: field is immutable$/,
    );
    expect(body.details).toMatchObject({ name: 'web', group: 'apps', kind: 'Deployment' });
  });

  it('can keep Deployments unready', async () => {
    server.setDeploymentsReady(false);
    const web = (await client.read({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'team-a' },
    })) as Obj;
    const status = web.status as { readyReplicas?: number; conditions: { type: string; status: string }[] };
    expect(status.readyReplicas ?? 0).toBe(0);
    expect(status.conditions).toContainEqual(expect.objectContaining({ type: 'Available', status: 'False' }));
    server.setDeploymentsReady(true);
  });
});

describe('what Go clients send', () => {
  /** A v1 Secret as client-go's typed client sends it: the k8s protobuf envelope, every string field written. */
  function secretProtobuf(
    name: string,
    labels: Record<string, string>,
    data: Record<string, string>,
  ): Buffer {
    const varint = (n: number) => {
      const out: number[] = [];
      let v = n;
      while (v > 0x7f) {
        out.push((v & 0x7f) | 0x80);
        v >>>= 7;
      }
      out.push(v);
      return Buffer.from(out);
    };
    const field = (no: number, value: Buffer | string) => {
      const bytes = typeof value === 'string' ? Buffer.from(value) : value;
      return Buffer.concat([varint((no << 3) | 2), varint(bytes.length), bytes]);
    };
    const entry = (k: string, v: string) => Buffer.concat([field(1, k), field(2, v)]);
    const meta = Buffer.concat([
      field(1, name),
      field(2, ''),
      field(3, ''),
      ...Object.entries(labels).map(([k, v]) => field(11, entry(k, v))),
    ]);
    const secret = Buffer.concat([
      field(1, meta),
      ...Object.entries(data).map(([k, v]) => field(2, entry(k, v))),
      field(3, 'helm.sh/release.v1'),
    ]);
    const unknown = Buffer.concat([
      field(1, Buffer.concat([field(1, 'v1'), field(2, 'Secret')])),
      field(2, secret),
    ]);
    return Buffer.concat([Buffer.from('k8s\u0000', 'binary'), unknown]);
  }

  it('accepts a protobuf Secret (as helm writes its release records) and lists it by label', async () => {
    const res = await raw('/api/v1/namespaces/default/secrets', {
      method: 'POST',
      headers: { 'Content-Type': 'application/vnd.kubernetes.protobuf' },
      body: secretProtobuf('sh.helm.release.v1.x.v1', { owner: 'helm', name: 'x' }, { release: 'H4sI' }),
    });
    expect(res.status).toBe(201);
    const stored = server.object('v1', 'Secret', 'sh.helm.release.v1.x.v1', 'default');
    expect(stored).toMatchObject({
      type: 'helm.sh/release.v1',
      data: { release: Buffer.from('H4sI').toString('base64') },
    });
    expect(stored?.metadata.labels).toEqual({ owner: 'helm', name: 'x' });
    const names = async (selector: string) =>
      (
        (await (await raw(`/api/v1/secrets?labelSelector=${encodeURIComponent(selector)}`)).json()) as {
          items: { metadata: { name: string } }[];
        }
      ).items.map((o) => o.metadata.name);
    expect(await names('owner=helm,name in (x,y)')).toEqual(['sh.helm.release.v1.x.v1']);
    expect(await names('owner=helm,status notin (x)')).toEqual(['sh.helm.release.v1.x.v1']);
    expect(await names('owner=helm,name=y')).toEqual([]);
  });

  it('refuses protobuf for kinds it does not decode with 415', async () => {
    const body = Buffer.concat([
      Buffer.from('k8s\u0000', 'binary'),
      Buffer.from([0x0a, 0x0e, 0x0a, 0x02, 0x76, 0x31, 0x12, 0x08, ...Buffer.from('Endpoint')]),
    ]);
    const res = await raw('/api/v1/namespaces/default/endpoints', {
      method: 'POST',
      headers: { 'Content-Type': 'application/vnd.kubernetes.protobuf' },
      body,
    });
    expect(res.status).toBe(415);
  });

  it('runs Jobs to completion, or to failure when annotated so', async () => {
    const job = (name: string, outcome?: string): Obj => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name,
        namespace: 'default',
        ...(outcome && { annotations: { 'kube-api-server.test/job-outcome': outcome } }),
      },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } },
    });
    const conditionsOf = (o: Obj) =>
      (o.status as { conditions?: { type: string; status: string }[] }).conditions ?? [];
    expect(conditionsOf(await apply(job('ok')))).toContainEqual(
      expect.objectContaining({ type: 'Complete', status: 'True' }),
    );
    expect(conditionsOf(await apply(job('bad', 'Failed')))).toContainEqual(
      expect.objectContaining({ type: 'Failed', status: 'True' }),
    );
    expect(conditionsOf(await apply(job('slow', 'Running')))).toEqual([]);
  });
});

describe('custom resources', () => {
  it('registers a CRD in discovery, marks it Established, and serves its kind', async () => {
    const crd = await apply(widgetCrd);
    const conditions = (crd.status as { conditions: { type: string; status: string }[] }).conditions;
    expect(conditions).toContainEqual(expect.objectContaining({ type: 'Established', status: 'True' }));

    const list = (await (await raw('/apis/example.com/v1')).json()) as {
      resources: { name: string; kind: string; namespaced: boolean }[];
    };
    expect(list.resources[0]).toMatchObject({ name: 'widgets', kind: 'Widget', namespaced: true });

    const widget: Obj = {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w1', namespace: 'team-a' },
      spec: { size: 3 },
    };
    const created = await apply(widget);
    expect(created).toMatchObject({ apiVersion: 'example.com/v1', kind: 'Widget', spec: { size: 3 } });
    expect(created.metadata?.generation).toBe(1);

    const listed = await client.list('example.com/v1', 'Widget', 'team-a');
    expect(listed.items.map((i) => [i.kind, i.metadata?.name])).toEqual([['Widget', 'w1']]);

    const smp = await apiError(() =>
      client.patch(widget, undefined, undefined, 'sluice', undefined, PatchStrategy.StrategicMergePatch),
    );
    expect(smp.code).toBe(415);

    await client.delete(widgetCrd);
    expect(server.objects({ kind: 'Widget' })).toEqual([]);
    expect((await raw('/apis/example.com/v1')).status).toBe(404);
  });
});

describe('watch, faults and auth', () => {
  it('streams watch events to the client-node Watch', async () => {
    const events: string[] = [];
    let deleted!: () => void;
    const sawDelete = new Promise<void>((resolve) => {
      deleted = resolve;
    });
    // Resolves once the server has answered 200, i.e. the watch is subscribed.
    const controller = await new Watch(kc).watch(
      '/api/v1/namespaces/team-a/configmaps',
      { labelSelector: 'watched=yes' },
      (type, obj: KubernetesObject) => {
        events.push(`${type} ${obj.metadata?.name}`);
        if (type === 'DELETED') deleted();
      },
      () => {},
    );
    try {
      await apply(configMap('watched', { a: '1' }, { watched: 'yes' }));
      await apply(configMap('watched', { a: '2' }, { watched: 'yes' }));
      await apply(configMap('ignored', { a: '1' }));
      await client.delete(configMap('watched', {}));
      await sawDelete;
    } finally {
      controller.abort();
    }
    expect(events).toEqual(['ADDED watched', 'MODIFIED watched', 'DELETED watched']);
  });

  it('deleting a namespace deletes its contents', async () => {
    await core.createNamespace({ body: { metadata: { name: 'doomed' } } });
    await apply({ ...configMap('inside', { a: '1' }), metadata: { name: 'inside', namespace: 'doomed' } });
    const ns = await core.deleteNamespace({ name: 'doomed' });
    expect(ns).toMatchObject({ kind: 'Namespace', status: { phase: 'Terminating' } });
    expect(server.objects({ namespace: 'doomed' })).toEqual([]);
    expect(server.objects({ kind: 'Namespace', name: 'doomed' })).toEqual([]);
  });

  it('fails the next matching request once with an injected status', async () => {
    server.failNext('PATCH', /\/configmaps\/app-config$/, 503);
    const { code, body } = await apiError(() => apply(configMap('app-config', { a: '1' })));
    expect(code).toBe(503);
    expect(body).toMatchObject({ kind: 'Status', reason: 'ServiceUnavailable', code: 503 });
    await expect(apply(configMap('app-config', { a: '1' }))).resolves.toBeDefined();
  });

  it('enforces the bearer token when configured', async () => {
    const secured = await startKubeApiServer({ token: 's3cret' });
    try {
      expect((await fetch(`${secured.url}/api/v1/namespaces`)).status).toBe(401);
      const { core: securedCore } = clientsFor(secured.kubeconfig());
      const namespaces = await securedCore.listNamespace();
      expect(namespaces.items.map((n) => n.metadata?.name)).toEqual(['default', 'kube-system']);
    } finally {
      await secured.close();
    }
  });
});
