// What the cloud's tool sandbox function does with one request: download the workspace through a
// pre-signed URL, run kustomize (or `helm template`) on it, upload the output through another. It is given
// nothing else: no store access, no keys, no queue; its role may do nothing, so a tool that escaped would
// find nothing.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type ErrorCode, isSluiceError, SluiceError } from '../../core/errors.ts';
import type { HelmTemplateFlags } from '../../core/helm/helm-template-args.ts';
import type { HelmRunner } from '../../ports/helm-runner.ts';
import type { KustomizeRunner } from '../../ports/kustomize-runner.ts';
import { DEFAULT_BUNDLE_LIMITS, unpackWorkspace } from './workspace-bundle.ts';

/** Where a helm workspace bundle keeps the chart (a directory, or an archive) and the values. */
export const HELM_BUNDLE_CHART = { dir: 'chart', archive: 'chart.tgz' } as const;
export const HELM_BUNDLE_VALUES = 'values.json';

export interface SandboxRequest {
  /** Pre-signed GET of the packed workspace. */
  inputUrl: string;
  /** Pre-signed PUT for the rendered YAML. */
  outputUrl: string;
  allowRemoteBases: boolean;
  /** Absent: kustomize, as before helm renders existed. */
  tool?: 'kustomize' | 'helm';
  /** For `tool: 'helm'`: the template flags, and whether the bundle's chart is a directory or an archive. */
  helm?: HelmTemplateFlags & { chart: 'dir' | 'archive' };
}

export type SandboxResponse =
  | { ok: true }
  | { ok: false; code: ErrorCode; message: string; retryable: boolean };

export interface SandboxDeps {
  kustomize: KustomizeRunner;
  /** Runs `helm template` for `tool: 'helm'` requests. */
  helm?: HelmRunner;
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
    const output =
      req.tool === 'helm'
        ? await helmTemplate(deps, req, dest)
        : await deps.kustomize.build(buildDir, {
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

/** The request's fields are rebuilt one by one: nothing else in the payload reaches helm's command line. */
async function helmTemplate(deps: SandboxDeps, req: SandboxRequest, dest: string): Promise<string> {
  const h = req.helm;
  if (!deps.helm || !h || (h.chart !== 'dir' && h.chart !== 'archive'))
    throw new SluiceError('BuildFailed', 'the render sandbox received a helm request it cannot run');
  let values: unknown;
  try {
    values = JSON.parse(await readFile(join(dest, HELM_BUNDLE_VALUES), 'utf8'));
  } catch (cause) {
    throw new SluiceError('BuildFailed', 'the render sandbox received helm values it cannot read', { cause });
  }
  if (!values || typeof values !== 'object' || Array.isArray(values))
    throw new SluiceError('ValidationFailed', 'the values of a HelmRelease must be a map');
  return deps.helm.template({
    chartPath: join(dest, h.chart === 'dir' ? HELM_BUNDLE_CHART.dir : HELM_BUNDLE_CHART.archive),
    values: values as Record<string, unknown>,
    releaseName: String(h.releaseName),
    namespace: String(h.namespace),
    isUpgrade: h.isUpgrade === true,
    includeCrds: h.includeCrds === true,
    disableHooks: h.disableHooks === true,
    capabilities: {
      kubeVersion: String(h.capabilities?.kubeVersion),
      apiVersions: Array.isArray(h.capabilities?.apiVersions) ? h.capabilities.apiVersions.map(String) : [],
    },
  });
}

function failure(code: ErrorCode, message: string, retryable: boolean): SandboxResponse {
  return { ok: false, code, message, retryable };
}
