import { compileExpression } from '../../../../src/mapping/expression/index.js';
import type { ExprScope, ExprValue } from '../../../../src/mapping/expression/index.js';

/** A Map-backed scope with case-insensitive names (like the mapper's). `null` values are kept. */
export function scope(vars: Record<string, string | null> = {}): ExprScope & { asked: string[] } {
  const m = new Map<string, string | null>();
  for (const [k, v] of Object.entries(vars)) m.set(k.toLowerCase(), v);
  const asked: string[] = [];
  return { asked, get: (name: string) => { asked.push(name); return m.get(name.toLowerCase()); } };
}

/** Compile and evaluate in one go. */
export function ev(source: string, vars: Record<string, string | null> = {}): ExprValue {
  return compileExpression(source).evaluate(scope(vars));
}

/** Evaluate `CASE WHEN <cond> THEN 'T' ELSE 'F' END` and return whether the condition held. */
export function holds(cond: string, vars: Record<string, string | null> = {}): boolean {
  const r = ev(`CASE WHEN ${cond} THEN 'T' ELSE 'F' END`, vars);
  if (r !== 'T' && r !== 'F') throw new Error(`unexpected result ${String(r)}`);
  return r === 'T';
}
