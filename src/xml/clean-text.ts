/**
 * Clean-up done before any parsing, as the reference does: drop leading U+FEFF byte-order marks and
 * leading control characters (below U+0020), then trim spaces, tabs, CR and LF at both ends.
 */

/** The [start, end) byte range of `b` (UTF-8) that remains after the clean-up. */
export function cleanRange(b: Uint8Array): [number, number] {
  let i = 0;
  const n = b.length;
  while (i < n) {
    const c = b[i]!;
    if (c <= 0x20) i++;
    else if (c === 0xef && b[i + 1] === 0xbb && b[i + 2] === 0xbf) i += 3; // U+FEFF
    else break;
  }
  let j = n;
  while (j > i) {
    const c = b[j - 1];
    if (c === 32 || c === 9 || c === 10 || c === 13) j--;
    else break;
  }
  return [i, j];
}
