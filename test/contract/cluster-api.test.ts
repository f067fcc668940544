// Contract: ClientNodeCluster (the ClusterApi port over @kubernetes/client-node) against the test Kubernetes
// API server: server-side apply reports created/configured/unchanged, reads and deletes tolerate missing
// objects, and API failures become ApplyFailed errors that name the object, the server's reason and
// whether a retry can help.

import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientNodeCluster } from '../../shared/adapters/kube/client-node-cluster.ts';
import { describeRef, refOf } from '../../shared/core/apply/object-ref.ts';
import { isSluiceError, type SluiceError } from '../../shared/core/errors.ts';
import type { KubeObject } from '../../shared/core/render/yaml-codec.ts';
import { conflictsOf, forbiddenOf } from '../../shared/ports/cluster-api-error.ts';
import { deployment } from '../support/deployment-fixture.ts';
import { type KubeApiServer, startKubeApiServer } from '../support/kube-api-server.ts';
import { selfSignedCertificate } from '../support/test-certificate.ts';
import { widgetCrd } from '../support/widget-crd.ts';

const OPTS = { fieldManager: 'sluice', force: true };

let server: KubeApiServer;
let cluster: ClientNodeCluster;

beforeAll(async () => {
  server = await startKubeApiServer({ namespaces: ['apps'] });
  const kc = new KubeConfig();
  kc.loadFromString(server.kubeconfig());
  cluster = new ClientNodeCluster(kc);
});
afterAll(() => server.close());

function configMap(name: string, data: Record<string, string>, namespace = 'apps'): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data };
}

