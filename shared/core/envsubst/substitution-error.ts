// The one error every substitution failure surfaces as; the message follows Flux's wording.
import { SluiceError } from '../errors.ts';

export class SubstitutionError extends SluiceError {
  constructor(message: string) {
    super('SubstitutionFailed', message);
    this.name = 'SubstitutionError';
  }
}
