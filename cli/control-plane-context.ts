// Which control plane `sluice status` and `sluice reconcile` talk to, and with which credentials: flags first
// (--api, --data-dir), then the environment (SLUICE_API, SLUICE_WEBHOOK_SECRET, SLUICE_ROLLBACK_SECRET,
// SLUICE_API_TOKEN), then the context file a running embedded control plane writes in the user's config
// directory.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  type ControlPlaneContext,
  contextFilePath,
  readControlPlaneContext,
} from '../embedded/control-plane-context.ts';
import { SluiceError } from '../shared/core/errors.ts';

export interface FoundControlPlane {
  apiUrl: string;
  /** Where the address came from (`--api`, `SLUICE_API` or the context file), for error messages. */
  from: string;
  /** The webhook secret (only reconcile needs it, so it is read only when asked for). */
  webhookSecret(): string;
  /** The rollback secret, for `sluice rollback` through the webhook (read only when asked for). */
  rollbackSecret(): string;
  /** The status API's bearer token, when one is known. */
  apiToken(): string | undefined;
}

export interface ControlPlaneFlags {
  api?: string | undefined;
  dataDir?: string | undefined;
}

type Env = Record<string, string | undefined>;

export function findControlPlane(flags: ControlPlaneFlags, env: Env, home?: string): FoundControlPlane {
  const contextFile = contextFilePath(env, home);
  // A context left by a control plane that is gone names an address someone else may now listen on: its
  // files (and the secrets in them) must not be sent there.
  const found = readControlPlaneContext(contextFile);
  const context = found && isRunning(found.pid) ? found : undefined;
  const named = flags.api
    ? { url: flags.api, from: '--api' }
    : env.SLUICE_API
      ? { url: env.SLUICE_API, from: 'SLUICE_API' }
      : undefined;
  const apiUrl = trimSlash(named?.url ?? context?.apiUrl ?? '');
  if (!apiUrl) {
    throw new SluiceError(
      'UsageError',
      `no running control plane found (looked in ${contextFile}); start one with npm start or pass --api URL`,
    );
  }
  // The context's files belong to the control plane it names: another address does not get its secrets.
  const own: ControlPlaneContext | undefined =
    context && trimSlash(context.apiUrl) === apiUrl ? context : undefined;
  const dataDir = flags.dataDir ? resolve(flags.dataDir) : undefined;
  return {
    apiUrl,
    from: named?.from ?? contextFile,
    webhookSecret: () => {
      if (env.SLUICE_WEBHOOK_SECRET) return env.SLUICE_WEBHOOK_SECRET;
      const file = dataDir ? join(dataDir, 'webhook-secret') : own?.webhookSecretFile;
      if (!file) {
        throw new SluiceError(
          'UsageError',
          `no webhook secret known for the control plane at ${apiUrl}; set SLUICE_WEBHOOK_SECRET or pass --data-dir DIR (its data directory, holding webhook-secret)`,
        );
      }
      return readSecretFile(file, 'webhook secret');
    },
    rollbackSecret: () => {
      if (env.SLUICE_ROLLBACK_SECRET) return env.SLUICE_ROLLBACK_SECRET;
      if (!dataDir) {
        throw new SluiceError(
          'UsageError',
          `no rollback secret known for the control plane at ${apiUrl}; set SLUICE_ROLLBACK_SECRET (the stack's RollbackSecret) or pass --data-dir DIR (its data directory, holding rollback-secret)`,
        );
      }
      return readSecretFile(join(dataDir, 'rollback-secret'), 'rollback secret');
    },
    apiToken: () => {
      if (env.SLUICE_API_TOKEN) return env.SLUICE_API_TOKEN;
      if (dataDir) return readSecretFile(join(dataDir, 'api-token'), 'status token', true);
      return own?.apiTokenFile ? readSecretFile(own.apiTokenFile, 'status token') : undefined;
    },
  };
}

function readSecretFile(file: string, what: string, optional = false): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (optional && code === 'ENOENT') return '';
    throw new SluiceError(
      'UsageError',
      `cannot read the ${what} in ${file} (${code}); pass --data-dir DIR (the control plane's data directory) or set it in the environment`,
    );
  }
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    // ESRCH: gone. EPERM: some other user's process now has that pid, so not our control plane either.
    return false;
  }
}
