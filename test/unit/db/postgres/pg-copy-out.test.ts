import { describe, expect, it } from 'vitest';
import { DbError } from '../../../../src/db/db-error.js';
import type { RawSourceRecord } from '../../../../src/db/dialect.js';
import {
  BinaryCopyParser, ByteArena, CopyFormatError, sourceBytesCopySql, sourceRowParser,
} from '../../../../src/db/postgres/pg-copy-out.js';
import { Rng } from '../../../../src/seed/prng.js';
import { smallModel } from '../helpers.js';
import { copyStream, int8, sourceStream, splitAt, utf8 } from './copy-stream.js';

/** Feeds `chunks` as pg does: each one is scribbled over right after push (pg-protocol reuses its buffer). */
function readAll(chunks: readonly Uint8Array[], arena = new ByteArena(64)): RawSourceRecord[] {
  const out: RawSourceRecord[] = [];
  const parser = sourceRowParser(arena, out);
  for (const c of chunks) {
    const reused = Buffer.from(c);
    parser.push(reused);
    reused.fill(0xaa);
  }
  parser.end();
  return out;
}
const show = (rs: readonly RawSourceRecord[]): { appId: number; hex: string | null }[] =>
  rs.map((r) => ({ appId: r.appId, hex: r.bytes === null ? null : r.bytes.toString('hex') }));

const ROWS = [
  { appId: -5, doc: '<a>negative id</a>' },
  { appId: 1, doc: '<a>hello</a>' },
  { appId: 2, doc: null },
  { appId: 3, doc: '<x>Zoë — 日本語 😀 ß</x>' },
  { appId: 4, doc: '' },
  { appId: Number.MAX_SAFE_INTEGER, doc: '<last/>' },
];
const STREAM = sourceStream(ROWS);
const EXPECTED = show(ROWS.map((r) => ({ appId: r.appId, bytes: r.doc === null ? null : utf8(r.doc) })));

describe('binary COPY parser', () => {
  it('the hand-built encoding is byte-for-byte what PostgreSQL 15 sends', () => {
    // psql -c "COPY (SELECT CAST(x AS bigint), CAST(y AS text) FROM (VALUES (1,'aé'),(2,NULL),(3,'')) v(x,y) ORDER BY x) TO STDOUT (FORMAT binary)" | xxd -p
    const fromServer = '5047434f50590aff0d0a00000000000000000000020000000800000000000000010000000361c3a90002000000080000000000000002ffffffff000200000008000000000000000300000000ffff';
    expect(sourceStream([{ appId: 1, doc: 'aé' }, { appId: 2, doc: null }, { appId: 3, doc: '' }]).toString('hex')).toBe(fromServer);
    expect(show(readAll([Buffer.from(fromServer, 'hex')]))).toEqual([
      { appId: 1, hex: '61c3a9' }, { appId: 2, hex: null }, { appId: 3, hex: '' },
    ]);
  });

  it('whole stream, one byte at a time, and split at every single boundary', () => {
    expect(show(readAll([STREAM]))).toEqual(EXPECTED);
    expect(show(readAll([...STREAM].map((b) => Uint8Array.of(b))))).toEqual(EXPECTED);
    for (let i = 0; i <= STREAM.length; i++) expect(show(readAll(splitAt(STREAM, [i])))).toEqual(EXPECTED);
  });

  it('split at every pair of boundaries (header, counts, lengths and documents straddle chunks)', () => {
    for (let i = 1; i < STREAM.length; i++) {
      for (let j = i; j < STREAM.length; j++) expect(show(readAll(splitAt(STREAM, [i, j])))).toEqual(EXPECTED);
    }
  });

  it('many rows under seeded random chunkings, with a header extension', () => {
    const rng = new Rng(20240611);
    const rows = Array.from({ length: 300 }, (_, k) => ({
      appId: 1000 + k * 7,
      doc: k % 17 === 0 ? null : 'ä<b>'.repeat(Math.floor(rng.next() * 200)) + String(k),
    }));
    const tuples = rows.map((r) => [int8(r.appId), r.doc === null ? null : utf8(r.doc)]);
    const stream = copyStream(tuples, { ext: Uint8Array.of(1, 2, 3, 4, 5), flags: 0x0000_0001 });
    const expected = show(rows.map((r) => ({ appId: r.appId, bytes: r.doc === null ? null : utf8(r.doc) })));
    for (let round = 0; round < 60; round++) {
      const cuts: number[] = [];
      const mean = 1 + Math.floor(rng.next() * 600);
      for (let at = 0; ;) {
        at += 1 + Math.floor(rng.next() * mean);
        if (at >= stream.length) break;
        cuts.push(at);
      }
      expect(show(readAll(splitAt(stream, cuts), new ByteArena(1 + round)))).toEqual(expected);
    }
  });

  it('the generic parser hands every field and counts rows; a zero-row stream is valid', () => {
    const seen: (string | null)[][] = [];
    const p = new BinaryCopyParser({ fieldCount: 3, onRow: (f) => seen.push(f.map((x) => (x === null ? null : Buffer.from(x).toString()))) });
    p.push(copyStream([[utf8('a'), null, utf8('')], [utf8('bc'), utf8('d'), utf8('e')]]));
    p.end();
    expect(seen).toEqual([['a', null, ''], ['bc', 'd', 'e']]);
    expect([p.rows, p.finished]).toEqual([2, true]);
    const empty = new BinaryCopyParser({ fieldCount: 2, onRow: () => { throw new Error('no rows expected'); } });
    for (const c of splitAt(copyStream([]), [5, 11, 20])) empty.push(c);
    expect(() => empty.end()).not.toThrow();
    expect(() => new BinaryCopyParser({ fieldCount: 0, onRow: () => undefined })).toThrow(RangeError);
  });
});

