// Which of a chart's declared dependencies must be vendored, and from where: a chart already in
// `charts/` is kept; `file://` paths, chart repositories (http/https) and OCI registries are fetched.
// Repository aliases (`@name`, `alias:name`) need the CLI's repositories file, which a fleet has not.
import { SluiceError } from '../errors.ts';
import type { ChartDependency } from './chart-metadata.ts';

export const MAX_DEPENDENCIES = 100;

export type PlannedDependency =
  /** `file://<path>` (path relative to the chart directory). */
  | { kind: 'file'; dep: ChartDependency; path: string }
  /** An index-based chart repository (`url` without a trailing slash). */
  | { kind: 'repository'; dep: ChartDependency; url: string }
  /** `oci://host/path`: the chart is `<url>/<name>`. */
  | { kind: 'oci'; dep: ChartDependency; url: string };

/**
 * The dependencies to fetch, given the chart names already in `charts/` (a dependency is present when
 * a chart of its name or alias is there, as Flux's dependency manager counts them).
 */
export function planDependencies(
  deps: readonly ChartDependency[],
  present: ReadonlySet<string>,
  where: string,
): PlannedDependency[] {
  if (deps.length > MAX_DEPENDENCIES) {
    throw new SluiceError(
      'LimitExceeded',
      `${where} declares ${deps.length} dependencies, more than the limit of ${MAX_DEPENDENCIES}`,
      { file: where },
    );
  }
  const planned: PlannedDependency[] = [];
  for (const dep of deps) {
    if (present.has(dep.name) || (dep.alias !== undefined && present.has(dep.alias))) continue;
    planned.push(planOne(dep, where));
  }
  return planned;
}

function planOne(dep: ChartDependency, where: string): PlannedDependency {
  const repo = dep.repository;
  const named = `dependency ${JSON.stringify(dep.name)} in ${where}`;
  if (repo === '') {
    throw new SluiceError(
      'ArtifactNotFound',
      `${named} names no repository and is not in the chart's charts/ folder; add it there or set its repository URL`,
      { file: where },
    );
  }
  if (repo.startsWith('@') || repo.startsWith('alias:')) {
    throw new SluiceError(
      'ValidationFailed',
      `${named} uses the repository alias ${JSON.stringify(repo)}; aliases need a local Helm repositories file, so write the repository's URL instead`,
      { file: where },
    );
  }
  if (repo.startsWith('file://')) return { kind: 'file', dep, path: repo.slice('file://'.length) };
  if (repo.startsWith('oci://')) return { kind: 'oci', dep, url: repo.replace(/\/+$/, '') };
  if (repo.startsWith('https://') || repo.startsWith('http://')) {
    return { kind: 'repository', dep, url: repo.replace(/\/+$/, '') };
  }
  throw new SluiceError(
    'ValidationFailed',
    `${named} has the repository ${JSON.stringify(repo)}, which is not an http(s)://, oci:// or file:// URL`,
    { file: where },
  );
}
