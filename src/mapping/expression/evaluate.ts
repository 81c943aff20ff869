/**
 * Compiles an expression AST into a tree of closures (done once per contract), so evaluation is
 * plain function calls: no re-parsing, no regexes, pattern matchers and literal conversions
 * prepared up front. Conditions use SQL three-valued logic (TRUE / FALSE / UNKNOWN).
 */
import { DateTime } from '../values.js';
import type { CondNode, ValueNode, CompareOp } from './ast.js';
import type { ExprScope, ExprValue } from './types.js';
import { addDays, compareDateTimes, parseExprDate } from './dates.js';
import { compareText, isBlank, parseNumber } from './text.js';
import { compileLike } from './like.js';

/** A compiled value-producing node. */
export type ValueFn = (scope: ExprScope) => ExprValue;
/** A compiled numeric node: NaN stands for NULL. */
type NumFn = (scope: ExprScope) => number;
/** 0 = FALSE, 1 = TRUE, 2 = UNKNOWN. */
type Tri = 0 | 1 | 2;
type CondFn = (scope: ExprScope) => Tri;

const FALSE = 0;
const TRUE = 1;
const UNKNOWN = 2;
/** Returned by comparators when the comparison is unknown (NULL operand, incompatible types). */
const INCOMPARABLE = 2;

/** Outcome of `<`, `=`, `>` orderings for each operator. */
const OP_TABLE: Record<CompareOp, readonly [Tri, Tri, Tri]> = {
  '<': [TRUE, FALSE, FALSE], '<=': [TRUE, TRUE, FALSE], '=': [FALSE, TRUE, FALSE],
  '!=': [TRUE, FALSE, TRUE], '>': [FALSE, FALSE, TRUE], '>=': [FALSE, TRUE, TRUE],
};

function toNum(v: ExprValue): number {
  return typeof v === 'number' ? v : typeof v === 'string' ? parseNumber(v) : NaN;
}

// One-entry memo: a CASE typically parses the same reference text many times per evaluation.
// Safe because DateTime values are immutable.
let lastDateText = '';
let lastDate: DateTime | null = null;

function toDate(v: ExprValue): DateTime | null {
  if (v instanceof DateTime) return v;
  if (typeof v !== 'string') return null;
  if (v !== lastDateText) {
    lastDate = parseExprDate(v);
    lastDateText = v;
  }
  return lastDate;
}

const cmpNum = (a: number, b: number): number => (a < b ? -1 : a > b ? 1 : 0);

/** Compare two runtime values: -1/0/1, or INCOMPARABLE. */
function compareValues(a: ExprValue, b: ExprValue): number {
  if (a === null || b === null) return INCOMPARABLE;
  if (a instanceof DateTime || b instanceof DateTime) {
    const da = toDate(a);
    const db = toDate(b);
    return da === null || db === null ? INCOMPARABLE : compareDateTimes(da, db);
  }
  const na = typeof a === 'number' ? a : parseNumber(a);
  if (na === na) {
    const nb = typeof b === 'number' ? b : parseNumber(b);
    if (nb === nb) return cmpNum(na, nb);
  }
  if (typeof a === 'number' || typeof b === 'number') return INCOMPARABLE;
  return compareText(a, b);
}

/** Comparator specialised for a string literal on the right (its conversions are precomputed). */
function literalComparator(lit: string): (a: ExprValue) => number {
  const litNum = parseNumber(lit);
  const litDate = parseExprDate(lit);
  return (a) => {
    if (a === null) return INCOMPARABLE;
    if (a instanceof DateTime) return litDate === null ? INCOMPARABLE : compareDateTimes(a, litDate);
    if (typeof a === 'number') return litNum === litNum ? cmpNum(a, litNum) : INCOMPARABLE;
    if (litNum === litNum) {
      const na = parseNumber(a);
      if (na === na) return cmpNum(na, litNum);
    }
    return compareText(a, lit);
  };
}

/** Compile a value node, recording every reference (lower-cased) into `refs`. */
export function compileValue(n: ValueNode, refs: Set<string>): ValueFn {
  switch (n.kind) {
    case 'num': case 'str': { const c = n.value; return () => c; }
    case 'ref': {
      const name = n.lower;
      refs.add(name);
      return (s) => { const v = s.get(name); return v === undefined ? null : v; };
    }
    case 'arith': case 'neg': {
      const f = compileNum(n, refs);
      return (s) => { const x = f(s); return Number.isFinite(x) ? x : null; };
    }
    case 'case': return compileCase(n, refs);
    case 'date': {
      const c = n.constant;
      if (c !== null) return () => c;
      const f = compileValue(n.arg, refs);
      return (s) => toDate(f(s));
    }
    case 'dateadd': {
      const amount = compileValue(n.amount, refs);
      const lit = n.date.kind === 'str' ? parseExprDate(n.date.value) : null;
      const date = lit !== null ? () => lit : compileValue(n.date, refs);
      return (s) => {
        const d = toDate(date(s));
        if (d === null) return null;
        const a = amount(s);
        const days = a === null || (typeof a === 'string' && isBlank(a)) ? 0 : toNum(a);
        return Number.isFinite(days) ? addDays(d, Math.trunc(days)) : null;
      };
    }
  }
}

