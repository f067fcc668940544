// Chart.yaml (and a v1 chart's requirements.yaml, Chart.lock / requirements.lock) read the way Helm
// validates them: a name that is a plain file name, a semver version, and the declared dependencies.
import { parse } from 'yaml';
import { SluiceError } from '../errors.ts';
import { parseTagVersion } from '../git/semver-range.ts';

export interface ChartDependency {
  name: string;
  /** A semver range (Chart.yaml) or an exact version (a lock file); empty = any. */
  version: string;
  /** `https://…`, `oci://…`, `file://…`, or empty for a chart already in `charts/`. */
  repository: string;
  alias?: string;
}

export interface ChartMetadata {
  apiVersion: string;
  name: string;
  version: string;
  dependencies: ChartDependency[];
}

/** Parses and validates Chart.yaml text; `where` names the file in errors. */
export function parseChartMetadata(text: string, where: string): ChartMetadata {
  const doc = parseYamlMap(text, where);
  const apiVersion = typeof doc.apiVersion === 'string' ? doc.apiVersion : '';
  if (apiVersion !== 'v1' && apiVersion !== 'v2') {
    throw invalid(where, `apiVersion ${JSON.stringify(doc.apiVersion ?? '')} is not v1 or v2`);
  }
  const name = typeof doc.name === 'string' ? doc.name : '';
  if (!isChartName(name)) {
    throw invalid(where, `name ${JSON.stringify(doc.name ?? '')} is not a valid chart name`);
  }
  const version = typeof doc.version === 'string' ? doc.version : String(doc.version ?? '');
  if (parseTagVersion(version) === undefined) {
    throw invalid(where, `version ${JSON.stringify(version)} is not a semantic version (MAJOR.MINOR.PATCH)`);
  }
  return { apiVersion, name, version, dependencies: parseDependencyList(doc.dependencies, where) };
}

/** `dependencies:` of requirements.yaml or a lock file. */
export function parseDependencyFile(text: string, where: string): ChartDependency[] {
  return parseDependencyList(parseYamlMap(text, where).dependencies, where);
}

function parseDependencyList(value: unknown, where: string): ChartDependency[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalid(where, 'dependencies is not a list');
  return value.map((item, i) => {
    if (item === null || typeof item !== 'object') throw invalid(where, `dependencies[${i}] is not a map`);
    const d = item as Record<string, unknown>;
    const name = typeof d.name === 'string' ? d.name : '';
    if (!isChartName(name)) {
      throw invalid(
        where,
        `dependencies[${i}].name ${JSON.stringify(d.name ?? '')} is not a valid chart name`,
      );
    }
    const alias = typeof d.alias === 'string' && d.alias !== '' ? d.alias : undefined;
    if (alias !== undefined && !isChartName(alias)) {
      throw invalid(where, `dependencies[${i}].alias ${JSON.stringify(alias)} is not a valid chart name`);
    }
    return {
      name,
      version: d.version === undefined || d.version === null ? '' : String(d.version),
      repository: typeof d.repository === 'string' ? d.repository.trim() : '',
      ...(alias === undefined ? {} : { alias }),
    };
  });
}

/** A name Helm accepts as a chart directory: one path segment, no traversal, printable. */
export function isChartName(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/.test(name) && !name.includes('..');
}

export function parseYamlMap(text: string, where: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 100 });
  } catch (err) {
    throw invalid(where, `is not valid YAML (${(err as Error).message.split('\n')[0]})`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw invalid(where, 'is not a YAML map');
  return doc as Record<string, unknown>;
}

function invalid(where: string, why: string): SluiceError {
  return new SluiceError('ValidationFailed', `${where}: ${why}`, { file: where });
}
