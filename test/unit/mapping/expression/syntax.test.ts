import { describe, expect, it } from 'vitest';
import { compileExpression, ExpressionSyntaxError } from '../../../../src/mapping/expression/index.js';

function syntaxError(src: string): ExpressionSyntaxError {
  try {
    compileExpression(src);
  } catch (e) {
    if (e instanceof ExpressionSyntaxError) return e;
    throw new Error(`expected ExpressionSyntaxError, got ${String(e)}`);
  }
  throw new Error(`expected a syntax error for: ${src}`);
}

describe('syntax errors carry exact positions and clear messages', () => {
  const cases: [string, number, string][] = [
    ['CASE WHEN a = 1 2 END', 16, 'expected THEN'],
    ['CASE WHEN a = 1 THEN 2', 22, 'expected WHEN, ELSE or END'],
    ['CASE WHEN a = 1 THEN 2 ELSE 3', 29, 'expected END'],
    ['CASE WHEN a = 1 THEN 2 ELSE 3 WHEN b = 1 THEN 4 END', 30, 'expected END'],
    ['CASE a WHEN a = 1 THEN 2 END', 5, 'expected WHEN'],
    ['CASE END', 5, 'expected WHEN'],
    ['a #', 2, "unexpected character '#'"],
    ['a ! b', 2, "unexpected character '!'"],
    ["CASE WHEN a = 'abc THEN 1 END", 14, 'unterminated string literal'],
    ['"x', 0, 'unterminated string literal'],
    ["'it''s", 0, 'unterminated string literal'],
    ['foo(1)', 0, "unknown function 'foo'"],
    ['CASE WHEN a > 0 THEN NOW() END', 21, "unknown function 'NOW'"],
    ['CASE WHEN x.len(a) > 1 THEN 1 END', 10, "unknown function 'x.len'"],
    ['CASE WHEN a THEN 1 END', 12, 'expected a comparison operator, LIKE or IS'],
    ['CASE WHEN a = 1 AND b THEN 1 END', 22, 'expected a comparison operator, LIKE or IS'],
    ['CASE WHEN a OR b = 1 THEN 1 END', 12, 'expected a comparison operator, LIKE or IS'],
    ['a = 1', 2, 'expected a value but found a condition'],
    ['CASE WHEN a = 1 THEN b = 2 END', 23, 'expected a value but found a condition'],
    ['(a = 1) + 2', 3, 'expected a value but found a condition'],
    ['NOT a = 1', 0, 'expected a value but found a condition'],
    ['DATEADD(month, 1, a)', 8, "unsupported DATEADD unit 'month'"],
    ["DATEADD('day', 1, a)", 8, 'unsupported DATEADD unit'],
    ['DATEADD(day 1, a)', 12, "expected ','"],
    ["DATEADD(day, 'abc', a)", 13, "invalid DATEADD amount 'abc'"],
    ['DATEADD(day, 1, 5)', 16, 'DATEADD expects a date'],
    ["DATE('2023-13-01')", 5, "invalid date literal '2023-13-01'"],
    ["DATE('soon')", 5, "invalid date literal 'soon'"],
    ['DATE(5)', 5, 'DATE expects a date string or a reference'],
    ["DATE('2023-01-01', 1)", 17, "expected ')'"],
    ['(a + 1', 6, "expected ')'"],
    ['', 0, 'expected a value'],
    ['   ', 0, 'expected a value'],
    ['a + * b', 4, 'expected a value'],
    ['CASE WHEN THEN 1 END', 10, 'expected a value'],
    ['a b', 2, "unexpected 'b'"],
    ['a )', 2, "unexpected ')'"],
    ['CASE WHEN a LIKE b THEN 1 END', 17, 'expected a quoted pattern after LIKE'],
    ['CASE WHEN a IS BLANK THEN 1 END', 15, 'expected NULL or EMPTY'],
    ['CASE WHEN a IS NOT 1 THEN 1 END', 19, 'expected NULL or EMPTY'],
    ['CASE WHEN a NOT = 1 THEN 1 END', 16, 'expected LIKE after NOT'],
    ['a.', 2, "expected a name after '.'"],
    ['a.1b', 2, "expected a name after '.'"],
    ['12abc', 0, "invalid number '12a'"],
    ['1.', 2, "expected a digit after '.' in number"],
    ['1.2.3', 0, 'invalid number'],
    ['CASE WHEN a == 1 THEN 1 END', 13, 'expected a value'],
  ];
  it.each(cases)('%j → position %i', (src, position, message) => {
    const e = syntaxError(src);
    expect(e.position).toBe(position);
    expect(e.message).toContain(message);
    expect(e.message.endsWith(`at position ${position}`)).toBe(true);
    expect(e.expression).toBe(src);
    expect(e.name).toBe('ExpressionSyntaxError');
    expect(e).toBeInstanceOf(Error);
  });

  it('uses the exact message shape "<detail> at position N"', () => {
    expect(() => compileExpression('CASE WHEN a = 1 2 END')).toThrow('expected THEN at position 16');
    expect(() => compileExpression("x + 'abc")).toThrow('unterminated string literal at position 4');
    expect(() => compileExpression('a + #')).toThrow("unexpected character '#' at position 4");
    expect(syntaxError('CASE WHEN a = 1 2 END').detail).toBe('expected THEN');
  });

  it('rejects pathological nesting with a syntax error instead of a stack overflow', () => {
    const deep = '('.repeat(5000) + 'a' + ')'.repeat(5000);
    expect(syntaxError(deep).message).toContain('nested too deeply');
    expect(syntaxError('NOT '.repeat(5000) + 'a = 1').message).toContain('nested too deeply');
    expect(syntaxError('-'.repeat(5000) + '1').message).toContain('nested too deeply');
  });

  it('accepts moderate nesting', () => {
    const src = '('.repeat(50) + 'a' + ')'.repeat(50) + ' + 1';
    expect(compileExpression(src).evaluate({ get: () => '1' })).toBe(2);
  });
});

