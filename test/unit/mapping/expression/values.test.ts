import { describe, expect, it } from 'vitest';
import { DateTime } from '../../../../src/mapping/values.js';
import { compileExpression } from '../../../../src/mapping/expression/index.js';
import { ev, scope } from './helpers.js';

const iso = (v: unknown): string => {
  if (!(v instanceof DateTime)) throw new Error(`expected a DateTime, got ${String(v)}`);
  return v.iso;
};

describe('arithmetic', () => {
  it('has normal precedence, left associativity and unary minus', () => {
    expect(ev('1 + 2 * 3')).toBe(7);
    expect(ev('(1 + 2) * 3')).toBe(9);
    expect(ev('10 - 4 - 3')).toBe(3);
    expect(ev('12 / 4 / 3')).toBe(1);
    expect(ev('2 * 3 + 4 * 5')).toBe(26);
    expect(ev('-a + 5', { a: '2' })).toBe(3);
    expect(ev('- -3')).toBe(3);
    expect(ev('2 * -3')).toBe(-6);
    expect(ev('-(a - 10)', { a: '4' })).toBe(6);
    expect(ev('7 / 2')).toBe(3.5);
  });

  it('converts reference text to numbers (trimmed, thousands separators, sign)', () => {
    const expr = 'months_at_residence + (years_at_residence * 12)';
    expect(ev(expr, { months_at_residence: '3', years_at_residence: '2' })).toBe(27);
    expect(ev(expr, { months_at_residence: ' 3 ', years_at_residence: '2\t' })).toBe(27);
    expect(ev('a * 2', { a: '1,234.5' })).toBe(2469);
    expect(ev('a + 0', { a: '-1,000' })).toBe(-1000);
    expect(ev('a + 0', { a: '+12.50' })).toBe(12.5);
    expect(ev('a + 0', { a: '1,234,567' })).toBe(1234567);
    expect(ev('a + 0', { a: '.5' })).toBe(0.5);
    expect(ev("'5' + 1")).toBe(6);
    expect(typeof ev('a * 1', { a: '29' })).toBe('number');
  });

  it('is exact for ordinary decimal text', () => {
    expect(ev('a + 0', { a: '0.1' })).toBe(0.1);
    expect(ev('a + 0', { a: '1,234.56' })).toBe(1234.56);
    expect(ev('a + 0', { a: '12345678901234567.5' })).toBe(12345678901234567.5);
  });

  it('a missing, blank or non-numeric operand makes the result null (B6 fix: not 0)', () => {
    const expr = 'months_at_residence + (years_at_residence * 12)';
    expect(ev(expr, { months_at_residence: '3', years_at_residence: '' })).toBeNull();
    expect(ev(expr, { months_at_residence: '3', years_at_residence: '   ' })).toBeNull();
    expect(ev(expr, { months_at_residence: '3' })).toBeNull();
    expect(ev(expr, { months_at_residence: '3', years_at_residence: null })).toBeNull();
    for (const bad of ['abc', '1,2', '12,34', ',123', '1e3', '0x10', 'Infinity', '5-', '1 000', '$5', '--1']) {
      expect(ev('a / 12', { a: bad })).toBeNull();
    }
    expect(ev("'x' + 1")).toBeNull();
    expect(ev('-a', { a: 'x' })).toBeNull();
  });

  it('division by zero is null', () => {
    expect(ev('a / b', { a: '5', b: '0' })).toBeNull();
    expect(ev('a / b', { a: '5', b: '0.00' })).toBeNull();
    expect(ev('5 / 0')).toBeNull();
    expect(ev('0 / 5')).toBe(0);
    expect(ev('(a / 0) + 1', { a: '1' })).toBeNull();
  });

  it('dates do not take part in arithmetic', () => {
    expect(ev("DATE('2020-01-01') + 1")).toBeNull();
    expect(ev('DATEADD(day, 1, a) * 2', { a: '2020-01-01' })).toBeNull();
  });

  it('overflow to infinity is null', () => {
    expect(ev('a * a', { a: '1' + '0'.repeat(200) })).toBeNull();
  });
});

