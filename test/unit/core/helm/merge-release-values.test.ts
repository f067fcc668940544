// A HelmRelease's values composed as helm-controller does (fluxcd/pkg chartutil ChartValuesFromReferences,
// its values_test.go cases): valuesFrom in order, spec.values last, targetPath through Helm's --set rules.
import { describe, expect, it } from 'vitest';
import type { ConfigData } from '../../../../shared/api/config-data.ts';
import type { ValuesReference } from '../../../../shared/api/helm-release.ts';
import { isSluiceError } from '../../../../shared/core/errors.ts';
import { mergeReleaseValues, type ValuesInput } from '../../../../shared/core/helm/merge-release-values.ts';
import type { ConfigLookup } from '../../../../shared/core/render/substitute.ts';
import { parseYaml11 } from '../../../../shared/core/render/yaml-codec.ts';

const NAMESPACE = 'apps';

function config(
  kind: 'ConfigMap' | 'Secret',
  name: string,
  data: Record<string, string>,
  namespace = NAMESPACE,
): ConfigData {
  return {
    kind,
    metadata: { name, namespace, labels: {}, annotations: {} },
    data,
    source: { file: 'apps/values.yaml', document: 0 },
  };
}

function lookupOf(...configs: ConfigData[]): ConfigLookup {
  return (kind, namespace, name) =>
    configs.find((c) => c.kind === kind && c.metadata.namespace === namespace && c.metadata.name === name);
}

function ref(
  kind: 'ConfigMap' | 'Secret',
  name: string,
  extra: Partial<ValuesReference> = {},
): ValuesReference {
  return { kind, name, valuesKey: 'values.yaml', optional: false, ...extra };
}

function release(valuesFrom: ValuesReference[], values?: string): ValuesInput {
  const parsed = values === undefined ? undefined : parseYaml11(values);
  return {
    metadata: { name: 'podinfo', namespace: NAMESPACE },
    spec: {
      valuesFrom,
      ...(parsed && 'value' in parsed && { values: parsed.value as Record<string, unknown> }),
    },
    source: { file: 'apps/podinfo.yaml', document: 0 },
  };
}

function failureOf(run: () => unknown) {
  try {
    run();
  } catch (err) {
    if (isSluiceError(err))
      return { code: err.code, field: err.field, object: err.object, message: err.message };
    throw err;
  }
  throw new Error('expected a failure');
}

