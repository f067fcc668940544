// Flux's condition reasons as a closed set, and the one table from an error code to the reason a status
// shows. Every status reason Sluice writes is one of these names, so `kubectl`-minded readers see Flux's.
import type { ErrorCode } from './errors.ts';

/** Exactly the reasons Sluice emits (render status, apply reports); Flux's own spelling. */
export const FLUX_REASONS = [
  'ReconciliationSucceeded',
  'ReconciliationFailed',
  'ArtifactFailed',
  'ArtifactRejected',
  'BuildFailed',
  'HealthCheckFailed',
  'DependencyNotReady',
  'PruneFailed',
  'AccessDenied',
  'Pruned',
  'Removed',
] as const;

export type FluxReason = (typeof FLUX_REASONS)[number];

export function isFluxReason(value: unknown): value is FluxReason {
  return (FLUX_REASONS as readonly unknown[]).includes(value);
}

/**
 * Which reason a failure with this code shows. A Record, not a switch with a default: a new ErrorCode
 * does not compile until someone decides its reason.
 */
const REASON_OF_CODE: Record<ErrorCode, FluxReason> = {
  // The source could not be had: Flux's ArtifactFailed.
  GitFetchFailed: 'ArtifactFailed',
  GitAuthFailed: 'ArtifactFailed',
  GitRefNotFound: 'ArtifactFailed',
  SnapshotCorrupt: 'ArtifactFailed',
  SourceFetchFailed: 'ArtifactFailed',
  SourceAuthFailed: 'ArtifactFailed',
  ArtifactNotFound: 'ArtifactFailed',
  ArchiveRejected: 'ArtifactFailed',
  // Something it depends on (a ConfigMap for substitution, a source) is not there yet.
  ReferenceNotFound: 'DependencyNotReady',
  AccessDenied: 'AccessDenied',
  ArtifactRejected: 'ArtifactRejected',
  // The build itself: the tree, the tools, the output.
  InvalidManifest: 'BuildFailed',
  UnsupportedResource: 'BuildFailed',
  ValidationFailed: 'BuildFailed',
  PathEscapesRoot: 'BuildFailed',
  PathNotFound: 'BuildFailed',
  BuildFailed: 'BuildFailed',
  KustomizeFailed: 'BuildFailed',
  RemoteBaseDisabled: 'BuildFailed',
  SubstitutionFailed: 'BuildFailed',
  ToolMissing: 'BuildFailed',
  ToolChecksumMismatch: 'BuildFailed',
  RenderLimitExceeded: 'BuildFailed',
  SandboxUnavailable: 'BuildFailed',
  LimitExceeded: 'BuildFailed',
  UsageError: 'BuildFailed',
  // A refused address met while building (a remote base): the build's failure, as before.
  SourceAddressRefused: 'BuildFailed',
  ConfigInvalid: 'BuildFailed',
  // SOPS: Flux reports decryption failures as a failed build.
  DecryptionFailed: 'BuildFailed',
  MacMismatch: 'BuildFailed',
  // Applying to the cluster.
  ApplyFailed: 'ReconciliationFailed',
  PruneFailed: 'PruneFailed',
  HealthCheckFailed: 'HealthCheckFailed',
  // The platform around the reconcile: nothing wrong with the object itself.
  StoreUnavailable: 'ReconciliationFailed',
  QueueUnavailable: 'ReconciliationFailed',
  KeyServiceUnavailable: 'ReconciliationFailed',
  WebhookRejected: 'ReconciliationFailed',
  InvalidJob: 'ReconciliationFailed',
  InternalError: 'ReconciliationFailed',
};

export function reasonForCode(code: ErrorCode): FluxReason {
  return REASON_OF_CODE[code];
}
