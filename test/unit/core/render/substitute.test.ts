// biome-ignore-all lint/suspicious/noTemplateCurlyInString: substitution vectors are literal ${...} text
// postBuild (FLUX-RENDER §3) and the post-build metadata (§5.2): variables in Flux's precedence, the opt-out
// label/annotation, YAML 1.1 re-typing of substituted text, owner labels then commonMetadata, and no
// variable value ever surfacing in an error message.
import { describe, expect, it } from 'vitest';
import type { ConfigData } from '../../../../shared/api/config-data.ts';
import type { Kustomization, KustomizationSpec } from '../../../../shared/api/kustomization.ts';
import { isSluiceError } from '../../../../shared/core/errors.ts';
import { postProcess } from '../../../../shared/core/render/post-process.ts';
import {
  type ConfigLookup,
  isSubstitutionDisabled,
  loadVariables,
  substituteObject,
} from '../../../../shared/core/render/substitute.ts';
import { testKustomization } from '../../../support/kustomization-fixture.ts';

type Raw = Record<string, unknown>;

const KS_REF = 'Kustomization/apps/web';
const NAME_RULE = "must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'";

function ks(spec: Partial<KustomizationSpec> = {}, namespace = 'apps'): Kustomization {
  return testKustomization('web', namespace, { postBuild: {}, ...spec }, 'clusters/dev/web.yaml');
}

function config(
  kind: 'ConfigMap' | 'Secret',
  name: string,
  data: Record<string, string>,
  namespace = 'apps',
): ConfigData {
  return {
    kind,
    metadata: { name, namespace, labels: {}, annotations: {} },
    data,
    source: { file: 'vars.yaml', document: 0 },
  };
}

function lookupOf(...objects: ConfigData[]): ConfigLookup {
  return (kind, namespace, name) =>
    objects.find((o) => o.kind === kind && o.metadata.namespace === namespace && o.metadata.name === name);
}

function errorOf(run: () => unknown): { code: string; message: string; cause: string } {
  try {
    run();
  } catch (err) {
    if (isSluiceError(err))
      return { code: err.code, message: err.message, cause: String((err.cause as Error)?.message ?? '') };
    throw err;
  }
  throw new Error('expected an error');
}

/** One object as `kubectl kustomize` prints it (kyaml drops the quotes around `${…}` scalars). */
const configMap = (data: string, metadata = '') =>
  `apiVersion: v1\ndata:\n${data}kind: ConfigMap\nmetadata:\n${metadata}  name: cm\n`;

const run = (
  output: string,
  vars: Record<string, string>,
  spec: Partial<KustomizationSpec> = {},
  strict = true,
) => postProcess(output, { ks: ks(spec), vars: new Map(Object.entries(vars)), strict });

