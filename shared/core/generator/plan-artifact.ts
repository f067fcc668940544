// Plans one generated artifact: runs its copy operations in order over the input file lists, with
// source-watcher's cp-like rules, and returns which source file (or YAML merge) lands at each path. Pure.
import { SluiceError } from '../errors.ts';
import { type CopyOperation, type ParsedCopy, parseCopy } from './copy-operation.ts';
import { compileExclude, type ExcludePattern, matchExclude } from './exclude-match.ts';
import { hasGlobChars, matchSegment } from './segment-match.ts';
import { baseName, joinPath, type SourceTree } from './source-tree.ts';

export interface SourceFile {
  alias: string;
  path: string;
  size: number;
}

/** A planned file: a copy of one source file, or a YAML merge of a source file onto what was there. */
export type PlannedFile = { copy: SourceFile } | { merge: { base: PlannedFile; overlay: SourceFile } };

export interface ArtifactPlan {
  files: Map<string, PlannedFile>;
  dirs: Set<string>;
}

export interface PlanLimits {
  maxFiles: number;
  maxTotalBytes: number;
  maxCopyOperations: number;
}

/** Throws a SluiceError naming the operation (`spec.artifacts[i].copy[j]`) for every refusal. */
export function planArtifact(
  copy: readonly CopyOperation[],
  sources: ReadonlyMap<string, SourceTree>,
  limits: PlanLimits,
  where: string,
): ArtifactPlan {
  if (copy.length > limits.maxCopyOperations)
    throw new SluiceError(
      'LimitExceeded',
      `${where}.copy: ${copy.length} copy operations, more than the limit of ${limits.maxCopyOperations}; split the artifact`,
      { field: `${where}.copy` },
    );
  const stage = new Stage(limits, where);
  copy.forEach((op, i) => {
    const at = `${where}.copy[${i}]`;
    const parsed = parseCopy(op, at);
    const tree = sources.get(parsed.alias);
    if (!tree)
      throw new SluiceError(
        'ValidationFailed',
        `${at}.from: source alias '${parsed.alias}' not found; declare it in spec.sources`,
        { field: `${at}.from` },
      );
    const excludes = op.exclude.map((text) => {
      try {
        return compileExclude(text);
      } catch (err) {
        throw new SluiceError('ValidationFailed', `${at}.exclude: ${(err as Error).message}`, {
          field: `${at}.exclude`,
        });
      }
    });
    const ctx: OpContext = { op, parsed, tree, excludes, at, stage };
    if (op.strategy === 'Extract')
      throw new SluiceError(
        'UnsupportedResource',
        `${at}.strategy: Extract is not supported by this Sluice version yet; copy the unpacked files instead`,
        { field: `${at}.strategy` },
      );
    if (hasGlobChars(parsed.pattern)) copyGlob(ctx);
    else copySingle(ctx);
  });
  return { files: stage.files, dirs: stage.dirs };
}

interface OpContext {
  op: CopyOperation;
  parsed: ParsedCopy;
  tree: SourceTree;
  excludes: ExcludePattern[];
  at: string;
  stage: Stage;
}

/** A path, not a glob: a file goes to the destination (or into it), a directory goes under it by its name. */
function copySingle(ctx: OpContext): void {
  const { parsed, tree, at, stage } = ctx;
  const src = joinPath(parsed.pattern);
  const entry = tree.get(src);
  if (!entry)
    throw new SluiceError('PathNotFound', `${at}.from: '${src}' does not exist in source '${parsed.alias}'`, {
      field: `${at}.from`,
    });
  const dest = joinPath(parsed.to);
  if (entry.type === 'dir') {
    copyDirectory(ctx, src, joinPath(dest, baseName(src)), src);
    return;
  }
  if (isExcluded(src, '.', ctx.excludes)) return;
  const into = parsed.intoDirectory || stage.dirs.has(dest);
  stage.putFile(
    into ? joinPath(dest, baseName(src)) : dest,
    { alias: parsed.alias, path: src, size: entry.size },
    ctx.op.strategy,
  );
}

/** A glob: every match, files and directories, lands under the destination by its path (`dir/**`: below dir). */
function copyGlob(ctx: OpContext): void {
  const { parsed, tree, at } = ctx;
  const matches = glob(tree, parsed.pattern, `${at}.from`);
  if (matches.length === 0)
    throw new SluiceError(
      'PathNotFound',
      `${at}.from: no files match '${parsed.pattern}' in source '${parsed.alias}'`,
      {
        field: `${at}.from`,
      },
    );
  const base = literalPrefix(parsed.pattern);
  const kept = matches.filter((m) => !isExcluded(m, base, ctx.excludes));
  if (kept.length === 0)
    throw new SluiceError(
      'PathNotFound',
      `${at}.exclude: every file matching '${parsed.pattern}' in source '${parsed.alias}' is excluded`,
      { field: `${at}.exclude` },
    );
  const stripped = parsed.pattern.endsWith('/**') ? parsed.pattern.slice(0, -3) : undefined;
  for (const match of kept) {
    const rel =
      stripped !== undefined && match.startsWith(`${stripped}/`) ? match.slice(stripped.length + 1) : match;
    const dest = joinPath(parsed.to, rel);
    const entry = tree.get(match);
    if (entry?.type === 'dir') copyDirectory(ctx, match, dest, base);
    else if (entry)
      ctx.stage.putFile(dest, { alias: parsed.alias, path: match, size: entry.size }, ctx.op.strategy);
  }
}

