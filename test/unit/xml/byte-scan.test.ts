/**
 * The targeted scan works on UTF-8 bytes: documents given as bytes and as strings read the same,
 * non-ASCII names and values survive, byte offsets become character columns, and the native
 * searches that skip subtrees honour nesting, comments, CDATA and processing instructions.
 */
import { describe, expect, it } from 'vitest';
import { ScanSpecBuilder, type ScanSpec } from '../../../src/xml/scan-spec.js';
import { targetedScan } from '../../../src/xml/targeted-scan.js';
import { readXmlDocument } from '../../../src/xml/xml-document.js';
import { XmlDocumentError } from '../../../src/xml/xml-error.js';

function spec(keep: string[], text: string[] = []): ScanSpec {
  const b = new ScanSpecBuilder('R');
  for (const k of keep) b.keep(k);
  for (const t of text) b.keep(t, true);
  return b.build();
}

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

function scanError(fn: () => unknown): XmlDocumentError {
  try { fn(); } catch (e) { if (e instanceof XmlDocumentError) return e; throw e; }
  throw new Error('expected an XmlDocumentError');
}

describe('bytes in, text out', () => {
  it('keeps non-ASCII values and names intact, from bytes and from strings alike', () => {
    const s = spec(['/R/Kunde/Straße']);
    const xml = '<R><Überblick a="ä"><x/></Überblick><Kunde><Straße name="MÜLLER &amp; Søn 𝄞 中文" v="à"/></Kunde></R>';
    for (const input of [xml, utf8(xml), new Uint8Array(utf8(xml))]) {
      const doc = readXmlDocument(input, s);
      expect(doc.byPath.get('/R/Kunde/Straße')?.[0]?.attrs).toEqual({ name: 'MÜLLER & Søn 𝄞 中文', v: 'à' });
    }
    expect(targetedScan(utf8(xml), s).skeleton).toBe('<R><Kunde><Straße name="MÜLLER &amp; Søn 𝄞 中文" v="à"/></Kunde></R>');
  });

  it('matches end tags byte for byte even when a name ends in a byte that looks like a space in Latin-1', () => {
    // "à" is C3 A0 in UTF-8; A0 is a no-break space in Latin-1 and must not be trimmed away
    const s = spec(['/R/nà/b']);
    const doc = readXmlDocument(utf8('<R><nà><b i="1"/></nà><skipà><nà/></skipà></R>'), s);
    expect(doc.byPath.get('/R/nà/b')?.[0]?.attrs['i']).toBe('1');
    expect(scanError(() => readXmlDocument(utf8('<R><nà></nÃ></R>'), s)).message).toMatch(/^mismatched end tag <\/nÃ>, expected <\/nà>/);
  });

  it('keeps the text of a text element with multi-byte content and a namespace prefix', () => {
    const s = spec([], ['/R/t']);
    const doc = readXmlDocument(utf8('<R><p:t>Grüße — ok</p:t></R>'), s);
    expect(doc.byPath.get('/R/t')?.[0]?.text).toBe('Grüße — ok');
  });

  it('drops BOMs and leading control bytes before the document', () => {
    const doc = readXmlDocument(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf, 0x01, 0x20]), utf8('<R><a i="1"/></R>\r\n')]), spec(['/R/a']));
    expect(doc.byPath.get('/R/a')?.[0]?.attrs['i']).toBe('1');
  });

  it('reports columns in characters, not bytes', () => {
    const e = scanError(() => readXmlDocument(utf8('<R>\n<ü a="é">ß<b></R>'), spec(['/R/ü'])));
    expect(e.message).toMatch(/line 2, column 11\)$/); // "<ü a="é">ß" is 10 characters (13 bytes) before <b>
  });

  it('rejects a lone surrogate in a string document (it has no UTF-8 form)', () => {
    const e = scanError(() => readXmlDocument('<R>\n  <a v="x\uD800y"/></R>', spec(['/R/a'])));
    expect(e.stage).toBe('parsing');
    expect(e.message).toBe('invalid XML character U+D800 (line 2, column 10)');
    // a valid pair is fine
    expect(readXmlDocument('<R><a v="\uD834\uDD1E"/></R>', spec(['/R/a'])).byPath.get('/R/a')?.[0]?.attrs['v']).toBe('𝄞');
  });

  it('still rejects a forbidden character inside a kept element given as bytes', () => {
    expect(() => readXmlDocument(utf8('<R><a v="x\uFFFFy"/></R>'), spec(['/R/a']))).toThrow(/invalid XML character U\+FFFF/);
  });
});

describe('skipping subtrees with native searches', () => {
  const S = spec(['/R/a']);
  const ids = (xml: string): (string | undefined)[] => (readXmlDocument(utf8(xml), S).byPath.get('/R/a') ?? []).map((n) => n.attrs['i']);

  it('counts nested same-name elements and ignores longer names sharing the prefix', () => {
    expect(ids('<R><s><s x="1"><s/><ss></ss><s>t</s></s><sx/></s><a i="1"/></R>')).toEqual(['1']);
  });

  it('steps over comments, CDATA and PIs that contain the closing tag', () => {
    const xml = '<R><s><!-- </s> --><![CDATA[ </s> <s> ]]><?pi </s> ?><s><!----></s>x</s><a i="2"/></R>';
    expect(ids(xml)).toEqual(['2']);
  });

  it('handles markers that come after the closing tag and many siblings (remembered positions)', () => {
    const many = Array.from({ length: 200 }, (_, k) => `<s><t/></s><!-- c${k} -->`).join('');
    expect(ids(`<R>${many}<a i="3"/><!-- tail --><?pi x?></R>`)).toEqual(['3']);
  });

  it('"!" and "?" in text are not markers; a marker right after them still is', () => {
    expect(ids('<R><s>Hi! Why? <t>wow!?</t>!<!-- </s> -->?<?p </s>?></s><a i="5"/><s a="!?">x!</s><a i="6"/></R>')).toEqual(['5', '6']);
  });

  it('short element names are skipped as reliably as long ones', () => {
    expect(ids('<R><ab>ab <ab>ab</ab> abab<abc/></ab><abcd>abcd<abcd/><abcd>x</abcd></abcd><a i="7"/></R>')).toEqual(['7']);
  });

  it('an unterminated comment or a missing end tag in skipped content is a parsing error', () => {
    expect(scanError(() => ids('<R><s><!-- </s></R>')).message).toMatch(/^element <s> is never closed \(document truncated\?\) \(line 1, column 4\)$/);
    expect(scanError(() => ids('<R><s><s></s></R>')).stage).toBe('parsing');
  });

  it('a self-closing nested element does not open a level; one with ">" in a quoted attribute neither', () => {
    expect(ids('<R><s><s a="x>y"/><s/></s><a i="4"/></R>')).toEqual(['4']);
  });
});
