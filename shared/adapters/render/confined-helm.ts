// HelmRunner over the bundled helm v4, confined like kustomize: an empty environment but for HELM_* homes
// in a private scratch directory (no repositories, registries or plugins), no network, only the chart and
// the values file visible, bounded time, memory and output. `lookup` finds no cluster: there is none.
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SluiceError } from '../../core/errors.ts';
import { helmTemplateArgs } from '../../core/helm/helm-template-args.ts';
import { isWithin } from '../../core/paths/secure-join.ts';
import type { HelmRunner, HelmTemplateRun } from '../../ports/helm-runner.ts';
import { ConfinedProcess, DEFAULT_TOOL_LIMITS, type ToolLimits } from './confined-process.ts';
import { cleanStderr } from './kubectl-kustomize.ts';
import { PINNED_TOOLS } from './pinned-tools.ts';

const CLOSED_PROXY = 'http://127.0.0.1:9';

export interface ConfinedHelmOptions {
  confined?: ConfinedProcess;
  limits?: Partial<ToolLimits>;
  /** Where private HELM_* homes and values files are made (default: the OS temp directory). */
  scratchDir?: string;
}

/** Everything helm may read from its environment: homes in `home`, no proxy that leads anywhere. */
export function helmEnvironment(home: string): Record<string, string> {
  return {
    PATH: '',
    HOME: home,
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
    HELM_PLUGINS: join(home, 'plugins'),
    HELM_REGISTRY_CONFIG: join(home, 'config/registry/config.json'),
    HELM_REPOSITORY_CONFIG: join(home, 'config/repositories.yaml'),
    HELM_REPOSITORY_CACHE: join(home, 'cache/repository'),
    KUBECONFIG: '/dev/null',
    HTTPS_PROXY: CLOSED_PROXY,
    HTTP_PROXY: CLOSED_PROXY,
    NO_PROXY: '',
  };
}

export class ConfinedHelm implements HelmRunner {
  readonly version = PINNED_TOOLS.helm.version;
  private readonly helm: string;
  private readonly confined: ConfinedProcess;
  private readonly limits: ToolLimits;
  private readonly scratchDir: string;

  constructor(helmPath: string, opts: ConfinedHelmOptions = {}) {
    this.helm = helmPath;
    this.confined = opts.confined ?? new ConfinedProcess('auto');
    this.limits = { ...DEFAULT_TOOL_LIMITS, ...opts.limits };
    this.scratchDir = opts.scratchDir ?? tmpdir();
  }

  sandbox(): 'bwrap' | 'process' {
    return this.confined.mode();
  }

  async template(run: HelmTemplateRun): Promise<string> {
    guardChartTree(run.chartPath);
    return this.withHome(async (home) => {
      const valuesFile = join(home, 'values.yaml');
      // JSON is YAML, and it keeps every key and string exactly as given.
      writeFileSync(valuesFile, JSON.stringify(run.values));
      const result = await this.run(helmTemplateArgs(run, run.chartPath, valuesFile), home, [
        run.chartPath,
        home,
      ]);
      if (result.exitCode === 0) return result.stdout.toString('utf8');
      throw new SluiceError(
        'BuildFailed',
        `helm template failed: ${cleanStderr(result.stderr, { [run.chartPath]: '<chart>', [home]: '' })}`,
        { retryable: false },
      );
    });
  }

  /** `helm env` under the same confinement: what the tool sees of its settings (diagnostics, tests). */
  async settings(): Promise<string> {
    return this.withHome(async (home) => (await this.run(['env'], home, [home])).stdout.toString('utf8'));
  }

  // A handful of empty folders and a small file on local disk: made synchronously they take microseconds,
  // where each thread-pool round trip costs a fraction of a millisecond on every render.
  private async withHome<T>(body: (home: string) => Promise<T>): Promise<T> {
    mkdirSync(this.scratchDir, { recursive: true });
    const home = mkdtempSync(join(this.scratchDir, 'helm-'));
    try {
      // Empty homes: no repositories, registry logins or plugins for helm to find.
      for (const dir of ['cache', 'config', 'data', 'plugins']) mkdirSync(join(home, dir));
      return await body(home);
    } finally {
      // The values (which may come from Secrets) go at once and must go: a failure to delete them is the
      // render's failure. The empty folders left are removed off the render's path (removing a folder a
      // sandbox has just bound costs more than the rest of the home's life).
      rmSync(join(home, 'values.yaml'), { force: true });
      rm(home, { recursive: true, force: true }).catch(() => {});
    }
  }

  private run(args: string[], home: string, readable: string[]) {
    return this.confined.run({
      tool: 'helm',
      command: this.helm,
      args,
      readable,
      network: false,
      env: helmEnvironment(home),
      limits: this.limits,
    });
  }
}

/**
 * Helm follows symlinks when it loads a chart directory. Chart snapshots hold regular files only, so a
 * link that leads out of the chart is refused here too, for hosts where no sandbox hides the rest. Walked
 * synchronously: a chart is a bounded tree of a few dozen files, and each await would cost more than a read.
 */
function guardChartTree(chartPath: string): void {
  const stat = lstatSync(chartPath, { throwIfNoEntry: false });
  if (!stat)
    throw new SluiceError('PathNotFound', 'the chart to render is missing from its snapshot', {
      retryable: false,
    });
  if (stat.isSymbolicLink()) throw escapes('the chart itself');
  if (!stat.isDirectory()) return;
  const root = realpathSync(chartPath);
  const pending = [chartPath];
  while (pending.length > 0) {
    const dir = pending.pop() as string;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) pending.push(path);
      else if (entry.isSymbolicLink()) {
        const target = realpathOrUndefined(path);
        if (target === undefined || !isWithin(root, target)) throw escapes(path.slice(chartPath.length + 1));
      }
    }
  }
}

function realpathOrUndefined(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

function escapes(what: string): SluiceError {
  return new SluiceError('PathEscapesRoot', `chart file ${what} is a link that leads outside the chart`, {
    file: what,
    retryable: false,
  });
}
