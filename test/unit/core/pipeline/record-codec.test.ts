// Stored records carry a schema version and are checked on every read: the earlier layout is migrated,
// an unknown version or a malformed record is a typed error naming the key and what to do.
import { describe, expect, it } from 'vitest';
import { isSluiceError, type SluiceError } from '../../../../shared/core/errors.ts';
import { decodeRecord, encodeRecord, SCHEMA_VERSION } from '../../../../shared/core/pipeline/record-codec.ts';
import type { IndexEntry } from '../../../../shared/core/pipeline/records.ts';
import {
  indexEntrySchema,
  renderStatusSchema,
} from '../../../../shared/core/pipeline/target-record-schemas.ts';

const KEY = 'clusters/dev/index/Kustomization/flux-system/apps.json';
const target = { kind: 'Kustomization' as const, namespace: 'flux-system', name: 'apps' };
const entry: IndexEntry = {
  target,
  generation: { fleet: 2, source: 3 },
  sequence: 7,
  revision: 'main@sha1:abc',
  renderKey: 'sha256:r',
  publishedAt: '2025-01-01T00:00:00.000Z',
  digest: 'sha256:d',
  artifactKey: 'artifacts/dev/d.json',
};

function rejectionOfSync(run: () => unknown): SluiceError {
  try {
    run();
  } catch (err) {
    if (isSluiceError(err)) return err;
    throw err;
  }
  throw new Error('expected an error');
}

describe('encodeRecord / decodeRecord', () => {
  it('writes the schema version and reads the record back without it', () => {
    const text = encodeRecord(entry);
    expect(JSON.parse(text).schemaVersion).toBe(SCHEMA_VERSION);
    expect(decodeRecord(indexEntrySchema, KEY, text, { target })).toEqual(entry);
  });

  it('reads a record of the earlier layout (no version, `kustomization` instead of a target) as current', () => {
    const { target: _t, ...rest } = entry;
    const earlier = JSON.stringify({ ...rest, kustomization: { namespace: 'flux-system', name: 'apps' } });
    expect(decodeRecord(indexEntrySchema, KEY, earlier, { target })).toEqual(entry);
  });

  it('takes the target from the key, never from the content', () => {
    const claimed = encodeRecord({ ...entry, target: { ...target, name: 'other' } });
    expect(decodeRecord(indexEntrySchema, KEY, claimed, { target }).target).toEqual(target);
  });

  it.each([
    ['an unknown schema version', JSON.stringify({ ...entry, schemaVersion: 99 }), /schemaVersion 99/],
    ['text that is not JSON', '{"target"', /is not JSON/],
    ['a JSON array', '[]', /is not an object/],
    ['a missing field', encodeRecord({ ...entry, revision: undefined }), /revision is missing/],
    [
      'a field of the wrong type',
      encodeRecord({ ...entry, sequence: 'seven' }),
      /sequence is of the wrong type/,
    ],
    [
      'a malformed generation',
      encodeRecord({ ...entry, generation: { fleet: 'x' } }),
      /fleet is of the wrong type/,
    ],
  ])('refuses %s with ConfigInvalid naming the key and what to do', (_what, text, why) => {
    const err = rejectionOfSync(() => decodeRecord(indexEntrySchema, KEY, text, { target }));
    expect(err.code).toBe('ConfigInvalid');
    expect(err.retryable).toBe(false);
    // The message is the point here: it names the record and the way out.
    expect(err.message).toContain(KEY);
    expect(err.message).toMatch(why);
    expect(err.message).toContain('delete .sluice/queue-store');
  });

  it('checks render statuses too', () => {
    const err = rejectionOfSync(() =>
      decodeRecord(renderStatusSchema, KEY, encodeRecord({ target, ready: 'yes' }), { target }),
    );
    expect(err.code).toBe('ConfigInvalid');
  });
});
