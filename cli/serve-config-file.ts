// `sluice serve --config FILE`: the fleet and clusters of sluice.config.ts (without the AWS puller settings)
// in a YAML or JSON file, for a machine serving many clusters; every mistake names the field and the fix.
import { readFileSync } from 'node:fs';
import { type ClusterRootSettings, clusterRootProblems } from '../shared/core/fleet/cluster-root.ts';
import { parseYaml11 } from '../shared/core/render/yaml-codec.ts';
import { CliUsageError } from './usage-error.ts';

export interface ServeConfig {
  fleetUrl?: string;
  fleetBranch?: string;
  clusters: string[];
  clusterRoots?: Record<string, ClusterRootSettings>;
}

const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function readServeConfig(file: string): ServeConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliUsageError(
      `--config ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  const parsed = parseYaml11(text);
  if ('error' in parsed) throw new CliUsageError(`--config ${file}: not YAML or JSON: ${parsed.error}`);
  return serveConfigOf(file, parsed.value);
}

export function serveConfigOf(file: string, value: unknown): ServeConfig {
  const problems: string[] = [];
  const doc = (isObject(value) ? value : {}) as { fleet?: unknown; clusters?: unknown };
  if (!isObject(value)) problems.push('must be a mapping with fleet and clusters');
  const fleet = (isObject(doc.fleet) ? doc.fleet : {}) as { url?: unknown; branch?: unknown };
  if (doc.fleet !== undefined && !isObject(doc.fleet)) problems.push('fleet must be { url, branch }');
  if (fleet.url !== undefined && (typeof fleet.url !== 'string' || !/^https?:\/\/\S+$/.test(fleet.url)))
    problems.push('fleet.url must be an http(s):// URL');
  if (fleet.branch !== undefined && typeof fleet.branch !== 'string')
    problems.push('fleet.branch must be a string');
  const clusters: string[] = [];
  const roots: Record<string, ClusterRootSettings> = {};
  if (!Array.isArray(doc.clusters) || doc.clusters.length === 0)
    problems.push('clusters must list at least one cluster: clusters: [{ name: dev }]');
  else
    doc.clusters.forEach((entry: unknown, i) => {
      const c = (isObject(entry) ? entry : {}) as { name?: unknown; fleet?: unknown };
      const name = typeof c.name === 'string' ? c.name : '';
      if (!LABEL.test(name)) problems.push(`clusters[${i}].name must be a DNS-1123 label`);
      else if (clusters.includes(name)) problems.push(`clusters[${i}].name ${name} is declared twice`);
      for (const key of Object.keys(c))
        if (key !== 'name' && key !== 'fleet')
          problems.push(`clusters[${i}].${key} is not a setting here: use name and fleet`);
      problems.push(
        ...clusterRootProblems(`clusters[${i}].fleet`, c.fleet as ClusterRootSettings | undefined),
      );
      clusters.push(name);
      if (c.fleet !== undefined) roots[name] = c.fleet as ClusterRootSettings;
    });
  if (problems.length > 0) throw new CliUsageError(`--config ${file}: ${problems.join('; ')}`);
  return {
    ...(typeof fleet.url === 'string' && { fleetUrl: fleet.url }),
    ...(typeof fleet.branch === 'string' && { fleetBranch: fleet.branch }),
    clusters,
    ...(Object.keys(roots).length > 0 && { clusterRoots: roots }),
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
