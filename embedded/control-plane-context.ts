// The context file: where a running embedded control plane tells the CLI its API address and data directory,
// so `sluice status` and `sluice reconcile` work from any directory. It names secret files, never secrets.
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { SluiceError } from '../shared/core/errors.ts';

export interface ControlPlaneContext {
  apiUrl: string;
  /** Absolute path of the control plane's data directory. */
  dataDir: string;
  /** The file holding the webhook secret; absent when the secret came from SLUICE_WEBHOOK_SECRET. */
  webhookSecretFile?: string;
  /** The file holding the API token (GET /api/artifact always wants it; GET /api/status beyond loopback). */
  apiTokenFile?: string;
  pid: number;
}

/** `$XDG_CONFIG_HOME/sluice/context.json`, or `~/.config/sluice/context.json` (a relative XDG path is ignored, as the spec says). */
export function contextFilePath(env: Record<string, string | undefined>, home = homedir()): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || home, '.config');
  return join(base, 'sluice', 'context.json');
}

/** Written whole, then renamed: a reader never sees half a file; the directory is the user's alone (0700). */
export function writeControlPlaneContext(path: string, context: ControlPlaneContext): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  chmodSync(dirname(path), 0o700);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(context, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/** The context, or undefined when there is none; a file that is not one is a usage error naming it. */
export function readControlPlaneContext(path: string): ControlPlaneContext | undefined {
  let text: string;
  try {
    // Only the user's own file, writable by nobody else: its paths are read and sent as credentials.
    const stat = statSync(path);
    if (stat.uid !== process.getuid?.() || (stat.mode & 0o022) !== 0) {
      throw new SluiceError(
        'UsageError',
        `${path} is not yours alone (owner or group/others may write it); remove it and start the control plane again`,
      );
    }
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if (err instanceof SluiceError) throw err;
    throw new SluiceError('UsageError', `cannot read ${path} (${(err as NodeJS.ErrnoException).code})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  const c = value as Partial<ControlPlaneContext> | undefined;
  const optionalString = (v: unknown) => v === undefined || typeof v === 'string';
  if (
    !c ||
    typeof c !== 'object' ||
    typeof c.apiUrl !== 'string' ||
    typeof c.dataDir !== 'string' ||
    !optionalString(c.webhookSecretFile) ||
    !optionalString(c.apiTokenFile) ||
    typeof c.pid !== 'number'
  ) {
    throw new SluiceError(
      'UsageError',
      `${path} is not a Sluice context file (apiUrl, dataDir); remove it, or start the control plane again to rewrite it`,
    );
  }
  return c as ControlPlaneContext;
}

/** At stop: removed only while it still names this control plane (another may have started since). */
export function removeControlPlaneContext(path: string, apiUrl: string): void {
  try {
    if (readControlPlaneContext(path)?.apiUrl === apiUrl) rmSync(path, { force: true });
  } catch {
    // An unreadable file is not ours to remove.
  }
}
