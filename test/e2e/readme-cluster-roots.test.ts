// The README's "Where each cluster starts in the fleet" examples, taken from README.md itself so the two cannot
// drift apart: the sluice.config.ts block validates, the --config YAML loads, and the serve flags parse to the same.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clusterRootsOfFlags } from '../../cli/cluster-root-flags.ts';
import { readServeConfig } from '../../cli/serve-config-file.ts';
import { type SluiceStackConfig, validateStackConfig } from '../../stacks/config.ts';
import { runCli } from '../support/run-cli.ts';

const project = join(import.meta.dirname, '../..');
const README = readFileSync(join(project, 'README.md'), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'sluice-readme-roots-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The first fenced block after `marker` in the README. */
function blockAfter(marker: string, lang: string): string {
  const at = README.indexOf(marker);
  const block = new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\\n\`\`\``).exec(README.slice(at))?.[1];
  if (at < 0 || block === undefined) throw new Error(`README has no ${lang} block after ${marker}`);
  return block;
}

const TS_BLOCK = blockAfter('**AWS (`sluice.config.ts`)**', 'ts');
const SH_BLOCK = blockAfter('**On one machine (`sluice serve` / `npm start`)**', 'sh');
const YAML_BLOCK = blockAfter('For many clusters, `--config FILE`', 'yaml');

/** The two clusters that share one path, as every example of the section declares them. */
const EU_US = {
  eu: { path: 'kubernetes/clusters/production', variables: { REGION: 'eu-west-1' } },
  us: { path: 'kubernetes/clusters/production', branch: 'release', variables: { REGION: 'us-east-1' } },
};

/** The flags of the README's `npm start -- …` command, as the shell would split them. */
function readmeServeFlags(): string[] {
  const words = SH_BLOCK.replace(/\\\n/g, ' ').trim().split(/\s+/);
  expect(words.slice(0, 3)).toEqual(['npm', 'start', '--']);
  return words.slice(3);
}

describe('the README example of per-cluster fleet roots', () => {
  it('validates the sluice.config.ts block with validateStackConfig, each cluster root as written', () => {
    const literal = /=\s*(\{[\s\S]*\});\s*$/.exec(TS_BLOCK)?.[1] ?? '';
    // The block is a plain object literal with comments: JavaScript reads it as TypeScript does.
    const config = new Function(`return (${literal});`)() as SluiceStackConfig;
    const valid = validateStackConfig(config);
    expect(Object.fromEntries(valid.clusters.map((c) => [c.name, c.fleet]))).toEqual({
      home: { path: 'kubernetes/flux/cluster' },
      ...EU_US,
    });
  });

  it('names the mistakes the README quotes', () => {
    const puller = { identity: 'eks-pod-identity', eksClusterName: 'x' } as const;
    let message = '';
    try {
      validateStackConfig({
        fleet: { url: 'https://github.com/example-org/fleet.git' },
        clusters: [
          { name: 'a', puller, fleet: { variables: { 'A-B': 'x' } } },
          { name: 'b', puller, fleet: { path: '../x' } },
        ],
      });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('clusters[1].fleet.path "../x" must be relative to the repository root');
    expect(message).toContain('clusters[0].fleet.variables: "A-B" is not a postBuild variable name');
  });

  it('loads the sluice serve --config YAML block to the same clusters and roots', () => {
    expect(YAML_BLOCK.split('\n')[0]).toBe('# sluice.yaml — npm start -- --config sluice.yaml');
    const file = join(dir, 'sluice.yaml');
    writeFileSync(file, YAML_BLOCK);
    expect(readServeConfig(file)).toEqual({
      fleetUrl: 'https://github.com/example-org/fleet.git',
      fleetBranch: 'main',
      clusters: ['eu', 'us'],
      clusterRoots: EU_US,
    });
  });

  it('reads the npm start flags to the same roots', () => {
    const flags = readmeServeFlags();
    const all = (name: string) => flags.flatMap((f, i) => (f === name ? [flags[i + 1] ?? ''] : []));
    expect(all('--fleet-url')).toEqual(['https://github.com/example-org/fleet.git']);
    expect(
      clusterRootsOfFlags({
        clusters: all('--cluster'),
        paths: all('--cluster-path'),
        branches: all('--cluster-branch'),
        roots: all('--cluster-root'),
        variables: all('--cluster-var'),
      }),
    ).toEqual(EU_US);
  });

  it('accepts those flags on sluice serve, and refuses them beside --config (usage, exit 2)', async () => {
    const file = join(dir, 'both.yaml');
    writeFileSync(file, YAML_BLOCK);
    const run = await runCli(['serve', ...readmeServeFlags(), '--config', file], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      '--config gives the fleet and the clusters: leave out --cluster, --cluster-path, --cluster-branch, --cluster-var, --fleet-url, or --config',
    );
  });

  it('refuses a flag naming a cluster no --cluster declares, with the message the README shows (exit 2)', async () => {
    const run = await runCli(['serve', '--cluster', 'a', '--cluster-path', 'b=x'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      '--cluster-path names cluster "b", which no --cluster declares: add --cluster b',
    );
  });
});
