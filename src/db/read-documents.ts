/** Source documents for a list of app_ids, in the form a session reads fastest. */
import type { TargetSession } from './dialect.js';

/** One document of {@link readDocuments}: raw UTF-8 bytes or a string; null when absent or NULL. */
export interface DocumentItem {
  appId: number;
  xml: string | Uint8Array | null;
}

/**
 * The documents of `ids`, in that order: raw UTF-8 bytes where the session offers them
 * (PostgreSQL, SQLite), strings otherwise; an app_id missing from the source gets a NULL document.
 * PostgreSQL's bytes live in memory its session reuses two reads later: `copy` copies them out for
 * a caller that keeps them longer (a batch waiting in the parent's queue).
 */
export async function readDocuments(source: TargetSession, ids: readonly number[], copy = false): Promise<DocumentItem[]> {
  const byId = new Map<number, string | Uint8Array | null>();
  if (source.readSourceBytesByIds) {
    for (const r of await source.readSourceBytesByIds(ids)) byId.set(r.appId, copy && r.bytes !== null ? Buffer.from(r.bytes) : r.bytes);
  } else {
    for (const r of await source.readSourceByIds(ids)) byId.set(r.appId, r.xml);
  }
  return ids.map((appId) => ({ appId, xml: byId.get(appId) ?? null }));
}
