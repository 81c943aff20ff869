/**
 * Cell-by-cell comparison of mapped output with expected output: decimals numerically, datetimes by
 * value (`1900-01-01` equals `1900-01-01T00:00:00`), an absent column equals null.
 */
import { parseDateTime } from '../mapping/dates.js';
import type { AppJson } from './app-json.js';

/** One difference. `row`/`column` are null for document- or table-level differences. */
export interface Difference {
  table: string | null;
  row: number | null;
  column: string | null;
  expected: unknown;
  actual: unknown;
}

const DATE_LIKE = /^\d{4}-\d{2}-\d{2}([ T]|$)/;

/** True when two cell values are the same value. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if ((a === null || a === undefined) && (b === null || b === undefined)) return true;
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a));
  if (typeof a === 'string' && typeof b === 'string' && DATE_LIKE.test(a) && DATE_LIKE.test(b)) {
    const x = parseDateTime(a);
    const y = parseDateTime(b);
    return x !== null && y !== null && x.iso === y.iso;
  }
  return false;
}

/** Every difference between `expected` and `actual`. */
export function compareApps(expected: AppJson, actual: AppJson): Difference[] {
  const out: Difference[] = [];
  if ((expected.error === null) !== (actual.error === null)) {
    out.push({ table: null, row: null, column: null, expected: expected.error, actual: actual.error });
    return out;
  }
  const tables = new Set([...Object.keys(expected.tables), ...Object.keys(actual.tables)]);
  for (const t of tables) {
    const er = expected.tables[t] ?? [];
    const ar = actual.tables[t] ?? [];
    if (er.length !== ar.length) {
      out.push({ table: t, row: null, column: null, expected: `${er.length} rows`, actual: `${ar.length} rows` });
      continue;
    }
    er.forEach((e, i) => {
      const a = ar[i] ?? {};
      const cols = new Set([...Object.keys(e), ...Object.keys(a)]);
      for (const c of cols) {
        if (!sameValue(e[c], a[c])) out.push({ table: t, row: i, column: c, expected: e[c], actual: a[c] });
      }
    });
  }
  return out;
}

/** Stable key of a difference's location. */
export function diffKey(d: Difference): string {
  return `${d.table ?? ''}|${d.row ?? ''}|${d.column ?? ''}`;
}
