import { describe, expect, it } from 'vitest';
import { ESCAPED_BOM, decodePgEscape } from '../../../src/xml/pg-escape.js';
import { readXmlDocument } from '../../../src/xml/xml-document.js';
import { ScanSpecBuilder } from '../../../src/xml/scan-spec.js';

/** What PostgreSQL's encode(convert_to(x, 'UTF8'), 'escape') produces, written independently. */
function pgEscape(text: string): string {
  let out = '';
  for (const b of Buffer.from(text, 'utf8')) {
    if (b === 92) out += '\\\\';
    else if (b === 0 || b >= 0x80) out += `\\${b.toString(8).padStart(3, '0')}`;
    else out += String.fromCharCode(b);
  }
  return out;
}

describe('PostgreSQL escape-form documents', () => {
  it('decodes octal escapes as UTF-8 bytes and doubled backslashes', () => {
    for (const s of ['plain', 'MÜLLER & Søn', 'a\\b\\\\c', '€ 𝄞 中文', '\uFEFF<x/>', '']) expect(decodePgEscape(pgEscape(s))).toBe(s);
    expect(ESCAPED_BOM).toBe(pgEscape('\uFEFF'));
  });

  it('reads an escaped document like the plain one: BOM dropped, non-ASCII values and backslashes intact', () => {
    const b = new ScanSpecBuilder('Provenir');
    b.keep('/Provenir/Request/CustData/application');
    const spec = b.build();
    const xml = '\uFEFF<Provenir><Request><Reports><R v="ünïcödé \\ skipped"/></Reports><CustData><application name="MÜLLER \\ Ø &amp; 𝄞"/></CustData></Request></Provenir>';
    const plain = readXmlDocument(xml, spec);
    const escaped = readXmlDocument(pgEscape(xml), spec, { pgEscaped: true });
    const app = (d: typeof plain) => d.byPath.get('/Provenir/Request/CustData/application')?.[0]?.attrs['name'];
    expect(app(escaped)).toBe('MÜLLER \\ Ø & 𝄞');
    expect(app(escaped)).toBe(app(plain));
  });

  it('still rejects a forbidden character hidden in an escape', () => {
    const b = new ScanSpecBuilder('Provenir');
    b.keep('/Provenir/a');
    expect(() => readXmlDocument(pgEscape('<Provenir><a v="x\uFFFFy"/></Provenir>'), b.build(), { pgEscaped: true })).toThrow(/invalid XML character U\+FFFF/);
  });
});
