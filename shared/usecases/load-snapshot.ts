// The source snapshot a render reads, as a local directory: the fetch's own copy on the same machine, or
// the stored bundle, unpacked only once its bytes match the digest that names it in the store.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SluiceError } from '../core/errors.ts';
import { redactUrl } from '../core/git/select-ref.ts';
import { bundleDigestOf } from '../core/pipeline/bundle-digest.ts';
import type { FetchSpec, FetchState } from '../core/pipeline/records.ts';
import { enqueueFetch } from './enqueue.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import { stateOf } from './state-store.ts';

const unpacking = new Map<string, Promise<string>>();

/**
 * A local directory is trusted as it is: only this machine's fetch, or an unpack of a bundle that matched
 * its digest, writes one. A stored bundle that is missing or does not match is never unpacked; the
 * source is fetched again (`repair`) so the fetch stores it anew and queues the renders again.
 */
export function loadSnapshot(
  deps: PipelineDeps,
  source: FetchState,
  spec: FetchSpec | undefined,
  ksRef: string,
): Promise<string> {
  if (!source.snapshotDigest)
    return Promise.reject(
      new SluiceError('GitFetchFailed', `${ksRef}: its source has not been fetched yet`, { retryable: true }),
    );
  const dir = join(deps.settings.snapshotsDir, source.snapshotDigest.replace(/^sha256:/, ''));
  let pending = unpacking.get(dir);
  if (!pending) {
    pending = (async () => {
      if (
        await stat(dir).then(
          () => true,
          () => false,
        )
      )
        return dir;
      const what = `the snapshot of ${spec ? redactUrl(spec.url) : `source ${source.sourceKey}`} at ${source.revision ?? source.commit}`;
      if (!source.bundleDigest) {
        await requestRepair(deps, source, 'legacy');
        throw new SluiceError(
          'GitFetchFailed',
          `${ksRef}: ${what} was stored by an earlier version without a content digest, so it is not rendered from the store; the source is being fetched to store it again`,
          { object: ksRef, retryable: true },
        );
      }
      const state = stateOf(deps);
      const key = state.snapshotLocation(source.bundleDigest);
      const bundle = await state.getSnapshot(source.bundleDigest);
      if (!bundle) {
        await requestRepair(deps, source, 'missing');
        throw new SluiceError(
          'StoreUnavailable',
          `${ksRef}: ${what} is missing from the store (${key}); the source is being fetched to store it again`,
          { object: ksRef, retryable: true },
        );
      }
      const found = bundleDigestOf(bundle);
      if (found !== source.bundleDigest) {
        await requestRepair(deps, source, found);
        throw new SluiceError(
          'SnapshotCorrupt',
          `${ksRef}: ${what} in the store (${key}) does not match its digest ${source.bundleDigest}, so it was not rendered; the source is being fetched to store it again and this Kustomization will render then. If this repeats, something is rewriting the store: check who can write snapshots/`,
          { object: ksRef, retryable: false },
        );
      }
      await deps.snapshots.unpack(bundle, dir);
      return dir;
    })();
    unpacking.set(dir, pending);
    pending.finally(() => unpacking.delete(dir)).catch(() => undefined);
  }
  return pending;
}

/** `found`: what the store holds instead (the digest of its bytes, `missing` or `legacy`). */
async function requestRepair(deps: PipelineDeps, source: FetchState, found: string): Promise<void> {
  const short = (d: string) => d.replace(/^sha256:/, '').slice(0, 16);
  // Every target of the source may ask at once: one request per finding (and 10 s) is enough, while bytes
  // replaced again after a repair are a new finding. The fetch checks the stored bundle first, so a late
  // duplicate does nothing.
  await enqueueFetch(
    deps,
    source.sourceKey,
    'repair',
    `${short(source.bundleDigest ?? 'legacy')}-${short(found)}/${Math.floor(deps.clock.now() / 10_000)}`,
  );
}
