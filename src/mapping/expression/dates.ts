/**
 * Small, allocation-light date parser and calendar arithmetic for the expression language
 * (DATE('…') literals, date comparisons, DATEADD). Independent of the coercion module on purpose.
 */
import { DateTime } from '../values.js';

// Parser cursor (module-level: parsing is synchronous and non-reentrant).
let P = 0;

/** Whitespace as understood by String.prototype.trim (the common part of it). */
export function isWhitespace(c: number): boolean {
  if (c > 32 && c < 0xa0) return false; // fast path: printable ASCII
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0xfeff || c === 0x1680
    || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

/** Read 1..max digits at P; returns the value and advances P, or -1 when no digit is there. */
function digits(s: string, end: number, max: number): number {
  let v = 0;
  const start = P;
  while (P < end && P - start < max) {
    const c = s.charCodeAt(P);
    if (c < 48 || c > 57) break;
    v = v * 10 + (c - 48);
    P++;
  }
  return P === start ? -1 : v;
}

/** Number of days in a month of the proleptic Gregorian calendar. */
export function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/**
 * Parse date text liberally: `YYYY-MM-DD` (or `YYYY/MM/DD`), optionally followed by a space or `T`
 * and `H:M[:S[.fraction]]`; or `M/D/YYYY` with an optional ` H:M[:S[.fraction]]` (when M > 12 and
 * D ≤ 12 the text is read as D/M/YYYY). Fields need not be zero-padded; a time may carry ` AM`/` PM`
 * and a `Z`/`±HH[:MM]` offset. The fraction keeps 6 digits (extra digits are truncated).
 * Returns null for anything else or an impossible date/time.
 */
export function parseExprDate(text: string): DateTime | null {
  let end = text.length;
  P = 0;
  while (P < end && isWhitespace(text.charCodeAt(P))) P++;
  while (end > P && isWhitespace(text.charCodeAt(end - 1))) end--;
  const s0 = P;
  const first = digits(text, end, 4);
  if (first < 0 || P >= end) return null;
  const firstLen = P - s0;
  const sep = text.charCodeAt(P);
  let y: number; let m: number; let d: number;
  if (firstLen === 4 && (sep === 45 /* - */ || sep === 47 /* / */)) {
    y = first;
    P++;
    m = digits(text, end, 2);
    if (m < 0 || text.charCodeAt(P) !== sep) return null;
    P++;
    d = digits(text, end, 2);
    if (d < 0) return null;
  } else if (firstLen <= 2 && sep === 47) {
    m = first;
    P++;
    d = digits(text, end, 2);
    if (d < 0 || text.charCodeAt(P) !== 47) return null;
    P++;
    const ys = P;
    y = digits(text, end, 4);
    if (P - ys !== 4) return null;
    if (m > 12 && d <= 12) { const t = m; m = d; d = t; }
  } else {
    return null;
  }
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return null;
  if (P === end) return new DateTime(y, m, d);
  // time part
  const c = text.charCodeAt(P);
  if (c === 84 /* T */ || c === 116 /* t */) P++;
  else if (c === 32) { while (P < end && text.charCodeAt(P) === 32) P++; }
  else return null;
  let h = digits(text, end, 2);
  if (h < 0 || text.charCodeAt(P) !== 58 /* : */) return null;
  P++;
  const mi = digits(text, end, 2);
  if (mi < 0) return null;
  let sec = 0; let micro = 0;
  if (P < end && text.charCodeAt(P) === 58) {
    P++;
    sec = digits(text, end, 2);
    if (sec < 0) return null;
    if (P < end && text.charCodeAt(P) === 46 /* . */) {
      P++;
      const fs = P;
      const f = digits(text, end, 9);
      if (f < 0) return null;
      const len = P - fs;
      micro = len <= 6 ? f * 10 ** (6 - len) : Math.trunc(f / 10 ** (len - 6));
    }
  }
  while (P < end && text.charCodeAt(P) === 32) P++;
  if (P + 1 < end && (text.charCodeAt(P + 1) | 32) === 109 /* m */) {
    const ap = text.charCodeAt(P) | 32;
    if (ap === 97 /* a */ || ap === 112 /* p */) {
      if (h < 1 || h > 12) return null;
      h = ap === 97 ? (h === 12 ? 0 : h) : (h === 12 ? 12 : h + 12);
      P += 2;
      while (P < end && text.charCodeAt(P) === 32) P++;
    }
  }
  let offset: string | null = null;
  if (P < end) {
    const oc = text.charCodeAt(P);
    if ((oc === 90 || oc === 122) && P + 1 === end) { // Z
      offset = '+00:00';
      P++;
    } else if (oc === 43 || oc === 45) { // + -
      P++;
      const hs = P;
      const oh = digits(text, end, 2);
      if (P - hs !== 2) return null;
      let om = 0;
      if (P < end && text.charCodeAt(P) === 58) P++;
      if (P < end) {
        const ms = P;
        om = digits(text, end, 2);
        if (P - ms !== 2) return null;
      }
      if (oh > 23 || om > 59) return null;
      offset = `${oc === 43 ? '+' : '-'}${String(oh).padStart(2, '0')}:${String(om).padStart(2, '0')}`;
    }
    if (P !== end) return null;
  }
  if (h > 23 || mi > 59 || sec > 59) return null;
  return new DateTime(y, m, d, h, mi, sec, micro, offset);
}

/** Days since 1970-01-01 of a proleptic Gregorian date. */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** `dt`'s date plus `days` whole days, at midnight, without offset; null outside years 1..9999. */
export function addDays(dt: DateTime, days: number): DateTime | null {
  const z = daysFromCivil(dt.year, dt.month, dt.day) + days + 719468;
  if (!Number.isSafeInteger(z)) return null;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  if (y < 1 || y > 9999) return null;
  return new DateTime(y, m, d);
}

function offsetMinutes(off: string): number {
  const v = Number(off.slice(1, 3)) * 60 + Number(off.slice(4, 6));
  return off.charCodeAt(0) === 45 ? -v : v;
}

/**
 * Chronological comparison (-1, 0, 1). Offsets are honoured only when both values carry one;
 * otherwise wall-clock values are compared.
 */
export function compareDateTimes(a: DateTime, b: DateTime): number {
  if (a.offset === null || b.offset === null) {
    // wall-clock comparison, field by field (the common case: no day arithmetic needed)
    const d = a.year - b.year || a.month - b.month || a.day - b.day || a.hour - b.hour
      || a.minute - b.minute || a.second - b.second || a.micro - b.micro;
    return d < 0 ? -1 : d > 0 ? 1 : 0;
  }
  const todA = ((a.hour * 60 + a.minute) * 60 + a.second) * 1e6 + a.micro - offsetMinutes(a.offset) * 6e7;
  const todB = ((b.hour * 60 + b.minute) * 60 + b.second) * 1e6 + b.micro - offsetMinutes(b.offset) * 6e7;
  const diff = (daysFromCivil(a.year, a.month, a.day) - daysFromCivil(b.year, b.month, b.day)) * 864e8 + (todA - todB);
  return diff < 0 ? -1 : diff > 0 ? 1 : 0;
}
