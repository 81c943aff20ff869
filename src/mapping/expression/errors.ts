/**
 * Syntax errors raised while compiling a calculated-field expression.
 */

/**
 * A calculated-field expression could not be compiled. `position` is the 0-based character offset
 * of the offending token in `expression` (the source length for "unexpected end" problems); the
 * message always ends with `at position N`.
 */
export class ExpressionSyntaxError extends Error {
  /** 0-based character offset of the offending token. */
  readonly position: number;
  /** The full expression text that failed to compile. */
  readonly expression: string;
  /** The problem without the position suffix, e.g. `expected THEN`. */
  readonly detail: string;

  constructor(detail: string, position: number, expression: string) {
    super(`${detail} at position ${position}`);
    this.name = 'ExpressionSyntaxError';
    this.detail = detail;
    this.position = position;
    this.expression = expression;
  }
}
