// Typed errors for every stage: a stable code, a user-facing message naming the object and the fix,
// and whether retrying can help (retry vs. dead-letter follows from it). Messages never carry secrets.

export type ErrorCode =
  | 'InvalidManifest'
  | 'UnsupportedResource'
  | 'ValidationFailed'
  | 'ReferenceNotFound'
  | 'PathEscapesRoot'
  | 'PathNotFound'
  | 'GitAuthFailed'
  | 'GitRefNotFound'
  | 'GitFetchFailed'
  | 'BuildFailed'
  | 'KustomizeFailed'
  | 'RemoteBaseDisabled'
  | 'SubstitutionFailed'
  | 'ToolMissing'
  | 'ToolChecksumMismatch'
  | 'UsageError'
  | 'ArtifactRejected'
  | 'ApplyFailed'
  | 'PruneFailed'
  | 'HealthCheckFailed'
  | 'WebhookRejected'
  | 'ConfigInvalid'
  | 'StoreUnavailable'
  | 'QueueUnavailable'
  | 'RenderLimitExceeded'
  | 'SandboxUnavailable'
  | 'AccessDenied'
  | 'LimitExceeded'
  | 'SourceAddressRefused'
  | 'SnapshotCorrupt'
  /** A chart repository or OCI registry failed, timed out or answered something unusable (retryable when transient). */
  | 'SourceFetchFailed'
  /** A chart repository or registry refused the credentials (401/403): names the Secret to check. */
  | 'SourceAuthFailed'
  /** The chart, version, tag or digest asked for is not there: names what was asked and what exists. */
  | 'ArtifactNotFound'
  /** An archive (OCI layer, chart) with unsafe paths or links, or that inflates past its limits. */
  | 'ArchiveRejected'
  /** The signing key service (KMS) is throttling, failing or unreachable: retry later. */
  | 'KeyServiceUnavailable'
  /** A queue message that is no job (not JSON, unknown kind, missing fields, wrong queue): dead-lettered at once. */
  | 'InvalidJob'
  /** A SOPS value or file that does not decrypt with the data key (wrong key, tampered ciphertext): names the file. */
  | 'DecryptionFailed'
  /** A SOPS file whose MAC is missing or does not match its values: tampered or hand-edited; names the file. */
  | 'MacMismatch'
  /** Anything that is not a SluiceError: a bug or an unexpected platform failure; its text stays in the logs. */
  | 'InternalError';

export interface SluiceErrorOptions {
  retryable?: boolean;
  cause?: unknown;
  /** Where the problem is: file, object (`Kind/namespace/name`), field path. */
  file?: string;
  object?: string;
  field?: string;
}

export class SluiceError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly file: string | undefined;
  readonly object: string | undefined;
  readonly field: string | undefined;

  constructor(code: ErrorCode, message: string, options: SluiceErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SluiceError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.file = options.file;
    this.object = options.object;
    this.field = options.field;
  }
}

export function isSluiceError(err: unknown): err is SluiceError {
  return err instanceof SluiceError;
}
