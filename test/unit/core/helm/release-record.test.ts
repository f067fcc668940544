// Helm's release record: the Secret helm's storage driver writes (name, type, labels) around base64 of
// gzip of the release JSON; which records history trimming deletes. The proof that helm itself reads
// these is test/e2e/helm-release-records.test.ts (the bundled helm against the test API server).
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { HelmReleaseApply } from '../../../../shared/core/helm/helm-release-apply.ts';
import {
  buildRelease,
  decodeRelease,
  encodeRelease,
  type RecordSummary,
  releaseOfSecret,
  releaseSecret,
  versionsBeyondHistory,
} from '../../../../shared/core/helm/release-record.ts';

const apply: HelmReleaseApply = {
  releaseName: 'podinfo',
  namespace: 'apps',
  storageNamespace: 'flux-system',
  chart: {
    name: 'podinfo',
    version: '6.5.0',
    appVersion: '6.5.0',
    metadata: { apiVersion: 'v2', name: 'podinfo', version: '6.5.0', appVersion: '6.5.0' },
  },
  values: { replicaCount: 2 },
  manifest: '---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: podinfo\n',
  disableHooks: false,
  createNamespace: false,
  crds: 'Create',
  maxHistory: 5,
  keepHistory: false,
  uninstallDisableHooks: false,
  timeoutMs: 300_000,
  description: 'main@sha1:abc',
};

const release = buildRelease({
  apply,
  version: 3,
  status: 'deployed',
  description: 'Upgrade complete',
  firstDeployed: '2026-01-01T00:00:00.000Z',
  lastDeployed: '2026-02-01T00:00:00.000Z',
  hooks: [],
});

describe('release record', () => {
  it('is base64 of gzip of the release JSON, as helm encodeRelease', () => {
    const encoded = encodeRelease(release);
    const bytes = Buffer.from(encoded, 'base64');
    expect([...bytes.subarray(0, 3)]).toEqual([0x1f, 0x8b, 0x08]);
    expect(JSON.parse(gunzipSync(bytes).toString('utf8'))).toEqual(release);
    expect(decodeRelease(encoded)).toEqual(release);
  });

  it('decodes records stored before helm compressed them (plain JSON)', () => {
    expect(decodeRelease(Buffer.from(JSON.stringify(release)).toString('base64'))).toEqual(release);
  });

  it('holds what helm list, history and get read', () => {
    expect(release).toMatchObject({
      name: 'podinfo',
      namespace: 'apps',
      version: 3,
      info: {
        status: 'deployed',
        first_deployed: '2026-01-01T00:00:00.000Z',
        last_deployed: '2026-02-01T00:00:00.000Z',
      },
      chart: { metadata: { name: 'podinfo', version: '6.5.0', appVersion: '6.5.0' } },
      config: { replicaCount: 2 },
      manifest: apply.manifest,
    });
  });

  it('is stored in the Secret helm names, types and labels', () => {
    const secret = releaseSecret(release, 'flux-system', { createdAt: '1700000000', status: 'stale' });
    expect(secret).toMatchObject({
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'helm.sh/release.v1',
      metadata: {
        name: 'sh.helm.release.v1.podinfo.v3',
        namespace: 'flux-system',
        labels: { name: 'podinfo', owner: 'helm', status: 'deployed', version: '3', createdAt: '1700000000' },
      },
    });
    // The API's base64 around helm's own base64 text.
    expect(releaseOfSecret(secret)).toEqual(release);
  });

  it('reads nothing from a Secret of another type', () => {
    expect(releaseOfSecret({ ...releaseSecret(release, 'x'), type: 'Opaque' })).toBeUndefined();
  });
});

describe('versionsBeyondHistory', () => {
  const r = (version: number, status: RecordSummary['status'] = 'superseded'): RecordSummary => ({
    version,
    status,
  });
  it.each<[string, RecordSummary[], number, number[]]>([
    ['keeps everything with 0', [r(1), r(2), r(3, 'deployed')], 0, []],
    ['keeps everything within the limit', [r(1), r(2, 'deployed')], 2, []],
    ['deletes the oldest first', [r(1), r(2), r(3), r(4, 'deployed')], 2, [1, 2]],
    [
      'never the latest deployed one, even when old',
      [r(1), r(2, 'deployed'), r(3, 'failed'), r(4, 'failed')],
      2,
      [1, 3],
    ],
    ['whatever order they come in', [r(3, 'deployed'), r(1), r(2)], 1, [1, 2]],
  ])('%s', (_title, records, max, expected) => {
    expect(versionsBeyondHistory(records, max)).toEqual(expected);
  });
});
