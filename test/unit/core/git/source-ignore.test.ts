// source-controller's artifact exclusions (FLUX-RENDER §1.1): VCS files always; the default list only while
// the repository has no .sourceignore patterns and the GitRepository no spec.ignore; gitignore semantics.
import { describe, expect, it } from 'vitest';
import { SourceIgnore } from '../../../../shared/core/git/source-ignore.ts';

interface IgnoreCase {
  name: string;
  specIgnore?: string;
  /** Directory ('' = root) → .sourceignore content. */
  files?: Record<string, string>;
  ignored: string[];
  kept: string[];
}

function check(c: IgnoreCase): void {
  const matcher = new SourceIgnore(c.specIgnore, new Map(Object.entries(c.files ?? {})));
  const verdict = (paths: string[]) => Object.fromEntries(paths.map((p) => [p, matcher.ignores(p)]));
  expect(verdict(c.ignored)).toEqual(Object.fromEntries(c.ignored.map((p) => [p, true])));
  expect(verdict(c.kept)).toEqual(Object.fromEntries(c.kept.map((p) => [p, false])));
}

describe('SourceIgnore', () => {
  describe('always excludes VCS files', () => {
    const cases: IgnoreCase[] = [
      {
        name: 'without any user patterns',
        ignored: [
          '.git/',
          '.git/config',
          '.gitignore',
          '.gitmodules',
          '.gitattributes',
          'apps/.gitignore',
          'sub/.git/',
        ],
        kept: ['.github-not/', 'gitignore', 'apps/app.gitignore.yaml', '.sourceignore'],
      },
      {
        name: 'with spec.ignore set',
        specIgnore: '*.md',
        ignored: ['.git/', '.gitignore', 'deep/dir/.gitattributes', 'README.md'],
        kept: ['deploy.yaml'],
      },
      {
        name: 'with a .sourceignore set',
        files: { '': 'tmp/' },
        ignored: ['.git/', '.gitmodules', 'tmp/'],
        kept: ['app.yaml'],
      },
    ];
    it.each(cases)('$name', check);
  });

  describe('applies the default exclusions only without user patterns', () => {
    const defaults = [
      'logo.png',
      'img/photo.JPG.jpg',
      'a.jpeg',
      'b.gif',
      'v.wmv',
      'f.flv',
      'dist/chart.tar.gz',
      'bundle.zip',
      '.github/',
      '.github/workflows/ci.yaml',
      '.circleci/',
      '.travis.yml',
      '.gitlab-ci.yml',
      'appveyor.yml',
      '.drone.yml',
      'cloudbuild.yaml',
      'codeship-services.yml',
      'codeship-steps.yml',
      '.goreleaser.yml',
      'tools/.goreleaser.yml',
      '.sops.yaml',
      'clusters/prod/.sops.yaml',
      '.flux.yaml',
      'apps/.flux.yaml',
    ];
    const plain = ['apps/deploy.yaml', 'kustomization.yaml', 'logo.svg', 'sops.yaml', 'github/', 'chart.tgz'];

    it.each<IgnoreCase>([
      { name: 'no user patterns: the defaults apply', ignored: defaults, kept: plain },
      { name: 'an empty spec.ignore keeps the defaults', specIgnore: '', ignored: defaults, kept: plain },
      {
        name: 'a spec.ignore of only comments keeps the defaults',
        specIgnore: '# nothing\n\n',
        ignored: defaults,
        kept: plain,
      },
      {
        name: 'an empty .sourceignore keeps the defaults',
        files: { '': '\n# comment only\n' },
        ignored: defaults,
        kept: plain,
      },
      {
        name: 'spec.ignore replaces the defaults',
        specIgnore: 'secrets/',
        ignored: ['secrets/'],
        kept: [...defaults, ...plain],
      },
      {
        name: 'a root .sourceignore replaces the defaults',
        files: { '': 'secrets/' },
        ignored: ['secrets/'],
        kept: [...defaults, ...plain],
      },
      {
        name: 'a .sourceignore in any sub-directory replaces the defaults everywhere',
        files: { 'docs/site': '*.html' },
        ignored: ['docs/site/index.html'],
        kept: [...defaults, ...plain, 'index.html'],
      },
    ])('$name', check);
  });

  describe('scopes a .sourceignore to its directory', () => {
    const cases: IgnoreCase[] = [
      {
        name: 'an unanchored pattern matches at any depth below its directory only',
        files: { apps: '*.txt' },
        ignored: ['apps/a.txt', 'apps/sub/b.txt'],
        kept: ['a.txt', 'other/c.txt', 'apps.txt'],
      },
      {
        name: 'an anchored pattern matches relative to its directory',
        files: { apps: '/only-here.yaml' },
        ignored: ['apps/only-here.yaml'],
        kept: ['only-here.yaml', 'apps/sub/only-here.yaml'],
      },
      {
        name: 'a directory pattern excludes the directory and what is below it',
        files: { apps: 'generated/' },
        ignored: ['apps/generated/', 'apps/generated/x.yaml', 'apps/sub/generated/'],
        kept: ['generated/', 'apps/generated.yaml'],
      },
      {
        name: 'a pattern with a slash in the middle is anchored to its directory',
        files: { clusters: 'prod/secret.yaml' },
        ignored: ['clusters/prod/secret.yaml'],
        kept: ['clusters/x/prod/secret.yaml', 'prod/secret.yaml'],
      },
    ];
    it.each(cases)('$name', check);
  });

  describe('supports negation, with later patterns winning', () => {
    const cases: IgnoreCase[] = [
      {
        name: 'exclude everything but one directory (the documented spec.ignore idiom)',
        specIgnore: '# exclude all\n/*\n# include deploy dir\n!/deploy\n',
        ignored: ['README.md', 'src/', 'src/main.go', '.github/'],
        kept: ['deploy/', 'deploy/app.yaml', 'deploy/sub/svc.yaml'],
      },
      {
        name: 'negation inside one .sourceignore',
        files: { '': '*.yaml\n!keep.yaml\n' },
        ignored: ['a.yaml', 'apps/b.yaml'],
        kept: ['keep.yaml', 'apps/keep.yaml', 'c.yml'],
      },
      {
        name: 'a deeper .sourceignore re-includes what a shallower one excludes',
        files: { '': '*.txt', docs: '!keep.txt' },
        ignored: ['a.txt', 'docs/other.txt'],
        kept: ['docs/keep.txt'],
      },
      {
        name: 'spec.ignore comes last and overrides the .sourceignore files',
        specIgnore: '!README.md',
        files: { '': '*.md' },
        ignored: ['CHANGELOG.md'],
        kept: ['README.md'],
      },
      {
        // Unlike git: source-controller's archiver does not skip an excluded directory (the filter returns
        // nil, not SkipDir) and go-git's matcher lets the last matching pattern win for each file.
        name: 'a file inside an excluded directory can be re-included (go-git matcher, not git)',
        specIgnore: 'build/\n!build/keep.yaml\n',
        ignored: ['build/', 'build/other.yaml'],
        kept: ['build/keep.yaml', 'keep.yaml'],
      },
      {
        name: 'user patterns can re-include a VCS file',
        specIgnore: '!.gitignore',
        ignored: ['.git/'],
        kept: ['.gitignore'],
      },
    ];
    it.each(cases)('$name', check);
  });
});
