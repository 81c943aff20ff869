/**
 * Targeted scan: walks the markup of a whole document, checks that it is well formed where it walks
 * and that every skipped element is closed, and returns a small "skeleton" XML holding only the
 * elements the compiled plan needs (in document order, correctly nested). Skipped subtrees are
 * jumped over with `indexOf` on their closing tag — no objects are built for them.
 *
 * DTDs are never processed: a DOCTYPE with an internal subset or an external identifier is
 * rejected, so entity expansion and external entities cannot happen.
 */
import type { ScanNode, ScanSpec } from './scan-spec.js';
import { XmlDocumentError, lineCol } from './xml-error.js';

/** Deepest element nesting accepted in the walked parts of a document. */
export const MAX_DEPTH = 512;

/** Result of a scan. */
export interface ScanResult {
  /** Skeleton XML: the kept elements only. */
  skeleton: string;
  /** Local names of the children of watched elements, by watched element local name. */
  watchedChildren: Set<string>;
}

function isNameEnd(c: number): boolean {
  return c === 32 || c === 62 || c === 47 || c === 10 || c === 13 || c === 9 || Number.isNaN(c);
}

function isWs(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/** Index of the `>` closing a start tag whose attributes begin at `from` (quote-aware), or -1. */
function findTagEnd(s: string, from: number): number {
  const n = s.length;
  for (let i = from; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 62) return i;
    if (c === 34 || c === 39) {
      const q = s.indexOf(c === 34 ? '"' : "'", i + 1);
      if (q === -1) return -1;
      i = q;
    } else if (c === 60) return -1; // '<' cannot appear inside a tag
  }
  return -1;
}

function localName(name: string): string {
  const i = name.indexOf(':');
  return i === -1 ? name : name.slice(i + 1);
}

/** True when the tag text s[from,to) carries an attribute called one of `names`. */
function hasAnyAttr(s: string, from: number, to: number, names: readonly string[]): boolean {
  if (names.length === 0 || to - from < 3) return false;
  const tag = s.slice(from, to); // bounded search: never scan past this tag
  for (const name of names) {
    let i = tag.indexOf(name);
    while (i !== -1) {
      if (i === 0 || isWs(tag.charCodeAt(i - 1))) {
        let k = i + name.length;
        while (isWs(tag.charCodeAt(k))) k++;
        if (tag.charCodeAt(k) === 61) return true;
      }
      i = tag.indexOf(name, i + 1);
    }
  }
  return false;
}

const tagRegexCache = new Map<string, RegExp>();

/** `<name` / `</name` followed by a name-ending character, or the start of a comment, CDATA section or PI. */
function tagRegex(name: string): RegExp {
  let re = tagRegexCache.get(name);
  if (!re) {
    re = new RegExp(`<(?:(/?)${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[\\s>/]|(!--|!\\[CDATA\\[|\\?))`, 'g');
    if (tagRegexCache.size > 1000) tagRegexCache.clear();
    tagRegexCache.set(name, re);
  }
  return re;
}

const SPECIAL_END: Readonly<Record<string, string>> = { '!--': '-->', '![CDATA[': ']]>', '?': '?>' };

/**
 * Given the end of the start tag of element `name` (raw, with prefix), returns the index just past its
 * matching end tag, or -1 when it is never closed. Nested same-name elements are counted; comments,
 * CDATA sections and processing instructions are stepped over. Irregexp beats two indexOf passes here.
 */
function skipElement(s: string, name: string, from: number): number {
  const re = tagRegex(name);
  re.lastIndex = from;
  let depth = 1;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    if (m[2] !== undefined) {
      const end = s.indexOf(SPECIAL_END[m[2]]!, m.index + 1 + m[2].length);
      if (end === -1) return -1;
      re.lastIndex = end + SPECIAL_END[m[2]]!.length;
      continue;
    }
    if (m[1] === '/') {
      if (--depth === 0) {
        const gt = s.indexOf('>', m.index);
        return gt === -1 ? -1 : gt + 1;
      }
    } else {
      const te = findTagEnd(s, m.index + 1 + name.length);
      if (te !== -1 && s.charCodeAt(te - 1) !== 47) depth++;
    }
  }
  return -1;
}

function fail(s: string, offset: number, what: string, stage: 'validation' | 'parsing' = 'parsing'): never {
  const { line, column } = lineCol(s, offset);
  throw new XmlDocumentError(`${what} (line ${line}, column ${column})`, stage, offset);
}

