/**
 * Value normalization of `xmlmigrate verify`: what the writer encodes (encodeCell, then expectedText)
 * and what each dialect's driver hands back (foundText) meet in one canonical text — equal for the
 * same value in every form a dialect returns it, different for a different value.
 */
import { describe, expect, it } from 'vitest';
import { encodeCell } from '../../../src/db/cell-encode.js';
import type { ColumnModel, ColumnType } from '../../../src/db/schema-types.js';
import { DateTime, Decimal, type CellValue } from '../../../src/mapping/values.js';
import { canonicalDecimalText, expectedText, foundText } from '../../../src/verify/normalize.js';

const col = (type: ColumnType): ColumnModel => ({ name: 'c', type, nullable: true });
/** The canonical text of a mapper value as the writer would store it in `type`. */
const written = (v: CellValue, type: ColumnType): string | null => expectedText(encodeCell(v, col(type), 't', 1), col(type));

describe('decimals', () => {
  const dec = { kind: 'decimal', precision: 18, scale: 2 } as const;
  it('the writer\'s fixed scale equals each dialect\'s text of the same value', () => {
    const e = written(new Decimal('34.4'), dec);
    expect(e).toBe('34.4');
    expect(foundText('34.40', col(dec), 'postgres')).toBe(e); // numeric(18,2) as text
    expect(foundText('34.40', col(dec), 'sqlite')).toBe(e); // DECIMAL_TEXT holds the writer's text
    expect(foundText('34.40', col(dec), 'mssql')).toBe(e); // CONVERT(varchar, decimal(18,2))
    expect(foundText(34.4, col(dec), 'mssql')).toBe(e); // a driver that returns a double
    expect(foundText('34.4000', col(dec), 'postgres')).toBe(e); // a live column of a larger scale
  });
  it('keeps every digit (never through a double) and tells close values apart', () => {
    expect(written('12345678901234.56', dec)).toBe('12345678901234.56');
    expect(foundText('12345678901234.56', col(dec), 'postgres')).toBe('12345678901234.56');
    expect(foundText('12345678901234.57', col(dec), 'postgres')).not.toBe(written('12345678901234.56', dec));
    expect(written('0.005', dec)).toBe('0.01'); // the writer rounds half away from zero
    expect(foundText('0.00', col(dec), 'sqlite')).not.toBe(written('0.005', dec));
  });
  it('canonical form: no insignificant zeros, no negative zero, exponents expanded', () => {
    expect(canonicalDecimalText('-0.00')).toBe('0');
    expect(canonicalDecimalText('007.500')).toBe('7.5');
    expect(canonicalDecimalText('-.5')).toBe('-0.5');
    expect(canonicalDecimalText('1.5E+2')).toBe('150');
    expect(canonicalDecimalText('25e-3')).toBe('0.025');
    expect(canonicalDecimalText('abc')).toBeNull();
    expect(foundText('abc', col(dec), 'sqlite')).toBe('abc'); // not a number: compared as it is, so it differs
  });
});

