// Flux's kustomization generator scan (FLUX-RENDER §1): which files and directories under the path become
// `resources` when the path has no kustomization file; every YAML file found must be Kubernetes objects.
import { parseAllDocuments } from 'yaml';
import { SluiceError } from '../errors.ts';
import { KUSTOMIZATION_FILE_NAMES } from './kustomize-fields.ts';
import type { TreeReader } from './tree-reader.ts';

/** The first recognised kustomization file in `dir` (regular file), or undefined. */
export function findKustomizationFile(reader: TreeReader, dir: string): string | undefined {
  const entries = reader.list(dir);
  for (const name of KUSTOMIZATION_FILE_NAMES) {
    const entry = entries.find((e) => e.name === name);
    // A symlink counts when it resolves to a regular file (the snapshot only keeps links inside the repo).
    if (
      entry &&
      (entry.type === 'file' || (entry.type === 'symlink' && reader.stat(`${dir}/${name}`) === 'file'))
    ) {
      return `${dir}/${name}`;
    }
  }
  return undefined;
}

/**
 * Resource entries for a generated kustomization: `./file.yaml`, `./sub/dir` (a directory holding its own
 * kustomization file, not descended). Lexical order, as Go's filepath.Walk. `displayRoot` prefixes paths
 * in error messages (the path relative to the repository).
 */
export function scanManifests(reader: TreeReader, dirPath: string, displayRoot: string): string[] {
  const resources: string[] = [];
  const walk = (dir: string, rel: string): void => {
    const entries = [...reader.list(dir)].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = `${dir}/${entry.name}`;
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.type === 'dir') {
        if (findKustomizationFile(reader, path)) resources.push(`./${relPath}`);
        else walk(path, relPath);
        continue;
      }
      if (!entry.name.endsWith('.yaml') && !entry.name.endsWith('.yml')) continue;
      if (reader.stat(path) !== 'file') continue; // symlinked directories are not followed, as filepath.Walk
      assertKubernetesYaml(reader.readText(path), joinDisplay(displayRoot, relPath));
      resources.push(`./${relPath}`);
    }
  };
  walk(dirPath, '');
  return resources;
}

function joinDisplay(root: string, rel: string): string {
  return root && root !== '.' ? `${root}/${rel}` : rel;
}

/** Every non-empty document must be an object with kind and metadata.name, as kustomize's factory demands. */
export function assertKubernetesYaml(text: string, file: string): void {
  const fail = (why: string): never => {
    throw new SluiceError(
      'BuildFailed',
      `failed to decode Kubernetes YAML from ${file}: ${why.replace(/:\s*$/, '')}; fix the file, or add a kustomization.yaml or .sourceignore entry that leaves it out`,
      { file },
    );
  };
  const docs = parseAllDocuments(text);
  docs.forEach((doc, i) => {
    const where = docs.length > 1 ? `document ${i + 1}: ` : '';
    if (doc.errors[0]) fail(`${where}${doc.errors[0].message.split('\n')[0]}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    if (typeof value !== 'object' || Array.isArray(value)) fail(`${where}not a Kubernetes object`);
    const obj = value as Record<string, unknown>;
    if (typeof obj.kind !== 'string' || obj.kind === '') fail(`${where}missing kind`);
    if (obj.kind === 'List' || (obj.kind as string).endsWith('List')) return;
    const meta = obj.metadata as Record<string, unknown> | undefined;
    if (!meta || typeof meta.name !== 'string' || meta.name === '') {
      fail(`${where}${obj.kind as string} is missing metadata.name`);
    }
  });
}
