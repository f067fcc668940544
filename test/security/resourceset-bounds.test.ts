// Hostile ResourceSets in fleet content: template bombs (nested ranges, repeat, deep nesting), Permute
// explosions and object floods fail with a named limit (LimitExceeded) instead of exhausting the render
// worker; templates cannot reach the environment, files, clock or network; errors do not echo input values.
import { describe, expect, it } from 'vitest';
import { SluiceError } from '../../shared/core/errors.ts';
import type { KubeObject } from '../../shared/core/render/yaml-codec.ts';
import { expandResourceSets } from '../../shared/core/resourceset/expand-resource-sets.ts';
import { DEFAULT_RESOURCE_SET_LIMITS, type ResourceSetLimits } from '../../shared/core/resourceset/limits.ts';

const BY = 'Kustomization/flux-system/tenants';

const rset = (spec: Record<string, unknown>, name = 'bomb'): KubeObject => ({
  apiVersion: 'fluxcd.controlplane.io/v1',
  kind: 'ResourceSet',
  metadata: { name, namespace: 'flux-system' },
  spec,
});

const staticProvider = (name: string): KubeObject => ({
  apiVersion: 'fluxcd.controlplane.io/v1',
  kind: 'ResourceSetInputProvider',
  metadata: { name, namespace: 'flux-system', labels: { bomb: 'yes' } },
  spec: { type: 'Static', defaultValues: { region: 'eu' } },
});

const small: ResourceSetLimits = {
  ...DEFAULT_RESOURCE_SET_LIMITS,
  maxTemplateLength: 4096,
  maxOutputLength: 64 * 1024,
  maxTotalOutputLength: 256 * 1024,
  maxSteps: 50_000,
  maxInputSets: 100,
  maxObjects: 50,
  maxListLength: 1000,
};

const refusal = (
  objects: KubeObject[],
  limits: ResourceSetLimits = small,
  maxObjects = 10_000,
): SluiceError => {
  try {
    expandResourceSets(objects, BY, maxObjects, limits);
  } catch (err) {
    if (err instanceof SluiceError) return err;
    throw err;
  }
  throw new Error('the ResourceSet was expanded');
};

const cm = (data: string) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'x-<< inputs.i >>', namespace: 'default' },
  data: { v: data },
});

describe('a ResourceSet template bomb', () => {
  it('nested ranges stop at the step budget', () => {
    const err = refusal([
      rset({
        resourcesTemplate:
          '<< range until 1000 >><< range until 1000 >><< range until 1000 >>x<< end >><< end >><< end >>',
      }),
    ]);
    expect(err.code).toBe('LimitExceeded');
    expect(err.message).toMatch(/more than 50000 evaluation steps/);
  });

  it('a range over a huge integer is refused before it starts', () => {
    expect(refusal([rset({ resourcesTemplate: '<< range 1000000000 >>x<< end >>' })]).code).toBe(
      'LimitExceeded',
    );
  });

  it.each([
    '<< repeat 1000000000 "x" >>',
    '<< until 100000000 >>',
    '<< untilStep 0 1000000000 1 >>',
    '<< indent 1000000000 "x" >>',
    '<< "x" | repeat 60000 | nindent 60000 >>',
    '<< "x" | repeat 60000 | replace "" "yyyyyyyy" >>',
    '<< uniq (until 1000) | len >><< uniq (until 1000) | len >><< uniq (until 1000) | len >>',
  ])('%s is refused before it builds its value', (template) => {
    expect(refusal([rset({ resourcesTemplate: template })]).code).toBe('LimitExceeded');
  });

  it.each([
    '<< range until 1000 >><< $x := "a" | repeat 60000 >><< end >>',
    '<< $s := "a" | repeat 60000 >><< join $s (until 1000) >>',
    '<< $s := "a" | repeat 30000 >><< print $s $s $s >>',
    '<< $s := "a" | repeat 30000 >><< cat $s $s $s | quote >>',
  ])('%s: strings built and thrown away still use the budget', (template) => {
    expect(refusal([rset({ resourcesTemplate: template })]).code).toBe('LimitExceeded');
  });

  it('a printf width cannot allocate past the output limit', () => {
    const err = refusal([rset({ resourcesTemplate: 'a: << printf "%1000000000s" "x" >>\nb: [' })]);
    // The width is refused in the output (as Go marks a bad verb), so the render fails on the YAML, quickly.
    expect(err.code).toBe('BuildFailed');
  });

  it('a template writing past the output limit is stopped', () => {
    const err = refusal([
      rset({ resourcesTemplate: '<< range until 900 >><< "x" | repeat 900 >><< end >>' }),
    ]);
    expect(err.code).toBe('LimitExceeded');
    expect(err.message).toMatch(/writes more than 65536 characters/);
  });

  it('all templates of a render together are bounded', () => {
    const each = '<< "y" | repeat 60000 >>';
    const sets = Array.from({ length: 10 }, (_, i) => ({ i }));
    const err = refusal([rset({ inputs: sets, resources: [cm(each)] })]);
    expect(err.code).toBe('LimitExceeded');
    expect(err.message).toMatch(/write more than 262144 characters in all/);
  });

  it('printing an input nested deeper than the stack is a refusal, not a crash', () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 100_000; i++) deep = { d: deep };
    const err = refusal([rset({ inputs: [{ deep }], resourcesTemplate: 'a: << inputs.deep >>' })]);
    expect(err.code).toBe('LimitExceeded');
  });

  it('a template longer than the limit is refused unparsed', () => {
    expect(refusal([rset({ resourcesTemplate: 'x'.repeat(5000) })]).code).toBe('LimitExceeded');
  });

  it('deep nesting of blocks and parentheses is refused without exhausting the stack', () => {
    const blocks = `${'<< if true >>'.repeat(10_000)}x${'<< end >>'.repeat(10_000)}`;
    const parens = `<< ${'('.repeat(10_000)}1${')'.repeat(10_000)} >>`;
    const limits = { ...small, maxTemplateLength: 1_000_000 };
    expect(refusal([rset({ resourcesTemplate: blocks })], limits).code).toBe('LimitExceeded');
    expect(refusal([rset({ resourcesTemplate: parens })], limits).code).toBe('LimitExceeded');
  });
});

