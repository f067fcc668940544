import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readServeConfig, serveConfigOf } from '../../../cli/serve-config-file.ts';
import { isCliUsageError } from '../../../cli/usage-error.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-serve-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function usageMessage(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    if (isCliUsageError(err)) return err.message;
    throw err;
  }
  throw new Error('accepted');
}

describe('sluice serve --config FILE', () => {
  it('reads the fleet and each cluster root from YAML, as sluice.config.ts writes them', () => {
    const file = join(dir, 'sluice.yaml');
    writeFileSync(
      file,
      `fleet:
  url: https://github.com/example-org/fleet.git
  branch: main
clusters:
  - name: eu
    fleet:
      path: kubernetes/clusters/production
      variables:
        REGION: eu-west-1
  - name: lab
`,
    );
    expect(readServeConfig(file)).toEqual({
      fleetUrl: 'https://github.com/example-org/fleet.git',
      fleetBranch: 'main',
      clusters: ['eu', 'lab'],
      clusterRoots: { eu: { path: 'kubernetes/clusters/production', variables: { REGION: 'eu-west-1' } } },
    });
  });

  it.each([
    ['no clusters', { clusters: [] }, 'clusters must list'],
    ['a cluster name that is not a label', { clusters: [{ name: 'Prod' }] }, 'clusters[0].name'],
    [
      'a cluster declared twice',
      { clusters: [{ name: 'a' }, { name: 'a' }] },
      'clusters[1].name a is declared twice',
    ],
    ['a puller setting', { clusters: [{ name: 'a', puller: {} }] }, 'clusters[0].puller'],
    [
      'a path leaving the repository',
      { clusters: [{ name: 'a', fleet: { path: '../x' } }] },
      'clusters[0].fleet.path',
    ],
    [
      'a fleet URL that is not http(s)',
      { fleet: { url: 'file:///etc' }, clusters: [{ name: 'a' }] },
      'fleet.url',
    ],
  ])('refuses %s, naming the field', (_what, value, named) => {
    expect(usageMessage(() => serveConfigOf('c.yaml', value))).toContain(named);
  });

  it('names a file it cannot read or parse', () => {
    expect(usageMessage(() => readServeConfig(join(dir, 'missing.yaml')))).toContain(
      'cannot read it (ENOENT)',
    );
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'clusters: [\n');
    expect(usageMessage(() => readServeConfig(bad))).toContain('not YAML or JSON');
  });
});
