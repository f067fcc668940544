// OCIRepository fetches against the local registry stand-in: Flux's ref precedence and revisions, layer
// selection (extract and copy), ignore rules, auth, the unchanged fast path, and failures by code.
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { OciArtifactRequest } from '../../shared/ports/oci-registry.ts';
import type { RemoteAccess } from '../../shared/ports/remote-access.ts';
import { rejectionOf } from '../support/error-of.ts';
import {
  FLUX_CONTENT_TYPE,
  pushArtifact,
  pushFluxArtifact,
  storeFluxArtifact,
  tarGz,
} from '../support/flux-artifact.ts';
import type { OciRegistryOptions } from '../support/oci-registry.ts';
import { ociSourceSetup } from '../support/oci-source-setup.ts';

const startSource = ociSourceSetup('oci');

async function setup(opts: OciRegistryOptions = {}) {
  const { registry, client, source, root } = await startSource(opts);
  const access: RemoteAccess = { insecure: true };
  const fetchArtifact = (req: Partial<OciArtifactRequest> & { url?: string }) =>
    source.fetch({ url: registry.url('fleet'), access, ...req });
  return { registry, client, source, access, fetchArtifact, root };
}

const files = (version: string) => ({
  'apps/deploy.yaml': `kind: Deployment\nmetadata:\n  name: app\n  labels:\n    version: "${version}"\n`,
  'apps/kustomization.yaml': 'resources:\n- deploy.yaml\n',
});

