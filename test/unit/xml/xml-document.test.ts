/**
 * readXmlDocument: clean-up (BOM, control characters), structural checks, DTD rejection, entity
 * decoding (exactly once, decision B14).
 */
import { describe, expect, it } from 'vitest';
import { cleanRange } from '../../../src/xml/clean-text.js';
import { ScanSpecBuilder } from '../../../src/xml/scan-spec.js';
import { readXmlDocument } from '../../../src/xml/xml-document.js';
import { XmlDocumentError } from '../../../src/xml/xml-error.js';

const b = new ScanSpecBuilder('R');
b.keep('/R/a');
const S = b.build();

function err(xml: string): XmlDocumentError {
  try { readXmlDocument(xml, S); } catch (e) { if (e instanceof XmlDocumentError) return e; throw e; }
  throw new Error('expected an XmlDocumentError');
}
const attr = (xml: string, name = 'v') => readXmlDocument(xml, S).byPath.get('/R/a')?.[0]?.attrs[name];

describe('cleanRange', () => {
  const clean = (s: string): string => { const b = Buffer.from(s, 'utf8'); const [i, j] = cleanRange(b); return b.toString('utf8', i, j); };
  it('drops BOMs, leading control characters and surrounding whitespace', () => {
    expect(clean('\uFEFF\u0001\u001f \r\n\uFEFF<R/>\n ')).toBe('<R/>');
    expect(clean('<R/>')).toBe('<R/>');
    expect(clean('<R>\u0001</R>')).toBe('<R>\u0001</R>');
    expect(clean(' \u00A0<R/>')).toBe('\u00A0<R/>'); // only ASCII whitespace and U+FEFF are dropped
    expect(clean('\uFEFF \n')).toBe('');
  });
});

describe('structure', () => {
  it('accepts BOM + control characters + XML declaration + DOCTYPE without subset', () => {
    const doc = readXmlDocument('\uFEFF\u0002<?xml version="1.0"?>\n<!DOCTYPE R>\n<R><a v="1"/></R>', S);
    expect(doc.root.tag).toBe('R');
    expect(doc.byPath.get('/R/a')![0]!.attrs['v']).toBe('1');
  });

  it.each([
    ['', 'validation'], ['   ', 'validation'], ['hello', 'validation'], ['R/>', 'validation'], ['<R/> x', 'validation'],
    ['<Q/>', 'validation'], ['<R><a></R>', 'parsing'], ['<R><a v="1"></a>', 'parsing'],
  ])('%j → %s error', (xml, stage) => {
    expect(err(xml).stage).toBe(stage);
  });

  it('rejects a DOCTYPE with an internal subset and never expands its entities', () => {
    const e = err('<!DOCTYPE R [<!ENTITY x "EXPANDED">]><R><a v="&x;"/></R>');
    expect(e.message).toMatch(/DOCTYPE/);
    expect(e.message).not.toContain('EXPANDED');
  });

  it('rejects a DOCTYPE with an external identifier', () => {
    expect(err('<!DOCTYPE R PUBLIC "-//x//y" "http://example.invalid/r.dtd"><R/>').message).toMatch(/DOCTYPE/);
  });

  it('reports the cleaned size', () => {
    expect(readXmlDocument('\uFEFF <R/> ', S).size).toBe(4);
  });
});

describe('entities are decoded exactly once (B14)', () => {
  it.each([
    ['a &amp; b', 'a & b'],
    ['&lt;&gt;&quot;&apos;', '<>"\''],
    ['&#39;', "'"],
    ['&#x41;&#66;', 'AB'],
    ['O&amp;amp;39;REILLY', 'O&amp;39;REILLY'],
    ['x &amp;lt; y', 'x &lt; y'],
    ['&amp;#39;', '&#39;'],
    ['&amp;quot;', '&quot;'],
  ])('%j → %j', (raw, want) => {
    expect(attr(`<R><a v="${raw}"/></R>`)).toBe(want);
  });

  it('only the five predefined entities and allowed character references are decoded; HTML names are undeclared', () => {
    const keep = new ScanSpecBuilder('R');
    keep.keep('/R/a', true);
    const node = readXmlDocument('<R><a v="&#x1F600;&#169;&#xD7FF;&#xE000;&#xFFFD;&#x10FFFF;&#9;">&#65;&#x42;&amp;</a></R>', keep.build()).all[1];
    expect(node?.attrs['v']).toBe('\u{1F600}\u00A9\uD7FF\uE000\uFFFD\u{10FFFF}\t');
    expect(node?.text).toBe('AB&');
    for (const raw of ['&nbsp;', '&copy;', '&euro;', '&AMP;']) expect(err(`<R><a v="${raw}"/></R>`).message).toMatch(/^undeclared entity/);
  });
});
