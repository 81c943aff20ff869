/**
 * SQL Server column types as plain data ({@link MssqlTypeSpec}) and the exact conversion of
 * encoded cells into the values tedious serialises (pure).
 *
 * What tedious 19 does with the values (read from node_modules/tedious/lib/data-types):
 * - Decimal/Numeric: `validate` runs `parseFloat(value)` and the TDS writer sends
 *   `Math.round(Math.abs(value * 10 ** scale))` as a 64-bit integer — a double round trip.
 *   It is exact only while that product is an exactly representable integer, so
 *   {@link tediousDecimalExact} replays the computation and compares with the exact scaled
 *   integer (BigInt). Values that fail it (≳ 16 significant digits) never go through that
 *   path: the plan sends them as text and CASTs on the server (see mssql-plan.ts).
 * - DateTime2/Date: take a JavaScript Date; with `useUTC: true` (forced by the dialect) the
 *   UTC fields are used, and the non-standard `nanosecondDelta` property (seconds) adds the
 *   sub-millisecond part. {@link tediousDateTime} builds such a Date from the zone-less
 *   DateTime, so microseconds are kept and no time zone is involved.
 * - BigInt accepts bigint/string; Int/SmallInt/TinyInt `Number()`; Bit truthiness.
 */
import { canonicalDecimal, type EncodedCell } from '../cell-encode.js';
import type { DateTime } from '../../mapping/values.js';
import type { LiveType } from '../preflight.js';
import type { ColumnModel } from '../schema-types.js';
import { MSSQL_MAX_NVARCHAR } from './mssql-ddl.js';

/** A driver-neutral SQL Server type: the `mssql` type factory name plus its arguments. */
export type MssqlTypeSpec =
  | { readonly name: 'NVarChar' | 'VarChar' | 'NChar' | 'Char'; readonly length: number | 'max' }
  | { readonly name: 'Decimal' | 'Numeric'; readonly precision: number; readonly scale: number }
  | { readonly name: 'DateTime2' | 'DateTimeOffset'; readonly scale: number }
  | { readonly name: 'Int' | 'SmallInt' | 'TinyInt' | 'BigInt' | 'Bit' | 'Float' | 'Real' | 'Date' | 'DateTime' | 'SmallDateTime' };

/** T-SQL spelling of a spec (`nvarchar(50)`, `decimal(18,2)`), for temp tables and CASTs. */
export function mssqlTypeSql(spec: MssqlTypeSpec): string {
  switch (spec.name) {
    case 'NVarChar': case 'VarChar': case 'NChar': case 'Char': return `${spec.name.toLowerCase()}(${spec.length})`;
    case 'Decimal': case 'Numeric': return `${spec.name.toLowerCase()}(${spec.precision},${spec.scale})`;
    case 'DateTime2': case 'DateTimeOffset': return `${spec.name.toLowerCase()}(${spec.scale})`;
    default: return spec.name.toLowerCase();
  }
}

/** The spec the product's own DDL gives a model column. */
export function mssqlSpecForColumn(col: ColumnModel): MssqlTypeSpec {
  const t = col.type;
  switch (t.kind) {
    case 'string': return { name: 'NVarChar', length: t.length === 'max' || t.length > MSSQL_MAX_NVARCHAR ? 'max' : t.length };
    case 'decimal': return { name: 'Decimal', precision: t.precision, scale: t.scale };
    case 'tinyint': return { name: 'TinyInt' };
    case 'smallint': return { name: 'SmallInt' };
    case 'int': return { name: 'Int' };
    case 'bigint': return { name: 'BigInt' };
    case 'bit': return { name: 'Bit' };
    case 'float': return { name: 'Float' };
    case 'date': return { name: 'Date' };
    case 'datetime': case 'instant': return { name: 'DateTime2', scale: 6 };
  }
}

