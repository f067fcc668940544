// The sourceRef kinds Flux allows that Sluice cannot fetch yet: refused as such (a build failure, not
// retried), instead of "not found; declare the GitRepository", which sends the user the wrong way.
import { SluiceError } from '../errors.ts';

/** The sources a target renders from that Sluice fetches today (a HelmRelease's chart: HelmChart or OCIRepository). */
export const SUPPORTED_SOURCE_KINDS: readonly string[] = [
  'GitRepository',
  'OCIRepository',
  'Bucket',
  'HelmChart',
  'ExternalArtifact',
];

/** The refusal for a sourceRef of a kind Sluice does not support yet, or undefined when it does. */
export function unsupportedSourceKind(
  objectRef: string,
  sourceRef: { kind: string; namespace: string; name: string },
): SluiceError | undefined {
  if (SUPPORTED_SOURCE_KINDS.includes(sourceRef.kind)) return undefined;
  return new SluiceError(
    'UnsupportedResource',
    `${objectRef}: spec.sourceRef: ${sourceRef.kind} sources are not supported by Sluice yet (${sourceRef.kind} '${sourceRef.namespace}/${sourceRef.name}'); only GitRepository, OCIRepository, Bucket and ExternalArtifact (of an ArtifactGenerator) are, so point spec.sourceRef at one of those`,
    { object: objectRef, field: 'spec.sourceRef', retryable: false },
  );
}
