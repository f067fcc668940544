// The OCI registry client against the local registry stand-in: manifest kinds, digest checks, paged tags,
// transient failures, and ECR logins (the real AWS SDK against a local GetAuthorizationToken endpoint) over TLS.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ECRClient } from '@aws-sdk/client-ecr';
import { afterEach, describe, expect, it } from 'vitest';
import { EcrTokenSource } from '../../shared/adapters/aws/ecr-token-source.ts';
import { HttpOciRegistryClient } from '../../shared/adapters/oci/registry-client.ts';
import type { RemoteAccess } from '../../shared/ports/remote-access.ts';
import { rejectionOf } from '../support/error-of.ts';
import { pushFluxArtifact } from '../support/flux-artifact.ts';
import { type OciRegistry, type OciRegistryOptions, startOciRegistry } from '../support/oci-registry.ts';
import { selfSignedCertificate } from '../support/test-certificate.ts';

const servers: { close(): unknown }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const policy = { publicOnly: false, allowed: ['127.0.0.1/32'], allowSetting: 'test' };
const plain: RemoteAccess = { insecure: true };

async function registryAt(opts: OciRegistryOptions = {}): Promise<OciRegistry> {
  const registry = await startOciRegistry(opts);
  servers.push(registry);
  return registry;
}

function manifestOf(registry: OciRegistry, mediaType: string): Buffer {
  const layer = registry.putBlob('app', Buffer.from('layer'));
  const config = registry.putBlob('app', Buffer.from('{}'));
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: config, size: 2 },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: layer, size: 5 }],
    }),
  );
}

function indexOf(entries: { digest: string; platform?: { os: string; architecture: string } }[]): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: entries.map((e) => ({
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        size: 1,
        ...e,
      })),
    }),
  );
}

describe('HttpOciRegistryClient manifests', () => {
  it('reads a Docker v2 manifest and reports the digest of the bytes served', async () => {
    const registry = await registryAt();
    const type = 'application/vnd.docker.distribution.manifest.v2+json';
    const digest = registry.putManifest('app', manifestOf(registry, type), type, 'v1');
    const client = new HttpOciRegistryClient({ policy });
    const resolved = await client.resolve(registry.url('app'), 'v1', plain);
    expect(resolved.digest).toBe(digest);
    expect(resolved.manifest.mediaType).toBe(type);
    expect(resolved.manifest.layers[0]?.size).toBe(5);
  });

  it('follows an index of one manifest (attestations aside) and keeps the index digest', async () => {
    const registry = await registryAt();
    const type = 'application/vnd.oci.image.manifest.v1+json';
    const child = registry.putManifest('app', manifestOf(registry, type), type);
    const attestation = registry.putManifest('app', Buffer.from('{"layers":[]}'), type);
    const index = registry.putManifest(
      'app',
      indexOf([
        { digest: child, platform: { os: 'linux', architecture: 'amd64' } },
        { digest: attestation, platform: { os: 'unknown', architecture: 'unknown' } },
      ]),
      'application/vnd.oci.image.index.v1+json',
      'v1',
    );
    const resolved = await new HttpOciRegistryClient({ policy }).resolve(registry.url('app'), 'v1', plain);
    expect(resolved.digest).toBe(index);
    expect(resolved.manifest.layers).toHaveLength(1);
  });

  it('refuses an index of several platforms, naming them', async () => {
    const registry = await registryAt();
    const type = 'application/vnd.oci.image.manifest.v1+json';
    const a = registry.putManifest('app', manifestOf(registry, type), type);
    const b = registry.putManifest(
      'app',
      Buffer.concat([manifestOf(registry, type), Buffer.from(' ')]),
      type,
    );
    registry.putManifest(
      'app',
      indexOf([
        { digest: a, platform: { os: 'linux', architecture: 'amd64' } },
        { digest: b, platform: { os: 'linux', architecture: 'arm64' } },
      ]),
      'application/vnd.oci.image.index.v1+json',
      'multi',
    );
    const err = await rejectionOf(
      new HttpOciRegistryClient({ policy }).resolve(registry.url('app'), 'multi', plain),
    );
    expect(err.code).toBe('SourceFetchFailed');
    expect(err.message).toContain('platforms: linux/amd64, linux/arm64');
  });

  it('refuses a manifest whose bytes do not hash to the digest asked for, naming both', async () => {
    const registry = await registryAt();
    const type = 'application/vnd.oci.image.manifest.v1+json';
    const digest = registry.putManifest('app', manifestOf(registry, type), type, 'v1');
    registry.corruptManifest('app', digest);
    const err = await rejectionOf(
      new HttpOciRegistryClient({ policy }).resolve(registry.url('app'), digest, plain),
    );
    expect(err.code).toBe('SourceFetchFailed');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain(digest);
  });

  it('refuses a manifest that is not JSON or has no layers', async () => {
    const registry = await registryAt();
    registry.putManifest(
      'app',
      Buffer.from('not json'),
      'application/vnd.oci.image.manifest.v1+json',
      'junk',
    );
    registry.putManifest(
      'app',
      Buffer.from('{"schemaVersion":2}'),
      'application/vnd.oci.image.manifest.v1+json',
      'bare',
    );
    const client = new HttpOciRegistryClient({ policy });
    for (const tag of ['junk', 'bare']) {
      expect((await rejectionOf(client.resolve(registry.url('app'), tag, plain))).code).toBe(
        'SourceFetchFailed',
      );
    }
  });
});

