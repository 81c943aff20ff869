/**
 * Exact decimal arithmetic on number text: parsing, half-up rounding, canonical text.
 * Never goes through a double, so `"2.675"` rounds to `"2.68"` and 18-digit amounts stay exact.
 */

/** A parsed finite number: value = (-1)^neg × digits × 10^exp, digits without leading zeros ("" = 0). */
interface DecParts { neg: boolean; digits: string; exp: number }

const NUM_RE = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Parses plain decimal text (`-12.50`, `.5`, `1e3`); returns null when it is not a number. */
function parseParts(text: string): DecParts | null {
  const m = NUM_RE.exec(text);
  if (!m) return null;
  const intPart = m[2] ?? '';
  const frac = m[3] ?? '';
  if (intPart === '' && frac === '') return null;
  let digits = (intPart + frac).replace(/^0+/, '');
  let exp = -frac.length + (m[4] ? Number(m[4]) : 0);
  if (!Number.isFinite(exp) || Math.abs(exp) > 400) return null;
  // strip trailing zeros into the exponent
  let k = digits.length;
  while (k > 0 && digits.charCodeAt(k - 1) === 48) k--;
  exp += digits.length - k;
  digits = digits.slice(0, k);
  return { neg: m[1] === '-' && digits !== '', digits, exp };
}

function partsToText(p: DecParts): string {
  if (p.digits === '') return '0';
  let s: string;
  if (p.exp >= 0) s = p.digits + '0'.repeat(p.exp);
  else {
    const point = p.digits.length + p.exp;
    s = point > 0 ? `${p.digits.slice(0, point)}.${p.digits.slice(point)}` : `0.${'0'.repeat(-point)}${p.digits}`;
  }
  return p.neg ? `-${s}` : s;
}

/** Rounds half away from zero (Python ROUND_HALF_UP) to `places` fraction digits. */
function roundParts(p: DecParts, places: number): DecParts {
  if (p.digits === '' || p.exp >= -places) return p;
  const drop = -places - p.exp; // number of digits to remove from the right
  if (drop > p.digits.length) return { neg: false, digits: '', exp: 0 };
  const keep = p.digits.slice(0, p.digits.length - drop);
  const first = p.digits.charCodeAt(p.digits.length - drop) - 48;
  let kept = keep === '' ? '0' : keep;
  if (first >= 5) kept = incrementDigits(kept);
  const out = { neg: p.neg, digits: kept.replace(/^0+/, ''), exp: -places };
  return normalize(out);
}

function normalize(p: DecParts): DecParts {
  let k = p.digits.length;
  while (k > 0 && p.digits.charCodeAt(k - 1) === 48) k--;
  const digits = p.digits.slice(0, k);
  return { neg: p.neg && digits !== '', digits, exp: p.exp + (p.digits.length - k) };
}

function incrementDigits(d: string): string {
  const a = d.split('');
  let i = a.length - 1;
  while (i >= 0) {
    if (a[i] === '9') { a[i] = '0'; i--; } else { a[i] = String.fromCharCode(a[i]!.charCodeAt(0) + 1); break; }
  }
  return i < 0 ? `1${a.join('')}` : a.join('');
}

/**
 * Normalizes human number text: trims, drops a leading currency sign and thousands separators
 * (`"$1,234.50"` → `"1234.50"`, `"-5"` stays). Returns null when what remains is not a number.
 */
export function cleanNumberText(raw: string): string | null {
  let s = raw.trim();
  if (s === '') return null;
  let sign = '';
  if (s[0] === '-' || s[0] === '+') { sign = s[0] === '-' ? '-' : ''; s = s.slice(1).trimStart(); }
  if (s[0] === '$') s = s.slice(1).trimStart();
  if (s[0] === '-' || s[0] === '+') return null; // a second sign ("--5", "-$-5")
  if (s.includes(',')) {
    // thousands separators only between digit groups: 1,234 or 12,345,678.9
    if (!/^\d{1,3}(,\d{3})+(\.\d*)?$/.test(s)) return null;
    s = s.replace(/,/g, '');
  }
  return parseParts(s) ? sign + s : null;
}

/** Exact canonical decimal text of `text` rounded half-up to `places` (null when not a number). */
export function roundDecimalText(text: string, places: number): string | null {
  const p = parseParts(text);
  return p ? partsToText(roundParts(p, places)) : null;
}

/** Canonical text of a plain number text without rounding (`"007.50"` → `"7.5"`). */
export function canonicalDecimalText(text: string): string | null {
  const p = parseParts(text);
  return p ? partsToText(p) : null;
}

/** Shortest round-trip text of a JS number in plain (non-exponent) notation when reasonable. */
export function numberToText(n: number): string {
  const s = String(n);
  if (!/[eE]/.test(s)) return s;
  const p = parseParts(s);
  return p ? partsToText(p) : s;
}

/** First signed number run in free text (`"Up to $40"` → `"40"`, `"approx -1,200.5 USD"` → `"-1200.5"`). */
export function firstNumberRun(text: string): string | null {
  const m = /([+-]?)\$?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?/.exec(text);
  if (!m) return null;
  return `${m[1] === '-' ? '-' : ''}${(m[2] ?? '').replace(/,/g, '')}${m[3] ?? ''}`;
}
