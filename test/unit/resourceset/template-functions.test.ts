// The functions a ResourceSet template can call: slim-sprig's as the operator registers them (argument order
// for pipelines, Go quoting, spf13/cast conversions) and the operator's own slugify, toYaml and inputs.
import { describe, expect, it } from 'vitest';
import { DEFAULT_RESOURCE_SET_LIMITS } from '../../../shared/core/resourceset/limits.ts';
import { compileTemplate, newBudget, runTemplate } from '../../../shared/core/resourceset/render-template.ts';
import { slugify } from '../../../shared/core/resourceset/slugify.ts';
import { SUPPORTED_FUNCTIONS } from '../../../shared/core/resourceset/template-functions.ts';

const render = (source: string, inputs: Record<string, unknown> = {}) =>
  runTemplate(
    compileTemplate(source, DEFAULT_RESOURCE_SET_LIMITS),
    inputs,
    newBudget(DEFAULT_RESOURCE_SET_LIMITS),
  );

describe('string functions', () => {
  it.each([
    ['<< inputs.v | quote >>', { v: '6.7.x' }, '"6.7.x"'],
    ['<< inputs.n | quote >>', { n: 2 }, '"2"'],
    ['<< quote "a\\"b\\n" >>', {}, '"a\\"b\\n"'],
    ['<< inputs.b | quote >>', { b: true }, '"true"'],
    ['<< squote "a" >>', {}, "'a'"],
    ['<< "Hello" | upper >>-<< "Hello" | lower >>', {}, 'HELLO-hello'],
    ['<< title "hello big world" >>', {}, 'Hello Big World'],
    ['<< trim "  a  " >>', {}, 'a'],
    ['<< "$$a$" | trimAll "$" >>', {}, 'a'],
    ['<< "app-v1" | trimPrefix "app-" >> << "app-v1" | trimSuffix "-v1" >>', {}, 'v1 app'],
    ['<< "podinfo" | trunc 3 >>|<< trunc -3 "podinfo" >>', {}, 'pod|nfo'],
    ['<< substr 1 3 "podinfo" >>', {}, 'od'],
    ['<< "ab" | repeat 3 >>', {}, 'ababab'],
    ['<< "a-b-c" | replace "-" "." >>', {}, 'a.b.c'],
    [
      '<< "foobar" | contains "oba" >> << hasPrefix "foo" "foobar" >> << hasSuffix "x" "foobar" >>',
      {},
      'true true false',
    ],
    ['<< cat "a" 1 nil "b" >>', {}, 'a 1 b'],
    ['<< "a\\nb" | indent 2 >>', {}, '  a\n  b'],
    ['x:<< "a\\nb" | nindent 2 >>', {}, 'x:\n  a\n  b'],
    ['<< splitList "," "a,b" | join "/" >>', {}, 'a/b'],
    ['<< (split "." "a.b")._1 >>', {}, 'b'],
    ['<< list "b" "a" | sortAlpha >>', {}, '[a b]'],
    ['<< "hello" | b64enc >>-<< "aGVsbG8=" | b64dec >>', {}, 'aGVsbG8=-hello'],
    ['<< "abc" | sha256sum | trunc 8 >>', {}, 'ba7816bf'],
    ['<< adler32sum "foo" >>', {}, '42074437'],
    [
      '<< base "a/b/c.yaml" >> << dir "a/b/c.yaml" >> << ext "c.yaml" >> << clean "a/../b/./c" >>',
      {},
      'c.yaml a/b .yaml b/c',
    ],
    ['<< plural "one" "many" 2 >>', {}, 'many'],
    ['<< toString 2 >>', {}, '2'],
  ])('%s', (source, inputs, expected) => {
    expect(render(source, inputs)).toBe(expected);
  });
});

