// spec.pathPattern directory discovery, as source-watcher does it: `@alias/apps/{app}/envs/{env}` matched
// against every directory of that source; each match renders the artifacts as templates (names from the
// lowercased captures, copy paths from the captures as written). Pure.
import type { OutputArtifact } from '../../api/artifact-generator.ts';
import { SluiceError } from '../errors.ts';
import type { SourceTree } from './source-tree.ts';

const CAPTURE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Kubernetes label values: the captures become the ExternalArtifacts' labels. */
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
/** Label key names (the part after an optional prefix): the capture names become label keys. */
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export interface ParsedPathPattern {
  alias: string;
  /** The pattern after `@alias/`. */
  pattern: string;
}

export interface DiscoveredArtifact extends OutputArtifact {
  /** The lowercased captures: the ExternalArtifact's labels in Flux. */
  labels: Record<string, string>;
}

/** `@alias/<pattern>`; a bad form is a ValidationFailed naming spec.pathPattern. */
export function parsePathPattern(pathPattern: string): ParsedPathPattern {
  const slash = pathPattern.indexOf('/');
  if (!pathPattern.startsWith('@') || slash < 0) throw invalid(pathPattern, `expected "@<alias>/<pattern>"`);
  const pattern = pathPattern.slice(slash + 1);
  checkCaptures(pathPattern, pattern);
  return { alias: pathPattern.slice(1, slash), pattern };
}

/** More artifacts than this from one generator is a runaway pattern (its CRD allows 1000 templates). */
export const MAX_DISCOVERED_ARTIFACTS = 1000;

/** Every directory of `tree` that the pattern matches, in walk order, each rendering every artifact. */
export function discoverArtifacts(
  pathPattern: string,
  artifacts: readonly OutputArtifact[],
  tree: SourceTree,
  maxArtifacts = MAX_DISCOVERED_ARTIFACTS,
): DiscoveredArtifact[] {
  const { pattern } = parsePathPattern(pathPattern);
  const names: string[] = [];
  const source = pattern.replace(/\{([^}]*)\}|[\\^$.*+?()[\]{}|/]/g, (m, name: string | undefined) => {
    if (name === undefined) return `\\${m}`;
    names.push(name);
    return '([^/]+)';
  });
  for (const name of names)
    if (!LABEL_NAME.test(name) || name.length > 63)
      throw invalid(
        pathPattern,
        `capture variable ${JSON.stringify(name)} is not a valid Kubernetes label key`,
      );
  const matcher = new RegExp(`^${source}$`);
  const out: DiscoveredArtifact[] = [];
  const seen = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const name of tree.list(dir)) {
      const path = dir === '.' ? name : `${dir}/${name}`;
      if (tree.get(path)?.type !== 'dir') continue;
      const m = matcher.exec(path);
      if (m) {
        const raw: Record<string, string> = {};
        const labels: Record<string, string> = {};
        names.forEach((n, i) => {
          raw[n] = m[i + 1] as string;
          labels[n] = (m[i + 1] as string).toLowerCase();
        });
        for (const [k, v] of Object.entries(labels))
          if (v.length > 63 || !LABEL_VALUE.test(v))
            throw invalid(
              pathPattern,
              `captured value ${JSON.stringify(v)} for variable ${JSON.stringify(k)} is not a valid Kubernetes label value`,
            );
        for (const artifact of artifacts) {
          const rendered = render(pathPattern, artifact, labels, raw);
          if (!DNS_SUBDOMAIN.test(rendered.name) || rendered.name.length > 253)
            throw invalid(
              pathPattern,
              `rendered artifact name ${JSON.stringify(rendered.name)} is not a valid Kubernetes object name`,
            );
          const before = seen.get(rendered.name);
          if (before !== undefined)
            throw invalid(
              pathPattern,
              `directories ${JSON.stringify(before)} and ${JSON.stringify(path)} both resolve to artifact name ${JSON.stringify(rendered.name)}`,
            );
          seen.set(rendered.name, path);
          out.push(rendered);
          if (out.length > maxArtifacts)
            throw new SluiceError(
              'LimitExceeded',
              `spec.pathPattern ${JSON.stringify(pathPattern)} matches more than ${maxArtifacts} artifacts; narrow the pattern`,
              { field: 'spec.pathPattern' },
            );
        }
      }
      walk(path);
    }
  };
  walk('.');
  return out;
}

function render(
  pathPattern: string,
  artifact: OutputArtifact,
  labels: Record<string, string>,
  raw: Record<string, string>,
): DiscoveredArtifact {
  const fill = (template: string, data: Record<string, string>) => {
    try {
      return renderTemplate(template, data);
    } catch (err) {
      throw invalid(pathPattern, `artifact ${JSON.stringify(artifact.name)}: ${(err as Error).message}`);
    }
  };
  return {
    ...artifact,
    name: fill(artifact.name, labels),
    copy: artifact.copy.map((op) => ({ ...op, from: fill(op.from, raw), to: fill(op.to, raw) })),
    labels,
  };
}

/** `{name}` replaced by its capture; any other brace is an error, as in source-watcher. */
export function renderTemplate(template: string, data: Record<string, string>): string {
  return template.replace(/\{([^}]*)\}|\{|\}/g, (m, name: string | undefined) => {
    if (name === undefined) throw new Error(`template ${JSON.stringify(template)} has an unmatched "${m}"`);
    if (!CAPTURE_NAME.test(name))
      throw new Error(`template ${JSON.stringify(template)}: ${JSON.stringify(name)} is not a capture name`);
    const value = data[name];
    if (value === undefined)
      throw new Error(
        `template ${JSON.stringify(template)}: capture variable ${JSON.stringify(name)} is not defined by pathPattern`,
      );
    return value;
  });
}

function checkCaptures(pathPattern: string, pattern: string): void {
  const seen = new Set<string>();
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '}') throw invalid(pathPattern, `a "}" at offset ${i} has no opening brace`);
    if (pattern[i] !== '{') continue;
    const end = pattern.indexOf('}', i + 1);
    if (end < 0) throw invalid(pathPattern, `a "{" at offset ${i} is not closed`);
    const name = pattern.slice(i + 1, end);
    if (!CAPTURE_NAME.test(name))
      throw invalid(
        pathPattern,
        `capture variable ${JSON.stringify(name)} must match [A-Za-z_][A-Za-z0-9_]*`,
      );
    if (seen.has(name)) throw invalid(pathPattern, `duplicate capture variable ${JSON.stringify(name)}`);
    seen.add(name);
    i = end;
  }
}

function invalid(pathPattern: string, why: string): SluiceError {
  return new SluiceError('ValidationFailed', `spec.pathPattern ${JSON.stringify(pathPattern)}: ${why}`, {
    field: 'spec.pathPattern',
  });
}
