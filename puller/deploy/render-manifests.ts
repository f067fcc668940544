// The plain manifests (puller/deploy/puller.yaml) are the chart rendered with the bundled helm and
// manifest-values.yaml, so the two never disagree; a test renders them again and compares.
// Run after changing the chart: node puller/deploy/render-manifests.ts
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveToolPath } from '../../shared/adapters/render/tool-paths.ts';

const here = import.meta.dirname;
export const CHART_DIR = join(here, 'chart');
export const MANIFESTS_FILE = join(here, 'puller.yaml');
export const RELEASE = 'sluice-puller';
export const NAMESPACE = 'sluice-system';

const HEADER = `# The Sluice puller for one cluster, as plain manifests: generated from puller/deploy/chart by
# \`node puller/deploy/render-manifests.ts\` (values: puller/deploy/manifest-values.yaml); do not edit by hand.
# Replace CLUSTER, REGION, BUCKET, QUEUE_PREFIX, SIGNING_KEY_ARN and IMAGE:latest with the values
# \`npx sst deploy\` prints and your image (see README "Installing the puller"), then kubectl apply -f it.
`;

/** Runs the bundled helm with throwaway HELM_* homes (no user config read or written). */
export async function helm(args: string[]): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'sluice-helm-'));
  try {
    return await new Promise((resolve, reject) =>
      execFile(
        resolveToolPath('helm'),
        args,
        {
          env: {
            PATH: process.env.PATH ?? '/usr/bin:/bin',
            HOME: home,
            HELM_CACHE_HOME: join(home, 'cache'),
            HELM_CONFIG_HOME: join(home, 'config'),
            HELM_DATA_HOME: join(home, 'data'),
          },
          maxBuffer: 16 * 1024 * 1024,
        },
        (err, stdout, stderr) =>
          err ? reject(new Error(`helm ${args[0]}: ${stderr || err.message}`)) : resolve(stdout),
      ),
    );
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

export async function renderManifests(): Promise<string> {
  const out = await helm([
    'template',
    RELEASE,
    CHART_DIR,
    '--namespace',
    NAMESPACE,
    '--values',
    join(here, 'manifest-values.yaml'),
  ]);
  return `${HEADER}${out}`;
}

if (import.meta.main) {
  await writeFile(MANIFESTS_FILE, await renderManifests());
  console.log(`wrote ${MANIFESTS_FILE}`);
}
