// biome-ignore-all lint/suspicious/noTemplateCurlyInString: envsubst vectors are literal ${...} text
// Table tests for Flux postBuild variable substitution (fluxcd/pkg/envsubst,
// a fork of drone/envsubst).
//
// Every vector is a fact about upstream behaviour, written as data:
//   - group A: fluxcd/pkg envsubst/eval_test.go TestExpand (mapper reports every
//     variable as set, i.e. Flux's non-strict mode)
//   - group B: fluxcd/pkg envsubst/eval_test.go TestExpandStrict
//   - group C: fluxcd/pkg envsubst/funcs_test.go, driven through the ${...} syntax
//   - group D: fluxcd/pkg envsubst/parse/parse_test.go trees, evaluated with
//     concrete values
//   - group E/S/P: facts read off the upstream sources (envsubst/parse/parse.go,
//     envsubst/parse/scan.go, envsubst/funcs.go, envsubst/template.go). Where
//     they contradict our spec summary, the comment says so and names the file.
//
// Strings use single quotes on purpose: `${...}` must stay literal, so template
// literals (and String.raw) cannot be used. '\\' in a vector is ONE backslash.

import { describe, expect, it } from 'vitest';
import { evaluate, SubstitutionError } from '../../../shared/core/envsubst/evaluate.ts';

type Env = Readonly<Record<string, string>>;

interface OkCase {
  readonly name: string;
  readonly input: string;
  readonly env: Env;
  readonly strict?: boolean;
  readonly want: string;
}

interface ErrCase {
  readonly name: string;
  readonly input: string;
  readonly env: Env;
  readonly strict?: boolean;
  /** Fragment the error message must contain (upstream error text). */
  readonly error: string;
}

const NOT_SET = (name: string): string => `variable not set (strict mode): "${name}"`;
const MISSING_BRACE = 'missing closing brace';
const BAD_NAME = 'unable to parse variable name';
const BAD_SUBST = 'bad substitution';
// Upstream has a fifth parse error that the spec summary does not list:
// envsubst/parse/parse.go ErrParseFuncSubstitution, returned by parseParam when a
// function argument is empty or unterminated.
const BAD_FUNC_ARG = 'unable to parse substitution within function';

const var01 = { var01: 'abcdEFGH28ij' };
const var01Upper = { var01: 'ABCDEFGH28IJ' };
const pathName = { path_name: '/home/bozo/ideas/thoughts.for.today' };
const stringZ = { stringZ: 'abcABC123ABCabc' };
const bashFile = { filename: 'bash.string.txt' };
const digits = { n: '123456789123456789' };
const hello = { h: 'hello world' };

