/**
 * Incremental parser of PostgreSQL's binary COPY format (pure; no driver). Used by
 * `pg-copy-out.ts`, which feeds it the CopyData messages of `COPY … TO STDOUT (FORMAT binary)`.
 */

/** A malformed or unexpected binary COPY stream. Code `XM_COPY_FORMAT` (classified permanent). */
export class CopyFormatError extends Error {
  override readonly name = 'CopyFormatError';
  /** Stable error code. */
  readonly code = 'XM_COPY_FORMAT';
  constructor(detail: string) {
    super(`binary COPY: ${detail}`);
  }
}

/** `PGCOPY\n\377\r\n\0`: the 11-byte signature every binary COPY stream starts with. */
export const BINARY_COPY_SIGNATURE: Uint8Array = Uint8Array.of(0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00);
const HEADER_BYTES = 19; // signature + int32 flags + int32 extension length
const S_HEADER = 0, S_EXT = 1, S_COUNT = 2, S_LEN = 3, S_DATA = 4, S_DONE = 5;
const EMPTY = new Uint8Array(0);

const int16 = (b: Uint8Array, i: number): number => (((b[i] ?? 0) << 24) | ((b[i + 1] ?? 0) << 16)) >> 16;
const int32 = (b: Uint8Array, i: number): number => ((b[i] ?? 0) << 24) | ((b[i + 1] ?? 0) << 16) | ((b[i + 2] ?? 0) << 8) | (b[i + 3] ?? 0);

/** Options of a {@link BinaryCopyParser}. */
export interface BinaryCopyParserOptions {
  /** Fields every tuple must have (≥ 1); any other count is an error. */
  readonly fieldCount: number;
  /** Called once per tuple, in stream order, with its fields (null = SQL NULL). */
  readonly onRow: (fields: readonly (Uint8Array | null)[]) => void;
  /**
   * Memory for one non-null field of `length` bytes (exactly that long); the parser copies the
   * field into it, so the row sees it complete. Default: a fresh Uint8Array per field.
   */
  readonly allocate?: (length: number, fieldIndex: number) => Uint8Array;
}

/**
 * Incremental parser of PostgreSQL's binary COPY format: header (signature, flags, extension),
 * tuples (int16 field count, then per field an int32 length, -1 = NULL, and the bytes), trailer
 * (int16 -1). Feed it with {@link push} in any chunking, then call {@link end}. The first error
 * (bad signature, critical header flag, wrong field count, negative length, data after the
 * trailer, or a throwing callback) is thrown and thrown again by every later call.
 */
export class BinaryCopyParser {
  private state = S_HEADER;
  private readonly scratch = new Uint8Array(HEADER_BYTES);
  private have = 0;
  private skip = 0;
  private fields: (Uint8Array | null)[] = [];
  private dest: Uint8Array = EMPTY;
  private filled = 0;
  private count = 0;
  private failure: unknown;
  private failed = false;
  private readonly allocate: (length: number, fieldIndex: number) => Uint8Array;

  constructor(private readonly opts: BinaryCopyParserOptions) {
    if (!Number.isInteger(opts.fieldCount) || opts.fieldCount < 1 || opts.fieldCount > 0x7fff) {
      throw new RangeError(`fieldCount must be an integer in 1..32767, got ${opts.fieldCount}`);
    }
    this.allocate = opts.allocate ?? ((n) => new Uint8Array(n));
  }

  /** Tuples delivered to `onRow` so far. */
  get rows(): number {
    return this.count;
  }

  /** True once the trailer has been read. */
  get finished(): boolean {
    return this.state === S_DONE;
  }

  /** Consumes the next piece of the stream (copied as needed; `chunk` is not kept). */
  push(chunk: Uint8Array): void {
    if (this.failed) throw this.failure;
    try {
      this.consume(chunk);
    } catch (err) {
      this.failed = true;
      this.failure = err;
      throw err;
    }
  }