/** One row of the INFORMATION_SCHEMA.COLUMNS catalog query (see mssql-plan.ts). */
export interface MssqlColumnRow {
  readonly table_name: string;
  readonly column_name: string;
  readonly data_type: string;
  readonly max_length: number | null;
  readonly numeric_precision: number | null;
  readonly numeric_scale: number | null;
  readonly datetime_precision: number | null;
  readonly is_nullable: 'YES' | 'NO';
  readonly column_default: string | null;
  readonly is_identity: number | null;
  readonly is_computed: number | null;
}

/** Live catalog row → the spec to bulk-load it with (null for types the product never writes). */
export function mssqlSpecFromLive(r: MssqlColumnRow): MssqlTypeSpec | null {
  const len = r.max_length === null || r.max_length < 0 ? 'max' as const : r.max_length;
  switch (r.data_type.toLowerCase()) {
    case 'nvarchar': return { name: 'NVarChar', length: len };
    case 'varchar': return { name: 'VarChar', length: len };
    case 'nchar': return { name: 'NChar', length: len === 'max' ? 1 : len };
    case 'char': return { name: 'Char', length: len === 'max' ? 1 : len };
    case 'ntext': case 'xml': return { name: 'NVarChar', length: 'max' };
    case 'text': return { name: 'VarChar', length: 'max' };
    case 'decimal': return { name: 'Decimal', precision: r.numeric_precision ?? 18, scale: r.numeric_scale ?? 0 };
    case 'numeric': return { name: 'Numeric', precision: r.numeric_precision ?? 18, scale: r.numeric_scale ?? 0 };
    case 'tinyint': return { name: 'TinyInt' };
    case 'smallint': return { name: 'SmallInt' };
    case 'int': return { name: 'Int' };
    case 'bigint': return { name: 'BigInt' };
    case 'bit': return { name: 'Bit' };
    case 'float': return { name: 'Float' };
    case 'real': return { name: 'Real' };
    case 'date': return { name: 'Date' };
    case 'datetime2': return { name: 'DateTime2', scale: r.datetime_precision ?? 7 };
    case 'datetime': return { name: 'DateTime' };
    case 'smalldatetime': return { name: 'SmallDateTime' };
    case 'datetimeoffset': return { name: 'DateTimeOffset', scale: r.datetime_precision ?? 7 };
    default: return null;
  }
}

/** Live catalog row → preflight LiveType and its display spelling. */
export function mssqlLiveType(r: MssqlColumnRow): { type: LiveType; declared: string } {
  const spec = mssqlSpecFromLive(r);
  const declared = spec ? mssqlTypeSql(spec) : r.data_type;
  if (!spec) return { type: { family: 'other' }, declared };
  switch (spec.name) {
    case 'NVarChar': case 'VarChar': case 'NChar': case 'Char': return { type: { family: 'string', length: spec.length }, declared };
    case 'Decimal': case 'Numeric': return { type: { family: 'exact', precision: spec.precision, scale: spec.scale }, declared };
    case 'TinyInt': return { type: { family: 'integer', kind: 'tinyint' }, declared };
    case 'SmallInt': return { type: { family: 'integer', kind: 'smallint' }, declared };
    case 'Int': return { type: { family: 'integer', kind: 'int' }, declared };
    case 'BigInt': return { type: { family: 'integer', kind: 'bigint' }, declared };
    case 'Bit': return { type: { family: 'bit' }, declared };
    case 'Float': case 'Real': return { type: { family: 'float' }, declared };
    case 'Date': return { type: { family: 'date' }, declared };
    case 'DateTime2': return { type: { family: 'datetime', fractionDigits: spec.scale, zoned: false }, declared };
    case 'DateTime': return { type: { family: 'datetime', fractionDigits: 2, zoned: false }, declared };
    case 'SmallDateTime': return { type: { family: 'datetime', fractionDigits: 0, zoned: false }, declared };
    case 'DateTimeOffset': return { type: { family: 'datetime', fractionDigits: spec.scale, zoned: true }, declared };
  }
}

