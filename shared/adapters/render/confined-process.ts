// Runs a rendering tool (kustomize, helm) on untrusted input, confined: an empty environment, bounded time,
// memory and output, and — where the host has bubblewrap — a sandbox that sees only the paths it is given
// and has no network at all (not even loopback), so a bypass of the guard still reads nothing else.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { SluiceError } from '../../core/errors.ts';

export interface ToolLimits {
  /** Wall-clock limit of one run. */
  timeoutMs: number;
  /** Address-space limit (RLIMIT_AS through prlimit), and the resident-memory ceiling of the watchdog. */
  memoryBytes: number;
  /** Largest stdout accepted. */
  maxOutputBytes: number;
}

export const DEFAULT_TOOL_LIMITS: ToolLimits = {
  timeoutMs: 120_000,
  memoryBytes: 2 * 1024 ** 3,
  maxOutputBytes: 256 * 1024 ** 2,
};

/** `auto` uses bubblewrap when the host has a working one; `bwrap` requires it; `none` never uses it. */
export type SandboxPreference = 'auto' | 'bwrap' | 'none';

export interface ConfinedRun {
  tool: string;
  command: string;
  args: string[];
  /** Paths the tool may read (bound read-only inside the sandbox at the same place). */
  readable: string[];
  /** Only for remote bases the operator enabled; without it the sandbox has no network namespace peers. */
  network: boolean;
  env: Record<string, string>;
  limits: ToolLimits;
}

export interface ConfinedResult {
  exitCode: number;
  stdout: Buffer;
  stderr: string;
}

const MAX_STDERR = 4096;
const BWRAP_PATHS = ['/usr/bin/bwrap', '/bin/bwrap'];
const PRLIMIT_PATHS = ['/usr/bin/prlimit', '/bin/prlimit'];
/** System paths a networked tool needs (TLS roots, resolver, git); none holds Sluice's secrets. */
const NETWORK_SYSTEM_PATHS = [
  '/usr',
  '/bin',
  '/lib',
  '/lib64',
  '/etc/ssl',
  '/etc/ca-certificates',
  '/etc/resolv.conf',
  '/etc/hosts',
  '/etc/nsswitch.conf',
];

export class ConfinedProcess {
  private readonly preference: SandboxPreference;
  private bwrap: string | null | undefined;
  private readonly prlimit: string | undefined;

  private readonly bwrapPaths: readonly string[];

  /** `bwrapPaths`: where to look for bubblewrap (tests point it at nothing to play a host without it). */
  constructor(preference: SandboxPreference = 'auto', opts: { bwrapPaths?: readonly string[] } = {}) {
    this.preference = preference;
    this.prlimit = PRLIMIT_PATHS.find((p) => existsSync(p));
    this.bwrapPaths = opts.bwrapPaths ?? BWRAP_PATHS;
  }

  /** Which confinement runs apply on this host; resolved once (a probe run of bubblewrap). */
  mode(): 'bwrap' | 'process' {
    if (this.bwrap === undefined)
      this.bwrap = this.preference === 'none' ? null : probeBwrap(this.bwrapPaths);
    if (this.bwrap === null && this.preference === 'bwrap') {
      throw new SluiceError(
        'SandboxUnavailable',
        "no working bubblewrap found to confine kustomize (install it: apt-get install bubblewrap); to run kustomize unconfined instead, where any commit to a rendered repository could read this machine's files, the signing key included, start with --render-sandbox none",
        { retryable: false },
      );
    }
    return this.bwrap ? 'bwrap' : 'process';
  }

  run(req: ConfinedRun): Promise<ConfinedResult> {
    const mode = this.mode();
    let argv = [req.command, ...req.args];
    if (mode === 'bwrap') argv = [this.bwrap as string, ...bwrapArgs(req), '--', ...argv];
    if (this.prlimit) argv = [this.prlimit, `--as=${req.limits.memoryBytes}`, '--', ...argv];
    const [command, ...args] = argv as [string, ...string[]];
    return spawnBounded(req, command, args);
  }
}

