// Helm repository indexes: the fast reader agrees with the full YAML parser on every document it accepts
// (and hands the others over), versions sort and select as source-controller selects them, and each
// failure says what was asked and what exists.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  type ChartIndex,
  MAX_INDEX_BYTES,
  parseChartIndex,
  selectChartVersion,
} from '../../../shared/core/helm/chart-index.ts';
import { rawIndexFromDocument } from '../../../shared/core/helm/index-document.ts';
import { readIndexYaml } from '../../../shared/core/helm/index-yaml-reader.ts';
import { errorOf } from '../../support/error-of.ts';
import { generateHelmIndex } from '../../support/helm-index-generator.ts';

const REPO = 'https://charts.example.com/stable';
const FIXTURES = join(import.meta.dirname, '../../fixtures/helm/index');

/** An index as helm writes it, one entry per version (digest and URL derived from the version). */
function helmIndex(charts: Record<string, string[]>): string {
  const lines = ['apiVersion: v1', 'entries:'];
  for (const [name, versions] of Object.entries(charts)) {
    lines.push(`  ${name}:`);
    for (const version of versions) {
      lines.push(
        '  - apiVersion: v2',
        `    created: "2026-11-01T10:00:00Z"`,
        `    description: The ${name} chart`,
        `    digest: ${'ab'.repeat(32)}`,
        `    name: ${name}`,
        '    urls:',
        `    - ${name}-${version}.tgz`,
        `    version: ${version}`,
      );
    }
  }
  lines.push('generated: "2026-11-30T12:00:00Z"', '');
  return lines.join('\n');
}

const index = (text: string): ChartIndex => parseChartIndex(Buffer.from(text), REPO);

/** What the full YAML parser reads from `text`, in the reader's shape. */
function viaYaml(text: string) {
  return rawIndexFromDocument(parse(text, { schema: 'failsafe', merge: true }));
}

// Each document is valid YAML; the reader either reads it exactly as the YAML parser does or declines.
const documents: Record<string, string> = {
  'helm style': helmIndex({ podinfo: ['6.5.0', '6.6.0'], redis: ['1.0.0'] }),
  'CRLF line ends and a leading document marker': `---\r\n${helmIndex({ a: ['1.0.0'] }).replaceAll('\n', '\r\n')}`,
  'comments everywhere':
    '# head\napiVersion: v1 # trailing\nentries:\n# between\n  app:\n  # inside\n  - name: app # c\n    version: 1.0.0\n      # deep comment\n    urls:\n    - a.tgz # c\n',
  'sequences indented under their key':
    'apiVersion: v1\nentries:\n  app:\n    - name: app\n      version: 1.0.0\n      urls:\n        - x/app-1.0.0.tgz\n',
  'quoted keys and values': `apiVersion: "v1"\nentries:\n  "app":\n  - "name": 'app'\n    version: "1.0.0"\n    digest: 'it''s'\n    urls: ["u1", 'u2']\n  'true':\n  - name: "tr\\u0075e"\n    version: 2.0.0\n`,
  'flow url lists':
    'apiVersion: v1\nentries:\n  app:\n  - version: 1.0.0\n    urls: [a.tgz, https://x.example/b.tgz, "c d.tgz",]\n',
  'empty entries': 'apiVersion: v1\nentries: {}\n',
  'null entries': 'apiVersion: v1\nentries:\ngenerated: x\n',
  'a chart with no versions': 'apiVersion: v1\nentries:\n  a: []\n  b:\n  c: ~\n',
  'a lone dash': 'apiVersion: v1\nentries:\n  app:\n  -\n    name: app\n    version: 1.0.0\n',
  'block scalars that look like fields':
    'apiVersion: v1\nentries:\n  app:\n  - annotations:\n      notes: |\n        version: 9.9.9\n        - name: evil\n      other: >-\n        urls:\n        - evil.tgz\n    description: |\n      version: 8.8.8\n    name: app\n    version: 1.0.0\n',
  'a folded description': `apiVersion: v1\nentries:\n  app:\n  - description: A long line that go-yaml folds\n      onto a second line, with #hashes and - dashes\n    version: 1.0.0\n`,
  'top-level keys with sequences':
    'serverInfo:\n  contextPath: /x\napiVersion: v1\nlist:\n- a\n- b\nentries:\n  app:\n  - version: 1.0.0\n',
  'anchors and aliases':
    'apiVersion: v1\nentries:\n  app:\n  - &v1 {name: app, version: 1.0.0, urls: [a.tgz]}\n  - *v1\n',
  'a merge key': 'apiVersion: v1\nbase: &b\n  name: app\nentries:\n  app:\n  - <<: *b\n    version: 1.0.0\n',
  'a version folded over two lines': 'apiVersion: v1\nentries:\n  app:\n  - version: 1.0.0\n      -rc.1\n',
  'a YAML-only escape': 'apiVersion: v1\nentries:\n  app:\n  - version: "\\x31.0.0"\n',
  'a multi-line quoted url':
    'apiVersion: v1\nentries:\n  app:\n  - urls:\n    - "a\n      b.tgz"\n    version: 1.0.0\n',
  'a JSON flow document':
    '{"apiVersion": "v1", "entries": {"app": [{"version": "1.0.0", "urls": ["a.tgz"]}]}}\n',
  'a tab after the value': 'apiVersion: v1\nentries:\n  app:\n  - version: 1.0.0\t# c\n',
  'versions that YAML reads as numbers':
    'apiVersion: v1\nentries:\n  app:\n  - version: 1.10\n  - version: 2\n',
};

