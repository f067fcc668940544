// How a ResourceSet's input sets are combined, restating the operator's documented results: provider fields
// on every set, Flatten order, Permute's scoped keys and ids, the permutation limit and key normalisation.
import { describe, expect, it } from 'vitest';
import {
  combineInputs,
  type InputSource,
  normalizeKeyForTemplate,
  staticProviderInputs,
} from '../../../shared/core/resourceset/inputs.ts';

const provider = (kind: InputSource['kind'], name: string) => ({
  apiVersion: 'fluxcd.controlplane.io/v1',
  kind,
  name,
  namespace: 'default',
});

// The operator's ids are Adler-32 checksums in decimal: "foo" 42074437, "bar" 39649590, "baz" 40173886.
const rset: InputSource = {
  kind: 'ResourceSet',
  name: 'rset',
  namespace: 'default',
  inputs: [{ id: '42074437' }, { id: '39649590' }],
};
const rsip: InputSource = {
  kind: 'ResourceSetInputProvider',
  name: 'rsip',
  namespace: 'default',
  inputs: [{ id: '40173886' }],
};

describe('combineInputs', () => {
  it('flattens by default: the ResourceSet inputs first, each set tagged with its provider', () => {
    expect(combineInputs(rset, [rsip], { name: 'Flatten', includeEmptyProviders: false }, 10_000)).toEqual({
      sets: [
        { id: '42074437', provider: provider('ResourceSet', 'rset') },
        { id: '39649590', provider: provider('ResourceSet', 'rset') },
        { id: '40173886', provider: provider('ResourceSetInputProvider', 'rsip') },
      ],
    });
  });

  it('permutes into sets scoped by provider name, with an id per permutation', () => {
    expect(combineInputs(rset, [rsip], { name: 'Permute', includeEmptyProviders: false }, 10_000)).toEqual({
      sets: [
        {
          id: '563152006',
          rset: { id: '42074437', provider: provider('ResourceSet', 'rset') },
          rsip: { id: '40173886', provider: provider('ResourceSetInputProvider', 'rsip') },
        },
        {
          id: '563676295',
          rset: { id: '39649590', provider: provider('ResourceSet', 'rset') },
          rsip: { id: '40173886', provider: provider('ResourceSetInputProvider', 'rsip') },
        },
      ],
    });
  });

  it('orders providers by name, whatever order they were selected in', () => {
    const a = { ...rsip, name: 'a', inputs: [{ x: 1 }] };
    const b = { ...rsip, name: 'b', inputs: [{ x: 2 }] };
    const result = combineInputs(
      { ...rset, inputs: [] },
      [b, a],
      { name: 'Flatten', includeEmptyProviders: false },
      10,
    );
    expect('sets' in result && result.sets.map((s) => s.x)).toEqual([1, 2]);
  });

  it('overrides a provider field the inputs declare themselves', () => {
    const own = { ...rset, inputs: [{ provider: 'mine' }] };
    const result = combineInputs(own, [], { name: 'Flatten', includeEmptyProviders: false }, 10);
    expect(result).toEqual({ sets: [{ provider: provider('ResourceSet', 'rset') }] });
  });

  it('skips a provider without inputs when permuting, unless includeEmptyProviders', () => {
    const empty = { ...rsip, name: 'empty', inputs: [] };
    const skip = combineInputs(rset, [empty], { name: 'Permute', includeEmptyProviders: false }, 10);
    expect('sets' in skip && skip.sets).toHaveLength(2);
    expect(combineInputs(rset, [empty], { name: 'Permute', includeEmptyProviders: true }, 10)).toEqual({
      sets: [],
    });
  });

  it('refuses a permutation larger than the limit, naming the provider that crosses it', () => {
    const many = (name: string) => ({
      ...rsip,
      name,
      inputs: Array.from({ length: 101 }, (_, i) => ({ i })),
    });
    const result = combineInputs(
      { ...rset, inputs: [] },
      [many('a'), many('b')],
      { name: 'Permute', includeEmptyProviders: false },
      10_000,
    );
    expect(result).toEqual({
      error:
        "adding provider 'b' with 101 inputs would exceed the maximum allowed permutations. max: 10000, got: 10201",
      limit: true,
    });
  });
});

describe('the inputs of a Static provider', () => {
  it('is one set of its defaultValues with an id hashed from its name (a checkout has no UID)', () => {
    expect(staticProviderInputs('baz', { env: 'dev', id: 'ignored' })).toEqual([
      { env: 'dev', id: '40173886' },
    ]);
  });
});

describe('normalizeKeyForTemplate', () => {
  it.each([
    ['podinfo-pull-requests', 'podinfo_pull_requests'],
    ['My RSet', 'my_rset'],
    ['--git.tag--', 'git_tag'],
    ['oci$tag', 'ocitag'],
    ['Éclair', 'clair'],
  ])('%s becomes %s', (name, key) => {
    expect(normalizeKeyForTemplate(name)).toBe(key);
  });
});
