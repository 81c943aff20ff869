/**
 * Recursive-descent parser for calculated-field expressions.
 *
 * Grammar (keywords case-insensitive; one precedence ladder for conditions and values, with a
 * type check that conditions only appear where conditions are expected and vice versa):
 *
 *   top       := value EOF
 *   or        := and ( OR and )*
 *   and       := not ( AND not )*
 *   not       := NOT not | predicate
 *   predicate := additive [ cmpop additive | [NOT] LIKE string | IS [NOT] ( NULL | EMPTY ) ]
 *   additive  := mult ( ( + | - ) mult )*
 *   mult      := unary ( ( * | / ) unary )*
 *   unary     := - unary | primary
 *   primary   := number | string | ref | ( or ) | CASE ( WHEN or THEN or )+ [ ELSE or ] END
 *              | DATE ( or ) | DATEADD ( day|dd|d , or , or )
 */
import type { CondNode, Node, ValueNode, CompareOp, ArithOp, WhenClause } from './ast.js';
import { isCond } from './ast.js';
import { ExpressionSyntaxError } from './errors.js';
import { parseExprDate } from './dates.js';
import { isBlank, parseNumber } from './text.js';
import { tokenize, describeToken } from './tokenizer.js';
import type { Token } from './tokenizer.js';

const MAX_DEPTH = 200;
const COMPARE_OPS: ReadonlySet<string> = new Set(['=', '!=', '<', '>', '<=', '>=']);
const DATEADD_UNITS: ReadonlySet<string> = new Set(['day', 'dd', 'd']);

/**
 * Return `s` as an internalized (flat, hash-cached) string: names sliced out of the source are
 * V8 "sliced strings", which make every Map lookup several times slower at evaluation time.
 */
function internalize(s: string): string {
  return Object.keys({ [s]: 0 })[0] ?? s;
}

class Parser {
  private i = 0;
  private depth = 0;
  private readonly toks: Token[];

  constructor(private readonly src: string) {
    this.toks = tokenize(src);
  }

  private peek(offset = 0): Token {
    const t = this.toks[Math.min(this.i + offset, this.toks.length - 1)];
    if (t === undefined) throw new Error('token list is empty');
    return t;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.i++;
    return t;
  }

  private fail(detail: string, pos: number): never {
    throw new ExpressionSyntaxError(detail, pos, this.src);
  }

  private isKw(kw: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'keyword' && t.value === kw;
  }

  private expectKw(kw: string, detail = `expected ${kw}`): Token {
    if (!this.isKw(kw)) this.fail(detail, this.peek().pos);
    return this.next();
  }

  private expectPunct(kind: '(' | ')' | ','): Token {
    const t = this.peek();
    if (t.kind !== kind) this.fail(`expected '${kind}'`, t.pos);
    return this.next();
  }

  private enter(pos: number): void {
    if (++this.depth > MAX_DEPTH) this.fail('expression nested too deeply', pos);
  }

  private leave(): void { this.depth--; }

  /** A value-typed node is required: conditions are rejected at their operator. */
  private asValue(n: Node): ValueNode {
    if (isCond(n)) this.fail('expected a value but found a condition', n.opPos);
    return n;
  }

  /** A condition is required: a plain value is rejected at the token following it. */
  private asCond(n: Node): CondNode {
    if (!isCond(n)) this.fail('expected a comparison operator, LIKE or IS', this.peek().pos);
    return n;
  }

  parseTop(): ValueNode {
    if (this.peek().kind === 'eof') this.fail('expected a value', 0);
    const v = this.value();
    const t = this.peek();
    if (t.kind !== 'eof') this.fail(`unexpected ${describeToken(t)}`, t.pos);
    return v;
  }

  private value(): ValueNode { return this.asValue(this.or()); }
  private condition(): CondNode { return this.asCond(this.or()); }

  private or(): Node {
    let left = this.and();
    while (this.isKw('OR')) {
      const l = this.asCond(left);
      const opPos = this.next().pos;
      const r = this.asCond(this.and());
      left = { kind: 'or', pos: l.pos, opPos, left: l, right: r };
    }
    return left;
  }

  private and(): Node {
    let left = this.not();
    while (this.isKw('AND')) {
      const l = this.asCond(left);
      const opPos = this.next().pos;
      const r = this.asCond(this.not());
      left = { kind: 'and', pos: l.pos, opPos, left: l, right: r };
    }
    return left;
  }

  private not(): Node {
    if (!this.isKw('NOT')) return this.predicate();
    const opPos = this.next().pos;
    this.enter(opPos);
    const operand = this.asCond(this.not());
    this.leave();
    return { kind: 'not', pos: opPos, opPos, operand };
  }

