/**
 * The hostile-document corpus, generated here from the product's own generator: each case takes a
 * complete synthetic document (every mapped attribute present) and breaks it in one precise way.
 * Every mutation is checked to have applied (a pattern that no longer matches throws), so a change in
 * the generator cannot silently turn a hostile case into a harmless one.
 *
 * Each case records the outcome the product documents for it: `failed` with the stage and a precise
 * reason, or `success` (BOM, encoding declarations, anything wrong inside a skipped section, values
 * the contract truncates or leaves NULL) — with, where it matters, what must be stored.
 */
import { generateDocument } from '../../src/seed/generator.js';

/** What a case must end as in processing_log. */
export type Expectation =
  | { readonly status: 'failed'; readonly stage: 'validation' | 'parsing' | 'mapping' | 'insert'; readonly reason: RegExp }
  | { readonly status: 'success'; readonly stored?: readonly StoredCheck[] };

/** A value the database must hold for a successful hostile case. */
export interface StoredCheck {
  readonly table: string;
  readonly column: string;
  /** null = NULL. */
  readonly value: string | null;
  /** The app has several rows (contacts): one of them must hold the value. Default: every row. */
  readonly anyRow?: boolean;
}

/** One hostile document. */
export interface HostileCase {
  readonly name: string;
  readonly appId: number;
  readonly xml: string;
  readonly expect: Expectation;
  /** Why this outcome (the documented behaviour). */
  readonly why: string;
  /**
   * The source row's exact bytes when they are not the UTF-8 form of `xml` (invalid UTF-8): only a
   * target that stores text without checking it (SQLite) can hold them; a PostgreSQL UTF8 database
   * refuses them at insert, so that target leaves such a case out.
   */
  readonly sourceBytes?: Buffer;
}

/** Where a local-file and an HTTP "attacker" resource live (neither may ever be read). */
export interface HostileTargets {
  /** Absolute path of a file holding a unique marker. */
  readonly secretFile: string;
  /** Port of a local HTTP listener that must receive no connection. */
  readonly port: number;
}

/** Replaces the first match of `re` or throws (the generator changed shape). */
function must(xml: string, re: RegExp, replacement: string | ((m: string, ...groups: string[]) => string), what: string): string {
  if (!re.test(xml)) throw new Error(`hostile corpus: cannot ${what} — pattern ${re} not found`);
  re.lastIndex = 0;
  return xml.replace(re, replacement as (m: string) => string);
}

/** A complete document (every mapped attribute present) with its BOM and prolog removed. */
export function completeDoc(appId: number, seed: number): string {
  const xml = generateDocument(appId, seed, { targetBytes: 6000, complete: true }).replace(/^\uFEFF/, '').trimStart();
  return xml.replace(/^<\?xml[^>]*\?>\s*/, '');
}

const attr = (name: string) => new RegExp(`(\\s${name}=")[^"]*(")`);
const setAttr = (xml: string, name: string, value: string) => must(xml, attr(name), (_m, a, b) => `${a}${value}${b}`, `set @${name}`);
/** Inserts `inner` right after the start tag of the first `<tag …>`. */
const insideFirst = (xml: string, tag: string, inner: string) => must(xml, new RegExp(`(<${tag}(?:\\s[^>]*[^/])?>)`), (_m, open) => `${open}${inner}`, `insert into <${tag}>`);
const nest = (name: string, depth: number) => `${`<${name}>`.repeat(depth)}x${`</${name}>`.repeat(depth)}`;

/** `bytes` of well-formed filler for a skipped section (bureau-report-like lines). */
export function bigFiller(bytes: number): string {
  const line = '<line code="R07" text="PAST DUE ACCOUNT; BALANCE REPORTED BY CREDITOR; NO FURTHER ACTION" amount="1234.56"/>\n';
  return `<bulk_report>\n${line.repeat(Math.ceil(bytes / line.length))}</bulk_report>`;
}

/**
 * The corpus. `nextId` hands out the app ids (interleave them with good documents so that hostile
 * and good apps share batches); `duplicateOf` is a good document whose XML the duplicate-id case
 * copies; `bigDocBytes` (0 = left out) sizes the huge document.
 */
