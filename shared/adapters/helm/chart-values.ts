// spec.valuesFiles: merged in order (later wins, maps merged deeply) and written as the chart's
// values.yaml, replacing it, as Flux does. Paths are relative to `root` and may not leave it.
import { readFile, realpath, writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import { parseYamlMap } from '../../core/chart/chart-metadata.ts';
import { mergeValues, type Values } from '../../core/chart/merge-values.ts';
import { SluiceError } from '../../core/errors.ts';
import { isWithin, secureJoin } from '../../core/paths/secure-join.ts';

const MAX_VALUES_FILE_BYTES = 16 * 1024 * 1024;

/**
 * Returns the values files that contributed (missing ones skipped when `ignoreMissing`). With no values
 * files the chart's values.yaml is left alone; otherwise it becomes the merge, even an empty one.
 */
export async function writeMergedValues(
  chartDir: string,
  root: string,
  files: readonly string[],
  ignoreMissing: boolean,
  rootName: string,
): Promise<string[]> {
  if (files.length === 0) return [];
  const realRoot = await realpath(root);
  let merged: Values = {};
  const used: string[] = [];
  for (const file of files) {
    const text = await readValuesFile(realRoot, file, rootName);
    if (text === undefined) {
      if (ignoreMissing) continue;
      throw new SluiceError(
        'PathNotFound',
        `values file ${JSON.stringify(file)} was not found in the ${rootName}; fix spec.valuesFiles or set spec.ignoreMissingValuesFiles`,
        { field: 'spec.valuesFiles', file },
      );
    }
    merged = mergeValues(merged, parseYamlMap(text, `values file ${file}`));
    used.push(file);
  }
  const text = Object.keys(merged).length === 0 ? '' : stringify(merged, { sortMapEntries: true });
  await writeFile(`${chartDir}/values.yaml`, text);
  return used;
}

async function readValuesFile(realRoot: string, file: string, rootName: string): Promise<string | undefined> {
  const joined = secureJoin(realRoot, file, 'spec.valuesFiles entry');
  let real: string;
  try {
    real = await realpath(joined);
  } catch {
    return undefined;
  }
  if (!isWithin(realRoot, real)) {
    throw new SluiceError(
      'PathEscapesRoot',
      `values file ${JSON.stringify(file)} leads outside the ${rootName} through a symlink`,
      { field: 'spec.valuesFiles', file },
    );
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(real);
  } catch {
    return undefined;
  }
  if (bytes.length > MAX_VALUES_FILE_BYTES) {
    throw new SluiceError('LimitExceeded', `values file ${JSON.stringify(file)} is larger than 16 MiB`, {
      file,
    });
  }
  return bytes.toString('utf8');
}
