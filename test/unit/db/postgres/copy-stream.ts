/** Hand-built PostgreSQL binary COPY streams for the pg-copy-out tests. */

/** One tuple: each field's bytes, or null for SQL NULL. */
export type Tuple = readonly (Uint8Array | null)[];

/** An int8 field (big-endian, two's complement). */
export function int8(n: bigint | number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(n));
  return b;
}

/** A UTF-8 text field. */
export function utf8(s: string): Buffer {
  return Buffer.from(s, 'utf8');
}

/**
 * Encodes `tuples` the way `COPY … TO STDOUT (FORMAT binary)` does: signature, flags, header
 * extension, then per tuple an int16 field count and per field an int32 length (-1 = NULL) plus
 * the bytes, then the int16 -1 trailer (`trailer: false` leaves it off).
 */
export function copyStream(tuples: readonly Tuple[], opts: { flags?: number; ext?: Uint8Array; trailer?: boolean } = {}): Buffer {
  const parts: Buffer[] = [Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1')];
  const i16 = (v: number): Buffer => { const b = Buffer.alloc(2); b.writeInt16BE(v); return b; };
  const i32 = (v: number): Buffer => { const b = Buffer.alloc(4); b.writeInt32BE(v); return b; };
  const ext = opts.ext ?? new Uint8Array(0);
  parts.push(i32(opts.flags ?? 0), i32(ext.length), Buffer.from(ext));
  for (const t of tuples) {
    parts.push(i16(t.length));
    for (const f of t) parts.push(...(f === null ? [i32(-1)] : [i32(f.length), Buffer.from(f)]));
  }
  if (opts.trailer ?? true) parts.push(i16(-1));
  return Buffer.concat(parts);
}

/** The (app_id int8, document text) tuples of a source read. */
export function sourceStream(rows: readonly { readonly appId: number | bigint; readonly doc: string | null }[]): Buffer {
  return copyStream(rows.map((r) => [int8(r.appId), r.doc === null ? null : utf8(r.doc)]));
}

/** Splits `bytes` at the given cut offsets (ascending, within 1..length-1). */
export function splitAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let from = 0;
  for (const c of cuts) { out.push(bytes.subarray(from, c)); from = c; }
  out.push(bytes.subarray(from));
  return out;
}
