// Who did it: the `by` of an ack, resolve, assignment, comment or silence. With more than one
// operator configured it must be given (the API names the field); with one, that name is the
// default; with none, the default is "operator".
import { InputError } from './incident-errors.js';

export const DEFAULT_OPERATOR = 'operator';

export class Operators {
  constructor(readonly names: readonly string[]) {}

  /** The name to record for an action that said `by` (or not). */
  resolve(by: string | undefined): string {
    if (by) return by;
    if (this.names.length > 1)
      throw new InputError(
        `by: required, since several operators are configured (${this.names.join(', ')})`,
        'by',
      );
    return this.names[0] ?? DEFAULT_OPERATOR;
  }
}
