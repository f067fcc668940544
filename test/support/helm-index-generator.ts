// Large, realistic Helm repository indexes for tests and the benchmark, written the way `helm repo index`
// writes them (sorted keys, go-yaml's folding of long strings, block-literal annotations, quoted times).
// Deterministic: the same options give the same bytes.

export interface GeneratedIndexOptions {
  charts: number;
  versionsPerChart: number;
  /** Repository base URL of the archives; relative file names when absent. */
  baseUrl?: string;
  /** Every n-th version is a prerelease (0: none). */
  prereleaseEvery?: number;
}

const WORDS =
  'deploy scalable cloud native database cache proxy monitoring observability stream queue operator controller workload ingress certificate secrets service mesh gateway storage backup restore metrics logging tracing dashboard analytics search engine platform cluster kubernetes helm chart container image registry network policy security identity'.split(
    ' ',
  );

/** A tiny deterministic generator (mulberry32), so the index is the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sentence(rand: () => number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(WORDS[Math.floor(rand() * WORDS.length)] as string);
  const text = out.join(' ');
  return `${text[0]?.toUpperCase()}${text.slice(1)}.`;
}

function hex(rand: () => number, chars: number): string {
  let s = '';
  while (s.length < chars) {
    s += Math.floor(rand() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  }
  return s.slice(0, chars);
}

/** go-yaml folds a long plain scalar at spaces past column 80, continuing two spaces deeper. */
function folded(indent: number, key: string, text: string): string {
  const pad = ' '.repeat(indent);
  const lines: string[] = [];
  let line = `${pad}${key}: `;
  let first = true;
  for (const word of text.split(' ')) {
    if (!first && line.length + word.length > 80) {
      lines.push(line.trimEnd());
      line = `${pad}  `;
    } else if (!first) line += ' ';
    line += word;
    first = false;
  }
  lines.push(line);
  return lines.join('\n');
}

export function generateHelmIndex(opts: GeneratedIndexOptions): string {
  const rand = rng(42);
  const out: string[] = ['apiVersion: v1', 'entries:'];
  const names = Array.from({ length: opts.charts }, (_, i) => `${WORDS[i % WORDS.length]}-chart-${i}`).sort();
  for (const [c, name] of names.entries()) {
    out.push(`  ${name}:`);
    const description = sentence(rand, 40 + Math.floor(rand() * 30));
    for (let v = opts.versionsPerChart - 1; v >= 0; v--) {
      const major = Math.floor(v / 10);
      const minor = v % 10;
      const pre = opts.prereleaseEvery && v % opts.prereleaseEvery === 1 ? `-rc.${v}` : '';
      const version = `${major}.${minor}.${c % 7}${pre}`;
      const file = `${name}-${version}.tgz`;
      const day = String(1 + (v % 28)).padStart(2, '0');
      out.push(
        '  - annotations:',
        '      artifacthub.io/changes: |',
        '        - kind: changed',
        `          description: Update the ${name} image to ${major}.${minor}.${v} and its dependencies to their newest patch releases`,
        '          links:',
        '            - name: GitHub pull request',
        `              url: https://github.com/example/charts/pull/${10000 + c * 100 + v}`,
        `      category: ${WORDS[c % WORDS.length]}`,
        '      images: |',
        `        - name: ${name}`,
        `          image: docker.io/example/${name}:${major}.${minor}.0-debian-12-r${v}`,
        '        - name: os-shell',
        `          image: docker.io/example/os-shell:12-debian-12-r${c % 50}`,
        '      licenses: Apache-2.0',
        '    apiVersion: v2',
        `    appVersion: ${major + 1}.${minor}.${v}`,
        `    created: "2026-${String(1 + (v % 12)).padStart(2, '0')}-${day}T10:${String(v % 60).padStart(2, '0')}:00.${hex(rand, 6).replace(/[a-f]/g, '1')}Z"`,
        '    dependencies:',
        '    - name: common',
        '      repository: oci://registry-1.docker.io/example/charts',
        '      tags:',
        '      - example-common',
        '      version: 2.x.x',
        folded(4, 'description', description),
        `    digest: ${hex(rand, 64)}`,
        `    home: https://example.com/charts/${name}`,
        `    icon: https://example.com/assets/stacks/${name}/img/${name}-stack-220x234.png`,
        '    keywords:',
        `    - ${WORDS[(c + 1) % WORDS.length]}`,
        `    - ${WORDS[(c + 2) % WORDS.length]}`,
        `    - ${WORDS[(c + 3) % WORDS.length]}`,
        `    kubeVersion: '>=1.${20 + (v % 5)}.0-0'`,
        '    maintainers:',
        '    - name: Example Charts Team',
        '      url: https://github.com/example/charts',
        `    name: ${name}`,
        '    sources:',
        `    - https://github.com/example/charts/tree/main/example/${name}`,
        `    - https://github.com/example/containers/tree/main/example/${name}`,
        '    urls:',
        `    - ${opts.baseUrl ? `${opts.baseUrl.replace(/\/+$/, '')}/` : ''}${file}`,
        `    version: ${version}`,
      );
    }
  }
  out.push('generated: "2026-11-30T12:00:00.000000000Z"', '');
  return out.join('\n');
}
