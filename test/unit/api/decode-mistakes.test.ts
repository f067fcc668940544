// Mistakes a user makes in Flux objects are refused with the file, the object, the field and what to
// write instead: a misspelt field (which Flux refuses too), and Git URLs Sluice cannot fetch.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IsomorphicGitSource } from '../../../shared/adapters/git/isomorphic-git-source.ts';
import { decodeResource } from '../../../shared/api/decode-resource.ts';
import { isSluiceError, type SluiceError } from '../../../shared/core/errors.ts';
import { closestMatch } from '../../../shared/core/text/closest-match.ts';

type Raw = Record<string, unknown>;

/** The whole SluiceError (details and retryable included), which errorOf reduces to code and message. */
function errorOf(run: () => unknown): SluiceError {
  try {
    run();
  } catch (err) {
    if (isSluiceError(err)) return err;
    throw err;
  }
  throw new Error('expected an error');
}
const FILE = 'clusters/dev/apps.yaml';
const at = { file: FILE, document: 0 };

const kustomization = (spec: Raw): Raw => ({
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  metadata: { name: 'apps', namespace: 'flux-system' },
  spec: {
    interval: '10m',
    path: './apps',
    prune: true,
    sourceRef: { kind: 'GitRepository', name: 'fleet' },
    ...spec,
  },
});
const gitRepository = (spec: Raw): Raw => ({
  apiVersion: 'source.toolkit.fluxcd.io/v1',
  kind: 'GitRepository',
  metadata: { name: 'fleet', namespace: 'flux-system' },
  spec: { url: 'https://github.com/org/fleet', interval: '1m', ...spec },
});

describe('an unknown field in a Flux object', () => {
  it('is refused with the file, the object, the field and the closest known field', () => {
    const err = errorOf(() => decodeResource(kustomization({ targetNamespce: 'apps' }), at));
    expect(err.code).toBe('ValidationFailed');
    expect({ file: err.file, object: err.object, field: err.field }).toMatchObject({
      file: FILE,
      object: 'Kustomization/flux-system/apps',
      field: 'spec.targetNamespce',
    });
    expect(err.message).toBe(
      `${FILE}: Kustomization/flux-system/apps: spec.targetNamespce: unknown field; did you mean spec.targetNamespace?`,
    );
  });

  it.each([
    [
      'spec.sourceRef.nmae',
      kustomization({ sourceRef: { kind: 'GitRepository', nmae: 'fleet', name: 'fleet' } }),
    ],
    ['spec.postBuild.substitue', kustomization({ postBuild: { substitue: { a: 'b' } } })],
    [
      'spec.postBuild.substituteFrom[0].optinal',
      kustomization({ postBuild: { substituteFrom: [{ kind: 'ConfigMap', name: 'v', optinal: true }] } }),
    ],
    ['spec.patches[0].traget', kustomization({ patches: [{ patch: 'x', traget: { kind: 'Deployment' } }] })],
    ['spec.images[0].newtag', kustomization({ images: [{ name: 'nginx', newtag: '1' }] })],
    ['spec.dependsOn[0].namepsace', kustomization({ dependsOn: [{ name: 'infra', namepsace: 'x' }] })],
    ['spec.ref.brnach', gitRepository({ ref: { brnach: 'main' } })],
    ['spec.intervall', gitRepository({ intervall: '1m' })],
  ])('is refused in nested objects too (%s)', (field, raw) => {
    const err = errorOf(() => decodeResource(raw, at));
    expect(err.code).toBe('ValidationFailed');
    expect(err.field).toBe(field);
  });

  it('accepts the Flux fields Sluice does not carry out yet, so a valid Flux object stays valid', () => {
    expect(() => decodeResource(kustomization({ deletionPolicy: 'Delete' }), at)).not.toThrow();
    expect(() =>
      decodeResource(gitRepository({ provider: 'generic', recurseSubmodules: false }), at),
    ).not.toThrow();
  });

  it('names no field when nothing is close', () => {
    expect(closestMatch('zzzzzzzz', ['targetNamespace', 'path'])).toBeUndefined();
    expect(closestMatch('targetNamespce', ['targetNamespace', 'path'])).toBe('targetNamespace');
  });
});

describe('a GitRepository URL Sluice cannot fetch', () => {
  it.each([
    ['ssh://git@github.com/org/fleet.git', /ssh:\/\/ URLs are not supported.*https:\/\//],
    ['git@github.com:org/fleet.git', /not supported.*https:\/\/github\.com\/org\/fleet\.git/],
    ['file:///srv/fleet', /file:\/\/ URLs are not supported/],
    ['https://exa mple.com/fleet', /not a valid URL/],
  ])('%s is refused at decode time, naming spec.url, with what to write instead', (url, hint) => {
    const err = errorOf(() => decodeResource(gitRepository({ url }), at));
    expect(err.code).toBe('ValidationFailed');
    expect(err.field).toBe('spec.url');
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(hint);
  });

  it.each(['file:///srv/fleet', 'not a url', 'git@github.com:org/fleet.git'])(
    '%s reaching the Git adapter (a flag, an old record) is a validation error, not retried',
    async (url) => {
      const cacheDir = mkdtempSync(join(tmpdir(), 'sluice-git-url-'));
      try {
        const err = await new IsomorphicGitSource({ cacheDir }).fetch({ url }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isSluiceError(err) && { code: err.code, retryable: err.retryable, field: err.field }).toEqual({
          code: 'ValidationFailed',
          retryable: false,
          field: 'spec.url',
        });
      } finally {
        rmSync(cacheDir, { recursive: true, force: true });
      }
    },
  );
});
