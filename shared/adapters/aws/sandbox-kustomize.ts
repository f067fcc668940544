// KustomizeRunner for the cloud's render function, which can sign and read the store and so must never run
// a tool on untrusted input itself: the workspace goes to the tool sandbox function through pre-signed URLs
// (the sandbox gets no credentials of its own), and the output comes back the same way.
import type { KustomizeBuildOptions, KustomizeRunner } from '../../ports/kustomize-runner.ts';
import { packWorkspace } from '../render/workspace-bundle.ts';
import { callSandbox, type SandboxCallOptions } from './sandbox-call.ts';

export interface SandboxKustomizeOptions extends SandboxCallOptions {
  version: string;
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
    return callSandbox(this.opts, bundle, { allowRemoteBases: opts.allowRemoteBases });
  }
}