async function failure(run: () => Promise<unknown>): Promise<SluiceError> {
  try {
    await run();
  } catch (err) {
    if (isSluiceError(err)) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

describe('ClientNodeCluster.apply', () => {
  it('creates a missing object and reports created', async () => {
    const { action, live } = await cluster.apply(configMap('created', { a: '1' }), OPTS);
    expect(action).toBe('created');
    expect((live.metadata as { uid?: string }).uid).toBeTruthy();
    expect(server.object('v1', 'ConfigMap', 'created', 'apps')?.data).toEqual({ a: '1' });
  });

  it('reports unchanged when the same object is applied again', async () => {
    await cluster.apply(configMap('same', { a: '1' }), OPTS);
    const { action } = await cluster.apply(configMap('same', { a: '1' }), OPTS);
    expect(action).toBe('unchanged');
  });

  it('reports configured when the object changed', async () => {
    await cluster.apply(configMap('changed', { a: '1' }), OPTS);
    const { action, live } = await cluster.apply(configMap('changed', { a: '2' }), OPTS);
    expect(action).toBe('configured');
    expect(live.data).toEqual({ a: '2' });
    expect(server.object('v1', 'ConfigMap', 'changed', 'apps')?.data).toEqual({ a: '2' });
  });

  it('uses server-side apply with the given field manager and force', async () => {
    server.requests.length = 0;
    await cluster.apply(configMap('ssa', { a: '1' }), OPTS);
    const patch = server.requests.find((r) => r.method === 'PATCH');
    expect(patch?.contentType).toBe('application/apply-patch+yaml');
    expect(patch?.query).toMatchObject({ fieldManager: 'sluice', force: 'true' });
  });

  it('sends the object as given: CRD schema extensions and fields newer than client-node are kept', async () => {
    const crd = widgetCrd();
    const [version] = (crd.spec as { versions: { schema: { openAPIV3Schema: object } }[] }).versions;
    if (version)
      version.schema.openAPIV3Schema = {
        ...version.schema.openAPIV3Schema,
        properties: { port: { 'x-kubernetes-int-or-string': true }, ref: { $ref: '#/x' } },
      };
    await cluster.apply(crd, OPTS);
    const stored = server.object(
      'apiextensions.k8s.io/v1',
      'CustomResourceDefinition',
      'widgets.example.com',
    );
    expect(stored?.spec).toEqual(crd.spec);
    // A field client-node's V1Deployment model does not have, in the pod template and at the top.
    const d = deployment('future', 'future');
    const future = {
      ...d,
      metadata: { name: 'future', namespace: 'apps' },
      spec: { ...(d.spec as object), fieldFromTheFuture: { on: true } },
    };
    const { live } = await cluster.apply(future, OPTS);
    expect((live.spec as { fieldFromTheFuture?: unknown }).fieldFromTheFuture).toEqual({ on: true });
    expect(server.object('apps/v1', 'Deployment', 'future', 'apps')?.spec).toMatchObject({
      fieldFromTheFuture: { on: true },
    });
  });

  it('applies cluster-scoped objects', async () => {
    const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'cluster-scoped' } };
    expect((await cluster.apply(ns, OPTS)).action).toBe('created');
    expect((await cluster.apply(ns, OPTS)).action).toBe('unchanged');
  });

  it('refuses an object in a namespace that does not exist, naming the object and the reason', async () => {
    const err = await failure(() => cluster.apply(configMap('orphan', { a: '1' }, 'missing-ns'), OPTS));
    expect(err.code).toBe('ApplyFailed');
    expect(err.message).toContain('ConfigMap/missing-ns/orphan');
    expect(err.message).toContain('namespaces "missing-ns" not found');
    expect(err.retryable).toBe(false);
    expect(err).toMatchObject({ status: 404, immutableField: false });
  });

  it('refuses a change to an immutable Deployment selector, not worth retrying', async () => {
    await cluster.apply(deployment('web', 'web'), OPTS);
    const err = await failure(() => cluster.apply(deployment('web', 'web-v2'), OPTS));
    expect(err.code).toBe('ApplyFailed');
    expect(err.message).toContain('Deployment/apps/web');
    expect(err.message).toMatch(/immutable/);
    expect(err.retryable).toBe(false);
    expect(err).toMatchObject({ status: 422, immutableField: true });
  });

  it('marks a server outage as retryable', async () => {
    server.failNext('PATCH', /\/namespaces\/apps\/configmaps\/outage$/, 503, 'etcd is unavailable');
    const err = await failure(() => cluster.apply(configMap('outage', { a: '1' }), OPTS));
    expect(err.code).toBe('ApplyFailed');
    expect(err.message).toContain('ConfigMap/apps/outage');
    expect(err.message).toContain('etcd is unavailable');
    expect(err.retryable).toBe(true);
  });

  it('never puts object contents into an error message', async () => {
    const secret: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'creds', namespace: 'nowhere' },
      stringData: { password: 'hunter2-very-secret' },
    };
    const err = await failure(() => cluster.apply(secret, OPTS));
    expect(err.message).toContain('Secret/nowhere/creds');
    expect(err.message).not.toContain('hunter2');
  });
});

describe('ClientNodeCluster.apply as a dry run (dryRun: All)', () => {
  it('answers with the object as the apply would leave it and stores nothing, without reading first', async () => {
    await cluster.apply(configMap('dry', { a: '1' }), OPTS);
    server.requests.length = 0;
    const { action, live } = await cluster.apply(configMap('dry', { a: '2' }), { ...OPTS, dryRun: true });
    expect(action).toBe('configured');
    expect(live.data).toEqual({ a: '2' });
    expect(server.object('v1', 'ConfigMap', 'dry', 'apps')?.data).toEqual({ a: '1' });
    expect(server.requests.map((r) => [r.method, r.query.dryRun])).toEqual([['PATCH', 'All']]);
  });

  it('says created for an object that does not exist, and creates nothing', async () => {
    const { action } = await cluster.apply(configMap('dry-new', { a: '1' }), { ...OPTS, dryRun: true });
    expect(action).toBe('created');
    expect(server.object('v1', 'ConfigMap', 'dry-new', 'apps')).toBeUndefined();
  });
});

