/**
 * Converts mapper cell values into exact, dialect-neutral column values (pure).
 *
 * - `''` becomes NULL for every column type (the reference insert stage does the same).
 * - decimals become fixed-scale text (`"12345678901234.56"`, `"34.40"`), rounded half away from
 *   zero in decimal arithmetic when a value has more fraction digits than the column — never
 *   through a double; integer digits beyond precision−scale are a {@link ValueError};
 * - datetimes stay {@link DateTime} values (microseconds kept); an offset, if the source had one,
 *   is dropped — the local wall-clock time is stored unshifted;
 * - strings longer than their column, NUL characters, non-integers in integer columns, and
 *   out-of-range integers are {@link ValueError}s, identical on every dialect.
 */
import { DateTime, Decimal, type CellValue } from '../mapping/values.js';
import { ValueError } from './db-error.js';
import type { ColumnModel, IntegerKind } from './schema-types.js';

/** An encoded cell: text (strings, decimals), number (ints ≤ 2^53, floats, bits), bigint, DateTime, or NULL. */
export type EncodedCell = null | string | number | bigint | DateTime;

const INT_RANGE: Readonly<Record<IntegerKind, readonly [bigint, bigint]>> = {
  tinyint: [0n, 255n],
  smallint: [-32768n, 32767n],
  int: [-2147483648n, 2147483647n],
  bigint: [-9223372036854775808n, 9223372036854775807n],
};

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?$/;
const FLOAT_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;
const INTEGER_TEXT = /^[+-]?\d+$/;
const ISO_DATETIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Expands JavaScript exponent notation (`1e+21`, `1.5e-7`) into plain decimal digits. */
export function plainNumberText(n: number): string {
  const s = String(n);
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign = '', int = '', frac = '', expText = '0'] = m;
  const digits = int + frac;
  const point = int.length + Number(expText);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/**
 * Exact decimal text → fixed-scale canonical text for decimal(precision, scale), or null when the
 * text is not a decimal literal. Throws a RangeError when integer digits exceed precision − scale.
 */
export function canonicalDecimal(text: string, precision: number, scale: number): string | null {
  const m = DECIMAL_TEXT.exec(text.trim());
  if (!m) return null;
  const [, sign = '', intRaw = '', fracRaw = ''] = m;
  if (intRaw === '' && fracRaw === '') return null;
  const frac = fracRaw.padEnd(scale, '0');
  let scaled = BigInt((intRaw || '0') + frac.slice(0, scale));
  // Round half away from zero on the first dropped digit, as SQL Server and PostgreSQL do.
  if ((frac[scale] ?? '0') >= '5') scaled += 1n;
  const digits = scaled.toString().padStart(scale + 1, '0');
  const intPart = digits.slice(0, digits.length - scale);
  if (intPart.replace(/^0+/, '').length > precision - scale) {
    throw new RangeError(`${text} is out of range for decimal(${precision},${scale})`);
  }
  const negative = sign === '-' && scaled !== 0n;
  return (negative ? '-' : '') + intPart + (scale > 0 ? `.${digits.slice(-scale)}` : '');
}

/** Parses ISO-8601 date/date-time text into a zone-less DateTime (offset dropped), or null. */
export function parseDateTimeText(text: string): DateTime | null {
  const m = ISO_DATETIME.exec(text.trim());
  if (!m) return null;
  const n = (i: number): number => Number(m[i] ?? 0);
  const micro = Number((m[7] ?? '').slice(0, 6).padEnd(6, '0'));
  return validDateTime(new DateTime(n(1), n(2), n(3), n(4), n(5), n(6), micro));
}

