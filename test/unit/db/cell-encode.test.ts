import { describe, expect, it } from 'vitest';
import { canonicalDecimal, encodeCell, parseDateTimeText, plainNumberText, sqlDateTimeText } from '../../../src/db/cell-encode.js';
import { ValueError } from '../../../src/db/db-error.js';
import type { ColumnModel, ColumnType } from '../../../src/db/schema-types.js';
import { DateTime, Decimal } from '../../../src/mapping/values.js';

const col = (type: ColumnType, name = 'c'): ColumnModel => ({ name, type, nullable: true });
const enc = (v: Parameters<typeof encodeCell>[0], type: ColumnType): ReturnType<typeof encodeCell> => encodeCell(v, col(type), 't', 7);
const dec = (scale: number): ColumnType => ({ kind: 'decimal', precision: 18, scale });

describe('decimals stay exact', () => {
  it('keeps 16+ significant digits that a double would lose, at the column scale', () => {
    expect(enc(new Decimal('12345678901234.56'), dec(2))).toBe('12345678901234.56');
    expect(enc(new Decimal('9999999999999999.99'), dec(2))).toBe('9999999999999999.99');
    expect(enc(new Decimal('34.4'), dec(2))).toBe('34.40');
    expect(enc(new Decimal('1000'), dec(5))).toBe('1000.00000');
    expect(enc(new Decimal('-0.5'), dec(0))).toBe('-1');
  });

  it('rounds extra fraction digits half away from zero in decimal arithmetic', () => {
    expect(canonicalDecimal('34.449', 18, 2)).toBe('34.45');
    expect(canonicalDecimal('1.005', 18, 2)).toBe('1.01'); // 1.005 is 1.00499999… as a double
    expect(canonicalDecimal('-2.675', 18, 2)).toBe('-2.68');
    expect(canonicalDecimal('-0.004', 18, 2)).toBe('0.00');
    expect(canonicalDecimal('.5', 18, 1)).toBe('0.5');
    expect(canonicalDecimal('abc', 18, 2)).toBeNull();
    expect(canonicalDecimal('.', 18, 2)).toBeNull();
  });

  it('accepts numeric strings and numbers (raw warranty amounts, calculated values)', () => {
    expect(enc('100', dec(2))).toBe('100.00');
    expect(enc(' 7.5 ', dec(2))).toBe('7.50');
    expect(enc(0.1, dec(2))).toBe('0.10');
    expect(enc(1e21, { kind: 'decimal', precision: 38, scale: 0 })).toBe('1000000000000000000000');
  });

  it('rejects what does not fit or is not a number, naming table, column and app', () => {
    expect(() => enc(new Decimal('12345678901234567.00'), dec(2))).toThrow('t.c (app_id 7): 12345678901234567.00 is out of range for decimal(18,2)');
    expect(() => enc('12a', dec(2))).toThrow(ValueError);
    expect(() => enc(Number.NaN, dec(2))).toThrow(/is not a decimal number/);
  });
});

describe('other types', () => {
  it('turns empty strings into NULL for every type', () => {
    for (const type of [dec(2), { kind: 'string', length: 5 }, { kind: 'int' }, { kind: 'datetime' }] as ColumnType[]) {
      expect(enc('', type)).toBeNull();
      expect(enc(null, type)).toBeNull();
      expect(enc(undefined, type)).toBeNull();
    }
  });

  it('checks string length in characters and refuses NUL', () => {
    expect(enc('Zoë', { kind: 'string', length: 3 })).toBe('Zoë');
    expect(enc('😀😀', { kind: 'string', length: 2 })).toBe('😀😀');
    expect(() => enc('abcdef', { kind: 'string', length: 5 })).toThrow('t.c (app_id 7): value of 6 characters is too long for varchar(5)');
    expect(() => enc('a\u0000b', { kind: 'string', length: 'max' })).toThrow(/NUL/);
    expect(enc(12.5, { kind: 'string', length: 'max' })).toBe('12.5');
    expect(enc(new Decimal('1.10'), { kind: 'string', length: 'max' })).toBe('1.10');
  });

  it('checks integers and their ranges; big values stay bigint', () => {
    expect(enc('0529', { kind: 'int' })).toBe(529);
    expect(enc(new Decimal('5.00'), { kind: 'smallint' })).toBe(5);
    expect(enc('9007199254740993', { kind: 'bigint' })).toBe(9007199254740993n);
    expect(() => enc(256, { kind: 'tinyint' })).toThrow(/out of range for tinyint/);
    expect(() => enc(2147483648, { kind: 'int' })).toThrow(/out of range for int/);
    expect(() => enc(1.5, { kind: 'int' })).toThrow(/is not an integer/);
    expect(() => enc('1,234', { kind: 'int' })).toThrow(/is not an integer/);
  });

  it('encodes bits as 0/1 and floats as finite numbers', () => {
    expect([true, 1, '1', 'true', false, 0, '0'].map((v) => enc(v, { kind: 'bit' }))).toEqual([1, 1, 1, 1, 0, 0, 0]);
    expect(() => enc('Y', { kind: 'bit' })).toThrow(/is not a bit/);
    expect(enc(new Decimal('0.25'), { kind: 'float' })).toBe(0.25);
    expect(enc('1e3', { kind: 'float' })).toBe(1000);
    expect(() => enc(Number.POSITIVE_INFINITY, { kind: 'float' })).toThrow(/finite/);
  });

  it('keeps datetimes to the microsecond, drops an offset without shifting, truncates dates', () => {
    const withZone = new DateTime(2025, 3, 30, 1, 30, 0, 5, '+02:00');
    const out = enc(withZone, { kind: 'datetime' }) as DateTime;
    expect(out.iso).toBe('2025-03-30T01:30:00.000005');
    expect((enc(new DateTime(1980, 12, 31, 13, 0, 0), { kind: 'date' }) as DateTime).iso).toBe('1980-12-31T00:00:00');
    expect((enc('2024-02-29T23:59:59.1234567Z', { kind: 'datetime' }) as DateTime).iso).toBe('2024-02-29T23:59:59.123456');
    expect(() => enc('2023-02-29', { kind: 'date' })).toThrow(/is not a valid date/);
    expect(() => enc(new DateTime(2023, 13, 1), { kind: 'datetime' })).toThrow(/is not a valid datetime/);
    expect(parseDateTimeText('12/15/2025')).toBeNull();
    expect(sqlDateTimeText(new DateTime(1, 1, 1, 0, 0, 0, 7))).toBe('0001-01-01 00:00:00.000007');
  });

  it('expands exponent notation exactly', () => {
    expect(plainNumberText(1.5e-7)).toBe('0.00000015');
    expect(plainNumberText(-2e21)).toBe('-2000000000000000000000');
    expect(plainNumberText(123.25)).toBe('123.25');
  });
});
