import { describe, expect, it } from 'vitest';
import { DbError } from '../../../src/db/db-error.js';
import type { RawSourceRecord, SourceRecord, TargetSession } from '../../../src/db/dialect.js';
import { readDocuments } from '../../../src/db/read-documents.js';

const undecodable = () => new DbError('invalid byte sequence for encoding "UTF8": 0xff', { code: '22021', dialect: 'postgres', kind: 'permanent', scope: 'data', phase: 'query' });

/** A source whose rows in `bad` cannot be read: any read that includes one fails. */
function source(bad: ReadonlySet<number>, opts: { bytes?: boolean; error?: () => DbError } = {}) {
  const calls: { how: 'bytes' | 'strings'; ids: number[] }[] = [];
  const fail = opts.error ?? undecodable;
  const s = {
    async readSourceByIds(ids: readonly number[]): Promise<SourceRecord[]> {
      calls.push({ how: 'strings', ids: [...ids] });
      if (ids.some((i) => bad.has(i))) throw fail();
      return ids.map((appId) => ({ appId, xml: `<doc ${appId}/>` }));
    },
    ...(opts.bytes ? {
      async readSourceBytesByIds(ids: readonly number[]): Promise<RawSourceRecord[]> {
        calls.push({ how: 'bytes', ids: [...ids] });
        if (ids.some((i) => bad.has(i))) throw fail();
        return ids.map((appId) => ({ appId, bytes: Buffer.from(`<doc ${appId}/>`) }));
      },
    } : {}),
  } as unknown as TargetSession;
  return { s, calls };
}

describe('readDocuments narrows a read error to its row', () => {
  it('returns every readable document and marks the bad row with the server reason', async () => {
    const { s } = source(new Set([5]));
    const docs = await readDocuments(s, [1, 2, 3, 4, 5, 6, 7, 8]);
    expect(docs.map((d) => d.appId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(docs.filter((d) => d.readError !== undefined)).toEqual([
      { appId: 5, xml: null, readError: 'invalid byte sequence for encoding "UTF8": 0xff (code 22021)' },
    ]);
    expect(docs.find((d) => d.appId === 4)?.xml).toBe('<doc 4/>');
  });

  it('narrows the byte fast path with string reads (never the reused byte memory) and finds two bad rows', async () => {
    const { s, calls } = source(new Set([2, 7]), { bytes: true });
    const docs = await readDocuments(s, [1, 2, 3, 4, 5, 6, 7, 8]);
    expect(docs.filter((d) => d.readError).map((d) => d.appId)).toEqual([2, 7]);
    expect(calls.filter((c) => c.how === 'bytes')).toHaveLength(1);
    expect(docs.filter((d) => !d.readError).every((d) => typeof d.xml === 'string')).toBe(true);
  });

  it('a single-id read that fails is that row', async () => {
    const { s } = source(new Set([9]));
    expect(await readDocuments(s, [9])).toEqual([{ appId: 9, xml: null, readError: expect.stringContaining('0xff') }]);
  });

  it('errors not about the rows are thrown as they are (no narrowing)', async () => {
    for (const error of [
      () => new DbError('permission denied for table app_xml', { code: '42501', dialect: 'postgres', kind: 'permanent', scope: 'database', phase: 'query' }),
      () => new DbError('Connection terminated', { code: 'ECONNLOST', dialect: 'postgres', kind: 'transient', phase: 'query' }),
    ]) {
      const { s, calls } = source(new Set([1, 2, 3]), { error });
      const e = error();
      await expect(readDocuments(s, [1, 2, 3])).rejects.toMatchObject({ code: e.code, kind: e.kind, message: e.message });
      expect(calls).toHaveLength(1);
    }
  });
});
