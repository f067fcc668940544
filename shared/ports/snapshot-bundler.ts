// Port: a source snapshot directory as one byte bundle and back, so a render in another process or
// function rebuilds exactly the fetched file set. The use-cases store and verify bundles; how files become bytes is here.

export interface SnapshotBundler {
  /** Packs a directory; a snapshot too big to pack is a permanent LimitExceeded. */
  pack(dir: string): Promise<Buffer>;
  /** Unpacks into `dir` (created), refusing any path or link that would leave it. */
  unpack(bundle: Buffer, dir: string): Promise<void>;
}
