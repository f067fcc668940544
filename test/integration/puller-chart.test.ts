// The puller's Helm chart, rendered and linted with the bundled helm: the objects it makes (kinds, the
// hardened pod, probes on the endpoints, resources, the ServiceAccount's IAM annotation), an environment the
// puller's own config accepts, the RBAC of both modes, and plain manifests that are the chart rendered.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadPullerConfig } from '../../puller/config.ts';
import { CHART_DIR, helm, MANIFESTS_FILE, renderManifests } from '../../puller/deploy/render-manifests.ts';
import { parseDockerfile } from '../support/dockerfile.ts';

// biome-ignore lint/suspicious/noExplicitAny: rendered YAML, whose shape the assertions check
type Obj = Record<string, any>;

const REQUIRED = {
  cluster: 'edge',
  region: 'eu-west-1',
  bucket: 'sluice-artifacts',
  signingKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/abcd',
  'image.repository': 'registry.example.com/sluice-puller',
};

async function render(values: Record<string, string | number | boolean> = {}): Promise<Obj[]> {
  // Strings stay strings (an ARN, a port-like tag); booleans and numbers are typed.
  const set = Object.entries({ ...REQUIRED, ...values }).flatMap(([k, v]) => [
    typeof v === 'string' ? '--set-string' : '--set',
    `${k}=${v}`,
  ]);
  const text = await helm(['template', 'sluice-puller', CHART_DIR, '--namespace', 'sluice-system', ...set]);
  return parseAllDocuments(text)
    .map((d) => d.toJS() as Obj | null)
    .filter((o): o is Obj => o !== null);
}

const one = (objs: Obj[], kind: string, name?: string) =>
  objs.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name)) as Obj;
const container = (objs: Obj[]) => one(objs, 'Deployment').spec.template.spec.containers[0] as Obj;
const envOf = (objs: Obj[]) =>
  Object.fromEntries(
    (container(objs).env as { name: string; value: string }[]).map((e) => [e.name, e.value]),
  );