describe('DATE()', () => {
  it('parses literals at compile time into DateTime values', () => {
    expect(iso(ev("DATE('2023-10-11')"))).toBe('2023-10-11T00:00:00');
    expect(iso(ev("DATE('2023-10-11 00:00:00')"))).toBe('2023-10-11T00:00:00');
    expect(iso(ev("date('2023-10-11 10:00:00.1234567')"))).toBe('2023-10-11T10:00:00.123456');
  });

  const accepted: [string, string][] = [
    ['2025-10-09 21:51:08.027', '2025-10-09T21:51:08.027000'],
    ['2025-10-9 21:51:8.0', '2025-10-09T21:51:08'],
    ['2025-10-9 1:2:3', '2025-10-09T01:02:03'],
    ['05/10/1978', '1978-05-10T00:00:00'],
    ['5/1/1978', '1978-05-01T00:00:00'],
    ['5/10/1978 13:05:00', '1978-05-10T13:05:00'],
    ['25/12/2020', '2020-12-25T00:00:00'],
    ['12/25/2020 11:59:59 PM', '2020-12-25T23:59:59'],
    ['12/25/2020 12:00:00 AM', '2020-12-25T00:00:00'],
    ['12/25/2020 12:30 pm', '2020-12-25T12:30:00'],
    ['2023-10-11T08:30:00', '2023-10-11T08:30:00'],
    ['2023-10-11T08:30', '2023-10-11T08:30:00'],
    ['2023-10-11 08:30:00.5', '2023-10-11T08:30:00.500000'],
    ['2023/10/11', '2023-10-11T00:00:00'],
    ['  2023-10-11  ', '2023-10-11T00:00:00'],
    ['2023-10-11T08:30:00Z', '2023-10-11T08:30:00+00:00'],
    ['2023-10-11T08:30:00+05:30', '2023-10-11T08:30:00+05:30'],
    ['2023-10-11 08:30:00 -0500', '2023-10-11T08:30:00-05:00'],
    ['2024-02-29', '2024-02-29T00:00:00'],
    ['2000-02-29', '2000-02-29T00:00:00'],
  ];
  it.each(accepted)('DATE(ref) accepts %j', (text, expected) => {
    expect(iso(ev('DATE(x)', { x: text }))).toBe(expected);
  });

  const rejected = ['', '  ', 'abc', '2023-13-01', '2023-00-10', '2023-02-29', '1900-02-29', '2023-04-31',
    '2023-10-11 24:00:00', '2023-10-11 10:60:00', '2023-10-11 10:00:60', '10/11/23', '13/13/2020', '2023-10',
    '2023-10-11 08', '2023-10-11x', '2023-10-11 08:30:00 XM', '0000-01-01', '23-10-11', '2023-10-11T', '12/25/2020 13:00 PM'];
  it.each(rejected)('DATE(ref) is null for %j', (text) => {
    expect(ev('DATE(x)', { x: text })).toBeNull();
  });

  it('is null for a missing reference and passes DateTime values through', () => {
    expect(ev('DATE(x)')).toBeNull();
    expect(iso(ev("DATE(DATE('2020-01-02'))"))).toBe('2020-01-02T00:00:00');
  });
});

