// Helm's `--set` parser, checked against the cases of helm v4's own pkg/strvals parser_test.go
// (TestParseSet, TestParseInto, TestParseIntoString, TestParseSetNestedLevels).
import { describe, expect, it } from 'vitest';
import { MAX_NESTED_NAME_LEVEL, parseInto, StrvalsError } from '../../../../shared/core/helm/strvals.ts';

function parse(line: string, asStrings = false): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  parseInto(line, out, asStrings);
  return out;
}

describe('parseInto', () => {
  it.each<[string, Record<string, unknown>]>([
    ['name1=null,f=false,t=true', { name1: null, f: false, t: true }],
    ['name1=value1', { name1: 'value1' }],
    ['name1=value1,name2=value2,', { name1: 'value1', name2: 'value2' }],
    ['name1=,name2=value2', { name1: '', name2: 'value2' }],
    ['leading_zeros=00009', { leading_zeros: '00009' }],
    ['zero_int=0', { zero_int: 0 }],
    ['long_int=1234567890', { long_int: 1234567890 }],
    ['signed=-12,plus=+3', { signed: -12, plus: 3 }],
    ['mixed=TRUE,nil=Null', { mixed: true, nil: null }],
    ['name1=one\\,two,name2=three\\,four', { name1: 'one,two', name2: 'three,four' }],
    ['name1=one\\=two,name2=three\\=four', { name1: 'one=two', name2: 'three=four' }],
    ['name1=one two three', { name1: 'one two three' }],
    ['a=b=c', { a: 'b=c' }],
    ['outer.inner=value', { outer: { inner: 'value' } }],
    ['outer.middle.inner=value', { outer: { middle: { inner: 'value' } } }],
    [
      'outer.inner1=value,outer.middle.inner=value',
      { outer: { inner1: 'value', middle: { inner: 'value' } } },
    ],
    ['name1.name2=', { name1: { name2: '' } }],
    ['name1={value1,value2}', { name1: ['value1', 'value2'] }],
    ['name1={1021,902}', { name1: [1021, 902] }],
    ['name1.name2={value1,value2}', { name1: { name2: ['value1', 'value2'] } }],
    ['list[0]=foo', { list: ['foo'] }],
    ['list[0].foo=bar,list[0].hello=world', { list: [{ foo: 'bar', hello: 'world' }] }],
    ['list[0]=foo,list[3]=bar', { list: ['foo', null, null, 'bar'] }],
    ['noval[0]', { noval: [] }],
    ['noval[0]=', { noval: [''] }],
    ['nested[0][0]=1', { nested: [[1]] }],
    ['nested[1][1]=1', { nested: [null, [null, 1]] }],
    ['name1.name2[1].foo=bar', { name1: { name2: [null, { foo: 'bar' }] } }],
    ['name1.name2[1].foo=bar,name1.name2[0].foo=bar', { name1: { name2: [{ foo: 'bar' }, { foo: 'bar' }] } }],
    ['nodeSelector.kubernetes\\.io/role=master', { nodeSelector: { 'kubernetes.io/role': 'master' } }],
    ['a.', {}],
    ['a[1', {}],
  ])('%s', (line, expected) => {
    expect(parse(line)).toEqual(expected);
  });

  it.each([
    'name1=value1,,,,name2=value2,',
    'name1,name2=',
    'name1,name2=value2',
    'name1,name2=value2\\',
    'name1,name2',
    'name1.name2',
    'name1.name2,name1.name3',
    'name1.=name2',
    'name1.,name2',
    'name1={1021,902',
    'list[0].foo=bar,list[-30].hello=world',
    'list[0]=foo,list[-20]=bar',
    'illegal[0]name.foo=bar',
    ']={}].',
    'list[x]=1',
    'list[65537]=1',
  ])('refuses %s', (line) => {
    expect(() => parse(line)).toThrow(StrvalsError);
  });

  it(`refuses names nested deeper than ${MAX_NESTED_NAME_LEVEL} levels`, () => {
    const deep = Array.from({ length: MAX_NESTED_NAME_LEVEL + 2 }, (_, i) => `name${i + 1}`).join('.');
    const ok = Array.from({ length: MAX_NESTED_NAME_LEVEL + 1 }, (_, i) => `name${i + 1}`).join('.');
    expect(() => parse(`${deep}=value`)).toThrow(StrvalsError);
    expect(() => parse(`${ok}=value`)).not.toThrow();
  });

  it('merges into what is there, overwriting only the keys it names', () => {
    const got: Record<string, unknown> = { outer: { inner1: 'overwrite', inner2: 'value2' } };
    parseInto('outer.inner1=value1,outer.inner3=value3,outer.inner4=4', got);
    expect(got).toEqual({ outer: { inner1: 'value1', inner2: 'value2', inner3: 'value3', inner4: 4 } });
  });

  it('extends nested lists in existing values', () => {
    const got: Record<string, unknown> = { listOuter: [[[{ exited: 'old' }]]] };
    parseInto('listOuter[0][1][0].type=listValue', got);
    parseInto('listOuter[0][0][1].status=alive', got);
    expect(got).toEqual({
      listOuter: [[[{ exited: 'old' }, { status: 'alive' }], [{ type: 'listValue' }]]],
    });
  });

  it('sets an existing list item in place, so every holder of that list sees it (as Go slices do)', () => {
    const shared = ['a', 'b'];
    const got: Record<string, unknown> = { list: shared };
    parseInto('list[1]=c', got);
    expect(shared).toEqual(['a', 'c']);
    parseInto('list[2]=d', got);
    expect(shared).toEqual(['a', 'c']);
    expect(got.list).toEqual(['a', 'c', 'd']);
  });

  it.each([
    ['a map key below a string', { a: 'text' }, 'a.b=1'],
    ['a list index on a map', { a: { b: 1 } }, 'a[0]=1'],
    ['a list index on null', { a: null }, 'a[0]=1'],
  ])('refuses %s', (_, start, line) => {
    expect(() => parseInto(line, structuredClone(start))).toThrow(StrvalsError);
  });

  it('keeps every value a string as --set-string does', () => {
    expect(parse('outer.inner1=1,t=true,n=null,z=0,l={1,2}', true)).toEqual({
      outer: { inner1: '1' },
      t: 'true',
      n: 'null',
      z: '0',
      l: ['1', '2'],
    });
  });

  it('never quotes the line in its errors (the value may come from a Secret)', () => {
    expect(() => parse('k=s3cr3t,hunter2')).toThrow(/^(?![\s\S]*hunter2)/);
  });
});
