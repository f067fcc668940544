// The ResourceSet template engine against Go text/template's rules with the operator's settings (`<<` `>>`
// delimiters, missingkey=error, `inputs` as a function): actions, trim markers, blocks, variables, printing.
import { describe, expect, it } from 'vitest';
import { DEFAULT_RESOURCE_SET_LIMITS } from '../../../shared/core/resourceset/limits.ts';
import { compileTemplate, newBudget, runTemplate } from '../../../shared/core/resourceset/render-template.ts';
import { TemplateError } from '../../../shared/core/resourceset/template-error.ts';

const render = (source: string, inputs: Record<string, unknown> | null = {}) =>
  runTemplate(
    compileTemplate(source, DEFAULT_RESOURCE_SET_LIMITS),
    inputs,
    newBudget(DEFAULT_RESOURCE_SET_LIMITS),
  );

const failure = (source: string, inputs: Record<string, unknown> | null = {}) => {
  try {
    render(source, inputs);
  } catch (err) {
    if (err instanceof TemplateError) return { message: err.message, line: err.line, column: err.column };
    throw err;
  }
  throw new Error('the template rendered');
};

describe('actions and printing', () => {
  it.each([
    [
      'a field of the input set',
      'name: podinfo-<< inputs.tenant >>',
      { tenant: 'team1' },
      'name: podinfo-team1',
    ],
    ['a nested field', '<< inputs.app.version >>', { app: { version: '6.7.x' } }, '6.7.x'],
    ['a whole number as an int64', '<< inputs.replicas >>', { replicas: 2 }, '2'],
    ['a fraction as a float64', '<< inputs.ratio >>', { ratio: 1.5 }, '1.5'],
    [
      'a large fraction in exponent form, as fmt prints float64',
      '<< inputs.big >>',
      { big: 1234567.5 },
      '1.2345675e+06',
    ],
    ['a boolean', '<< inputs.on >>', { on: true }, 'true'],
    ['a list as fmt prints it', '<< inputs.l >>', { l: ['a', 1] }, '[a 1]'],
    ['a map with its keys sorted', '<< inputs.m >>', { m: { b: 2, a: 'x' } }, 'map[a:x b:2]'],
    ['a null input as <no value>', '<< inputs.n >>', { n: null }, '<no value>'],
    ['text with no action', 'kind: ConfigMap', {}, 'kind: ConfigMap'],
    ['a string literal with Go escapes', '<< "a\\tb" >>', {}, 'a\tb'],
    ['a raw string literal', '<< `a\\tb` >>', {}, 'a\\tb'],
    ['a character literal as its code', "<< 'a' >>", {}, '97'],
    ['the data dot, which the operator leaves nil', '<< . >>', {}, '<no value>'],
  ])('prints %s', (_, source, inputs, expected) => {
    expect(render(source, inputs)).toBe(expected);
  });

  it.each([
    ['`<<-` trims the spaces before it', 'a  \n  <<- "b" >>', 'ab'],
    ['`->>` trims the spaces after it', '<< "a" ->>  \n  b', 'ab'],
    ['a comment writes nothing', 'a<</* note */>>b', 'ab'],
    ['a trimmed comment trims both sides', 'a \n<<- /* note */ ->>\n b', 'ab'],
    ['`<<-3>>` is the number -3, not a trim marker', '<<-3>>', '-3'],
  ])('%s', (_, source, expected) => {
    expect(render(source)).toBe(expected);
  });
});

