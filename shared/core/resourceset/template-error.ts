// A failure inside one ResourceSet template: what went wrong and where (line, column of the template text).
// Expansion turns it into a SluiceError naming the ResourceSet, its file and the field.

export class TemplateError extends Error {
  readonly line: number;
  readonly column: number;
  /** Set when a bound was hit (code LimitExceeded rather than BuildFailed). */
  readonly limit: boolean;

  constructor(message: string, pos: { line: number; column: number }, limit = false) {
    super(message);
    this.name = 'TemplateError';
    this.line = pos.line;
    this.column = pos.column;
    this.limit = limit;
  }
}

export interface Pos {
  line: number;
  column: number;
}
