// How `sluice status` and `sluice reconcile` find a control plane: flags, then the environment, then the
// context file in a temporary XDG_CONFIG_HOME; the file names secret files and never holds a secret.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findControlPlane } from '../../../cli/control-plane-context.ts';
import {
  contextFilePath,
  removeControlPlaneContext,
  writeControlPlaneContext,
} from '../../../embedded/control-plane-context.ts';
import { errorOf } from '../../support/error-of.ts';

let root: string;
let config: string;
let dataDir: string;
const API = 'http://127.0.0.1:7480';

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'sluice-context-'));
  config = join(root, 'config');
  dataDir = join(root, 'data');
  mkdirSync(dataDir);
  writeFileSync(join(dataDir, 'webhook-secret'), 'secret-on-file\n');
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

const announce = (extra: { apiTokenFile?: string } = {}) =>
  writeControlPlaneContext(contextFilePath({ XDG_CONFIG_HOME: config }), {
    apiUrl: API,
    dataDir,
    webhookSecretFile: join(dataDir, 'webhook-secret'),
    ...extra,
    pid: process.pid,
  });

describe('contextFilePath', () => {
  it.each([
    [{ XDG_CONFIG_HOME: '/cfg' }, '/home/u', '/cfg/sluice/context.json'],
    [{}, '/home/u', '/home/u/.config/sluice/context.json'],
    [{ HOME: '/home/v' }, '/home/u', '/home/v/.config/sluice/context.json'],
    // The XDG spec: a relative XDG_CONFIG_HOME is invalid and ignored.
    [{ XDG_CONFIG_HOME: 'relative' }, '/home/u', '/home/u/.config/sluice/context.json'],
  ])('%j with home %s is %s', (env, home, expected) => {
    expect(contextFilePath(env, home)).toBe(expected);
  });
});

describe('writeControlPlaneContext', () => {
  it('keeps the file to the user (0600 in a 0700 directory) and holds paths, not secrets', () => {
    announce();
    const file = contextFilePath({ XDG_CONFIG_HOME: config });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(config, 'sluice')).mode & 0o777).toBe(0o700);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('secret-on-file');
    expect(JSON.parse(text)).toMatchObject({
      apiUrl: API,
      dataDir,
      webhookSecretFile: join(dataDir, 'webhook-secret'),
    });
  });

  it('is removed at stop only while it names the stopping control plane', () => {
    announce();
    const file = contextFilePath({ XDG_CONFIG_HOME: config });
    removeControlPlaneContext(file, 'http://127.0.0.1:9999');
    expect(statSync(file).isFile()).toBe(true);
    removeControlPlaneContext(file, API);
    expect(() => statSync(file)).toThrow();
  });
});

describe('findControlPlane', () => {
  it('says where it looked and what to do when nothing names a control plane', () => {
    const err = errorOf(() => findControlPlane({}, { XDG_CONFIG_HOME: config }));
    expect(err.code).toBe('UsageError');
    // The message is the point: where it looked, and the two ways out.
    expect(err.message).toBe(
      `no running control plane found (looked in ${join(config, 'sluice', 'context.json')}); start one with npm start or pass --api URL`,
    );
  });

  it('uses the context file from any directory: its address and its webhook secret file', () => {
    announce();
    const plane = findControlPlane({}, { XDG_CONFIG_HOME: config });
    expect(plane.apiUrl).toBe(API);
    expect(plane.webhookSecret()).toBe('secret-on-file');
    expect(plane.apiToken()).toBeUndefined();
  });

  it('reads the status token from the file the context names', () => {
    writeFileSync(join(dataDir, 'api-token'), 'token-on-file\n');
    announce({ apiTokenFile: join(dataDir, 'api-token') });
    expect(findControlPlane({}, { XDG_CONFIG_HOME: config }).apiToken()).toBe('token-on-file');
  });

  it.each([
    [
      '--api over SLUICE_API over the context',
      { api: 'http://flag:1/' },
      { SLUICE_API: 'http://env:2' },
      'http://flag:1',
      '--api',
    ],
    ['SLUICE_API over the context', {}, { SLUICE_API: 'http://env:2' }, 'http://env:2', 'SLUICE_API'],
  ])('address: %s', (_, flags, env, url, from) => {
    announce();
    const plane = findControlPlane(flags, { ...env, XDG_CONFIG_HOME: config });
    expect(plane.apiUrl).toBe(url);
    expect(plane.from).toBe(from);
  });

  it('does not hand the context’s secret to another address', () => {
    announce();
    const err = errorOf(() =>
      findControlPlane({ api: 'http://elsewhere:1' }, { XDG_CONFIG_HOME: config }).webhookSecret(),
    );
    expect(err.code).toBe('UsageError');
  });

  it('gives the context’s secret to its own address spelled as a flag', () => {
    announce();
    expect(findControlPlane({ api: `${API}/` }, { XDG_CONFIG_HOME: config }).webhookSecret()).toBe(
      'secret-on-file',
    );
  });

  it('takes the secret from SLUICE_WEBHOOK_SECRET, then --data-dir, then the context', () => {
    announce();
    const other = join(root, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'webhook-secret'), 'secret-of-other\n');
    const env = { XDG_CONFIG_HOME: config };
    expect(
      findControlPlane({ dataDir: other }, { ...env, SLUICE_WEBHOOK_SECRET: 'from-env' }).webhookSecret(),
    ).toBe('from-env');
    expect(findControlPlane({ dataDir: other }, env).webhookSecret()).toBe('secret-of-other');
    expect(findControlPlane({}, env).webhookSecret()).toBe('secret-on-file');
  });

  it('takes the rollback secret from SLUICE_ROLLBACK_SECRET, then --data-dir, never the webhook secret', () => {
    announce();
    const other = join(root, 'other-rollback');
    mkdirSync(other);
    writeFileSync(join(other, 'rollback-secret'), 'rollback-of-other\n');
    const env = { XDG_CONFIG_HOME: config, SLUICE_WEBHOOK_SECRET: 'the-git-hosts' };
    expect(
      findControlPlane({ dataDir: other }, { ...env, SLUICE_ROLLBACK_SECRET: 'from-env' }).rollbackSecret(),
    ).toBe('from-env');
    expect(findControlPlane({ dataDir: other }, env).rollbackSecret()).toBe('rollback-of-other');
    const missing = errorOf(() => findControlPlane({}, env).rollbackSecret());
    expect(missing.code).toBe('UsageError');
    expect(missing.message).toContain('set SLUICE_ROLLBACK_SECRET');
  });

  it('names a context file that is not one', () => {
    mkdirSync(join(config, 'sluice'), { recursive: true });
    writeFileSync(join(config, 'sluice', 'context.json'), '{"apiUrl": 1}');
    expect(errorOf(() => findControlPlane({}, { XDG_CONFIG_HOME: config })).code).toBe('UsageError');
  });
});
