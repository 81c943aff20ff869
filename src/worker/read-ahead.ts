/**
 * Reading a batch's documents chunk by chunk, one chunk ahead: while the consumer works on chunk k,
 * chunk k + 1 is already being read, so database and network time overlap with parsing and mapping.
 */

const noop = (): void => undefined;

/**
 * Yields `read(chunk)` for each of `chunks`, in order. The read of chunk k + 1 starts when chunk k is
 * handed out, and the read of chunk k + 2 only once the consumer asks for chunk k + 1 — so at most
 * two chunks are held at a time, and chunk k is no longer used when the read of chunk k + 2 starts
 * (a reader may reuse chunk k's memory for it). A failed read is thrown when its chunk is due; a
 * read-ahead whose chunk is never asked for cannot become an unhandled rejection.
 */
export async function* readAhead<C, T>(chunks: readonly C[], read: (chunk: C) => Promise<T>): AsyncGenerator<T> {
  const start = (c: C): Promise<T> => {
    const p = read(c);
    p.catch(noop);
    return p;
  };
  let ahead = chunks.length > 0 ? start(chunks[0]!) : null;
  for (let k = 0; k < chunks.length; k++) {
    const current = ahead!;
    ahead = k + 1 < chunks.length ? start(chunks[k + 1]!) : null;
    yield await current;
  }
}
