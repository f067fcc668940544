// The `from` and `to` of one ArtifactGenerator copy operation, parsed as source-watcher parses them
// (`@alias/pattern`, `@artifact/path`), and refused when they would leave the source or the artifact.
import { SluiceError } from '../errors.ts';

export interface CopyOperation {
  from: string;
  to: string;
  exclude: string[];
  strategy: 'Overwrite' | 'Merge' | 'Extract';
}

export interface ParsedCopy {
  alias: string;
  /** The part after `@alias/`, as written (a trailing `/` kept: `dir/**` and `dir/` differ). */
  pattern: string;
  /** The part after `@artifact/`, as written. */
  to: string;
  /** The destination ends in `/`: copy into a directory of that name. */
  intoDirectory: boolean;
}

/** `where` names the operation in errors, e.g. `spec.artifacts[0].copy[1]`. */
export function parseCopy(op: CopyOperation, where: string): ParsedCopy {
  if (!op.from.startsWith('@'))
    throw invalid(`${where}.from`, `expected "@<alias>/<path or glob>", got ${JSON.stringify(op.from)}`);
  const slash = op.from.indexOf('/');
  if (slash < 0)
    throw invalid(
      `${where}.from`,
      `expected "@<alias>/<path or glob>" (the alias, then a slash), got ${JSON.stringify(op.from)}`,
    );
  const alias = op.from.slice(1, slash);
  const pattern = op.from.slice(slash + 1);
  confined(pattern, `${where}.from`, 'the source');
  if (!op.to.startsWith('@artifact/'))
    throw invalid(`${where}.to`, `expected "@artifact/<path>", got ${JSON.stringify(op.to)}`);
  const to = op.to.slice('@artifact/'.length);
  confined(to, `${where}.to`, 'the artifact');
  // In `from` a backslash escapes a glob character (Go's path.Match); in `to` it could only be a separator.
  if (to.includes('\\'))
    throw invalid(`${where}.to`, `a backslash is not allowed, got ${JSON.stringify(op.to)}`);
  return { alias, pattern, to, intoDirectory: op.to.endsWith('/') };
}

/** No absolute path, no `..` segment, no NUL. */
function confined(path: string, field: string, root: string): void {
  if (path.startsWith('/') || path.split('/').includes('..') || path.includes('\0'))
    throw new SluiceError(
      'PathEscapesRoot',
      `${field}: ${JSON.stringify(path)} is not a relative path inside ${root}; remove a leading "/" and any ".." segment`,
      { field },
    );
}

function invalid(field: string, problem: string): SluiceError {
  return new SluiceError('ValidationFailed', `${field}: ${problem}`, { field });
}
