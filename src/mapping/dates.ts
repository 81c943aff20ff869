/**
 * Liberal date-time parsing with the formats the reference accepts (section 9.1):
 * `Y-M-D[ H:M:S[.f]]` (non-padded fields allowed; seconds 60–99 clamp to 59), `Y-M-DTH:M:S[.f][Z|±hh:mm]`,
 * `M/D/Y[ H:M:S[ AM|PM]]`, then `D/M/Y[ H:M:S]` when the month would exceed 12, and `YYYYMMDD`.
 * Returns null when nothing fits or the calendar date does not exist.
 */
import { DateTime } from './values.js';

const ISO_RE = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;
const US_RE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?(?:\s*([AaPp][Mm]))?)?$/;
const COMPACT_RE = /^(\d{4})(\d{2})(\d{2})$/;

function daysInMonth(y: number, m: number): number {
  return [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1] ?? 0;
}

function build(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, micro = 0, offset: string | null = null): DateTime | null {
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return null;
  return new DateTime(y, mo, d, h, mi, s, micro, offset);
}

function fraction(f: string | undefined): number {
  if (!f) return 0;
  return Number((f + '000000').slice(0, 6));
}

/** Parses date/time text; see the module comment for the accepted forms. */
export function parseDateTime(raw: string): DateTime | null {
  const text = raw.trim();
  if (text === '') return null;
  let m = ISO_RE.exec(text);
  if (m) {
    let sec = m[6] ? Number(m[6]) : 0;
    // the reference clamps impossible seconds (e.g. "8:08:88.008") to 59 rather than rejecting the value
    if (sec > 59 && m[4] !== undefined) sec = 59;
    let off: string | null = null;
    if (m[8]) off = m[8] === 'Z' ? '+00:00' : m[8].length === 5 ? `${m[8].slice(0, 3)}:${m[8].slice(3)}` : m[8];
    return build(Number(m[1]), Number(m[2]), Number(m[3]), m[4] ? Number(m[4]) : 0, m[5] ? Number(m[5]) : 0, sec, fraction(m[7]), off);
  }
  m = US_RE.exec(text);
  if (m) {
    let h = m[4] ? Number(m[4]) : 0;
    if (m[7]) {
      const pm = m[7].toLowerCase() === 'pm';
      if (h < 1 || h > 12) return null;
      h = (h % 12) + (pm ? 12 : 0);
    }
    const mi = m[5] ? Number(m[5]) : 0;
    const s = m[6] ? Number(m[6]) : 0;
    const a = Number(m[1]);
    const b = Number(m[2]);
    const y = Number(m[3]);
    return build(y, a, b, h, mi, s) ?? (m[7] ? null : build(y, b, a, h, mi, s));
  }
  m = COMPACT_RE.exec(text);
  if (m) return build(Number(m[1]), Number(m[2]), Number(m[3]));
  return null;
}

/** Current UTC time as a DateTime (millisecond precision). */
export function utcNow(): DateTime {
  const d = new Date();
  return new DateTime(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds() * 1000);
}
