/**
 * coerce(): conversion of one value to a column data_type (reference 9.1) with the decisions
 * B3 (bit words), B4 (thousands separators, signs, first number run for direct ints) and B9.
 */
import { describe, expect, it } from 'vitest';
import { coerce, isBlank } from '../../../src/mapping/coerce.js';
import type { DataType } from '../../../src/mapping/contract-types.js';
import type { DecisionId } from '../../../src/mapping/legacy.js';
import { DateTime, Decimal, type CellValue } from '../../../src/mapping/values.js';

const NONE: ReadonlySet<DecisionId> = new Set();
const L = (...ids: DecisionId[]): ReadonlySet<DecisionId> => new Set(ids);
const c = (v: CellValue, t: DataType, o: { places?: number | null; direct?: boolean; legacy?: ReadonlySet<DecisionId> } = {}) =>
  coerce(v, t, { legacy: o.legacy ?? NONE, ...(o.places !== undefined ? { places: o.places } : {}), ...(o.direct !== undefined ? { direct: o.direct } : {}) });
const decText = (v: CellValue) => {
  expect(v).toBeInstanceOf(Decimal);
  return (v as Decimal).text;
};

describe('isBlank', () => {
  it('null, undefined, empty and whitespace strings are blank', () => {
    for (const v of [null, undefined, '', '  ', '\t\n']) expect(isBlank(v)).toBe(true);
    for (const v of ['0', 'x', 0, false]) expect(isBlank(v)).toBe(false);
  });
});

describe('blank input', () => {
  it.each(['string', 'int', 'decimal', 'float', 'datetime', 'bit', 'boolean'] as DataType[])('%s: null / blank → null', (t) => {
    expect(c(null, t)).toBeNull();
    expect(c('', t)).toBeNull();
    expect(c('   ', t)).toBeNull();
  });
});

describe('string', () => {
  it('text stays text (no trimming here)', () => {
    expect(c(' a ', 'string')).toBe(' a ');
    expect(c('007', 'string')).toBe('007');
  });
  it('numbers print without ".0" (B9) and datetimes as "YYYY-MM-DD HH:MM:SS"', () => {
    expect(c(6, 'string')).toBe('6');
    expect(c(6.5, 'string')).toBe('6.5');
    expect(c(1e21, 'string')).toBe('1000000000000000000000');
    expect(c(new DateTime(2024, 1, 2, 3, 4, 5), 'string')).toBe('2024-01-02 03:04:05');
    expect(c(new Decimal('1.50'), 'string')).toBe('1.50');
  });
  it('B9 legacy: integral numbers print with ".0"', () => {
    expect(c(6, 'string', { legacy: L('B9') })).toBe('6.0');
    expect(c(6.5, 'string', { legacy: L('B9') })).toBe('6.5');
  });
});

describe('integers', () => {
  it.each([
    ['36.4', 36], ['36.50', 37], ['36.5', 37], ['-36.5', -37], ['-2.4', -2], ['0', 0], ['0529', 529], [' 12 ', 12],
    ['1,234', 1234], ['12,345,678', 12345678], ['-5', -5], ['+7', 7], ['$1,200', 1200], ['1e3', 1000], ['4000', 4000],
  ])('%j → %d', (v, want) => {
    for (const t of ['int', 'smallint', 'bigint', 'tinyint'] as DataType[]) expect(c(v, t)).toBe(want);
  });

  it('numbers and decimals round half away from zero', () => {
    expect(c(2.5, 'int')).toBe(3);
    expect(c(-2.5, 'int')).toBe(-3);
    expect(c(new Decimal('10.5'), 'int')).toBe(11);
  });

  it('free text: null, unless direct (first number run)', () => {
    expect(c('Up to $40', 'int')).toBeNull();
    expect(c('Up to $40', 'int', { direct: true })).toBe(40);
    expect(c('approx -1,200.5 USD', 'int', { direct: true })).toBe(-1201);
    expect(c('abc', 'int', { direct: true })).toBeNull();
    expect(c('1,23', 'int')).toBeNull();
  });

  it('B4 legacy: direct values take the first digit run; commas are still removed otherwise', () => {
    const legacy = L('B4');
    expect(c('1,234', 'int', { direct: true, legacy })).toBe(1);
    expect(c('-5', 'int', { direct: true, legacy })).toBe(5);
    expect(c('1e3', 'int', { direct: true, legacy })).toBe(1);
    expect(c('36.50', 'int', { direct: true, legacy })).toBe(37);
    expect(c('Up to $40', 'int', { direct: true, legacy })).toBe(40);
    expect(c('1,234', 'int', { legacy })).toBe(1234);
    expect(c('-5', 'int', { legacy })).toBe(-5);
  });

  it('datetimes do not convert', () => {
    expect(c(new DateTime(2024, 1, 1), 'int')).toBeNull();
  });
});

