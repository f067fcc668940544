// KustomizeRunner over the real `kubectl kustomize` (kustomize v5.6). Remote bases are cut off at the
// process level too: no git on PATH and every HTTP(S) request routed to a closed loopback port.
import { spawn } from 'node:child_process';
import { SluiceError } from '../../core/errors.ts';
import type { KustomizeRunner } from '../../ports/kustomize-runner.ts';
import { PINNED_TOOLS } from './pinned-tools.ts';

const CLOSED_PROXY = 'http://127.0.0.1:9';
const MAX_STDERR = 4096;

export class KubectlKustomize implements KustomizeRunner {
  readonly version = PINNED_TOOLS.kubectl.version;
  private readonly kubectl: string;

  constructor(kubectlPath: string) {
    this.kubectl = kubectlPath;
  }

  build(
    dir: string,
    opts: { allowRemoteBases: boolean; displayPaths: Record<string, string> },
  ): Promise<string> {
    const env: NodeJS.ProcessEnv = opts.allowRemoteBases
      ? { ...process.env, KUBECONFIG: '/dev/null' }
      : {
          PATH: '',
          HOME: dir,
          KUBECONFIG: '/dev/null',
          HTTPS_PROXY: CLOSED_PROXY,
          HTTP_PROXY: CLOSED_PROXY,
          NO_PROXY: '',
        };
    const args = ['kustomize', '--load-restrictor=LoadRestrictionsNone', dir];
    return new Promise((resolve, reject) => {
      const child = spawn(this.kubectl, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => {
        if (err.length < MAX_STDERR) err += chunk.toString('utf8');
      });
      child.on('error', (cause) =>
        reject(
          new SluiceError('ToolMissing', `could not run kubectl kustomize: ${cause.message}`, {
            cause,
            retryable: true,
          }),
        ),
      );
      child.on('close', (code) => {
        if (code === 0) return resolve(Buffer.concat(out).toString('utf8'));
        reject(
          new SluiceError(
            'KustomizeFailed',
            `kustomize build failed: ${cleanStderr(err, opts.displayPaths)}`,
          ),
        );
      });
    });
  }
}

/** kustomize errors name scratch paths; map them back to repository paths and keep one tidy line. */
export function cleanStderr(stderr: string, displayPaths: Record<string, string>): string {
  let text = stderr.trim().replace(/^error:\s*/i, '');
  const prefixes = Object.keys(displayPaths).sort((a, b) => b.length - a.length);
  for (const prefix of prefixes)
    text = text
      .split(`${prefix}/`)
      .join(displayPaths[prefix] ? `${displayPaths[prefix]}/` : '')
      .split(prefix)
      .join(displayPaths[prefix] || '.');
  return text.replace(/\s*\n\s*/g, ' ').slice(0, 1500);
}
