// Sluice's Helm values rules against the real bundled helm v4, over a chart that prints its .Values as JSON:
// the `--set` parser port (strvals.ParseInto, as Flux runs it for a targetPath) and how values files are read.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { mergeReleaseValues } from '../../shared/core/helm/merge-release-values.ts';
import { parseInto, StrvalsError } from '../../shared/core/helm/strvals.ts';
import { makeHelmHome, runHelm, writeChart } from '../support/helm-charts.ts';

let root: string;
let home: string;
let chartDir: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sluice-strvals-'));
  home = await makeHelmHome(root);
  chartDir = await writeChart(root, {
    name: 'values-echo',
    version: '0.1.0',
    values: '',
    templates: {
      'configmap.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: values\ndata:\n  json: {{ .Values | toJson | quote }}\n',
    },
  });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** What helm makes of the line over `base` (or of `base` alone), or 'refused'. */
async function helmValues(
  line: string | undefined,
  flag: '--set' | '--set-string',
  base?: string,
): Promise<unknown> {
  const args = ['template', 'echo', chartDir, ...(line === undefined ? [] : [flag, line])];
  if (base !== undefined) {
    const file = join(root, 'base.yaml');
    await writeFile(file, base);
    args.push('--values', file);
  }
  try {
    const { stdout } = await runHelm(args, { home });
    const json = /^ {2}json: (".*")$/m.exec(stdout)?.[1];
    if (!json) throw new Error(`no values in ${stdout}`);
    return JSON.parse(JSON.parse(json));
  } catch (err) {
    if (/failed parsing --set/.test(String(err))) return 'refused';
    throw err;
  }
}

function sluiceValues(line: string, asStrings: boolean, base?: Record<string, unknown>): unknown {
  const values = structuredClone(base ?? {});
  try {
    parseInto(line, values, asStrings);
    return values;
  } catch (err) {
    if (err instanceof StrvalsError) return 'refused';
    throw err;
  }
}

const LINES = [
  'a=b',
  'a.b.c=1',
  'n=null,t=TRUE,f=false,z=0,neg=-5,plus=+7,lead=007,big=12345678901234',
  'x=1.5,y=1e3,s=0x10',
  'list={a,b,1,true}',
  'list={}',
  'list={a\\,b,c}',
  'a=one\\,two,b=x\\=y',
  'a=b=c',
  'a[0]=x',
  'a[2].b=c',
  'a[1][1]=x',
  'a[0].b[1].c=d',
  'a.b\\.c=d',
  'annotations.example\\.com/role=web',
  'a=',
  'a.',
  'a[1',
  'a[0]',
  'a,b',
  'a=1,,b=2',
  'a.=b',
  'a[-1]=x',
  'a[x]=1',
  'a[65537]=1',
  'a[0]x=1',
  'a={b',
  'a=b,',
  ']={}].',
  'multi=line one\nline two',
  'unicode=héllo,ключ=значение',
];

describe('parseInto matches helm v4', () => {
  it.each(LINES)('--set %j', async (line) => {
    expect(sluiceValues(line, false)).toEqual(await helmValues(line, '--set'));
  });

  it.each(['a=1,b=true,c={1,2},d=null', 'a.b=007'])('--set-string %j', async (line) => {
    expect(sluiceValues(line, true)).toEqual(await helmValues(line, '--set-string'));
  });

  it.each([
    ['a.b=x', 'a: {c: 1}\n'],
    ['a[1]=x', 'a: [p, q, r]\n'],
    ['a[0].b=x', 'a: [s, {c: 1}]\n'],
    ['a.b=x', 'a: text\n'],
    ['a[0]=x', 'a: {b: 1}\n'],
  ])('--set %j over %j', async (line, base) => {
    expect(sluiceValues(line, false, parse(base))).toEqual(await helmValues(line, '--set', base));
  });
});

// helm's --values reads every YAML document of a file (loader.LoadValues); Flux reads a valuesFrom key with
// chartutil.ReadValues, one yaml.Unmarshal that keeps the first (a unit test covers that difference).
describe('a valuesFrom key is read as helm reads a values file', () => {
  it.each([
    ["a repeated key's last value", 'a: 1\nnested: {x: 1}\na: 2\n'],
    ['YAML 1.1 scalars', 'on: yes\nflag: off\noctal: 010\nnum: 1_000\nnil: ~\nstamp: 2001-12-14\n'],
  ])('%s', async (_, text) => {
    const lookup = () => ({
      kind: 'ConfigMap' as const,
      metadata: { name: 'v', namespace: 'apps', labels: {}, annotations: {} },
      data: { 'values.yaml': text },
      source: { file: 'v.yaml', document: 0 },
    });
    const hr = {
      metadata: { name: 'echo', namespace: 'apps' },
      spec: {
        valuesFrom: [{ kind: 'ConfigMap' as const, name: 'v', valuesKey: 'values.yaml', optional: false }],
      },
    };
    expect(mergeReleaseValues(hr, lookup)).toEqual(await helmValues(undefined, '--set', text));
  });
});
