/**
 * Rows into a table through `COPY … FROM STDIN` (text format) with a custom `pg` submittable: the
 * writer's bulk path (measured faster than `INSERT … SELECT * FROM unnest(…)` — BENCHMARKS.md).
 * The COPY text and its data come from `postgresCopyStatement` (postgres-plan.ts, pure); this
 * module only speaks the protocol: Query → CopyInResponse → CopyData + CopyDone → CommandComplete
 * (`COPY n`) → ReadyForQuery.
 */
import { CopyFormatError } from './binary-copy-parser.js';
import type { PgCopyConnection } from './pg-copy-out.js';

/** The slice of pg's Connection a COPY FROM STDIN needs. */
export interface PgCopyInConnection extends PgCopyConnection {
  /** Sends one CopyData message. */
  sendCopyFromChunk(chunk: Buffer): void;
  /** Sends CopyDone. */
  endCopyFrom(): void;
}

/** Bytes per CopyData message: a large table's data goes out in several moderate messages, not one huge one. */
const CHUNK = 1 << 20;

/**
 * Runs one `COPY … FROM STDIN` with `data` (complete lines of COPY text). {@link done} resolves with
 * the row count the server reports. It rejects with the error pg reports — the server's
 * ErrorResponse (a bad value, a constraint) or a dead connection — at once, as pg detaches the query
 * on an error and never calls handleReadyForQuery afterwards; or at ReadyForQuery when the server
 * answered something other than a COPY.
 */
export class TextCopyInQuery {
  readonly done: Promise<number>;
  private settle: (err: unknown, rows?: number) => void = () => undefined;
  private rows: number | null = null;
  private problem: Error | null = null;

  constructor(readonly text: string, private readonly data: Buffer) {
    this.done = new Promise<number>((resolve, reject) => {
      let settled = false;
      this.settle = (err, rows) => {
        if (settled) return;
        settled = true;
        if (err === undefined) resolve(rows ?? 0); else reject(err instanceof Error ? err : new Error(String(err)));
      };
    });
  }

  submit(connection: PgCopyInConnection): void { connection.query(this.text); }

  handleCopyInResponse(connection: PgCopyInConnection): void {
    for (let at = 0; at < this.data.length; at += CHUNK) connection.sendCopyFromChunk(this.data.subarray(at, at + CHUNK));
    connection.endCopyFrom();
  }

  handleCommandComplete(msg: { readonly text?: string }): void {
    const m = /^COPY (\d+)$/.exec(msg.text ?? '');
    if (m) this.rows = Number(m[1]);
    else this.problem = new CopyFormatError(`expected COPY n, the server answered ${JSON.stringify(msg.text ?? '')}`);
  }

  handleRowDescription(): void { this.problem ??= new CopyFormatError('the statement returned rows, not a COPY FROM STDIN'); }
  handleDataRow(): void { /* reported by handleRowDescription */ }
  handleCopyData(): void { this.problem ??= new CopyFormatError('the server sent COPY data to a COPY FROM STDIN'); }
  handleEmptyQuery(): void { this.problem ??= new CopyFormatError('empty query'); }
  handlePortalSuspended(): void { /* simple protocol: never sent */ }
  handleError(err: unknown): void { this.settle(err ?? new Error('unknown pg error')); }

  handleReadyForQuery(): void {
    if (this.problem === null && this.rows === null) this.problem = new CopyFormatError('ReadyForQuery without CommandComplete');
    if (this.problem) this.settle(this.problem); else this.settle(undefined, this.rows ?? 0);
  }
}
