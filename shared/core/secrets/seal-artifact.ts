// Which parts of an artifact are secret, sealed for its cluster before signing and opened by that cluster's
// puller after verifying: every Secret's data and stringData values, and a HelmRelease's values and manifest
// (valuesFrom Secrets and chart-rendered Secrets end up there). Names, kinds and keys stay readable.
import type { ArtifactPayload } from '../artifact/artifact.ts';
import { SluiceError } from '../errors.ts';
import { describeTarget } from '../pipeline/target.ts';
import type { KubeObject } from '../render/yaml-codec.ts';
import { isSealed, type SecretCipher } from './secret-cipher.ts';
import type { WrappedKey } from './wrapped-key.ts';

const SECRET_FIELDS = ['data', 'stringData'] as const;

function isSecret(o: KubeObject): boolean {
  return o.kind === 'Secret' && (o.apiVersion === 'v1' || o.apiVersion === undefined);
}

/** Whether anything in the payload needs sealing (an artifact without secrets keeps its old digest). */
export function hasSecrets(payload: ArtifactPayload): boolean {
  return payload.apply.helm !== undefined || payload.objects.some(isSecret);
}

function objectPlace(payload: ArtifactPayload, o: KubeObject): string {
  const m = (o.metadata ?? {}) as { namespace?: string; name?: string };
  return `artifact\0${payload.cluster}\0${describeTarget(payload.target)}\0${o.apiVersion}/${o.kind}/${m.namespace ?? ''}/${m.name ?? ''}`;
}

function helmPlace(payload: ArtifactPayload): string {
  return `artifact\0${payload.cluster}\0${describeTarget(payload.target)}\0helm`;
}

function mapSecretValues(
  o: KubeObject,
  f: (value: string, field: string, key: string) => string,
): KubeObject {
  // null values stay as they are (the API server drops them); anything else is sealed as its text.
  if (!isSecret(o)) return o;
  const out: KubeObject = { ...o };
  for (const field of SECRET_FIELDS) {
    const values = o[field];
    if (values === undefined || values === null) continue;
    if (typeof values !== 'object' || Array.isArray(values))
      throw new SluiceError(
        'InvalidManifest',
        `Secret ${(o.metadata as { name?: string })?.name}: ${field} is not a map`,
      );
    out[field] = Object.fromEntries(
      Object.entries(values as Record<string, unknown>).map(([k, v]) => [
        k,
        v === null ? null : f(String(v), field, k),
      ]),
    );
  }
  return out;
}

/** The payload with its secret parts sealed under `cipher`, carrying the wrapped key that opens them. */
export function sealArtifact(
  payload: ArtifactPayload,
  cipher: SecretCipher,
  key: WrappedKey,
): ArtifactPayload {
  const objects = payload.objects.map((o) =>
    mapSecretValues(o, (v, field, k) =>
      cipher.seal(Buffer.from(v, 'utf8'), `${objectPlace(payload, o)}\0${field}\0${k}`),
    ),
  );
  const helm = payload.apply.helm;
  const apply = helm
    ? {
        ...payload.apply,
        helm: {
          ...helm,
          values: {},
          manifest: '',
          sealed: cipher.seal(
            Buffer.from(JSON.stringify({ values: helm.values, manifest: helm.manifest }), 'utf8'),
            helmPlace(payload),
          ),
        },
      }
    : payload.apply;
  return { ...payload, objects, apply, seal: key };
}

/** The payload as it was before sealing; throws DecryptionFailed if any sealed part was changed or moved. */
export function openArtifact(payload: ArtifactPayload, cipher: SecretCipher): ArtifactPayload {
  const what = `artifact for ${describeTarget(payload.target)}`;
  const objects = payload.objects.map((o) =>
    mapSecretValues(o, (v, field, k) => {
      if (!isSealed(v))
        throw new SluiceError(
          'DecryptionFailed',
          `${what}: Secret value ${field}.${k} is not sealed; refusing a Secret the control plane did not seal`,
        );
      return cipher.open(v, `${objectPlace(payload, o)}\0${field}\0${k}`, what).toString('utf8');
    }),
  );
  const helm = payload.apply.helm;
  let apply = payload.apply;
  if (helm) {
    if (!helm.sealed)
      throw new SluiceError(
        'DecryptionFailed',
        `${what}: the release's values are not sealed; refusing them`,
      );
    const { values, manifest } = JSON.parse(
      cipher.open(helm.sealed, helmPlace(payload), what).toString('utf8'),
    ) as {
      values: Record<string, unknown>;
      manifest: string;
    };
    const { sealed: _sealed, ...rest } = helm;
    apply = { ...payload.apply, helm: { ...rest, values, manifest } };
  }
  const { seal: _seal, ...rest } = payload;
  return { ...rest, objects, apply };
}
