/**
 * The JSON shape of one mapped document, shared by `xmlmigrate map --format ndjson` and the
 * conformance comparison: `{file, app_id, tables: {table: [row…]}, error: "<stage>: <message>" | null}`.
 * Decimals are numbers, datetimes ISO-8601 text (the reference outputs' shape).
 */
import { AppFailure } from '../mapping/app-failure.js';
import type { DataMapper } from '../mapping/data-mapper.js';

/** One row as plain JSON. */
export type JsonRow = Record<string, unknown>;

/** One mapped document as plain JSON. */
export interface AppJson {
  file?: string;
  app_id: number | null;
  tables: Record<string, JsonRow[]>;
  error: string | null;
}

/** Maps `xml` (text, or the bytes of a file: they must be UTF-8) and returns its JSON shape; mapping failures become `error`. */
export function mapToJson(mapper: DataMapper, xml: string | Uint8Array): AppJson {
  try {
    const m = mapper.map(xml);
    const tables: Record<string, JsonRow[]> = {};
    for (const [t, rows] of m.tables) tables[t] = JSON.parse(JSON.stringify(rows)) as JsonRow[];
    return { app_id: m.appId, tables, error: null };
  } catch (err) {
    if (err instanceof AppFailure) return { app_id: err.appId, tables: {}, error: `${err.stage}: ${err.message}` };
    throw err;
  }
}
