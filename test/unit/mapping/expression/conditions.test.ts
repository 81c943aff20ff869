import { describe, expect, it } from 'vitest';
import { compileExpression } from '../../../../src/mapping/expression/index.js';
import { ev, holds, scope } from './helpers.js';

describe('CASE', () => {
  it('returns the first matching WHEN', () => {
    const src = "CASE WHEN a = 1 THEN 'one' WHEN a > 0 THEN 'positive' WHEN a = 1 THEN 'never' ELSE 'other' END";
    expect(ev(src, { a: '1' })).toBe('one');
    expect(ev(src, { a: '7' })).toBe('positive');
    expect(ev(src, { a: '-7' })).toBe('other');
  });

  it('yields null when nothing matches and there is no ELSE', () => {
    expect(ev("CASE WHEN a = 1 THEN 'one' END", { a: '2' })).toBeNull();
    expect(ev("CASE WHEN a = 1 THEN 'one' END")).toBeNull();
  });

  it('supports nested CASE as a value, inside parentheses and inside arithmetic', () => {
    const nested = "CASE WHEN a = 1 THEN CASE WHEN b = 1 THEN 'x' ELSE 'y' END ELSE (CASE WHEN b = 1 THEN 'z' END) END";
    expect(ev(nested, { a: '1', b: '1' })).toBe('x');
    expect(ev(nested, { a: '1', b: '2' })).toBe('y');
    expect(ev(nested, { a: '2', b: '1' })).toBe('z');
    expect(ev(nested, { a: '2', b: '2' })).toBeNull();
    expect(ev('(CASE WHEN a = 1 THEN 10 ELSE 20 END) + 1', { a: '1' })).toBe(11);
    expect(ev('CASE WHEN a = 1 THEN 10 ELSE 20 END * 2', { a: '0' })).toBe(40);
    expect(holds("CASE WHEN a = 1 THEN 'p' ELSE 'q' END = 'Q'", { a: '5' })).toBe(true);
  });

  it('THEN/ELSE value kinds: quoted → string, numeric literal → number, ref → raw text', () => {
    expect(ev("CASE WHEN a = 1 THEN '420' END", { a: '1' })).toBe('420');
    expect(ev('CASE WHEN a = 1 THEN 420 END', { a: '1' })).toBe(420);
    expect(ev('CASE WHEN a = 1 THEN 2.5 ELSE -3 END', { a: '1' })).toBe(2.5);
    expect(ev('CASE WHEN a = 1 THEN 2.5 ELSE -3 END', { a: '0' })).toBe(-3);
    expect(ev('CASE WHEN a = 1 THEN b END', { a: '1', b: '  007 ' })).toBe('  007 ');
    expect(ev('CASE WHEN a = 1 THEN b END', { a: '1' })).toBeNull();
    expect(ev("CASE WHEN a = 1 THEN 'it''s' END", { a: '1' })).toBe("it's");
    expect(ev('CASE WHEN a = 1 THEN "say ""hi""" END', { a: '1' })).toBe('say "hi"');
  });

  it('allows a top-level reference, literal or arithmetic', () => {
    expect(ev('b_salary', { b_salary: '1,000' })).toBe('1,000');
    expect(ev('b_salary')).toBeNull();
    expect(ev("'x'")).toBe('x');
    expect(ev('42')).toBe(42);
    expect(ev('b_months_at_job + (b_years_at_job * 12)', { b_months_at_job: '4', b_years_at_job: '3' })).toBe(40);
  });

  it('a WHEN whose evaluation fails is false and later WHENs are still tried; evaluate never throws', () => {
    const throwing = {
      get(name: string): string | null {
        if (name === 'bad') throw new Error('boom');
        return '1';
      },
    };
    expect(compileExpression("CASE WHEN bad = 1 THEN 'a' WHEN good = 1 THEN 'b' END").evaluate(throwing)).toBe('b');
    expect(compileExpression('bad + 1').evaluate(throwing)).toBeNull();
    expect(compileExpression("CASE WHEN good = 1 THEN bad END").evaluate(throwing)).toBeNull();
  });
});

