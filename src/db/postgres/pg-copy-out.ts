/**
 * Source documents as raw bytes through PostgreSQL's binary COPY (`COPY (SELECT …) TO STDOUT
 * (FORMAT binary)`), read with a custom `pg` submittable: the driver never decodes a document into
 * a JavaScript string. The parts:
 *
 * - `BinaryCopyParser` (binary-copy-parser.ts): the incremental parser of the binary COPY
 *   stream, which accepts the bytes split at any boundary across CopyData messages;
 * - {@link ByteArena}: reusable memory the document bytes are copied into (pg-protocol hands out
 *   CopyData chunks as views of a buffer it reuses, so nothing may be kept by reference);
 * - {@link BinaryCopyOutQuery} / {@link copyOutSourceRows}: the submittable and the one-call read;
 * - {@link sourceBytesCopySql}: the COPY text (ids inlined: COPY takes no parameters).
 */
import type { DbError } from '../db-error.js';
import type { RawSourceRecord } from '../dialect.js';
import type { SchemaModel } from '../schema-types.js';
import { badArgument } from '../sql-text.js';
import { BinaryCopyParser, CopyFormatError } from './binary-copy-parser.js';
import { POSTGRES_STYLE } from './postgres-plan.js';

/** The parser and its error, re-exported so this module is the one entry point for binary COPY reads. */
export { BINARY_COPY_SIGNATURE, BinaryCopyParser, CopyFormatError, type BinaryCopyParserOptions } from './binary-copy-parser.js';

/**
 * Reusable memory for document bytes: {@link take} hands out consecutive `subarray` views of one
 * Buffer (allocated with `Buffer.allocUnsafeSlow`), {@link reset} starts over at offset 0, so the
 * same pages serve every read. When a take does not fit, a new Buffer of at least twice the size
 * and at least everything taken since the last reset is allocated (earlier views keep the old one
 * alive and intact); the arena never shrinks. A view is valid until the next {@link reset}.
 */
export class ByteArena {
  private buf: Buffer = Buffer.alloc(0);
  private used = 0;
  private total = 0;

  constructor(private readonly minBytes = 1 << 20) {}

  /** Bytes of the current Buffer. */
  get capacity(): number {
    return this.buf.length;
  }

  /** Bytes taken since the last {@link reset}. */
  get taken(): number {
    return this.total;
  }

  /** Invalidates every view handed out so far; the memory is reused from offset 0. */
  reset(): void {
    this.used = 0;
    this.total = 0;
  }

  /** A view of `length` bytes, contents undefined until the caller writes them. */
  take(length: number): Buffer {
    if (this.used + length > this.buf.length) {
      let cap = Math.max(this.buf.length * 2, this.minBytes);
      while (cap < this.total + length) cap *= 2;
      this.buf = Buffer.allocUnsafeSlow(cap);
      this.used = 0;
    }
    const view = this.buf.subarray(this.used, this.used + length);
    this.used += length;
    this.total += length;
    return view;
  }
}

/** The slice of pg's Connection the submittable calls. */
export interface PgCopyConnection {
  /** Sends a simple-protocol Query message. */
  query(text: string): void;
  /** Answers a CopyInResponse with CopyFail. */
  sendCopyFail(message: string): void;
}

/** What `pg`'s Client.query accepts instead of text: an object it drives with protocol callbacks. */
export interface PgSubmittable {
  submit(connection: PgCopyConnection): void;
  handleRowDescription(msg: unknown): void;
  handleDataRow(msg: unknown): void;
  handleCopyInResponse(connection: PgCopyConnection): void;
  handleCopyData(msg: { readonly chunk: Uint8Array }, connection: PgCopyConnection): void;
  handleCommandComplete(msg: { readonly text?: string }, connection: PgCopyConnection): void;
  handleEmptyQuery(connection: PgCopyConnection): void;
  handlePortalSuspended(connection: PgCopyConnection): void;
  handleError(err: unknown, connection: PgCopyConnection): void;
  handleReadyForQuery(connection: PgCopyConnection): void;
}

/** The slice of a `pg` client that runs a submittable. */
export interface PgSubmitClient {
  query(submittable: PgSubmittable): unknown;
}

/**
 * Runs one `COPY … TO STDOUT (FORMAT binary)` and feeds its CopyData to a parser. {@link done}
 * resolves with the tuple count at ReadyForQuery. It rejects with the error pg reports — an
 * ErrorResponse, or a dead connection (pg calls handleError for the active query when the socket
 * ends or fails) — at once, because pg detaches the query on an error and never calls its
 * handleReadyForQuery afterwards; or, at ReadyForQuery, with the parser's error (the rest of the
 * stream is drained so the connection stays usable).
 */
export class BinaryCopyOutQuery implements PgSubmittable {
  /** Settles once, as described on the class. */
  readonly done: Promise<number>;
  private settle: (err: unknown) => void = () => undefined;
  private failure: unknown;
  private failed = false;
  private completed = false;

  constructor(readonly text: string, private readonly parser: BinaryCopyParser) {
    this.done = new Promise<number>((resolve, reject) => {
      let settled = false;
      this.settle = (err) => {
        if (settled) return;
        settled = true;
        if (err === undefined) resolve(parser.rows); else reject(err instanceof Error ? err : new Error(String(err)));
      };
    });
  }