/** True when tedious's double-based Decimal serialisation of `text` at `scale` is exact. */
export function tediousDecimalExact(text: string, scale: number): boolean {
  const exact = BigInt(text.replace('-', '').replace('.', ''));
  const sent = Math.round(Math.abs(parseFloat(text) * Math.pow(10, scale)));
  return Number.isSafeInteger(sent) && BigInt(sent) === exact;
}

/** A Date carrying tedious's sub-millisecond `nanosecondDelta` (seconds). */
export type TediousDate = Date & { nanosecondDelta?: number };

/** Zone-less DateTime → Date whose UTC fields are its wall-clock fields (requires useUTC: true). */
export function tediousDateTime(d: DateTime): TediousDate {
  const date: TediousDate = new Date(0);
  // setUTCFullYear keeps years 1..99 literal (Date.UTC would map them to 19xx).
  date.setUTCFullYear(d.year, d.month - 1, d.day);
  date.setUTCHours(d.hour, d.minute, d.second, Math.floor(d.micro / 1000));
  date.nanosecondDelta = (d.micro % 1000) / 1e6;
  return date;
}

/** Inclusive value ranges of SQL Server's integer types. */
export const MSSQL_INT_RANGE: Readonly<Record<'TinyInt' | 'SmallInt' | 'Int' | 'BigInt', readonly [bigint, bigint]>> = {
  TinyInt: [0n, 255n],
  SmallInt: [-32768n, 32767n],
  Int: [-2147483648n, 2147483647n],
  BigInt: [-9223372036854775808n, 9223372036854775807n],
};

/** First and last instant (`YYYY-MM-DD HH:MM:SS.ffffff`) SQL Server's date and time types hold. */
export const MSSQL_DATE_RANGE: Readonly<Record<'Date' | 'DateTime2' | 'DateTimeOffset' | 'DateTime' | 'SmallDateTime', readonly [string, string]>> = {
  Date: ['0001-01-01 00:00:00.000000', '9999-12-31 23:59:59.999999'],
  DateTime2: ['0001-01-01 00:00:00.000000', '9999-12-31 23:59:59.999999'],
  DateTimeOffset: ['0001-01-01 00:00:00.000000', '9999-12-31 23:59:59.999999'],
  DateTime: ['1753-01-01 00:00:00.000000', '9999-12-31 23:59:59.997000'],
  SmallDateTime: ['1900-01-01 00:00:00.000000', '2079-06-06 23:59:00.000000'],
};

/** Largest magnitude of `real` (float(24)). */
const MSSQL_REAL_MAX = 3.40e38;

