import { describe, expect, it } from 'vitest';
import { DbError } from '../../../../src/db/db-error.js';
import type { RawSourceRecord } from '../../../../src/db/dialect.js';
import {
  BinaryCopyOutQuery, ByteArena, CopyFormatError, sourceRowParser, type PgCopyConnection, type PgSubmittable,
} from '../../../../src/db/postgres/pg-copy-out.js';
import { PostgresSession, type PgPool, type PgPoolClient } from '../../../../src/db/postgres/postgres-dialect.js';
import { smallModel } from '../helpers.js';
import { sourceStream, utf8 } from './copy-stream.js';

function fakeConnection(): PgCopyConnection & { sent: string[]; copyFails: string[] } {
  const c = { sent: [] as string[], copyFails: [] as string[], query: (t: string) => void c.sent.push(t), sendCopyFail: (m: string) => void c.copyFails.push(m) };
  return c;
}
async function state(p: Promise<unknown>): Promise<string> {
  return Promise.race([p.then(() => 'resolved', () => 'rejected'), new Promise<string>((r) => setTimeout(() => r('pending'), 5))]);
}
function query(): { q: BinaryCopyOutQuery; out: RawSourceRecord[]; con: ReturnType<typeof fakeConnection> } {
  const out: RawSourceRecord[] = [];
  const q = new BinaryCopyOutQuery('COPY (SELECT 1) TO STDOUT (FORMAT binary)', sourceRowParser(new ByteArena(), out));
  const con = fakeConnection();
  q.submit(con);
  return { q, out, con };
}
const STREAM = sourceStream([{ appId: 7, doc: 'é' }, { appId: 8, doc: null }]);

describe('BinaryCopyOutQuery (the pg submittable)', () => {
  it('sends its text, parses CopyData and resolves with the row count at ReadyForQuery only', async () => {
    const { q, out, con } = query();
    expect(con.sent).toEqual(['COPY (SELECT 1) TO STDOUT (FORMAT binary)']);
    q.handleCopyData({ chunk: STREAM.subarray(0, 25) });
    q.handleCopyData({ chunk: STREAM.subarray(25) });
    q.handleCommandComplete({ text: 'COPY 2' });
    expect(await state(q.done)).toBe('pending');
    q.handleReadyForQuery();
    await expect(q.done).resolves.toBe(2);
    expect(out.map((r) => [r.appId, r.bytes?.toString('utf8') ?? null])).toEqual([[7, 'é'], [8, null]]);
  });

  it('rejects at once on an error from pg (pg never calls handleReadyForQuery after one)', async () => {
    const { q } = query();
    q.handleCopyData({ chunk: STREAM.subarray(0, 30) });
    expect(await state(q.done)).toBe('pending');
    q.handleError(new Error('Connection terminated unexpectedly'));
    await expect(q.done).rejects.toThrow('Connection terminated unexpectedly');
    q.handleError(new Error('later'));
    q.handleReadyForQuery();
  });

  it('a parse failure drains the stream and rejects at ReadyForQuery; the server error wins if one follows', async () => {
    const { q } = query();
    q.handleCopyData({ chunk: utf8('this is not binary COPY data') });
    q.handleCopyData({ chunk: STREAM });
    q.handleCommandComplete({ text: 'COPY 2' });
    expect(await state(q.done)).toBe('pending');
    q.handleReadyForQuery();
    await expect(q.done).rejects.toBeInstanceOf(CopyFormatError);

    const b = query();
    b.q.handleCopyData({ chunk: utf8('this is not binary COPY data') });
    b.q.handleError(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }));
    await expect(b.q.done).rejects.toMatchObject({ code: '57014' });
  });

  it('checks the CommandComplete row count, a missing trailer, and a missing CommandComplete', async () => {
    const a = query();
    a.q.handleCopyData({ chunk: STREAM });
    a.q.handleCommandComplete({ text: 'COPY 3' });
    a.q.handleReadyForQuery();
    await expect(a.q.done).rejects.toThrow(/server sent 3 rows, 2 parsed/);
    const b = query();
    b.q.handleCopyData({ chunk: STREAM.subarray(0, STREAM.length - 2) });
    b.q.handleCommandComplete({ text: 'COPY 2' });
    b.q.handleReadyForQuery();
    await expect(b.q.done).rejects.toThrow(/truncated after tuple 2/);
    const c = query();
    c.q.handleCopyData({ chunk: STREAM });
    c.q.handleReadyForQuery();
    await expect(c.q.done).rejects.toThrow(/without CommandComplete/);
  });

  it('rows instead of COPY data, an empty query, or COPY FROM STDIN are errors', async () => {
    const a = query();
    a.q.handleRowDescription({});
    a.q.handleDataRow({});
    a.q.handleCommandComplete({ text: 'SELECT 1' });
    a.q.handleReadyForQuery();
    await expect(a.q.done).rejects.toThrow(/returned rows/);
    const b = query();
    b.q.handleEmptyQuery(b.con);
    b.q.handleReadyForQuery();
    await expect(b.q.done).rejects.toThrow(/empty query/);
    const c = query();
    c.q.handleCopyInResponse(c.con);
    expect(c.con.copyFails).toHaveLength(1);
    c.q.handleError(new Error('COPY from stdin failed'));
    await expect(c.q.done).rejects.toThrow(/COPY from stdin failed/);
  });
});