/** Valid YAML outside the subset the fast reader knows. */
const HANDED_OVER = [
  'anchors and aliases',
  'a merge key',
  'a version folded over two lines',
  'a YAML-only escape',
  'a multi-line quoted url',
  'a JSON flow document',
];

describe('readIndexYaml (the fast reader)', () => {
  it('reads a large generated index exactly as the YAML parser does', () => {
    const text = generateHelmIndex({ charts: 30, versionsPerChart: 8, baseUrl: REPO, prereleaseEvery: 3 });
    const fast = readIndexYaml(text);
    expect(fast).toBeDefined();
    expect(fast).toEqual(viaYaml(text));
    expect(fast?.entries.size).toBe(30);
  });

  it.each(Object.entries(documents))('%s: read as the YAML parser reads it, or handed over', (_, text) => {
    const fast = readIndexYaml(text);
    if (fast !== undefined) expect(fast).toEqual(viaYaml(text));
  });

  it.each(HANDED_OVER)('%s: handed to the YAML parser', (name) => {
    expect(readIndexYaml(documents[name] as string)).toBeUndefined();
  });

  it.each(Object.keys(documents).filter((name) => !HANDED_OVER.includes(name)))(
    '%s: read by the fast reader',
    (name) => {
      expect(readIndexYaml(documents[name] as string)).toBeDefined();
    },
  );

  it('reads an index the bundled helm wrote (folded quoted text, block scalars, quoted names) as YAML does', () => {
    const text = readFileSync(join(FIXTURES, 'written-by-helm.yaml'), 'utf8');
    const fast = readIndexYaml(text);
    expect(fast).toBeDefined();
    expect(fast).toEqual(viaYaml(text));
    expect(fast?.entries.get('rich')).toEqual([
      {
        name: 'rich',
        version: '1.2.3-rc.1+build.7',
        digest: 'dddebea37082393c913b93a6b2b5532e6cf73f943a639e14248f3fbf8e2922c6',
        created: '2026-11-30T15:02:20.07342142Z',
        urls: ['https://charts.example.com/rich/rich-1.2.3-rc.1+build.7.tgz'],
      },
    ]);
  });

  it('keeps block scalar text out of the fields', () => {
    const read = readIndexYaml(documents['block scalars that look like fields'] as string);
    expect(read?.entries.get('app')).toEqual([{ name: 'app', version: '1.0.0', urls: [] }]);
  });
});