describe('logical operators and precedence', () => {
  it('AND binds tighter than OR', () => {
    expect(holds('a = 1 OR b = 1 AND c = 1', { a: '1', b: '0', c: '0' })).toBe(true);
    expect(holds('(a = 1 OR b = 1) AND c = 1', { a: '1', b: '0', c: '0' })).toBe(false);
    expect(holds('b = 1 AND c = 1 OR a = 1', { a: '1', b: '0', c: '0' })).toBe(true);
    expect(holds('b = 1 AND (c = 1 OR a = 1)', { a: '1', b: '0', c: '0' })).toBe(false);
  });

  it('NOT binds tighter than AND but looser than comparisons', () => {
    expect(holds('NOT a = 1 AND b = 1', { a: '2', b: '1' })).toBe(true);
    expect(holds('NOT a = 1 AND b = 1', { a: '1', b: '1' })).toBe(false);
    expect(holds('NOT (a = 1 AND b = 1)', { a: '1', b: '2' })).toBe(true);
    expect(holds('NOT NOT a = 1', { a: '1' })).toBe(true);
    expect(holds('NOT a = 1 OR b = 1', { a: '1', b: '1' })).toBe(true);
  });

  it('mixed AND/OR with literal case preserved (B6 fix)', () => {
    const cond = "a = 'x' AND b = 'y' OR c = 'z'";
    expect(holds(cond, { a: 'x', b: 'y', c: '' })).toBe(true);
    expect(holds(cond, { a: 'x', b: 'n', c: 'z' })).toBe(true);
    expect(holds(cond, { a: 'x', b: 'n', c: 'n' })).toBe(false);
  });

  it('parenthesised conditions nest arbitrarily', () => {
    const cond = '((a > 0 OR b > 0) AND (c = 1 OR (d = 1 AND NOT e = 1)))';
    expect(holds(cond, { a: '1', b: '0', c: '0', d: '1', e: '0' })).toBe(true);
    expect(holds(cond, { a: '1', b: '0', c: '0', d: '1', e: '1' })).toBe(false);
    expect(holds(cond, { a: '0', b: '0', c: '1', d: '1', e: '0' })).toBe(false);
  });

  it('uses three-valued logic: comparisons with NULL are unknown, NOT unknown is unknown (false)', () => {
    expect(holds('x = 1')).toBe(false);
    expect(holds('x != 1')).toBe(false);
    expect(holds('NOT x = 1')).toBe(false);
    expect(holds('NOT x = 1', { x: '2' })).toBe(true);
    expect(holds('x = 1 OR y = 1', { y: '1' })).toBe(true);
    expect(holds('NOT (x = 1 OR y = 2)', { y: '3' })).toBe(false);
    expect(holds('NOT (x = 1 AND y = 2)', { y: '3' })).toBe(true); // unknown AND false = false
    expect(holds('NOT (x = 1 AND y = 2)', { y: '2' })).toBe(false); // unknown AND true = unknown
    expect(holds('x = y')).toBe(false);
  });
});

