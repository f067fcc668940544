// The one composition root: createDeps(mode, settings) chooses the adapters for cloud functions, the embedded
// control plane, the puller and the CLI; each mode's choices live in its own create-<mode>-deps.ts.
// Bundled entry points (the Lambda functions, the puller image) import their mode's file directly instead,
// since a bundler inlines every import() here and each bundle would then carry every mode's adapters.
import type { CloudConfig } from './cloud-config.ts';
import type { CliDepsSettings } from './create-cli-deps.ts';
import type { CloudDeps, OptionalAdapters } from './create-cloud-deps.ts';
import type { EmbeddedDepsSettings } from './create-embedded-deps.ts';
import type { PullerDepsSettings } from './create-puller-deps.ts';

export interface DepsModes {
  cloud: {
    settings: { config: CloudConfig; adapters?: OptionalAdapters };
    deps: CloudDeps;
  };
  embedded: {
    settings: EmbeddedDepsSettings;
    deps: ReturnType<typeof import('./create-embedded-deps.ts').createEmbeddedDeps>;
  };
  puller: {
    settings: PullerDepsSettings;
    deps: Awaited<ReturnType<typeof import('./create-puller-deps.ts').createPullerDeps>>;
  };
  cli: {
    settings: CliDepsSettings;
    deps: ReturnType<typeof import('./create-cli-deps.ts').createCliDeps>;
  };
}

export type DepsMode = keyof DepsModes;

/** Loads only the chosen mode's adapters: `sluice build` never loads the AWS SDK or the local servers. */
export async function createDeps<M extends DepsMode>(
  mode: M,
  settings: DepsModes[M]['settings'],
): Promise<DepsModes[M]['deps']> {
  const make: { [K in DepsMode]: (s: DepsModes[K]['settings']) => Promise<DepsModes[K]['deps']> } = {
    cloud: async (s) => (await import('./create-cloud-deps.ts')).createCloudDeps(s.config, s.adapters),
    embedded: async (s) => (await import('./create-embedded-deps.ts')).createEmbeddedDeps(s),
    puller: async (s) => (await import('./create-puller-deps.ts')).createPullerDeps(s),
    cli: async (s) => (await import('./create-cli-deps.ts')).createCliDeps(s),
  };
  return make[mode](settings);
}
