/**
 * Text helpers used at evaluation time: numeric parsing with thousands separators, blank tests
 * and SQL-Server-like case-insensitive string comparison. All allocation-free on the common path.
 */
import { isWhitespace } from './dates.js';

/** True when `s` is empty or only whitespace (what `trim()` would reduce to ''). */
export function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isWhitespace(s.charCodeAt(i))) return false;
  return true;
}

/** Exact powers of ten 10^0..10^15. */
const POW10: readonly number[] = Array.from({ length: 16 }, (_, k) => 10 ** k);

/**
 * Parse numeric text: surrounding whitespace ignored, optional sign, digits with optional
 * thousands separators (strict groups of three: `1,234,567`), optional fraction (`.5`, `5.`, `1,234.50`).
 * No exponents, no hex, no Infinity. Returns NaN when the text is not such a number.
 */
export function parseNumber(s: string): number {
  let i = 0;
  let end = s.length;
  while (i < end && isWhitespace(s.charCodeAt(i))) i++;
  while (end > i && isWhitespace(s.charCodeAt(end - 1))) end--;
  const start = i;
  let negative = false;
  let c = s.charCodeAt(i);
  if (c === 43 || c === 45) { negative = c === 45; i++; }
  let digitCount = 0;
  let mantissa = 0; // all digits as an integer (exact while digitCount <= 15)
  let group = 0; // digits since the last comma
  let commas = false;
  while (i < end) {
    c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) { mantissa = mantissa * 10 + (c - 48); digitCount++; group++; i++; continue; }
    if (c !== 44) break; // ,
    if (group === 0 || (commas ? group !== 3 : group > 3)) return NaN;
    commas = true;
    group = 0;
    i++;
  }
  if (commas && group !== 3) return NaN;
  let fracDigits = 0;
  if (i < end && s.charCodeAt(i) === 46) { // .
    i++;
    while (i < end) {
      c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      mantissa = mantissa * 10 + (c - 48);
      fracDigits++;
      digitCount++;
      i++;
    }
  }
  if (i !== end || digitCount === 0) return NaN;
  if (digitCount <= 15) {
    // exact integer / exact power of ten: one correctly rounded division, identical to Number(text)
    const v = fracDigits === 0 ? mantissa : mantissa / (POW10[fracDigits] ?? 1);
    return negative ? -v : v;
  }
  const body = s.slice(start, end);
  return Number(commas ? body.replaceAll(',', '') : body);
}

/** Length of `s` without trailing U+0020 spaces (SQL Server ignores them when comparing). */
function paddedLength(s: string): number {
  let n = s.length;
  while (n > 0 && s.charCodeAt(n - 1) === 32) n--;
  return n;
}

/**
 * Case-insensitive comparison ignoring trailing spaces (-1, 0, 1). ASCII is folded inline;
 * strings with non-ASCII characters fall back to `toLowerCase()` and code-unit order.
 */
export function compareText(a: string, b: string): number {
  const la = paddedLength(a);
  const lb = paddedLength(b);
  const n = la < lb ? la : lb;
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x > 127 || y > 127) return compareSlow(a.slice(0, la), b.slice(0, lb));
    if (x >= 65 && x <= 90) x += 32;
    if (y >= 65 && y <= 90) y += 32;
    if (x !== y) return x < y ? -1 : 1;
  }
  if (la === lb) return 0;
  // equal up to the shorter length: the shorter string sorts first
  return la < lb ? -1 : 1;
}

function compareSlow(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x === y ? 0 : x < y ? -1 : 1;
}
