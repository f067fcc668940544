// Decodes fleet YAML the way the pipeline does (parse, then decodeResource) and reports a refusal as its
// code, field and message, for the source decoders' tests.
import { decodeResource, type FleetResource } from '../../../shared/api/decode-resource.ts';
import { type FieldIssue, FieldReader } from '../../../shared/api/field-reader.ts';
import type { ObjectMeta, SourceLocation } from '../../../shared/api/object-meta.ts';
import { parseManifests } from '../../../shared/api/parse-manifests.ts';
import { isSluiceError } from '../../../shared/core/errors.ts';

export const FILE = 'clusters/dev/sources.yaml';

export function decodeYaml(text: string): FleetResource {
  const [doc, ...rest] = parseManifests(text, FILE);
  if (!doc || rest.length > 0) throw new Error('expected exactly one YAML document');
  return decodeResource(doc.value, { file: FILE, document: 0 });
}

export interface Refusal {
  code: string;
  field: string | undefined;
  message: string;
}

/** The refusal `run` throws; anything else (or no error) fails the test. */
export function refusalOf(run: () => unknown): Refusal {
  try {
    run();
  } catch (err) {
    if (isSluiceError(err)) return { code: err.code, field: err.field, message: err.message };
    throw err;
  }
  throw new Error('expected a refusal');
}

/** Every problem a decoder finds in one YAML object, field by field (decodeResource reports them joined). */
export function issuesOf(
  text: string,
  decode: (
    raw: Record<string, unknown>,
    metadata: ObjectMeta,
    source: SourceLocation,
    r: FieldReader,
  ) => unknown,
): FieldIssue[] {
  const [doc] = parseManifests(text, FILE);
  if (!doc) throw new Error('expected a YAML document');
  const r = new FieldReader();
  const meta = { name: 'x', namespace: 'flux-system', labels: {}, annotations: {} };
  decode(doc.value, meta, { file: FILE, document: 0 }, r);
  return r.issues;
}
