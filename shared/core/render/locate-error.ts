// Every render failure starts with the file and the object it is about (`clusters/dev/apps.yaml:
// Kustomization/flux-system/apps: …`), whichever step raised it, as the README's error format promises.
import type { HelmRelease } from '../../api/helm-release.ts';
import type { Kustomization } from '../../api/kustomization.ts';
import { describeLocation, objectRef } from '../../api/object-meta.ts';
import { SluiceError } from '../errors.ts';

export function locateError(err: unknown, ks: Kustomization | HelmRelease): unknown {
  if (!(err instanceof SluiceError)) return err;
  const where = describeLocation(ks.source);
  if (err.message.startsWith(`${where}: `)) return err;
  const ref = objectRef(ks.kind, ks.metadata);
  const about = err.message.startsWith(`${ref}: `) ? err.message : `${ref}: ${err.message}`;
  return new SluiceError(err.code, `${where}: ${about}`, {
    retryable: err.retryable,
    cause: err,
    file: err.file ?? ks.source.file,
    object: err.object ?? ref,
    ...(err.field && { field: err.field }),
  });
}
