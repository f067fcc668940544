// Helm repository indexes as HelmChart reads them: index.yaml (YAML or JSON, bounded) parsed into each
// chart's valid versions, newest first (helm's SortEntries), and the version a range picks chosen the way
// source-controller chooses it: the exact string first, then the newest match; `*` or empty: newest stable.
import semver from 'semver';
import { parse } from 'yaml';
import type { ChartVersionEntry } from '../../ports/helm-repository.ts';
import { SluiceError } from '../errors.ts';
import { redactUrl } from '../git/select-ref.ts';
import { parseRange, parseTagVersion } from '../git/semver-range.ts';
import { formatBytes } from '../git/snapshot-limits.ts';
import { editDistance } from '../text/closest-match.ts';
import { rawIndexFromDocument } from './index-document.ts';
import { type RawChartVersion, type RawIndex, readIndexYaml } from './index-yaml-reader.ts';

/** Public indexes run to 20–30 MB; past this, an index is refused rather than parsed. */
export const MAX_INDEX_BYTES = 64 * 1024 * 1024;

export interface IndexedChartVersion extends ChartVersionEntry {
  /** The version normalised as semver (no `v`, no leading zeros), for comparisons. */
  semver: string;
  /** The index's `created` time, which orders versions equal but for build metadata. */
  created?: string;
}

export interface ChartIndex {
  apiVersion: string;
  /** Chart name → its versions with a valid semver, newest first. */
  entries: ReadonlyMap<string, readonly IndexedChartVersion[]>;
}

/** `repositoryUrl`, when given, names the repository in errors (credentials redacted). */
export function parseChartIndex(bytes: Buffer, repositoryUrl?: string): ChartIndex {
  const where = repositoryUrl ? ` of ${redactUrl(repositoryUrl)}` : '';
  if (bytes.length > MAX_INDEX_BYTES) {
    throw new SluiceError(
      'LimitExceeded',
      `index.yaml${where} is ${formatBytes(bytes.length)}, more than the ${formatBytes(MAX_INDEX_BYTES)} an index may have`,
      { field: 'spec.url' },
    );
  }
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  const raw = readRaw(text, where);
  if (!raw.apiVersion) throw notAnIndex(where, 'it has no apiVersion');
  const entries = new Map<string, IndexedChartVersion[]>();
  for (const [name, versions] of raw.entries) entries.set(name, sortedVersions(name, versions));
  return { apiVersion: raw.apiVersion, entries };
}

function readRaw(text: string, where: string): RawIndex {
  // JSON (`helm repo index --json`) is YAML too, but JSON.parse reads it exactly and far faster.
  if (/^\s*\{/.test(text)) {
    try {
      return orNotAnIndex(rawIndexFromDocument(JSON.parse(text)), where);
    } catch (err) {
      if (err instanceof SluiceError) throw err;
      // Not strict JSON (a flow mapping in YAML, say): the YAML parser decides.
    }
  }
  const fast = readIndexYaml(text);
  if (fast) return fast;
  let doc: unknown;
  try {
    // Failsafe keeps every scalar as its text, as helm's string fields do (`1.10` stays `1.10`); the
    // parser's default alias limit stops alias bombs.
    doc = parse(text, { schema: 'failsafe', merge: true });
  } catch (err) {
    const reason = err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
    throw notAnIndex(where, `it is not valid YAML (${reason})`);
  }
  return orNotAnIndex(rawIndexFromDocument(doc), where);
}

function orNotAnIndex(raw: RawIndex | string, where: string): RawIndex {
  if (typeof raw === 'string') throw notAnIndex(where, raw);
  return raw;
}

function notAnIndex(where: string, why: string): SluiceError {
  return new SluiceError(
    'SourceFetchFailed',
    `index.yaml${where} is not a Helm repository index: ${why}; is spec.url a Helm repository?`,
    { field: 'spec.url' },
  );
}

/** Versions that parse as semver, newest first; equal versions (build metadata aside) newest-created first. */
function sortedVersions(name: string, versions: readonly RawChartVersion[]): IndexedChartVersion[] {
  const keyed: { parsed: semver.SemVer; created: number; entry: IndexedChartVersion }[] = [];
  for (const v of versions) {
    const normalized = v.version === undefined ? undefined : parseTagVersion(v.version);
    if (normalized === undefined || v.version === undefined) continue;
    const entry: IndexedChartVersion = {
      name: v.name ?? name,
      version: v.version,
      semver: normalized,
      urls: v.urls,
      ...(v.digest !== undefined && { digest: v.digest }),
      ...(v.created !== undefined && { created: v.created }),
    };
    const created = v.created === undefined ? Number.NaN : Date.parse(v.created);
    keyed.push({
      parsed: new semver.SemVer(normalized),
      created: Number.isNaN(created) ? 0 : created,
      entry,
    });
  }
  keyed.sort((a, b) => b.parsed.compare(a.parsed) || b.created - a.created);
  return keyed.map((k) => k.entry);
}

/**
 * The version of chart `name` that `range` picks. Exact version strings win (as in source-controller),
 * then the newest version the Masterminds range admits; `*` or empty admits stable versions only.
 */
export function selectChartVersion(
  index: ChartIndex,
  name: string,
  range: string,
  repositoryUrl?: string,
): ChartVersionEntry {
  const where = repositoryUrl ? ` in ${redactUrl(repositoryUrl)}` : '';
  const versions = index.entries.get(name);
  if (!versions) {
    throw new SluiceError(
      'ArtifactNotFound',
      `chart '${name}' not found${where}; ${chartsThere(index, name)}; check spec.chart`,
      { field: 'spec.chart' },
    );
  }
  const wanted = range.trim();
  const exact = wanted === '' ? undefined : versions.find((v) => v.version === wanted);
  if (exact) return entryOf(exact);
  const admits = parseRange(wanted === '' ? '*' : wanted);
  if (!admits) {
    throw new SluiceError(
      'ValidationFailed',
      `'${range}' is not a version or semver range; use a version (1.2.3) or a range such as '>=1.0.0 <2.0.0', '~1.2' or '^1'`,
      { field: 'spec.version' },
    );
  }
  const found = versions.find((v) => admits.test(v.semver));
  if (!found) {
    const newest = versions.slice(0, 5).map((v) => v.version);
    const seen = newest.length === 0 ? 'it has no valid versions' : `newest versions: ${newest.join(', ')}`;
    throw new SluiceError(
      'ArtifactNotFound',
      `no version of chart '${name}'${where} matches '${wanted === '' ? '*' : wanted}' (${seen}); change spec.version or publish a matching version`,
      { field: 'spec.version' },
    );
  }
  return entryOf(found);
}

function entryOf(v: IndexedChartVersion): ChartVersionEntry {
  return {
    name: v.name,
    version: v.version,
    urls: [...v.urls],
    ...(v.digest !== undefined && { digest: v.digest }),
  };
}

/** A few chart names of the index, the ones nearest to the name asked for first. */
function chartsThere(index: ChartIndex, name: string): string {
  const names = [...index.entries.keys()];
  if (names.length === 0) return 'the index has no charts';
  const nearest = names
    .map((n) => ({ n, d: editDistance(name.toLowerCase(), n.toLowerCase()) }))
    .sort((a, b) => a.d - b.d || a.n.localeCompare(b.n))
    .slice(0, 8)
    .map((x) => x.n);
  const more = names.length > nearest.length ? ` (${names.length} charts in all)` : '';
  return `charts there include ${nearest.join(', ')}${more}`;
}
