// GitSource over isomorphic-git (smart HTTP). One shallow object store per repository URL, fetched
// incrementally (the last fetched commit is advertised as a `have`), and snapshots materialised once per
// (repository, commit, ignore rules) as plain files, with Flux's exclusions applied and size limits held.
// Every request goes through GuardedHttp: address policy after DNS and on each redirect, credentials kept
// to their origin.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import git from 'isomorphic-git';
import { SluiceError } from '../../core/errors.ts';
import { repositoryKey, snapshotIdentity } from '../../core/git/repository-key.ts';
import { type RemoteRef, redactUrl, revisionString, selectRef } from '../../core/git/select-ref.ts';
import { DEFAULT_SNAPSHOT_LIMITS, type SnapshotLimits } from '../../core/git/snapshot-limits.ts';
import type { SourceAddressPolicy } from '../../core/net/source-address-policy.ts';
import type { GitFetchRequest, GitSnapshot, GitSource } from '../../ports/git-source.ts';
import type { HostResolver } from '../../ports/host-resolver.ts';
import { systemResolver } from '../net/system-resolver.ts';
import { httpAuth } from './credentials.ts';
import { toGitError } from './git-errors.ts';
import { parseGitUrl } from './git-url.ts';
import { GuardedHttp } from './guarded-http.ts';
import { type MaterializeRequest, materializeTree, writeManifest } from './materialize-tree.ts';

const SECRET_HINT = 'check the username/password or bearerToken in the Secret named in spec.secretRef';

export interface IsomorphicGitSourceOptions {
  /** Holds `repos/<url hash>` object stores and `snapshots/<digest>` file sets. */
  cacheDir: string;
  /** Size limits of a snapshot and of a download; defaults in DEFAULT_SNAPSHOT_LIMITS. */
  limits?: Partial<SnapshotLimits>;
  /**
   * Which addresses source URLs may reach (checked after DNS, on every redirect). Default: anything but
   * loopback, unspecified and metadata addresses, with no exceptions; pass the Git servers you run on
   * this machine in `allowed` (the embedded control plane adds its own).
   */
  addressPolicy?: SourceAddressPolicy;
  /** Default: the system resolver. */
  resolver?: HostResolver;
  /** A request that receives nothing for this long fails (default 60 s, Flux's spec.timeout default). */
  idleTimeoutMs?: number;
  /** The network part of one fetch may take at most this long (default 10 minutes). */
  fetchTimeoutMs?: number;
}

export const DEFAULT_ADDRESS_POLICY: SourceAddressPolicy = {
  publicOnly: false,
  allowed: [],
  allowSetting: 'the allowed source hosts setting',
};

export class IsomorphicGitSource implements GitSource {
  private readonly cacheDir: string;
  private readonly limits: SnapshotLimits;
  private readonly policy: SourceAddressPolicy;
  private readonly resolver: HostResolver;
  private readonly idleTimeoutMs: number;
  private readonly fetchTimeoutMs: number;
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(opts: IsomorphicGitSourceOptions) {
    this.cacheDir = opts.cacheDir;
    this.limits = { ...DEFAULT_SNAPSHOT_LIMITS, ...opts.limits };
    this.policy = opts.addressPolicy ?? DEFAULT_ADDRESS_POLICY;
    this.resolver = opts.resolver ?? systemResolver;
    this.idleTimeoutMs = opts.idleTimeoutMs ?? 60_000;
    this.fetchTimeoutMs = opts.fetchTimeoutMs ?? 600_000;
  }