describe('the puller chart', () => {
  it('passes helm lint --strict', async () => {
    const set = Object.entries(REQUIRED).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
    await expect(helm(['lint', '--strict', CHART_DIR, ...set])).resolves.toContain('0 chart(s) failed');
  });

  it.each([
    ['cluster', 'cluster is required'],
    ['bucket', 'bucket is required'],
    ['image.repository', 'image.repository is required'],
    ['signingKeyArn', 'set signingKeyArn (the deploy output signingKeyArn) or publicKey (PEM)'],
  ])('refuses to render without %s', async (key, message) => {
    await expect(render({ [key]: '' })).rejects.toThrow(message);
  });

  it.each([
    ['an interval under 5 seconds', { intervalSeconds: 2 }],
    ['a Kubernetes timeout over 600 seconds', { kubeTimeoutSeconds: 601 }],
    ['clusterWide as a string', { 'rbac.clusterWide': 'yes' }],
    ['a digest that is no sha256', { 'image.digest': 'latest' }],
    ['an AWS endpoint that is no URL', { awsEndpoint: 'vpce.example.com' }],
  ])('refuses %s (values.schema.json)', async (_, values) => {
    await expect(render(values)).rejects.toThrow(/values don't meet the specifications of the schema/);
  });

  it('makes the ServiceAccount, its RBAC and one Deployment in the release namespace', async () => {
    const objs = await render();
    expect(objs.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ClusterRole/sluice-puller',
      'ClusterRole/sluice-puller-apply',
      'ClusterRoleBinding/sluice-puller',
      'ClusterRoleBinding/sluice-puller-apply',
      'Deployment/sluice-puller',
      'Role/sluice-puller-inventory',
      'RoleBinding/sluice-puller-inventory',
      'ServiceAccount/sluice-puller',
    ]);
    const deployment = one(objs, 'Deployment');
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy.type).toBe('Recreate');
    expect(deployment.spec.template.spec.serviceAccountName).toBe('sluice-puller');
  });

  it('runs the pod non-root as the image user, read-only, without capabilities, under RuntimeDefault seccomp', async () => {
    const objs = await render();
    const pod = one(objs, 'Deployment').spec.template.spec;
    const dockerfile = parseDockerfile(readFileSync(join(CHART_DIR, '../../Dockerfile'), 'utf8'));
    const user = dockerfile.at(-1)?.instructions.find((i) => i.keyword === 'USER')?.args;
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: Number(user?.split(':')[0]),
      runAsGroup: Number(user?.split(':')[1]),
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container(objs).securityContext).toEqual({
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    // The only writable path is a small emptyDir.
    expect(container(objs).volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '16Mi' } }]);
  });

  it('probes /healthz and /readyz on the port the puller listens on, on every pod interface', async () => {
    const c = container(await render());
    expect(c.ports).toEqual([{ name: 'metrics', containerPort: 8080, protocol: 'TCP' }]);
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'metrics' });
    expect(envOf(await render({ 'metrics.port': 9440 })).SLUICE_METRICS_ADDR).toBe('0.0.0.0:9440');
  });

  it('runs the image entrypoint as it is, so its node memory settings and permission model apply', async () => {
    const c = container(await render());
    expect(c.command).toBeUndefined();
    expect(c.args).toBeUndefined();
    // NODE_OPTIONS and glibc's MALLOC_* would override or undo the image's settings (puller/Dockerfile).
    expect(Object.keys(envOf(await render())).filter((k) => /^(NODE_OPTIONS|MALLOC_)/.test(k))).toEqual([]);
  });

  it('requests memory for the idle footprint and limits it with room for large applies', async () => {
    expect(container(await render()).resources).toEqual({
      requests: { cpu: '20m', memory: '96Mi' },
      limits: { memory: '256Mi' },
    });
  });

  it('sets an environment the puller config accepts, with every value given', async () => {
    const env = envOf(
      await render({
        queuePrefix: 'prod',
        intervalSeconds: 120,
        kubeTimeoutSeconds: 20,
        awsEndpoint: 'https://vpce.example.com',
        inventoryNamespace: 'sluice-inventory',
      }),
    );
    expect(loadPullerConfig(env)).toEqual({
      cluster: 'edge',
      region: 'eu-west-1',
      bucket: 'sluice-artifacts',
      queuePrefix: 'prod',
      signingKeyArn: REQUIRED.signingKeyArn,
      intervalMs: 120_000,
      inventoryNamespace: 'sluice-inventory',
      kubeTimeoutMs: 20_000,
      awsEndpoint: 'https://vpce.example.com',
      metricsAddress: { host: '0.0.0.0', port: 8080 },
      concurrency: 4,
    });
  });

  it('sets only settings puller/config.ts reads, and all of them', async () => {
    const source = readFileSync(join(CHART_DIR, '../../config.ts'), 'utf8');
    const read = new Set(source.match(/\b(SLUICE_[A-Z_]+|AWS_REGION)\b/g));
    const withKey = envOf(await render({ awsEndpoint: 'https://e', defaultServiceAccount: 'deployer' }));
    const withPem = envOf(await render({ signingKeyArn: '', publicKey: 'PEM' }));
    const set = new Set([...Object.keys(withKey), ...Object.keys(withPem)]);
    // Added to the config by the tenancy work; the chart passes it through when set.
    for (const pending of ['SLUICE_DEFAULT_SERVICE_ACCOUNT']) {
      read.delete(pending);
      set.delete(pending);
    }
    expect([...set].sort()).toEqual([...read].sort());
    expect(withKey.SLUICE_DEFAULT_SERVICE_ACCOUNT).toBe('deployer');
  });

  it('annotates the ServiceAccount for IRSA only when given a role ARN (Pod Identity needs none)', async () => {
    const arn = 'arn:aws:iam::111122223333:role/sluice-puller-edge';
    expect(one(await render(), 'ServiceAccount').metadata.annotations).toBeUndefined();
    expect(
      one(await render({ 'serviceAccount.roleArn': arn }), 'ServiceAccount').metadata.annotations,
    ).toEqual({
      'eks.amazonaws.com/role-arn': arn,
    });
  });

  it('serves /metrics through a ClusterIP Service only when asked', async () => {
    const service = one(await render({ 'metrics.service.enabled': true }), 'Service');
    expect(service.spec).toMatchObject({ type: 'ClusterIP', ports: [{ port: 8080, targetPort: 'metrics' }] });
    expect(one(await render(), 'Service')).toBeUndefined();
  });
});

