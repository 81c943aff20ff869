/**
 * targetedScan + ScanSpecBuilder: which elements a document yields, in which order, and how
 * unneeded subtrees are skipped (nested same-name elements, self-closing ones, prefixes).
 */
import { describe, expect, it } from 'vitest';
import { ScanSpecBuilder, pathSegments, type ScanSpec } from '../../../src/xml/scan-spec.js';
import { targetedScan } from '../../../src/xml/targeted-scan.js';
import { readXmlDocument } from '../../../src/xml/xml-document.js';
import { XmlDocumentError } from '../../../src/xml/xml-error.js';

function spec(keep: string[], opts: { text?: string[]; watch?: string[]; scope?: [string, string[], string[]] } = {}): ScanSpec {
  const b = new ScanSpecBuilder('R');
  for (const k of keep) b.keep(k);
  for (const t of opts.text ?? []) b.keep(t, true);
  for (const w of opts.watch ?? []) b.watch(w);
  if (opts.scope) b.scope(...opts.scope);
  return b.build();
}

/** `i` attributes of the elements at `path`, in document order. */
function ids(xml: string, s: ScanSpec, path: string): (string | undefined)[] {
  return (readXmlDocument(xml, s).byPath.get(path) ?? []).map((n) => n.attrs['i']);
}

function scanError(fn: () => unknown): XmlDocumentError {
  try { fn(); } catch (e) { if (e instanceof XmlDocumentError) return e; throw e; }
  throw new Error('expected an XmlDocumentError');
}

describe('pathSegments', () => {
  it('splits, drops empty segments and namespace prefixes', () => {
    expect(pathSegments('/Provenir/Request/CustData/application')).toEqual(['Provenir', 'Request', 'CustData', 'application']);
    expect(pathSegments('//ns:A/b:B/C/')).toEqual(['A', 'B', 'C']);
  });
});

describe('kept elements', () => {
  const S = spec(['/R/a/b']);

  it('the skeleton holds only the kept elements and their ancestors', () => {
    const { skeleton } = targetedScan('<R><x><y i="9"/></x><a z="1"><b i="1"/><c/></a></R>', S);
    expect(skeleton).toBe('<R><a><b i="1"/></a></R>');
  });

  it('repeated elements stay in document order, across parents', () => {
    const xml = '<R><a><b i="1"/><b i="2"></b></a><skip><b i="no"/></skip><a><b i="3"/><c><b i="deeper"/></c></a><a/><a><b i="4"/></a></R>';
    expect(ids(xml, S, '/R/a/b')).toEqual(['1', '2', '3', '4']);
  });

  it('kept elements with children keep their kept children nested', () => {
    const s = spec(['/R/a', '/R/a/b']);
    const doc = readXmlDocument('<R><a i="p"><x/><b i="c1"/><b i="c2"/></a></R>', s);
    const a = doc.byPath.get('/R/a')![0]!;
    expect(a.attrs['i']).toBe('p');
    expect(a.children.map((c) => c.attrs['i'])).toEqual(['c1', 'c2']);
    expect(a.children[0]!.parent).toBe(a);
    expect(a.children[0]!.path).toBe('/R/a/b');
    expect(doc.all.map((n) => n.tag)).toEqual(['R', 'a', 'b', 'b']);
    expect(doc.all.map((n) => n.order)).toEqual([0, 1, 2, 3]);
  });

  it('attribute values keep quotes, ">" and surrounding spaces; single quotes work', () => {
    const doc = readXmlDocument(`<R><a><b i="a>b" j='it"s' k="  padded  " l="x/>y"/></a></R>`, S);
    expect(doc.byPath.get('/R/a/b')![0]!.attrs).toEqual({ i: 'a>b', j: 'it"s', k: '  padded  ', l: 'x/>y' });
  });

  it('element text is kept for text paths', () => {
    const s = spec([], { text: ['/R/t'] });
    const doc = readXmlDocument('<R><t>hello &amp; <![CDATA[<raw>]]> bye</t><u>no</u></R>', s);
    expect(doc.byPath.get('/R/t')![0]!.text).toContain('hello & ');
    expect(doc.byPath.get('/R/t')![0]!.text).toContain('bye');
    expect(doc.byPath.has('/R/u')).toBe(false);
  });
});

