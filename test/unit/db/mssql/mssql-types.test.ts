import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  mssqlLiveType, mssqlSpecForColumn, mssqlSpecFromLive, mssqlValue, tediousDateTime, tediousDecimalExact, type MssqlColumnRow,
} from '../../../../src/db/mssql/mssql-types.js';
import { DateTime } from '../../../../src/mapping/values.js';

// tedious's own serialisers: the tests pin what actually goes on the wire.
const tedious = createRequire(import.meta.url)('tedious') as { TYPES: Record<string, {
  validate(v: unknown, c?: unknown, o?: unknown): unknown;
  generateParameterData(p: Record<string, unknown>, o: Record<string, unknown>): Iterable<Buffer>;
}> };

function wireDecimal(value: unknown, precision: number, scale: number): string {
  const t = tedious.TYPES['Decimal'];
  if (!t) throw new Error('no Decimal');
  const buf = Buffer.concat([...t.generateParameterData({ value: t.validate(value), precision, scale }, {})]);
  return (buf[0] === 1 ? '' : '-') + buf.readBigUInt64LE(1).toString();
}

function wireDateTime2(value: Date, scale: number): { ticks: number; days: number } {
  const t = tedious.TYPES['DateTime2'];
  if (!t) throw new Error('no DateTime2');
  const buf = Buffer.concat([...t.generateParameterData({ value: t.validate(value, null, { useUTC: true }), scale }, { useUTC: true })]);
  return { ticks: buf.readUIntLE(0, 5), days: buf.readUIntLE(5, 3) };
}

describe('decimal exactness through tedious', () => {
  it('sends values whose scaled integer fits a double exactly (checked on tedious bytes)', () => {
    for (const text of ['12345678901234.56', '0.10', '-1234.50', '90071992547409.91']) {
      expect(tediousDecimalExact(text, 2), text).toBe(true);
      const v = mssqlValue(text, { name: 'Decimal', precision: 18, scale: 2 });
      expect(typeof v).toBe('number');
      expect(wireDecimal(v, 18, 2)).toBe((text.startsWith('-') ? '-' : '') + BigInt(text.replace(/[-.]/g, '')).toString());
    }
  });

  it('detects values tedious would corrupt and marks them for the CAST path', () => {
    expect(wireDecimal(123456789012345.67, 18, 2)).toBe('12345678901234568'); // what tedious really sends
    expect(tediousDecimalExact('123456789012345.67', 2)).toBe(false);
    expect(mssqlValue('123456789012345.67', { name: 'Decimal', precision: 18, scale: 2 })).toEqual({ inexactDecimal: '123456789012345.67' });
    expect(mssqlValue('9999999999999999.99', { name: 'Decimal', precision: 18, scale: 2 })).toEqual({ inexactDecimal: '9999999999999999.99' });
    // 16 significant digits but the scaled integer 9999999999999999 is above 2^53: not exact either.
    expect(wireDecimal(99999999999999.99, 18, 2)).toBe('9999999999999998');
    expect(tediousDecimalExact('99999999999999.99', 2)).toBe(false);
  });

  it('re-scales to the live column and refuses values beyond its precision', () => {
    expect(mssqlValue('1.50', { name: 'Decimal', precision: 12, scale: 4 })).toBe(1.5);
    expect(() => mssqlValue('1234567890123.00', { name: 'Decimal', precision: 12, scale: 2 })).toThrow(RangeError);
  });
});

describe('datetime2 through tedious keeps microseconds without a time zone', () => {
  it('encodes the wall-clock fields exactly, including years below 100', () => {
    const d = tediousDateTime(new DateTime(2024, 2, 29, 23, 59, 59, 123456));
    expect(wireDateTime2(d, 6)).toEqual({ ticks: 86399123456, days: 738944 });
    const early = tediousDateTime(new DateTime(1, 1, 1, 0, 0, 0, 1));
    expect(wireDateTime2(early, 6)).toEqual({ ticks: 1, days: 0 });
    expect(tediousDateTime(new DateTime(99, 12, 31)).getUTCFullYear()).toBe(99);
  });
});

describe('type specs', () => {
  const row = (data_type: string, extra: Partial<MssqlColumnRow> = {}): MssqlColumnRow => ({
    table_name: 't', column_name: 'c', data_type, max_length: null, numeric_precision: null, numeric_scale: null,
    datetime_precision: null, is_nullable: 'YES', column_default: null, is_identity: 0, is_computed: 0, ...extra,
  });

  it('maps model columns to exact mssql types', () => {
    expect(mssqlSpecForColumn({ name: 'c', type: { kind: 'string', length: 'max' }, nullable: true })).toEqual({ name: 'NVarChar', length: 'max' });
    expect(mssqlSpecForColumn({ name: 'c', type: { kind: 'string', length: 5000 }, nullable: true })).toEqual({ name: 'NVarChar', length: 'max' });
    expect(mssqlSpecForColumn({ name: 'c', type: { kind: 'decimal', precision: 18, scale: 5 }, nullable: true })).toEqual({ name: 'Decimal', precision: 18, scale: 5 });
    expect(mssqlSpecForColumn({ name: 'c', type: { kind: 'datetime' }, nullable: true })).toEqual({ name: 'DateTime2', scale: 6 });
    expect(mssqlSpecForColumn({ name: 'c', type: { kind: 'tinyint' }, nullable: true })).toEqual({ name: 'TinyInt' });
  });

  it('maps live catalog rows (varchar(max) is -1) and normalises them for preflight', () => {
    expect(mssqlSpecFromLive(row('varchar', { max_length: -1 }))).toEqual({ name: 'VarChar', length: 'max' });
    expect(mssqlSpecFromLive(row('decimal', { numeric_precision: 12, numeric_scale: 2 }))).toEqual({ name: 'Decimal', precision: 12, scale: 2 });
    expect(mssqlLiveType(row('datetime'))).toEqual({ type: { family: 'datetime', fractionDigits: 2, zoned: false }, declared: 'datetime' });
    expect(mssqlLiveType(row('datetimeoffset', { datetime_precision: 7 })).type).toEqual({ family: 'datetime', fractionDigits: 7, zoned: true });
    expect(mssqlLiveType(row('geography'))).toEqual({ type: { family: 'other' }, declared: 'geography' });
  });

  it('converts bits, bigints and dates for tedious', () => {
    expect(mssqlValue(1, { name: 'Bit' })).toBe(true);
    expect(mssqlValue(0, { name: 'Bit' })).toBe(false);
    expect(mssqlValue(9007199254740993n, { name: 'BigInt' })).toBe(9007199254740993n);
    expect(mssqlValue(5, { name: 'BigInt' })).toBe(5n);
    expect((mssqlValue(new DateTime(2020, 1, 2), { name: 'Date' }) as Date).toISOString()).toBe('2020-01-02T00:00:00.000Z');
    expect(mssqlValue(null, { name: 'Int' })).toBeNull();
  });
});
