/** Source documents for a list of app_ids, in the form a session reads fastest. */
import { DbError } from './db-error.js';
import type { TargetSession } from './dialect.js';

/**
 * One document of {@link readDocuments}: raw UTF-8 bytes or a string; null when absent or NULL.
 * `readError` is set when the database refused to return this one row (its reason).
 */
export interface DocumentItem {
  appId: number;
  xml: string | Uint8Array | null;
  readError?: string;
}

/**
 * The documents of `ids`, in that order: raw UTF-8 bytes where the session offers them
 * (PostgreSQL, SQLite), strings otherwise; an app_id missing from the source gets a NULL document.
 * PostgreSQL's bytes live in memory its session reuses two reads later: `copy` copies them out for
 * a caller that keeps them longer (a batch waiting in the parent's queue).
 *
 * A read that fails with an error about the rows (scope `data`: e.g. SQLSTATE 22021, a byte
 * sequence invalid in the client encoding) is narrowed down to the row(s) it belongs to by reading
 * halves of `ids` again, as strings (never the session's reused byte memory, which a caller reading
 * ahead may still hold), until each failing app_id is alone: that item carries `readError` (the
 * server's message with its code) and a null document; every other document is returned. Any other
 * error (transient, or about the database) is thrown as it is.
 *
 * `bytes: false` reads strings even where bytes are offered: a caller retrying a failed read uses
 * it, because each byte read takes one of the session's two reused memory areas, and an extra call
 * would overwrite a chunk that a reader going one chunk ahead has not used yet.
 */
export async function readDocuments(source: TargetSession, ids: readonly number[], copy = false, bytes = true): Promise<DocumentItem[]> {
  const byId = new Map<number, string | Uint8Array | null>();
  try {
    if (bytes && source.readSourceBytesByIds) {
      for (const r of await source.readSourceBytesByIds(ids)) byId.set(r.appId, copy && r.bytes !== null ? Buffer.from(r.bytes) : r.bytes);
    } else {
      for (const r of await source.readSourceByIds(ids)) byId.set(r.appId, r.xml);
    }
  } catch (err) {
    if (!isRowReadError(err)) throw err;
    return narrowRead(source, ids, err);
  }
  return ids.map((appId) => ({ appId, xml: byId.get(appId) ?? null }));
}

/** True for a read error that belongs to the rows read (scope `data`), not the database. */
export function isRowReadError(err: unknown): err is DbError {
  return err instanceof DbError && err.kind === 'permanent' && err.scope === 'data';
}

/** Reads `ids` by halves (strings) until every row that cannot be read is alone; see {@link readDocuments}. */
async function narrowRead(source: TargetSession, ids: readonly number[], err: DbError): Promise<DocumentItem[]> {
  if (ids.length === 1) return [{ appId: ids[0]!, xml: null, readError: describeReadError(err) }];
  const mid = Math.ceil(ids.length / 2);
  const out: DocumentItem[] = [];
  for (const half of [ids.slice(0, mid), ids.slice(mid)]) {
    try {
      const byId = new Map((await source.readSourceByIds(half)).map((r) => [r.appId, r.xml] as const));
      for (const appId of half) out.push({ appId, xml: byId.get(appId) ?? null });
    } catch (e) {
      if (!isRowReadError(e)) throw e;
      out.push(...await narrowRead(source, half, e));
    }
  }
  return out;
}

function describeReadError(err: DbError): string {
  return err.code === null ? err.message : `${err.message} (code ${err.code})`;
}
