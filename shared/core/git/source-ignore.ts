// Flux's source-side exclusions (FLUX-RENDER §1.1): VCS files always; the default list only when the
// repository has no .sourceignore and the GitRepository no spec.ignore; patterns scoped to their directory.
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

interface Scope {
  /** Directory the patterns are relative to ('' for the root). */
  base: string;
  matcher: Ignore;
}

export class SourceIgnore {
  private readonly scopes: Scope[];

  /** `sourceIgnoreFiles` maps a directory ('' = root) to its .sourceignore content. */
  constructor(specIgnore: string | undefined, sourceIgnoreFiles: ReadonlyMap<string, string>) {
    const hasUserPatterns =
      hasPatterns(specIgnore ?? '') || [...sourceIgnoreFiles.values()].some((text) => hasPatterns(text));
    const root = ignore().add(VCS_PATTERNS);
    if (!hasUserPatterns) root.add(DEFAULT_PATTERNS);
    this.scopes = [{ base: '', matcher: root }];
    // Shallower scopes first so deeper .sourceignore files (and spec.ignore, last) can override them.
    const dirs = [...sourceIgnoreFiles.keys()].sort((a, b) => depth(a) - depth(b) || (a < b ? -1 : 1));
    for (const dir of dirs) this.scopes.push({ base: dir, matcher: ignore().add(sourceIgnoreFiles.get(dir) ?? '') });
    if (specIgnore) this.scopes.push({ base: '', matcher: ignore().add(specIgnore) });
  }

  /** `path` relative to the root with '/' separators; directories must end with '/'. */
  ignores(path: string): boolean {
    let ignored = false;
    for (const { base, matcher } of this.scopes) {
      if (base && !path.startsWith(`${base}/`)) continue;
      const rel = base ? path.slice(base.length + 1) : path;
      if (!rel) continue;
      const result = matcher.test(rel);
      if (result.ignored) ignored = true;
      else if (result.unignored) ignored = false;
    }
    return ignored;
  }
}

function hasPatterns(text: string): boolean {
  return text.split('\n').some((line) => line.trim() !== '' && !line.trimStart().startsWith('#'));
}

function depth(dir: string): number {
  return dir === '' ? 0 : dir.split('/').length;
}
