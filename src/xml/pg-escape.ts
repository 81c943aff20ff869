/**
 * PostgreSQL's bytea `escape` text form: bytes ≥ 0x80 (and NUL) as `\\ooo` octal, a backslash doubled,
 * every other byte as itself — so the text is pure ASCII. Markup characters are unchanged, which lets
 * the targeted scanner work on the escaped text directly; only the small skeleton it keeps is turned
 * back into a string here.
 */

/** The UTF-8 byte-order mark in escape form. */
export const ESCAPED_BOM = '\\357\\273\\277';

/** Decodes escape-form text (UTF-8 bytes) into a string. */
export function decodePgEscape(s: string): string {
  if (s.indexOf('\\') === -1) return s;
  const out = Buffer.allocUnsafe(s.length);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 92) { out[n++] = c; continue; }
    const d = s.charCodeAt(i + 1);
    if (d === 92) { out[n++] = 92; i++; continue; }
    out[n++] = ((d - 48) << 6) | ((s.charCodeAt(i + 2) - 48) << 3) | (s.charCodeAt(i + 3) - 48);
    i += 3;
  }
  return out.toString('utf8', 0, n);
}
