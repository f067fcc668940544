// Before kustomize runs: follow every kustomization and plugin configuration reachable from the build path
// and refuse remote references (unless enabled, then https only) and any file reference that resolves
// outside the repository, symlink chains included. Returns every file the build can read.
import { posix } from 'node:path';
import { parse } from 'yaml';
import { SluiceError } from '../errors.ts';
import { isWithin } from '../paths/secure-join.ts';
import { assertExactFields, assertNoMergeKeys } from './exact-fields.ts';
import { findKustomizationFile } from './generate-resources.ts';
import { isLocalRelativePath } from './merge-kustomization.ts';
import { inlinePluginConfigs, parsePluginConfigs, pluginConfigPaths } from './plugin-config-paths.ts';
import type { TreeReader } from './tree-reader.ts';

type Raw = Record<string, unknown>;

export interface GuardOptions {
  root: string;
  allowRemoteBases: boolean;
}

/** What the build can read: the kustomization directories visited, the files referenced, remote URLs. */
export interface BuildInputs {
  dirs: string[];
  files: string[];
  /** Remote references (only when remote bases are enabled); their hosts are checked before the build. */
  remotes: string[];
}

/** How a referenced path is used by kustomize, which decides what the guard follows into. */
type Use = 'resource' | 'plugin' | 'file';

/**
 * A kustomization reached through `generators`/`transformers`/`validators` produces plugin configurations.
 * Anything beyond listing resources could rewrite them after the guard read them (a patch adding
 * `files: [/etc/passwd]`, a prefix turning `passwd` into `/etc/passwd`), so only these fields are allowed.
 */
const PLUGIN_DIR_FIELDS = new Set([
  'apiVersion',
  'kind',
  'metadata',
  'resources',
  'sortOptions',
  'commonAnnotations',
  'buildMetadata',
]);

const HELM_FIELDS = ['helmCharts', 'helmChartInflationGenerator', 'helmGlobals'];

/** Every field the guard reads; a spelling kustomize would take for one of them is refused. */
const KUSTOMIZATION_FIELDS = [
  'resources',
  'components',
  'bases',
  'crds',
  'configurations',
  'generators',
  'transformers',
  'validators',
  'patchesStrategicMerge',
  'patches',
  'patchesJson6902',
  'replacements',
  'configMapGenerator',
  'secretGenerator',
  'openapi',
  ...HELM_FIELDS,
];

/** Remote forms kustomize fetches over https; ssh, plain http, `gh:` aliases and file URLs never pass. */
const HTTPS_REMOTE = /^(?:git::)?https:\/\/|^github\.com\//i;

/**
 * Walks from `dir`; `kustomization` is the (merged) root file content, already parsed. Returns the build's
 * inputs, so a render key can cover exactly what kustomize may read.
 */
