// `sluice get artifact CLUSTER/NAME` (or CLUSTER/NAMESPACE/NAME): what the puller would apply for a target,
// as multi-document YAML like `sluice build`, read through the status API, which verifies it first.
import { SluiceError } from '../../shared/core/errors.ts';
import { objectsToYaml } from '../../shared/core/render/yaml-codec.ts';
import type { ArtifactView } from '../../shared/usecases/read-artifact.ts';

/** The control plane to ask (what findControlPlane returns fits). */
export interface ArtifactSource {
  apiUrl: string;
  /** Where the address came from, for messages. */
  from: string;
  /** The API token: GET /api/artifact wants it even on loopback. */
  apiToken(): string | undefined;
}

export interface ArtifactRef {
  cluster: string;
  namespace: string;
  name: string;
}

/** `cluster/name` (namespace flux-system, as Flux) or `cluster/namespace/name`; undefined for anything else. */
export function parseArtifactRef(text: string): ArtifactRef | undefined {
  const parts = text.split('/');
  if (parts.some((p) => p === '')) return undefined;
  if (parts.length === 2)
    return { cluster: parts[0] as string, namespace: 'flux-system', name: parts[1] as string };
  if (parts.length === 3)
    return { cluster: parts[0] as string, namespace: parts[1] as string, name: parts[2] as string };
  return undefined;
}

/** The artifact's objects as YAML; a missing cluster or target is a ReferenceNotFound naming what exists. */
export async function getArtifact(plane: ArtifactSource, ref: ArtifactRef): Promise<string> {
  const query = new URLSearchParams({ kind: 'Kustomization', ...ref });
  const token = plane.apiToken();
  let res: Response;
  try {
    res = await fetch(`${plane.apiUrl}/api/artifact?${query}`, {
      signal: AbortSignal.timeout(10_000),
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
  } catch (err) {
    throw new SluiceError(
      'UsageError',
      `could not reach the control plane at ${plane.apiUrl} (from ${plane.from}: ${(err as Error).message}); start it with npm start, or pass --api URL`,
    );
  }
  if (res.status === 401)
    throw new SluiceError(
      'UsageError',
      `the control plane at ${plane.apiUrl} wants its API token to show artifacts: pass --data-dir DIR (its data directory, holding api-token) or set SLUICE_API_TOKEN`,
    );
  const body = (await res.json().catch(() => ({}))) as Partial<ArtifactView> & { error?: string };
  if (res.status === 404 && body.error) throw new SluiceError('ReferenceNotFound', body.error);
  if (!res.ok || !Array.isArray(body.objects))
    throw new SluiceError(
      'UsageError',
      `the control plane at ${plane.apiUrl} answered HTTP ${res.status}${body.error ? `: ${body.error}` : ''}`,
    );
  const r = body.rollback;
  // A comment, so the output still applies as it is: this content was put back by an operator.
  const note = r
    ? `# a rollback: the content of ${r.to}, put back at ${r.at} by ${r.by}${r.reason ? ` (${r.reason})` : ''} in place of ${r.from}\n`
    : '';
  return `${note}${objectsToYaml(body.objects)}`;
}
