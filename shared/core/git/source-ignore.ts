// Flux's source-side exclusions (FLUX-RENDER §1.1): VCS files always; the default list only when the
// repository has no .sourceignore and the GitRepository no spec.ignore; patterns scoped to their directory.
// Matching follows go-git's: every path is tested against all patterns and the last one that matches
// decides, so `!build/keep.yaml` re-includes a file even under an excluded `build/`.
import ignore, { type Ignore } from 'ignore';

export const VCS_PATTERNS = ['.git/', '.gitignore', '.gitmodules', '.gitattributes'];
export const DEFAULT_PATTERNS = [
  '*.jpg',
  '*.jpeg',
  '*.gif',
  '*.png',
  '*.wmv',
  '*.flv',
  '*.tar.gz',
  '*.zip',
  '.github/',
  '.circleci/',
  '.travis.yml',
  '.gitlab-ci.yml',
  'appveyor.yml',
  '.drone.yml',
  'cloudbuild.yaml',
  'codeship-services.yml',
  'codeship-steps.yml',
  '**/.goreleaser.yml',
  '**/.sops.yaml',
  '**/.flux.yaml',
];

interface Pattern {
  /** Directory the pattern is relative to ('' for the root). */
  base: string;
  negate: boolean;
  matcher: Ignore;
}

export class SourceIgnore {
  private readonly patterns: Pattern[] = [];

  /**
   * `sourceIgnoreFiles` maps a directory ('' = root) to its .sourceignore content. `builtIn: false` leaves
   * out the VCS and default patterns, as Flux does for an OCIRepository (only .sourceignore and spec.ignore).
   */
  constructor(
    specIgnore: string | undefined,
    sourceIgnoreFiles: ReadonlyMap<string, string>,
    options: { builtIn?: boolean } = {},
  ) {
    const hasUserPatterns =
      lines(specIgnore ?? '').length > 0 ||
      [...sourceIgnoreFiles.values()].some((text) => lines(text).length > 0);
    if (options.builtIn !== false) {
      this.add('', VCS_PATTERNS);
      if (!hasUserPatterns) this.add('', DEFAULT_PATTERNS);
    }
    // Shallower scopes first so deeper .sourceignore files (and spec.ignore, last) can override them.
    const dirs = [...sourceIgnoreFiles.keys()].sort((a, b) => depth(a) - depth(b) || (a < b ? -1 : 1));
    for (const dir of dirs) this.add(dir, lines(sourceIgnoreFiles.get(dir) ?? ''));
    if (specIgnore) this.add('', lines(specIgnore));
  }

  private add(base: string, patterns: string[]): void {
    for (const line of patterns) {
      const negate = line.startsWith('!');
      this.patterns.push({ base, negate, matcher: ignore().add(negate ? line.slice(1) : line) });
    }
  }

  /** `path` relative to the root with '/' separators; directories must end with '/'. */
  ignores(path: string): boolean {
    let ignored = false;
    for (const { base, negate, matcher } of this.patterns) {
      if (base && !path.startsWith(`${base}/`)) continue;
      const rel = base ? path.slice(base.length + 1) : path;
      if (rel && matcher.ignores(rel)) ignored = !negate;
    }
    return ignored;
  }
}

function lines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.replace(/\r$/, ''))
    .filter((line) => line.trim() !== '' && !line.startsWith('#'));
}

function depth(dir: string): number {
  return dir === '' ? 0 : dir.split('/').length;
}