export function guardKustomizeTree(
  reader: TreeReader,
  dir: string,
  kustomization: Raw,
  opts: GuardOptions,
): BuildInputs {
  const realRoot = reader.realpath(opts.root);
  const seen = new Set<string>();
  const seenPluginFiles = new Set<string>();
  const inputs: BuildInputs = { dirs: [dir], files: [], remotes: [] };
  const display = (p: string) => posix.relative(opts.root, p) || '.';

  /** Resolves `ref` from `base`; returns the path and what is there, or throws when it leaves the root. */
  const resolve = (ref: string, base: string, file: string, field: string) => {
    if (ref.startsWith('/') || /^file:\/\//i.test(ref)) {
      // Absolute paths name files on the build host (credentials included), never repository content.
      throw new SluiceError(
        'PathEscapesRoot',
        `${display(file)}: ${field}: ${JSON.stringify(ref)} points outside the repository; use a path relative to the kustomization`,
        { file: display(file), field },
      );
    }
    const target = posix.normalize(posix.join(base, ref));
    const kind = reader.stat(target);
    // realpath follows the whole chain of links, so a link to a link that leaves the tree is caught.
    const resolved = kind === 'missing' ? target : reader.realpath(target);
    if (!isWithin(opts.root, target) || (kind !== 'missing' && !isWithin(realRoot, resolved))) {
      throw new SluiceError(
        'PathEscapesRoot',
        `${display(file)}: ${field}: ${JSON.stringify(ref)} points outside the repository; reference files inside the repository only`,
        { file: display(file), field },
      );
    }
    return { target, kind, resolved };
  };

  const remote = (ref: string, file: string, field: string): boolean => {
    // Absolute paths and file URLs are path escapes, whatever the remote setting: resolve() refuses them.
    if (ref.startsWith('/') || /^file:\/\//i.test(ref)) return false;
    if (isLocalRelativePath(ref) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(ref)) return false;
    if (!opts.allowRemoteBases) {
      throw new SluiceError(
        'RemoteBaseDisabled',
        `${display(file)}: ${field}: remote reference ${JSON.stringify(ref)} is not allowed; vendor it into the repository or enable remote bases for this Sluice installation`,
        { file: display(file), field },
      );
    }
    if (!HTTPS_REMOTE.test(ref)) {
      throw new SluiceError(
        'RemoteBaseDisabled',
        `${display(file)}: ${field}: remote reference ${JSON.stringify(ref)} is not https; remote bases are fetched over https only (no ssh, plain http, git aliases or file URLs)`,
        { file: display(file), field },
      );
    }
    inputs.remotes.push(ref);
    return true;
  };

  /** Checks a plugin configuration's own paths, from the kustomization that lists it and from its file. */
  const checkPluginConfig = (config: Raw, bases: string[], file: string, where: string): void => {
    for (const ref of pluginConfigPaths(config, `${display(file)}: ${where}`)) {
      const field = `${where}.${ref.field}`;
      if (remote(ref.path, file, field)) continue;
      for (const base of new Set(bases)) {
        const { target, kind } = resolve(ref.path, base, file, field);
        if (kind === 'file') inputs.files.push(target);
      }
    }
  };

  const checkPluginFile = (path: string, listingDir: string, field: string): void => {
    const key = `${listingDir}\0${path}`;
    if (seenPluginFiles.has(key)) return;
    seenPluginFiles.add(key);
    parsePluginConfigs(reader.readText(path), display(path)).forEach((config, i) => {
      checkPluginConfig(config, [listingDir, posix.dirname(path)], path, `${field} (document ${i + 1})`);
    });
  };

  /** `pluginDir` is set when this kustomization's resources are plugin configs for that listing dir. */
  const visit = (kdir: string, k: Raw, file: string, pluginDir?: string): void => {
    assertNoMergeKeys(k, display(file));
    assertExactFields(k, KUSTOMIZATION_FIELDS, display(file));
    for (const field of HELM_FIELDS) {
      if (k[field] !== undefined && !(Array.isArray(k[field]) && k[field].length === 0)) {
        throw new SluiceError(
          'BuildFailed',
          `${display(file)}: ${field}: Helm chart inflation in kustomize is disabled, as in Flux; use a HelmRelease instead`,
          { file: display(file), field },
        );
      }
    }
    if (pluginDir !== undefined) {
      const extra = Object.keys(k).filter((f) => !PLUGIN_DIR_FIELDS.has(f));
      if (extra.length > 0) {
        throw new SluiceError(
          'BuildFailed',
          `${display(file)}: ${extra[0]}: a kustomization used as generators/transformers/validators may only list resources (Sluice checks plugin configurations as written); put the final configurations in its resources`,
          { file: display(file), field: extra[0] as string },
        );
      }
    }

    const check = (ref: string, field: string, use: Use): void => {
      if (remote(ref, file, field)) return;
      const { target, kind, resolved } = resolve(ref, kdir, file, field);
      if (kind === 'file') {
        inputs.files.push(target);
        if (use === 'plugin') checkPluginFile(target, kdir, field);
        else if (use === 'resource' && pluginDir !== undefined) checkPluginFile(target, pluginDir, field);
      }
      if (use !== 'file' && kind === 'dir' && !seen.has(`${resolved}\0${pluginDir ?? ''}\0${use}`)) {
        seen.add(`${resolved}\0${pluginDir ?? ''}\0${use}`);
        inputs.dirs.push(target);
        const child = findKustomizationFile(reader, target);
        const childPluginDir = use === 'plugin' ? kdir : pluginDir;
        if (child)
          visit(target, parseKustomization(reader.readText(child), display(child)), child, childPluginDir);
      }
    };

    for (const field of ['resources', 'components', 'bases'] as const) {
      strings(k[field]).forEach((ref, i) => {
        check(ref, `${field}[${i}]`, 'resource');
      });
    }
    for (const field of ['crds', 'configurations', 'patchesStrategicMerge']) {
      // patchesStrategicMerge entries may be inline patches; only single-line entries can be paths.
      strings(k[field]).forEach((ref, i) => {
        if (!ref.includes('\n')) check(ref, `${field}[${i}]`, 'file');
      });
    }
    for (const field of ['generators', 'transformers', 'validators']) {
      strings(k[field]).forEach((entry, i) => {
        // kustomize reads an entry as inline YAML when it parses to a mapping, one line or many.
        const inline = entry.includes('\n')
          ? parsePluginConfigs(entry, `${display(file)}: ${field}[${i}]`)
          : inlinePluginConfigs(entry);
        if (inline === undefined) {
          check(entry, `${field}[${i}]`, 'plugin');
          return;
        }
        for (const config of inline) checkPluginConfig(config, [kdir], file, `${field}[${i}]`);
      });
    }
    for (const field of ['patches', 'patchesJson6902', 'replacements']) {
      records(k[field]).forEach((p, i) => {
        assertExactFields(p, ['path'], `${display(file)}: ${field}[${i}]`);
        if (typeof p.path === 'string') check(p.path, `${field}[${i}].path`, 'file');
      });
    }
    for (const field of ['configMapGenerator', 'secretGenerator']) {
      records(k[field]).forEach((g, i) => {
        assertExactFields(g, ['files', 'envs', 'env'], `${display(file)}: ${field}[${i}]`);
        for (const ref of pluginConfigPaths({ ...g, kind: 'ConfigMapGenerator' }, display(file))) {
          check(ref.path, `${field}[${i}].${ref.field}`, 'file');
        }
      });
    }
    const openapi = k.openapi as Raw | undefined;
    if (openapi && typeof openapi === 'object')
      assertExactFields(openapi, ['path'], `${display(file)}: openapi`);
    if (openapi && typeof openapi.path === 'string') check(openapi.path, 'openapi.path', 'file');
  };

  seen.add(`${reader.realpath(dir)}\0\0resource`);
  visit(dir, kustomization, `${dir}/kustomization.yaml`);
  return inputs;
}

export function parseKustomization(text: string, file: string): Raw {
  let value: unknown;
  try {
    value = parse(text, { maxAliasCount: 100 });
  } catch (err) {
    throw new SluiceError('BuildFailed', `${file}: invalid YAML: ${(err as Error).message.split('\n')[0]}`, {
      file,
      cause: err,
    });
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new SluiceError('BuildFailed', `${file}: expected a kustomization (a YAML mapping)`, { file });
  }
  return value as Raw;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function records(value: unknown): Raw[] {
  return Array.isArray(value) ? value.filter((v): v is Raw => typeof v === 'object' && v !== null) : [];
}