describe('datetimes and dates', () => {
  const dt = { kind: 'datetime' } as const;
  const date = { kind: 'date' } as const;
  it('a datetime equals PostgreSQL\'s, SQLite\'s and SQL Server\'s text of it, and a Date\'s UTC fields', () => {
    const e = written(new DateTime(2021, 10, 18, 6, 3, 23, 300000), dt);
    expect(e).toBe('2021-10-18 06:03:23.300000');
    expect(foundText('2021-10-18 06:03:23.3', col(dt), 'postgres')).toBe(e); // timestamp text drops trailing zeros
    expect(foundText('2021-10-18T06:03:23.300000', col(dt), 'sqlite')).toBe(e); // DateTime.iso
    expect(foundText('2021-10-18 06:03:23.3000000', col(dt), 'mssql')).toBe(e); // style 121 of datetime2
    expect(foundText(new Date(Date.UTC(2021, 9, 18, 6, 3, 23, 300)), col(dt), 'mssql')).toBe(e); // useUTC Date
    expect(foundText('2021-10-18 06:03:23.300001', col(dt), 'postgres')).not.toBe(e); // one microsecond off
  });
  it('midnight and whole seconds: with or without a fraction', () => {
    const e = written('2021-10-18', dt);
    expect(e).toBe('2021-10-18 00:00:00.000000');
    expect(foundText('2021-10-18 00:00:00', col(dt), 'postgres')).toBe(e);
    expect(foundText('2021-10-18T00:00:00', col(dt), 'sqlite')).toBe(e);
    expect(foundText('2021-10-18T00:00:00', col(dt), 'mssql')).toBe(e); // style 126 without a fraction
  });
  it('an offset in the source is dropped by the writer; the wall-clock time is what is compared', () => {
    expect(written('2021-10-18T06:03:23+02:00', dt)).toBe('2021-10-18 06:03:23.000000');
  });
  it('dates', () => {
    const e = written(new DateTime(1990, 2, 28), date);
    expect(e).toBe('1990-02-28');
    for (const d of ['postgres', 'sqlite', 'mssql'] as const) expect(foundText('1990-02-28', col(date), d)).toBe(e);
    expect(foundText(new Date(Date.UTC(1990, 1, 28)), col(date), 'mssql')).toBe(e);
    expect(foundText('1990-02-28 00:00:00', col(date), 'sqlite')).toBe(e); // a date written as a midnight datetime
    expect(foundText('1990-02-27', col(date), 'postgres')).not.toBe(e);
  });
});

describe('integers, bits, floats, strings, NULL', () => {
  it('bigints beyond 2^53 stay exact: bigint, int8 text, CAST AS TEXT, CONVERT(varchar)', () => {
    const big = { kind: 'bigint' } as const;
    const e = written('9007199254740993', big);
    expect(e).toBe('9007199254740993');
    expect(foundText('9007199254740993', col(big), 'postgres')).toBe(e);
    expect(foundText(9007199254740993n, col(big), 'sqlite')).toBe(e);
    expect(foundText('9007199254740992', col(big), 'mssql')).not.toBe(e);
    expect(foundText(42, col({ kind: 'smallint' }), 'postgres')).toBe(written(42, { kind: 'smallint' }));
  });
  it('bits: 0/1, booleans (SQL Server) and text', () => {
    const bit = { kind: 'bit' } as const;
    expect(written(true, bit)).toBe('1');
    expect(foundText(true, col(bit), 'mssql')).toBe('1');
    expect(foundText(1, col(bit), 'postgres')).toBe('1');
    expect(foundText(0, col(bit), 'sqlite')).toBe(written('false', bit));
    expect(foundText(false, col(bit), 'mssql')).not.toBe(written(1, bit));
  });
  it('floats: the double itself (every dialect stores and returns a double)', () => {
    const fl = { kind: 'float' } as const;
    expect(written(250.5, fl)).toBe('250.5');
    expect(foundText(250.5, col(fl), 'postgres')).toBe('250.5');
    expect(foundText(0.1 + 0.2, col(fl), 'sqlite')).toBe(written(0.30000000000000004, fl));
    expect(foundText(0.3, col(fl), 'mssql')).not.toBe(written(0.30000000000000004, fl));
    expect(foundText(-0, col(fl), 'sqlite')).toBe(written(0, fl));
    expect(foundText('1000', col(fl), 'postgres')).toBe(written(1000, fl));
  });
  it('strings are compared exactly: case and trailing spaces count', () => {
    const s = { kind: 'string', length: 50 } as const;
    expect(written('HARPER', s)).toBe('HARPER');
    expect(foundText('HARPER', col(s), 'mssql')).toBe('HARPER');
    expect(foundText('HARPER ', col(s), 'postgres')).not.toBe('HARPER');
    expect(foundText('harper', col(s), 'sqlite')).not.toBe('HARPER');
    expect(written(12.5, s)).toBe('12.5'); // a number mapped into a string column
  });
  it('NULL: the writer stores an empty value as NULL, and NULL is only equal to NULL', () => {
    const s = { kind: 'string', length: 50 } as const;
    expect(written('', s)).toBeNull();
    expect(foundText(null, col(s), 'postgres')).toBeNull();
    expect(foundText(undefined, col(s), 'mssql')).toBeNull();
    expect(foundText('', col(s), 'mssql')).toBe(''); // an empty string is not NULL
  });
});
