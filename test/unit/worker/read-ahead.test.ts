/** readAhead: order, how far ahead it reads, when errors surface, no unhandled rejections. */
import { describe, expect, it } from 'vitest';
import { readAhead } from '../../../src/worker/read-ahead.js';

/** A reader whose reads the test resolves by hand; records when each read starts. */
function manualReader() {
  const started: number[] = [];
  const pending = new Map<number, { resolve: (v: string) => void; reject: (e: Error) => void }>();
  const read = (c: number): Promise<string> => {
    started.push(c);
    return new Promise((resolve, reject) => pending.set(c, { resolve, reject }));
  };
  const settle = async (c: number, err?: Error): Promise<void> => {
    const p = pending.get(c)!;
    if (err) p.reject(err); else p.resolve(`doc${c}`);
    await new Promise((r) => setImmediate(r));
  };
  return { started, read, settle };
}

describe('readAhead', () => {
  it('yields every chunk in order', async () => {
    const out: string[] = [];
    for await (const v of readAhead([1, 2, 3, 4], async (c) => `c${c}`)) out.push(v);
    expect(out).toEqual(['c1', 'c2', 'c3', 'c4']);
    const none: string[] = [];
    for await (const v of readAhead([], async (c: number) => `c${c}`)) none.push(v);
    expect(none).toEqual([]);
  });

  it('reads exactly one chunk ahead of the consumer, never two', async () => {
    const r = manualReader();
    const it = readAhead([1, 2, 3], r.read);
    const first = it.next();
    await r.settle(1);
    expect((await first).value).toBe('doc1');
    expect(r.started).toEqual([1, 2]); // chunk 2 is read while chunk 1 is worked on …
    await r.settle(2);
    expect(r.started).toEqual([1, 2]); // … but chunk 3 waits until chunk 2 is asked for
    const second = it.next();
    await new Promise((x) => setImmediate(x));
    expect(r.started).toEqual([1, 2, 3]);
    expect((await second).value).toBe('doc2');
    await r.settle(3);
    expect((await it.next()).value).toBe('doc3');
    expect((await it.next()).done).toBe(true);
  });

  it('a failed read is thrown when its chunk is due, not earlier', async () => {
    const r = manualReader();
    const it = readAhead([1, 2], r.read);
    const first = it.next();
    await r.settle(1);
    await r.settle(2, new Error('connection lost'));
    expect((await first).value).toBe('doc1'); // chunk 1 is handed out although chunk 2 already failed
    await expect(it.next()).rejects.toThrow('connection lost');
  });

  it('a read-ahead that is never consumed does not become an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown): void => { unhandled.push(e); };
    process.on('unhandledRejection', onUnhandled);
    try {
      const r = manualReader();
      const it = readAhead([1, 2], r.read);
      const first = it.next();
      await r.settle(1);
      await first;
      await it.return(undefined); // the consumer stops (its batch failed)
      await r.settle(2, new Error('late failure'));
      await new Promise((x) => setTimeout(x, 10));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
