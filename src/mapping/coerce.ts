/**
 * Type coercion of mapped values to a column's data_type (reference section 9.1, with the product
 * fixes B3, B4 and B9 unless the legacy flag asks for the reference defect).
 */
import type { DataType } from './contract-types.js';
import { parseDateTime } from './dates.js';
import type { DecisionId } from './legacy.js';
import { canonicalDecimalText, cleanNumberText, firstNumberRun, numberToText, roundDecimalText } from './numbers.js';
import { DateTime, Decimal, type CellValue } from './values.js';

/** Integer data types. */
export const INT_TYPES: ReadonlySet<string> = new Set(['int', 'smallint', 'bigint', 'tinyint']);

/** Blank = null/undefined or a string that is empty after trimming. */
export function isBlank(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === 'string' && v.trim() === '');
}

const TRUE_WORDS = new Set(['1', 'y', 'yes', 'true', 't']);
const FALSE_WORDS = new Set(['0', 'n', 'no', 'false', 'f']);

/** Per-call coercion settings. */
export interface CoerceOpts {
  /** Fraction digits for decimals (default 2). */
  readonly places?: number | null;
  /** The value came from a direct mapping (the reference pre-extracts the first number for ints). */
  readonly direct?: boolean;
  readonly legacy: ReadonlySet<DecisionId>;
}

function toInt(text: string, opts: CoerceOpts): number | null {
  let t = text.trim();
  if (opts.legacy.has('B4')) {
    if (opts.direct && !/^\d+$/.test(t)) {
      const m = /\d+(?:\.\d+)?/.exec(t);
      if (!m) return null;
      t = m[0];
    }
    const r = roundDecimalText(t.replace(/,/g, ''), 0);
    return r === null ? null : Number(r);
  }
  const clean = cleanNumberText(t) ?? (opts.direct ? firstNumberRun(t) : null);
  if (clean === null) return null;
  const r = roundDecimalText(clean, 0);
  return r === null ? null : Number(r);
}

function toDecimal(v: string | number, opts: CoerceOpts): Decimal | null {
  const places = opts.places ?? 2;
  const text = typeof v === 'number' ? numberToText(v) : opts.legacy.has('B4') ? v.trim() : cleanNumberText(v) ?? v.trim();
  const r = roundDecimalText(text, places);
  return r === null ? null : new Decimal(r);
}

/**
 * Coerces `v` to `type`. Returns null when the value cannot be converted (the caller decides whether
 * that means "omit", "default" or "fail").
 */
export function coerce(v: CellValue, type: DataType, opts: CoerceOpts): CellValue {
  if (v === null || (typeof v === 'string' && v.trim() === '')) return null;
  switch (type) {
    case 'string':
      if (typeof v === 'number') return opts.legacy.has('B9') && Number.isInteger(v) && !opts.direct ? `${v}.0` : numberToText(v);
      if (v instanceof DateTime) return v.iso.replace('T', ' ');
      return String(v);
    case 'int': case 'smallint': case 'bigint': case 'tinyint':
      if (typeof v === 'number') return Number(roundDecimalText(numberToText(v), 0));
      if (v instanceof Decimal) return Number(roundDecimalText(v.text, 0));
      if (typeof v === 'string') return toInt(v, opts);
      return null;
    case 'decimal':
      if (v instanceof Decimal) return new Decimal(roundDecimalText(v.text, opts.places ?? 2) ?? v.text);
      if (typeof v === 'number' || typeof v === 'string') return toDecimal(v, opts);
      return null;
    case 'float': {
      if (typeof v === 'number') return v;
      const t = typeof v === 'string' ? (opts.legacy.has('B4') ? v.trim() : cleanNumberText(v) ?? v.trim()) : String(v);
      const c = canonicalDecimalText(t);
      return c === null ? null : Number(c);
    }
    case 'datetime': case 'smalldatetime': case 'date':
      if (v instanceof DateTime) return v;
      return typeof v === 'string' ? parseDateTime(v) : null;
    case 'bit': case 'boolean': {
      if (opts.legacy.has('B3')) return v ? 1 : 0;
      if (typeof v === 'number') return v === 0 ? 0 : 1;
      const t = String(v).trim().toLowerCase();
      if (TRUE_WORDS.has(t)) return 1;
      if (FALSE_WORDS.has(t)) return 0;
      return null;
    }
    default:
      return String(v);
  }
}