function bwrapArgs(req: ConfinedRun): string[] {
  const args = ['--unshare-all', '--die-with-parent', '--new-session', '--clearenv'];
  if (req.network) args.push('--share-net');
  for (const [k, v] of Object.entries(req.env)) args.push('--setenv', k, v);
  args.push('--dev', '/dev', '--tmpfs', '/tmp', '--ro-bind', req.command, req.command);
  const system = req.network ? NETWORK_SYSTEM_PATHS.filter((p) => existsSync(p)) : [];
  for (const path of [...system, ...req.readable]) args.push('--ro-bind', path, path);
  return args;
}

function probeBwrap(paths: readonly string[]): string | null {
  const bwrap = paths.find((p) => existsSync(p));
  if (!bwrap) return null;
  // User namespaces may be disabled (some containers); then bwrap exists but cannot run anything.
  const probe = spawnSync(bwrap, ['--unshare-all', '--die-with-parent', '--ro-bind', '/', '/', 'true'], {
    stdio: 'ignore',
    timeout: 10_000,
  });
  return probe.status === 0 ? bwrap : null;
}

function spawnBounded(req: ConfinedRun, command: string, args: string[]): Promise<ConfinedResult> {
  return new Promise((resolve, reject) => {
    // Own process group, so a timeout kills the tool and everything it started.
    const child = spawn(command, args, { env: req.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    let outBytes = 0;
    let err = '';
    let stopped: string | undefined;
    const stop = (why: string): void => {
      if (stopped) return;
      stopped = why;
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(
      () => stop(`it ran longer than ${Math.round(req.limits.timeoutMs / 1000)}s`),
      req.limits.timeoutMs,
    );
    // Where prlimit is missing (some Lambda images), a watchdog bounds resident memory instead.
    const watchdog = setInterval(() => {
      if (child.pid && residentBytes(child.pid) > req.limits.memoryBytes) stop(memoryMessage(req.limits));
    }, 100);
    child.stdout.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > req.limits.maxOutputBytes)
        return stop(`its output passed ${Math.round(req.limits.maxOutputBytes / 1024 ** 2)} MiB`);
      out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (err.length < MAX_STDERR) err += chunk.toString('utf8');
    });
    child.on('error', (cause) => {
      clearTimeout(timer);
      clearInterval(watchdog);
      reject(
        new SluiceError('ToolMissing', `could not run ${req.tool}: ${cause.message}`, {
          cause,
          retryable: true,
        }),
      );
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      clearInterval(watchdog);
      if (!stopped && /fatal error: out of memory|runtime: out of memory/.test(err))
        stopped = memoryMessage(req.limits);
      if (stopped) {
        return reject(
          new SluiceError(
            'RenderLimitExceeded',
            `${req.tool} was stopped: ${stopped} (a render limit; a file that expands without bound, such as nested YAML aliases, does this)`,
            { retryable: false },
          ),
        );
      }
      resolve({
        exitCode: code ?? 1,
        stdout: code === 0 ? Buffer.concat(out) : Buffer.alloc(0),
        stderr: err,
      });
    });
  });
}

function memoryMessage(limits: ToolLimits): string {
  return `it needed more than ${Math.round(limits.memoryBytes / 1024 ** 2)} MiB of memory`;
}

/** Resident memory of a process and its descendants, from /proc (0 when it is gone). */
function residentBytes(pid: number): number {
  let total = 0;
  const pending = [pid];
  while (pending.length > 0) {
    const p = pending.pop() as number;
    try {
      const status = readFileSync(`/proc/${p}/status`, 'utf8');
      const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
      total += Number(kb ?? 0) * 1024;
      for (const task of readdirSync(`/proc/${p}/task`)) {
        const children = readFileSync(`/proc/${p}/task/${task}/children`, 'utf8').trim();
        if (children) pending.push(...children.split(/\s+/).map(Number));
      }
    } catch {
      // Gone between listing and reading, or /proc is not available: nothing to count.
    }
  }
  return total;
}