describe('lexical forms that are accepted', () => {
  it('keywords and function names are case-insensitive', () => {
    const e = compileExpression("case When a = 1 tHeN Date('2020-01-01') eLsE dateadd(DAY, 1, '2020-01-01') END");
    expect(e.references).toEqual(['a']);
  });

  it('accepts operators without surrounding spaces and <> as !=', () => {
    expect(() => compileExpression("CASE WHEN a<>1 AND b<=2 AND c>=3 AND d!=4 AND e<5 AND f>6 AND g=7 THEN 1 END")).not.toThrow();
  });

  it('accepts multi-level dotted names, digits and underscores', () => {
    expect(compileExpression('IL_app.sub_2.attr9 + _x').references).toEqual(['il_app.sub_2.attr9', '_x']);
  });

  it('accepts tabs and newlines as whitespace', () => {
    expect(compileExpression('CASE\n\tWHEN a = 1\r\n\tTHEN 2\nEND').evaluate({ get: () => '1' })).toBe(2);
  });

  it('accepts .5 as a number', () => {
    expect(compileExpression('.5 + 1').evaluate({ get: () => null })).toBe(1.5);
  });
});

describe('references', () => {
  it('lists every reference once, lower-cased, in order of first appearance', () => {
    const e = compileExpression(
      "CASE WHEN App.X IS NOT EMPTY AND app.x > DATE(Other.D) AND y LIKE 'a%' AND z IS NULL THEN w + (APP.X * 2) " +
      'WHEN DATEADD(day, n, d2) > DATE(\'2020-01-01\') THEN v ELSE -u END',
    );
    expect(e.references).toEqual(['app.x', 'other.d', 'y', 'z', 'w', 'n', 'd2', 'v', 'u']);
  });

  it('does not list keywords, function names, the DATEADD unit or literals', () => {
    const e = compileExpression("CASE WHEN a = 'b' THEN DATEADD(day, 3, DATE('2020-01-01')) ELSE 12 END");
    expect(e.references).toEqual(['a']);
  });

  it('is empty for literal-only expressions and the source is preserved', () => {
    const src = "  'x'  ";
    const e = compileExpression(src);
    expect(e.references).toEqual([]);
    expect(e.source).toBe(src);
  });

  it('passes the lower-cased name to the scope', () => {
    const seen: string[] = [];
    compileExpression('CASE WHEN Application.App_Receive_Date IS EMPTY THEN B_Salary END')
      .evaluate({ get: (n) => { seen.push(n); return ''; } });
    expect(seen).toEqual(['application.app_receive_date', 'b_salary']);
  });

  it('treats DATE without parentheses as an ordinary reference', () => {
    expect(compileExpression('date + 1').references).toEqual(['date']);
  });
});