const okCases: readonly OkCase[] = [
  // ---------------------------------------------------------------------------
  // A. envsubst/eval_test.go TestExpand (non-strict)
  // ---------------------------------------------------------------------------
  { name: 'A text only', input: 'abcdEFGH28ij', env: {}, want: 'abcdEFGH28ij' },
  { name: 'A length', input: '${#var01}', env: var01, want: '12' },
  { name: 'A uppercase first', input: '${var01^}', env: var01, want: 'AbcdEFGH28ij' },
  { name: 'A uppercase', input: '${var01^^}', env: var01, want: 'ABCDEFGH28IJ' },
  { name: 'A lowercase first', input: '${var01,}', env: var01Upper, want: 'aBCDEFGH28IJ' },
  { name: 'A lowercase', input: '${var01,,}', env: var01Upper, want: 'abcdefgh28ij' },
  { name: 'A substring position', input: '${path_name:11}', env: pathName, want: 'ideas/thoughts.for.today' },
  { name: 'A substring position+length', input: '${path_name:11:5}', env: pathName, want: 'ideas' },
  { name: 'A = default not used', input: '${var=xyz}', env: { var: 'abc' }, want: 'abc' },
  { name: 'A = default used', input: '${var=xyz}', env: {}, want: 'xyz' },
  {
    name: 'A = nested default',
    input: 'something ${var=${default_var}}',
    env: { default_var: 'foo' },
    want: 'something foo',
  },
  {
    name: 'A = nested default + suffix',
    input: 'foo: ${var=${default_var}-suffix}',
    env: { default_var: 'foo1' },
    want: 'foo: foo1-suffix',
  },
  {
    name: 'A = prefix + nested default + suffix',
    input: 'foo: ${var=prefix${default_var}-suffix}',
    env: { default_var: 'foo1' },
    want: 'foo: prefixfoo1-suffix',
  },
  { name: 'A := default used', input: '${var:=xyz}', env: {}, want: 'xyz' },
  { name: 'A replace suffix', input: '${stringZ/%abc/XYZ}', env: stringZ, want: 'abcABC123ABCXYZ' },
  { name: 'A replace prefix', input: '${stringZ/#abc/XYZ}', env: stringZ, want: 'XYZABC123ABCabc' },
  {
    name: 'A replace prefix, empty pattern prepends',
    input: '${stringZ/#/prefix-}',
    env: { stringZ: 'somevalue' },
    want: 'prefix-somevalue',
  },
  {
    name: 'A replace suffix, empty pattern appends',
    input: '${stringZ/%/-suffix}',
    env: { stringZ: 'somevalue' },
    want: 'somevalue-suffix',
  },
  { name: 'A replace all', input: '${stringZ//abc/xyz}', env: stringZ, want: 'xyzABC123ABCxyz' },
  { name: 'A replace first', input: '${stringZ/abc/xyz}', env: stringZ, want: 'xyzABC123ABCabc' },
  { name: 'A # shortest prefix *.', input: '${filename#*.}', env: bashFile, want: 'string.txt' },
  {
    name: 'A # shortest prefix */',
    input: '${filename#*/}',
    env: { filename: 'path/to/file' },
    want: 'to/file',
  },
  {
    name: 'A # shortest prefix */ leading slash',
    input: '${filename#*/}',
    env: { filename: '/path/to/file' },
    want: 'path/to/file',
  },
  { name: 'A ## longest prefix *.', input: '${filename##*.}', env: bashFile, want: 'txt' },
  // `*` matches across `/` (fork of path.Match without the separator rule).
  {
    name: 'A ## longest prefix */',
    input: '${filename##*/}',
    env: { filename: 'path/to/file' },
    want: 'file',
  },
  {
    name: 'A ## longest prefix */ leading slash',
    input: '${filename##*/}',
    env: { filename: '/path/to/file' },
    want: 'file',
  },
  { name: 'A % shortest suffix', input: '${filename%.*}', env: bashFile, want: 'bash.string' },
  { name: 'A %% longest suffix', input: '${filename%%.*}', env: bashFile, want: 'bash' },
  { name: 'A nested function in default', input: '${var=${var01^^}}', env: var01, want: 'ABCDEFGH28IJ' },
  { name: 'A $$ escape', input: '$${var01}', env: var01, want: '${var01}' },
  {
    name: 'A mixed escapes and references',
    input: 'some text ${var01}$${var$${var01}$var01${var01}',
    env: var01,
    want: 'some text abcdEFGH28ij${var${var01}$var01abcdEFGH28ij',
  },
  {
    name: 'A escaped outer, live inner reference',
    input: 'something $${var=${default_var}}',
    env: { default_var: 'foo' },
    want: 'something ${var=foo}',
  },
  {
    name: 'A \\/ escape in pattern',
    input: '${stringZ/\\//-}',
    env: { stringZ: 'foo/bar' },
    want: 'foo-bar',
  },
  {
    name: 'A \\/ escape in replace-all pattern',
    input: '${stringZ//\\//-}',
    env: { stringZ: 'foo/bar/baz' },
    want: 'foo-bar-baz',
  },
  {
    name: 'A backslashes outside expansion untouched',
    input: '\\\\something ${var=${default_var}}',
    env: { default_var: 'foo' },
    want: '\\\\something foo',
  },
  {
    name: 'A replace with blank string',
    input: '${stringZ/./}',
    env: { stringZ: 'foo.bar' },
    want: 'foobar',
  },

  // ---------------------------------------------------------------------------
  // B. envsubst/eval_test.go TestExpandStrict (successful cases)
  // ---------------------------------------------------------------------------
  { name: 'B strict text only', input: 'abcdEFGH28ij', env: {}, strict: true, want: 'abcdEFGH28ij' },
  { name: 'B strict existing', input: '${foo}', env: { foo: 'bar' }, strict: true, want: 'bar' },
  { name: 'B strict existing empty', input: '${foo}', env: { foo: '' }, strict: true, want: '' },
  {
    name: 'B strict missing with := default',
    input: '${missing:=default}',
    env: { foo: 'bar' },
    strict: true,
    want: 'default',
  },
  { name: 'B strict missing :-', input: '${missing:-fallback}', env: {}, strict: true, want: 'fallback' },
  { name: 'B strict missing :=', input: '${missing:=assigned}', env: {}, strict: true, want: 'assigned' },
  { name: 'B strict missing =', input: '${missing=assigned}', env: {}, strict: true, want: 'assigned' },

  // ---------------------------------------------------------------------------
  // C. envsubst/funcs_test.go, through the syntax
  // ---------------------------------------------------------------------------
  { name: 'C len', input: '${#v}', env: { v: 'Hello World' }, want: '11' },
  { name: 'C lower', input: '${v,,}', env: { v: 'Hello World' }, want: 'hello world' },
  { name: 'C lowerFirst', input: '${v,}', env: { v: 'HELLO WORLD' }, want: 'hELLO WORLD' },
  { name: 'C lowerFirst empty', input: '${v,}', env: { v: '' }, want: '' },
  { name: 'C upper', input: '${v^^}', env: { v: 'Hello World' }, want: 'HELLO WORLD' },
  { name: 'C upperFirst', input: '${v^}', env: { v: 'hello world' }, want: 'Hello world' },
  { name: 'C upperFirst empty', input: '${v^}', env: { v: '' }, want: '' },
  {
    name: 'C default keeps value',
    input: '${v:-Hola Mundo}',
    env: { v: 'Hello World' },
    want: 'Hello World',
  },
  { name: 'C default on empty value', input: '${v:-Hola Mundo}', env: { v: '' }, want: 'Hola Mundo' },
  {
    name: 'C default concatenates all word parts',
    input: '${v:-Hola Mundo${a}${b}}',
    env: { v: '', a: '-Bonjour le monde', b: '-Halló heimur' },
    want: 'Hola Mundo-Bonjour le monde-Halló heimur',
  },
  { name: 'C substr 0:8', input: '${n:0:8}', env: digits, want: '12345678' },
  { name: 'C substr 1:8', input: '${n:1:8}', env: digits, want: '23456789' },
  { name: 'C substr 9', input: '${n:9}', env: digits, want: '123456789' },
  { name: 'C substr length out of bounds', input: '${n:9:50}', env: digits, want: '123456789' },
  // A literal negative offset cannot be written (`${n:-3}` is the default
  // operator), so it is fed through a nested reference.
  { name: 'C substr negative pos', input: '${n:${p}:2}', env: { ...digits, p: '-3' }, want: '78' },
  {
    name: 'C substr negative pos beyond start clamps to 0',
    input: '${n:${p}:3}',
    env: { ...digits, p: '-300' },
    want: '123',
  },
  { name: 'C substr pos out of bounds', input: '${s:9:1}', env: { s: '12345678' }, want: '' },
  // Negative lengths: newest envsubst/funcs.go (older versions panicked). Not in
  // the spec summary.
  { name: 'C substr negative length', input: '${h:2:-1}', env: hello, want: 'llo worl' },
  { name: 'C substr negative length at 0', input: '${h:0:-3}', env: hello, want: 'hello wo' },
  { name: 'C substr negative length before pos', input: '${h:8:-8}', env: hello, want: '' },
  {
    name: 'C substr negative pos and negative length',
    input: '${h:${p}:-1}',
    env: { ...hello, p: '-4' },
    want: 'orl',
  },

  // ---------------------------------------------------------------------------
  // D. envsubst/parse/parse_test.go trees, evaluated
  // ---------------------------------------------------------------------------
  { name: 'D leading } is text', input: '}text', env: {}, want: '}text' },
  { name: 'D double slash is text', input: 'http://github.com', env: {}, want: 'http://github.com' },
  { name: 'D $$ before bare name', input: '$$string', env: { string: 'x' }, want: '$string' },
  { name: 'D backslashes in text', input: '\\\\.\\pipe\\pipename', env: {}, want: '\\\\.\\pipe\\pipename' },
  {
    name: 'D special characters in # argument',
    input: '${string#$%:*{}',
    env: { string: '$%:abc{rest' },
    want: 'rest',
  },
  {
    name: 'D text around function',
    input: 'hello ${#string} world',
    env: { string: 'abc' },
    want: 'hello 3 world',
  },
  {
    name: 'D backslashes around function',
    input: '\\\\ hello ${#string} world \\\\',
    env: { string: 'abc' },
    want: '\\\\ hello 3 world \\\\',
  },
  {
    name: 'D escaped slash in pattern',
    input: '${string/\\/position/length}',
    env: { string: 'a/position' },
    want: 'alength',
  },
  {
    name: 'D escaped slash and backslash in pattern',
    input: '${string/\\/position\\\\/length}',
    env: { string: 'a/position\\b' },
    want: 'alengthb',
  },
  {
    name: 'D escaped slash in replacement',
    input: '${string/position/\\/length}',
    env: { string: 'position' },
    want: '/length',
  },
  {
    name: 'D escaped slash and trailing backslash in replacement',
    input: '${string/position/\\/length\\\\}',
    env: { string: 'position' },
    want: '/length\\',
  },
  {
    name: 'D escaped backslash mid replacement',
    input: '${string/position/\\/leng\\\\th}',
    env: { string: 'position' },
    want: '/leng\\th',
  },
  {
    name: 'D function as substring position',
    input: '${string:${position}}',
    env: { string: 'abcdef', position: '2' },
    want: 'cdef',
  },
  {
    // inner ${stringy:position:length} has non-numeric args -> returns stringy unchanged
    name: 'D functions as substring position and length',
    input: '${string:${stringy:position:length}:${stringz,,}}',
    env: { string: 'abcdef', stringy: '1', stringz: '3' },
    want: 'bcd',
  },
  {
    name: 'D function as # pattern',
    input: '${string#${stringz}}',
    env: { string: 'prefix-rest', stringz: 'prefix-' },
    want: 'rest',
  },
  { name: 'D function as = default', input: '${string=${stringz}}', env: { stringz: 'z' }, want: 'z' },
  { name: 'D = prefix + function', input: '${string=prefix-${var}}', env: { var: 'v' }, want: 'prefix-v' },
  {
    name: 'D = prefix + function + suffix',
    input: '${string=prefix-${var}-suffix}',
    env: { var: 'v' },
    want: 'prefix-v-suffix',
  },
  {
    name: 'D = word with space',
    input: '${string=prefix${var} suffix}',
    env: { var: 'v' },
    want: 'prefixv suffix',
  },
  {
    name: 'D functions as replace-all pattern and replacement',
    input: '${string//${stringy}/${stringz}}',
    env: { string: 'a.b.c', stringy: '.', stringz: '-' },
    want: 'a-b-c',
  },

  // ---------------------------------------------------------------------------
  // E. Facts read off the upstream sources
  // ---------------------------------------------------------------------------
  // Top-level text (envsubst/parse/scan.go: `$$` is consumed pairwise).
  { name: 'E empty input', input: '', env: {}, want: '' },
  { name: 'E bare $var is text', input: '$var', env: { var: 'x' }, want: '$var' },
  { name: 'E trailing lone $', input: 'cost: $', env: {}, want: 'cost: $' },
  { name: 'E $$$$ before brace', input: '$$$${v}', env: { v: 'x' }, want: '$${v}' },
  { name: 'E $$$ before brace', input: '$$${v}', env: { v: 'x' }, want: '$x' },
  {
    name: 'E multi-line document',
    input: 'a: ${x}\nb: "${y:-z}"\n',
    env: { x: '1' },
    want: 'a: 1\nb: "z"\n',
  },
  // Default operators (template.go lookupFunc: all map to toDefault).
  { name: 'E :+ is "value else word" (set)', input: '${v:+alt}', env: { v: 'set' }, want: 'set' },
  { name: 'E :+ is "value else word" (unset)', input: '${v:+alt}', env: {}, want: 'alt' },
  { name: 'E :? yields word, no error', input: '${v:?msg}', env: {}, want: 'msg' },
  { name: 'E strict :? yields word, no error', input: '${v:?msg}', env: {}, strict: true, want: 'msg' },
  { name: 'E strict :+ yields word', input: '${v:+alt}', env: {}, strict: true, want: 'alt' },
  { name: 'E = on set-but-empty uses word', input: '${v=d}', env: { v: '' }, want: 'd' },
  { name: 'E strict := empty word', input: '${v:=}', env: {}, strict: true, want: '' },
  { name: 'E :- empty word keeps value', input: '${v:-}', env: { v: 'keep' }, want: 'keep' },
  { name: 'E = empty word keeps value', input: '${v=}', env: { v: 'keep' }, want: 'keep' },
  { name: 'E == word starts with =', input: '${v==x}', env: {}, want: '=x' },
  { name: 'E default word with special chars', input: '${v:-a:b/c#d%e}', env: {}, want: 'a:b/c#d%e' },
  { name: 'E three-level nested defaults', input: '${a:-${b:-${c}}}', env: { c: 'deep' }, want: 'deep' },
  { name: 'E strict nested defaults', input: '${a:-${b:-ok}}', env: {}, strict: true, want: 'ok' },
  // CONTRADICTS SUMMARY ("$$ outputs $"): inside a default word `$$` and `\/` are
  // NOT escapes — parse.go parseDefaultFunc scans its word without scanEscape.
  { name: 'E $$ literal inside default word', input: '${x:-$$}', env: {}, want: '$$' },
  { name: 'E $$ before nested ref in default word', input: '${x:-$${y}}', env: { y: 'Y' }, want: '$Y' },
  { name: 'E \\/ literal inside default word', input: '${x:-a\\/b}', env: {}, want: 'a\\/b' },
  // Replace (funcs.go replaceFirst/replaceAll/replacePrefix/replaceSuffix).
  { name: 'E $$ escape in replacement', input: '${v/a/$$}', env: { v: 'abc' }, want: '$bc' },
  { name: 'E replace pattern is literal (match)', input: '${v/*/x}', env: { v: 'a*b' }, want: 'axb' },
  { name: 'E replace pattern is literal (no match)', input: '${v/*/x}', env: { v: 'abc' }, want: 'abc' },
  { name: 'E replace-all with empty replacement', input: '${v//a/}', env: { v: 'banana' }, want: 'bnn' },
  { name: 'E replace-all with empty pattern', input: '${v///x}', env: { v: 'abc' }, want: 'xaxbxcx' },
  { name: 'E replace prefix no match', input: '${v/#x/y}', env: { v: 'abc' }, want: 'abc' },
  // CONTRADICTS SUMMARY ("empty replacement allowed"): funcs.go replacePrefix and
  // replaceSuffix return the value unchanged unless they get exactly 2 args, and
  // parse.go parseReplaceFunc emits only 1 arg when the replacement is empty.
  {
    name: 'E /# with empty replacement is a no-op',
    input: '${v/#abc/}',
    env: { v: 'abcdef' },
    want: 'abcdef',
  },
  {
    name: 'E /% with empty replacement is a no-op',
    input: '${v/%def/}',
    env: { v: 'abcdef' },
    want: 'abcdef',
  },
  // parse.go parseReplaceFunc scans the pattern with acceptNotSlash, so `}` is allowed in it.
  { name: 'E } allowed in replace pattern', input: '${v/}/-}', env: { v: 'a}b' }, want: 'a-b' },
  { name: 'E \\\\ escape in pattern', input: '${v/\\\\/x}', env: { v: 'a\\b' }, want: 'axb' },
  // Remove (funcs.go trimShortest/trimLongest with path.Match globbing).
  { name: 'E # glob ?', input: '${v#?}', env: { v: 'abc' }, want: 'bc' },
  { name: 'E % glob ?', input: '${v%?}', env: { v: 'abc' }, want: 'ab' },
  { name: 'E # glob bracket', input: '${v#[a-c]}', env: { v: 'bcd' }, want: 'cd' },
  { name: 'E # glob escaped star', input: '${v#\\*}', env: { v: '*abc' }, want: 'abc' },
  { name: 'E # no match', input: '${v#x*}', env: { v: 'abc' }, want: 'abc' },
  { name: 'E ## * removes all', input: '${v##*}', env: { v: 'abc' }, want: '' },
  { name: 'E %% * removes all', input: '${v%%*}', env: { v: 'abc' }, want: '' },
  // Upstream quirk (funcs.go trimShortest never tries the empty prefix): the
  // "shortest" match of `*` is one character, unlike bash.
  { name: 'E # * removes first char (quirk)', input: '${v#*}', env: { v: 'abc' }, want: 'bc' },
  { name: 'E % * removes last char (quirk)', input: '${v%*}', env: { v: 'abc' }, want: 'ab' },
  // Upstream quirk (funcs.go trimShortestSuffix reverses value AND pattern, so
  // `[0-9]` becomes `]9-0[`, which never matches): value unchanged.
  { name: 'E % bracket glob never matches (quirk)', input: '${v%[0-9]}', env: { v: 'abc1' }, want: 'abc1' },
  // Substring (funcs.go toSubstr: strconv.Atoi, byte offsets).
  { name: 'E substr non-numeric pos', input: '${v:abc}', env: { v: 'hello' }, want: 'hello' },
  { name: 'E substr non-numeric length', input: '${v:1:x}', env: { v: 'hello' }, want: 'hello' },
  { name: 'E substr extra colon in length', input: '${v:1:2:3}', env: { v: 'hello' }, want: 'hello' },
  // CONTRADICTS SUMMARY ("negative pos from end"): bash's `${v: -2}` form does not
  // work — Atoi(" -2") fails, so the value is returned unchanged.
  { name: 'E substr " -2" is non-numeric', input: '${v: -2}', env: { v: 'hello' }, want: 'hello' },
  { name: 'E :-2 is the default operator (set)', input: '${v:-2}', env: { v: 'hello' }, want: 'hello' },
  { name: 'E :-2 is the default operator (unset)', input: '${v:-2}', env: {}, want: '2' },
  {
    name: 'E substr negative pos via reference',
    input: '${v:${p}}',
    env: { v: 'hello', p: '-2' },
    want: 'lo',
  },
  { name: 'E substr pos past end', input: '${v:10}', env: { v: 'abc' }, want: '' },
  // funcs.go toSubstr slices Go strings, i.e. UTF-8 BYTE offsets.
  { name: 'E substr offsets are bytes', input: '${v:3}', env: { v: 'héllo' }, want: 'llo' },
  { name: 'E length in bytes', input: '${#v}', env: { v: 'héllo' }, want: '6' },
  // Casing uses Go's per-rune simple case mapping (strings.ToUpper / unicode).
  { name: 'E upper-first non-ASCII', input: '${v^}', env: { v: 'élan' }, want: 'Élan' },
  { name: 'E upper keeps ß (no special casing)', input: '${v^^}', env: { v: 'straße' }, want: 'STRAßE' },
  { name: 'E lower has no final-sigma rule', input: '${v,,}', env: { v: 'ΟΔΟΣ' }, want: 'οδοσ' },
  // Names: scan.go acceptIdent = unicode letter | unicode digit | '_'.
  { name: 'E unicode letters in name', input: '${héllo}', env: { héllo: 'x' }, want: 'x' },
  { name: 'E name may start with a digit', input: '${1abc}', env: { '1abc': 'x' }, want: 'x' },
  // Non-strict: unset behaves as empty for every operator.
  { name: 'E non-strict unset', input: '[${missing}]', env: {}, want: '[]' },
  { name: 'E non-strict unset length', input: '${#missing}', env: {}, want: '0' },
  { name: 'E non-strict unset upper', input: '${missing^^}', env: {}, want: '' },
  { name: 'E non-strict unset substr', input: '${missing:0:2}', env: {}, want: '' },
  { name: 'E non-strict unset replace', input: '${missing/a/b}', env: {}, want: '' },
  { name: 'E non-strict unset trim', input: '${missing#a}', env: {}, want: '' },
  // Strict: set-but-empty is "set".
  { name: 'E strict empty upper', input: '${e^^}', env: { e: '' }, strict: true, want: '' },
  { name: 'E strict empty length', input: '${#e}', env: { e: '' }, strict: true, want: '0' },
];

