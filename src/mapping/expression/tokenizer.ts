/**
 * Tokenizer for calculated-field expressions: turns the source text into a flat token list
 * (ending with an `eof` token), reporting lexical errors with exact positions.
 */
import { ExpressionSyntaxError } from './errors.js';

/** Token categories produced by {@link tokenize}. */
export type TokenKind = 'ident' | 'keyword' | 'number' | 'string' | 'op' | '(' | ')' | ',' | 'eof';

/** One lexical token. */
export interface Token {
  readonly kind: TokenKind;
  /** 0-based offset of the first character. */
  readonly pos: number;
  /**
   * ident: the name as written (may be dotted); keyword: the upper-cased word; string: the unescaped
   * content; number: the digits as written; op: the operator (`<>` is normalised to `!=`); eof: ''.
   */
  readonly value: string;
  /** Numeric value of a `number` token (0 for other kinds). */
  readonly num: number;
}

/** Words that are reserved (only when written undotted); matched case-insensitively. */
export const KEYWORDS: ReadonlySet<string> = new Set([
  'CASE', 'WHEN', 'THEN', 'ELSE', 'END', 'AND', 'OR', 'NOT', 'IS', 'NULL', 'EMPTY', 'LIKE',
]);

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isIdentStart = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isIdentPart = (c: number): boolean => isIdentStart(c) || isDigit(c);
const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;

function tok(kind: TokenKind, pos: number, value: string, num = 0): Token {
  return { kind, pos, value, num };
}

/** Split `src` into tokens. Throws {@link ExpressionSyntaxError} on a lexical error. */
export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  const n = src.length;
  const fail = (msg: string, pos: number): never => { throw new ExpressionSyntaxError(msg, pos, src); };
  let i = 0;
  while (i < n) {
    const c = src.charCodeAt(i);
    if (isSpace(c)) { i++; continue; }
    const start = i;
    if (isIdentStart(c)) {
      i++;
      while (i < n && isIdentPart(src.charCodeAt(i))) i++;
      let dotted = false;
      while (i < n && src.charCodeAt(i) === 46 /* . */) {
        if (i + 1 >= n || !isIdentStart(src.charCodeAt(i + 1))) fail("expected a name after '.'", i + 1);
        dotted = true;
        i += 2;
        while (i < n && isIdentPart(src.charCodeAt(i))) i++;
      }
      const text = src.slice(start, i);
      const upper = text.toUpperCase();
      out.push(!dotted && KEYWORDS.has(upper) ? tok('keyword', start, upper) : tok('ident', start, text));
      continue;
    }
    if (isDigit(c) || (c === 46 && i + 1 < n && isDigit(src.charCodeAt(i + 1)))) {
      while (i < n && isDigit(src.charCodeAt(i))) i++;
      if (i < n && src.charCodeAt(i) === 46) {
        i++;
        if (i >= n || !isDigit(src.charCodeAt(i))) fail("expected a digit after '.' in number", i);
        while (i < n && isDigit(src.charCodeAt(i))) i++;
      }
      if (i < n && (isIdentStart(src.charCodeAt(i)) || src.charCodeAt(i) === 46)) {
        fail(`invalid number '${src.slice(start, i + 1)}'`, start);
      }
      const text = src.slice(start, i);
      out.push(tok('number', start, text, Number(text)));
      continue;
    }
    if (c === 39 || c === 34) { // ' or "
      const quote = src[i] as string;
      let value = '';
      let seg = i + 1;
      i++;
      for (;;) {
        if (i >= n) fail('unterminated string literal', start);
        if (src.charCodeAt(i) === c) {
          if (i + 1 < n && src.charCodeAt(i + 1) === c) { // doubled quote = escaped quote
            value += src.slice(seg, i) + quote;
            i += 2;
            seg = i;
            continue;
          }
          value += src.slice(seg, i);
          i++;
          break;
        }
        i++;
      }
      out.push(tok('string', start, value));
      continue;
    }
    const next = i + 1 < n ? src[i + 1] : '';
    switch (src[i]) {
      case '(': out.push(tok('(', start, '(')); i++; continue;
      case ')': out.push(tok(')', start, ')')); i++; continue;
      case ',': out.push(tok(',', start, ',')); i++; continue;
      case '+': case '-': case '*': case '/': case '=':
        out.push(tok('op', start, src[i] as string)); i++; continue;
      case '!':
        if (next === '=') { out.push(tok('op', start, '!=')); i += 2; continue; }
        break;
      case '<':
        if (next === '=') { out.push(tok('op', start, '<=')); i += 2; continue; }
        if (next === '>') { out.push(tok('op', start, '!=')); i += 2; continue; }
        out.push(tok('op', start, '<')); i++; continue;
      case '>':
        if (next === '=') { out.push(tok('op', start, '>=')); i += 2; continue; }
        out.push(tok('op', start, '>')); i++; continue;
      default:
        break;
    }
    const cp = src.codePointAt(i) ?? c;
    fail(`unexpected character '${String.fromCodePoint(cp)}'`, start);
  }
  out.push(tok('eof', n, ''));
  return out;
}

/** Human-readable description of a token for error messages, e.g. `'THEN'`, `end of expression`. */
export function describeToken(t: Token): string {
  switch (t.kind) {
    case 'eof': return 'end of expression';
    case 'string': return 'string literal';
    case 'number': return `number ${t.value}`;
    default: return `'${t.value}'`;
  }
}
