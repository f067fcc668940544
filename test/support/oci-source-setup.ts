// OCIRepository fetches under test: per test a fresh registry stand-in and a RegistryOciArtifactSource with its
// own cache folder. Registries close after each test, the folders go after the file.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach } from 'vitest';
import {
  type OciArtifactLimits,
  RegistryOciArtifactSource,
} from '../../shared/adapters/oci/oci-artifact-source.ts';
import { HttpOciRegistryClient } from '../../shared/adapters/oci/registry-client.ts';
import type { SourceAddressPolicy } from '../../shared/core/net/source-address-policy.ts';
import { type OciRegistry, type OciRegistryOptions, startOciRegistry } from './oci-registry.ts';

export interface OciSourceSetup {
  registry: OciRegistry;
  client: HttpOciRegistryClient;
  source: RegistryOciArtifactSource;
  /** The scratch folder; the source's cache is its `cache/`. */
  root: string;
}

/** Registers the clean-up hooks of a test file and returns its setup; `name` names the scratch folders. */
export function ociSourceSetup(
  name: string,
): (
  opts?: OciRegistryOptions,
  policyFor?: (registry: OciRegistry) => SourceAddressPolicy,
  limits?: Partial<OciArtifactLimits>,
) => Promise<OciSourceSetup> {
  const roots: string[] = [];
  const registries: OciRegistry[] = [];
  afterEach(async () => {
    await Promise.all(registries.splice(0).map((r) => r.close()));
  });
  afterAll(async () => {
    await Promise.all(roots.map((r) => rm(r, { recursive: true, force: true })));
  });
  return async (opts = {}, policyFor, limits) => {
    const registry = await startOciRegistry(opts);
    registries.push(registry);
    const root = await mkdtemp(join(tmpdir(), `sluice-${name}-`));
    roots.push(root);
    const policy = policyFor?.(registry) ?? {
      publicOnly: false,
      allowed: ['127.0.0.1/32'],
      allowSetting: 'test',
    };
    const client = new HttpOciRegistryClient({ policy });
    const source = new RegistryOciArtifactSource({
      cacheDir: join(root, 'cache'),
      client,
      ...(limits && { limits }),
    });
    return { registry, client, source, root };
  };
}
