// HelmRunner for the cloud's render function, which can sign and read the store and so must never run helm
// on an untrusted chart itself: the chart and values go to the tool sandbox function through pre-signed URLs
// (the sandbox gets no credentials of its own), and the rendered output comes back the same way.
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SluiceError } from '../../core/errors.ts';
import { storePrefixes } from '../../core/pipeline/resource-names.ts';
import type { HelmRunner, HelmTemplateRun } from '../../ports/helm-runner.ts';
import type { ObjectStore } from '../../ports/object-store.ts';
import {
  HELM_BUNDLE_CHART,
  HELM_BUNDLE_VALUES,
  type SandboxRequest,
  type SandboxResponse,
} from '../render/sandbox-request.ts';
import { packWorkspace } from '../render/workspace-bundle.ts';

export interface SandboxHelmOptions {
  version: string;
  store: ObjectStore;
  /** A short-lived URL for one object and one method. */
  presign: (key: string, method: 'GET' | 'PUT') => Promise<string>;
  /** Calls the tool sandbox function and returns its answer. */
  invoke: (req: SandboxRequest) => Promise<SandboxResponse>;
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
    const prefix = `${storePrefixes.sandbox}${randomUUID()}`;
    const input = `${prefix}/workspace.json.gz`;
    const output = `${prefix}/output.yaml`;
    try {
      await this.opts.store.put(input, bundle.data, 'application/gzip');
      const res = await this.opts.invoke({
        inputUrl: await this.opts.presign(input, 'GET'),
        outputUrl: await this.opts.presign(output, 'PUT'),
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
      if (!res.ok) throw new SluiceError(res.code, res.message, { retryable: res.retryable });
      const body = await this.opts.store.get(output);
      if (body === undefined)
        throw new SluiceError('StoreUnavailable', 'the render sandbox reported success but wrote no output', {
          retryable: true,
        });
      return body.toString('utf8');
    } finally {
      await Promise.all([this.opts.store.delete(input), this.opts.store.delete(output)]).catch(
        () => undefined,
      );
    }
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
