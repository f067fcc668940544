// The fast block-YAML reader against the `yaml` package it stands in for: on every document it reads, the
// value is exactly the package's (YAML 1.1 typing included); anything else it must leave to the package.
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseBlockYaml } from '../../../../shared/core/render/yaml-block-fast.ts';
import { parseYaml11 } from '../../../../shared/core/render/yaml-codec.ts';

/** Undefined when the fast reader agrees with the package (or left the text to it), else the difference. */
function disagreement(text: string): string | undefined {
  const fast = parseBlockYaml(text);
  if (fast === undefined) return undefined;
  const lib = parseYaml11(text);
  if ('error' in lib) return `fast read ${JSON.stringify(fast.value)} where the package fails: ${lib.error}`;
  return isDeepStrictEqual(fast.value, lib.value)
    ? undefined
    : `fast ${JSON.stringify(fast.value)} != package ${JSON.stringify(lib.value)}`;
}

const HELM_DOC = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop-api
  labels:
    helm.sh/chart: bench-1.2.3
    app.kubernetes.io/version: "4.5.6"
    app.kubernetes.io/managed-by: Helm
spec:
  replicas: 3
  template:
    metadata:
      annotations:
        checksum/config: 4fca45bb1a6d7e4e8ed2b32d53d510316c63e9d85a92197979378b74f9955e5a
        prometheus.io/scrape: "true"
    spec:
      containers:
        - name: api
          image: "ghcr.io/example/bench:4.5.6"
          args: ["--component=api", "--port=8080"]
          ports:
            - name: http
              containerPort: 8080
          resources:
            limits:
              memory: 256Mi
          securityContext:
            capabilities:
              drop:
              - ALL
      tolerations: []
      nodeSelector: {}
`;

// Scalars whose typing differs between YAML 1.1 and 1.2, or that look like something else.
const SCALARS = [
  'yes',
  'No',
  'ON',
  'off',
  'y',
  'n',
  'true',
  'False',
  'null',
  'Null',
  '~',
  '',
  '0',
  '-0',
  '+1',
  '007',
  '0o7',
  '0b101',
  '0x1F',
  '0x_1',
  '1_000',
  '1e3',
  '1.5e-3',
  '.5',
  '1.',
  '.inf',
  '-.Inf',
  '.nan',
  '.NaN',
  '1:20',
  '2001-12-14',
  '1.2.3',
  'v1',
  '0777',
  '08',
  '-',
  '--x',
  '-x',
  '?x',
  ':x',
  'a:b',
  'a#b',
  'a b',
  'http://x/y',
  '@x',
  '`x',
  '%x',
  '&a',
  '*a',
  '!x',
  '|',
  '>',
  '[a]',
  '{a: 1}',
  'a, b',
  '"q"',
  "'q'",
  '""',
  "''",
  '"a\\"b"',
  '"\\u00e9\\x41\\t\\n\\\\"',
  '"\\q"',
  "'it''s'",
  '"unterminated',
  '123456789012345678901234567890',
  '0.1',
  '__proto__',
  'constructor',
  '<<',
  'a: b',
  'a #c',
  'x #',
  '- x',
  'é',
  '"\\U0001F600"',
  '1_2.3_4',
  '+.5',
];