describe('ClientNodeCluster.apply without force', () => {
  it("turns server-side apply's 409 into the conflicting fields and their manager, without values", async () => {
    await cluster.apply(configMap('contested', { a: 'theirs-value', b: 'x' }), {
      fieldManager: 'kubectl',
      force: true,
    });
    const err = await failure(() =>
      cluster.apply(configMap('contested', { a: 'ours-value', b: 'y' }), {
        fieldManager: 'sluice',
        force: false,
      }),
    );
    expect(conflictsOf(err)).toEqual([
      { manager: 'kubectl', field: '.data.a' },
      { manager: 'kubectl', field: '.data.b' },
    ]);
    expect(JSON.stringify(conflictsOf(err))).not.toContain('value');
    expect(server.object('v1', 'ConfigMap', 'contested', 'apps')?.data).toEqual({
      a: 'theirs-value',
      b: 'x',
    });
  });
});

describe('ClientNodeCluster.mergePatch', () => {
  it('merges into the named object (a null removes a key) and returns the object after', async () => {
    await cluster.apply(
      {
        ...configMap('patched', { a: '1' }),
        metadata: { name: 'patched', namespace: 'apps', annotations: { x: 'y' } },
      },
      OPTS,
    );
    const after = await cluster.mergePatch(
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'patched', namespace: 'apps', annotations: { x: null } },
      },
      { fieldManager: 'sluice' },
    );
    expect((after.metadata as { annotations?: object }).annotations ?? {}).toEqual({});
    expect(server.requests.at(-1)?.contentType).toBe('application/merge-patch+json');
    expect(server.object('v1', 'ConfigMap', 'patched', 'apps')?.data).toEqual({ a: '1' });
  });
});

describe('ClientNodeCluster.get', () => {
  it('returns the live object', async () => {
    await cluster.apply(configMap('readable', { a: '1' }), OPTS);
    const live = await cluster.get({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: 'apps',
      name: 'readable',
    });
    expect(live?.data).toEqual({ a: '1' });
  });

  it("returns the object as the API server wrote it, not through client-node's models (timestamps stay text)", async () => {
    await cluster.apply(configMap('raw', { a: '1' }), OPTS);
    const live = await cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'apps', name: 'raw' });
    // client-node's typed decoding makes Dates of timestamps and drops fields its models do not know.
    expect(typeof (live?.metadata as { creationTimestamp?: unknown } | undefined)?.creationTimestamp).toBe(
      'string',
    );
  });

  it('returns undefined for a missing object', async () => {
    expect(
      await cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'apps', name: 'nope' }),
    ).toBeUndefined();
    expect(await cluster.get({ apiVersion: 'v1', kind: 'Namespace', name: 'nope' })).toBeUndefined();
  });

  it('reports a server outage on read as a retryable error naming the object', async () => {
    server.failNext('GET', /\/namespaces\/apps\/configmaps\/flaky$/, 503);
    const err = await failure(() =>
      cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'apps', name: 'flaky' }),
    );
    expect(err.code).toBe('ApplyFailed');
    expect(err.message).toContain('ConfigMap/apps/flaky');
    expect(err.retryable).toBe(true);
  });
});

describe('ClientNodeCluster.delete', () => {
  it('deletes an object', async () => {
    await cluster.apply(configMap('doomed', { a: '1' }), OPTS);
    await cluster.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'apps', name: 'doomed' });
    expect(server.object('v1', 'ConfigMap', 'doomed', 'apps')).toBeUndefined();
  });

  it('asks for background propagation', async () => {
    await cluster.apply(configMap('propagated', { a: '1' }), OPTS);
    server.requests.length = 0;
    await cluster.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'apps', name: 'propagated' });
    const del = server.requests.find((r) => r.method === 'DELETE');
    expect(del?.query.propagationPolicy).toBe('Background');
  });

  it('is fine with an object that is already gone', async () => {
    await expect(
      cluster.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'apps', name: 'never-existed' }),
    ).resolves.toBeUndefined();
  });

  it('reports a server outage on delete as retryable', async () => {
    server.failNext('DELETE', /\/configmaps\/busy$/, 503);
    const err = await failure(() =>
      cluster.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'apps', name: 'busy' }),
    );
    expect(err.code).toBe('ApplyFailed');
    expect(err.message).toContain('ConfigMap/apps/busy');
    expect(err.retryable).toBe(true);
  });
});