function validDateTime(d: DateTime): DateTime | null {
  const daysInMonth = new Date(Date.UTC(2000, d.month, 0)).getUTCDate();
  const leapOk = d.month !== 2 || d.day < 29 || isLeap(d.year);
  const ok = d.year >= 1 && d.year <= 9999 && d.month >= 1 && d.month <= 12 && d.day >= 1 && d.day <= daysInMonth
    && leapOk && d.hour <= 23 && d.minute <= 59 && d.second <= 59 && d.micro >= 0 && d.micro <= 999_999;
  return ok ? d : null;
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Encodes one cell for `column` of `table`; `appId` only sharpens error messages. */
export function encodeCell(value: CellValue | undefined, column: ColumnModel, table: string, appId: number | null): EncodedCell {
  if (value === undefined || value === null || value === '') return null;
  const fail = (detail: string): never => { throw new ValueError(table, column.name, appId, detail); };
  const shown = (): string => JSON.stringify(value instanceof Decimal || value instanceof DateTime ? value.toString() : value);
  const type = column.type;
  switch (type.kind) {
    case 'string': {
      const s = typeof value === 'string' ? value
        : typeof value === 'boolean' ? (value ? '1' : '0')
          : typeof value === 'number' ? plainNumberText(value) : value.toString();
      if (s.includes('\u0000')) fail('text contains a NUL character');
      if (type.length !== 'max' && s.length > type.length && codePointLength(s) > type.length) {
        fail(`value of ${codePointLength(s)} characters is too long for varchar(${type.length})`);
      }
      return s;
    }
    case 'decimal': {
      const text = value instanceof Decimal ? value.text
        : typeof value === 'number' ? (Number.isFinite(value) ? plainNumberText(value) : '')
          : typeof value === 'string' ? value : '';
      let out: string | null;
      try {
        out = canonicalDecimal(text, type.precision, type.scale);
      } catch (e) {
        if (e instanceof RangeError) return fail(e.message);
        throw e;
      }
      return out ?? fail(`${shown()} is not a decimal number`);
    }
    case 'tinyint': case 'smallint': case 'int': case 'bigint': {
      let big: bigint | null = null;
      if (typeof value === 'number') big = Number.isSafeInteger(value) ? BigInt(value) : null;
      else if (typeof value === 'boolean') big = value ? 1n : 0n;
      else if (typeof value === 'string') big = INTEGER_TEXT.test(value.trim()) ? BigInt(value.trim()) : null;
      else if (value instanceof Decimal) big = /^[+-]?\d+(\.0*)?$/.test(value.text) ? BigInt(value.text.replace(/\..*$/, '')) : null;
      if (big === null) return fail(`${shown()} is not an integer`);
      const [lo, hi] = INT_RANGE[type.kind];
      if (big < lo || big > hi) fail(`${shown()} is out of range for ${type.kind}`);
      return big >= MIN_SAFE && big <= MAX_SAFE ? Number(big) : big;
    }
    case 'float': {
      const n = typeof value === 'number' ? value
        : value instanceof Decimal ? Number(value.text)
          : typeof value === 'string' && FLOAT_TEXT.test(value.trim()) ? Number(value.trim()) : NaN;
      return Number.isFinite(n) ? n : fail(`${shown()} is not a finite number`);
    }
    case 'bit': {
      const t = value instanceof Decimal ? value.text : typeof value === 'string' ? value.trim().toLowerCase() : value;
      if (t === true || t === 1 || t === '1' || t === 'true') return 1;
      if (t === false || t === 0 || t === '0' || t === 'false') return 0;
      return fail(`${shown()} is not a bit (0/1)`);
    }
    case 'date': case 'datetime': case 'instant': {
      const d = value instanceof DateTime ? validDateTime(value) : typeof value === 'string' ? parseDateTimeText(value) : null;
      if (!d) return fail(`${shown()} is not a valid ${type.kind}`);
      return type.kind === 'date'
        ? new DateTime(d.year, d.month, d.day)
        : d.offset === null ? d : new DateTime(d.year, d.month, d.day, d.hour, d.minute, d.second, d.micro);
    }
  }
}

/** `YYYY-MM-DD HH:MM:SS.ffffff` (always six fraction digits, no zone) — PostgreSQL/T-SQL literal form. */
export function sqlDateTimeText(d: DateTime): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${p(d.year, 4)}-${p(d.month)}-${p(d.day)} ${p(d.hour)}:${p(d.minute)}:${p(d.second)}.${p(d.micro, 6)}`;
}
