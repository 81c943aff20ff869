/**
 * Targeted scan: walks the markup of a whole document, checks that it is well formed where it walks
 * and that every skipped element is closed, and returns a small "skeleton" XML holding only the
 * elements the compiled plan needs (in document order, correctly nested). Skipped subtrees are
 * jumped over with native `indexOf` searches for their closing tag — no objects are built for them.
 *
 * The scan works on the document's UTF-8 bytes, never on a string of the whole document: a worker
 * gets raw bytes from the database, and turning 200 KB of bytes into a string costs far more than
 * scanning them (memory copies and fresh pages per document). Markup is ASCII, so every search is a
 * byte search; only the kept pieces become text — first as byte-per-character ("latin1") strings,
 * then decoded once as UTF-8 — and element names are decoded where they are looked up.
 *
 * DTDs are never processed: a DOCTYPE with an internal subset or an external identifier is
 * rejected, so entity expansion and external entities cannot happen.
 */
import { isUtf8 } from 'node:buffer';
import { checkSkeleton, describeOffset, firstInvalidUtf8, utf8Of } from './markup-check.js';
import type { ScanNode, ScanSpec } from './scan-spec.js';
import { XmlDocumentError, lineColBytes } from './xml-error.js';

/** Deepest element nesting accepted in the walked parts of a document. */
export const MAX_DEPTH = 512;

/** Result of a scan. */
export interface ScanResult {
  /** Skeleton XML: the kept elements only. */
  skeleton: string;
  /** Local names of the children of watched elements, by watched element local name. */
  watchedChildren: Set<string>;
}

const LT = 60; const GT = 62; const SLASH = 47; const BANG = 33; const QMARK = 63; const DQ = 34; const SQ = 39;

function isWs(c: number | undefined): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/** Ends a name while walking a start tag (the end of the input ends it too). */
function isNameEnd(c: number | undefined): boolean {
  return c === undefined || c === 62 || c === 47 || isWs(c);
}

/** Ends the name in `<name…` / `</name…` while searching skipped content (a character must follow). */
function isTagNameEnd(c: number | undefined): boolean {
  return c === 62 || c === 47 || isWs(c);
}

/** Index of the `>` closing a start tag whose attributes begin at `from` (quote-aware), or -1. */
function findTagEnd(b: Buffer, from: number): number {
  const n = b.length;
  for (let i = from; i < n; i++) {
    const c = b[i];
    if (c === GT) return i;
    if (c === DQ || c === SQ) {
      const q = b.indexOf(c, i + 1);
      if (q === -1) return -1;
      i = q;
    } else if (c === LT) return -1; // '<' cannot appear inside a tag
  }
  return -1;
}

function localName(name: string): string {
  const i = name.indexOf(':');
  return i === -1 ? name : name.slice(i + 1);
}

const needleCaches = { latin1: new Map<string, Buffer>(), utf8: new Map<string, Buffer>() };

/**
 * The bytes of `text`, cached (names repeat across documents): `latin1` for a byte-per-character
 * string of raw bytes (the default), `utf8` for a name from the contract.
 */
function needle(text: string, encoding: 'latin1' | 'utf8' = 'latin1'): Buffer {
  const cache = needleCaches[encoding];
  let b = cache.get(text);
  if (!b) {
    b = Buffer.from(text, encoding);
    if (cache.size > 2000) cache.clear();
    cache.set(text, b);
  }
  return b;
}

/** True when the tag bytes b[from,to) carry an attribute called one of `names` (never searches past the tag). */
function hasAnyAttr(b: Buffer, from: number, to: number, names: readonly string[]): boolean {
  if (names.length === 0 || to - from < 3) return false;
  const tag = b.subarray(from, to);
  for (const name of names) {
    const nb = needle(name, 'utf8');
    let i = tag.indexOf(nb);
    while (i !== -1) {
      if (i === 0 || isWs(tag[i - 1])) {
        let k = i + nb.length;
        while (isWs(tag[k])) k++;
        if (tag[k] === 61) return true;
      }
      i = tag.indexOf(nb, i + 1);
    }
  }
  return false;
}

const COMMENT = needle('<!--'); const COMMENT_END = needle('-->');
const CDATA = needle('<![CDATA['); const CDATA_END = needle(']]>');
const PI_END = needle('?>');

