// KustomizeRunner for the cloud's render function, which can sign and read the store and so must never run
// a tool on untrusted input itself: the workspace goes to the tool sandbox function through pre-signed URLs
// (the sandbox gets no credentials of its own), and the output comes back the same way.
import { randomUUID } from 'node:crypto';
import { SluiceError } from '../../core/errors.ts';
import { storePrefixes } from '../../core/pipeline/resource-names.ts';
import type { KustomizeBuildOptions, KustomizeRunner } from '../../ports/kustomize-runner.ts';
import type { ObjectStore } from '../../ports/object-store.ts';
import type { SandboxRequest, SandboxResponse } from '../render/sandbox-request.ts';
import { packWorkspace } from '../render/workspace-bundle.ts';

export interface SandboxKustomizeOptions {
  version: string;
  store: ObjectStore;
  /** A short-lived URL for one object and one method. */
  presign: (key: string, method: 'GET' | 'PUT') => Promise<string>;
  /** Calls the tool sandbox function and returns its answer. */
  invoke: (req: SandboxRequest) => Promise<SandboxResponse>;
}

export class SandboxKustomize implements KustomizeRunner {
  readonly version: string;
  private readonly opts: SandboxKustomizeOptions;

  constructor(opts: SandboxKustomizeOptions) {
    this.version = opts.version;
    this.opts = opts;
  }

  async build(dir: string, opts: KustomizeBuildOptions): Promise<string> {
    const [root = dir, ...snapshot] = opts.readable ?? [dir];
    // Only what the guard found the build reads travels, not the whole repository per render.
    const bundle = packWorkspace(root, dir, snapshot, {
      ...(opts.inputs && snapshot[0] && { only: { sourceRoot: snapshot[0], files: opts.inputs } }),
    });
    const prefix = `${storePrefixes.sandbox}${randomUUID()}`;
    const input = `${prefix}/workspace.json.gz`;
    const output = `${prefix}/output.yaml`;
    try {
      await this.opts.store.put(input, bundle, 'application/gzip');
      const res = await this.opts.invoke({
        inputUrl: await this.opts.presign(input, 'GET'),
        outputUrl: await this.opts.presign(output, 'PUT'),
        allowRemoteBases: opts.allowRemoteBases,
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
}
