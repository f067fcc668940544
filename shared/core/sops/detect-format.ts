// sops' format choice by file name (cmd/sops/formats `FormatForPath`, SPEC-SOPS §9.3): by extension only,
// anything unknown is the binary store.
import type { SopsFormat } from './store.ts';

export function detectFormat(fileName: string): SopsFormat {
  // Case-sensitive, as sops' strings.HasSuffix: `.YAML` is binary.
  const lower = fileName;
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'yaml';
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.env')) return 'dotenv';
  if (lower.endsWith('.ini')) return 'ini';
  return 'binary';
}