  private fail(err: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.failure = err;
  }

  submit(connection: PgCopyConnection): void { connection.query(this.text); }
  handleRowDescription(_msg?: unknown): void { this.fail(new CopyFormatError('the statement returned rows, not COPY data')); }
  handleDataRow(_msg?: unknown): void { this.fail(new CopyFormatError('the statement returned rows, not COPY data')); }
  handleEmptyQuery(_connection?: PgCopyConnection): void { this.fail(new CopyFormatError('empty query')); }
  handlePortalSuspended(_connection?: PgCopyConnection): void { /* simple protocol: never sent */ }

  handleCopyInResponse(connection: PgCopyConnection): void {
    this.fail(new CopyFormatError('the server asked for COPY FROM STDIN data'));
    connection.sendCopyFail('xmlmigrate: only COPY TO STDOUT is supported');
  }

  handleCopyData(msg: { readonly chunk: Uint8Array }, _connection?: PgCopyConnection): void {
    if (this.failed) return;
    try { this.parser.push(msg.chunk); } catch (err) { this.fail(err); }
  }

  handleCommandComplete(msg: { readonly text?: string }, _connection?: PgCopyConnection): void {
    if (this.failed) return;
    try {
      this.parser.end();
      const m = /^COPY (\d+)$/.exec(msg.text ?? '');
      if (m && Number(m[1]) !== this.parser.rows) throw new CopyFormatError(`server sent ${m[1]} rows, ${this.parser.rows} parsed`);
      this.completed = true;
    } catch (err) {
      this.fail(err);
    }
  }

  handleError(err: unknown, _connection?: PgCopyConnection): void { this.settle(err ?? new Error('unknown pg error')); }

  handleReadyForQuery(_connection?: PgCopyConnection): void {
    if (!this.failed && !this.completed) this.fail(new CopyFormatError('ReadyForQuery without CommandComplete'));
    this.settle(this.failed ? this.failure : undefined);
  }
}

function appIdOf(field: Buffer | null): number {
  if (field === null) throw new CopyFormatError('app_id is NULL');
  const id = field.readInt32BE(0) * 0x1_0000_0000 + field.readUInt32BE(4);
  if (!Number.isSafeInteger(id)) throw new CopyFormatError(`app_id ${field.readBigInt64BE(0)} is outside the safe integer range`);
  return id;
}

/**
 * Parses a binary COPY stream of (app_id int8, document) tuples: app_ids become numbers (safe
 * integers, else a CopyFormatError), document bytes are copied into `arena` and returned as views
 * of it (null for a NULL document). Rows are appended to `out` in stream order.
 */
export function sourceRowParser(arena: ByteArena, out: RawSourceRecord[]): BinaryCopyParser {
  const idBytes = Buffer.alloc(8);
  return new BinaryCopyParser({
    fieldCount: 2,
    allocate: (length, index) => {
      if (index > 0) return arena.take(length);
      if (length !== 8) throw new CopyFormatError(`app_id has ${length} bytes, expected an 8-byte bigint`);
      return idBytes;
    },
    // Every non-null field came from allocate above, so each is a Buffer.
    onRow: (f) => {
      out.push({ appId: appIdOf((f[0] ?? null) as Buffer | null), bytes: (f[1] ?? null) as Buffer | null });
    },
  });
}

/**
 * Runs `sql` (from {@link sourceBytesCopySql}) on `client` and returns its rows. Document bytes
 * live in `arena`: they stay valid until the arena is reset (the caller decides when; the
 * PostgreSQL session resets it at the start of each read call). Rejects with pg's error or a
 * {@link CopyFormatError}; the caller turns either into a DbError.
 */
export async function copyOutSourceRows(client: PgSubmitClient, sql: string, arena: ByteArena): Promise<RawSourceRecord[]> {
  const out: RawSourceRecord[] = [];
  const query = new BinaryCopyOutQuery(sql, sourceRowParser(arena, out));
  client.query(query);
  await query.done;
  return out;
}

/**
 * `COPY (SELECT CAST(app_id AS bigint), CAST(<col> AS text) FROM <source> WHERE app_id IN (<ids>)
 * ORDER BY app_id) TO STDOUT (FORMAT binary)`. COPY cannot take parameters, so the ids are written
 * into the text: each must be a safe integer, else a permanent DbError `XM_BAD_ARGUMENT` (also for
 * an empty list). Identifiers are validated and quoted.
 */
export function sourceBytesCopySql(model: SchemaModel, ids: readonly number[]): string {
  const bad = (message: string): DbError => badArgument('postgres', message);
  if (ids.length === 0) throw bad('app_ids: at least one id is required');
  for (const id of ids) {
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) throw bad(`app_ids: each must be a safe integer, got ${String(id)}`);
  }
  const q = POSTGRES_STYLE.quote;
  const select = `SELECT CAST(${q('app_id')} AS bigint), CAST(${q(model.sourceColumn)} AS text) FROM ${POSTGRES_STYLE.qualify(model.source)}`;
  return `COPY (${select} WHERE ${q('app_id')} IN (${ids.map((id) => String(id)).join(', ')}) ORDER BY ${q('app_id')}) TO STDOUT (FORMAT binary)`;
}
