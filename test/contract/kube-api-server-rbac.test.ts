// Contract: the Kubernetes API stand-in authenticates by bearer token, honours Impersonate-User/-Group only for
// callers that may impersonate, and authorizes with RBAC (impersonated requests always, others when started
// with authorization: 'RBAC'), answering denials with kube-apiserver's 403 Status.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KubeApiServer, type StatusBody, startKubeApiServer } from '../support/kube-api-server.ts';

const ADMIN_TOKEN = 'admin-token';
const ALICE_TOKEN = 'alice-token';
const DEPLOYER = 'system:serviceaccount:team-a:deployer';

let server: KubeApiServer;

interface Call {
  token?: string;
  as?: string;
  groups?: string[];
  body?: unknown;
  contentType?: string;
}

async function call(
  method: string,
  path: string,
  c: Call = {},
): Promise<{ status: number; body: StatusBody }> {
  const headers = new Headers();
  headers.set('Authorization', `Bearer ${c.token ?? ADMIN_TOKEN}`);
  if (c.as) headers.set('Impersonate-User', c.as);
  for (const g of c.groups ?? []) headers.append('Impersonate-Group', g);
  if (c.body !== undefined) headers.set('Content-Type', c.contentType ?? 'application/json');
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers,
    ...(c.body !== undefined && { body: JSON.stringify(c.body) }),
  });
  return { status: res.status, body: (await res.json()) as StatusBody };
}

const apply = (path: string, obj: unknown, c: Call = {}) =>
  call('PATCH', `${path}?fieldManager=sluice&force=true`, {
    ...c,
    body: obj,
    contentType: 'application/apply-patch+yaml',
  });

const configMap = (namespace: string, name: string) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace },
  data: { a: '1' },
});

const rbac = (kind: string, namespace: string | undefined, name: string, rest: object) =>
  apply(
    `/apis/rbac.authorization.k8s.io/v1/${namespace ? `namespaces/${namespace}/` : ''}${kind.toLowerCase()}s/${name}`,
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind,
      metadata: { name, ...(namespace && { namespace }) },
      ...rest,
    },
  );

beforeAll(async () => {
  server = await startKubeApiServer({
    token: ADMIN_TOKEN,
    users: { [ALICE_TOKEN]: { name: 'alice', groups: ['devs'] } },
    namespaces: ['team-a', 'team-b'],
  });
  // The deployer may write ConfigMaps in team-a only, and may patch (not create) Secrets there.
  await rbac('Role', 'team-a', 'deployer', {
    rules: [
      { verbs: ['get', 'list', 'create', 'patch', 'delete'], apiGroups: [''], resources: ['configmaps'] },
      { verbs: ['get', 'patch'], apiGroups: [''], resources: ['secrets'] },
    ],
  });
  await rbac('RoleBinding', 'team-a', 'deployer', {
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'deployer' },
    subjects: [{ kind: 'ServiceAccount', name: 'deployer', namespace: 'team-a' }],
  });
  await apply('/api/v1/namespaces/team-a/secrets/existing', {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'existing', namespace: 'team-a' },
    stringData: { k: 'v' },
  });
});
afterAll(() => server.close());

describe('without RBAC and without impersonation', () => {
  it('lets every authenticated caller do anything, as before', async () => {
    expect(
      (await apply('/api/v1/namespaces/team-b/configmaps/open', configMap('team-b', 'open'))).status,
    ).toBe(201);
    expect((await call('GET', '/api/v1/namespaces/team-b/configmaps', { token: ALICE_TOKEN })).status).toBe(
      200,
    );
  });

  it('refuses an unknown token with 401', async () => {
    const res = await call('GET', '/api/v1/namespaces', { token: 'guess' });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
  });
});

