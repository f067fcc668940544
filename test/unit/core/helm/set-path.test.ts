// A valuesFrom value put at its targetPath as Flux's ReplacePathValue / ReplacePathLiteralValue do
// (fluxcd/pkg chartutil values_test.go TestReplacePathValue, TestReplacePathLiteralValue).
import { describe, expect, it } from 'vitest';
import { setPath } from '../../../../shared/core/helm/set-path.ts';
import { StrvalsError } from '../../../../shared/core/helm/strvals.ts';

function at(path: string, value: string, literal = false): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  setPath(values, path, value, literal);
  return values;
}

describe('setPath', () => {
  it.each<[string, string, string, Record<string, unknown>]>([
    ['outer inner', 'outer.inner', 'value', { outer: { inner: 'value' } }],
    ['an inline list', 'name', '{a,b,c}', { name: ['a', 'b', 'c'] }],
    ['an escaped comma', 'name', 'value1\\,value2', { name: 'value1,value2' }],
    ['a boolean, typed', 'merge.at.specific.path', 'true', { merge: { at: { specific: { path: true } } } }],
    ['a number, typed', 'replicas', '3', { replicas: 3 }],
    [
      'a double-quoted value as a string',
      'merge.at.specific.path',
      '"true"',
      { merge: { at: { specific: { path: 'true' } } } },
    ],
    ['a single-quoted value as a string', 'port', "'8080'", { port: '8080' }],
    ['every outer quote trimmed', 'v', `"'x'"`, { v: 'x' }],
    ['an array item', 'merge.at[2]', 'value', { merge: { at: [null, null, 'value'] } }],
    [
      'an escaped dot in the path',
      'nodeSelector.kubernetes\\.io/role',
      'master',
      { nodeSelector: { 'kubernetes.io/role': 'master' } },
    ],
    ['a trailing newline kept (the value is not trimmed)', 'token', 'abc\n', { token: 'abc\n' }],
  ])('%s', (_, path, value, expected) => {
    expect(at(path, value)).toEqual(expected);
  });

  it('refuses a value whose commas start assignments without "=" (flux2#2625)', () => {
    expect(() => at('kafka.brokers', 'kafka01.net:9092,kafka02.net:9092')).toThrow(StrvalsError);
  });

  it.each([
    ['commas', 'kafka.brokers', 'kafka01.net:9092,kafka02.net:9092'],
    [
      'YAML with brackets',
      'externalConfig.application\\.yml.content',
      'include: [ "prometheus", "health" ]\n',
    ],
    ['HOCON with braces and equals', 'conf', 'kafka {\n  bootstrap = "b-1:9098,b-2:9098"\n}\n'],
    ['backslashes', 'path', 'C:\\dir\\file'],
    ['what looks typed', 'flag', 'true'],
  ])('takes %s verbatim with literal', (_, path, value) => {
    const values = at(path, value, true);
    const keys = path.split(/(?<!\\)\./).map((k) => k.replaceAll('\\.', '.'));
    let node: unknown = values;
    for (const key of keys) node = (node as Record<string, unknown>)[key];
    expect(node).toBe(value);
  });

  it('writes into the map it is given, keeping what is there', () => {
    const values: Record<string, unknown> = { a: { keep: 1 } };
    setPath(values, 'a.b', 'x');
    expect(values).toEqual({ a: { keep: 1, b: 'x' } });
  });
});