const errCases: readonly ErrCase[] = [
  // ---------------------------------------------------------------------------
  // B. envsubst/eval_test.go TestExpandStrict (errVarNotSet cases)
  // ---------------------------------------------------------------------------
  { name: 'B strict missing', input: '${missing}', env: {}, strict: true, error: NOT_SET('missing') },
  { name: 'B strict missing #', input: '${#missing}', env: {}, strict: true, error: NOT_SET('missing') },
  { name: 'B strict missing ^', input: '${missing^}', env: {}, strict: true, error: NOT_SET('missing') },
  { name: 'B strict missing ^^', input: '${missing^^}', env: {}, strict: true, error: NOT_SET('missing') },
  { name: 'B strict missing ,', input: '${missing,}', env: {}, strict: true, error: NOT_SET('missing') },
  { name: 'B strict missing ,,', input: '${missing,,}', env: {}, strict: true, error: NOT_SET('missing') },
  { name: 'B strict missing :0', input: '${missing:0}', env: {}, strict: true, error: NOT_SET('missing') },
  {
    name: 'B strict missing :0:10',
    input: '${missing:0:10}',
    env: {},
    strict: true,
    error: NOT_SET('missing'),
  },
  {
    name: 'B strict missing /',
    input: '${missing/pattern/replacement}',
    env: {},
    strict: true,
    error: NOT_SET('missing'),
  },
  {
    name: 'B strict missing //',
    input: '${missing//pattern/replacement}',
    env: {},
    strict: true,
    error: NOT_SET('missing'),
  },
  {
    name: 'B strict missing /#',
    input: '${missing/#pattern/replacement}',
    env: {},
    strict: true,
    error: NOT_SET('missing'),
  },
  {
    name: 'B strict missing /%',
    input: '${missing/%pattern/replacement}',
    env: {},
    strict: true,
    error: NOT_SET('missing'),
  },
  {
    name: 'B strict missing #pat',
    input: '${missing#pattern}',
    env: {},
    strict: true,
    error: NOT_SET('missing'),
  },
  {
    name: 'B strict missing ##pat',
    input: '${missing##pattern}',
    env: {},
    strict: true,
    error: NOT_SET('missing'),
  },
  {
    name: 'B strict missing %pat',
    input: '${missing%pattern}',
    env: {},
    strict: true,
    error: NOT_SET('missing'),
  },
  {
    name: 'B strict missing %%pat',
    input: '${missing%%pattern}',
    env: {},
    strict: true,
    error: NOT_SET('missing'),
  },

  // ---------------------------------------------------------------------------
  // S. Strict mode facts from envsubst/template.go evalFunc
  // ---------------------------------------------------------------------------
  // Arguments are evaluated BEFORE the variable is looked up, so a missing
  // variable inside a default word errors even when the default is not needed.
  // (Not stated in the spec summary.)
  {
    name: 'S strict: nested ref in unused default still errors',
    input: '${a:-${b}}',
    env: { a: 'set' },
    strict: true,
    error: NOT_SET('b'),
  },
  {
    name: 'S strict: nested ref in used default errors',
    input: 'x ${missing:-${other}}',
    env: {},
    strict: true,
    error: NOT_SET('other'),
  },
  {
    name: 'S strict: nested ref in replace pattern',
    input: '${a/${b}/c}',
    env: { a: 'x' },
    strict: true,
    error: NOT_SET('b'),
  },
  {
    name: 'S strict: first missing is reported',
    input: '${a}${b}',
    env: {},
    strict: true,
    error: NOT_SET('a'),
  },

  // ---------------------------------------------------------------------------
  // P. Parse errors (envsubst/parse/parse.go; raised whatever the mode)
  // ---------------------------------------------------------------------------
  { name: 'P unterminated reference', input: '${var', env: {}, error: MISSING_BRACE },
  { name: 'P space after name', input: '${var x}', env: { var: 'v' }, error: MISSING_BRACE },
  { name: 'P dot in name', input: '${var.name}', env: {}, error: MISSING_BRACE },
  {
    name: 'P strict parse error beats lookup',
    input: '${ok} ${bad',
    env: { ok: '1' },
    strict: true,
    error: MISSING_BRACE,
  },
  // CONTRADICTS SUMMARY: colon-less `-`, `+`, `?` operators are NOT parsed.
  // parse.go parseFunc only dispatches on ':', '=', ',', '^', '/', '#', '%', so
  // `${var-word}` falls through to the closing-brace check. (`=` alone IS parsed.)
  { name: 'P ${var-word} unsupported', input: '${var-word}', env: {}, error: MISSING_BRACE },
  { name: 'P ${var+word} unsupported', input: '${var+word}', env: { var: 'v' }, error: MISSING_BRACE },
  { name: 'P ${var?word} unsupported', input: '${var?word}', env: {}, error: MISSING_BRACE },
  { name: 'P empty name', input: '${}', env: {}, error: BAD_NAME },
  { name: 'P space before name', input: '${ var}', env: {}, error: BAD_NAME },
  { name: 'P ${ at end of input', input: 'text ${', env: {}, error: BAD_NAME },
  { name: 'P empty nested name', input: '${a:-${}}', env: {}, error: BAD_NAME },
  // Unterminated length/casing/replace/substr/trim report bad substitution, not
  // missing closing brace (parse.go consumeRbrack).
  { name: 'P unterminated length', input: '${#var', env: {}, error: BAD_SUBST },
  { name: 'P length without name', input: '${#}', env: {}, error: BAD_SUBST },
  { name: 'P length with operator', input: '${#var:-x}', env: {}, error: BAD_SUBST },
  { name: 'P junk after ^', input: '${var^x}', env: {}, error: BAD_SUBST },
  { name: 'P triple ^', input: '${var^^^}', env: {}, error: BAD_SUBST },
  { name: 'P unterminated casing', input: '${var,', env: {}, error: BAD_SUBST },
  // `${var/pat}` (no replacement delimiter) is a parse error upstream, not "delete".
  { name: 'P / without second slash', input: '${var/a}', env: { var: 'abc' }, error: BAD_SUBST },
  { name: 'P // without second slash', input: '${var//a}', env: { var: 'abc' }, error: BAD_SUBST },
  { name: 'P unterminated replacement', input: '${var/a/b', env: {}, error: BAD_SUBST },
  { name: 'P unterminated substr', input: '${var:1', env: {}, error: BAD_SUBST },
  { name: 'P text then ref as substr pos', input: '${var:1${x}}', env: {}, error: BAD_SUBST },
  { name: 'P unterminated trim', input: '${var#a', env: {}, error: BAD_SUBST },
  // Fifth upstream error text (ErrParseFuncSubstitution), not in the spec summary.
  { name: 'P unterminated default word', input: '${var:-x', env: {}, error: BAD_FUNC_ARG },
  { name: 'P unterminated = default', input: '${var=', env: {}, error: BAD_FUNC_ARG },
  { name: 'P empty # pattern', input: '${var#}', env: { var: 'v' }, error: BAD_FUNC_ARG },
  { name: 'P empty substr pos', input: '${var:}', env: { var: 'v' }, error: BAD_FUNC_ARG },
  { name: 'P empty substr pos before colon', input: '${var::3}', env: { var: 'v' }, error: BAD_FUNC_ARG },
];

function run(c: { input: string; env: Env; strict?: boolean }): string {
  return evaluate(c.input, new Map(Object.entries(c.env)), { strict: c.strict ?? false });
}

describe('evaluate', () => {
  it.each(okCases)('$name: $input', (c) => {
    expect(run(c)).toBe(c.want);
  });

  it.each(errCases)('$name: $input', (c) => {
    let caught: unknown;
    try {
      run(c);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(SubstitutionError);
    const err = caught as SubstitutionError;
    expect(err.code).toBe('SubstitutionFailed');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain(c.error);
  });
});

describe('strict mode, as data', () => {
  it('names the unset variable in a typed property, and only for an unset variable', () => {
    const unset = (() => {
      try {
        evaluate('a ${missing} b', new Map(), { strict: true });
      } catch (err) {
        return err;
      }
    })();
    expect(unset).toBeInstanceOf(SubstitutionError);
    expect(unset).toMatchObject({ code: 'SubstitutionFailed', unsetVariable: 'missing' });
    const syntax = (() => {
      try {
        evaluate('a ${', new Map(), { strict: true });
      } catch (err) {
        return err;
      }
    })();
    expect(syntax).toMatchObject({ code: 'SubstitutionFailed', unsetVariable: undefined });
  });
});