describe('comparisons', () => {
  it('numeric literals are numbers, not field names (B6 fix)', () => {
    expect(holds('x > 0', { x: '0' })).toBe(false);
    expect(holds('x > 0', { x: '5' })).toBe(true);
    expect(holds('x > 0', { x: '-5' })).toBe(false);
    expect(holds('x = 1', { x: '1' })).toBe(true);
    expect(holds('x = 1', { x: '1.0' })).toBe(true);
    expect(holds('x >= 2.5', { x: '2.50' })).toBe(true);
    expect(holds('x < -1', { x: '-2' })).toBe(true);
    expect(holds('x > 0', { x: ' 5 ' })).toBe(true);
  });

  it('compares numeric-looking strings numerically (thousands separators allowed)', () => {
    expect(holds("x > '9'", { x: '10' })).toBe(true);
    expect(holds('x > y', { x: '10', y: '9' })).toBe(true);
    expect(holds('x = 1000', { x: '1,000' })).toBe(true);
    expect(holds("x = '1000.00'", { x: '1,000' })).toBe(true);
    expect(holds("x = '1610'", { x: '01610' })).toBe(true);
    expect(holds('x < 0', { x: '-1,234.5' })).toBe(true);
  });

  it('a number against a non-numeric or blank string is unknown (false either way)', () => {
    for (const x of ['', '   ', 'abc', '1,2', '1e3', '12abc']) {
      expect(holds('x > 0', { x })).toBe(false);
      expect(holds('x < 0', { x })).toBe(false);
      expect(holds('x = 0', { x })).toBe(false);
      expect(holds('x != 0', { x })).toBe(false);
    }
  });

  it('compares strings case-insensitively, ignoring trailing spaces', () => {
    expect(holds("x = 'CM'", { x: 'cm' })).toBe(true);
    expect(holds("x = 'CM'", { x: 'CM  ' })).toBe(true);
    expect(holds("x = 'CM '", { x: 'CM' })).toBe(true);
    expect(holds("x = 'CM'", { x: ' CM' })).toBe(false);
    expect(holds("x = 'CM'", { x: 'CMX' })).toBe(false);
    expect(holds("x != 'CM'", { x: 'CMX' })).toBe(true);
    expect(holds("x <> 'CM'", { x: 'cm' })).toBe(false);
    expect(holds('x = y', { x: 'abc', y: 'ABC' })).toBe(true);
    expect(holds("x = ''", { x: '' })).toBe(true);
    expect(holds("x = ''", { x: '  ' })).toBe(true);
    expect(holds("x = ''", { x: 'a' })).toBe(false);
  });

  it('orders strings case-insensitively', () => {
    expect(holds("x < 'Banana'", { x: 'apple' })).toBe(true);
    expect(holds("x > 'apple'", { x: 'Banana' })).toBe(true);
    expect(holds("x < 'abc'", { x: 'ab' })).toBe(true);
    expect(holds("x <= 'ABC'", { x: 'abc' })).toBe(true);
    expect(holds("x >= 'abd'", { x: 'ABC' })).toBe(false);
    expect(holds("x = 'ÉCOLE'", { x: 'école' })).toBe(true);
  });

  it('compares chronologically when either side is a date', () => {
    const after = "x > DATE('2023-10-11 00:00:00')";
    expect(holds(after, { x: '2025-10-09 21:51:08.027' })).toBe(true);
    expect(holds(after, { x: '2025-10-9 21:51:8.0' })).toBe(true);
    expect(holds(after, { x: '2023-10-11 00:00:00' })).toBe(false);
    expect(holds(after, { x: '2023-10-11 00:00:00.001' })).toBe(true);
    expect(holds(after, { x: '2023-10-10 23:59:59.999' })).toBe(false);
    expect(holds(after, { x: '2023-10-12' })).toBe(true);
    expect(holds(after, { x: '2023-10-11T00:00:01' })).toBe(true);
    expect(holds(after, { x: '10/12/2023' })).toBe(true);
    expect(holds(after, { x: '05/10/1978' })).toBe(false);
    expect(holds(after, { x: '2100-01-01' })).toBe(true); // lexicographic text order would agree; '9/1/2023' would not:
    expect(holds(after, { x: '9/1/2023' })).toBe(false);
    expect(holds("x >= DATE('2023-10-11')", { x: '2023-10-11 00:00:00' })).toBe(true);
    expect(holds("x = DATE('2023-10-11')", { x: '10/11/2023' })).toBe(true);
    expect(holds("DATE('2023-10-11') < x", { x: '2024-01-01' })).toBe(true);
    expect(holds("DATE(x) > '2023-10-11'", { x: '2024-01-01' })).toBe(true);
    expect(holds('DATE(x) < DATE(y)', { x: '1/2/2024', y: '2024-01-03' })).toBe(true);
  });

  it('a date comparison with a missing or unparseable side is unknown', () => {
    const after = "x > DATE('2023-10-11')";
    for (const vars of [{}, { x: '' }, { x: 'not a date' }, { x: '2023-02-30' }, { x: '10/11/23' }]) {
      expect(holds(after, vars)).toBe(false);
      expect(holds(`NOT ${after}`, vars)).toBe(false);
      expect(holds("x <= DATE('2023-10-11')", vars)).toBe(false);
    }
    expect(holds("DATE('2023-10-11') = 5")).toBe(false);
    expect(holds("NOT DATE('2023-10-11') = 5")).toBe(false);
  });

  it('honours UTC offsets only when both sides carry one', () => {
    expect(holds("DATE('2023-10-11T10:00:00+02:00') = DATE('2023-10-11T08:00:00Z')")).toBe(true);
    expect(holds("DATE('2023-10-11T10:00:00+02:00') = DATE('2023-10-11T10:00:00')")).toBe(true);
    expect(holds("DATE('2023-10-11T00:30:00+02:00') < DATE('2023-10-10T23:00:00Z')")).toBe(true);
  });

  it('the scope is consulted again for every evaluation (no stale caching across documents)', () => {
    const e = compileExpression("CASE WHEN x > DATE('2023-10-11') THEN 'after' WHEN x <= DATE('2023-10-11') THEN 'before' END");
    const xs = ['2024-01-01', 'garbage', '2020-01-01', '2024-01-01', '2024-01-01', ''];
    expect(xs.map((x) => e.evaluate(scope({ x })))).toEqual(['after', null, 'before', 'after', 'after', null]);
  });
});