describe('binary COPY parser errors', () => {
  const fails = (chunks: readonly Uint8Array[], message: RegExp): void => {
    let err: unknown;
    try { readAll(chunks); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(CopyFormatError);
    expect((err as CopyFormatError).code).toBe('XM_COPY_FORMAT');
    expect((err as Error).message).toMatch(message);
  };

  it('bad signature, even when the signature straddles chunks', () => {
    const bad = Buffer.from(STREAM);
    bad[7] = 0xfe;
    fails([bad], /bad signature/);
    fails(splitAt(bad, [3, 9]), /bad signature/);
    fails([utf8('1\t<a>hello</a>\n2\t\\N\n\\.\n')], /bad signature/); // text-format COPY output
  });

  it('critical header flags (OIDs) and a negative extension length', () => {
    fails([copyStream([], { flags: 1 << 16 })], /unsupported header flags 0x10000/);
    const neg = copyStream([]);
    neg.writeInt32BE(-1, 15);
    fails([neg], /negative header extension/);
  });

  it('a tuple whose field count is not the expected one', () => {
    fails([copyStream([[int8(1), utf8('x')], [int8(2), utf8('y'), null]])], /tuple 2 has 3 field\(s\), expected 2/);
    fails([copyStream([[int8(1)]])], /tuple 1 has 1 field\(s\), expected 2/);
  });

  it('every truncation of the stream is an error at end(), never a silent short read', () => {
    for (let cut = 0; cut < STREAM.length; cut++) {
      const p = sourceRowParser(new ByteArena(), []);
      p.push(STREAM.subarray(0, cut));
      expect(() => p.end(), `cut at ${cut}`).toThrow(/stream truncated/);
    }
    fails([sourceStream([{ appId: 1, doc: 'abc' }]).subarray(0, 30)], /truncated inside tuple 1/);
    fails([copyStream([[int8(1), utf8('abc')]], { trailer: false })], /truncated after tuple 1, before the trailer/);
    fails([copyStream([]).subarray(0, 10)], /truncated inside the header/);
  });

  it('bytes after the trailer, a negative field length', () => {
    fails([Buffer.concat([STREAM, Uint8Array.of(0)])], /1 unexpected byte\(s\) after the trailer/);
    const neg = sourceStream([{ appId: 1, doc: 'abc' }]);
    neg.writeInt32BE(-2, 19 + 2 + 4 + 8);
    fails([neg], /negative field length -2/);
  });

  it('app_id outside the safe integer range, NULL, or not 8 bytes', () => {
    fails([copyStream([[int8(2n ** 53n), utf8('x')]])], /app_id 9007199254740992 is outside the safe integer range/);
    fails([copyStream([[int8(-(2n ** 63n)), utf8('x')]])], /app_id -9223372036854775808 is outside/);
    fails([copyStream([[null, utf8('x')]])], /app_id is NULL/);
    fails([copyStream([[Uint8Array.of(0, 0, 0, 1), utf8('x')]])], /app_id has 4 bytes, expected an 8-byte bigint/);
    expect(show(readAll([copyStream([[int8(-(2n ** 53n) + 1n), null]])]))).toEqual([{ appId: Number.MIN_SAFE_INTEGER, hex: null }]);
  });

  it('after the first error every call throws it again', () => {
    const p = sourceRowParser(new ByteArena(), []);
    expect(() => p.push(utf8('NOTPGCOPY\n\0\0\0\0\0\0\0\0\0\0'))).toThrow(/bad signature/);
    expect(() => p.push(STREAM)).toThrow(/bad signature/);
    expect(() => p.end()).toThrow(/bad signature/);
  });
});

describe('ByteArena', () => {
  it('views are consecutive slices of one Buffer; reset reuses the same memory', () => {
    const a = new ByteArena(64);
    const x = a.take(10);
    const y = a.take(20);
    expect(x.buffer).toBe(y.buffer);
    expect([x.byteOffset, y.byteOffset, a.taken, a.capacity]).toEqual([0, 10, 30, 64]);
    a.reset();
    const z = a.take(5);
    expect([z.buffer === x.buffer, z.byteOffset, a.taken]).toEqual([true, 0, 5]);
  });

  it('grows by doubling to hold a whole read, keeps earlier views intact, never shrinks', () => {
    const a = new ByteArena(16);
    const sizes = [10, 10, 20, 40];
    const first = a.take(10).fill(1);
    const second = a.take(10).fill(2); // 20 > 16: a new Buffer of 32
    expect(second.buffer).not.toBe(first.buffer);
    expect(a.capacity).toBe(32);
    a.take(20); // fits: 30 of 32
    a.take(40); // 70 taken in this read: a new Buffer of at least 70 + doubling → 128
    expect(a.capacity).toBe(128);
    expect([[...first].every((b) => b === 1), [...second].every((b) => b === 2)]).toEqual([true, true]);
    a.reset();
    const again = sizes.map((n) => a.take(n));
    expect(new Set(again.map((v) => v.buffer)).size).toBe(1); // the same read now fits: no allocation
    expect(a.capacity).toBe(128);
    a.reset();
    a.take(1);
    expect(a.capacity).toBe(128);
  });

  it('source rows are views into the arena, not copies of the input chunks', () => {
    const arena = new ByteArena(1024);
    const out = readAll([STREAM], arena);
    const docs = out.flatMap((r) => (r.bytes === null ? [] : [r.bytes]));
    expect(docs.length).toBe(5);
    for (const d of docs) expect(d.buffer).toBe(docs[0]?.buffer);
    expect(arena.taken).toBe(docs.reduce((n, d) => n + d.length, 0));
  });
});

describe('sourceBytesCopySql', () => {
  it('builds the exact COPY text with quoted identifiers and inlined ids', () => {
    expect(sourceBytesCopySql(smallModel, [3, -1, Number.MAX_SAFE_INTEGER])).toBe(
      'COPY (SELECT CAST("app_id" AS bigint), CAST("app_XML" AS text) FROM "xm_small"."app_xml" WHERE "app_id" IN (3, -1, 9007199254740991) ORDER BY "app_id") TO STDOUT (FORMAT binary)',
    );
  });

  it('rejects anything but safe integers, and an empty list, with a permanent XM_BAD_ARGUMENT', () => {
    const bad: unknown[][] = [[1.5], [Number.NaN], [Infinity], [2 ** 53], [1, '2; DROP TABLE x'], [1n], []];
    for (const ids of bad) {
      let err: unknown;
      try { sourceBytesCopySql(smallModel, ids as number[]); } catch (e) { err = e; }
      expect(err, JSON.stringify(ids.map(String))).toBeInstanceOf(DbError);
      expect([(err as DbError).code, (err as DbError).kind, (err as DbError).dialect]).toEqual(['XM_BAD_ARGUMENT', 'permanent', 'postgres']);
    }
  });
});
