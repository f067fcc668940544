// Helm's release record as helm's Secret storage driver writes it (pkg/storage/driver/secrets.go, util.go):
// a Secret `sh.helm.release.v1.<name>.v<N>` of type helm.sh/release.v1 whose data.release is base64 of gzip
// of the release JSON (pkg/release/v1), so `helm list`, `history` and `get` read Sluice's releases.
import { gunzipSync, gzipSync } from 'node:zlib';
import type { KubeObject } from '../render/yaml-codec.ts';
import type { HelmReleaseApply } from './helm-release-apply.ts';
import type { Hook, HookEvent } from './hook-order.ts';
import { deletePoliciesOf } from './hook-order.ts';

export type ReleaseStatus =
  | 'unknown'
  | 'deployed'
  | 'uninstalled'
  | 'superseded'
  | 'failed'
  | 'uninstalling'
  | 'pending-install'
  | 'pending-upgrade'
  | 'pending-rollback';

export type HookPhase = 'Unknown' | 'Running' | 'Succeeded' | 'Failed';

export interface HookRun {
  started_at?: string;
  completed_at?: string;
  phase: HookPhase | '';
}

/** pkg/release/v1 Hook as JSON. */
export interface HookRecord {
  name: string;
  kind: string;
  path: string;
  manifest: string;
  events: HookEvent[];
  last_run: HookRun;
  weight?: number;
  delete_policies?: string[];
}

/** pkg/release/v1 Release as JSON (fields helm omits when empty are optional). */
export interface ReleaseRecord {
  name: string;
  info: {
    first_deployed?: string;
    last_deployed?: string;
    deleted?: string;
    description?: string;
    status: ReleaseStatus;
    notes?: string;
  };
  chart: {
    metadata: Record<string, unknown>;
    lock: null;
    templates: unknown[];
    values: Record<string, unknown>;
    schema: null;
    files: unknown[];
  };
  config?: Record<string, unknown>;
  manifest?: string;
  hooks?: HookRecord[];
  version: number;
  namespace: string;
  apply_method?: 'ssa' | 'csa';
}

export const RELEASE_SECRET_TYPE = 'helm.sh/release.v1';

export function releaseSecretName(releaseName: string, version: number): string {
  return `sh.helm.release.v1.${releaseName}.v${version}`;
}

/**
 * The hook as helm records it; `path` names the object, as Sluice keeps no template paths. The manifest is
 * JSON, which is YAML to helm's decoder, so the puller carries no YAML library.
 */
export function hookRecord(chartName: string, hook: Hook, lastRun: HookRun = { phase: '' }): HookRecord {
  return {
    name: hook.name,
    kind: hook.kind,
    path: `${chartName}/templates/${hook.kind.toLowerCase()}-${hook.name}.yaml`,
    manifest: `${JSON.stringify(hook.object, null, 2)}\n`,
    events: hook.events,
    last_run: lastRun,
    ...(hook.weight !== 0 && { weight: hook.weight }),
    delete_policies: deletePoliciesOf(hook),
  };
}

export interface ReleaseInput {
  apply: HelmReleaseApply;
  version: number;
  status: ReleaseStatus;
  description: string;
  firstDeployed: string;
  lastDeployed: string;
  hooks: HookRecord[];
}

export function buildRelease(input: ReleaseInput): ReleaseRecord {
  const { apply } = input;
  return {
    name: apply.releaseName,
    info: {
      first_deployed: input.firstDeployed,
      last_deployed: input.lastDeployed,
      description: input.description,
      status: input.status,
    },
    // The chart's default values and templates stay in the cloud: `helm get values` shows the merged
    // values (config); `--all` shows the same, as the defaults are already merged in.
    chart: {
      metadata: { ...apply.chart.metadata, name: apply.chart.name, version: apply.chart.version },
      lock: null,
      templates: [],
      values: {},
      schema: null,
      files: [],
    },
    config: apply.values,
    manifest: apply.manifest,
    ...(input.hooks.length > 0 && { hooks: input.hooks }),
    version: input.version,
    namespace: apply.namespace,
    apply_method: 'ssa',
  };
}

/** helm's encodeRelease: base64 of gzip (best compression) of the JSON. */
export function encodeRelease(release: ReleaseRecord): string {
  return gzipSync(Buffer.from(JSON.stringify(release)), { level: 9 }).toString('base64');
}

/** helm's decodeRelease: base64, then gunzip when the gzip magic is there (older records are plain JSON). */
export function decodeRelease(data: string): ReleaseRecord {
  const bytes = Buffer.from(data, 'base64');
  const gz = bytes.length > 3 && bytes[0] === 0x1f && bytes[1] === 0x8b && bytes[2] === 0x08;
  return JSON.parse((gz ? gunzipSync(bytes) : bytes).toString('utf8')) as ReleaseRecord;
}

/** The Secret as helm's newSecretsObject makes it; `labels` keeps the record's own labels (createdAt…). */
export function releaseSecret(
  release: ReleaseRecord,
  storageNamespace: string,
  labels: Record<string, string> = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: releaseSecretName(release.name, release.version),
      namespace: storageNamespace,
      labels: {
        ...labels,
        name: release.name,
        owner: 'helm',
        status: release.info.status,
        version: String(release.version),
      },
    },
    type: RELEASE_SECRET_TYPE,
    // The API's base64 of the Secret value, which is itself helm's base64 text.
    data: { release: Buffer.from(encodeRelease(release)).toString('base64') },
  };
}

/** The release inside a release Secret read from the API; undefined for anything else. */
export function releaseOfSecret(secret: KubeObject): ReleaseRecord | undefined {
  const value = (secret.data as Record<string, string> | undefined)?.release;
  if (secret.type !== RELEASE_SECRET_TYPE || typeof value !== 'string') return undefined;
  try {
    return decodeRelease(Buffer.from(value, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
}

export interface RecordSummary {
  version: number;
  status: ReleaseStatus;
}

/**
 * The versions to delete so at most `maxHistory` records remain (0: keep all), oldest first, never the
 * latest deployed one, as helm's storage removeLeastRecent.
 */
export function versionsBeyondHistory(records: readonly RecordSummary[], maxHistory: number): number[] {
  if (maxHistory <= 0 || records.length <= maxHistory) return [];
  const ordered = [...records].sort((a, b) => a.version - b.version);
  const lastDeployed = ordered.filter((r) => r.status === 'deployed').at(-1)?.version;
  const out: number[] = [];
  let excess = ordered.length - maxHistory;
  for (const r of ordered) {
    if (excess <= 0) break;
    if (r.version === lastDeployed) continue;
    out.push(r.version);
    excess--;
  }
  return out;
}
