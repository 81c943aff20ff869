/**
 * Value formatting for synthetic documents: XML escaping, attribute lists, and the several
 * real-world spellings of dates, SSNs, phones, zips and amounts that the mapper must cope with.
 */
import type { Rng } from './prng.js';

/** Escapes text for an attribute value (`&`, `<`, `>`, `"`, `'` → entities; `'` as `&#39;`). */
export function escAttr(s: string): string {
  if (!/[&<>"']/.test(s)) return s;
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Escapes text for element content (`&`, `<`, `>`). */
export function escText(s: string): string {
  if (!/[&<>]/.test(s)) return s;
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An attribute list: `undefined` values are omitted, everything else is escaped. */
export type AttrList = readonly (readonly [string, string | undefined])[];

/** Renders ` a="1" b=""` (leading space included) from an attribute list. */
export function attrs(list: AttrList): string {
  let s = '';
  for (const [k, v] of list) if (v !== undefined) s += ` ${k}="${escAttr(v)}"`;
  return s;
}

/**
 * Decides how an optional attribute appears: in `complete` mode always `make()`; otherwise
 * `make()` with probability `pFill`, else mostly `""` (as the source system writes) and
 * occasionally omitted altogether.
 */
export function opt(rng: Rng, complete: boolean, pFill: number, make: () => string): string | undefined {
  if (complete) return make();
  const r = rng.next();
  if (r < pFill) return make();
  return r < pFill + (1 - pFill) * 0.9 ? '' : undefined;
}

const p2 = (n: number): string => (n < 10 ? '0' : '') + String(n);

/** Milliseconds since the epoch for a random instant between two `YYYY-MM-DD` dates (UTC). */
export function randomInstant(rng: Rng, from: string, to: string): number {
  const a = Date.parse(`${from}T00:00:00Z`);
  const b = Date.parse(`${to}T00:00:00Z`);
  return a + Math.floor(rng.next() * (b - a));
}

/** `2025-10-09 21:51:08.027` — the source system's usual timestamp. */
export function fmtStamp(ms: number): string {
  const d = new Date(ms);
  const milli = String(d.getUTCMilliseconds()).padStart(3, '0');
  return `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.${milli}`;
}

/** A timestamp in one of the spellings seen in real documents (mostly the usual one). */
export function fmtDateTime(rng: Rng, ms: number): string {
  const d = new Date(ms);
  const y = d.getUTCFullYear(), mo = d.getUTCMonth() + 1, da = d.getUTCDate();
  const h = d.getUTCHours(), mi = d.getUTCMinutes(), se = d.getUTCSeconds();
  switch (rng.weighted([[0, 62], [1, 14], [2, 10], [3, 9], [4, 5]] as const)) {
    case 0: return fmtStamp(ms);
    case 1: return `${y}-${mo}-${da} ${h}:${mi}:${se}.${Math.floor(d.getUTCMilliseconds() / 100)}`;
    case 2: return `${y}-${p2(mo)}-${p2(da)}T${p2(h)}:${p2(mi)}:${p2(se)}`;
    case 3: return `${p2(mo)}/${p2(da)}/${y}`;
    default: return `${p2(mo)}/${p2(da)}/${y} ${p2(h)}:${p2(mi)}:${p2(se)}`;
  }
}

/** A calendar date: mostly `MM/DD/YYYY`, some ISO, rarely `DD/MM/YYYY` (only when unambiguous). */
export function fmtDate(rng: Rng, ms: number): string {
  const d = new Date(ms);
  const y = d.getUTCFullYear(), mo = d.getUTCMonth() + 1, da = d.getUTCDate();
  const r = rng.next();
  if (r < 0.02 && da > 12) return `${p2(da)}/${p2(mo)}/${y}`;
  if (r < 0.72) return `${p2(mo)}/${p2(da)}/${y}`;
  return `${y}-${p2(mo)}-${p2(da)}`;
}

/** A never-issued SSN (group `00`), some with a leading zero, in several spellings. */
export function fmtSsn(rng: Rng): string {
  const area = rng.chance(0.3) ? `0${rng.digits(2)}` : String(rng.int(100, 899));
  const serial = rng.digits(4);
  return rng.weighted([
    [`${area}00${serial}`, 62], [`${area}-00-${serial}`, 28], [`${area} 00 ${serial}`, 6], [`${area}-00${serial}`, 4],
  ] as const);
}

/** A 555-01xx (fictional) phone number in one of several spellings; rarely with junk digits. */
export function fmtPhone(rng: Rng): string {
  const area = String(rng.int(201, 989));
  const line = `01${rng.digits(2)}`;
  return rng.weighted([
    [`${area}555${line}`, 40], [`(${area}) 555-${line}`, 25], [`${area}-555-${line}`, 15],
    [`${area}.555.${line}`, 8], [`+1 ${area} 555 ${line}`, 7], [`${area}555${line}${rng.digits(6)}`, 5],
  ] as const);
}

/** A zip code: 5 digits (a third with a leading zero), ZIP+4 with or without dash, rarely truncated. */
export function fmtZip(rng: Rng): string {
  const five = rng.chance(0.33) ? `0${rng.digits(4)}` : String(rng.int(10000, 99999));
  return rng.weighted([
    [five, 70], [`${five}-${rng.digits(4)}`, 15], [`${five}${rng.digits(4)}`, 10], [five.replace(/^0/, ''), 5],
  ] as const);
}

/** A money amount such as `800.00`, `1250.5`, `$40.00` or `75`. */
export function fmtMoney(rng: Rng, min: number, max: number, dollarSign = false): string {
  const v = rng.int(min * 100, max * 100) / 100;
  const s = rng.weighted([[v.toFixed(2), 60], [String(v), 25], [String(Math.round(v)), 15]] as const);
  return dollarSign ? `$${s}` : s;
}

/** A score in the spellings seen in the wild: plain, zero-padded, decimal, or with a thousands separator. */
export function fmtScore(rng: Rng, min: number, max: number): string {
  const v = rng.int(min, max);
  const r = rng.next();
  if (r < 0.08) return String(v).padStart(4, '0');
  if (r < 0.14) return `${v}.${rng.digits(2)}`;
  if (r < 0.18 && v >= 1000) return String(v).replace(/\B(?=(\d{3})+$)/g, ',');
  if (r < 0.19) return 'N/A';
  return String(v);
}

/** A Y/N/U/blank flag with the given probability of `Y`. */
export function fmtFlag(rng: Rng, pYes: number): string {
  const r = rng.next();
  if (r < pYes) return rng.chance(0.95) ? 'Y' : 'y';
  if (r < pYes + (1 - pYes) * 0.6) return 'N';
  if (r < pYes + (1 - pYes) * 0.7) return 'U';
  return '';
}