function startsWithAt(b: Buffer, nd: Buffer, at: number): boolean {
  if (at + nd.length > b.length) return false;
  for (let k = 0; k < nd.length; k++) if (b[at + k] !== nd[k]) return false;
  return true;
}

/** Index after the comment / CDATA section / PI starting at `lt`, -1 when unterminated, or `lt + 2` for other `<!`. */
function specialEnd(b: Buffer, lt: number): number {
  if (b[lt + 1] === QMARK) { const e = b.indexOf(PI_END, lt + 2); return e === -1 ? -1 : e + 2; }
  if (startsWithAt(b, COMMENT, lt)) { const e = b.indexOf(COMMENT_END, lt + 4); return e === -1 ? -1 : e + 3; }
  if (startsWithAt(b, CDATA, lt)) { const e = b.indexOf(CDATA_END, lt + 9); return e === -1 ? -1 : e + 3; }
  return lt + 2;
}

/**
 * Where the next `<!` / `<?` is, remembered for the whole document. Positions only grow during a
 * scan, so each byte is searched at most once, however many elements are skipped. The searches look
 * for the rare `!` and `?` bytes (at memory speed) and then check for the `<` before them.
 */
class SpecialMarks {
  private bang = -2; // index of a '!' / '?' preceded by '<' (-2 = not searched yet, -1 = none left)
  private qmark = -2;
  constructor(private readonly b: Buffer) {}

  private advance(cur: number, byte: number, pos: number): number {
    let i = cur;
    if (i !== -1 && i <= pos) i = this.b.indexOf(byte, pos + 1);
    while (i !== -1 && this.b[i - 1] !== LT) i = this.b.indexOf(byte, i + 1);
    return i;
  }

  /** The first `<!` or `<?` starting in [pos, limit), or -1. */
  next(pos: number, limit: number): number {
    this.bang = this.advance(this.bang, BANG, pos);
    this.qmark = this.advance(this.qmark, QMARK, pos);
    const i = this.bang === -1 ? this.qmark : this.qmark === -1 ? this.bang : Math.min(this.bang, this.qmark);
    return i !== -1 && i - 1 < limit ? i - 1 : -1;
  }
}

/**
 * Start (`<`) of the next `<raw` or `</raw` tag at or after `pos` that is followed by a name end, or
 * -1. Long names are searched for themselves: a search whose first byte is a letter runs at memory
 * speed, while one starting with `<` stops at every tag. Short names, which text may contain often,
 * are found by visiting each `<`.
 */
function nextTag(b: Buffer, nm: Buffer, pos: number): number {
  const len = nm.length;
  if (len >= 4) {
    for (let i = b.indexOf(nm, pos + 1); i !== -1; i = b.indexOf(nm, i + 1)) {
      if (!isTagNameEnd(b[i + len])) continue;
      if (b[i - 1] === LT) return i - 1;
      if (b[i - 1] === SLASH && b[i - 2] === LT && i - 2 >= pos) return i - 2;
    }
    return -1;
  }
  for (let lt = b.indexOf(LT, pos); lt !== -1; lt = b.indexOf(LT, lt + 1)) {
    const at = b[lt + 1] === SLASH ? lt + 2 : lt + 1;
    let k = 0;
    while (k < len && b[at + k] === nm[k]) k++;
    if (k === len && isTagNameEnd(b[at + len])) return lt;
  }
  return -1;
}

/**
 * Given the end of the start tag of element `raw` (its name bytes as a latin1 string, prefix
 * included), returns the index just past its matching end tag, or -1 when it is never closed.
 * Nested same-name elements are counted; comments, CDATA sections and processing instructions are
 * stepped over. One native search finds each candidate tag, so a skipped subtree's bytes are read
 * about once.
 */
function skipElement(b: Buffer, marks: SpecialMarks, raw: string, from: number): number {
  const nm = needle(raw);
  let depth = 1;
  let pos = from;
  for (;;) {
    const t = nextTag(b, nm, pos);
    if (t === -1) return -1;
    const sp = marks.next(pos, t);
    if (sp !== -1) {
      const end = specialEnd(b, sp);
      if (end === -1) return -1;
      pos = end;
      continue;
    }
    if (b[t + 1] === SLASH) {
      if (--depth === 0) {
        const gt = b.indexOf(GT, t);
        return gt === -1 ? -1 : gt + 1;
      }
      pos = t + 2 + nm.length;
    } else {
      const te = findTagEnd(b, t + 1 + nm.length);
      if (te !== -1 && b[te - 1] !== SLASH) depth++;
      pos = t + 1 + nm.length;
    }
  }
}