describe('the puller RBAC', () => {
  const subject = { kind: 'ServiceAccount', name: 'sluice-puller', namespace: 'sluice-system' };

  it('lets the puller impersonate service accounts, read namespaces and CRDs, and patch only its own namespace', async () => {
    const objs = await render();
    expect(one(objs, 'ClusterRole', 'sluice-puller').rules).toEqual([
      { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['impersonate'] },
      { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] },
      {
        apiGroups: ['apiextensions.k8s.io'],
        resources: ['customresourcedefinitions'],
        verbs: ['get', 'list', 'watch'],
      },
      { apiGroups: [''], resources: ['namespaces'], resourceNames: ['sluice-system'], verbs: ['patch'] },
    ]);
    expect(one(objs, 'ClusterRoleBinding', 'sluice-puller').subjects).toEqual([subject]);
  });

  it('keeps the inventories to ConfigMaps in the inventory namespace', async () => {
    const objs = await render({ inventoryNamespace: 'sluice-inventory' });
    const role = one(objs, 'Role');
    expect(role.metadata.namespace).toBe('sluice-inventory');
    expect(role.rules).toEqual([
      {
        apiGroups: [''],
        resources: ['configmaps'],
        verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
      },
    ]);
    expect(one(objs, 'RoleBinding')).toMatchObject({
      metadata: { namespace: 'sluice-inventory' },
      roleRef: { kind: 'Role', name: 'sluice-puller-inventory' },
      subjects: [subject],
    });
  });

  it('grants every verb on every resource, explicitly and separately, only with rbac.clusterWide', async () => {
    const wide = await render();
    expect(one(wide, 'ClusterRole', 'sluice-puller-apply').rules).toEqual([
      { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
    ]);
    expect(one(wide, 'ClusterRoleBinding', 'sluice-puller-apply')).toMatchObject({
      roleRef: { kind: 'ClusterRole', name: 'sluice-puller-apply' },
      subjects: [subject],
    });
    const narrow = await render({ 'rbac.clusterWide': false });
    expect(narrow.map((o) => o.metadata.name)).not.toContain('sluice-puller-apply');
    const rules = narrow.flatMap((o) => (o.rules ?? []) as Obj[]);
    for (const rule of rules) {
      for (const field of ['apiGroups', 'resources', 'verbs']) expect(rule[field]).not.toContain('*');
      expect(rule.resources).not.toContain('secrets');
    }
  });
});

describe('the plain manifests', () => {
  it('are the chart rendered with manifest-values.yaml (run node puller/deploy/render-manifests.ts)', async () => {
    expect(readFileSync(MANIFESTS_FILE, 'utf8')).toBe(await renderManifests());
  });

  it('create the namespace and carry the placeholders the README names', () => {
    const objs = parseAllDocuments(readFileSync(MANIFESTS_FILE, 'utf8'))
      .map((d) => d.toJS() as Obj | null)
      .filter((o): o is Obj => o !== null);
    expect(one(objs, 'Namespace').metadata.name).toBe('sluice-system');
    expect(envOf(objs)).toMatchObject({
      SLUICE_CLUSTER: 'CLUSTER',
      AWS_REGION: 'REGION',
      SLUICE_BUCKET: 'BUCKET',
      SLUICE_QUEUE_PREFIX: 'QUEUE_PREFIX',
      SLUICE_SIGNING_KEY_ARN: 'SIGNING_KEY_ARN',
    });
    expect(container(objs).image).toBe('IMAGE:latest');
  });
});
