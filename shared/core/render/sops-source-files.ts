// Flux's pre-build walk (DecryptSources / recurseKustomizationFiles, FLUX-RENDER §4.1): which source files
// hold SOPS documents to decrypt in place before kustomize runs, plus (Sluice only) the resource files whose
// MAC is checked in the form they were committed, since kustomize's rewrite breaks it after the build.
import { posix } from 'node:path';
import { SluiceError } from '../errors.ts';
import { isWithin, normalizeInside } from '../paths/secure-join.ts';
import {
  formatForPath,
  hasSopsMarker,
  isDecryptionDisabled,
  MAX_ENCRYPTED_FILE_SIZE,
} from '../sops/flux-markers.ts';
import type { SopsFormat } from '../sops/store.ts';
import { findKustomizationFile } from './generate-resources.ts';
import { parseKustomization } from './guard-kustomize-tree.ts';
import type { TreeReader } from './tree-reader.ts';
import { parseYaml11, splitDocuments } from './yaml-codec.ts';

export interface SopsSourceFile {
  /** Absolute path in the snapshot. */
  path: string;
  /** Path relative to the repository root (errors and the workspace). */
  rel: string;
  format: SopsFormat;
  /** `decrypt`: replaced by its plaintext for the build; `verify`: a resource decrypted after the build. */
  role: 'decrypt' | 'verify';
  text: string;
}

type Raw = Record<string, unknown>;

/** `root` is the snapshot root, `dir` the build directory, `kustomization` its (merged) kustomization. */
export function sopsSourceFiles(
  tree: TreeReader,
  root: string,
  dir: string,
  kustomization: Raw,
): SopsSourceFile[] {
  const found = new Map<string, SopsSourceFile>();
  const seenDirs = new Set<string>();
  const realRoot = tree.realpath(root);

  const resolve = (base: string, entry: string): string | undefined => {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(entry) || entry.startsWith('git@')) return undefined;
    const rel = normalizeInside(posix.join(posix.relative(root, base), entry));
    if (rel === undefined) return undefined;
    const path = rel ? `${root}/${rel}` : root;
    if (tree.stat(path) === 'missing' || !isWithin(realRoot, tree.realpath(path))) return undefined;
    return path;
  };
  const add = (path: string | undefined, format: SopsFormat, role: SopsSourceFile['role']): void => {
    if (!path || found.has(path) || tree.stat(path) !== 'file') return;
    const text = tree.readText(path);
    if (!hasSopsMarker(text, format)) return;
    // An object opted out of decryption is shipped as written (the cluster may decrypt it): no MAC check.
    if (role === 'verify' && allOptedOut(text)) return;
    const rel = posix.relative(root, path);
    // Refused rather than shipped still encrypted (Flux's maxEncryptedFileSize).
    if (Buffer.byteLength(text) > MAX_ENCRYPTED_FILE_SIZE)
      throw new SluiceError(
        'DecryptionFailed',
        `${rel}: a SOPS file larger than ${MAX_ENCRYPTED_FILE_SIZE / 1024 ** 2} MiB is not decrypted; split it`,
        { file: rel },
      );
    found.set(path, { path, rel, format, role, text });
  };

  const visit = (base: string, k: Raw): void => {
    for (const gen of list(k.secretGenerator)) {
      for (const entry of strings((gen as Raw).files)) {
        const eq = entry.indexOf('=');
        const file = eq >= 0 ? entry.slice(eq + 1) : entry;
        const key = eq >= 0 ? entry.slice(0, eq) : posix.basename(file);
        add(resolve(base, file), formatForPath(key), 'decrypt');
      }
      const envs = [...strings((gen as Raw).envs), ...strings([(gen as Raw).env])];
      for (const file of envs) {
        const format = formatForPath(file);
        add(resolve(base, file), format === 'binary' ? 'dotenv' : format, 'decrypt');
      }
    }
    for (const patch of list(k.patches)) {
      const file = (patch as Raw).path;
      if (typeof file === 'string') add(resolve(base, file), formatForPath(file), 'decrypt');
    }
    for (const entry of [...strings(k.resources), ...strings(k.components)]) {
      const path = resolve(base, entry);
      if (!path) continue;
      if (tree.stat(path) === 'dir') visitDir(path);
      else {
        const format = formatForPath(path);
        if (format === 'yaml' || format === 'json') add(path, format, 'verify');
      }
    }
  };
  const visitDir = (path: string): void => {
    if (seenDirs.has(path)) return;
    seenDirs.add(path);
    const file = findKustomizationFile(tree, path);
    if (file) visit(path, parseKustomization(tree.readText(file), posix.relative(root, file)));
  };

  seenDirs.add(dir);
  visit(dir, kustomization);
  return [...found.values()];
}

/** Every document of a resource file carries kustomize.toolkit.fluxcd.io/decrypt: disabled. */
function allOptedOut(text: string): boolean {
  const docs = splitDocuments(text).map((doc) => parseYaml11(doc));
  return (
    docs.length > 0 &&
    docs.every((doc) => {
      if ('error' in doc) return false;
      const meta = (doc.value as Raw | null)?.metadata as Raw | undefined;
      return isDecryptionDisabled(meta?.annotations);
    })
  );
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value.filter((v) => typeof v === 'object' && v !== null) : [];
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
