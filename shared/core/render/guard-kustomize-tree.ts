// Before kustomize runs: follow every kustomization reachable from the build path and refuse remote
// bases (unless enabled) and any file reference that resolves outside the repository, symlinks included.
import { posix } from 'node:path';
import { parse } from 'yaml';
import { SluiceError } from '../errors.ts';
import { isWithin } from '../paths/secure-join.ts';
import { findKustomizationFile } from './generate-resources.ts';
import { isLocalRelativePath } from './merge-kustomization.ts';
import type { TreeReader } from './tree-reader.ts';

type Raw = Record<string, unknown>;

export interface GuardOptions {
  root: string;
  allowRemoteBases: boolean;
}

/** What the build can read: the kustomization directories visited and the files referenced. */
export interface BuildInputs {
  dirs: string[];
  files: string[];
}

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
  const inputs: BuildInputs = { dirs: [dir], files: [] };
  const display = (p: string) => posix.relative(opts.root, p) || '.';

  const visit = (kdir: string, k: Raw, file: string): void => {
    const check = (ref: string, field: string, recurse: boolean): void => {
      if (ref.startsWith('/') || /^file:\/\//i.test(ref)) {
        // Absolute paths name files on the build host (credentials included), never repository content.
        throw new SluiceError(
          'PathEscapesRoot',
          `${display(file)}: ${field}: ${JSON.stringify(ref)} points outside the repository; use a path relative to the kustomization`,
          { file: display(file), field },
        );
      }
      if (!isLocalRelativePath(ref) || /^[a-z][a-z0-9+.-]*:\/\//i.test(ref)) {
        if (opts.allowRemoteBases) return;
        throw new SluiceError(
          'RemoteBaseDisabled',
          `${display(file)}: ${field}: remote reference ${JSON.stringify(ref)} is not allowed; vendor it into the repository or enable remote bases for this Sluice installation`,
          { file: display(file), field },
        );
      }
      const target = posix.normalize(posix.isAbsolute(ref) ? ref : posix.join(kdir, ref));
      const kind = reader.stat(target);
      const resolved = kind === 'missing' ? target : reader.realpath(target);
      if (!isWithin(opts.root, target) || (kind !== 'missing' && !isWithin(realRoot, resolved))) {
        throw new SluiceError(
          'PathEscapesRoot',
          `${display(file)}: ${field}: ${JSON.stringify(ref)} points outside the repository; reference files inside the repository only`,
          { file: display(file), field },
        );
      }
      if (kind === 'file') inputs.files.push(target);
      if (recurse && kind === 'dir' && !seen.has(resolved)) {
        seen.add(resolved);
        inputs.dirs.push(target);
        const child = findKustomizationFile(reader, target);
        if (child) visit(target, parseKustomization(reader.readText(child), display(child)), child);
      }
    };
    for (const field of ['resources', 'components', 'bases'] as const) {
      strings(k[field]).forEach((ref, i) => {
        check(ref, `${field}[${i}]`, true);
      });
    }
    for (const field of [
      'crds',
      'configurations',
      'generators',
      'transformers',
      'validators',
      'patchesStrategicMerge',
    ]) {
      // generators/transformers may hold inline YAML documents instead of paths; only single-line entries are paths.
      strings(k[field]).forEach((ref, i) => {
        if (!ref.includes('\n'))
          check(ref, `${field}[${i}]`, field !== 'crds' && field !== 'patchesStrategicMerge');
      });
    }
    for (const field of ['patches', 'patchesJson6902', 'replacements']) {
      records(k[field]).forEach((p, i) => {
        if (typeof p.path === 'string') check(p.path, `${field}[${i}].path`, false);
      });
    }
    for (const field of ['configMapGenerator', 'secretGenerator']) {
      records(k[field]).forEach((g, i) => {
        for (const key of ['files', 'envs']) {
          strings(g[key]).forEach((entry, j) => {
            const path = key === 'files' && entry.includes('=') ? entry.slice(entry.indexOf('=') + 1) : entry;
            check(path, `${field}[${i}].${key}[${j}]`, false);
          });
        }
        if (typeof g.env === 'string') check(g.env, `${field}[${i}].env`, false);
      });
    }
    const openapi = k.openapi as Raw | undefined;
    if (openapi && typeof openapi.path === 'string') check(openapi.path, 'openapi.path', false);
    if (Array.isArray(k.helmCharts) && k.helmCharts.length > 0) {
      throw new SluiceError(
        'BuildFailed',
        `${display(file)}: helmCharts: Helm chart inflation in kustomize is disabled, as in Flux; use a HelmRelease instead`,
        { file: display(file), field: 'helmCharts' },
      );
    }
  };
  seen.add(reader.realpath(dir));
  visit(dir, kustomization, `${dir}/kustomization.yaml`);
  return inputs;
}

export function parseKustomization(text: string, file: string): Raw {
  let value: unknown;
  try {
    value = parse(text);
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