describe('HttpOciRegistryClient tags and failures', () => {
  it('reads every page of a long tag list', async () => {
    const registry = await registryAt();
    const type = 'application/vnd.oci.image.manifest.v1+json';
    for (let i = 0; i < 1050; i++) registry.putManifest('app', Buffer.from(`{"i":${i}}`), type, `1.0.${i}`);
    const tags = await new HttpOciRegistryClient({ policy }).listTags(registry.url('app'), plain);
    expect(tags).toHaveLength(1050);
    expect(registry.requests.filter((r) => r.path.includes('/tags/list'))).toHaveLength(2);
  });

  it('says a repository that does not exist is not found', async () => {
    const registry = await registryAt();
    const err = await rejectionOf(
      new HttpOciRegistryClient({ policy }).listTags(registry.url('nothing'), plain),
    );
    expect(err.code).toBe('ArtifactNotFound');
    expect(err.message).toContain(registry.url('nothing'));
  });

  it.each([
    [503, true],
    [429, true],
    [400, false],
  ])('maps HTTP %i to SourceFetchFailed (retryable: %s)', async (status, retryable) => {
    const registry = await registryAt();
    await pushFluxArtifact(registry.origin, 'app', 'v1', { 'a.yaml': 'a: 1\n' });
    registry.failRequests(status);
    const err = await rejectionOf(
      new HttpOciRegistryClient({ policy }).resolve(registry.url('app'), 'v1', plain),
    );
    expect(err.code).toBe('SourceFetchFailed');
    expect(err.retryable).toBe(retryable);
  });

  it('maps a registry that stops answering to SourceFetchFailed, retryable', async () => {
    const silent: Server = createServer(() => {
      // never answers
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    servers.push({
      close: () => {
        silent.closeAllConnections();
        return new Promise((r) => silent.close(r));
      },
    });
    const host = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const client = new HttpOciRegistryClient({ policy, idleTimeoutMs: 200 });
    const err = await rejectionOf(client.resolve(`oci://${host}/app`, 'v1', plain));
    expect(err.code).toBe('SourceFetchFailed');
    expect(err.retryable).toBe(true);
  });

  it('says a tag list that is not JSON is unusable', async () => {
    const junk: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('<html>maintenance</html>');
    });
    await new Promise<void>((resolve) => junk.listen(0, '127.0.0.1', resolve));
    servers.push({ close: () => new Promise((r) => junk.close(r)) });
    const host = `127.0.0.1:${(junk.address() as AddressInfo).port}`;
    const err = await rejectionOf(new HttpOciRegistryClient({ policy }).listTags(`oci://${host}/app`, plain));
    expect(err.code).toBe('SourceFetchFailed');
  });

  it('maps a 403 to SourceAuthFailed', async () => {
    const registry = await registryAt();
    registry.failRequests(403);
    const err = await rejectionOf(
      new HttpOciRegistryClient({ policy }).resolve(registry.url('app'), 'v1', plain),
    );
    expect(err.code).toBe('SourceAuthFailed');
  });

  it('refuses a URL with a tag, credentials or no repository', async () => {
    const client = new HttpOciRegistryClient({ policy });
    for (const url of [
      'oci://ghcr.io/org/app:v1',
      'oci://user:pw@ghcr.io/org/app',
      'oci://ghcr.io',
      'https://ghcr.io/a',
    ]) {
      const err = await rejectionOf(client.resolve(url, 'v1', plain));
      expect(err.code).toBe('ValidationFailed');
      expect(err.message).not.toContain('pw@');
    }
  });
});

