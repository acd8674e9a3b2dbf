// What incident, silence and maintenance operations refuse with; the API maps these to
// 400, 404 and 409 with a JSON body naming the field.

/** Bad input: the body field at fault (`matchers/1/value`, `schedule/timeZone`). */
export class InputError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

export class NotFoundError extends Error {}

/** The operation does not apply in the thing's current state (ack a resolved incident). */
export class ConflictError extends Error {
  constructor(
    message: string,
    readonly code = 'conflict',
  ) {
    super(message);
  }
}
