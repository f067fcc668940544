// Snapshots are stored under the digest of their bytes, so whoever loads one can tell whether it holds
// what the fetch stored: a replaced bundle is caught before anything in it is decompressed or parsed.
import { createHash } from 'node:crypto';

/** `sha256:<hex>` of a stored snapshot bundle, exactly the bytes written to the store. */
export function bundleDigestOf(bundle: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bundle).digest('hex')}`;
}
