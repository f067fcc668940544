// Validates a raw ArtifactGenerator into the typed API with source-watcher's CRD rules and its controller's
// checks (unique aliases and names, `@alias` revisions), naming each bad field.
import type { CopyOperation } from '../core/generator/copy-operation.ts';
import {
  ARTIFACT_GENERATOR_API,
  type ArtifactGenerator,
  GENERATOR_SOURCE_KINDS,
  type GeneratorSource,
  type OutputArtifact,
} from './artifact-generator.ts';
import type { FieldReader } from './field-reader.ts';
import type { ObjectMeta, SourceLocation } from './object-meta.ts';

type Raw = Record<string, unknown>;

const OBJECT_FIELDS = ['apiVersion', 'kind', 'metadata', 'spec', 'status'];
const SPEC_FIELDS = ['sources', 'artifacts', 'pathPattern', 'commonMetadata'];
const SOURCE_FIELDS = ['alias', 'kind', 'name', 'namespace'];
const ARTIFACT_FIELDS = ['name', 'revision', 'originRevision', 'copy'];
const COPY_FIELDS = ['from', 'to', 'exclude', 'strategy'];

const ALIAS = /^[a-z0-9]([a-z0-9_-]*[a-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const ALIAS_REF = /^@([a-z0-9]([a-z0-9_-]*[a-z0-9])?)$/;
const FROM = /^@([a-z0-9]([a-z0-9_-]*[a-z0-9])?)\/(.*)$/s;
const TO = /^@artifact\/(.*)$/s;
/** The CRD's bounds: more is refused by the API server before source-watcher sees it. */
const MAX_ITEMS = 1000;
const MAX_EXCLUDES = 100;

/** The annotation that suspends a generator; its value is compared case-insensitively, as source-watcher does. */
export const GENERATOR_RECONCILE_ANNOTATION = 'source.extensions.fluxcd.io/reconcile';

export interface DecodedArtifactGenerator extends ArtifactGenerator {
  /** spec.pathPattern as written: directory discovery, refused by the pipeline (see split-rendered-objects). */
  pathPattern?: string;
}

export function decodeArtifactGenerator(
  raw: Raw,
  metadata: ObjectMeta,
  source: SourceLocation,
  r: FieldReader,
): DecodedArtifactGenerator {
  r.knownFields(raw, '', OBJECT_FIELDS);
  const spec = r.object(raw, 'spec', 'spec', true);
  r.knownFields(spec, 'spec', SPEC_FIELDS);
  const sources =
    r.objects(spec, 'sources', 'spec.sources', (item, at) => readSource(item, at, metadata, r)) ?? [];
  if (spec && sources.length === 0) r.fail('spec.sources', 'must list at least one source');
  if (sources.length > MAX_ITEMS) r.fail('spec.sources', `must list at most ${MAX_ITEMS} sources`);
  const aliases = new Set<string>();
  sources.forEach((s, i) => {
    if (aliases.has(s.alias)) r.fail(`spec.sources[${i}].alias`, `duplicate source alias '${s.alias}'`);
    aliases.add(s.alias);
  });
  const pathPattern = r.string(spec, 'pathPattern', 'spec.pathPattern', { maxLength: 1024 });
  const artifacts =
    r.objects(spec, 'artifacts', 'spec.artifacts', (item, at) =>
      readArtifact(item, at, aliases, !!pathPattern, r),
    ) ?? [];
  if (spec && artifacts.length === 0) r.fail('spec.artifacts', 'must list at least one artifact');
  if (artifacts.length > MAX_ITEMS) r.fail('spec.artifacts', `must list at most ${MAX_ITEMS} artifacts`);
  const names = new Set<string>();
  artifacts.forEach((a, i) => {
    if (names.has(a.name)) r.fail(`spec.artifacts[${i}].name`, `duplicate artifact name '${a.name}'`);
    names.add(a.name);
  });
  const common = r.object(spec, 'commonMetadata', 'spec.commonMetadata');
  r.knownFields(common, 'spec.commonMetadata', ['labels', 'annotations']);
  const switchValue = metadata.annotations[GENERATOR_RECONCILE_ANNOTATION];
  return {
    kind: 'ArtifactGenerator',
    apiVersion: ARTIFACT_GENERATOR_API,
    metadata,
    spec: { sources, artifacts },
    ...(pathPattern && { pathPattern }),
    suspended: switchValue?.toLowerCase() === 'disabled',
    source,
  };
}

function readSource(item: Raw, at: string, meta: ObjectMeta, r: FieldReader): GeneratorSource {
  r.knownFields(item, at, SOURCE_FIELDS);
  const alias = r.string(item, 'alias', `${at}.alias`, {
    required: true,
    maxLength: 63,
    pattern: ALIAS,
    patternHint: 'lowercase letters, digits, "-" and "_", starting and ending with a letter or digit',
  });
  const kind = r.string(item, 'kind', `${at}.kind`, { required: true, oneOf: GENERATOR_SOURCE_KINDS });
  const name = r.string(item, 'name', `${at}.name`, {
    required: true,
    maxLength: 253,
    pattern: DNS_LABEL,
    patternHint: 'a lowercase DNS-1123 name',
  });
  const namespace = r.string(item, 'namespace', `${at}.namespace`, {
    maxLength: 63,
    pattern: DNS_LABEL,
    patternHint: 'a lowercase DNS-1123 label',
  });
  return {
    alias: alias ?? '',
    kind: (kind ?? 'GitRepository') as GeneratorSource['kind'],
    name: name ?? '',
    namespace: namespace || meta.namespace,
  };
}

function readArtifact(
  item: Raw,
  at: string,
  aliases: Set<string>,
  templated: boolean,
  r: FieldReader,
): OutputArtifact {
  r.knownFields(item, at, ARTIFACT_FIELDS);
  const name = r.string(item, 'name', `${at}.name`, { required: true, maxLength: 253 }) ?? '';
  // With pathPattern the name is a template (`{app}-{env}`), checked once rendered.
  if (name && !templated && !DNS_SUBDOMAIN.test(name))
    r.fail(
      `${at}.name`,
      `expected a valid Kubernetes object name (lowercase DNS-1123), got ${JSON.stringify(name)}`,
    );
  const revision = readAliasRef(item, 'revision', at, aliases, r);
  const originRevision = readAliasRef(item, 'originRevision', at, aliases, r);
  const copy = r.objects(item, 'copy', `${at}.copy`, (op, opAt) => readCopy(op, opAt, r)) ?? [];
  if (copy.length === 0) r.fail(`${at}.copy`, 'must list at least one copy operation');
  return {
    name,
    ...(revision && { revision }),
    ...(originRevision && { originRevision }),
    copy,
  };
}

function readAliasRef(
  item: Raw,
  key: 'revision' | 'originRevision',
  at: string,
  aliases: Set<string>,
  r: FieldReader,
): string | undefined {
  const value = r.string(item, key, `${at}.${key}`, {
    maxLength: 64,
    pattern: ALIAS_REF,
    patternHint: '"@<alias>" of one of spec.sources',
  });
  if (value && ALIAS_REF.test(value) && !aliases.has(value.slice(1)))
    r.fail(`${at}.${key}`, `source alias '${value.slice(1)}' not found in spec.sources`);
  return value || undefined;
}

function readCopy(op: Raw, at: string, r: FieldReader): CopyOperation {
  r.knownFields(op, at, COPY_FIELDS);
  const from = r.string(op, 'from', `${at}.from`, {
    required: true,
    maxLength: 1024,
    pattern: FROM,
    patternHint: '"@<alias>/<path or glob>"',
  });
  const to = r.string(op, 'to', `${at}.to`, {
    required: true,
    maxLength: 1024,
    pattern: TO,
    patternHint: '"@artifact/<path>"',
  });
  const exclude = r.strings(op, 'exclude', `${at}.exclude`) ?? [];
  if (exclude.length > MAX_EXCLUDES) r.fail(`${at}.exclude`, `must list at most ${MAX_EXCLUDES} patterns`);
  const strategy = r.string(op, 'strategy', `${at}.strategy`, { oneOf: ['Overwrite', 'Merge', 'Extract'] });
  return {
    from: from ?? '',
    to: to ?? '',
    exclude,
    strategy: (strategy ?? 'Overwrite') as CopyOperation['strategy'],
  };
}