describe('LIKE', () => {
  const like = (x: string | null, pattern: string, not = false): boolean =>
    holds(`x ${not ? 'NOT ' : ''}LIKE '${pattern.replaceAll("'", "''")}'`, x === null ? {} : { x });

  it('% matches any run, _ exactly one character, anchored at both ends', () => {
    expect(like('Boatmate Trailer', '%BOATMATE%')).toBe(true);
    expect(like('2019 BOATMATE', '%BOATMATE%')).toBe(true);
    expect(like('BOAT MATE', '%BOATMATE%')).toBe(false);
    expect(like('TU5', 'TU%')).toBe(true);
    expect(like('TU', 'TU%')).toBe(true);
    expect(like('XTU', 'TU%')).toBe(false);
    expect(like('V4X', 'V4_%')).toBe(true);
    expect(like('V4', 'V4_%')).toBe(false);
    expect(like('abc', 'a_c')).toBe(true);
    expect(like('abbc', 'a_c')).toBe(false);
    expect(like('abc', '%c')).toBe(true);
    expect(like('abcd', '%c')).toBe(false);
    expect(like('abc', 'abc')).toBe(true);
    expect(like('abcd', 'abc')).toBe(false);
    expect(like('', '')).toBe(true);
    expect(like('a', '')).toBe(false);
    expect(like('', '%')).toBe(true);
    expect(like('', '_')).toBe(false);
    expect(like('anything', '%')).toBe(true);
  });

  it('handles several % segments', () => {
    expect(like('aXbYc', 'a%b%c')).toBe(true);
    expect(like('acb', 'a%b%c')).toBe(false);
    expect(like('aba', 'a%a')).toBe(true);
    expect(like('a', 'a%a')).toBe(false);
    expect(like('aba', 'ab%ba')).toBe(false);
    expect(like('abba', 'ab%ba')).toBe(true);
    expect(like('xx-1-yy-2-zz', '%-_-%-_-%')).toBe(true);
    expect(like('xx-1-yy-22-zz', '%-_-%-_-%')).toBe(false);
    expect(like('abcabc', '%b_a%')).toBe(true);
    expect(like('aaab', '%a_b')).toBe(true);
  });

  it('is case-insensitive', () => {
    expect(like('boatmate', '%BoatMate%')).toBe(true);
    expect(like('V4a', 'v4_')).toBe(true);
  });

  it('treats regex metacharacters and brackets literally', () => {
    expect(like('abc', 'a.c')).toBe(false);
    expect(like('a.c', 'a.c')).toBe(true);
    expect(like('(x)yz', '(x)%')).toBe(true);
    expect(like('x', '(x)%')).toBe(false);
    expect(like('a+b', 'a+b')).toBe(true);
    expect(like('aab', 'a+b')).toBe(false);
    expect(like('x[1]', '%[1]')).toBe(true);
    expect(like('x1', '%[1]')).toBe(false);
    expect(like('a*', 'a*')).toBe(true);
    expect(like('abc', 'a*')).toBe(false);
    expect(like('$^\\?|{}', '$^\\?|{}')).toBe(true);
    expect(like("it's", "it's")).toBe(true);
  });

  it('NOT LIKE negates, and a missing operand is unknown for both', () => {
    expect(like('abc', 'a%', true)).toBe(false);
    expect(like('xbc', 'a%', true)).toBe(true);
    expect(like(null, '%')).toBe(false);
    expect(like(null, '%', true)).toBe(false);
    expect(like('', '%', true)).toBe(false);
  });

  it('applies to computed values as text', () => {
    expect(holds("(a + 1) LIKE '1_'", { a: '9' })).toBe(true);
    expect(holds("DATE(a) LIKE '2024-01-02%'", { a: '1/2/2024' })).toBe(true);
  });
});

describe('IS NULL vs IS EMPTY', () => {
  const table: [string, Record<string, string | null>, boolean, boolean][] = [
    ['absent', {}, true, true],
    ['explicit null', { x: null }, true, true],
    ["''", { x: '' }, true, true],
    ["'  '", { x: '  ' }, false, true],
    ["tab/newline", { x: ' \t\n' }, false, true],
    ["'0'", { x: '0' }, false, false],
    ["'x'", { x: 'x' }, false, false],
    ["' x '", { x: ' x ' }, false, false],
  ];
  it.each(table)('%s: IS NULL=%s, IS EMPTY=%s', (_label, vars, isNull, isEmpty) => {
    expect(holds('x IS NULL', vars)).toBe(isNull);
    expect(holds('x IS NOT NULL', vars)).toBe(!isNull);
    expect(holds('x IS EMPTY', vars)).toBe(isEmpty);
    expect(holds('x IS NOT EMPTY', vars)).toBe(!isEmpty);
    expect(holds('x is not empty', vars)).toBe(!isEmpty);
  });

  it('applies to computed values', () => {
    expect(holds('(a + 1) IS NULL', {})).toBe(true);
    expect(holds('(a + 1) IS NULL', { a: '1' })).toBe(false);
    expect(holds('(a + 1) IS EMPTY', { a: '1' })).toBe(false);
    expect(holds('DATE(a) IS NULL', { a: 'nope' })).toBe(true);
    expect(holds('DATE(a) IS NOT EMPTY', { a: '2020-01-01' })).toBe(true);
  });

  it('combines with other conditions', () => {
    expect(holds("x IS NOT EMPTY AND y = 'A'", { x: 'v', y: 'a' })).toBe(true);
    expect(holds("x IS NOT EMPTY AND y = 'A'", { x: ' ', y: 'a' })).toBe(false);
    expect(holds('NOT x IS EMPTY', { x: 'v' })).toBe(true);
  });
});