describe('number and default functions', () => {
  it.each([
    ['<< inputs.r | int >>', { r: '3' }, '3'],
    ['<< int "010" >> << int "0x1f" >> << int "x" >> << int 2.9 >>', {}, '8 31 0 2'],
    [
      '<< add 1 2 3 >> << sub 5 2 >> << mul 2 3 >> << div 7 2 >> << mod 7 2 >> << add1 1 >>',
      {},
      '6 3 6 3 1 2',
    ],
    ['<< max 1 5 3 >> << min 4 2 >>', {}, '5 2'],
    ['<< until 3 >> << untilStep 0 6 2 >> << seq 3 >>', {}, '[0 1 2] [0 2 4] 1 2 3'],
    ['<< get inputs "name" | default inputs.namespace >>', { namespace: 'team1' }, 'team1'],
    ['<< get inputs "name" | default inputs.namespace >>', { name: 'n', namespace: 'team1' }, 'n'],
    ['<< default "x" 0 >> << default "x" false >> << default "x" "" >>', {}, 'x x x'],
    ['<< empty "" >> << empty 0 >> << empty (list) >> << empty "a" >>', {}, 'true true true false'],
    ['<< coalesce "" 0 "c" >>', {}, 'c'],
    ['<< ternary "yes" "no" true >>', {}, 'yes'],
    ['<< toJson inputs.m >>', { m: { b: '<x>', a: 1 } }, '{"a":1,"b":"\\u003cx\\u003e"}'],
    ['<< toRawJson inputs.m >>', { m: { b: '<x>' } }, '{"b":"<x>"}'],
    ['<< (fromJson "{\\"a\\": [1, 2]}").a >>', {}, '[1 2]'],
    [
      '<< kindOf inputs.m >> << kindOf inputs.l >> << kindOf inputs.s >> << typeOf inputs.n >>',
      { m: {}, l: [], s: 'x', n: 1 },
      'map slice string int64',
    ],
    ['<< len "héllo" >> << len inputs.l >>', { l: [1, 2] }, '6 2'],
    ['<< index inputs.m "a" >> << index inputs.l 1 >>', { m: { a: 'x' }, l: [1, 2] }, 'x 2'],
    ['<< print 1 2 "a" 3 >>|<< printf "%s=%d %q %v" "a" 3 "b" inputs.l >>', { l: [1] }, '1 2a3|a=3 "b" [1]'],
    [
      '<< not true >> << ne 1 2 >> << lt 1 2 >> << le 2 2 >> << gt "b" "a" >> << ge 1 2 >>',
      {},
      'false true true true true false',
    ],
  ])('%s', (source, inputs, expected) => {
    expect(render(source, inputs)).toBe(expected);
  });
});

describe('list and dict functions', () => {
  it.each([
    ['<< list 1 "a" >>', '[1 a]'],
    ['<< (dict "a" 1 "b" 2).b >>', '2'],
    ['<< $d := dict "a" 1 >><< $_ := set $d "b" 2 >><< $d >>', 'map[a:1 b:2]'],
    ['<< hasKey (dict "a" 1) "a" >> << hasKey (dict) "a" >>', 'true false'],
    ['<< keys (dict "b" 1 "a" 2) | sortAlpha >>', '[a b]'],
    ['<< pick (dict "a" 1 "b" 2) "a" >> << omit (dict "a" 1 "b" 2) "a" >>', 'map[a:1] map[b:2]'],
    ['<< dig "a" "b" "none" (dict "a" (dict "b" "found")) >> << dig "x" "none" (dict) >>', 'found none'],
    [
      '<< first (list 1 2) >> << last (list 1 2) >> << rest (list 1 2 3) >> << initial (list 1 2 3) >>',
      '1 2 [2 3] [1 2]',
    ],
    [
      '<< append (list 1) 2 >> << prepend (list 1) 0 >> << concat (list 1) (list 2 3) >>',
      '[1 2] [0 1] [1 2 3]',
    ],
    [
      '<< reverse (list 1 2) >> << uniq (list 1 1 2) >> << without (list 1 2 3) 2 >> << has 2 (list 1 2) >>',
      '[2 1] [1 2] [1 3] true',
    ],
    [
      '<< compact (list "" "a" 0) >> << slice (list 1 2 3) 1 >> << chunk 2 (list 1 2 3) >>',
      '[a] [2 3] [[1 2] [3]]',
    ],
  ])('%s', (source, expected) => {
    expect(render(source)).toBe(expected);
  });
});

describe('the operator functions', () => {
  it('toYaml prints a value as sigs.k8s.io/yaml does, for nindent under a key', () => {
    const source = 'layerSelector: << inputs.ls | toYaml | nindent 2 >>';
    expect(render(source, { ls: { operation: 'copy', mediaType: 'application/x' } })).toBe(
      'layerSelector: \n  mediaType: application/x\n  operation: copy\n  ',
    );
  });

  it.each([
    ['Hello World & Friends!', 'hello-world-and-friends'],
    ['  team_A  ', 'team_a'],
    ["it's --- done@home", 'its-doneathome'],
    ['Café Crème', 'cafe-creme'],
    // 63 characters at most, cut at the last dash within them.
    [`${'word-'.repeat(15)}end`, 'word-word-word-word-word-word-word-word-word-word-word-word'],
    ['x'.repeat(70), 'x'.repeat(63)],
  ])('slugify(%j) is %j', (input, expected) => {
    expect(slugify(input)).toBe(expected);
    expect(render('<< slugify inputs.s >>', { s: input })).toBe(expected);
  });

  it('offers the functions fleets use, and none that reads the clock, randomness, environment or network', () => {
    expect(SUPPORTED_FUNCTIONS).toEqual(
      expect.arrayContaining(['slugify', 'toYaml', 'inputs', 'quote', 'default', 'nindent', 'int']),
    );
    for (const nonHermetic of [
      'now',
      'date',
      'env',
      'expandenv',
      'randAlphaNum',
      'uuidv4',
      'getHostByName',
    ]) {
      expect(SUPPORTED_FUNCTIONS).not.toContain(nonHermetic);
    }
  });
});
