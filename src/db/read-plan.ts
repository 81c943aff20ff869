/**
 * Planning document reads by bytes: the source is first asked for the stored size of each document
 * ({@link TargetSession.readSourceSizes}, which does not read the documents), then the app_ids are
 * cut into parts whose documents add up to at most a budget — so what a reader holds at once is
 * bounded by bytes, not by a number of documents whatever their size.
 */
import type { TargetSession } from './dialect.js';

/** Default of `--read-budget-mb`. */
export const DEFAULT_READ_BUDGET_MB = 32;

/** Bytes in one MB of `--read-budget-mb`. */
export const MB = 1024 * 1024;

/** App_ids to read together, with the stored bytes of their documents. */
export interface ReadPart {
  readonly ids: number[];
  readonly bytes: number;
}

/**
 * Cuts `ids` (kept in order) into parts of at most `maxDocs` documents and at most `budgetBytes`
 * bytes; a part holds at least one document, so one bigger than the budget is a part of its own.
 * An id without a size (absent from the source) counts as 0 bytes.
 */
export function planByBytes(ids: readonly number[], sizes: ReadonlyMap<number, number>, budgetBytes: number, maxDocs = Infinity): ReadPart[] {
  const out: ReadPart[] = [];
  let cur: number[] = [];
  let bytes = 0;
  for (const id of ids) {
    const b = Math.max(0, sizes.get(id) ?? 0);
    if (cur.length > 0 && (bytes + b > budgetBytes || cur.length >= maxDocs)) {
      out.push({ ids: cur, bytes });
      cur = [];
      bytes = 0;
    }
    cur.push(id);
    bytes += b;
  }
  if (cur.length > 0) out.push({ ids: cur, bytes });
  return out;
}

/** The stored size of each of `ids`' documents (one query per dialect chunk), by app_id. */
export async function readSizes(source: TargetSession, ids: readonly number[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  if (ids.length === 0) return out;
  for (const r of await source.readSourceSizes(ids)) out.set(r.appId, r.bytes);
  return out;
}

/** {@link planByBytes} for `ids`, with their sizes read from `source`. */
export async function planReads(source: TargetSession, ids: readonly number[], budgetBytes: number, maxDocs = Infinity): Promise<ReadPart[]> {
  return planByBytes(ids, await readSizes(source, ids), budgetBytes, maxDocs);
}