describe('parseChartIndex', () => {
  it('sorts each chart newest first and skips versions that are not semver', () => {
    const parsed = index(
      helmIndex({ app: ['1.2.0', 'not-a-version', '1.10.0', '1.9.0', 'v2.0.0-rc.1', '01.3.0'] }),
    );
    expect(parsed.entries.get('app')?.map((v) => v.version)).toEqual([
      'v2.0.0-rc.1',
      '1.10.0',
      '1.9.0',
      '01.3.0',
      '1.2.0',
    ]);
  });

  it('orders versions equal but for build metadata by their created time, newest first', () => {
    const text = [
      'apiVersion: v1',
      'entries:',
      '  app:',
      '  - version: 1.0.0+old',
      '    created: "2026-01-01T00:00:00Z"',
      '  - version: 1.0.0+new',
      '    created: "2026-06-01T00:00:00.123456789Z"',
      '',
    ].join('\n');
    expect(
      index(text)
        .entries.get('app')
        ?.map((v) => v.version),
    ).toEqual(['1.0.0+new', '1.0.0+old']);
  });

  it('reads the JSON index helm repo index --json writes, and YAML the fast reader declines', () => {
    const json = JSON.stringify({
      apiVersion: 'v1',
      entries: { app: [{ name: 'app', version: '1.0.0', urls: ['app-1.0.0.tgz'], digest: 'cd'.repeat(32) }] },
    });
    expect(selectChartVersion(index(json), 'app', '*')).toEqual({
      name: 'app',
      version: '1.0.0',
      urls: ['app-1.0.0.tgz'],
      digest: 'cd'.repeat(32),
    });
    expect(selectChartVersion(index(documents['anchors and aliases'] as string), 'app', '*').urls).toEqual([
      'a.tgz',
    ]);
  });

  it('selects the same versions from the YAML and the JSON helm wrote of one repository', () => {
    for (const file of ['written-by-helm.yaml', 'written-by-helm.json']) {
      const parsed = parseChartIndex(readFileSync(join(FIXTURES, file)), REPO);
      expect([...parsed.entries.keys()].sort()).toEqual(['num', 'rich', 'yes']);
      expect(selectChartVersion(parsed, 'num', '~1.10').version).toBe('1.10.0');
      expect(selectChartVersion(parsed, 'yes', '*').urls).toEqual([
        'https://charts.example.com/rich/yes-0.1.0.tgz',
      ]);
      expect(selectChartVersion(parsed, 'rich', '>=1.2.3-0').version).toBe('1.2.3-rc.1+build.7');
      expect(errorOf(() => selectChartVersion(parsed, 'rich', '*')).code).toBe('ArtifactNotFound');
    }
  });

  it('keeps versions as written: 1.10 stays 1.10 (and is not semver), never the number 1.1', () => {
    const parsed = index(documents['versions that YAML reads as numbers'] as string);
    expect(parsed.entries.get('app')).toEqual([]);
  });

  it.each([
    ['no apiVersion', 'entries:\n  app:\n  - version: 1.0.0\n'],
    ['not YAML', 'apiVersion: v1\nentries: [\n'],
    ['not a mapping', '- a\n- b\n'],
    ['entries as a list', 'apiVersion: v1\nentries:\n- a\n'],
    ['an HTML page', '<html><body>Not Found</body></html>\n'],
    [
      'a chart listed twice',
      'apiVersion: v1\nentries:\n  app:\n  - version: 1.0.0\n  app:\n  - version: 2.0.0\n',
    ],
    [
      'an alias bomb in entries',
      `apiVersion: v1\na: &a [x, x, x, x, x, x, x, x, x, x]\n${Array.from(
        { length: 8 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
            .fill(`*${String.fromCharCode(97 + i)}`)
            .join(', ')}]`,
      ).join('\n')}\nentries:\n  app: *i\n`,
    ],
  ])('refuses a document with %s as not an index (is spec.url a Helm repository?)', (_, text) => {
    const err = errorOf(() => index(text));
    expect(err.code).toBe('SourceFetchFailed');
    expect(err.message).toContain('is spec.url a Helm repository?');
  });

  it('never expands an alias bomb in a field it does not need', () => {
    const anchors = Array.from({ length: 8 }, (_, i) => {
      const [name, prev] = [String.fromCharCode(98 + i), String.fromCharCode(97 + i)];
      return `${name}: &${name} [${Array(10).fill(`*${prev}`).join(', ')}]`;
    });
    const text = [
      'apiVersion: v1',
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...anchors,
      'entries: {}',
      '',
    ].join('\n');
    expect(index(text).entries.size).toBe(0);
  });

  it('refuses an index larger than the limit before reading it', () => {
    expect(errorOf(() => parseChartIndex(Buffer.alloc(MAX_INDEX_BYTES + 1, 0x20))).code).toBe(
      'LimitExceeded',
    );
  });

  it('names the repository without its credentials', () => {
    const err = errorOf(() =>
      parseChartIndex(Buffer.from('entries: {}\n'), 'https://user:s3cret@charts.example.com'),
    );
    expect(err.message).not.toContain('s3cret');
    expect(err.message).toContain('charts.example.com');
  });
});

describe('selectChartVersion', () => {
  const versions = [
    '0.9.0',
    '1.0.0',
    '1.2.0',
    '1.2.7',
    '1.3.0-rc.1',
    '1.9.9',
    '2.0.0-beta.1',
    '2.0.0-rc.1',
    'v2.1.0',
    '3.0.0-alpha.1',
  ];
  const repo = index(helmIndex({ podinfo: versions, redis: ['1.0.0'], 'podinfo-extra': ['1.0.0'] }));

  it.each([
    ['*', 'v2.1.0'],
    ['', 'v2.1.0'],
    ['  ', 'v2.1.0'],
    ['>=1.0.0 <2.0.0', '1.9.9'],
    ['>=1.0.0, <2.0.0', '1.9.9'],
    ['~1.2', '1.2.7'],
    ['~1.2.0', '1.2.7'],
    ['^1', '1.9.9'],
    ['1.x', '1.9.9'],
    ['1.2.x', '1.2.7'],
    ['<1.0.0 || >=1.2.0 <1.3.0', '1.2.7'],
    ['!=v2.1.0', '1.9.9'],
    ['2.1.0', 'v2.1.0'],
    ['v2.1.0', 'v2.1.0'],
    ['1.2.0', '1.2.0'],
    // An exact version string wins, prerelease or not (source-controller looks for it first).
    ['2.0.0-beta.1', '2.0.0-beta.1'],
    // A prerelease in the range admits prereleases, as Masterminds semver does.
    ['>=2.0.0-0', '3.0.0-alpha.1'],
    ['>=1.3.0-0 <2.0.0', '2.0.0-rc.1'],
    ['>=2.0.0-0 <2.1.0', '2.0.0-rc.1'],
    ['~1.3.0-0', '1.3.0-rc.1'],
  ])('%j picks %s', (range, version) => {
    expect(selectChartVersion(repo, 'podinfo', range).version).toBe(version);
  });

  it('returns the entry with its digest and URLs', () => {
    expect(selectChartVersion(repo, 'redis', '*')).toEqual({
      name: 'redis',
      version: '1.0.0',
      digest: 'ab'.repeat(32),
      urls: ['redis-1.0.0.tgz'],
    });
  });

  it('never picks a prerelease for * when only prereleases exist, and says which versions it saw', () => {
    const pre = index(helmIndex({ app: ['1.0.0-rc.1', '1.0.0-rc.2'] }));
    const err = errorOf(() => selectChartVersion(pre, 'app', '*', REPO));
    expect(err.code).toBe('ArtifactNotFound');
    expect(err.message).toContain("'*'");
    expect(err.message).toContain('1.0.0-rc.2, 1.0.0-rc.1');
  });

  it('names the chart, the repository and some charts that are there when the chart is missing', () => {
    const err = errorOf(() => selectChartVersion(repo, 'podinf', '*', 'https://u:p4ss@charts.example.com/x'));
    expect(err.code).toBe('ArtifactNotFound');
    expect(err.message).toMatch(
      /chart 'podinf' not found in https:\/\/\*\*\*@charts\.example\.com\/x; charts there include podinfo, /,
    );
    expect(err.message).not.toContain('p4ss');
  });

  it('names the range and the newest versions when nothing matches', () => {
    const err = errorOf(() => selectChartVersion(repo, 'podinfo', '>=4.0.0', REPO));
    expect(err).toEqual({
      code: 'ArtifactNotFound',
      message: `no version of chart 'podinfo' in ${REPO} matches '>=4.0.0' (newest versions: 3.0.0-alpha.1, v2.1.0, 2.0.0-rc.1, 2.0.0-beta.1, 1.9.9); change spec.version or publish a matching version`,
    });
  });

  it.each(['>=>1', 'one.two', '1.2.3.4.5', '1.0.0 - '])(
    'refuses %j as an invalid range on spec.version',
    (range) => {
      const err = (() => {
        try {
          selectChartVersion(repo, 'podinfo', range);
        } catch (e) {
          return e as { code: string; field: string };
        }
        throw new Error('expected an error');
      })();
      expect(err).toMatchObject({ code: 'ValidationFailed', field: 'spec.version' });
    },
  );
});
