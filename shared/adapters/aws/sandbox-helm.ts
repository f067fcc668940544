// HelmRunner for the cloud's render function, which can sign and read the store and so must never run helm
// on an untrusted chart itself: the chart and values go to the tool sandbox function through pre-signed URLs
// (the sandbox gets no credentials of its own), and the rendered output comes back the same way.
import { mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HelmRunner, HelmTemplateRun } from '../../ports/helm-runner.ts';
import { HELM_BUNDLE_CHART, HELM_BUNDLE_VALUES } from '../render/sandbox-request.ts';
import { packWorkspace } from '../render/workspace-bundle.ts';
import { callSandbox, type SandboxCallOptions } from './sandbox-call.ts';

export interface SandboxHelmOptions extends SandboxCallOptions {
  version: string;
  scratchDir?: string;
}

export class SandboxHelm implements HelmRunner {
  readonly version: string;
  private readonly opts: SandboxHelmOptions;

  constructor(opts: SandboxHelmOptions) {
    this.version = opts.version;
    this.opts = opts;
  }

  async template(run: HelmTemplateRun): Promise<string> {
    const bundle = await this.pack(run);
    return callSandbox(this.opts, bundle.data, {
      allowRemoteBases: false,
      tool: 'helm',
      helm: {
        chart: bundle.chart,
        releaseName: run.releaseName,
        namespace: run.namespace,
        isUpgrade: run.isUpgrade,
        includeCrds: run.includeCrds,
        disableHooks: run.disableHooks,
        capabilities: run.capabilities,
      },
    });
  }

  /** The chart (linked in, packed as content) and the values, and nothing else of the snapshot. */
  private async pack(run: HelmTemplateRun): Promise<{ data: Buffer; chart: 'dir' | 'archive' }> {
    const scratch = this.opts.scratchDir ?? tmpdir();
    await mkdir(scratch, { recursive: true });
    const root = await mkdtemp(join(scratch, 'helm-bundle-'));
    try {
      const chart = (await stat(run.chartPath)).isDirectory() ? 'dir' : 'archive';
      await symlink(run.chartPath, join(root, HELM_BUNDLE_CHART[chart]));
      await writeFile(join(root, HELM_BUNDLE_VALUES), JSON.stringify(run.values));
      return { data: packWorkspace(root, root, [run.chartPath]), chart };
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }
}
