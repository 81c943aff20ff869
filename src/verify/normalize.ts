/**
 * Canonical text of a cell, for `xmlmigrate verify` (pure). Both sides of a comparison go through
 * here: the value a run would write (the writer's own encoding, `encodeCell` in cell-encode.ts) and
 * the value read back from the target (as each dialect returns it, see readExpression in
 * target-rows.ts). Two cells are equal when their canonical texts are, so a value that went through
 * a database unchanged always compares equal, whatever form the driver hands it over in:
 *
 * - integers (and app_id/con_id): decimal digits, from number, bigint or text;
 * - bits: `0` / `1`, from 0/1, true/false (SQL Server) or their text;
 * - floats: JavaScript's shortest round-trip text of the double (every dialect stores a double);
 * - decimals: the exact value without insignificant zeros (`34.40`, `34.4` and `034.400` are `34.4`;
 *   `-0.00` is `0`), never through a double — so a live column of another scale still compares by value;
 * - dates: `YYYY-MM-DD`; datetimes: `YYYY-MM-DD HH:MM:SS.ffffff` (six fraction digits), from ISO text
 *   with `T` or a space, any number of fraction digits, or a JavaScript Date (its UTC fields: SQL Server
 *   runs with useUTC) — an offset on a zone-less datetime is dropped, as the writer drops it;
 * - strings: unchanged (trailing spaces and case matter);
 * - NULL: null.
 */
import { plainNumberText, type EncodedCell } from '../db/cell-encode.js';
import type { DialectName } from '../db/db-error.js';
import type { ColumnModel } from '../db/schema-types.js';
import { DateTime } from '../mapping/values.js';

const INTEGER_TEXT = /^\s*[+-]?\d+\s*$/;
const DECIMAL_TEXT = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/;
const DATE_TIME_TEXT = /^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?\s*$/;

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** `YYYY-MM-DD HH:MM:SS.ffffff` of the parts. */
function dateTimeText(y: number, mo: number, d: number, h: number, mi: number, s: number, micro: number): string {
  return `${pad(y, 4)}-${pad(mo)}-${pad(d)} ${pad(h)}:${pad(mi)}:${pad(s)}.${pad(micro, 6)}`;
}

/**
 * Exact decimal text without insignificant zeros, or null when `text` is not a number literal.
 * Exponent notation (`1.5E+2`, a float column read as a decimal) is expanded exactly.
 */
export function canonicalDecimalText(text: string): string | null {
  const m = DECIMAL_TEXT.exec(text);
  if (!m) return null;
  const [, sign = '', intRaw = '', fracRaw = '', expRaw] = m;
  if (intRaw === '' && fracRaw === '') return null;
  let digits = intRaw + fracRaw;
  let point = intRaw.length + (expRaw === undefined ? 0 : Number(expRaw));
  if (point < 0) { digits = '0'.repeat(-point) + digits; point = 0; }
  if (point > digits.length) digits += '0'.repeat(point - digits.length);
  const int = digits.slice(0, point).replace(/^0+/, '') || '0';
  const frac = digits.slice(point).replace(/0+$/, '');
  const body = frac === '' ? int : `${int}.${frac}`;
  return sign === '-' && body !== '0' ? `-${body}` : body;
}

/** Canonical datetime or date text of ISO-like text, or null when it is not one. */
function parseDateTimeText(text: string, dateOnly: boolean): string | null {
  const m = DATE_TIME_TEXT.exec(text);
  if (!m) return null;
  const n = (i: number): number => Number(m[i] ?? 0);
  const micro = Number((m[7] ?? '').slice(0, 6).padEnd(6, '0'));
  const midnight = n(4) === 0 && n(5) === 0 && n(6) === 0 && micro === 0;
  // a date column holds a date; a datetime-typed value at midnight is the same date
  if (dateOnly && midnight) return `${m[1]}-${m[2]}-${m[3]}`;
  return dateTimeText(n(1), n(2), n(3), n(4), n(5), n(6), micro);
}

function dateObjectText(d: Date, dateOnly: boolean): string | null {
  if (Number.isNaN(d.getTime())) return null;
  const text = dateTimeText(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds() * 1000);
  return parseDateTimeText(text, dateOnly);
}

/** A value as text for the fallbacks (a value that is not of the column's type is compared as this). */
function rawText(v: unknown): string {
  if (typeof v === 'number') return plainNumberText(v);
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString();
  if (Buffer.isBuffer(v)) return `0x${v.toString('hex')}`;
  return String(v);
}

/** Canonical text of the value a run writes into `col` (an encoded cell, see encodeCell). */
export function expectedText(cell: EncodedCell, col: ColumnModel): string | null {
  if (cell === null) return null;
  if (cell instanceof DateTime) {
    return col.type.kind === 'date'
      ? `${pad(cell.year, 4)}-${pad(cell.month)}-${pad(cell.day)}`
      : dateTimeText(cell.year, cell.month, cell.day, cell.hour, cell.minute, cell.second, cell.micro);
  }
  return canonical(cell, col);
}

/**
 * Canonical text of a value read back from `col` of a `dialect` target. `dialect` is for the record
 * (the forms of every dialect are accepted: a value read through another driver normalizes the same).
 */
export function foundText(value: unknown, col: ColumnModel, _dialect: DialectName): string | null {
  if (value === null || value === undefined) return null;
  return canonical(value, col);
}

function canonical(v: unknown, col: ColumnModel): string {
  switch (col.type.kind) {
    case 'string':
      return Buffer.isBuffer(v) ? v.toString('utf8') : typeof v === 'string' ? v : rawText(v);
    case 'tinyint': case 'smallint': case 'int': case 'bigint': {
      if (typeof v === 'bigint') return v.toString();
      if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
      if (typeof v === 'boolean') return v ? '1' : '0';
      if (typeof v === 'string' && INTEGER_TEXT.test(v)) return BigInt(v.trim()).toString();
      return rawText(v);
    }
    case 'bit': {
      if (v === true || v === 1 || v === 1n) return '1';
      if (v === false || v === 0 || v === 0n) return '0';
      if (typeof v === 'string') {
        const t = v.trim().toLowerCase();
        if (t === '1' || t === 'true') return '1';
        if (t === '0' || t === 'false') return '0';
      }
      return rawText(v);
    }
    case 'float': {
      const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : typeof v === 'bigint' ? Number(v) : NaN;
      if (!Number.isFinite(n)) return rawText(v);
      return Object.is(n, -0) ? '0' : String(n);
    }
    case 'decimal': {
      const text = typeof v === 'number' ? (Number.isFinite(v) ? plainNumberText(v) : '') : typeof v === 'bigint' ? v.toString() : typeof v === 'string' ? v : '';
      return canonicalDecimalText(text) ?? rawText(v);
    }
    case 'date': case 'datetime': case 'instant': {
      const dateOnly = col.type.kind === 'date';
      const out = v instanceof Date ? dateObjectText(v, dateOnly) : typeof v === 'string' ? parseDateTimeText(v, dateOnly) : null;
      return out ?? rawText(v);
    }
  }
}