/** `cp -r`: the directory itself, then its entries in name order; excluded directories are not entered. */
function copyDirectory(ctx: OpContext, src: string, dest: string, base: string): void {
  const { tree, stage, parsed } = ctx;
  stage.putDir(dest);
  const walk = (dir: string, to: string): void => {
    for (const name of tree.list(dir)) {
      const path = dir === '.' ? name : `${dir}/${name}`;
      if (isExcluded(path, base, ctx.excludes)) continue;
      const entry = tree.get(path);
      const target = joinPath(to, name);
      if (entry?.type === 'dir') {
        stage.putDir(target);
        walk(path, target);
      } else if (entry) {
        // Files inside a copied directory overwrite: source-watcher merges only files it copies one by one.
        stage.putFile(target, { alias: parsed.alias, path, size: entry.size }, 'Overwrite');
      }
    }
  };
  walk(src, dest);
}

/** fs.Glob: each segment matched in its directory, directories read in name order. */
function glob(tree: SourceTree, pattern: string, field: string): string[] {
  const segments = joinPath(pattern).split('/');
  let found = ['.'];
  for (const seg of segments) {
    const next: string[] = [];
    for (const dir of found) {
      if (tree.get(dir)?.type !== 'dir') continue;
      if (!hasGlobChars(seg)) {
        const path = joinPath(dir, seg);
        if (tree.get(path)) next.push(path);
        continue;
      }
      for (const name of tree.list(dir)) {
        let ok: boolean;
        try {
          ok = matchSegment(seg, name);
        } catch (err) {
          throw new SluiceError('ValidationFailed', `${field}: ${(err as Error).message}`, { field });
        }
        if (ok) next.push(joinPath(dir, name));
      }
    }
    found = next;
  }
  // A bad pattern is bad even when nothing was there to match it (Go checks it first).
  for (const seg of segments)
    if (hasGlobChars(seg))
      try {
        matchSegment(seg, '');
      } catch (err) {
        throw new SluiceError('ValidationFailed', `${field}: ${(err as Error).message}`, { field });
      }
  return found.filter((p) => p !== '.');
}

/** The segments before the first one with a glob character: the selection's root for excludes. */
function literalPrefix(pattern: string): string {
  const segs = joinPath(pattern).split('/');
  const i = segs.findIndex(hasGlobChars);
  return joinPath(...segs.slice(0, i < 0 ? segs.length : i));
}

/** Matched against the path from the source root, its name (patterns without `/`), and the path below `base`. */
function isExcluded(path: string, base: string, excludes: ExcludePattern[]): boolean {
  if (excludes.length === 0) return false;
  const hit = (p: string) =>
    excludes.some((e) => matchExclude(e, p) || (!e.text.includes('/') && matchExclude(e, baseName(p))));
  if (hit(path)) return true;
  if (base === '.' || !path.startsWith(`${base}/`)) return false;
  return hit(path.slice(base.length + 1));
}

/** The artifact being built: what each path holds, with the bounds of a snapshot. */
class Stage {
  readonly files = new Map<string, PlannedFile>();
  readonly dirs = new Set<string>();
  private bytes = 0;

  private readonly limits: PlanLimits;
  private readonly where: string;

  constructor(limits: PlanLimits, where: string) {
    this.limits = limits;
    this.where = where;
  }

  putDir(path: string): void {
    if (path === '.') return;
    if (this.files.has(path)) throw this.clash(path);
    for (const parent of ancestors(path)) {
      if (this.files.has(parent)) throw this.clash(parent);
      this.dirs.add(parent);
    }
    this.dirs.add(path);
    this.checkCount();
  }

  putFile(path: string, from: SourceFile, strategy: CopyOperation['strategy']): void {
    if (path === '.' || this.dirs.has(path)) throw this.clash(path);
    for (const parent of ancestors(path)) {
      if (this.files.has(parent)) throw this.clash(parent);
      this.dirs.add(parent);
    }
    const before = this.files.get(path);
    this.bytes += from.size;
    if (this.bytes > this.limits.maxTotalBytes)
      throw new SluiceError(
        'LimitExceeded',
        `${this.where}: the artifact would hold more than ${this.limits.maxTotalBytes} bytes; copy less into it`,
      );
    this.files.set(
      path,
      before && strategy === 'Merge' ? { merge: { base: before, overlay: from } } : { copy: from },
    );
    this.checkCount();
  }

  private checkCount(): void {
    if (this.files.size + this.dirs.size > this.limits.maxFiles)
      throw new SluiceError(
        'LimitExceeded',
        `${this.where}: the artifact would hold more than ${this.limits.maxFiles} files and directories; copy less into it`,
      );
  }

  private clash(path: string): SluiceError {
    return new SluiceError(
      'ValidationFailed',
      `${this.where}: '${path}' would be both a file and a directory in the artifact; change the copy destinations`,
    );
  }
}

function ancestors(path: string): string[] {
  const segs = path.split('/');
  return segs.slice(0, -1).map((_, i) => segs.slice(0, i + 1).join('/'));
}