/** A fake pg Pool whose clients answer binary COPY like a server, chunking through ONE reused buffer. */
function fakePool(docs: ReadonlyMap<number, string | null>, fault?: 'server-error' | 'socket' | 'garbage') {
  const log = { connects: 0, texts: [] as string[], releases: [] as unknown[] };
  const shared = Buffer.alloc(7);
  const client = {
    query(x: string | PgSubmittable) {
      if (typeof x === 'string') throw new Error('unexpected text query');
      const con = fakeConnection();
      x.submit(con);
      const text = con.sent[0] ?? '';
      log.texts.push(text);
      const ids = /IN \(([^)]*)\)/.exec(text)?.[1]?.split(', ').map(Number) ?? [];
      const rows = ids.filter((id) => docs.has(id)).sort((a, b) => a - b).map((id) => ({ appId: id, doc: docs.get(id) ?? null }));
      const bytes = fault === 'garbage' ? utf8('garbage, not PGCOPY, long enough') : sourceStream(rows);
      setImmediate(() => {
        for (let at = 0; at < bytes.length; at += shared.length) {
          const n = bytes.copy(shared, 0, at, at + shared.length);
          x.handleCopyData({ chunk: shared.subarray(0, n) }, con);
          if (fault && fault !== 'garbage' && at > bytes.length / 2) {
            x.handleError(fault === 'socket' ? new Error('Connection terminated unexpectedly') : Object.assign(new Error('relation does not exist'), { code: '42P01' }), con);
            return;
          }
        }
        x.handleCommandComplete({ text: `COPY ${rows.length}` }, con);
        x.handleReadyForQuery(con);
      });
      return x;
    },
    release: (destroy?: Error | boolean) => void log.releases.push(destroy),
    on: () => client,
    removeListener: () => client,
  };
  const pool = { connect: async () => { log.connects++; return client as unknown as PgPoolClient; }, query: () => { throw new Error('no'); }, end: async () => undefined };
  return { pool: pool as unknown as PgPool, log };
}
const docText = (id: number): string => `<doc id="${id}">${'ü'.repeat(id % 13)}</doc>`;