describe('ClientNodeCluster.list', () => {
  it('lists one kind in one namespace by label selector, with apiVersion and kind on each item', async () => {
    await cluster.apply(
      {
        ...configMap('listed-a', { a: '1' }),
        metadata: { name: 'listed-a', namespace: 'apps', labels: { owner: 'helm', name: 'x' } },
      },
      OPTS,
    );
    await cluster.apply(
      {
        ...configMap('listed-b', { a: '1' }),
        metadata: { name: 'listed-b', namespace: 'apps', labels: { owner: 'helm', name: 'y' } },
      },
      OPTS,
    );
    const items = await cluster.list(
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'apps' },
      'owner=helm,name=x',
    );
    expect(items.map((o) => [o.apiVersion, o.kind, (o.metadata as { name: string }).name])).toEqual([
      ['v1', 'ConfigMap', 'listed-a'],
    ]);
  });

  it('reports a server outage on list as retryable', async () => {
    server.failNext('GET', /\/namespaces\/apps\/configmaps$/, 503);
    const err = await failure(() =>
      cluster.list({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'apps' }, 'owner=helm'),
    );
    expect(err.code).toBe('ApplyFailed');
    expect(err.retryable).toBe(true);
  });
});

describe('ClientNodeCluster.as (impersonation)', () => {
  const DEPLOYER = 'system:serviceaccount:apps:deployer';
  const cm = (name: string, namespace = 'apps') => ({ apiVersion: 'v1', kind: 'ConfigMap', name, namespace });

  beforeAll(async () => {
    // The deployer may read and write ConfigMaps in apps, and nothing else.
    await cluster.apply(
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'deployer', namespace: 'apps' },
        rules: [
          { verbs: ['get', 'list', 'create', 'patch', 'delete'], apiGroups: [''], resources: ['configmaps'] },
        ],
      },
      OPTS,
    );
    await cluster.apply(
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'deployer', namespace: 'apps' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'deployer' },
        subjects: [{ kind: 'ServiceAccount', name: 'deployer', namespace: 'apps' }],
      },
      OPTS,
    );
  });

  it('sends every call of the view as that user, and leaves the cluster itself as it was', async () => {
    const tenant = cluster.as(DEPLOYER);
    server.requests.length = 0;
    await tenant.apply(configMap('tenant-owned', { a: '1' }), OPTS);
    await tenant.get(cm('tenant-owned'));
    await tenant.list({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'apps' }, 'x=y');
    await tenant.delete(cm('tenant-owned'));
    const resourceCalls = server.requests.filter((r) => r.path.includes('/configmaps'));
    expect(resourceCalls.length).toBeGreaterThanOrEqual(5);
    expect(new Set(resourceCalls.map((r) => r.user))).toEqual(new Set([DEPLOYER]));
    server.requests.length = 0;
    await cluster.get(cm('tenant-owned'));
    expect(server.requests.map((r) => r.user)).toEqual(['kubernetes-admin']);
  });

  it('turns a 403 into AccessDenied naming the object, the refused verb and the user', async () => {
    const tenant = cluster.as(DEPLOYER);
    const create = await failure(() => tenant.apply(configMap('elsewhere', { a: '1' }, 'default'), OPTS));
    expect(create).toMatchObject({
      code: 'AccessDenied',
      status: 403,
      retryable: false,
      object: 'ConfigMap/default/elsewhere',
      forbidden: { object: 'ConfigMap/default/elsewhere', verb: 'patch', user: DEPLOYER },
    });
    const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } };
    const err = await failure(() => tenant.delete(refOf(ns)));
    expect(forbiddenOf(err)).toEqual({ object: 'Namespace/apps', verb: 'delete', user: DEPLOYER });
    expect(err.message).toBe(
      `Namespace/apps: delete failed (HTTP 403): namespaces "apps" is forbidden: User "${DEPLOYER}" cannot delete resource "namespaces" in API group "" at the cluster scope`,
    );
  });

  it('names create when an apply that would create the object is refused', async () => {
    await cluster.apply(
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'patcher', namespace: 'apps' },
        rules: [{ verbs: ['get', 'patch'], apiGroups: [''], resources: ['secrets'] }],
      },
      OPTS,
    );
    await cluster.apply(
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'patcher', namespace: 'apps' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'patcher' },
        subjects: [{ kind: 'ServiceAccount', name: 'deployer', namespace: 'apps' }],
      },
      OPTS,
    );
    const secret: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'fresh', namespace: 'apps' },
      stringData: { password: 'hunter2-very-secret' },
    };
    const err = await failure(() => cluster.as(DEPLOYER).apply(secret, OPTS));
    expect(forbiddenOf(err)).toEqual({ object: 'Secret/apps/fresh', verb: 'create', user: DEPLOYER });
    expect(err.message).not.toContain('hunter2');
  });

  it('applies for a user who may patch an object but not read it, reporting configured', async () => {
    await cluster.apply(configMap('write-only', { a: '1' }), OPTS);
    await cluster.apply(
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'write-only' },
        rules: [
          { verbs: ['patch'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['write-only'] },
        ],
      },
      OPTS,
    );
    await cluster.apply(
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'write-only', namespace: 'apps' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'write-only' },
        subjects: [{ kind: 'User', name: 'writer' }],
      },
      OPTS,
    );
    const { action } = await cluster.as('writer').apply(configMap('write-only', { a: '2' }), OPTS);
    expect(action).toBe('configured');
    expect(server.object('v1', 'ConfigMap', 'write-only', 'apps')?.data).toEqual({ a: '2' });
  });

  it('refuses an empty user rather than acting as itself', () => {
    expect(() => cluster.as(' ')).toThrow(/user name/);
  });
});