/** Skips `<!…>` / `<?…?>` constructs starting at `lt`; returns the index after them. */
function skipSpecial(s: string, lt: number): number {
  if (s.startsWith('<!--', lt)) {
    const e = s.indexOf('-->', lt + 4);
    if (e === -1) fail(s, lt, 'unterminated comment');
    return e + 3;
  }
  if (s.startsWith('<![CDATA[', lt)) {
    const e = s.indexOf(']]>', lt + 9);
    if (e === -1) fail(s, lt, 'unterminated CDATA section');
    return e + 3;
  }
  if (s.startsWith('<?', lt)) {
    const e = s.indexOf('?>', lt + 2);
    if (e === -1) fail(s, lt, 'unterminated processing instruction');
    return e + 2;
  }
  if (s.startsWith('<!DOCTYPE', lt)) {
    const gt = s.indexOf('>', lt);
    if (gt === -1) fail(s, lt, 'unterminated DOCTYPE');
    const decl = s.slice(lt, gt);
    if (decl.includes('[') || /\b(SYSTEM|PUBLIC)\b/.test(decl)) {
      fail(s, lt, 'DOCTYPE with entity declarations or an external DTD is not allowed (entities are never expanded or fetched)');
    }
    return gt + 1;
  }
  return fail(s, lt, 'unexpected markup "<!"');
}

/**
 * Scans `s` (already cleaned: no BOM, trimmed) with `spec`.
 * @throws XmlDocumentError on malformed or truncated markup, or a wrong document element.
 */
export function targetedScan(s: string, spec: ScanSpec): ScanResult {
  const out: string[] = [];
  const watched = new Set<string>();
  const tags: string[] = [];
  const nodes: (ScanNode | null)[] = [];
  const emitted: boolean[] = [];
  const scoped: boolean[] = [];
  const opens: number[] = [];
  let rootDone = false;
  let pos = 0;
  const n = s.length;
  while (pos < n) {
    const lt = s.indexOf('<', pos);
    if (lt === -1) break;
    const c1 = s.charCodeAt(lt + 1);
    if (c1 === 47) { // end tag
      const gt = s.indexOf('>', lt);
      if (gt === -1) fail(s, lt, 'truncated end tag');
      const name = s.slice(lt + 2, gt).trim();
      const top = tags.length - 1;
      if (top < 0) fail(s, lt, `unexpected end tag </${name}>`);
      if (tags[top] !== name) fail(s, lt, `mismatched end tag </${name}>, expected </${tags[top]}>`);
      if (emitted[top]) out.push(`</${localName(name)}>`);
      tags.pop(); nodes.pop(); emitted.pop(); scoped.pop(); opens.pop();
      if (tags.length === 0) rootDone = true;
      pos = gt + 1;
      continue;
    }
    if (c1 === 33 || c1 === 63) { pos = skipSpecial(s, lt); continue; }
    let j = lt + 1;
    while (j < n && !isNameEnd(s.charCodeAt(j))) j++;
    const name = s.slice(lt + 1, j);
    if (name === '') fail(s, lt, 'invalid "<" in text');
    const gt = findTagEnd(s, j);
    if (gt === -1) fail(s, lt, `truncated or malformed start tag <${name}`);
    const selfClosing = s.charCodeAt(gt - 1) === 47;
    const local = localName(name);
    const depth = tags.length;
    if (depth >= MAX_DEPTH) fail(s, lt, `elements nested deeper than ${MAX_DEPTH} levels`);
    let node: ScanNode | null;
    let inScope: boolean;
    if (depth === 0) {
      if (rootDone) fail(s, lt, `content after the document element: <${name}>`);
      if (local !== spec.rootName) fail(s, lt, `document element is <${name}>, expected <${spec.rootName}>`, 'validation');
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
      : inScope && (spec.scopeTags.has(local.toLowerCase()) || hasAnyAttr(s, j, gt, spec.scopeAttrs));
    if (keep) {
      for (let a = 0; a < depth; a++) {
        if (!emitted[a]) { out.push(`<${localName(tags[a] ?? '')}>`); emitted[a] = true; }
      }
      if (node?.keepText && !selfClosing) {
        const end = skipElement(s, name, gt + 1);
        if (end === -1) fail(s, lt, `element <${name}> is never closed`);
        out.push(local === name ? s.slice(lt, end) : `<${local}${s.slice(j, end - name.length - 3)}</${local}>`);
        pos = end;
        continue;
      }
      out.push(local === name ? s.slice(lt, gt + 1) : `<${local}${s.slice(j, gt + 1)}`);
    }
    if (selfClosing) { pos = gt + 1; if (depth === 0) rootDone = true; continue; }
    if (keep || node !== null || inScope) {
      tags.push(name); nodes.push(node); emitted.push(keep); scoped.push(inScope); opens.push(lt);
      pos = gt + 1;
    } else {
      const end = skipElement(s, name, gt + 1);
      if (end === -1) fail(s, lt, `element <${name}> is never closed (document truncated?)`);
      pos = end;
    }
  }
  if (tags.length > 0) fail(s, opens[opens.length - 1] ?? 0, `element <${tags[tags.length - 1]}> is never closed (document truncated?)`);
  if (!rootDone) throw new XmlDocumentError('no document element found', 'validation', 0);
  return { skeleton: out.join(''), watchedChildren: watched };
}
