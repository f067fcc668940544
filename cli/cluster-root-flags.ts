// `sluice serve`'s per-cluster root flags (--cluster-path prod=kubernetes/clusters/prod and the like) as the
// embedded control plane's clusterRoots; every malformed flag names itself and the form it wants.
import { type ClusterRootSettings, clusterRootProblems } from '../shared/core/fleet/cluster-root.ts';
import { CliUsageError } from './usage-error.ts';

export interface ClusterRootFlags {
  clusters: string[];
  /** --cluster-path NAME=PATH (flux bootstrap --path) */
  paths?: string[];
  /** --cluster-branch NAME=BRANCH */
  branches?: string[];
  /** --cluster-root NAME=NAMESPACE/NAME (the root GitRepository and Kustomization) */
  roots?: string[];
  /** --cluster-var NAME:VARIABLE=VALUE (postBuild.substitute of the root) */
  variables?: string[];
}

export function clusterRootsOfFlags(
  flags: ClusterRootFlags,
): Record<string, ClusterRootSettings> | undefined {
  const roots: Record<string, ClusterRootSettings> = {};
  const of = (flag: string, cluster: string): ClusterRootSettings => {
    if (!flags.clusters.includes(cluster))
      throw usage(
        `${flag} names cluster ${JSON.stringify(cluster)}, which no --cluster declares: add --cluster ${cluster}`,
      );
    roots[cluster] ??= {};
    return roots[cluster];
  };
  for (const text of flags.paths ?? []) {
    const [cluster, path] = pair(
      '--cluster-path',
      text,
      '=',
      'NAME=PATH, e.g. prod=kubernetes/clusters/prod',
    );
    of('--cluster-path', cluster).path = path;
  }
  for (const text of flags.branches ?? []) {
    const [cluster, branch] = pair('--cluster-branch', text, '=', 'NAME=BRANCH, e.g. prod=release');
    of('--cluster-branch', cluster).branch = branch;
  }
  for (const text of flags.roots ?? []) {
    const [cluster, ref] = pair(
      '--cluster-root',
      text,
      '=',
      'NAME=NAMESPACE/NAME, e.g. prod=flux-system/flux-system',
    );
    const [namespace, name] = pair(
      '--cluster-root',
      ref,
      '/',
      'NAME=NAMESPACE/NAME, e.g. prod=flux-system/flux-system',
    );
    of('--cluster-root', cluster).root = { namespace, name };
  }
  for (const text of flags.variables ?? []) {
    const [cluster, assignment] = pair(
      '--cluster-var',
      text,
      ':',
      'NAME:VARIABLE=VALUE, e.g. prod:CLUSTER_ENV=production',
    );
    const at = assignment.indexOf('=');
    if (at <= 0)
      throw usage(
        `--cluster-var ${JSON.stringify(text)} must be NAME:VARIABLE=VALUE, e.g. prod:CLUSTER_ENV=production`,
      );
    const settings = of('--cluster-var', cluster);
    settings.variables = { ...settings.variables, [assignment.slice(0, at)]: assignment.slice(at + 1) };
  }
  const problems = Object.entries(roots).flatMap(([cluster, s]) =>
    clusterRootProblems(`cluster ${cluster}`, s),
  );
  if (problems.length > 0) throw usage(problems.join('; '));
  return Object.keys(roots).length > 0 ? roots : undefined;
}

function pair(flag: string, text: string, separator: string, form: string): [string, string] {
  const at = text.indexOf(separator);
  if (at <= 0 || at === text.length - 1) throw usage(`${flag} ${JSON.stringify(text)} must be ${form}`);
  return [text.slice(0, at), text.slice(at + 1)];
}

function usage(message: string): CliUsageError {
  return new CliUsageError(message);
}
