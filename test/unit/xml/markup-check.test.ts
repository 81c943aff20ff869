/**
 * Strict reading of the parts of a document the product reads (issue 9, item 6): a reference to a
 * forbidden character, a malformed reference, an undeclared entity, a duplicate attribute and
 * invalid UTF-8 fail the document at `parsing`, naming the element/attribute and line/column —
 * never a value silently dropped, kept literally or replaced by U+FFFD.
 */
import { describe, expect, it } from 'vitest';
import { checkSkeleton, firstInvalidUtf8, isXmlChar } from '../../../src/xml/markup-check.js';
import { ScanSpecBuilder } from '../../../src/xml/scan-spec.js';
import { readXmlDocument } from '../../../src/xml/xml-document.js';
import { XmlDocumentError } from '../../../src/xml/xml-error.js';

const sb = new ScanSpecBuilder('R');
sb.keep('/R/c');
sb.keep('/R/t', true);
const S = sb.build();

function fails(xml: string | Uint8Array): XmlDocumentError {
  try { readXmlDocument(xml, S); } catch (e) { if (e instanceof XmlDocumentError) return e; throw e; }
  throw new Error('expected an XmlDocumentError');
}
const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

describe('character references to characters XML forbids', () => {
  it.each([
    ['&#0;', 'U+0000'], ['&#1;', 'U+0001'], ['&#x1F;', 'U+001F'], ['&#xD800;', 'U+D800'], ['&#xDFFF;', 'U+DFFF'],
    ['&#xFFFE;', 'U+FFFE'], ['&#xFFFF;', 'U+FFFF'], ['&#99999999;', 'beyond U+10FFFF'], ['&#x110000;', 'beyond U+10FFFF'],
    ['&#0000000000000000065536000;', 'beyond U+10FFFF'],
  ])('first_name="AL%sICE" fails naming the reference, attribute, element and position', (ref, what) => {
    const e = fails(`<R>\n  <c first_name="AL${ref}ICE"/></R>`);
    expect(e.stage).toBe('parsing');
    expect(e.message).toBe(`character reference ${ref} to a character XML forbids (${what}) in attribute first_name of <c> (line 2, column 20)`);
  });

  it('in the text of a text element, through bytes as well as strings', () => {
    for (const xml of ['<R><t>C&#1;3</t></R>', utf8('<R><t>C&#1;3</t></R>')]) {
      expect(fails(xml).message).toBe('character reference &#1; to a character XML forbids (U+0001) in the text of <t> (line 1, column 8)');
    }
  });

  it('allowed references around the forbidden ranges still decode', () => {
    const doc = readXmlDocument('<R><c v="&#x9;&#xA;&#xD;&#x20;&#xD7FF;&#xE000;&#xFFFD;&#x10000;&#x10FFFF;&#065;"/></R>', S);
    expect(doc.byPath.get('/R/c')?.[0]?.attrs['v']).toBe('\t\n\r \uD7FF\uE000\uFFFD\u{10000}\u{10FFFF}A');
  });

  it('isXmlChar follows XML 1.0 Char', () => {
    expect([0, 8, 9, 10, 11, 13, 31, 32, 0xd7ff, 0xd800, 0xe000, 0xfffd, 0xfffe, 0x10ffff, 0x110000].map(isXmlChar))
      .toEqual([false, false, true, true, false, true, false, true, true, false, true, true, false, true, false]);
  });
});

describe('malformed references and undeclared entities', () => {
  it.each([
    ['&#12a;', 'malformed character reference &#12a;'],
    ['&#;', 'malformed character reference &#;'],
    ['&#x;', 'malformed character reference &#x;'],
    ['&#x12G;', 'malformed character reference &#x12G;'],
    ['&;', 'malformed reference "&;"'],
    ['&nbsp;', 'undeclared entity &nbsp; (only amp, lt, gt, quot and apos are defined)'],
    ['&copy;', 'undeclared entity &copy; (only amp, lt, gt, quot and apos are defined)'],
    ['&xxe;', 'undeclared entity &xxe; (only amp, lt, gt, quot and apos are defined)'],
    ['&Amp;', 'undeclared entity &Amp; (only amp, lt, gt, quot and apos are defined)'],
    ['& B', '"&" that does not start a reference (write &amp;): "& BX"'],
  ])('%s fails', (ref, what) => {
    const e = fails(`<R><c v="A${ref}X"/></R>`);
    expect(e.stage).toBe('parsing');
    expect(e.message).toBe(`${what} in attribute v of <c> (line 1, column 11)`);
  });

  it('"&" inside CDATA and comments of a text element is text, not a reference', () => {
    const doc = readXmlDocument('<R><t>a <![CDATA[b & &nbsp; c]]><!-- & --> &amp; d</t></R>', S);
    expect(doc.byPath.get('/R/t')?.[0]?.text).toMatch(/^a b & &nbsp; c +& d$/);
  });

  it('an undeclared entity inside a nested element of a text element names that element', () => {
    expect(fails('<R><t>x<u a="1">&reg;</u></t></R>').message).toBe('undeclared entity &reg; (only amp, lt, gt, quot and apos are defined) in the text of <u> (line 1, column 17)');
  });
});