  private predicate(): Node {
    const left = this.additive();
    const t = this.peek();
    if (t.kind === 'op' && COMPARE_OPS.has(t.value)) {
      const l = this.asValue(left);
      this.next();
      const r = this.asValue(this.additive());
      return { kind: 'cmp', pos: l.pos, opPos: t.pos, op: t.value as CompareOp, left: l, right: r };
    }
    if (this.isKw('LIKE') || (this.isKw('NOT') && this.isKw('LIKE', 1))) {
      const operand = this.asValue(left);
      const negated = this.isKw('NOT');
      if (negated) this.next();
      this.next();
      const p = this.peek();
      if (p.kind !== 'string') this.fail('expected a quoted pattern after LIKE', p.pos);
      this.next();
      return { kind: 'like', pos: operand.pos, opPos: t.pos, negated, operand, pattern: p.value };
    }
    if (this.isKw('NOT')) this.fail('expected LIKE after NOT', this.peek(1).pos);
    if (this.isKw('IS')) {
      const operand = this.asValue(left);
      this.next();
      const negated = this.isKw('NOT');
      if (negated) this.next();
      const k = this.peek();
      if (k.kind !== 'keyword' || (k.value !== 'NULL' && k.value !== 'EMPTY')) this.fail('expected NULL or EMPTY', k.pos);
      this.next();
      const kind = k.value === 'NULL' ? 'isnull' : 'isempty';
      return { kind, pos: operand.pos, opPos: t.pos, negated, operand };
    }
    return left;
  }

  private additive(): Node {
    let left = this.mult();
    for (let t = this.peek(); t.kind === 'op' && (t.value === '+' || t.value === '-'); t = this.peek()) {
      const l = this.asValue(left);
      this.next();
      const r = this.asValue(this.mult());
      left = { kind: 'arith', pos: l.pos, opPos: t.pos, op: t.value as ArithOp, left: l, right: r };
    }
    return left;
  }

  private mult(): Node {
    let left = this.unary();
    for (let t = this.peek(); t.kind === 'op' && (t.value === '*' || t.value === '/'); t = this.peek()) {
      const l = this.asValue(left);
      this.next();
      const r = this.asValue(this.unary());
      left = { kind: 'arith', pos: l.pos, opPos: t.pos, op: t.value as ArithOp, left: l, right: r };
    }
    return left;
  }

  private unary(): Node {
    const t = this.peek();
    if (!(t.kind === 'op' && t.value === '-')) return this.primary();
    this.next();
    this.enter(t.pos);
    const operand = this.asValue(this.unary());
    this.leave();
    if (operand.kind === 'num') return { kind: 'num', pos: t.pos, value: -operand.value };
    return { kind: 'neg', pos: t.pos, operand };
  }

  private primary(): Node {
    const t = this.peek();
    switch (t.kind) {
      case 'number': this.next(); return { kind: 'num', pos: t.pos, value: t.num };
      case 'string': this.next(); return { kind: 'str', pos: t.pos, value: internalize(t.value) };
      case '(': {
        this.next();
        this.enter(t.pos);
        const inner = this.or();
        this.expectPunct(')');
        this.leave();
        return inner;
      }
      case 'keyword':
        if (t.value === 'CASE') return this.caseExpr();
        break;
      case 'ident':
        if (this.peek(1).kind === '(') return this.call();
        this.next();
        return { kind: 'ref', pos: t.pos, name: t.value, lower: internalize(t.value.toLowerCase()) };
      default:
        break;
    }
    return this.fail('expected a value', t.pos);
  }

  private caseExpr(): ValueNode {
    const start = this.next().pos;
    this.enter(start);
    const whens: WhenClause[] = [];
    this.expectKw('WHEN');
    for (;;) {
      const cond = this.condition();
      this.expectKw('THEN');
      whens.push({ cond, value: this.value() });
      if (!this.isKw('WHEN')) break;
      this.next();
    }
    let otherwise: ValueNode | null = null;
    if (this.isKw('ELSE')) {
      this.next();
      otherwise = this.value();
      this.expectKw('END');
    } else {
      this.expectKw('END', 'expected WHEN, ELSE or END');
    }
    this.leave();
    return { kind: 'case', pos: start, whens, otherwise };
  }

  private call(): ValueNode {
    const nameTok = this.next();
    const name = nameTok.value.toUpperCase();
    if (name !== 'DATE' && name !== 'DATEADD') this.fail(`unknown function '${nameTok.value}'`, nameTok.pos);
    this.next(); // (
    this.enter(nameTok.pos);
    let node: ValueNode;
    if (name === 'DATE') {
      const arg = this.value();
      if (arg.kind === 'num') this.fail('DATE expects a date string or a reference', arg.pos);
      let constant = null;
      if (arg.kind === 'str') {
        constant = parseExprDate(arg.value);
        if (constant === null) this.fail(`invalid date literal '${arg.value}'`, arg.pos);
      }
      node = { kind: 'date', pos: nameTok.pos, arg, constant };
    } else {
      const unit = this.peek();
      if (unit.kind !== 'ident' || !DATEADD_UNITS.has(unit.value.toLowerCase())) {
        this.fail(`unsupported DATEADD unit ${describeToken(unit)} (only day is supported)`, unit.pos);
      }
      this.next();
      this.expectPunct(',');
      const amount = this.value();
      if (amount.kind === 'str' && !isBlank(amount.value) && Number.isNaN(parseNumber(amount.value))) {
        this.fail(`invalid DATEADD amount '${amount.value}'`, amount.pos);
      }
      this.expectPunct(',');
      const date = this.value();
      if (date.kind === 'num') this.fail('DATEADD expects a date', date.pos);
      if (date.kind === 'str' && parseExprDate(date.value) === null) {
        this.fail(`invalid date literal '${date.value}'`, date.pos);
      }
      node = { kind: 'dateadd', pos: nameTok.pos, amount, date };
    }
    this.expectPunct(')');
    this.leave();
    return node;
  }
}

/** Parse an expression into its AST. Throws {@link ExpressionSyntaxError} with the exact position. */
export function parseExpression(src: string): ValueNode {
  return new Parser(src).parseTop();
}
