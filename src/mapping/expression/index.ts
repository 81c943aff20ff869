/**
 * Calculated-field expression language: `compileExpression(source)` once per contract, then
 * `compiled.evaluate(scope)` per document. See parser.ts for the grammar and evaluate.ts for semantics.
 */
import { parseExpression } from './parser.js';
import { compileValue } from './evaluate.js';
import type { CompiledExpression, ExprScope, ExprValue } from './types.js';

export { ExpressionSyntaxError } from './errors.js';
export type { CompiledExpression, ExprScope, ExprValue } from './types.js';

/**
 * Compile an expression (CASE expression, arithmetic, reference, literal, DATE/DATEADD call).
 * Throws {@link ExpressionSyntaxError} (with the 0-based `position` of the offending token) when
 * the text is malformed, uses an unknown function or an unsupported DATEADD unit.
 */
export function compileExpression(source: string): CompiledExpression {
  const ast = parseExpression(source);
  const refs = new Set<string>();
  const fn = compileValue(ast, refs);
  const references: readonly string[] = Object.freeze([...refs]);
  return {
    source,
    references,
    evaluate(scope: ExprScope): ExprValue {
      try {
        return fn(scope);
      } catch {
        return null;
      }
    },
  };
}