function dateKey(d: Pick<DateTime, 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'micro'>): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${p(d.year, 4)}-${p(d.month)}-${p(d.day)} ${p(d.hour)}:${p(d.minute)}:${p(d.second)}.${p(d.micro, 6)}`;
}

function integerOf(cell: string | number | bigint): bigint | null {
  if (typeof cell === 'bigint') return cell;
  if (typeof cell === 'number') return Number.isSafeInteger(cell) ? BigInt(cell) : null;
  return /^[+-]?\d+$/.test(cell.trim()) ? BigInt(cell.trim()) : null;
}

/**
 * The product's own check that a non-NULL cell fits the live column `spec`, throwing a RangeError
 * that names the value and the type when it does not. SQL Server rejects such values itself; the
 * TDS test server (Babelfish) does not in bulk loads (no precision/scale check, integers cut to
 * their low bits), so checking here gives the same result — the app fails, nothing is stored — on
 * both. Lengths of nvarchar/nchar count UTF-16 code units, as SQL Server does (a character outside
 * the BMP takes two); varchar/char lengths are checked in characters (a lower bound of their bytes).
 */
export function checkMssqlFits(cell: Exclude<EncodedCell, null>, spec: MssqlTypeSpec): void {
  switch (spec.name) {
    case 'NVarChar': case 'NChar': case 'VarChar': case 'Char': {
      if (spec.length === 'max') return;
      const text = typeof cell === 'object' ? cell.iso : String(cell);
      const units = spec.name === 'NVarChar' || spec.name === 'NChar' ? text.length : Array.from(text).length;
      if (units > spec.length) {
        throw new RangeError(`value of ${units} ${spec.name.startsWith('N') ? 'UTF-16 code units' : 'characters'} is too long for ${mssqlTypeSql(spec)}`);
      }
      return;
    }
    case 'TinyInt': case 'SmallInt': case 'Int': case 'BigInt': {
      if (typeof cell === 'object') throw new RangeError(`${cell.iso} is not an integer`);
      const big = integerOf(cell);
      if (big === null) throw new RangeError(`${String(cell)} is not an integer`);
      const [lo, hi] = MSSQL_INT_RANGE[spec.name];
      if (big < lo || big > hi) throw new RangeError(`${String(cell)} is out of range for ${mssqlTypeSql(spec)}`);
      return;
    }
    case 'Real': case 'Float': {
      const n = typeof cell === 'object' ? NaN : Number(cell);
      if (!Number.isFinite(n)) throw new RangeError(`${typeof cell === 'object' ? cell.iso : String(cell)} is not a finite number`);
      if (spec.name === 'Real' && Math.abs(n) > MSSQL_REAL_MAX) throw new RangeError(`${String(cell)} is out of range for real`);
      return;
    }
    case 'Date': case 'DateTime2': case 'DateTimeOffset': case 'DateTime': case 'SmallDateTime': {
      if (typeof cell !== 'object') return; // text into a date column never comes from the product's encoder
      const [lo, hi] = MSSQL_DATE_RANGE[spec.name];
      const key = dateKey(spec.name === 'Date' ? { year: cell.year, month: cell.month, day: cell.day, hour: 0, minute: 0, second: 0, micro: 0 } : cell);
      if (key < lo || key > hi) throw new RangeError(`${cell.iso} is out of range for ${mssqlTypeSql(spec)} (${lo.slice(0, 10)} to ${hi.slice(0, 10)})`);
      return;
    }
    default: return; // Decimal/Numeric: canonicalDecimal checks precision; Bit: any 0/1
  }
}

/** Marker for a decimal value that must travel as text (tedious would round it through a double). */
export interface InexactDecimal { readonly inexactDecimal: string }

/**
 * Converts an encoded cell to the value handed to tedious for `spec`. Decimal text is re-scaled
 * to the live column's scale; if tedious could not send it exactly, an {@link InexactDecimal} is
 * returned and the plan routes the row through a CAST insert. Throws RangeError when the value
 * does not fit the live column (see {@link checkMssqlFits}; decimals: integer digits beyond
 * precision − scale, after rounding to the column's scale).
 */
export function mssqlValue(cell: EncodedCell, spec: MssqlTypeSpec): unknown {
  if (cell === null) return null;
  checkMssqlFits(cell, spec);
  if (typeof cell === 'object') return tediousDateTime(cell);
  if (spec.name === 'Decimal' || spec.name === 'Numeric') {
    const text = canonicalDecimal(String(cell), spec.precision, spec.scale);
    if (text === null) throw new RangeError(`${String(cell)} is not a decimal number`);
    return tediousDecimalExact(text, spec.scale) ? Number(text) : { inexactDecimal: text } satisfies InexactDecimal;
  }
  if (spec.name === 'BigInt') return typeof cell === 'bigint' ? cell : BigInt(cell);
  if (spec.name === 'Bit') return cell === 1 || cell === '1';
  return cell;
}

/** True for the {@link InexactDecimal} marker. */
export function isInexactDecimal(v: unknown): v is InexactDecimal {
  return typeof v === 'object' && v !== null && 'inexactDecimal' in v;
}
