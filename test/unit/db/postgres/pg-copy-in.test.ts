/** TextCopyInQuery: the pg submittable behind the PostgreSQL writer's COPY FROM STDIN. */
import { describe, expect, it } from 'vitest';
import { CopyFormatError } from '../../../../src/db/postgres/binary-copy-parser.js';
import { TextCopyInQuery, type PgCopyInConnection } from '../../../../src/db/postgres/pg-copy-in.js';

function fakeConnection(): PgCopyInConnection & { log: string[]; chunks: Buffer[] } {
  const c = {
    log: [] as string[], chunks: [] as Buffer[],
    query: (t: string) => void c.log.push(`query ${t}`),
    sendCopyFail: (m: string) => void c.log.push(`fail ${m}`),
    sendCopyFromChunk: (b: Buffer) => { c.chunks.push(Buffer.from(b)); c.log.push(`data ${b.length}`); },
    endCopyFrom: () => void c.log.push('done'),
  };
  return c;
}
async function state(p: Promise<unknown>): Promise<string> {
  return Promise.race([p.then(() => 'resolved', () => 'rejected'), new Promise<string>((r) => setTimeout(() => r('pending'), 5))]);
}
const SQL = 'COPY "s"."t" ("a", "b") FROM STDIN';

describe('TextCopyInQuery', () => {
  it('sends the COPY, answers CopyInResponse with the data and CopyDone, resolves with the server count at ReadyForQuery', async () => {
    const data = Buffer.from('1\tx\n2\t\\N\n');
    const q = new TextCopyInQuery(SQL, data);
    const con = fakeConnection();
    q.submit(con);
    expect(con.log).toEqual([`query ${SQL}`]);
    q.handleCopyInResponse(con);
    expect(con.log).toEqual([`query ${SQL}`, `data ${data.length}`, 'done']);
    expect(Buffer.concat(con.chunks).equals(data)).toBe(true);
    q.handleCommandComplete({ text: 'COPY 2' });
    expect(await state(q.done)).toBe('pending');
    q.handleReadyForQuery();
    await expect(q.done).resolves.toBe(2);
  });

  it('sends large data in CopyData messages of at most 1 MiB, in order', async () => {
    const data = Buffer.alloc(2.5 * 1024 * 1024, 'a');
    const q = new TextCopyInQuery(SQL, data);
    const con = fakeConnection();
    q.handleCopyInResponse(con);
    expect(con.chunks.map((c) => c.length)).toEqual([1 << 20, 1 << 20, data.length - (2 << 20)]);
    expect(con.log.at(-1)).toBe('done');
  });

  it('an empty table sends no CopyData, only CopyDone', () => {
    const con = fakeConnection();
    new TextCopyInQuery(SQL, Buffer.alloc(0)).handleCopyInResponse(con);
    expect(con.log).toEqual(['done']);
  });

  it('rejects at once with the server error (pg never calls handleReadyForQuery after one)', async () => {
    const q = new TextCopyInQuery(SQL, Buffer.from('x\n'));
    const err = Object.assign(new Error('value too long for type character varying(5)'), { code: '22001' });
    q.handleError(err);
    await expect(q.done).rejects.toBe(err);
    q.handleReadyForQuery(); // a stray call changes nothing
    await expect(q.done).rejects.toBe(err);
  });

  it('an answer that is not a COPY count is an error at ReadyForQuery', async () => {
    const rows = new TextCopyInQuery('SELECT 1', Buffer.alloc(0));
    rows.handleRowDescription();
    rows.handleCommandComplete({ text: 'SELECT 1' });
    rows.handleReadyForQuery();
    await expect(rows.done).rejects.toBeInstanceOf(CopyFormatError);
    const silent = new TextCopyInQuery(SQL, Buffer.alloc(0));
    silent.handleReadyForQuery();
    await expect(silent.done).rejects.toThrow(/ReadyForQuery without CommandComplete/);
  });
});
