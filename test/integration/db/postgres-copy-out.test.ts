import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTarget } from '../../../src/db/create-dialect.js';
import { DbError } from '../../../src/db/db-error.js';
import type { TargetSession } from '../../../src/db/dialect.js';
import { BinaryCopyOutQuery, BinaryCopyParser, sourceBytesCopySql } from '../../../src/db/postgres/pg-copy-out.js';
import { buildSchemaModel } from '../../../src/db/schema-model.js';
import type { SchemaModel } from '../../../src/db/schema-types.js';
import { smallContract } from './target-suite.js';

/** Local server used by the integration suite (override with PG_TEST_URL). */
const PG_URL = process.env['PG_TEST_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const tag = `${process.pid}_${Date.now().toString(36)}`;

/** Rejects with `hung: …` when `p` has not settled after `ms` — a hang must fail, not time the suite out. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`hung: ${what}`)), ms); });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
const read = async (s: TargetSession, ids: number[]): Promise<{ appId: number; text: string | null }[]> => {
  const rs = await s.readSourceBytesByIds?.(ids);
  if (!rs) throw new Error('readSourceBytesByIds missing');
  return rs.map((r) => ({ appId: r.appId, text: r.bytes === null ? null : r.bytes.toString('utf8') }));
};

describe('PostgreSQL readSourceBytesByIds (binary COPY)', () => {
  const schema = `xm_it_copy_${tag}`;
  const model = buildSchemaModel(smallContract(schema));
  const big = `<big>${'Grüße, 日本語, 😀 — '.repeat(250_000)}</big>`; // ~6.5 MB of UTF-8
  const docs = new Map<number, string | null>([
    [1, '<a>plain ascii</a>'],
    [2, '<a name="Zoë">ÄÖÜ ß € 中文 𝄞</a>'],
    [3, null],
    [5, ''],
    [2 ** 40 + 7, '<a>an id beyond int4</a>'],
    [900, big],
  ]);
  let admin: pg.Client;
  let s: TargetSession;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    s = await openTarget(PG_URL, model, { poolMax: 1 });
    await s.applySchema({ includeSource: true });
    await admin.query(`ALTER TABLE "${schema}"."app_xml" ALTER COLUMN "app_XML" DROP NOT NULL, ALTER COLUMN app_id TYPE bigint`);
    for (const [id, xml] of docs) await admin.query(`INSERT INTO "${schema}"."app_xml" (app_id, "app_XML") VALUES ($1, $2)`, [id, xml]);
  });
  afterAll(async () => {
    await s?.close();
    await admin?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin?.end();
  });

  it('returns the exact UTF-8 bytes, ordered by app_id, NULL kept, missing ids absent', async () => {
    const ids = [900, 2 ** 40 + 7, 5, 4, 3, 2, 1, 2];
    const rs = await s.readSourceBytesByIds!(ids);
    expect(rs.map((r) => r.appId)).toEqual([1, 2, 3, 5, 900, 2 ** 40 + 7]);
    for (const r of rs) {
      const want = docs.get(r.appId);
      expect(r.bytes === null ? null : Buffer.compare(r.bytes, Buffer.from(want ?? '', 'utf8')), `app ${r.appId}`).toBe(want === null ? null : 0);
    }
    expect(rs.find((r) => r.appId === 900)?.bytes?.length).toBe(Buffer.byteLength(big));
    // The same documents through the string path.
    const strings = await s.readSourceByIds(ids);
    expect(rs.map((r) => r.bytes?.toString('utf8') ?? null)).toEqual(strings.map((r) => r.xml));
  });

  it('a second read reuses the session memory and is correct (the first read\'s views are then invalid)', async () => {
    expect(await read(s, [1, 900])).toEqual([{ appId: 1, text: docs.get(1) }, { appId: 900, text: big }]);
    expect(await read(s, [2, 5, 3])).toEqual([{ appId: 2, text: docs.get(2) }, { appId: 3, text: null }, { appId: 5, text: '' }]);
    expect(await read(s, [404])).toEqual([]);
  });

  it('a server error is a permanent DbError (phase query) and the session stays usable', async () => {
    const other = await openTarget(PG_URL, buildSchemaModel(smallContract(`xm_it_copy_missing_${tag}`)), { poolMax: 1 });
    try {
      const err = await within(other.readSourceBytesByIds!([1]).catch((e: unknown) => e), 10_000, 'missing table');
      expect(err).toBeInstanceOf(DbError);
      expect([(err as DbError).code, (err as DbError).kind, (err as DbError).phase]).toEqual(['42P01', 'permanent', 'query']);
      await other.ping();
    } finally {
      await other.close();
    }
  });
});

describe('PostgreSQL binary COPY: connection lost mid-read', () => {
  const schema = `xm_it_copykill_${tag}`;
  const model: SchemaModel = buildSchemaModel(smallContract(schema));
  const appName = `xm_copykill_${process.pid}`;
  const ids = Array.from({ length: 40 }, (_, i) => i + 1);
  const doc = (id: number): string => `<d id="${id}">${'ñ'.repeat(15_000)}</d>`;
  let admin: pg.Client;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    // The source is a view that sleeps 0.1 s per row after the sort, so the COPY streams slowly
    // (30 KB rows: each leaves the server's 8 KB send buffer as it is produced).
    await admin.query(`CREATE SCHEMA "${schema}"`);
    await admin.query(`CREATE TABLE "${schema}".base (app_id bigint PRIMARY KEY, "app_XML" text)`);
    await admin.query(`CREATE FUNCTION "${schema}".slow(t text) RETURNS text LANGUAGE plpgsql VOLATILE AS $$ BEGIN PERFORM pg_sleep(0.1); RETURN t; END $$`);
    await admin.query(`CREATE VIEW "${schema}".app_xml AS SELECT app_id, "${schema}".slow("app_XML") AS "app_XML" FROM "${schema}".base ORDER BY app_id`);
    for (const id of ids) await admin.query(`INSERT INTO "${schema}".base VALUES ($1, $2)`, [id, doc(id)]);
  });
  afterAll(async () => {
    await admin?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin?.end();
  });

  /** Runs the COPY on a raw client; `onFirstRow` fires once the first tuple has been parsed. */
  async function rawCopy(onFirstRow: (client: pg.Client) => void): Promise<{ rows: number; err: unknown }> {
    const client = new pg.Client({ connectionString: PG_URL, application_name: appName });
    client.on('error', () => undefined);
    await client.connect();
    let rows = 0;
    const parser = new BinaryCopyParser({ fieldCount: 2, onRow: () => { if (rows++ === 0) onFirstRow(client); } });
    const q = new BinaryCopyOutQuery(sourceBytesCopySql(model, ids), parser);
    client.query(q as unknown as pg.QueryConfig);
    const err = await within(q.done.then(() => null, (e: unknown) => e), 15_000, 'COPY after the connection died');
    await client.end().catch(() => undefined);
    return { rows, err };
  }

  it('the socket closed under a streaming COPY rejects (pg reports the lost connection to the active query)', async () => {
    const { rows, err } = await rawCopy((c) => (c as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy());
    expect(rows).toBeGreaterThanOrEqual(1);
    expect(rows).toBeLessThan(ids.length);
    expect(String(err)).toMatch(/Connection terminated unexpectedly/);
  });

  it('pg_terminate_backend under a streaming COPY rejects with the server\'s 57P01', async () => {
    const { rows, err } = await rawCopy(() => void admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [appName]));
    expect(rows).toBeLessThan(ids.length);
    expect((err as { code?: string }).code).toBe('57P01');
  });

  it('through the session: a transient DbError, not a hang, and the next read works', async () => {
    const s = await openTarget(PG_URL, model, { poolMax: 1, applicationName: appName });
    try {
      const pending = s.readSourceBytesByIds!(ids).catch((e: unknown) => e);
      let streaming = false;
      for (let i = 0; i < 100 && !streaming; i++) {
        await new Promise((r) => setTimeout(r, 50));
        const q = await admin.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND state = 'active' AND query LIKE 'COPY%' AND now() - query_start > interval '0.6 s'`, [appName]);
        streaming = (q.rowCount ?? 0) > 0;
      }
      expect(streaming).toBe(true);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [appName]);
      const err = await within(pending, 15_000, 'session read after pg_terminate_backend');
      expect(err).toBeInstanceOf(DbError);
      expect([(err as DbError).kind, (err as DbError).code, (err as DbError).phase]).toEqual(['transient', '57P01', 'query']);
      const again = await within(s.readSourceBytesByIds!([3, 1]), 15_000, 'read after recovery');
      expect(again.map((r) => [r.appId, r.bytes?.toString('utf8')])).toEqual([[1, doc(1)], [3, doc(3)]]);
    } finally {
      await s.close();
    }
  });
});