describe('attributes', () => {
  it('a duplicate attribute fails at the second occurrence (never "last wins")', () => {
    const e = fails('<R><c id="1" name="A"\n     name="B"/></R>');
    expect(e.stage).toBe('parsing');
    expect(e.message).toBe('duplicate attribute name on <c> (line 2, column 6)');
  });

  it('a duplicate attribute on the document element and on a namespaced element', () => {
    expect(fails('<R a="1" a="1"><c/></R>').message).toBe('duplicate attribute a on <R> (line 1, column 10)');
    expect(fails('<R><p:c x:v="1" x:v="2"/></R>').message).toMatch(/^duplicate attribute x:v on <c> /);
  });

  it('different prefixes or cases are different attributes', () => {
    expect(readXmlDocument('<R><c v="1" V="2" x:v="3"/></R>', S).byPath.get('/R/c')?.[0]?.attrs).toEqual({ v: '1', V: '2', 'x:v': '3' });
  });

  it('an attribute without a quoted value fails instead of being dropped', () => {
    expect(fails('<R><c v="1" w/></R>').message).toBe('malformed attribute in the start tag of <c> (expected name="value") (line 1, column 13)');
    expect(fails('<R><c v=1/></R>').message).toMatch(/^malformed attribute in the start tag of <c>/);
  });
});

describe('raw characters XML forbids in the parts read', () => {
  it('name the attribute and position', () => {
    expect(fails('<R><c v="x\u0001"/></R>').message).toBe('invalid XML character U+0001 in attribute v of <c> (line 1, column 11)');
    expect(fails(utf8('<R><c v="x\uFFFF"/></R>')).message).toBe('invalid XML character U+FFFF in attribute v of <c> (line 1, column 11)');
    expect(fails('<R><t>\n\u001b[31m</t></R>').message).toBe('invalid XML character U+001B in the text of <t> (line 2, column 1)');
  });

  it('are not looked for in skipped sections (checked for being closed only)', () => {
    expect(readXmlDocument('<R><skip v="&#1;&nbsp;" v="2">\u0001</skip><c v="ok"/></R>', S).byPath.get('/R/c')?.[0]?.attrs['v']).toBe('ok');
  });
});

describe('invalid UTF-8 (documents given as bytes)', () => {
  const bytes = (...parts: (string | number[])[]): Buffer => Buffer.concat(parts.map((p) => (typeof p === 'string' ? utf8(p) : Buffer.from(p))));

  it.each([
    ['a lone continuation byte', [0x80]], ['0xFF', [0xff]], ['a truncated sequence', [0xc3]], ['an overlong form', [0xc0, 0xaf]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]], ['beyond U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
  ])('%s in a mapped attribute fails, naming it', (_name, bad) => {
    const e = fails(bytes('<R>\n<c first_name="AL', bad, 'ICE"/></R>'));
    expect(e.stage).toBe('parsing');
    expect(e.message).toMatch(new RegExp(`^invalid UTF-8: byte 0x${bad[0]!.toString(16).toUpperCase()} in attribute first_name of <c> \\(line 2, column 18\\)$`));
  });

  it('anywhere in the document, also in a skipped section (the whole document must be UTF-8)', () => {
    expect(fails(bytes('<R><report><x>', [0xe9], '</x></report><c v="1"/></R>')).message).toBe('invalid UTF-8: byte 0xE9 in the text of <x> (line 1, column 15)');
  });

  it('firstInvalidUtf8 finds the first bad byte, -1 for valid text', () => {
    expect(firstInvalidUtf8(utf8('aé中𝄞'))).toBe(-1);
    expect(firstInvalidUtf8(bytes('aé', [0xe4, 0xb8], 'x'))).toBe(3);
  });
});

describe('checkSkeleton', () => {
  it('passes ordinary markup', () => {
    expect(checkSkeleton('<R a="1" b=\'&amp;&lt;&gt;&quot;&apos;\'><c x="&#65;"/><t>x<!-- c --><?p i?></t></R>')).toBeNull();
  });
});