export function hostileCorpus(nextId: () => number, seed: number, targets: HostileTargets, duplicateOf: { appId: number; xml: string }, bigDocBytes: number): HostileCase[] {
  const out: HostileCase[] = [];
  const add = (name: string, make: (appId: number, base: string) => string, expect: Expectation, why: string) => {
    const appId = nextId();
    out.push({ name, appId, xml: make(appId, completeDoc(appId, seed)), expect, why });
  };
  /** A case whose source bytes hold `bad` in place of the first `marker` of the document `make` builds. */
  const addBytes = (name: string, make: (appId: number, base: string) => string, marker: string, bad: number[], expect: Expectation, why: string) => {
    const appId = nextId();
    const xml = make(appId, completeDoc(appId, seed));
    const at = xml.indexOf(marker);
    if (at === -1) throw new Error(`hostile corpus: marker ${marker} not found`);
    const sourceBytes = Buffer.concat([Buffer.from(xml.slice(0, at), 'utf8'), Buffer.from(bad), Buffer.from(xml.slice(at + marker.length), 'utf8')]);
    out.push({ name, appId, xml, expect, why, sourceBytes });
  };
  const refFails = (what: string) => failed('parsing', new RegExp(`^${what} in attribute first_name of <contact> \\(line \\d+, column \\d+\\)$`));
  const failed = (stage: 'validation' | 'parsing' | 'mapping' | 'insert', reason: RegExp): Expectation => ({ status: 'failed', stage, reason });
  const DTD_REJECTED = /^DOCTYPE with entity declarations or an external DTD is not allowed \(entities are never expanded or fetched\) \(line 1, column 1\)$/;
  const { secretFile, port } = targets;

  // --- markup
  add('malformed start tag', (_id, x) => must(x, /<app_product /, '<app_product <', 'break <app_product'),
    failed('parsing', /^truncated or malformed start tag <app_product \(line \d+, column \d+\)$/), 'the walked markup must be well formed');
  add('mismatched end tag', (_id, x) => must(x, /<\/CustData>/, '</CustDta>', 'misspell </CustData>'),
    failed('parsing', /^mismatched end tag <\/CustDta>, expected <\/CustData> \(line \d+, column \d+\)$/), 'end tags must match');
  add('end tag carrying ESC[31m and BEL', (_id, x) => must(x, /<\/CustData>/, '</CustData\u001b[31m\u0007>', 'decorate </CustData>'),
    failed('parsing', /^mismatched end tag <\/CustData\u001b\[31m\u0007>, expected <\/CustData> \(line \d+, column \d+\)$/),
    'stored as it is; every terminal output shows the controls escaped (\\u001b[31m\\u0007)');
  add('truncated inside text', (_id, x) => { let cut = x.slice(0, Math.floor(x.length * 0.55)); while (cut.endsWith('>')) cut = cut.slice(0, -1); return cut; },
    failed('validation', /^not an XML document: it must start with "<" and end with ">"$/), 'a document must end with ">"');
  add('truncated after a tag', (_id, x) => x.slice(0, x.indexOf('>', Math.floor(x.length * 0.55)) + 1),
    failed('parsing', /^element <\w+> is never closed \(document truncated\?\) \(line \d+, column \d+\)$/), 'every element must be closed');
  add('empty document', () => '   \n  ', failed('validation', /^empty document: the source XML is NULL or blank$/), 'nothing to map');
  // --- structure
  add('wrong root element', (_id, x) => must(must(x, /^<Provenir\b/, '<Zenith', 'rename the root'), /<\/Provenir>\s*$/, '</Zenith>', 'rename the root end'),
    failed('validation', /^document element is <Zenith>, expected <Provenir> \(line 1, column 1\)$/), 'xml_root_element');
  add('wrong product line', (_id, x) => must(must(x, /<application /, '<IL_application ', 'rename <application'), /<\/application>/, '</IL_application>', 'rename </application>'),
    failed('validation', /^wrong product line: found \/Provenir\/Request\/CustData\/IL_application but the contract expects \/Provenir\/Request\/CustData\/application$/),
    'xml_application_path / source_application_table');
  add('missing app id', (_id, x) => must(x, /(<Request\b[^>]*?)\sID="\d+"/, '$1', 'drop Request@ID'),
    failed('validation', /^missing app id: \/Provenir\/Request@ID is absent or blank$/), 'the app id is required');
  add('non-integer app id', (_id, x) => must(x, /(<Request\b[^>]*?\sID=")\d+"/, '$112ab"', 'set Request@ID'),
    failed('validation', /^invalid app id "12ab" at \/Provenir\/Request@ID: must be a positive integer$/), 'the app id is an int');
  add('app id beyond int', (_id, x) => must(x, /(<Request\b[^>]*?\sID=")\d+"/, '$199999999999"', 'set Request@ID'),
    failed('validation', /^document app id 99999999999 does not match the source row's app_id \d+$/), 'app ids are 64-bit: a valid id, but not this row\'s');
  add('app id duplicating another source row', () => duplicateOf.xml,
    failed('validation', new RegExp(`^document app id ${duplicateOf.appId} does not match the source row's app_id \\d+$`)),
    'a document may only land under its own source row (the other row keeps its app)');
  // --- characters and encodings
  add('U+0001 in a mapped attribute', (_id, x) => setAttr(x, 'first_name', 'AL\u0001ICE'),
    refFails('invalid XML character U\\+0001'), 'XML 1.0 forbids C0 controls');
  add('U+FFFF in a mapped attribute', (_id, x) => setAttr(x, 'decision_tp_c', 'APP\uFFFFRV'),
    failed('parsing', /^invalid XML character U\+FFFF in attribute decision_tp_c of <app_product> \(line \d+, column \d+\)$/), 'XML 1.0 forbids U+FFFF');
  // character references to characters XML forbids, malformed references: never dropped, kept or decoded
  for (const [ref, what] of [['&#0;', 'U\\+0000'], ['&#1;', 'U\\+0001'], ['&#xD800;', 'U\\+D800'], ['&#xFFFE;', 'U\\+FFFE'], ['&#xFFFF;', 'U\\+FFFF'], ['&#99999999;', 'beyond U\\+10FFFF']] as const) {
    add(`reference ${ref} in a mapped attribute`, (_id, x) => setAttr(x, 'first_name', `AL${ref}ICE`),
      refFails(`character reference ${ref} to a character XML forbids \\(${what}\\)`), 'XML 1.0 Char: a reference cannot name a forbidden character');
  }
  add('reference &#1; in an enum attribute', (_id, x) => setAttr(x, 'population_segment', 'C&#1;3'),
    failed('parsing', /^character reference &#1; to a character XML forbids \(U\+0001\) in attribute population_segment of <application> \(line \d+, column \d+\)$/),
    'the value must not become a different enum (C3)');
  for (const ref of ['&#12a;', '&#;', '&#x;']) {
    add(`malformed reference ${ref}`, (_id, x) => setAttr(x, 'first_name', `AL${ref}ICE`), refFails(`malformed character reference ${ref}`), 'not a reference XML allows');
  }
  for (const name of ['nbsp', 'copy']) {
    add(`undeclared entity &${name};`, (_id, x) => setAttr(x, 'first_name', `AL&${name};ICE`),
      refFails(`undeclared entity &${name}; \\(only amp, lt, gt, quot and apos are defined\\)`), 'a document cannot declare entities (DTD subsets are refused)');
  }
  add('duplicate attribute', (_id, x) => must(x, /(<contact\b)/, '$1 first_name="EVE"', 'add a second first_name'),
    failed('parsing', /^duplicate attribute first_name on <contact> \(line \d+, column \d+\)$/), 'XML: an attribute appears once per element (never "last wins")');
  addBytes('invalid UTF-8 (0xFF) in a mapped attribute', (_id, x) => setAttr(x, 'first_name', 'AL~~ICE'), '~~', [0xff],
    failed('parsing', /^invalid UTF-8: byte 0xFF in attribute first_name of <contact> \(line \d+, column \d+\)$/), 'source text must be UTF-8 (never U+FFFD)');
  addBytes('invalid UTF-8 (Latin-1 é) inside a skipped section', (_id, x) => insideFirst(x, 'queues', '<note>caf~~</note>'), '~~', [0xe9],
    failed('parsing', /^invalid UTF-8: byte 0xE9 in the text of <note> \(line \d+, column \d+\)$/), 'the whole document must be UTF-8');
  add('U+0001 inside a skipped section', (_id, x) => insideFirst(x, 'queues', '<note>bad \u0001 byte</note>'),
    { status: 'success' }, 'skipped sections are checked for being closed, not for their characters (docs/compatibility.md)');
  add('byte-order mark', (_id, x) => `\uFEFF${x}`, { status: 'success' }, 'a leading U+FEFF is dropped before parsing');
  add('ISO-8859-1 encoding declaration', (_id, x) => `<?xml version="1.0" encoding="ISO-8859-1"?>\n${setAttr(x, 'first_name', 'MÜLLER')}`,
    { status: 'success', stored: [{ table: 'app_contact_base', column: 'first_name', value: 'MÜLLER', anyRow: true }] },
    'the source column is already text: the declaration is ignored, characters are kept as they are');
  add('UTF-16 encoding declaration', (_id, x) => `<?xml version="1.0" encoding="UTF-16"?>\n${x}`, { status: 'success' }, 'as above');
  // --- size and depth
  add('10,000-deep nesting inside the mapped application', (_id, x) => insideFirst(x, 'application', nest('n', 10_000)),
    failed('parsing', /^elements nested deeper than 512 levels \(line \d+, column \d+\)$/), 'MAX_DEPTH 512 in the walked parts');
  add('10,000-deep nesting inside a skipped section', (_id, x) => insideFirst(x, 'queues', nest('n', 10_000)),
    { status: 'success' }, 'skipped subtrees are jumped over without recursion');
  if (bigDocBytes > 0) {
    add(`${Math.round(bigDocBytes / 1e6)} MB document`, (_id, x) => insideFirst(x, 'queues', bigFiller(bigDocBytes)),
      { status: 'success' }, 'the bulk is in a skipped section; memory stays bounded');
  }
  // --- DTDs and entities: rejected, never expanded, never fetched
  const laughs = ['<!ENTITY lol "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`)].join('');
  add('billion laughs', (_id, x) => `<!DOCTYPE Provenir [${laughs}]>\n${setAttr(x, 'first_name', '&lol9;')}`, failed('parsing', DTD_REJECTED), 'no DTD is processed');
  add('external entity: local file', (_id, x) => `<!DOCTYPE Provenir [<!ENTITY xxe SYSTEM "file://${secretFile}">]>\n${setAttr(x, 'first_name', '&xxe;')}`,
    failed('parsing', DTD_REJECTED), 'no DTD is processed');
  add('external entity: http', (_id, x) => `<!DOCTYPE Provenir [<!ENTITY xxe SYSTEM "http://127.0.0.1:${port}/xxe">]>\n${setAttr(x, 'first_name', '&xxe;')}`,
    failed('parsing', DTD_REJECTED), 'no DTD is processed');
  add('parameter entity: http', (_id, x) => `<!DOCTYPE Provenir [<!ENTITY % pe SYSTEM "http://127.0.0.1:${port}/pe.dtd"> %pe;]>\n${x}`,
    failed('parsing', DTD_REJECTED), 'no DTD is processed');
  add('external DTD: http', (_id, x) => `<!DOCTYPE Provenir SYSTEM "http://127.0.0.1:${port}/evil.dtd">\n${x}`, failed('parsing', DTD_REJECTED), 'no DTD is processed');
  add('external DTD: local file', (_id, x) => `<!DOCTYPE Provenir PUBLIC "-//XM//EVIL//EN" "file://${secretFile}">\n${x}`, failed('parsing', DTD_REJECTED), 'no DTD is processed');
  add('XInclude of a local file', (_id, x) => insideFirst(x, 'application', `<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file://${secretFile}" parse="text"/>`),
    { status: 'success' }, 'XInclude is not processed: just an unknown element');
  add('undeclared entity reference', (_id, x) => setAttr(x, 'first_name', 'A&xxe;B'),
    refFails('undeclared entity &xxe; \\(only amp, lt, gt, quot and apos are defined\\)'), 'nothing is resolved, and the value is not stored changed');
  // --- values
  add('smallint out of range', (_id, x) => setAttr(x, 'annual_fee', '99999999'),
    failed('insert', /^app_pricing_cc\.card_annual_fee \(app_id \d+\): 99999999 is out of range for smallint \(code XM_VALUE, table app_pricing_cc\)$/),
    'a value that cannot be stored fails its app at insert (split until isolated)');
  add('tinyint out of range', (_id, x) => setAttr(x, 'age', '300'),
    failed('insert', /^app_contact_base\.age \(app_id \d+\): 300 is out of range for tinyint \(code XM_VALUE, table app_contact_base\)$/), 'as above');
  add('decimal too large', (_id, x) => setAttr(x, 'purchase_apr', '123456789012345678901'),
    failed('insert', /^app_pricing_cc\.purchase_apr \(app_id \d+\): .*\(code XM_VALUE, table app_pricing_cc\)$/), 'as above');
  add('string longer than its column', (_id, x) => setAttr(x, 'first_name', 'X'.repeat(5000)),
    { status: 'success', stored: [{ table: 'app_contact_base', column: 'first_name', value: 'X'.repeat(50), anyRow: true }] },
    'strings are truncated to data_length (docs/contract-format.md)');
  add('unparseable date in a NOT NULL column', (_id, x) => setAttr(x, 'app_receive_date', 'not a date'),
    failed('mapping', /^NOT NULL column app_base\.receive_date \(mappings\[1\]\) has no value in the document and no default_value in the contract$/),
    'B8: a NOT NULL column never silently disappears');
  add('unparseable date in a nullable column', (_id, x) => setAttr(x, 'decision_date', '2021-13-45 99:99:99'),
    { status: 'success', stored: [{ table: 'app_base', column: 'decision_date', value: null }] }, 'nullable: true — a value that cannot be converted is left out');
  add('unparseable number in a nullable column', (_id, x) => setAttr(x, 'annual_fee', 'abc'),
    { status: 'success', stored: [{ table: 'app_pricing_cc', column: 'card_annual_fee', value: null }] }, 'as above');
  return out;
}