/** Compile a node for arithmetic: NaN = NULL (missing, blank, non-numeric, division by zero). */
function compileNum(n: ValueNode, refs: Set<string>): NumFn {
  if (n.kind === 'num') { const c = n.value; return () => c; }
  if (n.kind === 'str') { const c = parseNumber(n.value); return () => c; }
  if (n.kind === 'neg') { const f = compileNum(n.operand, refs); return (s) => -f(s); }
  if (n.kind !== 'arith') { const f = compileValue(n, refs); return (s) => toNum(f(s)); }
  const l = compileNum(n.left, refs);
  const r = compileNum(n.right, refs);
  switch (n.op) {
    case '+': return (s) => l(s) + r(s);
    case '-': return (s) => l(s) - r(s);
    case '*': return (s) => l(s) * r(s);
    case '/': return (s) => { const a = l(s); const b = r(s); return b === 0 ? NaN : a / b; };
  }
}

function compileCase(n: Extract<ValueNode, { kind: 'case' }>, refs: Set<string>): ValueFn {
  const whens = n.whens.map((w) => ({ cond: compileCond(w.cond, refs), value: compileValue(w.value, refs) }));
  const otherwise = n.otherwise === null ? null : compileValue(n.otherwise, refs);
  return (s) => {
    for (const w of whens) {
      let hit = false;
      try { hit = w.cond(s) === TRUE; } catch { hit = false; } // a failing WHEN is simply false
      if (hit) return w.value(s);
    }
    return otherwise === null ? null : otherwise(s);
  };
}

function likeText(v: string | number | DateTime): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : v.iso;
}

/** Compile a condition node, recording references into `refs`. */
export function compileCond(n: CondNode, refs: Set<string>): CondFn {
  switch (n.kind) {
    case 'and': {
      const l = compileCond(n.left, refs);
      const r = compileCond(n.right, refs);
      return (s) => {
        const a = l(s);
        if (a === FALSE) return FALSE;
        const b = r(s);
        return b === FALSE ? FALSE : a === TRUE && b === TRUE ? TRUE : UNKNOWN;
      };
    }
    case 'or': {
      const l = compileCond(n.left, refs);
      const r = compileCond(n.right, refs);
      return (s) => {
        const a = l(s);
        if (a === TRUE) return TRUE;
        const b = r(s);
        return b === TRUE ? TRUE : a === UNKNOWN || b === UNKNOWN ? UNKNOWN : FALSE;
      };
    }
    case 'not': {
      const f = compileCond(n.operand, refs);
      return (s) => { const a = f(s); return a === UNKNOWN ? UNKNOWN : a === TRUE ? FALSE : TRUE; };
    }
    case 'cmp': {
      const [lt, eq, gt] = OP_TABLE[n.op];
      const l = compileValue(n.left, refs);
      if (n.right.kind === 'str') {
        const cmp = literalComparator(n.right.value);
        return (s) => { const c = cmp(l(s)); return c === INCOMPARABLE ? UNKNOWN : c < 0 ? lt : c === 0 ? eq : gt; };
      }
      const r = compileValue(n.right, refs);
      return (s) => {
        const c = compareValues(l(s), r(s));
        return c === INCOMPARABLE ? UNKNOWN : c < 0 ? lt : c === 0 ? eq : gt;
      };
    }
    case 'like': {
      const f = compileValue(n.operand, refs);
      const match = compileLike(n.pattern);
      const onMatch: Tri = n.negated ? FALSE : TRUE;
      const onMiss: Tri = n.negated ? TRUE : FALSE;
      return (s) => { const v = f(s); return v === null ? UNKNOWN : match(likeText(v)) ? onMatch : onMiss; };
    }
    case 'isnull': {
      const f = compileValue(n.operand, refs);
      const yes: Tri = n.negated ? FALSE : TRUE;
      const no: Tri = n.negated ? TRUE : FALSE;
      return (s) => { const v = f(s); return v === null || v === '' ? yes : no; };
    }
    case 'isempty': {
      const f = compileValue(n.operand, refs);
      const yes: Tri = n.negated ? FALSE : TRUE;
      const no: Tri = n.negated ? TRUE : FALSE;
      return (s) => { const v = f(s); return v === null || (typeof v === 'string' && isBlank(v)) ? yes : no; };
    }
  }
}