describe('HttpOciRegistryClient with provider aws', () => {
  const ecrHost = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';

  /** GetAuthorizationToken as ECR answers it (awsJson1_1), for the real SDK client to call. */
  async function startEcrEndpoint(token: string): Promise<{ url: string; calls: string[] }> {
    const calls: string[] = [];
    const server: Server = createServer((req, res) => {
      calls.push(String(req.headers['x-amz-target']));
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(
          JSON.stringify({
            authorizationData: [
              {
                authorizationToken: Buffer.from(`AWS:${token}`).toString('base64'),
                expiresAt: Date.now() / 1000 + 43_200,
                proxyEndpoint: `https://${ecrHost}`,
              },
            ],
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push({ close: () => new Promise((r) => server.close(r)) });
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls };
  }

  it('logs in with an ECR token and trusts the certSecretRef CA', async () => {
    const ecr = await startEcrEndpoint('ecr-password');
    const tls = selfSignedCertificate([ecrHost]);
    const registry = await registryAt({
      auth: { scheme: 'basic', username: 'AWS', password: 'ecr-password' },
      tls,
    });
    const type = 'application/vnd.oci.image.manifest.v1+json';
    const digest = registry.putManifest('app', manifestOf(registry, type), type, 'v1');
    const port = new URL(registry.origin).port;
    const regions: string[] = [];
    const client = new HttpOciRegistryClient({
      policy: { publicOnly: true, allowed: [ecrHost], allowSetting: 'test' },
      resolver: { resolve: async (host) => (host === ecrHost ? ['127.0.0.1'] : []) },
      ecr: new EcrTokenSource({
        clientFor: (region) => {
          regions.push(region);
          return new ECRClient({
            region,
            endpoint: ecr.url,
            credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
          });
        },
      }),
    });
    const access: RemoteAccess = { provider: 'aws', tls: { caPem: tls.certPem } };
    const resolved = await client.resolve(`oci://${ecrHost}:${port}/app`, 'v1', access);
    expect(resolved.digest).toBe(digest);
    expect(regions).toEqual(['eu-west-1']);
    expect(ecr.calls).toEqual(['AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken']);
    // The login is reused until it nears expiry.
    await client.resolve(`oci://${ecrHost}:${port}/app`, 'v1', access);
    expect(ecr.calls).toHaveLength(1);
  });

  it('says to list the repository in ecrRepositories when the registry refuses the ECR login', async () => {
    const ecr = await startEcrEndpoint('ecr-password');
    const tls = selfSignedCertificate([ecrHost]);
    // The registry wants other credentials than the login: as ECR answers a role without pull rights.
    const registry = await registryAt({ auth: { scheme: 'basic', username: 'AWS', password: 'other' }, tls });
    registry.putManifest('app', Buffer.from('{}'), 'application/vnd.oci.image.manifest.v1+json', 'v1');
    const client = new HttpOciRegistryClient({
      policy: { publicOnly: true, allowed: [ecrHost], allowSetting: 'test' },
      resolver: { resolve: async (host) => (host === ecrHost ? ['127.0.0.1'] : []) },
      ecr: new EcrTokenSource({
        clientFor: (region) =>
          new ECRClient({
            region,
            endpoint: ecr.url,
            credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
          }),
      }),
    });
    const port = new URL(registry.origin).port;
    const access: RemoteAccess = { provider: 'aws', tls: { caPem: tls.certPem } };
    const err = await rejectionOf(client.resolve(`oci://${ecrHost}:${port}/app`, 'v1', access));
    expect([err.code, err.field]).toEqual(['SourceAuthFailed', 'spec.provider']);
    expect(err.message).toContain('ecrRepositories');
    expect(err.message).not.toContain('ecr-password');
  });

  it('refuses an untrusted certificate', async () => {
    const tls = selfSignedCertificate([ecrHost]);
    const registry = await registryAt({ tls });
    registry.putManifest('app', Buffer.from('{}'), 'application/vnd.oci.image.manifest.v1+json', 'v1');
    const client = new HttpOciRegistryClient({ policy });
    const err = await rejectionOf(client.resolve(`oci://${registry.host}/app`, 'v1', {}));
    expect(err.code).toBe('SourceFetchFailed');
  });
});
