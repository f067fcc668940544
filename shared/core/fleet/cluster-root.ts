// Where each cluster starts in the fleet, as `flux bootstrap --path` or a FluxInstance's spec.sync names it:
// the per-cluster settings, their defaults, and the checks that name the setting and the fix.

/** One cluster's root as configured (sluice.config.ts `clusters[].fleet`, `sluice serve --cluster-*`). */
export interface ClusterRootSettings {
  /** The fleet directory the root Kustomization renders (`flux bootstrap --path`); default `clusters/<name>`. */
  path?: string;
  /** The fleet branch this cluster follows; default the fleet's. */
  branch?: string;
  /** The root GitRepository and Kustomization; default flux-system/flux-system, as `flux bootstrap` names them. */
  root?: { name?: string; namespace?: string };
  /** postBuild.substitute of the root Kustomization: clusters sharing one path differ by these. */
  variables?: Record<string, string>;
}

/** The settings with every default filled in. */
export interface ClusterRoot {
  cluster: string;
  /** Relative to the repository root, without `./` or a trailing `/`. */
  path: string;
  branch: string;
  root: { name: string; namespace: string };
  variables: Record<string, string>;
}

export const DEFAULT_ROOT = { namespace: 'flux-system', name: 'flux-system' } as const;

export function resolveClusterRoot(
  cluster: string,
  settings: ClusterRootSettings | undefined,
  fleetBranch: string,
): ClusterRoot {
  return {
    cluster,
    path: normalizeFleetPath(settings?.path ?? `clusters/${cluster}`),
    branch: settings?.branch ?? fleetBranch,
    root: {
      name: settings?.root?.name ?? DEFAULT_ROOT.name,
      namespace: settings?.root?.namespace ?? DEFAULT_ROOT.namespace,
    },
    variables: { ...settings?.variables },
  };
}

/** `./clusters/prod/` and `clusters/prod` are one directory; Flux writes the first, people type the second. */
export function normalizeFleetPath(path: string): string {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  return parts.join('/');
}

const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
/** Flux's postBuild variable names (kustomize-controller's varsub: letters, digits, underscores). */
const VARIABLE = /^[_a-zA-Z][_a-zA-Z0-9]*$/;
/** A Git branch name as git check-ref-format allows it, without the rarely used corners. */
const BRANCH = /^(?!\/|.*\/\/|.*\.\.|.*@\{|.*\.lock$|.*\/$|.*\.$)[^\s~^:?*[\\]+$/;
const CONTROL = /\p{Cc}/u;

/**
 * Problems of one cluster's settings, each naming the setting (`at`, e.g. `clusters[0].fleet`) and the fix.
 * Pure, so sluice.config.ts validation, the function environment and `sluice serve` flags share it.
 */
export function clusterRootProblems(at: string, settings: ClusterRootSettings | undefined): string[] {
  if (settings === undefined) return [];
  const problems: string[] = [];
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings))
    return [`${at} must be an object ({ path, branch, root, variables })`];
  const known = new Set(['path', 'branch', 'root', 'variables']);
  for (const key of Object.keys(settings))
    if (!known.has(key)) problems.push(`${at}.${key} is not a setting: use path, branch, root or variables`);
  if (settings.path !== undefined) {
    const path = settings.path;
    if (typeof path !== 'string' || normalizeFleetPath(path) === '')
      problems.push(`${at}.path must name a directory of the fleet, e.g. "clusters/prod"`);
    else if (
      path.startsWith('/') ||
      path.split('/').includes('..') ||
      /[\s\\]/.test(path) ||
      CONTROL.test(path)
    )
      problems.push(
        `${at}.path ${JSON.stringify(path)} must be relative to the repository root, without "..", spaces or backslashes`,
      );
  }
  if (
    settings.branch !== undefined &&
    (typeof settings.branch !== 'string' || !BRANCH.test(settings.branch) || CONTROL.test(settings.branch))
  )
    problems.push(`${at}.branch ${JSON.stringify(settings.branch)} is not a Git branch name`);
  const root = settings.root;
  if (root !== undefined) {
    if (typeof root !== 'object' || root === null)
      problems.push(`${at}.root must be { name, namespace } (default flux-system/flux-system)`);
    else {
      if (root.name !== undefined && !SUBDOMAIN.test(String(root.name)))
        problems.push(`${at}.root.name ${JSON.stringify(root.name)} must be a DNS-1123 subdomain`);
      if (root.namespace !== undefined && !LABEL.test(String(root.namespace)))
        problems.push(`${at}.root.namespace ${JSON.stringify(root.namespace)} must be a DNS-1123 label`);
    }
  }
  const variables = settings.variables;
  if (variables !== undefined) {
    if (typeof variables !== 'object' || variables === null || Array.isArray(variables))
      problems.push(`${at}.variables must map variable names to strings ({ CLUSTER_ENV: "prod" })`);
    else
      for (const [name, value] of Object.entries(variables)) {
        if (!VARIABLE.test(name))
          problems.push(
            `${at}.variables: ${JSON.stringify(name)} is not a postBuild variable name (letters, digits and _, not starting with a digit)`,
          );
        if (typeof value !== 'string')
          problems.push(`${at}.variables.${name} must be a string (quote numbers and booleans)`);
      }
  }
  return problems;
}
