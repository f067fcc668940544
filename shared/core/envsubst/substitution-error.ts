// The one error every substitution failure surfaces as; the message follows Flux's wording, and what a
// caller branches on (an unset variable in strict mode) is a typed property, not the text.
import { SluiceError } from '../errors.ts';

export class SubstitutionError extends SluiceError {
  /** Set when strict mode refused an unset variable: its name. */
  readonly unsetVariable: string | undefined;

  constructor(message: string, data: { unsetVariable?: string } = {}) {
    super('SubstitutionFailed', message);
    this.name = 'SubstitutionError';
    this.unsetVariable = data.unsetVariable;
  }
}
