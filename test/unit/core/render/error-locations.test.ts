// Where a render error points: the file that declared a Flux object (from kustomize's origin annotation,
// removed from everything shipped), a plain "not found" for a missing file, and the file/object prefix.
import { describe, expect, it } from 'vitest';
import { SluiceError } from '../../../../shared/core/errors.ts';
import { locateError } from '../../../../shared/core/render/locate-error.ts';
import { missingFileHint } from '../../../../shared/core/render/missing-file.ts';
import { moveOriginToSourceFile, takeSourceFile } from '../../../../shared/core/render/source-file.ts';
import type { KubeObject } from '../../../../shared/core/render/yaml-codec.ts';
import { testKustomization } from '../../../support/kustomization-fixture.ts';

const origin = (path: string, extra: Record<string, string> = {}) => ({
  annotations: { 'config.kubernetes.io/origin': `path: ${path}\n`, ...extra },
});

describe('moveOriginToSourceFile', () => {
  it('keeps the repository-relative file on a Flux object, and takeSourceFile removes it again', () => {
    const ks: KubeObject = {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'apps', ...origin('apps.yaml') },
    };
    moveOriginToSourceFile(ks, 'clusters/dev');
    const { object, file } = takeSourceFile(ks);
    expect(file).toBe('clusters/dev/apps.yaml');
    expect(object.metadata).toEqual({ name: 'apps' });
  });

  it('leaves a shipped object exactly as kustomize rendered it without the annotation', () => {
    const cm: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'a', ...origin('../base/a.yaml', { keep: 'me' }) },
    };
    moveOriginToSourceFile(cm, 'apps/dev');
    expect(cm.metadata).toEqual({ name: 'a', annotations: { keep: 'me' } });
    const bare: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'b', ...origin('b.yaml') },
    };
    moveOriginToSourceFile(bare, '');
    expect(bare.metadata).toEqual({ name: 'b' });
  });
});

describe('moveOriginToSourceFile with a remote base', () => {
  it('names no file for an object from another repository', () => {
    const ks: KubeObject = {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: {
        name: 'apps',
        annotations: {
          'config.kubernetes.io/origin': 'path: apps.yaml\nrepo: https://github.com/o/r\nref: main\n',
        },
      },
    };
    moveOriginToSourceFile(ks, 'clusters/dev');
    expect(ks.metadata).toEqual({ name: 'apps' });
  });
});

describe('missingFileHint', () => {
  it.each([
    [
      'open kustomize-error/missing.yaml: no such file or directory',
      '"kustomize-error/missing.yaml" not found',
    ],
    ["evalsymlink failure on 'apps/x' : lstat apps/x: no such file or directory", '"apps/x" not found'],
    ['some other kustomize error', undefined],
  ])('%s', (message, expected) => {
    const hint = missingFileHint(message);
    if (expected === undefined) expect(hint).toBeUndefined();
    else expect(hint).toContain(expected);
  });
});

describe('locateError', () => {
  const ks = testKustomization('apps', 'flux-system', { path: './apps' }, 'clusters/dev/apps.yaml');
  it.each([
    [
      'Kustomization/flux-system/apps: spec.path: not found',
      'clusters/dev/apps.yaml: Kustomization/flux-system/apps: spec.path: not found',
    ],
    [
      'apps/kustomization.yaml: resources[0]: bad',
      'clusters/dev/apps.yaml: Kustomization/flux-system/apps: apps/kustomization.yaml: resources[0]: bad',
    ],
    ['clusters/dev/apps.yaml: already located', 'clusters/dev/apps.yaml: already located'],
  ])('%s', (message, expected) => {
    const err = locateError(new SluiceError('BuildFailed', message, { retryable: true }), ks) as SluiceError;
    expect(err.message).toBe(expected);
    expect(err.code).toBe('BuildFailed');
    expect(err.retryable).toBe(true);
  });
});