describe('refOf and describeRef', () => {
  it.each([
    [configMap('a', {}), 'ConfigMap/apps/a'],
    [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } }, 'Namespace/apps'],
  ])('names %j as %s', (obj, text) => {
    expect(describeRef(refOf(obj))).toBe(text);
  });
});

describe('ClientNodeCluster against an API server over TLS that offers HTTP/2, as kube-apiserver does', () => {
  let tlsServer: KubeApiServer;
  let tlsCluster: ClientNodeCluster;
  beforeAll(async () => {
    tlsServer = await startKubeApiServer({ namespaces: ['apps'], tls: true });
    const kc = new KubeConfig();
    kc.loadFromString(tlsServer.kubeconfig());
    tlsCluster = new ClientNodeCluster(kc);
  });
  afterAll(() => tlsServer.close());

  it('verifies the server against the kubeconfig CA and speaks HTTP/2 for applies, reads, lists and deletes', async () => {
    expect(tlsServer.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect((await tlsCluster.apply(configMap('over-h2', { a: '1' }), OPTS)).action).toBe('created');
    expect(
      (await tlsCluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'apps', name: 'over-h2' }))
        ?.data,
    ).toEqual({ a: '1' });
    await tlsCluster.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'apps', name: 'over-h2' });
    expect(tlsServer.object('v1', 'ConfigMap', 'over-h2', 'apps')).toBeUndefined();
    expect(tlsServer.requests.length).toBeGreaterThan(0);
    expect(new Set(tlsServer.requests.map((r) => r.httpVersion))).toEqual(new Set(['2.0']));
  });

  it('impersonates over HTTP/2 too: a user without a grant is refused', async () => {
    const err = await failure(() => tlsCluster.as('nobody').apply(configMap('as-nobody', { a: '1' }), OPTS));
    expect(forbiddenOf(err)).toBeDefined();
    expect(tlsServer.requests.at(-1)).toMatchObject({ user: 'nobody', status: 403, httpVersion: '2.0' });
  });

  it('refuses a server whose certificate the kubeconfig does not trust', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(
      tlsServer
        .kubeconfig()
        .replace(
          /certificate-authority-data: \S+/,
          `certificate-authority-data: ${Buffer.from(selfSignedCertificate(['localhost']).certPem).toString('base64')}`,
        ),
    );
    const err = await failure(() =>
      new ClientNodeCluster(kc).apply(configMap('untrusted', { a: '1' }), OPTS),
    );
    expect(err.retryable).toBe(true);
    expect(tlsServer.object('v1', 'ConfigMap', 'untrusted', 'apps')).toBeUndefined();
  });
});