function fail(b: Buffer, offset: number, what: string, stage: 'validation' | 'parsing' = 'parsing'): never {
  const { line, column } = lineColBytes(b, offset);
  throw new XmlDocumentError(`${what} (line ${line}, column ${column})`, stage, offset);
}


const DOCTYPE = needle('<!DOCTYPE');

/** The kind of comment / CDATA section / PI starting at `lt`, or null. */
function specialKind(b: Buffer, lt: number): string | null {
  if (b[lt + 1] === QMARK) return 'processing instruction';
  if (startsWithAt(b, COMMENT, lt)) return 'comment';
  return startsWithAt(b, CDATA, lt) ? 'CDATA section' : null;
}

/** Skips `<!…>` / `<?…?>` constructs starting at `lt` in walked content; returns the index after them. */
function skipSpecial(b: Buffer, lt: number): number {
  const kind = specialKind(b, lt);
  if (kind !== null) {
    const end = specialEnd(b, lt);
    if (end === -1) fail(b, lt, `unterminated ${kind}`);
    return end;
  }
  if (startsWithAt(b, DOCTYPE, lt)) {
    const gt = b.indexOf(GT, lt);
    if (gt === -1) fail(b, lt, 'unterminated DOCTYPE');
    const decl = b.toString('latin1', lt, gt);
    if (decl.includes('[') || /\b(SYSTEM|PUBLIC)\b/.test(decl)) {
      fail(b, lt, 'DOCTYPE with entity declarations or an external DTD is not allowed (entities are never expanded or fetched)');
    }
    return gt + 1;
  }
  return fail(b, lt, 'unexpected markup "<!"');
}

/** `s` as the UTF-8 bytes the scan works on (a Buffer view is used as it is; strings are encoded). */
export function scanBytes(input: string | Uint8Array): Buffer {
  if (typeof input === 'string') return Buffer.from(input, 'utf8');
  return Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
}

/**
 * Scans a document (already cleaned: no BOM, trimmed) with `spec`. Strings are scanned as their
 * UTF-8 encoding; byte offsets in errors become line and column (in characters). Bytes must be
 * valid UTF-8 throughout; the kept markup is checked strictly (markup-check.ts).
 * @throws XmlDocumentError on malformed or truncated markup, invalid UTF-8, a bad reference, a
 * forbidden character or a duplicate attribute in the kept parts, or a wrong document element.
 */
