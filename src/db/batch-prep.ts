/**
 * Dialect-neutral preparation of a {@link WriteBatch} (pure): encodes every cell against its
 * column (see `cell-encode.ts`), drops duplicate primary keys inside the batch per the table's
 * {@link DuplicatePolicy}, and turns {@link LogRow}s into processing_log rows.
 * Every dialect's writer starts from the {@link PreparedBatch} this returns.
 */
import type { CellValue, Row } from '../mapping/values.js';
import { encodeCell, type EncodedCell } from './cell-encode.js';
import { ValueError } from './db-error.js';
import type { DroppedDuplicate, LogRow, WriteBatch } from './dialect.js';
import { FAILURE_REASON_MAX, type TableModel } from './schema-types.js';

/** One table's rows, each aligned with `table.columns` (NULL where the row had no value). */
export interface PreparedTable {
  readonly table: TableModel;
  readonly rows: EncodedCell[][];
  /** Per column: true when at least one row has a non-NULL value in it. */
  readonly used: boolean[];
}

/** A batch ready for a writer. */
export interface PreparedBatch {
  /** Data tables in batch order (tables with no rows left out). */
  readonly tables: PreparedTable[];
  /** processing_log rows (always present, maybe empty). */
  readonly log: PreparedTable;
  readonly duplicatesDropped: DroppedDuplicate[];
}

function truncate(s: string | null | undefined, max: number): string | null {
  if (s === null || s === undefined || s === '') return null;
  if (s.length <= max) return s;
  // Cut on a code-point boundary so a surrogate pair is never split.
  return Array.from(s).slice(0, max).join('');
}

/** Encodes one table's rows; unknown row keys are a ValueError (never silently dropped). */
export function prepareTable(table: TableModel, rows: readonly Row[]): PreparedTable {
  const index = new Map(table.columns.map((c, i) => [c.name, i]));
  const used = table.columns.map(() => false);
  const appIdIndex = index.get('app_id');
  const out = rows.map((row) => {
    const rawAppId = appIdIndex === undefined ? undefined : row['app_id'];
    const appId = typeof rawAppId === 'number' ? rawAppId : null;
    const cells: EncodedCell[] = new Array<EncodedCell>(table.columns.length).fill(null);
    for (const key of Object.keys(row)) {
      const i = index.get(key);
      if (i === undefined) throw new ValueError(table.name, key, appId, 'the table has no such column in the schema model');
      const column = table.columns[i];
      if (!column) continue;
      const cell = encodeCell(row[key] as CellValue | undefined, column, table.name, appId);
      cells[i] = cell;
      if (cell !== null) used[i] = true;
    }
    return cells;
  });
  return { table, rows: out, used };
}

function keyText(cell: EncodedCell): string {
  return cell === null ? '\u0000' : typeof cell === 'object' ? cell.iso : String(cell);
}

/** Applies the table's duplicate policy in place of `prepared.rows`; returns what was dropped. */
export function dropDuplicates(prepared: PreparedTable): DroppedDuplicate[] {
  const { table } = prepared;
  if (table.duplicatePolicy === 'error' || table.primaryKey.length === 0) return [];
  const keyIdx = table.primaryKey.map((k) => table.columns.findIndex((c) => c.name === k));
  if (keyIdx.some((i) => i < 0)) return [];
  const appIdx = table.columns.findIndex((c) => c.name === 'app_id');
  const chosen = new Map<string, number>();
  const dropped: DroppedDuplicate[] = [];
  prepared.rows.forEach((row, r) => {
    const key = keyIdx.map((i) => keyText(row[i] ?? null)).join('|');
    const prev = chosen.get(key);
    if (prev === undefined) { chosen.set(key, r); return; }
    const loser = table.duplicatePolicy === 'first' ? r : prev;
    if (table.duplicatePolicy === 'last') chosen.set(key, r);
    const appCell = prepared.rows[loser]?.[appIdx];
    dropped.push({ table: table.name, appId: typeof appCell === 'number' ? appCell : null, key });
  });
  if (dropped.length === 0) return [];
  const keep = new Set(chosen.values());
  const kept = prepared.rows.filter((_, r) => keep.has(r));
  prepared.rows.splice(0, prepared.rows.length, ...kept);
  return dropped;
}

/** processing_log rows as plain rows (failure_reason/stage/run_id truncated, attempts default 1). */
export function logRowsToRows(log: readonly LogRow[]): Row[] {
  return log.map((l) => ({
    app_id: l.appId,
    status: l.status,
    stage: truncate(l.stage, 30),
    failure_reason: truncate(l.failureReason, FAILURE_REASON_MAX),
    run_id: truncate(l.runId, 64),
    worker_id: l.workerId ?? null,
    attempts: l.attempts ?? 1,
  }));
}

/**
 * Prepares a whole batch (throws ValueError for the first value that cannot be stored). Entries
 * for the same table are merged at the table's first position (so a caller may pass tables per
 * app, in insert order, and still get one statement or bulk load per table).
 */
export function prepareBatch(batch: WriteBatch, logTable: TableModel): PreparedBatch {
  const merged = new Map<string, { table: TableModel; rows: Row[] }>();
  for (const { table, rows } of batch.tables) {
    const entry = merged.get(table.name);
    if (entry) entry.rows.push(...rows);
    else merged.set(table.name, { table, rows: [...rows] });
  }
  const duplicatesDropped: DroppedDuplicate[] = [];
  const tables: PreparedTable[] = [];
  for (const { table, rows } of merged.values()) {
    if (rows.length === 0) continue;
    const prepared = prepareTable(table, rows);
    duplicatesDropped.push(...dropDuplicates(prepared));
    tables.push(prepared);
  }
  const log = prepareTable(logTable, logRowsToRows(batch.log));
  return { tables, log, duplicatesDropped };
}
