// KustomizeRunner over the real `kubectl kustomize` (kustomize v5.6), run confined: empty environment,
// bounded time/memory/output, bubblewrap where available. Without remote bases there is no network at all
// (no git on PATH, every proxied request to a closed port, and no network namespace peers under bubblewrap).
import { SluiceError } from '../../core/errors.ts';
import type { KustomizeBuildOptions, KustomizeRunner } from '../../ports/kustomize-runner.ts';
import { ConfinedProcess, DEFAULT_TOOL_LIMITS, type ToolLimits } from './confined-process.ts';
import { PINNED_TOOLS } from './pinned-tools.ts';

const CLOSED_PROXY = 'http://127.0.0.1:9';

export interface KubectlKustomizeOptions {
  confined?: ConfinedProcess;
  limits?: Partial<ToolLimits>;
}

export class KubectlKustomize implements KustomizeRunner {
  readonly version = PINNED_TOOLS.kubectl.version;
  private readonly kubectl: string;
  private readonly confined: ConfinedProcess;
  private readonly limits: ToolLimits;

  constructor(kubectlPath: string, opts: KubectlKustomizeOptions = {}) {
    this.kubectl = kubectlPath;
    this.confined = opts.confined ?? new ConfinedProcess('auto');
    this.limits = { ...DEFAULT_TOOL_LIMITS, ...opts.limits };
  }

  /** What confines the tool on this host, for start-up banners and status. */
  sandbox(): 'bwrap' | 'process' {
    return this.confined.mode();
  }

  async build(dir: string, opts: KustomizeBuildOptions): Promise<string> {
    // Never the caller's environment: it holds cloud credentials and the control plane's settings.
    const env: Record<string, string> = opts.allowRemoteBases
      ? { PATH: '/usr/bin:/bin', HOME: '/tmp', KUBECONFIG: '/dev/null' }
      : {
          PATH: '',
          HOME: '/tmp',
          KUBECONFIG: '/dev/null',
          HTTPS_PROXY: CLOSED_PROXY,
          HTTP_PROXY: CLOSED_PROXY,
          NO_PROXY: '',
        };
    const result = await this.confined.run({
      tool: 'kustomize',
      command: this.kubectl,
      args: ['kustomize', '--load-restrictor=LoadRestrictionsNone', dir],
      readable: opts.readable ?? [dir],
      network: opts.allowRemoteBases,
      env,
      limits: this.limits,
    });
    if (result.exitCode === 0) return result.stdout.toString('utf8');
    throw new SluiceError(
      'KustomizeFailed',
      `kustomize build failed: ${cleanStderr(result.stderr, opts.displayPaths)}`,
    );
  }
}

/**
 * kyaml's "wrong node kind" error ends with the offending YAML node as written ("node contents:" and the node):
 * for a SOPS patch or generator file decrypted before the build, its plaintext values. Never shown.
 */
const NODE_CONTENTS = /(node contents:)[\s\S]*/;

/** kustomize errors name scratch paths; map them back to repository paths and keep one tidy line. */
export function cleanStderr(stderr: string, displayPaths: Record<string, string>): string {
  let text = stderr
    .trim()
    .replace(/^error:\s*/i, '')
    .replace(NODE_CONTENTS, '$1 (not shown: it may hold secrets)');
  const prefixes = Object.keys(displayPaths).sort((a, b) => b.length - a.length);
  for (const prefix of prefixes)
    text = text
      .split(`${prefix}/`)
      .join(displayPaths[prefix] ? `${displayPaths[prefix]}/` : '')
      .split(prefix)
      .join(displayPaths[prefix] || '.');
  return text.replace(/\s*\n\s*/g, ' ').slice(0, 1500);
}
