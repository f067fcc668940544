// Runs the real `sluice` command (cli/sluice.ts on the project's Node) as a user would, and returns its exit
// code and output instead of throwing on a non-zero exit.
import { execFile } from 'node:child_process';
import { join } from 'node:path';

const entry = join(import.meta.dirname, '../../cli/sluice.ts');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [entry, ...args], opts, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** The same, with stdout as the exact bytes the command wrote (binary output need not be UTF-8). */
export function runCliBytes(
  args: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<Omit<CliRun, 'stdout'> & { stdout: Buffer }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [entry, ...args], { ...opts, encoding: 'buffer' }, (err, stdout, stderr) => {
      resolve({
        code: err ? ((err as { code?: number }).code ?? 1) : 0,
        stdout,
        stderr: stderr.toString('utf8'),
      });
    });
  });
}
