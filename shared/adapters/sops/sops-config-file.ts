// Finds the `.sops.yaml` that governs a file as sops' LookupConfigFile does (the directory, then each parent, up
// to 100 levels; `.sops.yml` is not read, only mentioned), and reads its creation rule for that file.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import {
  type CreationRule,
  creationRuleFor,
  parseSopsConfig,
  pathForRules,
} from '../../core/sops/creation-rules.ts';

const MAX_DEPTH = 100;

export interface SopsConfigLookup {
  /** The `.sops.yaml` found, if any. */
  configFile?: string;
  /** A `.sops.yml` seen on the way that sops (and Sluice) ignore: named in errors so the fix is obvious. */
  ignoredYml?: string;
  /** The path the rules were matched against (relative to the config's directory). */
  matchedPath?: string;
  /** The first matching creation rule; undefined without a config or when no rule matches. */
  rule?: CreationRule;
}

const isFile = (path: string) => existsSync(path) && statSync(path).isFile();

/** Searches upwards from the file's own directory. */
export function findSopsConfig(file: string, context: Record<string, string> = {}): SopsConfigLookup {
  const absolute = resolve(file);
  let dir = dirname(absolute);
  let ignoredYml: string | undefined;
  for (let i = 0; i < MAX_DEPTH; i++) {
    const candidate = join(dir, '.sops.yaml');
    if (isFile(candidate)) {
      const config = parseSopsConfig(readFileSync(candidate, 'utf8'), candidate);
      const matchedPath = pathForRules(absolute, dir, sep);
      const rule = creationRuleFor(config, matchedPath, context);
      return { configFile: candidate, matchedPath, ...(rule && { rule }), ...(ignoredYml && { ignoredYml }) };
    }
    const yml = join(dir, '.sops.yml');
    if (!ignoredYml && isFile(yml)) ignoredYml = yml;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return ignoredYml ? { ignoredYml } : {};
}