describe('OCIRepository refs', () => {
  it('fetches a tag, spells the revision <tag>@sha256:<hex> and extracts the layer read-only', async () => {
    const { registry, fetchArtifact } = await setup();
    const pushed = await pushFluxArtifact(registry.origin, 'fleet', 'v1.0.0', files('1'));
    const snap = await fetchArtifact({ ref: { tag: 'v1.0.0' } });
    expect(snap.revision).toBe(`v1.0.0@${pushed.manifestDigest}`);
    expect(snap.manifestDigest).toBe(pushed.manifestDigest);
    expect(snap.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(snap.dir.endsWith(snap.digest.slice(7))).toBe(true);
    expect(snap.changed).toBe(true);
    expect(await readFile(join(snap.dir, 'apps/deploy.yaml'), 'utf8')).toContain('version: "1"');
    expect((await lstat(join(snap.dir, 'apps/deploy.yaml'))).mode & 0o222).toBe(0);
    expect((await lstat(snap.dir)).mode & 0o222).toBe(0);
  });

  it('takes the tag latest when spec.ref is empty', async () => {
    const { registry, fetchArtifact } = await setup();
    const pushed = await pushFluxArtifact(registry.origin, 'fleet', 'latest', files('latest'));
    const snap = await fetchArtifact({});
    expect(snap.revision).toBe(`latest@${pushed.manifestDigest}`);
  });

  it('prefers digest over semver over tag, and spells a digest revision without a tag', async () => {
    const { registry, fetchArtifact } = await setup();
    const one = await pushFluxArtifact(registry.origin, 'fleet', '1.0.0', files('1.0.0'));
    const two = await pushFluxArtifact(registry.origin, 'fleet', '1.2.0', files('1.2.0'));
    await pushFluxArtifact(registry.origin, 'fleet', 'stable', files('stable'));

    const byDigest = await fetchArtifact({
      ref: { digest: one.manifestDigest, semver: '1.x', tag: 'stable' },
    });
    expect(byDigest.revision).toBe(one.manifestDigest);

    const bySemver = await fetchArtifact({ ref: { semver: '1.x', tag: 'stable' } });
    expect(bySemver.revision).toBe(`1.2.0@${two.manifestDigest}`);
    expect(await readFile(join(bySemver.dir, 'apps/deploy.yaml'), 'utf8')).toContain('1.2.0');

    const byTag = await fetchArtifact({ ref: { tag: 'stable' } });
    expect(byTag.revision.startsWith('stable@sha256:')).toBe(true);
  });

  it('applies semverFilter to the tags before the range', async () => {
    const { registry, fetchArtifact } = await setup();
    await pushFluxArtifact(registry.origin, 'fleet', '1.0.0', files('ga'));
    const rc = await pushFluxArtifact(registry.origin, 'fleet', '1.1.0-rc.1', files('rc1'));
    await pushFluxArtifact(registry.origin, 'fleet', '1.1.0-dev.7', files('dev'));
    const snap = await fetchArtifact({ ref: { semver: '>=1.0.0-0', semverFilter: '.*-rc.*' } });
    expect(snap.revision).toBe(`1.1.0-rc.1@${rc.manifestDigest}`);
  });

  it('says which versions exist when no tag matches the range', async () => {
    const { registry, fetchArtifact } = await setup();
    await pushFluxArtifact(registry.origin, 'fleet', '1.0.0', files('1'));
    await pushFluxArtifact(registry.origin, 'fleet', '1.4.2', files('2'));
    const err = await rejectionOf(fetchArtifact({ ref: { semver: '>=2.0.0' } }));
    expect(err.code).toBe('ArtifactNotFound');
    expect(err.message).toContain('newest versions seen: 1.4.2, 1.0.0');
  });

  it('names the repository and tag of a missing tag', async () => {
    const { registry, fetchArtifact } = await setup();
    await pushFluxArtifact(registry.origin, 'fleet', '1.0.0', files('1'));
    const err = await rejectionOf(fetchArtifact({ ref: { tag: 'v9' } }));
    expect(err.code).toBe('ArtifactNotFound');
    expect(err.message).toContain(`${registry.url('fleet')}:v9 not found`);
  });
});

describe('OCIRepository layerSelector and ignore', () => {
  const chartLayer = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip';

  it('extracts the first layer by default and the first of mediaType when one is named', async () => {
    const { registry, fetchArtifact } = await setup();
    await pushArtifact(registry.origin, 'fleet', 'two', [
      { mediaType: FLUX_CONTENT_TYPE, bytes: tarGz({ 'first.yaml': 'a: 1\n' }) },
      { mediaType: chartLayer, bytes: tarGz({ 'chart/Chart.yaml': 'name: c\n' }) },
    ]);
    const first = await fetchArtifact({ ref: { tag: 'two' } });
    expect(await readdir(first.dir)).toEqual(['first.yaml']);
    const chart = await fetchArtifact({ ref: { tag: 'two' }, layerSelector: { mediaType: chartLayer } });
    expect(await readdir(chart.dir)).toEqual(['chart']);
    expect(chart.digest).not.toBe(first.digest);
  });

  it('copies the layer as one file named after the revision digest with operation copy', async () => {
    const { registry, fetchArtifact } = await setup();
    const bytes = tarGz({ 'chart/Chart.yaml': 'name: c\n' });
    const pushed = await pushArtifact(registry.origin, 'fleet', 'chart', [{ mediaType: chartLayer, bytes }]);
    const snap = await fetchArtifact({
      ref: { tag: 'chart' },
      layerSelector: { mediaType: chartLayer, operation: 'copy' },
    });
    expect(await readdir(snap.dir)).toEqual([`${pushed.manifestDigest}.tgz`]);
    expect(await readFile(join(snap.dir, `${pushed.manifestDigest}.tgz`))).toEqual(bytes);
  });

  it('refuses a mediaType no layer has, naming the types present', async () => {
    const { registry, fetchArtifact } = await setup();
    await pushFluxArtifact(registry.origin, 'fleet', 'v1', files('1'));
    const err = await rejectionOf(
      fetchArtifact({ ref: { tag: 'v1' }, layerSelector: { mediaType: chartLayer } }),
    );
    expect(err.code).toBe('ArtifactNotFound');
    expect(err.message).toContain(`its layers are: ${FLUX_CONTENT_TYPE}`);
  });

  it('applies spec.ignore and .sourceignore files, with no built-in patterns', async () => {
    const { registry, fetchArtifact } = await setup();
    await pushFluxArtifact(registry.origin, 'fleet', 'v1', {
      'apps/deploy.yaml': 'kind: Deployment\n',
      'apps/secret.enc.yaml': 'kind: Secret\n',
      'docs/logo.png': 'png',
      'tests/.sourceignore': 'fixture.yaml\n',
      'tests/fixture.yaml': 'x: 1\n',
      'tests/keep.yaml': 'y: 1\n',
    });
    const snap = await fetchArtifact({ ref: { tag: 'v1' }, ignore: '*.enc.yaml\n' });
    const all = (await readdir(snap.dir, { recursive: true })).sort();
    expect(all).toEqual([
      'apps',
      'apps/deploy.yaml',
      'docs',
      'docs/logo.png',
      'tests',
      'tests/.sourceignore',
      'tests/keep.yaml',
    ]);
    const plain = await fetchArtifact({ ref: { tag: 'v1' } });
    expect(plain.digest).not.toBe(snap.digest);
  });
});

describe('OCIRepository auth', () => {
  it('pulls with basic credentials to the token endpoint, and refuses without or with wrong ones', async () => {
    const { registry, fetchArtifact } = await setup({
      auth: { scheme: 'bearer', username: 'ci', password: 'pw' },
    });
    const digest = storeFluxArtifact(registry, 'fleet', 'v1', tarGz(files('auth')));

    const ok = await fetchArtifact({
      ref: { tag: 'v1' },
      access: { insecure: true, credentials: { username: 'ci', password: 'pw' } },
    });
    expect(ok.revision).toBe(`v1@${digest}`);

    const none = await rejectionOf(fetchArtifact({ ref: { tag: 'v1' } }));
    expect(none.code).toBe('SourceAuthFailed');
    const wrong = await rejectionOf(
      fetchArtifact({
        ref: { tag: 'v1' },
        access: { insecure: true, credentials: { username: 'ci', password: 'nope' } },
      }),
    );
    expect(wrong.code).toBe('SourceAuthFailed');
    expect(wrong.message).toContain('spec.secretRef');
    expect(wrong.message).not.toContain('nope');
  });

  it('pulls a public repository with an anonymous token', async () => {
    const { registry, fetchArtifact } = await setup({
      auth: { scheme: 'bearer', username: 'ci', password: 'pw', anonymousPull: true },
    });
    const token = await fetch(`${registry.origin}/token?scope=repository:fleet:pull,push`, {
      headers: { authorization: `Basic ${Buffer.from('ci:pw').toString('base64')}` },
    }).then((r) => r.json() as Promise<{ token: string }>);
    await pushFluxArtifact(registry.origin, 'fleet', 'v1', files('anon'), {
      headers: { authorization: `Bearer ${token.token}` },
    });
    const snap = await fetchArtifact({ ref: { tag: 'v1' } });
    expect(snap.revision.startsWith('v1@')).toBe(true);
    expect(registry.requests.some((r) => r.path.startsWith('/token') && r.status === 200)).toBe(true);
  });

  it('pulls with direct basic auth', async () => {
    const { registry, fetchArtifact } = await setup({
      auth: { scheme: 'basic', username: 'ci', password: 'pw' },
    });
    const headers = { authorization: `Basic ${Buffer.from('ci:pw').toString('base64')}` };
    await pushFluxArtifact(registry.origin, 'fleet', 'v1', files('basic'), { headers });
    const snap = await fetchArtifact({
      ref: { tag: 'v1' },
      access: { insecure: true, credentials: { username: 'ci', password: 'pw' } },
    });
    expect(snap.revision.startsWith('v1@')).toBe(true);
    const none = await rejectionOf(fetchArtifact({ ref: { tag: 'v1' } }));
    expect(none.code).toBe('SourceAuthFailed');
  });
});

describe('OCIRepository fetch economy and failures', () => {
  it('costs one manifest request and no blob when the ref still resolves to the last digest', async () => {
    const { registry, fetchArtifact } = await setup();
    await pushFluxArtifact(registry.origin, 'fleet', 'v1', files('1'));
    const first = await fetchArtifact({ ref: { tag: 'v1' } });
    registry.requests.length = 0;
    const again = await fetchArtifact({ ref: { tag: 'v1' }, lastDigest: first.manifestDigest });
    expect(again.changed).toBe(false);
    expect(again.dir).toBe(first.dir);
    expect(registry.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v2/fleet/manifests/v1']);
  });

  it('sees a moved tag as changed', async () => {
    const { registry, fetchArtifact } = await setup();
    const one = await pushFluxArtifact(registry.origin, 'fleet', 'v1', files('1'));
    await pushFluxArtifact(registry.origin, 'fleet', 'v1', files('2'));
    const snap = await fetchArtifact({ ref: { tag: 'v1' }, lastDigest: one.manifestDigest });
    expect(snap.changed).toBe(true);
    expect(await readFile(join(snap.dir, 'apps/deploy.yaml'), 'utf8')).toContain('version: "2"');
  });

  it('refuses a corrupted blob, naming its digest, and keeps no snapshot', async () => {
    const { registry, fetchArtifact, root } = await setup();
    const pushed = await pushFluxArtifact(registry.origin, 'fleet', 'v1', files('1'));
    const layer = pushed.layers[0]?.digest ?? '';
    registry.corruptBlob(layer);
    const err = await rejectionOf(fetchArtifact({ ref: { tag: 'v1' } }));
    expect(err.code).toBe('SourceFetchFailed');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain(layer);
    expect(await readdir(join(root, 'cache', 'snapshots')).catch(() => [])).toEqual([]);
  });

  it('reports an unreachable registry as SourceFetchFailed, retryable', async () => {
    const { registry, fetchArtifact } = await setup();
    await registry.close();
    const err = await rejectionOf(fetchArtifact({ ref: { tag: 'v1' } }));
    expect(err.code).toBe('SourceFetchFailed');
    expect(err.retryable).toBe(true);
  });

  it('refuses providers Sluice does not speak yet, and aws for a host that is not ECR', async () => {
    const { fetchArtifact } = await setup();
    for (const provider of ['azure', 'gcp', 'aws']) {
      const err = await rejectionOf(
        fetchArtifact({ ref: { tag: 'v1' }, access: { insecure: true, provider } }),
      );
      expect(err.code).toBe('ValidationFailed');
      expect(err.field).toBe('spec.provider');
    }
  });
});