  fetch(req: GitFetchRequest): Promise<GitSnapshot> {
    try {
      parseGitUrl(req.url);
    } catch (err) {
      return Promise.reject(err);
    }
    const url = repositoryKey(req.url);
    // One fetch per repository at a time: the object store and its tracking refs are shared.
    const previous = this.locks.get(url) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.fetchLocked(url, req));
    this.locks.set(url, next);
    return next.finally(() => {
      if (this.locks.get(url) === next) this.locks.delete(url);
    });
  }

  private async fetchLocked(url: string, req: GitFetchRequest): Promise<GitSnapshot> {
    const { headers } = httpAuth(req.url, req.credentials);
    const gitdir = join(this.cacheDir, 'repos', sha256(url).slice(0, 32));
    const started = performance.now();
    const http = new GuardedHttp({
      policy: this.policy,
      resolver: this.resolver,
      maxDownloadBytes: this.limits.maxDownloadBytes,
      idleTimeoutMs: this.idleTimeoutMs,
      deadline: AbortSignal.timeout(this.fetchTimeoutMs),
    });
    try {
      const remote = await listRemoteRefs(http, url, headers);
      const choice = selectRef(req.ref, remote, url);
      // Keyed by repository too: a commit named in spec.ref.commit is looked up in this repository only.
      const digest = `sha256:${sha256(snapshotIdentity(url, choice.commit, req.ignore))}`;
      const dir = join(this.cacheDir, 'snapshots', digest.slice('sha256:'.length));
      const base = {
        url: redactUrl(req.url),
        revision: revisionString(choice, choice.commit),
        commit: choice.commit,
        dir,
        digest,
      };
      if (await exists(dir)) {
        const timings = { fetchMs: performance.now() - started, materializeMs: 0 };
        return { ...base, changed: req.lastCommit !== choice.commit, files: await countFiles(dir), timings };
      }
      await ensureRepo(gitdir, url);
      const trackingRef = `refs/sluice/${sha256(choice.remoteRef).slice(0, 16)}`;
      const tracked = await resolveRef(gitdir, trackingRef);
      if (tracked !== choice.commit) {
        // The first fetch is shallow. Later ones advertise the last commit as a `have` and ask for no
        // depth: the server then sends only what is new (with a depth it would resend the whole tree).
        const incremental = tracked !== undefined;
        await git.fetch({
          fs,
          http,
          gitdir,
          url,
          headers: { ...headers },
          ref: trackingRef,
          remoteRef: choice.remoteRef,
          singleBranch: true,
          ...(incremental ? {} : { depth: 1 }),
          tags: false,
        });
      }
      await git.writeRef({ fs, gitdir, ref: trackingRef, value: choice.commit, force: true });
      const fetched = performance.now();
      // Unchanged files are hard-linked from the previous snapshot of the same source, when there is one.
      const previous = req.lastCommit
        ? join(this.cacheDir, 'snapshots', sha256(snapshotIdentity(url, req.lastCommit, req.ignore)))
        : undefined;
      const files = await materializeAtomically({
        gitdir,
        commit: choice.commit,
        ignore: req.ignore,
        target: dir,
        previous,
        limits: this.limits,
      });
      const timings = { fetchMs: fetched - started, materializeMs: performance.now() - fetched };
      return { ...base, changed: req.lastCommit !== choice.commit, files, timings };
    } catch (err) {
      throw toGitError(err instanceof SluiceError ? err : (http.failure ?? err), url, SECRET_HINT);
    }
  }
}

async function listRemoteRefs(
  http: GuardedHttp,
  url: string,
  headers: Record<string, string>,
): Promise<RemoteRef[]> {
  // Protocol v1: one request lists every ref with peeled tags (v2 needs two). isomorphic-git adds its
  // protocol header to the object it is given, so it gets a copy.
  const refs = await git.listServerRefs({
    http,
    url,
    headers: { ...headers },
    protocolVersion: 1,
    peelTags: true,
    symrefs: true,
  });
  return refs.map((r) => ({ ref: r.ref, oid: r.oid, ...(r.peeled && { peeled: r.peeled }) }));
}

async function ensureRepo(gitdir: string, url: string): Promise<void> {
  if (await exists(join(gitdir, 'HEAD'))) return;
  await mkdir(gitdir, { recursive: true });
  await git.init({ fs, gitdir, bare: true, defaultBranch: 'main' });
  // isomorphic-git records what it fetched under the remote's refspec; keep every remote ref namespaced.
  await git.setConfig({ fs, gitdir, path: 'remote.origin.url', value: url });
  await git.setConfig({ fs, gitdir, path: 'remote.origin.fetch', value: '+refs/*:refs/remotes/origin/*' });
}

async function resolveRef(gitdir: string, ref: string): Promise<string | undefined> {
  return git.resolveRef({ fs, gitdir, ref }).catch(() => undefined);
}

async function materializeAtomically(req: MaterializeRequest): Promise<number> {
  const dir = req.target;
  const tmp = `${dir}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    const { files, manifest } = await materializeTree({ ...req, target: tmp });
    await writeManifest(dir, manifest);
    await rename(tmp, dir).catch(async (err: NodeJS.ErrnoException) => {
      // Another process won the race with identical content; keep theirs.
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
      await rm(tmp, { recursive: true, force: true });
    });
    return files;
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

async function countFiles(dir: string): Promise<number> {
  const entries = await fs.promises.readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => !e.isDirectory()).length;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
