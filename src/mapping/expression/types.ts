/**
 * Public types of the calculated-field expression language.
 */
import type { DateTime } from '../values.js';

/** The result of evaluating an expression: text, a JS number, a date-time, or SQL NULL. */
export type ExprValue = string | number | DateTime | null;

/** Supplies reference values (raw attribute text) to an expression evaluation. */
export interface ExprScope {
  /**
   * Resolve a reference as written in the expression, e.g. "b_salary" or "application.app_receive_date".
   * The scope does case-insensitive resolution itself; the evaluator passes the lower-cased name.
   * Returns raw text or null/undefined when absent.
   */
  get(lowerName: string): string | null | undefined;
}

/** An expression compiled once (per contract) and evaluated many times (per document/row). */
export interface CompiledExpression {
  /** The expression text exactly as given to `compileExpression`. */
  readonly source: string;
  /** Every reference name used, lower-cased, deduplicated, in order of first appearance. */
  readonly references: readonly string[];
  /** Evaluate against one scope. Never throws: runtime problems yield null. */
  evaluate(scope: ExprScope): ExprValue;
}
