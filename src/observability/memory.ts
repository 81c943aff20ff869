/**
 * Letting go of large documents promptly. V8 frees a dropped Buffer only at its next garbage
 * collection, which it starts once about 64 MB more external memory has been allocated since the
 * last one: with documents of tens of MB that lets two or three dead documents pile up beside the
 * live ones. A process that has just let go of a large chunk of documents collects at once instead
 * (a full collection of this program's small heap takes milliseconds; it happens once per tens of
 * MB of documents, never for ordinary ones).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Bytes let go at once from which {@link releasedLarge} collects (a worker's chunk). */
export const LARGE_RELEASE_BYTES = 16 * 1024 * 1024;

/**
 * The parent in parent-read mode collects from smaller batches: each shipped batch also left
 * serialization copies behind, and its heap allocator keeps freed memory longer than a worker's.
 */
export const PARENT_RELEASE_BYTES = 4 * 1024 * 1024;

let gc: (() => void) | null = null;

/** V8's collector, made reachable on first use (a context created after `--expose-gc` has `gc`). */
function collector(): () => void {
  if (gc === null) {
    gc = () => undefined; // not offered by this runtime: V8 collects on its own schedule
    try {
      setFlagsFromString('--expose-gc');
      const f = runInNewContext('gc') as unknown;
      if (typeof f === 'function') gc = f as () => void;
    } catch { /* keep the no-op */ }
  }
  return gc;
}

/** Collects garbage now when `bytes` of documents were just let go and that is at least `threshold`. */
export function releasedLarge(bytes: number, threshold = LARGE_RELEASE_BYTES): void {
  if (bytes >= threshold) collector()();
}

/** Bytes of a document as read (UTF-8 bytes, or a string's length), 0 for NULL. */
export function documentBytes(xml: string | Uint8Array | null): number {
  return xml === null ? 0 : typeof xml === 'string' ? xml.length : xml.byteLength;
}
