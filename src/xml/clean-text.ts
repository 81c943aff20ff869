/**
 * Text clean-up done before any parsing, as the reference does: drop a leading U+FEFF byte-order mark
 * and leading control characters (below U+0020 other than tab, CR, LF), then trim.
 */
export function cleanXmlText(text: string): string {
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0xfeff || (c < 0x20 && c !== 9 && c !== 10 && c !== 13) || c === 32 || c === 9 || c === 10 || c === 13) i++;
    else break;
  }
  let j = n;
  while (j > i) {
    const c = text.charCodeAt(j - 1);
    if (c === 32 || c === 9 || c === 10 || c === 13) j--;
    else break;
  }
  return i === 0 && j === n ? text : text.slice(i, j);
}
