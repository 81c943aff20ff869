/**
 * Strict checks of the markup the product reads (the targeted scan's skeleton), so that no value is
 * silently changed on its way from the document to a column:
 *
 * - every `&` starts a reference to one of the five predefined entities (amp, lt, gt, quot, apos —
 *   documents cannot declare others: internal DTD subsets are refused) or a well-formed character
 *   reference (`&#N;` / `&#xH;`) to a character XML 1.0 allows;
 * - no character XML 1.0 forbids (C0 controls other than tab/LF/CR, U+FFFE, U+FFFF) appears raw;
 * - no element carries the same attribute twice, and every attribute is `name="value"`.
 *
 * The skeleton is checked as a byte-per-character ("latin1") string of UTF-8 bytes: one native
 * regex test decides whether values need to be looked at character by character at all; start tags
 * are always walked for their attribute names. Problems are returned with their skeleton offset;
 * the scan maps it back to a line and column of the document.
 *
 * Invalid UTF-8 is checked on the whole document (see `firstInvalidUtf8`).
 */

/** A problem: offset in the checked string and a description naming what and where. */
export interface MarkupProblem {
  readonly at: number;
  readonly what: string;
}

const NON_ASCII = /[^\x00-\x7f]/;

/** Decodes a byte-per-character string holding UTF-8 bytes. */
export function utf8Of(raw: string): string {
  return NON_ASCII.test(raw) ? Buffer.from(raw, 'latin1').toString('utf8') : raw;
}

/** Anything that needs a closer look: a forbidden raw character, or `&` not starting amp/lt/gt/quot/apos. */
const SUSPECT = /[\x00-\x08\x0B\x0C\x0E-\x1F]|\xEF\xBF[\xBE\xBF]|&(?!(?:amp|lt|gt|quot|apos);)/;
/** Every candidate position (deep mode): forbidden raw characters and every `&`. */
const CANDIDATES = /[\x00-\x08\x0B\x0C\x0E-\x1F]|\xEF\xBF[\xBE\xBF]|&/g;

function isWsCode(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/** A character an attribute name may hold here: not whitespace, a control, `=`, `/`, `>`, `<`, `&` or a quote. */
function isAttrNameCode(c: number): boolean {
  return c > 32 && c !== 61 && c !== 47 && c !== 62 && c !== 60 && c !== 38 && c !== 34 && c !== 39;
}

const PREDEFINED = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);
const NAME = /^[A-Za-z_:\x80-\xff][A-Za-z0-9_:.\-\x80-\xff]*$/;

/** True for a code point XML 1.0 allows as a character (§2.2 Char). */
export function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd
    || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

function hex4(cp: number): string {
  return cp.toString(16).toUpperCase().padStart(4, '0');
}

/** Shown form of a raw reference (latin1 → text, shortened). */
function shownRef(raw: string): string {
  const t = utf8Of(raw);
  return t.length > 40 ? `${t.slice(0, 37)}…` : t;
}

/**
 * Checks the reference starting at `s[i] === '&'`; returns a description of what is wrong, or null.
 * `limit` is where the enclosing text or value ends.
 */
