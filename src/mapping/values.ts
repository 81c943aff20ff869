/**
 * Cell values produced by the mapper. Decimals and datetimes are kept exact (never rounded
 * through a double, never shifted through a time zone): they are small immutable classes whose
 * `toJSON()` gives the canonical text.
 */

/** An exact decimal number held as canonical text, e.g. `"34.45"`, `"-0.5"`, `"1000"`. */
export class Decimal {
  constructor(readonly text: string) {}
  toJSON(): number { return Number(this.text); }
  toString(): string { return this.text; }
}

/**
 * A zone-less local date-time with microsecond precision, canonical text
 * `YYYY-MM-DDTHH:MM:SS[.ffffff]` (fraction only when non-zero, like the reference outputs).
 * `offset` is set (e.g. `+00:00`) only when the source text carried one.
 */
export class DateTime {
  constructor(
    readonly year: number, readonly month: number, readonly day: number,
    readonly hour = 0, readonly minute = 0, readonly second = 0,
    /** 0..999999 */
    readonly micro = 0,
    readonly offset: string | null = null,
  ) {}
  get iso(): string {
    const p = (n: number, w = 2) => String(n).padStart(w, '0');
    let s = `${p(this.year, 4)}-${p(this.month)}-${p(this.day)}T${p(this.hour)}:${p(this.minute)}:${p(this.second)}`;
    if (this.micro) s += `.${p(this.micro, 6)}`;
    return this.offset ? s + this.offset : s;
  }
  /** `YYYY-MM-DD` */
  get dateText(): string { return this.iso.slice(0, 10); }
  toJSON(): string { return this.iso; }
  toString(): string { return this.iso; }
}

/** One cell. `null` is SQL NULL. Integers and bits are numbers; floats are numbers. */
export type CellValue = string | number | boolean | Decimal | DateTime | null;

/** One output row: column name → value, in column order. */
export type Row = Record<string, CellValue>;

/** The mapper's result for one document: tables in output order, rows in document order. */
export interface MappedApp {
  appId: number;
  tables: Map<string, Row[]>;
  /** Non-fatal quality issues (e.g. "no valid contact for address filtering"). */
  warnings: string[];
}

/**
 * The first `max` UTF-16 code units of `s` (the unit SQL Server's nvarchar(n) counts), never ending
 * on the first half of a surrogate pair: a character outside the BMP that does not fit whole is
 * dropped whole (a lone surrogate cannot be stored as UTF-8 and some servers reject it).
 */
export function truncateUnits(s: string, max: number): string {
  if (s.length <= max) return s;
  const cut = s.slice(0, max);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}