  /** Declares the end of the stream: throws unless it ended exactly after the trailer. */
  end(): void {
    if (this.failed) throw this.failure;
    if (this.state === S_DONE) return;
    const where = this.state === S_HEADER || this.state === S_EXT ? 'inside the header'
      : this.state === S_COUNT && this.have === 0 ? `after tuple ${this.count}, before the trailer`
        : `inside tuple ${this.count + 1}`;
    this.failed = true;
    this.failure = new CopyFormatError(`stream truncated ${where}`);
    throw this.failure;
  }

  private consume(c: Uint8Array): void {
    const n = c.length;
    let p = 0;
    while (p < n) {
      const state = this.state;
      if (state === S_DATA) {
        const k = Math.min(n - p, this.dest.length - this.filled);
        this.dest.set(c.subarray(p, p + k), this.filled);
        this.filled += k;
        p += k;
        if (this.filled === this.dest.length) this.endField(this.dest);
      } else if (state === S_EXT) {
        const k = Math.min(n - p, this.skip);
        this.skip -= k;
        p += k;
        if (this.skip === 0) this.state = S_COUNT;
      } else if (state === S_DONE) {
        throw new CopyFormatError(`${n - p} unexpected byte(s) after the trailer`);
      } else {
        const want = state === S_HEADER ? HEADER_BYTES : state === S_COUNT ? 2 : 4;
        if (this.have === 0 && n - p >= want) {
          this.fixed(c, p);
          p += want;
        } else {
          const k = Math.min(want - this.have, n - p);
          this.scratch.set(c.subarray(p, p + k), this.have);
          this.have += k;
          p += k;
          if (this.have === want) {
            this.have = 0;
            this.fixed(this.scratch, 0);
          }
        }
      }
    }
  }

  /** Handles one complete fixed-size item (header, field count or field length) at `b[at]`. */
  private fixed(b: Uint8Array, at: number): void {
    if (this.state === S_HEADER) {
      for (let i = 0; i < BINARY_COPY_SIGNATURE.length; i++) {
        if (b[at + i] !== BINARY_COPY_SIGNATURE[i]) throw new CopyFormatError('bad signature: not a binary COPY stream');
      }
      const flags = int32(b, at + 11);
      // Bits 16-31 are critical (bit 16 = OIDs included): a reader must reject what it does not know.
      if ((flags & 0xffff0000) !== 0) throw new CopyFormatError(`unsupported header flags 0x${(flags >>> 0).toString(16)}`);
      const ext = int32(b, at + 15);
      if (ext < 0) throw new CopyFormatError(`negative header extension length ${ext}`);
      this.skip = ext;
      this.state = ext > 0 ? S_EXT : S_COUNT;
    } else if (this.state === S_COUNT) {
      const fields = int16(b, at);
      if (fields === -1) {
        this.state = S_DONE;
      } else if (fields !== this.opts.fieldCount) {
        throw new CopyFormatError(`tuple ${this.count + 1} has ${fields} field(s), expected ${this.opts.fieldCount}`);
      } else {
        this.state = S_LEN;
      }
    } else {
      const len = int32(b, at);
      if (len === -1) return this.endField(null);
      if (len < 0) throw new CopyFormatError(`tuple ${this.count + 1}: negative field length ${len}`);
      const dest = this.allocate(len, this.fields.length);
      if (dest.length !== len) throw new RangeError(`allocate(${len}) returned ${dest.length} bytes`);
      this.dest = dest;
      this.filled = 0;
      if (len === 0) return this.endField(dest);
      this.state = S_DATA;
    }
  }

  private endField(v: Uint8Array | null): void {
    this.fields.push(v);
    this.dest = EMPTY;
    if (this.fields.length < this.opts.fieldCount) {
      this.state = S_LEN;
      return;
    }
    const row = this.fields;
    this.fields = [];
    this.count++;
    this.state = S_COUNT;
    this.opts.onRow(row);
  }
}