/** Seeded PRNG (mulberry32), so a failure names a reproducible case. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomDoc(rand: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const key = () =>
    pick([
      'a',
      'b',
      'name',
      'app.kubernetes.io/name',
      'x-y',
      'k8s',
      'on',
      '1',
      'a#b',
      'c',
      '"helm.sh/hook"',
      "'q'",
      '"a\\"b"',
      '""',
      '"<<"',
      "'__proto__'",
      '"x":y',
      '"un',
    ]);
  const lines: string[] = [];
  const emit = (indent: number, depth: number, inSeq: boolean): void => {
    const n = 1 + Math.floor(rand() * 3);
    for (let i = 0; i < n; i++) {
      const pad = ' '.repeat(indent);
      const head = inSeq ? `${pad}- ` : `${pad}${key()}:`;
      const r = rand();
      if (rand() < 0.08) lines.push(`${' '.repeat(Math.floor(rand() * 6))}# comment ${pick(SCALARS)}`);
      if (rand() < 0.05) lines.push(pick(['', ' ', '   ']));
      if (depth < 3 && r < 0.25) {
        lines.push(inSeq ? `${pad}-` : head);
        const child = indent + pick([0, 1, 2, 2, 4]);
        if (inSeq || child > indent || rand() < 0.5)
          emit(inSeq ? indent + 2 : child, depth + 1, rand() < 0.4);
        else emit(indent, depth + 1, true);
      } else if (r < 0.35) {
        lines.push(`${inSeq ? `${pad}-` : head} ${pick(['|', '|-', '|+', '>', '|2', '| # c'])}`);
        const body = indent + pick([1, 2, 4]);
        for (let j = 0; j < 1 + Math.floor(rand() * 3); j++)
          lines.push(
            rand() < 0.2
              ? ' '.repeat(Math.floor(rand() * 8))
              : `${' '.repeat(body + pick([0, 0, 1]))}${pick(SCALARS)}`,
          );
      } else if (r < 0.45) {
        const items = Array.from({ length: Math.floor(rand() * 3) }, () => pick(SCALARS));
        lines.push(
          `${inSeq ? `${pad}-` : head} [${items.join(pick([', ', ',', ' , ']))}]${pick(['', ' # c', ','])}`,
        );
      } else if (r < 0.5) {
        // A value on a line of its own, below its key or dash (toYaml | nindent prints `{}` so).
        lines.push(inSeq ? `${pad}-` : head);
        lines.push(`${' '.repeat(indent + pick([0, 1, 2, 4]))}${pick(['{}', '[]', '[a, 1]', ...SCALARS])}`);
        if (rand() < 0.2) lines.push(`${' '.repeat(indent + pick([1, 2]))}${pick(SCALARS)}`);
      } else if (inSeq && r < 0.6) {
        lines.push(`${pad}- ${key()}: ${pick(SCALARS)}`);
        lines.push(`${' '.repeat(indent + pick([2, 2, 3]))}${key()}: ${pick(SCALARS)}`);
      } else {
        lines.push(`${inSeq ? `${pad}-` : head} ${pick(SCALARS)}${pick(['', '', ' # c', ' '])}`);
        if (rand() < 0.05) lines.push(`${pad}  ${pick(SCALARS)}`);
      }
    }
  };
  emit(pick([0, 0, 0, 2]), 0, rand() < 0.1);
  return `${lines.join('\n')}\n`;
}

/** `text` with one to three characters inserted, deleted or replaced where YAML is most sensitive. */
function mutate(text: string, rand: () => number): string {
  let out = text;
  for (let k = 0; k < 1 + Math.floor(rand() * 3); k++) {
    const at = Math.floor(rand() * out.length);
    const ch = [' ', ':', '-', '#', '"', "'", '\n', '|', '[', ']', '{', '&', '*', 'x', '\\'][
      Math.floor(rand() * 15)
    ];
    const op = rand();
    out =
      op < 0.4
        ? out.slice(0, at) + ch + out.slice(at)
        : op < 0.7
          ? out.slice(0, at) + out.slice(at + 1)
          : out.slice(0, at) + ch + out.slice(at + 1);
  }
  return out;
}

describe('parseBlockYaml', () => {
  it('reads a typical helm document fast, exactly as the yaml package reads it', () => {
    expect(parseBlockYaml(HELM_DOC)).toBeDefined();
    expect(disagreement(HELM_DOC)).toBeUndefined();
  });

  it.each(SCALARS)('types the scalar %j as the yaml package does, or leaves it to it', (scalar) => {
    for (const text of [
      `k: ${scalar}\n`,
      `- ${scalar}\n`,
      `k: [${scalar}]\n`,
      `k: [a, ${scalar}]\n`,
      `${scalar}: v\n`,
      `k: |\n  ${scalar}\n`,
    ])
      expect(disagreement(text), text).toBeUndefined();
  });

  it('reads literal blocks, compact sequences, comments and empty values as the yaml package does', () => {
    const cases = [
      'data:\n  a.sh: |\n    #!/bin/sh\n    echo "hi"  # not a comment\n\n      indented\n  b: |-\n    x\n\n\n',
      'k: |\n\n  after a blank\n',
      'k: |\n    \n  x\n',
      'l:\n- a\n-\n  - b\n- c: 1\n  d:\n  - e\n',
      '# only a comment\n',
      '',
      'a:\n# between\n  b: 1\n',
      'a: 1\na: 2\n',
      'a: b\n  c\n',
      'a: "x"y\n',
      '- - a\n',
      'a:   spaced  \n',
      '  a: 1\n  b: 2\n',
      'a:\n  - 1\n  - 2\nb: 3\n',
      'a: b: c\n',
      'k: |\n  x\n y\n',
      'resources:\n  {}\nnext: 1\n',
      '- \n  plain\n- x\n',
      'k:\n  a\n  b\n',
      'k:\n  |\n    x\n',
      'k:\n  x\n',
      "k: 'a\n  b'\n",
      '...\n',
    ];
    for (const text of cases) expect(disagreement(text), text).toBeUndefined();
    expect(parseBlockYaml(cases[0] as string)).toBeDefined();
    expect(parseBlockYaml(cases[3] as string)).toBeDefined();
  });

  it('agrees with the yaml package on thousands of generated documents', () => {
    const rand = prng(11);
    let read = 0;
    for (let i = 0; i < 10000; i++) {
      const text = i % 3 === 0 ? mutate(HELM_DOC, rand) : randomDoc(rand);
      const problem = disagreement(text);
      if (problem) expect.fail(`case ${i}:\n${text}\n${problem}`);
      if (parseBlockYaml(text)) read++;
    }
    // The generator is meant to produce readable documents too, not only ones left to the package.
    expect(read).toBeGreaterThan(1000);
  });
});