describe('PostgresSession.readSourceBytesByIds (fake pool)', () => {
  it('dedups and sorts ids, omits missing ones, keeps NULL documents, reuses its two arenas in turn', async () => {
    const { pool, log } = fakePool(new Map<number, string | null>([[1, docText(1)], [3, null], [5, docText(5)]]));
    const s = new PostgresSession(pool, smallModel);
    const first = await s.readSourceBytesByIds([5, 3, 3, 99, 1]);
    expect(log.texts).toEqual(['COPY (SELECT CAST("app_id" AS bigint), CAST("app_XML" AS text) FROM "xm_small"."app_xml" WHERE "app_id" IN (1, 3, 5, 99) ORDER BY "app_id") TO STDOUT (FORMAT binary)']);
    expect(first.map((r) => [r.appId, r.bytes?.toString('utf8') ?? null])).toEqual([[1, docText(1)], [3, null], [5, docText(5)]]);
    const second = await s.readSourceBytesByIds([5]);
    expect(second.map((r) => [r.appId, r.bytes?.toString('utf8')])).toEqual([[5, docText(5)]]);
    // the second read fills the other arena: the first read's documents are still intact (read-ahead)
    expect(second[0]?.bytes?.buffer).not.toBe(first[0]?.bytes?.buffer);
    expect(first.map((r) => r.bytes?.toString('utf8') ?? null)).toEqual([docText(1), null, docText(5)]);
    const third = await s.readSourceBytesByIds([1]);
    expect(third[0]?.bytes?.toString('utf8')).toBe(docText(1));
    expect(third[0]?.bytes?.buffer).toBe(first[0]?.bytes?.buffer); // same memory: the first read's views are now invalid
    expect(log.releases).toEqual([undefined, undefined, undefined]);
  });

  it('chunks 12,000 ids into three COPYs on one connection, every chunk intact in order', async () => {
    const ids = Array.from({ length: 12_000 }, (_, i) => 12_000 - i);
    const { pool, log } = fakePool(new Map(ids.map((id) => [id, docText(id)])));
    const out = await new PostgresSession(pool, smallModel).readSourceBytesByIds(ids);
    expect(log.connects).toBe(1);
    expect(log.texts.map((t) => /IN \(([^)]*)\)/.exec(t)?.[1]?.split(', ').length)).toEqual([5000, 5000, 2000]);
    expect(out.map((r) => r.appId)).toEqual([...ids].reverse());
    expect(out.every((r) => r.bytes?.toString('utf8') === docText(r.appId))).toBe(true);
  });

  it('overlapping calls do not share memory', async () => {
    const { pool } = fakePool(new Map([[1, 'one'], [2, 'two']]));
    const s = new PostgresSession(pool, smallModel);
    const [a, b] = await Promise.all([s.readSourceBytesByIds([1]), s.readSourceBytesByIds([2])]);
    expect([a[0]?.bytes?.toString(), b[0]?.bytes?.toString()]).toEqual(['one', 'two']);
  });

  it('bad ids fail before connecting; an empty list reads nothing', async () => {
    const { pool, log } = fakePool(new Map());
    const s = new PostgresSession(pool, smallModel);
    await expect(s.readSourceBytesByIds([1, 2.5])).rejects.toMatchObject({ code: 'XM_BAD_ARGUMENT', kind: 'permanent' });
    expect(await s.readSourceBytesByIds([])).toEqual([]);
    expect(log.connects).toBe(0);
  });

  it('errors become DbErrors (phase query): a lost connection is destroyed, a server or format error keeps it', async () => {
    const docs = new Map([[1, 'x'.repeat(100)], [2, 'y'.repeat(100)]]);
    const cases = [
      { fault: 'socket', kind: 'transient', code: 'ECONNLOST', destroyed: true },
      { fault: 'server-error', kind: 'permanent', code: '42P01', destroyed: false },
      { fault: 'garbage', kind: 'permanent', code: 'XM_COPY_FORMAT', destroyed: false },
    ] as const;
    for (const c of cases) {
      const { pool, log } = fakePool(docs, c.fault);
      const err = await new PostgresSession(pool, smallModel).readSourceBytesByIds([1, 2]).catch((e: unknown) => e);
      expect(err, c.fault).toBeInstanceOf(DbError);
      expect([(err as DbError).kind, (err as DbError).code, (err as DbError).phase]).toEqual([c.kind, c.code, 'query']);
      expect(log.releases.map((r) => r instanceof Error)).toEqual([c.destroyed]);
    }
  });
});
