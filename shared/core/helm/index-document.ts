// A parsed index document (JSON, or YAML read by the full parser) brought to the reader's shape: the same
// fields, the same null handling, and a problem named when the document is not an index at all.
import type { RawChartVersion, RawIndex } from './index-yaml-reader.ts';

const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);

/** A scalar as text (YAML read with the failsafe schema gives strings; JSON may give numbers). */
function text(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return NULLS.has(value) ? undefined : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The index, or a sentence saying why the document is not one. */
export function rawIndexFromDocument(doc: unknown): RawIndex | string {
  if (!isRecord(doc)) return 'the document is not a mapping';
  const entries = new Map<string, RawChartVersion[]>();
  const raw = doc.entries;
  if (raw !== undefined && raw !== null && !(typeof raw === 'string' && NULLS.has(raw))) {
    if (!isRecord(raw)) return 'entries is not a mapping of chart names';
    for (const [name, list] of Object.entries(raw)) {
      if (list === null || (typeof list === 'string' && NULLS.has(list))) {
        entries.set(name, []);
        continue;
      }
      if (!Array.isArray(list)) return `entries.${name} is not a list of chart versions`;
      const versions: RawChartVersion[] = [];
      for (const item of list) {
        if (!isRecord(item)) return `entries.${name} holds an item that is not a chart version`;
        const urls = Array.isArray(item.urls)
          ? item.urls.map(text).filter((u): u is string => u !== undefined)
          : [];
        const version: RawChartVersion = { urls };
        for (const key of ['name', 'version', 'digest', 'created'] as const) {
          const value = text(item[key]);
          if (value !== undefined) version[key] = value;
        }
        versions.push(version);
      }
      entries.set(name, versions);
    }
  }
  const apiVersion = text(doc.apiVersion);
  return apiVersion === undefined ? { entries } : { apiVersion, entries };
}
