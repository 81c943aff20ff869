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

describe('values must fit the live column (the TDS test server does not check them in bulk loads)', () => {
  const fails = (cell: Parameters<typeof mssqlValue>[0], spec: Parameters<typeof mssqlValue>[1]) => {
    try {
      mssqlValue(cell, spec);
    } catch (e) {
      expect(e).toBeInstanceOf(RangeError);
      return (e as Error).message;
    }
    throw new Error(`${String(cell)} was accepted for ${JSON.stringify(spec)}`);
  };

  it('decimal: integer digits beyond precision − scale, also after rounding to the scale', () => {
    expect(fails('123.45', { name: 'Decimal', precision: 4, scale: 2 })).toBe('123.45 is out of range for decimal(4,2)');
    expect(fails('99.995', { name: 'Decimal', precision: 4, scale: 2 })).toBe('99.995 is out of range for decimal(4,2)');
    expect(mssqlValue('99.994', { name: 'Decimal', precision: 4, scale: 2 })).toBe(99.99);
    expect(mssqlValue('-99.99', { name: 'Numeric', precision: 4, scale: 2 })).toBe(-99.99);
  });

  it('nvarchar/nchar count UTF-16 code units (a character outside the BMP takes two); varchar counts characters', () => {
    expect(mssqlValue('x'.repeat(10), { name: 'NVarChar', length: 10 })).toBe('x'.repeat(10));
    expect(fails('x'.repeat(11), { name: 'NVarChar', length: 10 })).toBe('value of 11 UTF-16 code units is too long for nvarchar(10)');
    expect(fails(`${'A'.repeat(9)}\u{1F600}`, { name: 'NVarChar', length: 10 })).toBe('value of 11 UTF-16 code units is too long for nvarchar(10)');
    expect(fails('abc', { name: 'NChar', length: 2 })).toBe('value of 3 UTF-16 code units is too long for nchar(2)');
    expect(mssqlValue(`${'A'.repeat(9)}\u{1F600}`, { name: 'VarChar', length: 10 })).toBe(`${'A'.repeat(9)}\u{1F600}`);
    expect(fails('x'.repeat(11), { name: 'VarChar', length: 10 })).toBe('value of 11 characters is too long for varchar(10)');
    expect(mssqlValue('x'.repeat(100_000), { name: 'NVarChar', length: 'max' })).toHaveLength(100_000);
  });

  it('integers: the range of the live type, at both ends', () => {
    expect(mssqlValue(255, { name: 'TinyInt' })).toBe(255);
    expect(fails(256, { name: 'TinyInt' })).toBe('256 is out of range for tinyint');
    expect(fails(-1, { name: 'TinyInt' })).toBe('-1 is out of range for tinyint');
    expect(mssqlValue(-32768, { name: 'SmallInt' })).toBe(-32768);
    expect(fails(32768, { name: 'SmallInt' })).toBe('32768 is out of range for smallint');
    expect(mssqlValue(2147483647, { name: 'Int' })).toBe(2147483647);
    expect(fails(3000000000, { name: 'Int' })).toBe('3000000000 is out of range for int');
    expect(fails(-2147483649, { name: 'Int' })).toBe('-2147483649 is out of range for int');
    expect(mssqlValue(9223372036854775807n, { name: 'BigInt' })).toBe(9223372036854775807n);
    expect(fails(9223372036854775808n, { name: 'BigInt' })).toBe('9223372036854775808 is out of range for bigint');
    expect(fails('12.5', { name: 'Int' })).toBe('12.5 is not an integer');
  });

  it('dates and datetimes: the range of the live type', () => {
    expect(mssqlValue(new DateTime(1, 1, 1), { name: 'Date' })).toBeInstanceOf(Date);
    expect(mssqlValue(new DateTime(9999, 12, 31, 23, 59, 59, 999999), { name: 'DateTime2', scale: 6 })).toBeInstanceOf(Date);
    expect(fails(new DateTime(1700, 1, 1), { name: 'DateTime' })).toBe('1700-01-01T00:00:00 is out of range for datetime (1753-01-01 to 9999-12-31)');
    expect(mssqlValue(new DateTime(1753, 1, 1), { name: 'DateTime' })).toBeInstanceOf(Date);
    expect(fails(new DateTime(9999, 12, 31, 23, 59, 59, 998000), { name: 'DateTime' })).toMatch(/out of range for datetime/);
    expect(fails(new DateTime(1899, 12, 31, 23, 59), { name: 'SmallDateTime' })).toMatch(/out of range for smalldatetime \(1900-01-01 to 2079-06-06\)$/);
    expect(fails(new DateTime(2079, 6, 7), { name: 'SmallDateTime' })).toMatch(/out of range for smalldatetime/);
    expect(mssqlValue(new DateTime(2079, 6, 6, 23, 59), { name: 'SmallDateTime' })).toBeInstanceOf(Date);
  });

  it('real: beyond ±3.40E+38 fails; float takes any finite double', () => {
    expect(fails(1e39, { name: 'Real' })).toBe('1e+39 is out of range for real');
    expect(mssqlValue(1e39, { name: 'Float' })).toBe(1e39);
  });
});