describe('loadVariables', () => {
  const cases: {
    name: string;
    spec: Partial<KustomizationSpec>;
    objects: ConfigData[];
    want: Record<string, string>;
  }[] = [
    {
      name: 'later substituteFrom entries override earlier ones',
      spec: {
        postBuild: {
          substituteFrom: [
            { kind: 'ConfigMap', name: 'base', optional: false },
            { kind: 'Secret', name: 'creds', optional: false },
            { kind: 'ConfigMap', name: 'overrides', optional: false },
          ],
        },
      },
      objects: [
        config('ConfigMap', 'base', { env: 'base', region: 'eu', user: 'cm-user' }),
        config('Secret', 'creds', { user: 'secret-user', password: 'pw' }),
        config('ConfigMap', 'overrides', { region: 'us' }),
      ],
      want: { env: 'base', region: 'us', user: 'secret-user', password: 'pw' },
    },
    {
      name: 'inline substitute overrides every substituteFrom entry',
      spec: {
        postBuild: {
          substitute: { env: 'inline' },
          substituteFrom: [{ kind: 'ConfigMap', name: 'base', optional: false }],
        },
      },
      objects: [config('ConfigMap', 'base', { env: 'base', other: 'x' })],
      want: { env: 'inline', other: 'x' },
    },
    {
      name: 'every \\n is removed from every value (\\r is kept)',
      spec: {
        postBuild: {
          substitute: { inline: 'a\nb\n' },
          substituteFrom: [{ kind: 'Secret', name: 'cert', optional: false }],
        },
      },
      objects: [config('Secret', 'cert', { pem: '-----BEGIN-----\nAAAA\n-----END-----\n', crlf: 'x\r\ny' })],
      want: { pem: '-----BEGIN-----AAAA-----END-----', crlf: 'x\ry', inline: 'ab' },
    },
    {
      name: 'a missing optional reference counts as empty',
      spec: {
        postBuild: {
          substituteFrom: [
            { kind: 'ConfigMap', name: 'absent', optional: true },
            { kind: 'ConfigMap', name: 'present', optional: false },
          ],
        },
      },
      objects: [config('ConfigMap', 'present', { a: '1' })],
      want: { a: '1' },
    },
    {
      name: 'references are looked up in the namespace of the Kustomization only',
      spec: { postBuild: { substituteFrom: [{ kind: 'ConfigMap', name: 'vars', optional: true }] } },
      objects: [config('ConfigMap', 'vars', { a: 'other-namespace' }, 'flux-system')],
      want: {},
    },
    {
      name: 'a ConfigMap and a Secret of the same name are different references',
      spec: { postBuild: { substituteFrom: [{ kind: 'Secret', name: 'vars', optional: false }] } },
      objects: [config('ConfigMap', 'vars', { a: 'cm' }), config('Secret', 'vars', { a: 'secret' })],
      want: { a: 'secret' },
    },
    { name: 'no postBuild means no variables', spec: { postBuild: undefined }, objects: [], want: {} },
  ];
  it.each(cases)('$name', (c) => {
    expect(Object.fromEntries(loadVariables(ks(c.spec), lookupOf(...c.objects)))).toEqual(c.want);
  });

  it.each([
    ['ConfigMap', 'vars'],
    ['Secret', 'creds'],
  ] as const)('fails on a missing non-optional %s', (kind, name) => {
    const spec = {
      postBuild: {
        substituteFrom: [
          { kind: 'ConfigMap' as const, name: 'present', optional: false },
          { kind, name, optional: false },
        ],
      },
    };
    expect(
      errorOf(() => loadVariables(ks(spec), lookupOf(config('ConfigMap', 'present', {})))),
    ).toMatchObject({
      code: 'ReferenceNotFound',
      message: `${KS_REF}: spec.postBuild.substituteFrom[1]: ${kind} 'apps/${name}' not found; add it to the fleet or set optional: true`,
    });
  });
});

describe('isSubstitutionDisabled', () => {
  const key = 'kustomize.toolkit.fluxcd.io/substitute';
  const cases: [string, Raw | undefined, boolean][] = [
    ['the label set to disabled', { labels: { [key]: 'disabled' } }, true],
    ['the annotation set to disabled', { annotations: { [key]: 'disabled' } }, true],
    [
      'the label enabled but the annotation disabled',
      { labels: { [key]: 'enabled' }, annotations: { [key]: 'disabled' } },
      true,
    ],
    ['Disabled (compared case-sensitively)', { annotations: { [key]: 'Disabled' } }, false],
    ['DISABLED', { labels: { [key]: 'DISABLED' } }, false],
    ['disabled with a trailing space', { annotations: { [key]: 'disabled ' } }, false],
    ['enabled', { annotations: { [key]: 'enabled' } }, false],
    [
      'another Flux key set to disabled',
      { annotations: { 'kustomize.toolkit.fluxcd.io/reconcile': 'disabled' } },
      false,
    ],
    ['no labels or annotations', {}, false],
    ['no metadata', undefined, false],
  ];
  it.each(cases)('%s → %s', (_name, meta, want) => {
    expect(isSubstitutionDisabled(meta)).toBe(want);
  });
});

