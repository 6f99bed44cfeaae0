/**
 * Errors a solver backend raises about the model it was given (kept apart from the backends, so
 * that code which only catches them does not load a backend).
 */

/** A linear-only backend was given a quadratic term; `field` is the scenario field that makes it so. */
export class QuadraticNotSupportedError extends Error {
  constructor(
    message: string,
    readonly field = 'market',
  ) {
    super(message);
  }
}