export function targetedScan(input: string | Uint8Array, spec: ScanSpec): ScanResult {
  const b = scanBytes(input);
  if (typeof input !== 'string' && !isUtf8(b)) {
    const at = firstInvalidUtf8(b);
    fail(b, at, `invalid UTF-8: byte 0x${(b[at] ?? 0).toString(16).toUpperCase().padStart(2, '0')} ${describeOffset(b, at)}`);
  }
  const out: string[] = []; // byte-per-character pieces of the skeleton
  const pieceAt: number[] = []; // where each piece starts in the skeleton
  const pieceDoc: number[] = []; // where each piece (or the tag it stands for) starts in the document
  let outLen = 0;
  const emit = (piece: string, docAt: number): void => {
    out.push(piece); pieceAt.push(outLen); pieceDoc.push(docAt); outLen += piece.length;
  };
  const watched = new Set<string>();
  const tags: string[] = []; // raw names (latin1) of the open elements
  const nodes: (ScanNode | null)[] = [];
  const emitted: boolean[] = [];
  const scoped: boolean[] = [];
  const opens: number[] = [];
  let rootDone = false;
  let pos = 0;
  const n = b.length;
  const marks = new SpecialMarks(b);
  while (pos < n) {
    const lt = b.indexOf(LT, pos);
    if (lt === -1) break;
    const c1 = b[lt + 1];
    if (c1 === SLASH) { // end tag
      const gt = b.indexOf(GT, lt);
      if (gt === -1) fail(b, lt, 'truncated end tag');
      let s0 = lt + 2; let s1 = gt;
      while (s0 < s1 && isWs(b[s0])) s0++;
      while (s1 > s0 && isWs(b[s1 - 1])) s1--;
      const raw = b.toString('latin1', s0, s1);
      const top = tags.length - 1;
      if (top < 0) fail(b, lt, `unexpected end tag </${utf8Of(raw)}>`);
      if (tags[top] !== raw) fail(b, lt, `mismatched end tag </${utf8Of(raw)}>, expected </${utf8Of(tags[top] ?? '')}>`);
      if (emitted[top]) emit(`</${localName(raw)}>`, lt);
      tags.pop(); nodes.pop(); emitted.pop(); scoped.pop(); opens.pop();
      if (tags.length === 0) rootDone = true;
      pos = gt + 1;
      continue;
    }
    if (c1 === BANG || c1 === QMARK) { pos = skipSpecial(b, lt); continue; }
    let j = lt + 1;
    let high = 0;
    while (j < n && !isNameEnd(b[j])) high |= b[j++]!;
    if (j === lt + 1) fail(b, lt, 'invalid "<" in text');
    const raw = b.toString('latin1', lt + 1, j);
    const name = high > 0x7f ? b.toString('utf8', lt + 1, j) : raw;
    const gt = findTagEnd(b, j);
    if (gt === -1) fail(b, lt, `truncated or malformed start tag <${name}`);
    const selfClosing = b[gt - 1] === SLASH;
    const local = localName(name);
    const rawLocal = localName(raw);
    const depth = tags.length;
    if (depth >= MAX_DEPTH) fail(b, lt, `elements nested deeper than ${MAX_DEPTH} levels`);
    let node: ScanNode | null;
    let inScope: boolean;
    if (depth === 0) {
      if (rootDone) fail(b, lt, `content after the document element: <${name}>`);
      if (local !== spec.rootName) fail(b, lt, `document element is <${name}>, expected <${spec.rootName}>`, 'validation');
      node = spec.root;
      inScope = node.scopeRoot;
    } else {
      const parent = nodes[depth - 1] ?? null;
      if (parent?.watchChildren) watched.add(local);
      node = parent?.children.get(local) ?? null;
      inScope = (scoped[depth - 1] ?? false) || (node?.scopeRoot ?? false);
    }
    const keep = node !== null
      ? node.keep
      : inScope && (spec.scopeTags.has(local.toLowerCase()) || hasAnyAttr(b, j, gt, spec.scopeAttrs));
    if (keep) {
      for (let a = 0; a < depth; a++) {
        if (!emitted[a]) { emit(`<${localName(tags[a] ?? '')}>`, opens[a] ?? 0); emitted[a] = true; }
      }
      if (node?.keepText && !selfClosing) {
        const end = skipElement(b, marks, raw, gt + 1);
        if (end === -1) fail(b, lt, `element <${name}> is never closed`);
        if (rawLocal === raw) emit(b.toString('latin1', lt, end), lt);
        else {
          emit(`<${rawLocal}`, lt);
          emit(b.toString('latin1', j, end - raw.length - 3), j);
          emit(`</${rawLocal}>`, end - raw.length - 3);
        }
        pos = end;
        continue;
      }
      if (rawLocal === raw) emit(b.toString('latin1', lt, gt + 1), lt);
      else { emit(`<${rawLocal}`, lt); emit(b.toString('latin1', j, gt + 1), j); }
    }
    if (selfClosing) { pos = gt + 1; if (depth === 0) rootDone = true; continue; }
    if (keep || node !== null || inScope) {
      tags.push(raw); nodes.push(node); emitted.push(keep); scoped.push(inScope); opens.push(lt);
      pos = gt + 1;
    } else {
      const end = skipElement(b, marks, raw, gt + 1);
      if (end === -1) fail(b, lt, `element <${name}> is never closed (document truncated?)`);
      pos = end;
    }
  }
  if (tags.length > 0) fail(b, opens[opens.length - 1] ?? 0, `element <${utf8Of(tags[tags.length - 1] ?? '')}> is never closed (document truncated?)`);
  if (!rootDone) throw new XmlDocumentError('no document element found', 'validation', 0);
  const latin = out.join('');
  const problem = checkSkeleton(latin);
  if (problem) {
    let lo = 0; let hi = pieceAt.length - 1; // last piece starting at or before the problem
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if ((pieceAt[mid] ?? 0) <= problem.at) lo = mid; else hi = mid - 1; }
    fail(b, (pieceDoc[lo] ?? 0) + problem.at - (pieceAt[lo] ?? 0), problem.what);
  }
  return { skeleton: utf8Of(latin), watchedChildren: watched };
}