describe('DATEADD()', () => {
  const expr = 'DATEADD(day, n, d)';
  it('adds whole days and drops the time of day', () => {
    expect(iso(ev(expr, { n: '30', d: '12/15/2024' }))).toBe('2025-01-14T00:00:00');
    expect(iso(ev(expr, { n: '1', d: '2024-01-31 23:59:59.5' }))).toBe('2024-02-01T00:00:00');
    expect(iso(ev(expr, { n: '1', d: '2024-02-28' }))).toBe('2024-02-29T00:00:00');
    expect(iso(ev(expr, { n: '1', d: '2023-02-28' }))).toBe('2023-03-01T00:00:00');
    expect(iso(ev(expr, { n: '-1', d: '2024-01-01' }))).toBe('2023-12-31T00:00:00');
    expect(iso(ev(expr, { n: '1,000', d: '2000-01-01' }))).toBe('2002-09-27T00:00:00');
    expect(iso(ev(expr, { n: '36524', d: '1900-01-01' }))).toBe('2000-01-01T00:00:00');
    expect(iso(ev(expr, { n: '0', d: '2024-05-05T10:00:00+02:00' }))).toBe('2024-05-05T00:00:00');
  });

  it('treats a blank or missing amount as 0 and truncates fractions toward zero', () => {
    expect(iso(ev(expr, { n: '', d: '2024-03-10 08:00:00' }))).toBe('2024-03-10T00:00:00');
    expect(iso(ev(expr, { n: '  ', d: '2024-03-10' }))).toBe('2024-03-10T00:00:00');
    expect(iso(ev(expr, { d: '2024-03-10' }))).toBe('2024-03-10T00:00:00');
    expect(iso(ev(expr, { n: '2.9', d: '2024-03-10' }))).toBe('2024-03-12T00:00:00');
    expect(iso(ev(expr, { n: '-2.9', d: '2024-03-10' }))).toBe('2024-03-08T00:00:00');
    expect(iso(ev(expr, { n: '-0.5', d: '2024-03-10' }))).toBe('2024-03-10T00:00:00');
  });

  it('is null for a non-numeric amount or a missing/unparseable date', () => {
    expect(ev(expr, { n: 'abc', d: '2024-03-10' })).toBeNull();
    expect(ev(expr, { n: '1' })).toBeNull();
    expect(ev(expr, { n: '1', d: '' })).toBeNull();
    expect(ev(expr, { n: '1', d: 'yesterday' })).toBeNull();
    expect(ev(expr, { n: '99999999', d: '2024-03-10' })).toBeNull();
  });

  it('accepts literal amounts, day/dd/d units, literal and DATE() dates', () => {
    expect(iso(ev("DATEADD(day, 3, '2020-01-01')"))).toBe('2020-01-04T00:00:00');
    expect(iso(ev("DATEADD(dd, -3, DATE('2020-01-01'))"))).toBe('2019-12-29T00:00:00');
    expect(iso(ev("DATEADD(D, '2', '2020-01-01')"))).toBe('2020-01-03T00:00:00');
    expect(iso(ev("DATEADD(DAY, a + 1, '2020-01-01')", { a: '1' }))).toBe('2020-01-03T00:00:00');
    expect(iso(ev("DATEADD(day, 1, DATEADD(day, 1, '2020-12-31'))"))).toBe('2021-01-02T00:00:00');
  });

  it('can be compared with dates', () => {
    expect(ev("CASE WHEN DATEADD(day, n, d) > DATE('2024-01-01') THEN 'later' ELSE 'not' END", { n: '1', d: '2024-01-01' })).toBe('later');
    expect(ev("CASE WHEN DATEADD(day, n, d) > DATE('2024-01-01') THEN 'later' ELSE 'not' END", { n: '0', d: '2024-01-01 10:00' })).toBe('not');
  });
});

describe('calendar arithmetic agrees with the JS Date (proleptic Gregorian, UTC)', () => {
  it('DATEADD over a wide range of offsets', () => {
    const e = compileExpression("DATEADD(day, n, '2000-02-29')");
    const base = Date.UTC(2000, 1, 29);
    for (let n = -700_000; n <= 2_900_000; n += 7919) {
      const d = new Date(base + n * 86_400_000);
      const expected = `${String(d.getUTCFullYear()).padStart(4, '0')}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}T00:00:00`;
      expect(iso(e.evaluate(scope({ n: String(n) })))).toBe(expected);
    }
  });
});
