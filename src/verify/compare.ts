/**
 * Compares one app's expected rows with the rows found in the target, table by table (pure).
 *
 * Rows are matched on the table's natural key — its primary key in the schema model, which always
 * starts with app_id: `app_id` for one-row-per-app tables, `app_id, con_id` for app_contact_base,
 * `app_id, con_id, <x>_type_enum` for contact children, the fixed key of each row-creator table
 * (`score_identifier`, `indicator`, `name`, `sort_order`, …). Every key value comes from the
 * document (con_id is the document's own contact id; the schema has no identity or generated
 * columns), so a re-map produces the same keys as the run did. A table without a key (a contact
 * table whose type column is not mapped) is compared as a multiset of whole rows; what is left over
 * on both sides is paired by most columns in common, so a changed cell still reads as one changed
 * value rather than a missing plus an extra row.
 */
import type { TableModel } from '../db/schema-types.js';

/** One row as canonical texts (see normalize.ts), aligned with `table.columns`. */
export type CanonicalRow = readonly (string | null)[];

/** One difference inside one app. */
export type RowDiff =
  | { readonly table: string; readonly kind: 'missing-row' | 'extra-row'; readonly key: string; readonly row: Readonly<Record<string, string | null>> }
  | { readonly table: string; readonly kind: 'value'; readonly key: string; readonly column: string; readonly expected: string | null; readonly found: string | null };

/** Counts of one comparison. */
export interface CompareCounts {
  /** Rows the contract maps for the app. */
  expectedRows: number;
  /** Rows found in the target for the app. */
  foundRows: number;
  /** Expected rows found with every value equal. */
  matchedRows: number;
}

/** `con_id=171, address_type_enum=1`: the key columns after app_id, or '' when app_id is the whole key. */
export function keyLabel(table: TableModel, row: CanonicalRow): string {
  const parts: string[] = [];
  table.primaryKey.forEach((k) => {
    if (k === 'app_id') return;
    const i = table.columns.findIndex((c) => c.name === k);
    parts.push(`${k}=${row[i] ?? 'NULL'}`);
  });
  return parts.join(', ');
}

function asRecord(table: TableModel, row: CanonicalRow): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  table.columns.forEach((c, i) => { out[c.name] = row[i] ?? null; });
  return out;
}

/** Index of the columns the rows are matched on: the primary key, or every column. */
function matchColumns(table: TableModel): number[] {
  const key = table.primaryKey.map((k) => table.columns.findIndex((c) => c.name === k));
  return key.length > 0 && key.every((i) => i >= 0) ? key : table.columns.map((_, i) => i);
}

/** A string no canonical text contains, to join key parts unambiguously. */
const SEP = '\u0000';

function groupBy(rows: readonly CanonicalRow[], cols: readonly number[]): Map<string, CanonicalRow[]> {
  const out = new Map<string, CanonicalRow[]>();
  for (const r of rows) {
    const k = cols.map((i) => (r[i] === null ? '\u0001' : r[i])).join(SEP);
    const list = out.get(k);
    if (list) list.push(r); else out.set(k, [r]);
  }
  return out;
}

function valueDiffs(table: TableModel, key: string, expected: CanonicalRow, found: CanonicalRow, out: RowDiff[]): number {
  let n = 0;
  table.columns.forEach((c, i) => {
    const e = expected[i] ?? null;
    const f = found[i] ?? null;
    if (e === f) return;
    n++;
    out.push({ table: table.name, kind: 'value', key, column: c.name, expected: e, found: f });
  });
  return n;
}

function differingColumns(a: CanonicalRow, b: CanonicalRow): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if ((a[i] ?? null) !== (b[i] ?? null)) n++;
  return n;
}

/**
 * Compares one table's rows of one app; appends the differences to `out` and adds to `counts`.
 * Rows of `expected` and `found` are aligned with `table.columns`.
 */
export function compareTable(table: TableModel, expected: readonly CanonicalRow[], found: readonly CanonicalRow[], out: RowDiff[], counts: CompareCounts): void {
  counts.expectedRows += expected.length;
  counts.foundRows += found.length;
  if (expected.length === 0 && found.length === 0) return;
  const keyed = table.primaryKey.length > 0;
  const cols = matchColumns(table);
  const byKey = groupBy(found, cols);
  const missing: CanonicalRow[] = [];
  for (const e of expected) {
    const k = cols.map((i) => (e[i] === null ? '\u0001' : e[i])).join(SEP);
    const list = byKey.get(k);
    const f = list?.shift();
    if (list && list.length === 0) byKey.delete(k);
    if (f === undefined) { missing.push(e); continue; }
    if (!keyed || valueDiffs(table, keyLabel(table, e), e, f, out) === 0) counts.matchedRows++;
  }
  const extra = [...byKey.values()].flat();
  if (!keyed) {
    // pair what is left by most columns in common: a row with one changed cell is one changed value
    for (let m = 0; m < missing.length; m++) {
      const e = missing[m]!;
      let best = -1;
      let bestDiff = Infinity;
      extra.forEach((f, j) => {
        const d = differingColumns(e, f);
        if (d < bestDiff) { bestDiff = d; best = j; }
      });
      if (best < 0 || bestDiff * 2 > table.columns.length) continue;
      const f = extra.splice(best, 1)[0]!;
      valueDiffs(table, `row ${m + 1} without a key`, e, f, out);
      missing.splice(m--, 1);
    }
  }
  for (const e of missing) out.push({ table: table.name, kind: 'missing-row', key: keyLabel(table, e), row: asRecord(table, e) });
  for (const f of extra) out.push({ table: table.name, kind: 'extra-row', key: keyLabel(table, f), row: asRecord(table, f) });
}