describe('blocks and variables', () => {
  it.each([
    [
      'if/else on a comparison',
      '<< if eq inputs.t "team1" >>enabled<< else >>disabled<< end >>',
      { t: 'team1' },
      'enabled',
    ],
    [
      'else if',
      '<< if eq inputs.n 1 >>one<< else if eq inputs.n 2 >>two<< else >>many<< end >>',
      { n: 2 },
      'two',
    ],
    ['if on an empty list is false', '<< if inputs.l >>yes<< else >>no<< end >>', { l: [] }, 'no'],
    ['with sets the dot', '<< with inputs.app >><< .name >><< end >>', { app: { name: 'web' } }, 'web'],
    ['else with', '<< with inputs.a >>a<< else with inputs.b >><< . >><< end >>', { a: '', b: 'bee' }, 'bee'],
    [
      'range over a list with index and element',
      '<< range $i, $c := inputs.c >><< $i >>=<< $c >>;<< end >>',
      { c: ['x', 'y'] },
      '0=x;1=y;',
    ],
    [
      'range over a map in key order',
      '<< range $k, $v := inputs.m >><< $k >><< $v >><< end >>',
      { m: { b: 2, a: 1 } },
      'a1b2',
    ],
    ['range sets the dot', '<< range inputs.c >>[<< . >>]<< end >>', { c: [1, 2] }, '[1][2]'],
    ['range else on an empty list', '<< range inputs.c >>x<< else >>none<< end >>', { c: [] }, 'none'],
    ['range over an integer counts from zero', '<< range 3 >><< . >><< end >>', {}, '012'],
    [
      'break and continue',
      '<< range $i := inputs.c >><< if eq $i 2 >><< continue >><< end >><< if eq $i 4 >><< break >><< end >><< $i >><< end >>',
      { c: [1, 2, 3, 4, 5] },
      '13',
    ],
    ['a declared variable', '<< $t := inputs.t >><< $t >>-<< $t >>', { t: 'a' }, 'a-a'],
    [
      'an assigned variable inside a block',
      '<< $x := "a" >><< if true >><< $x = "b" >><< end >><< $x >>',
      {},
      'b',
    ],
    ['$ is the nil data', '<< $ >>', {}, '<no value>'],
    ['a pipeline feeds the last argument', '<< inputs.v | printf "%s-%s" "a" >>', { v: 'b' }, 'a-b'],
    ['a parenthesized pipeline with a field chain', '<< (inputs).t >>', { t: 'x' }, 'x'],
    ['and returns the first false argument', '<< and 1 0 2 >>', {}, '0'],
    ['or returns the first true argument', '<< or 0 "" "x" >>', {}, 'x'],
    ['and does not evaluate past a false argument', '<< and false inputs.missing >>', {}, 'false'],
  ])('%s', (_, source, inputs, expected) => {
    expect(render(source, inputs)).toBe(expected);
  });

  it('renders the operator docs resourcesTemplate loop with trim markers', () => {
    const source = [
      'name: << inputs.bundle >>',
      '<<- range $component := inputs.components >>',
      '---',
      'name: << $component >>',
      '<<- if inputs.decryption >>',
      'decryption: sops',
      '<<- end >>',
      '<<- end >>',
    ].join('\n');
    expect(render(source, { bundle: 'apps', decryption: true, components: ['frontend', 'backend'] })).toBe(
      'name: apps\n---\nname: frontend\ndecryption: sops\n---\nname: backend\ndecryption: sops',
    );
  });
});

describe('errors', () => {
  it.each([
    [
      'a missing input key (missingkey=error)',
      '<< inputs.tenant >>',
      { other: 1 },
      'at <inputs.tenant>: map has no entry for key "tenant"',
    ],
    [
      'a field of a string',
      '<< inputs.t.x >>',
      { t: 'a' },
      "at <inputs.t.x>: can't evaluate field x in type string",
    ],
    [
      'comparing an int to a float',
      '<< eq inputs.n 2.5 >>',
      { n: 2 },
      'error calling eq: incompatible types for comparison',
    ],
    [
      'a string function given a number',
      '<< upper inputs.n >>',
      { n: 2 },
      'error calling upper: wrong type for value; expected string; got int64',
    ],
    [
      'an unknown function, with the nearest name',
      '<< uper "a" >>',
      {},
      'function "uper" not defined (did you mean "upper"?)',
    ],
    ['an undefined variable', '<< $nope >>', {}, 'undefined variable "$nope"'],
    ['a block without end', '<< if true >>yes', {}, 'unexpected EOF: a block is missing its << end >>'],
    [
      'a named template',
      '<< template "x" >>',
      {},
      '<< template >> is not supported in ResourceSet templates (the operator defines no named templates)',
    ],
    ['an unclosed action', 'a << inputs.t', {}, 'unclosed action'],
    ['fail', '<< fail "tenant is required" >>', {}, 'error calling fail: tenant is required'],
  ])('reports %s', (_, source, inputs, message) => {
    expect(failure(source, inputs).message).toBe(message);
  });

  it('names the line and column of the failing action', () => {
    expect(failure('kind: ConfigMap\ndata:\n  a: << inputs.missing >>', {})).toMatchObject({
      line: 3,
      column: 9,
    });
  });

  it('rejects an unknown function even in a branch that never runs, as Go does when parsing', () => {
    expect(failure('<< if false >><< nosuch >><< end >>').message).toBe('function "nosuch" not defined');
  });

  it('names a function the operator offers that Sluice does not evaluate', () => {
    expect(failure('<< regexMatch "a" "b" >>').message).toMatch(
      /^function "regexMatch" is not supported by Sluice yet/,
    );
  });
});
