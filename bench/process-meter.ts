// A child process measured from the outside, as a cluster's kubelet sees it: resident memory, peak resident
// memory and CPU time, read from /proc (Linux), so the figures are the whole process's, not V8's view of it.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

const MIB = 1024 * 1024;
const clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

export interface MeteredProcess {
  readonly child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far (for a failure's message). */
  output(): string;
  /** Resident set size now, in MiB. */
  rssMib(): number;
  /** Highest resident set size since it started (VmHWM), in MiB. */
  peakRssMib(): number;
  /** CPU seconds (user + system) used since it started. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

export function startMetered(argv: string[], env: NodeJS.ProcessEnv): MeteredProcess {
  const [cmd, ...args] = argv as [string, ...string[]];
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    // Only the tail: a long run must not grow this process's own memory.
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const status = (field: string) => {
    const text = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    return (Number(new RegExp(`${field}:\\s+(\\d+)`).exec(text)?.[1]) * 1024) / MIB;
  };
  return {
    child,
    output: () => output,
    rssMib: () => status('VmRSS'),
    peakRssMib: () => status('VmHWM'),
    cpuSeconds() {
      // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / clockTicks;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** CPU used over `seconds` of wall time, as a percentage of one core. */
export async function cpuPercentOver(proc: MeteredProcess, seconds: number): Promise<number> {
  const before = proc.cpuSeconds();
  const start = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const elapsed = (performance.now() - start) / 1000;
  return ((proc.cpuSeconds() - before) / elapsed) * 100;
}