describe('decimals', () => {
  it.each([
    ['12.345', 2, '12.35'], ['-1.005', 2, '-1.01'], ['2.675', 2, '2.68'], ['1.005', 2, '1.01'], ['1e3', 2, '1000'],
    [' 7 ', 2, '7'], ['0.125', 2, '0.13'], ['-0.125', 2, '-0.13'], ['0.0049', 2, '0'], ['12.5', 0, '13'],
    ['1.23456789', 5, '1.23457'], ['99999999999999999.995', 2, '100000000000000000'], ['1,234.565', 2, '1234.57'],
    ['$40.00', 2, '40'], ['-$5.555', 2, '-5.56'], ['.5', 2, '0.5'], ['007.50', 2, '7.5'],
  ])('%j at %d places → %s', (v, places, want) => {
    expect(decText(c(v, 'decimal', { places }))).toBe(want);
  });

  it('default precision is 2 places', () => {
    expect(decText(c('1.239', 'decimal'))).toBe('1.24');
    expect(decText(c('1.239', 'decimal', { places: null }))).toBe('1.24');
  });

  it('numbers round on their shortest text, not on the binary double', () => {
    expect(decText(c(2.675, 'decimal', { places: 2 }))).toBe('2.68');
    expect(decText(c(1.005, 'decimal', { places: 2 }))).toBe('1.01');
    expect(decText(c(0.1 + 0.2, 'decimal', { places: 2 }))).toBe('0.3');
    expect(decText(c(10 / 3, 'decimal', { places: 5 }))).toBe('3.33333');
  });

  it('Decimal input is re-rounded', () => {
    expect(decText(c(new Decimal('3.33333'), 'decimal', { places: 2 }))).toBe('3.33');
  });

  it('unparseable → null', () => {
    expect(c('n/a', 'decimal')).toBeNull();
    expect(c('1.2.3', 'decimal')).toBeNull();
    expect(c('--1', 'decimal')).toBeNull();
  });

  it('B4 legacy: separators are not understood', () => {
    expect(c('1,234.5', 'decimal', { legacy: L('B4') })).toBeNull();
    expect(decText(c('1234.555', 'decimal', { legacy: L('B4') }))).toBe('1234.56');
  });
});

describe('float', () => {
  it('parses numbers', () => {
    expect(c('1.5', 'float')).toBe(1.5);
    expect(c('-2', 'float')).toBe(-2);
    expect(c('1e3', 'float')).toBe(1000);
    expect(c('1,234.5', 'float')).toBe(1234.5);
    expect(c(3.25, 'float')).toBe(3.25);
    expect(c('x', 'float')).toBeNull();
  });
});

describe('date-times', () => {
  it.each(['datetime', 'smalldatetime', 'date'] as DataType[])('%s parses text and passes DateTime through', (t) => {
    expect((c('05/10/1978', t) as DateTime).iso).toBe('1978-05-10T00:00:00');
    const d = new DateTime(2020, 2, 29, 1, 2, 3);
    expect(c(d, t)).toBe(d);
    expect(c('garbage', t)).toBeNull();
  });
});

describe('bit and boolean (B3)', () => {
  it.each([
    ['1', 1], ['y', 1], ['Y', 1], ['yes', 1], ['YES', 1], ['true', 1], ['True', 1], ['t', 1], ['T', 1], [' y ', 1],
    ['0', 0], ['n', 0], ['N', 0], ['no', 0], ['false', 0], ['FALSE', 0], ['f', 0], ['F', 0],
  ])('%j → %d', (v, want) => {
    expect(c(v, 'bit')).toBe(want);
    expect(c(v, 'boolean')).toBe(want);
  });

  it('unknown words → null', () => {
    for (const v of ['x', '2', 'on', 'off', 'U', 'maybe']) expect(c(v, 'bit')).toBeNull();
  });

  it('numbers: 0 → 0, anything else → 1', () => {
    expect(c(0, 'bit')).toBe(0);
    expect(c(1, 'bit')).toBe(1);
    expect(c(5, 'bit')).toBe(1);
  });

  it('B3 legacy: truthiness', () => {
    const legacy = L('B3');
    expect(c('0', 'bit', { legacy })).toBe(1);
    expect(c('N', 'bit', { legacy })).toBe(1);
    expect(c('false', 'bit', { legacy })).toBe(1);
    expect(c('x', 'bit', { legacy })).toBe(1);
    expect(c(0, 'bit', { legacy })).toBe(0);
  });
});
