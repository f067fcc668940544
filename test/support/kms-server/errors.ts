// The KmsError exception every operation throws to fail a request: an AWS JSON 1.1 error type (`__type`)
// and message, sent as HTTP 400 like the real service's client errors.

export class KmsError extends Error {
  readonly type: string;
  readonly status: number;

  constructor(type: string, message: string, status = 400) {
    super(message);
    this.name = type;
    this.type = type;
    this.status = status;
  }
}

export const validation = (message: string): KmsError => new KmsError('ValidationException', message);

/** Real KMS's wording for a missing required member: `Value null at 'keyId' failed to satisfy ...`. */
export const missing = (member: string): KmsError =>
  validation(
    `1 validation error detected: Value null at '${member[0]?.toLowerCase()}${member.slice(1)}' failed to satisfy constraint: Member must not be null`,
  );
