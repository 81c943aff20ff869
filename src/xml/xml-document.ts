/**
 * Reads one XML document into the small tree the mapper needs: targeted scan (skip what the plan
 * never reads) + fast-xml-parser on the skeleton. Values stay text (no number guessing), attributes
 * are kept, repeated elements keep document order, entities are decoded exactly once, and no DTD is
 * ever processed. References, forbidden characters, duplicate attributes and invalid UTF-8 in the
 * parts read fail the document (markup-check.ts) instead of being dropped or kept literally.
 */
import { ENTITY_ACTION, EntityDecoder } from '@nodable/entities';
import { XMLParser } from 'fast-xml-parser';
import { cleanRange } from './clean-text.js';
import type { ScanSpec } from './scan-spec.js';
import { scanBytes, targetedScan } from './targeted-scan.js';
import { XmlDocumentError, lineColBytes } from './xml-error.js';

/** One element: local tag name, attributes (decoded text), children in document order. */
export interface XNode {
  readonly tag: string;
  readonly path: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: XNode[];
  /** Text content, only for elements whose text the plan needs. */
  readonly text: string | null;
  readonly parent: XNode | null;
  /** Document-order index (0 = document element). */
  readonly order: number;
  /** Lazily built lower-cased attribute index (see attrOf). */
  lowerAttrs?: Map<string, string>;
}

/** A parsed document. */
export interface XmlDocument {
  readonly root: XNode;
  /** Every kept element by absolute path (local names), in document order. */
  readonly byPath: ReadonlyMap<string, readonly XNode[]>;
  /** Every kept element, in document order. */
  readonly all: readonly XNode[];
  /** Child element names of watched elements (see ScanSpecBuilder.watch). */
  readonly watchedChildren: ReadonlySet<string>;
  /** Size of the cleaned document in UTF-8 bytes. */
  readonly size: number;
}

type FxpNode = Record<string, unknown>;

/**
 * The entity decoder handed to fast-xml-parser, built once (the parser resets it for every
 * document; building tables per document cost a quarter of parsing a skeleton). It knows XML's five
 * predefined entities and numeric references only — no HTML names: a document cannot declare
 * entities (the scan rejects DTD internal subsets), so `&nbsp;` is undeclared. The scan has already
 * refused every other reference (markup-check.ts) with its position, so this decoder never meets a
 * reference it would drop or keep literally; as a second line, a reference to U+0000 throws and any
 * entity a DTD tried to register is blocked.
 */
const entityDecoder = new EntityDecoder({
  numericAllowed: true,
  ncr: { nullNCR: 'throw' },
  limit: { maxTotalExpansions: Infinity, maxExpandedLength: 100_000, applyLimitsTo: 'all' },
  onInputEntity: () => ENTITY_ACTION.BLOCK,
});

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  attributesGroupName: false,
  parseTagValue: false,
  parseAttributeValue: false,
  preserveOrder: true,
  processEntities: true,
  entityDecoder,
  trimValues: false,
  removeNSPrefix: false, // the scan already wrote local element names
  allowBooleanAttributes: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

function build(items: FxpNode[], parent: XNode, byPath: Map<string, XNode[]>, all: XNode[]): void {
  for (const item of items) {
    for (const key of Object.keys(item)) {
      if (key === ':@' || key === '#text') continue;
      const kids = item[key] as FxpNode[];
      const attrs = (item[':@'] as Record<string, string> | undefined) ?? {};
      let text: string | null = null;
      for (const k of kids) if (typeof k['#text'] === 'string') text = (text ?? '') + (k['#text'] as string);
      const node: XNode = { tag: key, path: `${parent.path}/${key}`, attrs, children: [], text, parent, order: all.length };
      parent.children.push(node);
      all.push(node);
      let list = byPath.get(node.path);
      if (!list) { list = []; byPath.set(node.path, list); }
      list.push(node);
      build(kids, node, byPath, all);
    }
  }
}

/** A lone surrogate cannot be encoded as UTF-8: such a string is not an XML document. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Parses `xml` — UTF-8 bytes (what workers read from the database, or a file) or a string — under
 * `spec`. The whole document is never turned into one string: see targeted-scan.ts.
 * @throws XmlDocumentError (stage `validation` or `parsing`) with a message naming what and where.
 */
export function readXmlDocument(xml: string | Uint8Array, spec: ScanSpec): XmlDocument {
  const bytes = scanBytes(xml);
  const str = typeof xml === 'string' ? xml : null;
  const lone = str !== null && /[\uD800-\uDFFF]/.test(str) ? LONE_SURROGATE.exec(str) : null;
  if (str !== null && lone) {
    const { line, column } = lineColBytes(bytes, Buffer.byteLength(str.slice(0, lone.index), 'utf8'));
    const code = lone[0].charCodeAt(0).toString(16).toUpperCase();
    throw new XmlDocumentError(`invalid XML character U+${code} (line ${line}, column ${column})`, 'parsing');
  }
  const [start, end] = cleanRange(bytes);
  if (start === end) throw new XmlDocumentError('empty document', 'validation', 0);
  if (bytes[start] !== 60 || bytes[end - 1] !== 62) {
    throw new XmlDocumentError('not an XML document: it must start with "<" and end with ">"', 'validation', 0);
  }
  const text = bytes.subarray(start, end);
  const scanned = targetedScan(text, spec);
  const watchedChildren = scanned.watchedChildren;
  const skeleton = scanned.skeleton;
  let parsed: FxpNode[];
  try {
    parsed = parser.parse(skeleton) as FxpNode[];
  } catch (err) {
    throw new XmlDocumentError(`malformed XML: ${(err as Error).message}`, 'parsing');
  }
  const top = parsed.find((p) => Object.keys(p).some((k) => k !== ':@' && k !== '#text'));
  if (!top) throw new XmlDocumentError('no document element found', 'validation', 0);
  const rootTag = Object.keys(top).find((k) => k !== ':@' && k !== '#text') ?? '';
  const byPath = new Map<string, XNode[]>();
  const all: XNode[] = [];
  const rootKids = top[rootTag] as FxpNode[];
  const root: XNode = {
    tag: rootTag, path: `/${rootTag}`, attrs: (top[':@'] as Record<string, string> | undefined) ?? {},
    children: [], text: null, parent: null, order: 0,
  };
  all.push(root);
  byPath.set(root.path, [root]);
  build(rootKids, root, byPath, all);
  return { root, byPath, all, watchedChildren, size: text.length };
}