describe('skipping unneeded subtrees', () => {
  const S = spec(['/R/a/b']);

  it('a nested element with the same name does not end the skip early', () => {
    const xml = '<R><x><x></x><a><b i="bad"/></a></x><a><b i="good"/></a></R>';
    expect(ids(xml, S, '/R/a/b')).toEqual(['good']);
  });

  it('deeply nested same-name elements', () => {
    const xml = '<R><x><x><x><a><b i="bad"/></a></x></x><a><b i="bad2"/></a></x><a><b i="good"/></a></R>';
    expect(ids(xml, S, '/R/a/b')).toEqual(['good']);
  });

  it('a self-closing same-name element inside a skipped one does not count as an opening', () => {
    const xml = '<R><x><x/><x a="1" /><a><b i="bad"/></a></x><a><b i="good"/></a></R>';
    expect(ids(xml, S, '/R/a/b')).toEqual(['good']);
  });

  it('"/>" inside an attribute of a nested same-name element is not self-closing', () => {
    const xml = '<R><x><x a="/>"><a><b i="bad"/></a></x><a><b i="bad2"/></a></x><a><b i="good"/></a></R>';
    expect(ids(xml, S, '/R/a/b')).toEqual(['good']);
  });

  it('self-closing skipped elements and elements whose names start with the same letters', () => {
    const xml = '<R><x/><x /><x><xy><x-y/></xy><xx></xx></x><a><b i="good"/></a></R>';
    expect(ids(xml, S, '/R/a/b')).toEqual(['good']);
  });

  it('skipped subtrees with prefixed names', () => {
    const xml = '<R><p:x xmlns:p="u"><p:x></p:x><x><a><b i="bad"/></a></x></p:x><a><b i="good"/></a></R>';
    expect(ids(xml, S, '/R/a/b')).toEqual(['good']);
  });

  it('a comment in a skipped subtree that contains its end tag', () => {
    const xml = '<R><x><!-- </x> --></x><a><b i="good"/></a></R>';
    expect(ids(xml, S, '/R/a/b')).toEqual(['good']);
  });

  it('a comment in a skipped subtree that contains a start tag of the same name', () => {
    const xml = '<R><x><!-- <x> --></x><a><b i="good"/></a></R>';
    expect(ids(xml, S, '/R/a/b')).toEqual(['good']);
  });

  it('a CDATA section in a skipped subtree that contains its end tag', () => {
    const xml = '<R><x><![CDATA[ </x> ]]></x><a><b i="good"/></a></R>';
    expect(ids(xml, S, '/R/a/b')).toEqual(['good']);
  });

  it('comments, CDATA and processing instructions in walked parts are ignored', () => {
    const xml = '<R><!-- <a><b i="c"/></a> --><?pi <a><b i="p"/></a>?><a><![CDATA[<b i="cdata"/>]]><b i="good"/></a></R>';
    expect(ids(xml, S, '/R/a/b')).toEqual(['good']);
  });

  it('a never-closed skipped element is a parsing error', () => {
    const e = scanError(() => readXmlDocument('<R><x><y></y><a><b i="1"/></a></R>', S));
    expect(e.stage).toBe('parsing');
    expect(e.message).toMatch(/never closed/);
  });
});

describe('namespace prefixes', () => {
  it('are removed from element names (root included) and paths', () => {
    const xml = '<p:R xmlns:p="urn:x"><p:a><q:b xmlns:q="urn:y" i="1"/><b i="2"/></p:a></p:R>';
    const doc = readXmlDocument(xml, spec(['/R/a/b']));
    expect(doc.root.tag).toBe('R');
    expect(doc.byPath.get('/R/a/b')!.map((n) => [n.tag, n.attrs['i']])).toEqual([['b', '1'], ['b', '2']]);
  });
});

describe('watched children and expression scope', () => {
  it('records the child names of a watched element', () => {
    const s = spec(['/R/C/app'], { watch: ['/R/C'] });
    const { watchedChildren } = targetedScan('<R><C><IL_app/><other><deep/></other><app/></C></R>', s);
    expect([...watchedChildren].sort()).toEqual(['IL_app', 'app', 'other']);
  });

  it('inside a scope root keeps elements by tag (case-insensitive) or by attribute name, nothing outside', () => {
    const s = spec(['/R/app'], { scope: ['/R/app', ['Prod'], ['sal']] });
    const xml = '<R><app><prod x="1"/><deep><inner sal="5"/><inner2 xsal="6" data-sal="7"/></deep><other z="1"/></app>' +
      '<out><prod x="2"/><inner sal="9"/></out></R>';
    const doc = readXmlDocument(xml, s);
    expect([...doc.byPath.keys()].sort()).toEqual(['/R', '/R/app', '/R/app/deep', '/R/app/deep/inner', '/R/app/prod']);
    expect(doc.byPath.get('/R/app/deep/inner')![0]!.attrs['sal']).toBe('5');
  });
});

describe('errors', () => {
  const S = spec(['/R/a/b']);
  it('wrong document element → validation', () => {
    const e = scanError(() => targetedScan('<Q><a/></Q>', S));
    expect(e.stage).toBe('validation');
    expect(e.message).toMatch(/<Q>/);
  });

  it('mismatched end tag → parsing, with line and column', () => {
    const e = scanError(() => targetedScan('<R>\n<a>\n</b></a></R>', S));
    expect(e.stage).toBe('parsing');
    expect(e.message).toMatch(/mismatched/);
    expect(e.message).toMatch(/line 3, column 1/);
  });

  it('a truncated document → parsing', () => {
    expect(scanError(() => targetedScan('<R><a><b i="1"/>', S)).stage).toBe('parsing');
    expect(scanError(() => targetedScan('<R><a><b i="1', S)).stage).toBe('parsing');
    expect(scanError(() => targetedScan('<R><a></a', S)).stage).toBe('parsing');
  });

  it('content after the document element', () => {
    expect(() => targetedScan('<R/><R/>', S)).toThrow(XmlDocumentError);
  });

  it('a stray "<" in text', () => {
    expect(scanError(() => targetedScan('<R><a>x < y</a></R>', S)).stage).toBe('parsing');
  });

  it('unterminated comment / CDATA / PI', () => {
    expect(() => targetedScan('<R><!-- x </R>', S)).toThrow(XmlDocumentError);
    expect(() => targetedScan('<R><![CDATA[ x </R>', S)).toThrow(XmlDocumentError);
    expect(() => targetedScan('<R><?pi x </R>', S)).toThrow(XmlDocumentError);
  });
});