function badReference(s: string, i: number, limit: number): string | null {
  const semi = s.indexOf(';', i + 1);
  const end = semi === -1 || semi >= limit ? -1 : semi;
  const token = end === -1 ? null : s.slice(i + 1, end);
  if (token === null || token.length === 0 || token.length > 64 || /[\s&<"']/.test(token)) {
    const near = s.slice(i, Math.min(limit, i + 12));
    return token === '' ? 'malformed reference "&;"' : `"&" that does not start a reference (write &amp;): "${shownRef(near)}"`;
  }
  if (PREDEFINED.has(token)) return null;
  if (token.charCodeAt(0) === 35 /* # */) {
    const m = /^#(?:([0-9]+)|x([0-9a-fA-F]+))$/.exec(token);
    if (!m) return `malformed character reference &${shownRef(token)};`;
    const digits = (m[1] ?? m[2] ?? '').replace(/^0+(?=.)/, '');
    const cp = digits.length > 8 ? Infinity : parseInt(digits, m[1] !== undefined ? 10 : 16);
    if (!isXmlChar(cp)) {
      const what = Number.isFinite(cp) && cp <= 0x10ffff ? `U+${hex4(cp)}` : 'beyond U+10FFFF';
      return `character reference &${token}; to a character XML forbids (${what})`;
    }
    return null;
  }
  if (NAME.test(token)) return `undeclared entity &${shownRef(token)}; (only amp, lt, gt, quot and apos are defined)`;
  return `malformed reference &${shownRef(token)};`;
}

/** Describes a forbidden raw character at `s[i]`. */
function badChar(s: string, i: number): string {
  const c = s.charCodeAt(i);
  const cp = c === 0xef ? (s.charCodeAt(i + 2) === 0xbe ? 0xfffe : 0xffff) : c;
  return `invalid XML character U+${hex4(cp)}`;
}

type Segment = 'text' | 'value' | 'other' | 'markup';

/**
 * Checks a skeleton (byte-per-character string of UTF-8 bytes, markup already known to nest
 * correctly). Returns the first problem, or null.
 */
export function checkSkeleton(s: string): MarkupProblem | null {
  const deep = SUSPECT.test(s);
  const cand: number[] = [];
  if (deep) {
    CANDIDATES.lastIndex = 0;
    for (let m = CANDIDATES.exec(s); m !== null; m = CANDIDATES.exec(s)) cand.push(m.index);
  }
  let k = 0; // next unprocessed candidate
  const stack: string[] = [];
  const top = (): string => utf8Of(stack[stack.length - 1] ?? '');
  /** Processes candidates in [.., to) as belonging to a segment of `kind`; `where` names the place. */
  const consume = (to: number, kind: Segment, where: () => string): MarkupProblem | null => {
    while (k < cand.length && cand[k]! < to) {
      const i = cand[k++]!;
      if (s.charCodeAt(i) === 38 /* & */) {
        if (kind === 'other') continue; // comment, CDATA section, PI: no references
        const bad = kind === 'markup' ? '"&" in markup' : badReference(s, i, to);
        if (bad !== null) return { at: i, what: `${bad} ${where()}` };
      } else {
        return { at: i, what: `${badChar(s, i)} ${where()}` };
      }
    }
    return null;
  };
  const seen = new Set<string>();
  let pos = 0;
  const n = s.length;
  while (pos < n) {
    const lt = s.indexOf('<', pos);
    if (deep) {
      const p = consume(lt === -1 ? n : lt, 'text', () => `in the text of <${top()}>`);
      if (p) return p;
    }
    if (lt === -1) break;
    const c1 = s.charCodeAt(lt + 1);
    if (c1 === 47 /* / */) {
      const gt = s.indexOf('>', lt);
      const end = gt === -1 ? n : gt + 1;
      if (deep) { const p = consume(end, 'markup', () => `in the end tag of <${top()}>`); if (p) return p; }
      stack.pop();
      pos = end;
      continue;
    }
    if (c1 === 33 /* ! */ || c1 === 63 /* ? */) {
      let close: string; let kind: string;
      if (c1 === 63) { close = '?>'; kind = 'a processing instruction'; }
      else if (s.startsWith('<!--', lt)) { close = '-->'; kind = 'a comment'; }
      else if (s.startsWith('<![CDATA[', lt)) { close = ']]>'; kind = 'a CDATA section'; }
      else { close = '>'; kind = 'a declaration'; }
      const e = s.indexOf(close, lt + 2);
      const end = e === -1 ? n : e + close.length;
      if (deep) { const p = consume(end, 'other', () => `in ${kind} inside <${top()}>`); if (p) return p; }
      pos = end;
      continue;
    }
    // start tag: name, then attributes
    let j = lt + 1;
    while (j < n) {
      const c = s.charCodeAt(j);
      if (c === 62 || c === 47 || c === 32 || c === 9 || c === 10 || c === 13) break;
      j++;
    }
    const name = s.slice(lt + 1, j);
    const el = (): string => utf8Of(name);
    if (deep) { const p = consume(j, 'markup', () => `in the name of <${el()}>`); if (p) return p; }
    seen.clear();
    let at = j;
    let gtEnd = -1;
    let selfClosing = false;
    let malformed = -1;
    for (;;) {
      let w = at;
      while (isWsCode(s.charCodeAt(w))) w++;
      const c = s.charCodeAt(w);
      if (c === 62 /* > */) { gtEnd = w + 1; break; }
      if (c === 47 /* / */ && s.charCodeAt(w + 1) === 62) { gtEnd = w + 2; selfClosing = true; break; }
      let e = w;
      while (e < n && isAttrNameCode(s.charCodeAt(e))) e++;
      if (w === at || e === w) { malformed = w; break; }
      let x = e;
      while (isWsCode(s.charCodeAt(x))) x++;
      if (s.charCodeAt(x) !== 61 /* = */) { malformed = w; break; }
      x++;
      while (isWsCode(s.charCodeAt(x))) x++;
      const q = s.charCodeAt(x);
      const close = q === 34 || q === 39 ? s.indexOf(q === 34 ? '"' : "'", x + 1) : -1;
      if (close === -1) { malformed = w; break; }
      const attr = s.slice(w, e);
      if (seen.has(attr)) return { at: w, what: `duplicate attribute ${utf8Of(attr)} on <${el()}>` };
      seen.add(attr);
      if (deep) {
        const p = consume(x + 1, 'markup', () => `in the start tag of <${el()}>`)
          ?? consume(close, 'value', () => `in attribute ${utf8Of(attr)} of <${el()}>`);
        if (p) return p;
      }
      at = close + 1;
    }
    if (malformed !== -1) {
      if (deep) { const p = consume(malformed + 1, 'markup', () => `in the start tag of <${el()}>`); if (p) return p; }
      return { at: malformed, what: `malformed attribute in the start tag of <${el()}> (expected name="value")` };
    }
    if (deep) { const p = consume(gtEnd, 'markup', () => `in the start tag of <${el()}>`); if (p) return p; }
    if (!selfClosing) stack.push(name);
    pos = gtEnd;
  }
  return null;
}

/** Offset of the first byte of `b` that is not part of valid UTF-8, or -1. Slow: use after `isUtf8` said no. */
export function firstInvalidUtf8(b: Uint8Array): number {
  const n = b.length;
  let i = 0;
  while (i < n) {
    const c = b[i]!;
    if (c < 0x80) { i++; continue; }
    let need: number; let min: number;
    if (c >= 0xc2 && c <= 0xdf) { need = 1; min = 0x80; }
    else if (c >= 0xe0 && c <= 0xef) { need = 2; min = 0x800; }
    else if (c >= 0xf0 && c <= 0xf4) { need = 3; min = 0x10000; }
    else return i;
    let cp = c & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const d = b[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/**
 * Where byte `offset` of a document lies, for messages about bytes found outside the skeleton:
 * `in attribute a of <e>`, `in the text of <e>`, `in the tag <e>`, or `before the document element`.
 * Walks the markup before the offset with simple searches (best effort on malformed input).
 */
export function describeOffset(b: Buffer, offset: number): string {
  const stack: string[] = [];
  let pos = 0;
  for (;;) {
    const lt = b.indexOf(60, pos);
    if (lt === -1 || lt > offset) break;
    if (b[lt + 1] === 33 || b[lt + 1] === 63) {
      const close = b[lt + 1] === 63 ? '?>' : b.subarray(lt, lt + 4).toString('latin1') === '<!--' ? '-->' : b.subarray(lt, lt + 9).toString('latin1') === '<![CDATA[' ? ']]>' : '>';
      const e = b.indexOf(close, lt + 2, 'latin1');
      if (e === -1 || e + close.length > offset) return stack.length ? `in markup inside <${stack[stack.length - 1]}>` : 'before the document element';
      pos = e + close.length;
      continue;
    }
    // find the tag end, quote-aware
    let i = lt + 1; let q = 0;
    while (i < b.length && (q !== 0 || b[i] !== 62)) { const c = b[i]!; if (q === 0 && (c === 34 || c === 39)) q = c; else if (c === q) q = 0; i++; }
    const nameEnd = (() => { let j = lt + (b[lt + 1] === 47 ? 2 : 1); while (j < i && !/[\s/>]/.test(String.fromCharCode(b[j]!))) j++; return j; })();
    const name = b.toString('utf8', lt + (b[lt + 1] === 47 ? 2 : 1), nameEnd);
    if (offset <= i) {
      const before = b.toString('latin1', lt, offset);
      const m = /([^\s=]+)\s*=\s*(["'])[^"']*$/.exec(before);
      return m ? `in attribute ${utf8Of(m[1]!)} of <${name}>` : `in the tag <${name}>`;
    }
    if (b[lt + 1] === 47) stack.pop();
    else if (b[i - 1] !== 47) stack.push(name);
    pos = i + 1;
  }
  return stack.length ? `in the text of <${stack[stack.length - 1]}>` : 'outside the document element';
}
