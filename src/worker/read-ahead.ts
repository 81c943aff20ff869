/**
 * Reading a batch's documents chunk by chunk, one chunk ahead: while the consumer works on chunk k,
 * chunk k + 1 is already being read, so database and network time overlap with parsing and mapping.
 * With a weight (the chunk's document bytes) and a limit, a chunk is read ahead only while the two
 * held chunks fit the limit together: memory stays bounded by bytes, not by a number of documents.
 */

const noop = (): void => undefined;

/** Options of {@link readAhead}. */
export interface ReadAheadOptions<C, T> {
  /** A chunk's weight (its documents' bytes). Default 0. */
  readonly weight?: (chunk: C) => number;
  /**
   * Chunk k + 1 is read while chunk k is held only if their weights add up to at most this;
   * otherwise it is read once the consumer is done with chunk k. Default: no limit.
   */
  readonly limit?: number;
  /**
   * Called with a chunk's value once the consumer is done with it (it asked for the next one), so
   * what the value holds can be let go before the next read is awaited (e.g. emptying an array the
   * consumer still has a reference to).
   */
  readonly release?: (value: T) => void;
}

/**
 * Yields `read(chunk)` for each of `chunks`, in order. The read of chunk k + 1 starts when chunk k is
 * asked for (when its weight and chunk k's fit `limit`; else when chunk k + 1 is asked for), so at
 * most two chunks are held at a time, and chunk k is no longer used when the read of chunk k + 2
 * starts (a reader may reuse chunk k's memory for it). A failed read is thrown when its chunk is due;
 * a read-ahead whose chunk is never asked for cannot become an unhandled rejection.
 */
export async function* readAhead<C, T>(chunks: readonly C[], read: (chunk: C) => Promise<T>, opts: ReadAheadOptions<C, T> = {}): AsyncGenerator<T> {
  const weight = opts.weight ?? (() => 0);
  const limit = opts.limit ?? Infinity;
  const start = (c: C): Promise<T> => {
    const p = read(c);
    p.catch(noop);
    return p;
  };
  let ahead: Promise<T> | null = null;
  for (let k = 0; k < chunks.length; k++) {
    const chunk = chunks[k]!;
    const current = ahead ?? start(chunk);
    const next = chunks[k + 1];
    ahead = next !== undefined && weight(chunk) + weight(next) <= limit ? start(next) : null;
    const value = await current;
    yield value;
    opts.release?.(value);
  }
}
