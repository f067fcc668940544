// Flux's pre-build SOPS walk and marker rules (FLUX-RENDER §4.1): which files are decrypted in place, with
// which format, which resources get their MAC checked as committed, and what is left alone.
import { describe, expect, it } from 'vitest';
import { sopsSourceFiles } from '../../../../shared/core/render/sops-source-files.ts';
import {
  formatForPath,
  hasSopsMarker,
  isDecryptionDisabled,
  markerFormat,
} from '../../../../shared/core/sops/flux-markers.ts';
import { rejectionOf } from '../../../support/error-of.ts';
import { memoryTree } from '../../../support/memory-tree.ts';

const YAML_DOC = 'a: ENC[x]\nsops:\n  mac: ENC[y]\n';
const JSON_DOC = '{\n\t"data": "ENC[x]",\n\t"sops": {\n\t\t"mac": "ENC[y]"\n\t}\n}';
const ENV_DOC = 'a=ENC[x]\nsops_mac=ENC[y]\n';

describe('Flux SOPS markers', () => {
  it('needs the exact marker of the format: minified JSON is not decrypted', () => {
    expect(hasSopsMarker(JSON_DOC, 'json')).toBe(true);
    expect(hasSopsMarker('{"sops":{"mac":"ENC[y]"}}', 'json')).toBe(false);
    expect(hasSopsMarker(YAML_DOC, 'yaml')).toBe(true);
    expect(hasSopsMarker(ENV_DOC, 'dotenv')).toBe(true);
    expect(hasSopsMarker('[sops]\nmac = ENC[y]\n', 'ini')).toBe(true);
    expect(markerFormat(JSON_DOC)).toBe('json');
    expect(markerFormat(YAML_DOC)).toBe('yaml');
    expect(markerFormat('plain')).toBeUndefined();
  });

  it('chooses the format from the key or path, .dockerconfigjson as JSON, anything else binary', () => {
    expect(formatForPath('.dockerconfigjson')).toBe('json');
    expect(formatForPath('cfg.yml')).toBe('yaml');
    expect(formatForPath('app.env')).toBe('dotenv');
    expect(formatForPath('token')).toBe('binary');
    expect(formatForPath('x.YAML')).toBe('binary');
  });

  it('reads the opt-out annotation case-insensitively', () => {
    expect(isDecryptionDisabled({ 'kustomize.toolkit.fluxcd.io/decrypt': 'Disabled' })).toBe(true);
    expect(isDecryptionDisabled({ 'kustomize.toolkit.fluxcd.io/decrypt': 'enabled' })).toBe(false);
    expect(isDecryptionDisabled(undefined)).toBe(false);
  });
});

describe('sopsSourceFiles', () => {
  const tree = memoryTree({
    '/r/app/kustomization.yaml':
      'resources: [../base, secret.yaml, https://example.com/x.yaml, missing]\ncomponents: [../comp]\nsecretGenerator:\n- name: s\n  files: [token=file.txt, cfg.yaml, plain.txt]\n  envs: [app.env]\npatches:\n- path: patch.yaml\n',
    '/r/app/secret.yaml': YAML_DOC,
    '/r/app/file.txt': JSON_DOC,
    '/r/app/cfg.yaml': YAML_DOC,
    '/r/app/plain.txt': 'nothing to decrypt',
    '/r/app/app.env': ENV_DOC,
    '/r/app/patch.yaml': YAML_DOC,
    '/r/base/kustomization.yaml':
      'configMapGenerator:\n- name: c\n  files: [base.yaml]\nresources: [../app]\n',
    '/r/base/base.yaml': YAML_DOC,
    '/r/comp/kustomization.yaml': 'secretGenerator:\n- name: c\n  envs: [c.env]\n',
    '/r/comp/c.env': ENV_DOC,
  });

  it('walks resources and components directories once, decrypting generator files, envs and patches', () => {
    const files = sopsSourceFiles(tree, '/r', '/r/app', {
      resources: ['../base', 'secret.yaml', 'https://example.com/x.yaml', 'missing'],
      components: ['../comp'],
      secretGenerator: [{ name: 's', files: ['token=file.txt', 'cfg.yaml', 'plain.txt'], envs: ['app.env'] }],
      patches: [{ path: 'patch.yaml' }],
    });
    expect(files.map((f) => [f.rel, f.format, f.role]).sort()).toEqual(
      [
        ['app/app.env', 'dotenv', 'decrypt'],
        ['app/cfg.yaml', 'yaml', 'decrypt'],
        ['app/file.txt', 'binary', 'decrypt'],
        ['app/patch.yaml', 'yaml', 'decrypt'],
        ['app/secret.yaml', 'yaml', 'verify'],
        ['comp/c.env', 'dotenv', 'decrypt'],
      ].sort(),
    );
  });

  it('refuses a marked file over 5 MiB rather than ship it encrypted', async () => {
    const big = memoryTree({ '/r/a.env': `${'x'.repeat(5 * 1024 * 1024)}\n${ENV_DOC}` });
    const err = await rejectionOf(
      Promise.resolve().then(() =>
        sopsSourceFiles(big, '/r', '/r', { secretGenerator: [{ envs: ['a.env'] }] }),
      ),
    );
    expect(err.code).toBe('DecryptionFailed');
  });
});