describe('a ResourceSet input and object explosion', () => {
  it('more inline input sets than the limit are refused', () => {
    const inputs = Array.from({ length: 101 }, (_, i) => ({ i }));
    const err = refusal([rset({ inputs, resources: [cm('a')] })]);
    expect(err.code).toBe('LimitExceeded');
    expect(err.message).toMatch(/101 input sets are more than the limit of 100/);
  });

  it('Permute of inline inputs against a provider stays within the limit or is refused', () => {
    const inputs = Array.from({ length: 101 }, (_, i) => ({ i }));
    const err = refusal([
      rset({ inputStrategy: { name: 'Permute' }, inputs, inputsFrom: [{ name: 'p' }], resources: [cm('a')] }),
      staticProvider('p'),
    ]);
    expect(err.code).toBe('LimitExceeded');
    expect(err.field).toBe('spec.inputStrategy');
  });

  it('more generated objects than the limit are refused', () => {
    const inputs = Array.from({ length: 60 }, (_, i) => ({ i }));
    const err = refusal([rset({ inputs, resources: [cm('a')] })]);
    expect(err.code).toBe('LimitExceeded');
    expect(err.message).toMatch(/generates more than 50 objects/);
  });

  it('ResourceSets generating ResourceSets stop after a bounded number of levels', () => {
    let nested: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'leaf', namespace: 'default' },
    };
    for (let level = 0; level < 8; level++) nested = rset({ resources: [nested] }, `level-${level}`);
    const err = refusal([nested]);
    expect(err.code).toBe('LimitExceeded');
    expect(err.message).toMatch(/ResourceSets generate ResourceSets more than 5 levels deep/);
  });

  it('many ResourceSets share one budget per render', () => {
    const many = Array.from({ length: 40 }, (_, n) =>
      rset({ resourcesTemplate: '<< range until 1000 >><< range until 10 >><< end >><< end >>' }, `r${n}`),
    );
    expect(refusal(many).code).toBe('LimitExceeded');
  });
});

describe('what a ResourceSet template can reach', () => {
  it.each([
    'env "HOME"',
    'expandenv "$HOME"',
    'now',
    'randAlphaNum 5',
    'uuidv4',
    'getHostByName "example.com"',
    'readFile "/etc/passwd"',
    'include "x" .',
    'call inputs',
  ])('%s is no function here', (call) => {
    const err = refusal([rset({ resourcesTemplate: `<< ${call} >>` })]);
    expect(err.code).toBe('BuildFailed');
    expect(err.message).toMatch(/function "\w+" (not defined|is not supported by Sluice yet)/);
  });

  it('errors name input keys and types, never input values', () => {
    const secret = 'hunter2-do-not-print';
    for (const template of [
      '<< inputs.token.x >>',
      '<< range inputs.token >><< end >>',
      '<< eq inputs.token 1 >>',
      '<< upper inputs.n >>',
      'a: [<< inputs.token >>',
    ]) {
      const err = refusal([rset({ inputs: [{ token: secret, n: 1 }], resourcesTemplate: template })]);
      expect(err.message).not.toContain(secret);
    }
  });
});