describe('mergeReleaseValues', () => {
  it('merges each valuesFrom in order, then spec.values', () => {
    const lookup = lookupOf(
      config('ConfigMap', 'values', { 'values.yaml': 'flat: value\nnested:\n  configuration: value\n' }),
      config('Secret', 'values', { 'values.yaml': 'flat:\n  nested: value\nnested: value\n' }),
    );
    const hr = release([ref('ConfigMap', 'values'), ref('Secret', 'values')], 'other: values\n');
    expect(mergeReleaseValues(hr, lookup)).toEqual({
      flat: { nested: 'value' },
      nested: 'value',
      other: 'values',
    });
  });

  it('merges maps deeply and replaces lists and scalars whole', () => {
    const lookup = lookupOf(
      config('ConfigMap', 'base', {
        'values.yaml': 'image: {repository: ghcr.io/x, tag: "1.0"}\nports: [80, 443]\n',
      }),
    );
    const hr = release([ref('ConfigMap', 'base')], 'image: {tag: "2.0"}\nports: [8080]\n');
    expect(mergeReleaseValues(hr, lookup)).toEqual({
      image: { repository: 'ghcr.io/x', tag: '2.0' },
      ports: [8080],
    });
  });

  it('puts a targetPath value at its path', () => {
    const lookup = lookupOf(config('Secret', 'values', { single: 'value' }));
    const hr = release([
      ref('Secret', 'values', { valuesKey: 'single', targetPath: 'merge.at.specific.path' }),
    ]);
    expect(mergeReleaseValues(hr, lookup)).toEqual({ merge: { at: { specific: { path: 'value' } } } });
  });

  it('lets a nested targetPath win over everything, spec.values included ("target path precedence over all")', () => {
    const lookup = lookupOf(
      config('ConfigMap', 'values', {
        'values.yaml': 'flat: value\nnested:\n  configuration:\n  - one\n  - two\n  - three\n',
      }),
      config('Secret', 'values', { key: 'value' }),
    );
    const hr = release(
      [
        ref('Secret', 'values', { valuesKey: 'key', targetPath: 'nested.configuration[0]' }),
        ref('ConfigMap', 'values'),
      ],
      'nested:\n  configuration:\n  - list\n  - item\n  - option\n',
    );
    expect(mergeReleaseValues(hr, lookup)).toEqual({
      flat: 'value',
      nested: { configuration: ['value', 'item', 'option'] },
    });
    // The HelmRelease itself is not changed by the merge.
    expect(hr.spec.values).toEqual({ nested: { configuration: ['list', 'item', 'option'] } });
  });

  it('sets a string list item by targetPath', () => {
    const lookup = lookupOf(
      config('ConfigMap', 'values', {
        'values.yaml': 'flat: value\nnested:\n  configuration:\n  - list\n  - item\n  - option\n',
      }),
      config('Secret', 'values', { 'values.yaml': 'foo' }),
    );
    const hr = release(
      [ref('ConfigMap', 'values'), ref('Secret', 'values', { targetPath: 'nested.configuration[1]' })],
      'other: values\n',
    );
    expect(mergeReleaseValues(hr, lookup)).toEqual({
      flat: 'value',
      nested: { configuration: ['list', 'foo', 'option'] },
      other: 'values',
    });
  });

  it('lets spec.values win over a top-level targetPath', () => {
    const lookup = lookupOf(config('ConfigMap', 'v', { replicas: '3' }));
    const hr = release(
      [ref('ConfigMap', 'v', { valuesKey: 'replicas', targetPath: 'replicaCount' })],
      'replicaCount: 1\n',
    );
    expect(mergeReleaseValues(hr, lookup)).toEqual({ replicaCount: 1 });
  });

  it('takes a literal targetPath value verbatim', () => {
    const brokers = 'kafka01.net:9092,kafka02.net:9092,kafka03.net:9092';
    const lookup = lookupOf(config('Secret', 'kafka', { brokers }));
    const hr = release([
      ref('Secret', 'kafka', { valuesKey: 'brokers', targetPath: 'kafka.brokers', literal: true }),
    ]);
    expect(mergeReleaseValues(hr, lookup)).toEqual({ kafka: { brokers } });
  });

  it.each([
    ['only the first YAML document', 'a: 1\n---\nb: 2\n', { a: 1 }],
    ["a repeated key's last value", 'a: 1\na: 2\n', { a: 2 }],
    ['YAML 1.1 booleans', 'enabled: yes\ndebug: off\n', { enabled: true, debug: false }],
    ['a null document as nothing', '~\n', {}],
  ])('reads %s, as Helm reads values files', (_, text, expected) => {
    const lookup = lookupOf(config('ConfigMap', 'v', { 'values.yaml': text }));
    expect(mergeReleaseValues(release([ref('ConfigMap', 'v')]), lookup)).toEqual(expected);
  });

  it('merges an empty values key as nothing', () => {
    const lookup = lookupOf(config('ConfigMap', 'empty', { 'values.yaml': '' }));
    expect(mergeReleaseValues(release([ref('ConfigMap', 'empty')], 'a: 1\n'), lookup)).toEqual({ a: 1 });
  });

  it.each([
    ['a missing optional Secret', ref('Secret', 'missing', { optional: true })],
    ['a missing optional ConfigMap', ref('ConfigMap', 'missing', { optional: true })],
    [
      'a missing key of an optional reference',
      ref('ConfigMap', 'values', { optional: true, valuesKey: 'nope' }),
    ],
  ])('skips %s', (_, reference) => {
    const lookup = lookupOf(config('ConfigMap', 'values', { other: 'x' }));
    expect(mergeReleaseValues(release([reference]), lookup)).toEqual({});
  });

  it('looks references up in the HelmRelease namespace only', () => {
    const lookup = lookupOf(config('ConfigMap', 'values', { 'values.yaml': 'a: 1' }, 'flux-system'));
    expect(failureOf(() => mergeReleaseValues(release([ref('ConfigMap', 'values')]), lookup)).code).toBe(
      'ReferenceNotFound',
    );
  });

  it('names the HelmRelease, the field, the reference and the fix when a reference is missing', () => {
    const hr = release([ref('ConfigMap', 'present'), ref('Secret', 'missing')]);
    const lookup = lookupOf(config('ConfigMap', 'present', { 'values.yaml': 'a: 1' }));
    expect(failureOf(() => mergeReleaseValues(hr, lookup))).toEqual({
      code: 'ReferenceNotFound',
      field: 'spec.valuesFrom[1]',
      object: 'HelmRelease/apps/podinfo',
      message:
        "HelmRelease/apps/podinfo: spec.valuesFrom[1]: Secret 'apps/missing' not found; add it to the fleet in namespace apps (valuesFrom reads only the HelmRelease's namespace) or set optional: true",
    });
  });

  it('names the missing key and the keys there are', () => {
    const lookup = lookupOf(config('Secret', 'values', { b: 'x', a: 'y' }));
    const failure = failureOf(() =>
      mergeReleaseValues(release([ref('Secret', 'values', { valuesKey: 'values.yaml' })]), lookup),
    );
    expect(failure).toMatchObject({ code: 'ReferenceNotFound', field: 'spec.valuesFrom[0]' });
    expect(failure.message).toContain("Secret 'apps/values' has no key 'values.yaml' (its keys: a, b)");
  });

  it.each([
    ['a scalar', 'invalid'],
    ['a list', '- a\n- b\n'],
    ['invalid YAML', 'a: [1, 2\n'],
  ])('refuses a values key holding %s, without quoting it', (_, text) => {
    const lookup = lookupOf(config('Secret', 'values', { 'values.yaml': text }));
    const failure = failureOf(() => mergeReleaseValues(release([ref('Secret', 'values')]), lookup));
    expect(failure).toMatchObject({ code: 'ValidationFailed', field: 'spec.valuesFrom[0]' });
    expect(failure.message).toContain("key 'values.yaml' of Secret 'apps/values'");
    expect(failure.message).not.toContain(text.trim());
  });

  it('refuses a targetPath value Helm cannot parse, without quoting the Secret value', () => {
    const lookup = lookupOf(config('Secret', 'kafka', { brokers: 's3cr3t-host:9092,hunter2-host:9092' }));
    const hr = release([ref('Secret', 'kafka', { valuesKey: 'brokers', targetPath: 'kafka.brokers' })]);
    const failure = failureOf(() => mergeReleaseValues(hr, lookup));
    expect(failure).toMatchObject({ code: 'ValidationFailed', field: 'spec.valuesFrom[0]' });
    expect(failure.message).toContain('literal: true');
    expect(failure.message).not.toMatch(/s3cr3t|hunter2/);
  });
});
