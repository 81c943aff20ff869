/**
 * AST of calculated-field expressions. Nodes are either *values* (produce an ExprValue) or
 * *conditions* (produce SQL three-valued truth); the parser guarantees each is used in its place.
 */
import type { DateTime } from '../values.js';

/** Comparison operators (`<>` is normalised to `!=`). */
export type CompareOp = '=' | '!=' | '<' | '>' | '<=' | '>=';

/** Arithmetic operators. */
export type ArithOp = '+' | '-' | '*' | '/';

/** Numeric literal, e.g. `12` or `2.5`. */
export interface NumNode { readonly kind: 'num'; readonly pos: number; readonly value: number }
/** Quoted string literal (quotes removed, escapes resolved). */
export interface StrNode { readonly kind: 'str'; readonly pos: number; readonly value: string }
/** Reference to a field: `name` or `element.attr`; `lower` is the lower-cased lookup key. */
export interface RefNode { readonly kind: 'ref'; readonly pos: number; readonly name: string; readonly lower: string }
/** Unary minus. */
export interface NegNode { readonly kind: 'neg'; readonly pos: number; readonly operand: ValueNode }
/** Binary arithmetic. */
export interface ArithNode {
  readonly kind: 'arith'; readonly pos: number; readonly opPos: number;
  readonly op: ArithOp; readonly left: ValueNode; readonly right: ValueNode;
}
/** One `WHEN cond THEN value` branch. */
export interface WhenClause { readonly cond: CondNode; readonly value: ValueNode }
/** Searched CASE expression. */
export interface CaseNode {
  readonly kind: 'case'; readonly pos: number;
  readonly whens: readonly WhenClause[]; readonly otherwise: ValueNode | null;
}
/** `DATE(x)`; `constant` is set when x is a string literal (parsed at compile time). */
export interface DateNode {
  readonly kind: 'date'; readonly pos: number; readonly arg: ValueNode; readonly constant: DateTime | null;
}
/** `DATEADD(day, amount, date)`. */
export interface DateAddNode {
  readonly kind: 'dateadd'; readonly pos: number; readonly amount: ValueNode; readonly date: ValueNode;
}

/** Any node producing a value. */
export type ValueNode = NumNode | StrNode | RefNode | NegNode | ArithNode | CaseNode | DateNode | DateAddNode;

/** `AND` / `OR`. */
export interface LogicNode {
  readonly kind: 'and' | 'or'; readonly pos: number; readonly opPos: number;
  readonly left: CondNode; readonly right: CondNode;
}
/** Prefix `NOT`. */
export interface NotNode { readonly kind: 'not'; readonly pos: number; readonly opPos: number; readonly operand: CondNode }
/** Comparison `left op right`. */
export interface CompareNode {
  readonly kind: 'cmp'; readonly pos: number; readonly opPos: number;
  readonly op: CompareOp; readonly left: ValueNode; readonly right: ValueNode;
}
/** `x [NOT] LIKE 'pattern'`. */
export interface LikeNode {
  readonly kind: 'like'; readonly pos: number; readonly opPos: number;
  readonly negated: boolean; readonly operand: ValueNode; readonly pattern: string;
}
/** `x IS [NOT] NULL` / `x IS [NOT] EMPTY`. */
export interface IsNode {
  readonly kind: 'isnull' | 'isempty'; readonly pos: number; readonly opPos: number;
  readonly negated: boolean; readonly operand: ValueNode;
}

/** Any node producing a truth value. */
export type CondNode = LogicNode | NotNode | CompareNode | LikeNode | IsNode;

/** Any AST node. */
export type Node = ValueNode | CondNode;

/** True when `n` is a condition node (as opposed to a value node). */
export function isCond(n: Node): n is CondNode {
  switch (n.kind) {
    case 'and': case 'or': case 'not': case 'cmp': case 'like': case 'isnull': case 'isempty':
      return true;
    default:
      return false;
  }
}
