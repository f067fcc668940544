// What the cloud's tool sandbox function does with one request: download the workspace through a
// pre-signed URL, run kustomize on it, upload the output through another. It is given nothing else: no
// store access, no keys, no queue; its role may do nothing, so a tool that escaped would find nothing.
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type ErrorCode, isSluiceError } from '../../core/errors.ts';
import type { KustomizeRunner } from '../../ports/kustomize-runner.ts';
import { DEFAULT_BUNDLE_LIMITS, unpackWorkspace } from './workspace-bundle.ts';

export interface SandboxRequest {
  /** Pre-signed GET of the packed workspace. */
  inputUrl: string;
  /** Pre-signed PUT for the rendered YAML. */
  outputUrl: string;
  allowRemoteBases: boolean;
}

export type SandboxResponse =
  | { ok: true }
  | { ok: false; code: ErrorCode; message: string; retryable: boolean };

export interface SandboxDeps {
  kustomize: KustomizeRunner;
  scratchDir: string;
  fetch?: typeof fetch;
}

export async function runSandboxRequest(deps: SandboxDeps, req: SandboxRequest): Promise<SandboxResponse> {
  const http = deps.fetch ?? fetch;
  const dest = await mkdtemp(join(deps.scratchDir, 'sandbox-'));
  try {
    const input = await http(req.inputUrl, { signal: AbortSignal.timeout(60_000) });
    if (!input.ok)
      return failure('StoreUnavailable', `could not download the workspace (HTTP ${input.status})`, true);
    const declared = Number(input.headers.get('content-length') ?? 0);
    if (declared > DEFAULT_BUNDLE_LIMITS.maxBytes)
      return failure('RenderLimitExceeded', 'the workspace bundle is over the render sandbox limit', false);
    const buildDir = unpackWorkspace(Buffer.from(await input.arrayBuffer()), dest);
    const output = await deps.kustomize.build(buildDir, {
      allowRemoteBases: req.allowRemoteBases,
      displayPaths: { [dest]: '' },
      readable: [dest],
    });
    const put = await http(req.outputUrl, {
      method: 'PUT',
      body: output,
      headers: { 'content-type': 'application/yaml' },
      signal: AbortSignal.timeout(60_000),
    });
    if (!put.ok) return failure('StoreUnavailable', `could not upload the render (HTTP ${put.status})`, true);
    return { ok: true };
  } catch (err) {
    if (isSluiceError(err)) return failure(err.code, err.message, err.retryable);
    return failure('BuildFailed', `render sandbox failed: ${(err as Error).message}`, true);
  } finally {
    await rm(dest, { recursive: true, force: true });
  }
}

function failure(code: ErrorCode, message: string, retryable: boolean): SandboxResponse {
  return { ok: false, code, message, retryable };
}