describe('postProcess', () => {
  describe('substitutes variables and re-types the YAML with YAML 1.1 rules', () => {
    const cases: { name: string; data: string; vars: Record<string, string>; want: Raw }[] = [
      { name: 'a plain string', data: '  env: ${env}\n', vars: { env: 'prod' }, want: { env: 'prod' } },
      {
        name: 'text around a reference',
        data: '  url: https://${host}:8443/x\n',
        vars: { host: 'example.com' },
        want: { url: 'https://example.com:8443/x' },
      },
      {
        name: '"${id}" in the source becomes an integer',
        data: '  id: ${id}\n',
        vars: { id: '123' },
        want: { id: 123 },
      },
      {
        name: 'the ${quote} workaround keeps a string',
        data: '  id: ${quote}${id}${quote}\n',
        vars: { id: '123', quote: '"' },
        want: { id: '123' },
      },
      { name: 'yes becomes true', data: '  a: ${v}\n', vars: { v: 'yes' }, want: { a: true } },
      { name: 'on becomes true', data: '  a: ${v}\n', vars: { v: 'on' }, want: { a: true } },
      { name: 'y becomes true', data: '  a: ${v}\n', vars: { v: 'y' }, want: { a: true } },
      { name: 'off becomes false', data: '  a: ${v}\n', vars: { v: 'off' }, want: { a: false } },
      { name: 'NO becomes false', data: '  a: ${v}\n', vars: { v: 'NO' }, want: { a: false } },
      {
        name: 'a YAML 1.1 octal becomes a number',
        data: '  mode: ${m}\n',
        vars: { m: '0644' },
        want: { mode: 420 },
      },
      { name: 'a float', data: '  ratio: ${r}\n', vars: { r: '0.5' }, want: { ratio: 0.5 } },
      { name: 'an empty value becomes null', data: '  a: ${v}\n', vars: { v: '' }, want: { a: null } },
      {
        name: 'a timestamp stays a string',
        data: '  when: ${d}\n',
        vars: { d: '2024-01-31' },
        want: { when: '2024-01-31' },
      },
      {
        name: 'a default applies when the variable is unset',
        data: '  a: ${missing:=fallback}\n',
        vars: { other: 'x' },
        want: { a: 'fallback' },
      },
      {
        name: 'a default applies when the variable is empty',
        data: '  a: ${v:-fallback}\n',
        vars: { v: '' },
        want: { a: 'fallback' },
      },
      { name: '$${var} escapes a reference', data: '  a: $${v}\n', vars: { v: 'x' }, want: { a: '${v}' } },
      { name: '$var is not a reference', data: '  a: $v\n', vars: { v: 'x' }, want: { a: '$v' } },
    ];
    it.each(cases)('$name', (c) => {
      const [obj] = run(configMap(c.data), c.vars);
      expect(obj?.data).toEqual(c.want);
    });

    it('substitutes apiVersion, kind, name and namespace too', () => {
      const output = 'apiVersion: ${api}\nkind: ${kind}\nmetadata:\n  name: ${name}\n  namespace: ${ns}\n';
      const [obj] = run(output, { api: 'v1', kind: 'ConfigMap', name: 'from-var', ns: 'team' });
      expect(obj).toMatchObject({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'from-var', namespace: 'team' },
      });
    });

    it('can change the structure of the object', () => {
      const [obj] = run(configMap('  list: ${items}\n'), { items: '[a, b]' });
      expect(obj?.data).toEqual({ list: ['a', 'b'] });
    });

    it('substitutes every object of the output, keeping their order', () => {
      const output = `${configMap('  n: "1"\n')}---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: \${ns}\n`;
      const objects = run(output, { ns: 'team' });
      expect(objects.map((o) => (o.metadata as Raw).name)).toEqual(['cm', 'team']);
    });
  });

  describe('leaves objects untouched when substitution does not run', () => {
    const literal = '  a: ${x:=default}\n  b: ${unset}\n';
    const cases: {
      name: string;
      vars: Record<string, string>;
      spec?: Partial<KustomizationSpec>;
      metadata?: string;
    }[] = [
      { name: 'the variable set is empty (even with defaults and strict mode)', vars: {} },
      { name: 'the Kustomization has no postBuild', vars: { x: 'set' }, spec: { postBuild: undefined } },
      {
        name: 'the object has the substitute: disabled label',
        vars: { x: 'set' },
        metadata: '  labels:\n    kustomize.toolkit.fluxcd.io/substitute: disabled\n',
      },
      {
        name: 'the object has the substitute: disabled annotation',
        vars: { x: 'set' },
        metadata: '  annotations:\n    kustomize.toolkit.fluxcd.io/substitute: disabled\n',
      },
      {
        name: 'the object opts out and a variable name is invalid',
        vars: { 'bad-name': 'x' },
        metadata: '  annotations:\n    kustomize.toolkit.fluxcd.io/substitute: disabled\n',
      },
    ];
    it.each(cases)('$name', (c) => {
      const [obj] = run(configMap(literal, c.metadata), c.vars, c.spec);
      expect(obj?.data).toEqual({ a: '${x:=default}', b: '${unset}' });
    });

    it('substitutes when the opt-out value differs in case', () => {
      const metadata = '  annotations:\n    kustomize.toolkit.fluxcd.io/substitute: Disabled\n';
      const [obj] = run(configMap('  a: ${x}\n', metadata), { x: 'set' });
      expect(obj?.data).toEqual({ a: 'set' });
    });
  });

  describe('fails the object on a bad variable name or an unset variable', () => {
    it.each(['app.domain', 'my-var', '1st', 'ünï', 'has space', ''])(
      'refuses the variable name %j',
      (name) => {
        const err = errorOf(() => run(configMap('  a: ${ok}\n'), { ok: 'x', [name]: 'v' }));
        expect(err).toMatchObject({ code: 'SubstitutionFailed' });
        expect(err.message).toBe(
          `${KS_REF}: var substitution failed for 'cm' (ConfigMap): '${name}' var name is invalid, ${NAME_RULE}; rename the key in spec.postBuild.substitute or in the referenced ConfigMap/Secret`,
        );
      },
    );

    it.each(['_private', 'A1', 'camelCase', 'UPPER_CASE', '_'])('accepts the variable name %j', (name) => {
      expect(() => run(configMap('  a: b\n'), { [name]: 'v' })).not.toThrow();
    });

    it('fails on an unset variable in strict mode', () => {
      const err = errorOf(() => run(configMap('  a: ${missing}\n'), { other: 'x' }));
      expect(err.code).toBe('SubstitutionFailed');
      expect(err.message).toBe(
        `${KS_REF}: var substitution failed for 'cm' (ConfigMap): envsubst error: variable substitution failed: variable not set (strict mode): "missing"; define it in spec.postBuild.substitute or substituteFrom, or give it a default like \${var:=default}`,
      );
    });

    it('substitutes an unset variable with nothing without strict mode', () => {
      const [obj] = run(configMap('  a: ${missing}\n  b: x${missing}y\n'), { other: 'x' }, {}, false);
      expect(obj?.data).toEqual({ a: null, b: 'xy' });
    });

    it('reports a syntax error in the object text', () => {
      const err = errorOf(() => run(configMap('  a: ${unterminated\n'), { v: 'x' }));
      expect(err.code).toBe('SubstitutionFailed');
      expect(err.message).toContain('envsubst error: variable substitution failed: missing closing brace');
    });
  });

  describe('never puts a variable value in an error message', () => {
    const SECRET = 'S3cr3tV4lue';
    // Values that make the substituted YAML invalid: the parser's message must not quote them.
    const breaking = [
      `*${SECRET}`,
      `|${SECRET}`,
      `>${SECRET}`,
      `@${SECRET}`,
      `%${SECRET}`,
      `\`${SECRET}`,
      `[${SECRET}`,
      `{${SECRET}`,
      `"${SECRET}`,
      `'${SECRET}`,
      `a: b: ${SECRET}`,
      `- ${SECRET}`,
    ];
    it.each(breaking)('a value like %j fails with SubstitutionFailed and no trace of the value', (value) => {
      const err = errorOf(() => run(configMap('  password: ${pw}\n'), { pw: value }));
      expect(err.code).toBe('SubstitutionFailed');
      expect(err.message).not.toContain(SECRET);
      expect(err.cause).not.toContain(SECRET);
    });

    it('an unset-variable error names the variable, not the values of the others', () => {
      const err = errorOf(() => run(configMap('  a: ${pw}\n  b: ${missing}\n'), { pw: SECRET }));
      expect(err.message).not.toContain(SECRET);
    });

    it('an invalid-name error names the key, not its value', () => {
      const err = errorOf(() => run(configMap('  a: b\n'), { 'db.password': SECRET }));
      expect(err.message).not.toContain(SECRET);
    });
  });

  describe('adds owner labels, then commonMetadata', () => {
    const OWNER = {
      'kustomize.toolkit.fluxcd.io/name': 'web',
      'kustomize.toolkit.fluxcd.io/namespace': 'apps',
    };

    it('labels every object with the owning Kustomization', () => {
      const output = `${configMap('  a: b\n', '  labels:\n    app: x\n')}---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\n`;
      const objects = run(output, {});
      expect(objects.map((o) => (o.metadata as Raw).labels)).toEqual([{ app: 'x', ...OWNER }, OWNER]);
    });

    it('writes the requested owner namespace', () => {
      const [obj] = postProcess(configMap('  a: b\n'), {
        ks: ks(),
        vars: new Map(),
        strict: true,
        ownerNamespace: '',
      });
      expect(obj?.metadata).toHaveProperty('labels', {
        ...OWNER,
        'kustomize.toolkit.fluxcd.io/namespace': '',
      });
    });

    it('lets commonMetadata override object labels and owner labels, and adds its annotations', () => {
      const spec = {
        commonMetadata: {
          labels: { app: 'common', 'kustomize.toolkit.fluxcd.io/name': 'override' },
          annotations: { team: 'a' },
        },
      };
      const [obj] = run(
        configMap('  a: b\n', '  annotations:\n    keep: me\n  labels:\n    app: x\n'),
        {},
        spec,
      );
      expect(obj?.metadata).toEqual({
        name: 'cm',
        labels: {
          app: 'common',
          'kustomize.toolkit.fluxcd.io/name': 'override',
          'kustomize.toolkit.fluxcd.io/namespace': 'apps',
        },
        annotations: { keep: 'me', team: 'a' },
      });
    });

    it('never substitutes commonMetadata', () => {
      const spec = { commonMetadata: { labels: { env: '${env}' } } };
      const [obj] = run(configMap('  a: ${env}\n'), { env: 'prod' }, spec);
      expect(obj?.data).toEqual({ a: 'prod' });
      expect(obj?.metadata).toHaveProperty(['labels', 'env'], '${env}');
    });
  });

  describe('checks the identity of every built object', () => {
    const cases: [string, string, string][] = [
      ['apiVersion', 'kind: ConfigMap\nmetadata:\n  name: x\n', 'apiVersion'],
      ['kind', 'apiVersion: v1\nmetadata:\n  name: x\n', 'kind'],
      ['metadata.name', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n', 'metadata.name'],
    ];
    it.each(cases)('refuses an object without %s', (_name, doc, field) => {
      const output = `${configMap('  a: b\n')}---\n${doc}`;
      expect(errorOf(() => run(output, {}))).toMatchObject({
        code: 'BuildFailed',
        message: `${KS_REF}: object 2 of the build output has no ${field}`,
      });
    });
  });
});

describe('substituteObject', () => {
  it('returns the very same object when there is nothing to substitute', () => {
    const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } };
    expect(substituteObject('irrelevant', obj, new Map(), { strict: true, kustomizationRef: KS_REF })).toBe(
      obj,
    );
  });
});