describe('an impersonated service account', () => {
  it('writes what its Role allows in its namespace, and the request log names it', async () => {
    server.requests.length = 0;
    const res = await apply('/api/v1/namespaces/team-a/configmaps/app', configMap('team-a', 'app'), {
      as: DEPLOYER,
    });
    expect(res.status).toBe(201);
    expect(server.requests.map((r) => r.user)).toEqual([DEPLOYER]);
  });

  it('is refused another namespace with the Status kube-apiserver writes', async () => {
    const res = await apply('/api/v1/namespaces/team-b/configmaps/app', configMap('team-b', 'app'), {
      as: DEPLOYER,
    });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `configmaps "app" is forbidden: User "${DEPLOYER}" cannot patch resource "configmaps" in API group "" in the namespace "team-b"`,
      reason: 'Forbidden',
      details: { name: 'app', kind: 'configmaps' },
      code: 403,
    });
    expect(server.object('v1', 'ConfigMap', 'app', 'team-b')).toBeUndefined();
  });

  it('is refused a cluster-scoped object, named at the cluster scope with its API group', async () => {
    const res = await apply(
      '/apis/rbac.authorization.k8s.io/v1/clusterroles/escalate',
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'escalate' },
        rules: [],
      },
      { as: DEPLOYER },
    );
    expect(res.status).toBe(403);
    expect(res.body.message).toBe(
      `clusterroles.rbac.authorization.k8s.io "escalate" is forbidden: User "${DEPLOYER}" cannot patch resource "clusterroles" in API group "rbac.authorization.k8s.io" at the cluster scope`,
    );
    expect(res.body.details).toEqual({
      name: 'escalate',
      group: 'rbac.authorization.k8s.io',
      kind: 'clusterroles',
    });
  });

  it('needs create besides patch when an apply would create the object', async () => {
    const secret = (name: string) => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace: 'team-a' },
      stringData: { k: 'v2' },
    });
    expect(
      (await apply('/api/v1/namespaces/team-a/secrets/existing', secret('existing'), { as: DEPLOYER }))
        .status,
    ).toBe(200);
    const res = await apply('/api/v1/namespaces/team-a/secrets/fresh', secret('fresh'), { as: DEPLOYER });
    expect(res.status).toBe(403);
    expect(res.body.message).toContain(
      `cannot create resource "secrets" in API group "" in the namespace "team-a"`,
    );
    expect(server.object('v1', 'Secret', 'fresh', 'team-a')).toBeUndefined();
  });

  it('names a collection request without an object name', async () => {
    const res = await call('GET', '/api/v1/namespaces/team-b/configmaps', { as: DEPLOYER });
    expect(res.body.message).toBe(
      `configmaps is forbidden: User "${DEPLOYER}" cannot list resource "configmaps" in API group "" in the namespace "team-b"`,
    );
  });

  it('is in the groups of its namespace, so a binding to system:serviceaccounts:team-a grants too', async () => {
    await rbac('ClusterRole', undefined, 'read-namespaces', {
      rules: [{ verbs: ['get'], apiGroups: [''], resources: ['namespaces'] }],
    });
    const ns = () => call('GET', '/api/v1/namespaces/team-a', { as: DEPLOYER });
    expect((await ns()).status).toBe(403);
    await rbac('ClusterRoleBinding', undefined, 'team-a-reads-namespaces', {
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'read-namespaces' },
      subjects: [{ kind: 'Group', name: 'system:serviceaccounts:team-a' }],
    });
    expect((await ns()).status).toBe(200);
    // Impersonate-Group replaces the service account's groups.
    expect((await call('GET', '/api/v1/namespaces/team-a', { as: DEPLOYER, groups: ['other'] })).status).toBe(
      403,
    );
  });
});

describe('who may impersonate', () => {
  it('refuses a caller without the impersonate verb, naming what it tried to impersonate', async () => {
    const asUser = await call('GET', '/api/v1/namespaces', { token: ALICE_TOKEN, as: 'bob' });
    expect(asUser.status).toBe(403);
    expect(asUser.body.message).toBe(
      'users "bob" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope',
    );
    const asSa = await call('GET', '/api/v1/namespaces', { token: ALICE_TOKEN, as: DEPLOYER });
    expect(asSa.body.message).toBe(
      'serviceaccounts "deployer" is forbidden: User "alice" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "team-a"',
    );
    const asGroup = await call('GET', '/api/v1/namespaces', {
      as: 'bob',
      groups: ['system:masters'],
      token: ALICE_TOKEN,
    });
    expect(asGroup.status).toBe(403);
  });

  it('lets a caller impersonate exactly the service accounts its RBAC allows', async () => {
    await rbac('Role', 'team-a', 'impersonator', {
      rules: [
        {
          verbs: ['impersonate'],
          apiGroups: [''],
          resources: ['serviceaccounts'],
          resourceNames: ['deployer'],
        },
      ],
    });
    await rbac('RoleBinding', 'team-a', 'impersonator', {
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'impersonator' },
      subjects: [{ kind: 'User', name: 'alice' }],
    });
    const cm = await call('GET', '/api/v1/namespaces/team-a/configmaps/app', {
      token: ALICE_TOKEN,
      as: DEPLOYER,
    });
    expect(cm.status).toBe(200);
    const other = await call('GET', '/api/v1/namespaces', {
      token: ALICE_TOKEN,
      as: 'system:serviceaccount:team-a:admin',
    });
    expect(other.status).toBe(403);
  });

  it('refuses groups without a user, and Impersonate-Uid/-Extra, which the stand-in does not model', async () => {
    expect((await call('GET', '/api/v1/namespaces', { groups: ['devs'] })).status).toBe(500);
    const res = await fetch(`${server.url}/api/v1/namespaces`, {
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Impersonate-User': 'bob', 'Impersonate-Uid': '1' },
    });
    expect(res.status).toBe(400);
  });
});

describe("authorization: 'RBAC'", () => {
  let strict: KubeApiServer;
  beforeAll(async () => {
    strict = await startKubeApiServer({
      authorization: 'RBAC',
      token: ADMIN_TOKEN,
      users: { [ALICE_TOKEN]: { name: 'alice' } },
    });
  });
  afterAll(() => strict.close());

  it('authorizes every resource request; the admin passes, a user without bindings does not', async () => {
    const get = (token: string) =>
      fetch(`${strict.url}/api/v1/namespaces/default`, { headers: { Authorization: `Bearer ${token}` } });
    expect((await get(ADMIN_TOKEN)).status).toBe(200);
    const denied = await get(ALICE_TOKEN);
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { message: string }).message).toBe(
      'namespaces "default" is forbidden: User "alice" cannot get resource "namespaces" in API group "" at the cluster scope',
    );
    // Discovery stays open (the stand-in does not model nonResourceURLs).
    expect(
      (await fetch(`${strict.url}/api`, { headers: { Authorization: `Bearer ${ALICE_TOKEN}` } })).status,
    ).toBe(200);
  });
});
