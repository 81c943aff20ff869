/**
 * Document-level behaviour of DataMapper.map: text clean-up, structural rejection, root and
 * product-line checks, the app id, malformed markup, DTDs, output shape and ordering
 * (reference sections 3, 11, 12).
 */
import { describe, expect, it } from 'vitest';
import { AppFailure } from '../../../src/mapping/app-failure.js';
import { APP, REQUEST, contract, el, failure, m, mapXml, one, person, rows, xmlDoc } from '../helpers/contract-builder.js';

const C = contract([
  m('app_base', 'app_status', 'status'),
  m('app_contact_base', 'first_name', 'first_name', { xml_path: `${APP}/contact` }),
]);
const map = (xml: string) => mapXml(C, xml);

describe('text clean-up and structural checks', () => {
  it('accepts a BOM followed by leading control characters and whitespace', () => {
    const xml = xmlDoc({ prefix: '\uFEFF\u0001\u0002 \r\n\t', app: { status: 'A' } });
    const app = map(xml);
    expect(app.appId).toBe(42);
    expect(one(app, 'app_base')).toEqual({ app_id: 42, app_status: 'A' });
  });

  it('accepts an XML declaration, comments and trailing whitespace', () => {
    const xml = `<?xml version="1.0" encoding="utf-8"?>\n<!-- produced by test -->\n${xmlDoc({ app: { status: 'P' } })}\n\n`;
    expect(one(map(xml), 'app_base')).toEqual({ app_id: 42, app_status: 'P' });
  });

  it('accepts CRLF line ends inside the document', () => {
    const xml = xmlDoc({ app: { status: 'A' } }).replace(/></g, '>\r\n<');
    expect(one(map(xml), 'app_base')['app_status']).toBe('A');
  });

  it.each([
    ['empty text', ''],
    ['only whitespace', '  \n\t '],
    ['only a BOM', '\uFEFF'],
  ])('rejects %s at the validation stage', (_, xml) => {
    const f = failure(() => map(xml));
    expect(f).toBeInstanceOf(AppFailure);
    expect(f.stage).toBe('validation');
    expect(f.appId).toBeNull();
  });

  it('rejects text that does not start with "<" (validation)', () => {
    const f = failure(() => map(`garbage ${xmlDoc()}`));
    expect(f.stage).toBe('validation');
  });

  it('rejects text that does not end with ">" (validation)', () => {
    const f = failure(() => map(`${xmlDoc()} trailing`));
    expect(f.stage).toBe('validation');
  });

  it('rejects a document whose root element is not the contract root (validation)', () => {
    const xml = '<Other><Request ID="42"><CustData><application status="A"/></CustData></Request></Other>';
    const f = failure(() => map(xml));
    expect(f.stage).toBe('validation');
    expect(f.message).toMatch(/Other/);
    expect(f.message).toMatch(/Provenir/);
  });

  it('rejects a fragment without the root element (validation)', () => {
    const f = failure(() => map('<application status="A"/>'));
    expect(f.stage).toBe('validation');
  });
});

describe('product line', () => {
  it('rejects a rec-lending document (CustData holding IL_application) at validation, naming both elements', () => {
    const xml = '<Provenir><Request ID="42"><CustData><IL_application status="A"><IL_contact con_id="1" ac_role_tp_c="PR" first_name="A"/></IL_application></CustData></Request></Provenir>';
    const f = failure(() => map(xml));
    expect(f.stage).toBe('validation');
    expect(f.message).toMatch(/wrong product line/i);
    expect(f.message).toContain('IL_application');
    expect(f.message).toContain(APP);
  });

  it('rejects a document without any application element (validation: missing application element)', () => {
    const xml = '<Provenir><Request ID="42"><CustData><other/></CustData></Request></Provenir>';
    const f = failure(() => map(xml));
    expect(f.stage).toBe('validation');
    expect(f.message).toMatch(/missing required application element/i);
  });

  it('accepts a document carrying both product lines (the expected one wins)', () => {
    const xml = '<Provenir><Request ID="42"><CustData><IL_application status="W"/><application status="A"/></CustData></Request></Provenir>';
    expect(one(map(xml), 'app_base')).toEqual({ app_id: 42, app_status: 'A' });
  });
});

describe('app id', () => {
  it('reads Request@ID as an integer and puts app_id first in app_base', () => {
    const app = map(xmlDoc({ id: '447903', app: { status: 'A' } }));
    expect(app.appId).toBe(447903);
    const r = app.tables.get('app_base')![0]!;
    expect(Object.keys(r)).toEqual(['app_id', 'app_status']);
    expect(r['app_id']).toBe(447903);
  });

  it('trims the app id', () => {
    expect(map(xmlDoc({ id: ' 77 ' })).appId).toBe(77);
  });

  it('accepts a lower-case id attribute', () => {
    const xml = '<Provenir><Request id="9"><CustData><application/></CustData></Request></Provenir>';
    expect(map(xml).appId).toBe(9);
  });

  it('reads the app id from /Provenir/Request@ID when the contract has no app_id mapping', () => {
    const c = contract([m('app_base', 'app_status', 'status')], { noAppId: true });
    const app = mapXml(c, xmlDoc({ id: '5', app: { status: 'A' } }));
    expect(app.appId).toBe(5);
    expect(one(app, 'app_base')).toEqual({ app_status: 'A', app_id: 5 });
  });

  it.each([
    ['missing', null],
    ['blank', '   '],
    ['empty', ''],
  ])('rejects a %s app id at validation', (_, id) => {
    const f = failure(() => map(xmlDoc({ id })));
    expect(f.stage).toBe('validation');
    expect(f.message).toMatch(/app id/i);
  });

  it.each(['12a', 'abc', '-5', '0', '1.5', '1e3'])('rejects the non-positive-integer app id %j at validation', (id) => {
    const f = failure(() => map(xmlDoc({ id })));
    expect(f.stage).toBe('validation');
    expect(f.message).toMatch(/app id/i);
  });

  it('checks the product line before the app id', () => {
    const xml = '<Provenir><Request><CustData><IL_application/></CustData></Request></Provenir>';
    expect(failure(() => map(xml)).message).toMatch(/wrong product line/i);
  });
});

describe('malformed markup fails at the parsing stage', () => {
  it('a document truncated after a start tag', () => {
    const xml = '<Provenir><Request ID="42"><CustData><application status="A">';
    const f = failure(() => map(xml));
    expect(f.stage).toBe('parsing');
  });

  it('a document truncated inside a subtree the contract does not read', () => {
    const xml = '<Provenir><Request ID="42"><CustData><application status="A"/></CustData><Reports><big><x a="1"/>';
    expect(failure(() => map(xml)).stage).toBe('parsing');
  });

  it('a document truncated in the middle of a tag is rejected', () => {
    const xml = '<Provenir><Request ID="42"><CustData><application status="A"/></CustData></Request></Provenir';
    expect(() => map(xml)).toThrow(AppFailure);
  });

  it('mismatched end tags', () => {
    const xml = '<Provenir><Request ID="42"><CustData><application status="A"></CustData></application></Request></Provenir>';
    const f = failure(() => map(xml));
    expect(f.stage).toBe('parsing');
    expect(f.message).toMatch(/CustData|application/);
  });

  it('an end tag without a start tag', () => {
    const xml = '<Provenir><Request ID="42"><CustData><application/></CustData></Request></Request></Provenir>';
    expect(failure(() => map(xml)).stage).toBe('parsing');
  });

  it('an unterminated attribute value', () => {
    const xml = '<Provenir><Request ID="42"><CustData><application status="A/></CustData></Request></Provenir>';
    expect(failure(() => map(xml)).stage).toBe('parsing');
  });

  it('a second document element', () => {
    const xml = `${xmlDoc()}<Provenir/>`;
    expect(() => map(xml)).toThrow(AppFailure);
  });
});

describe('DTDs are never processed', () => {
  it('rejects a DOCTYPE declaring entities, without expanding them', () => {
    const xml = '<!DOCTYPE Provenir [<!ENTITY boom "EXPANDED">]><Provenir><Request ID="42"><CustData><application status="&boom;"/></CustData></Request></Provenir>';
    let err: unknown;
    try { map(xml); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(AppFailure);
    const f = err as AppFailure;
    expect(['validation', 'parsing']).toContain(f.stage);
    expect(f.message).not.toContain('EXPANDED');
  });

  it('rejects a billion-laughs document without expanding a single entity', () => {
    const ents = ['<!ENTITY a0 "lol">'];
    for (let i = 1; i < 10; i++) ents.push(`<!ENTITY a${i} "${`&a${i - 1};`.repeat(10)}">`);
    const xml = `<!DOCTYPE Provenir [${ents.join('')}]><Provenir><Request ID="42"><CustData><application status="&a9;"/></CustData></Request></Provenir>`;
    let err: unknown;
    try { map(xml); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(AppFailure);
    // Expansion (even one level) would put 'lollol' somewhere in what the failure carries.
    expect(JSON.stringify({ message: (err as AppFailure).message, detail: err })).not.toContain('lollol');
  });

  it('rejects a DOCTYPE with an external identifier (no fetch)', () => {
    const xml = '<!DOCTYPE Provenir SYSTEM "http://127.0.0.1:1/evil.dtd"><Provenir><Request ID="42"><CustData><application/></CustData></Request></Provenir>';
    expect(() => map(xml)).toThrow(AppFailure);
  });

  it('does not expand an undeclared custom entity reference into anything', () => {
    const xml = '<Provenir><Request ID="42"><CustData><application status="A&amp;B"/></CustData></Request></Provenir>';
    expect(one(map(xml), 'app_base')['app_status']).toBe('A&B');
  });
});

describe('namespace prefixes', () => {
  it('maps elements written with namespace prefixes by their local names', () => {
    const xml = '<p:Provenir xmlns:p="urn:x"><p:Request ID="42"><p:CustData><p:application status="A">' +
      '<p:contact con_id="7" ac_role_tp_c="PR" first_name="Ann"/></p:application></p:CustData></p:Request></p:Provenir>';
    const app = map(xml);
    expect(one(app, 'app_base')).toEqual({ app_id: 42, app_status: 'A' });
    expect(rows(app, 'app_contact_base')).toEqual([{ first_name: 'Ann', con_id: 7, app_id: 42 }]);
  });

  it('accepts namespace prefixes in the contract paths', () => {
    const c = contract([m('app_base', 'app_status', 'status', { xml_path: '/ns:Provenir/ns:Request/ns:CustData/ns:application' })]);
    expect(one(mapXml(c, xmlDoc({ app: { status: 'W' } })), 'app_base')).toEqual({ app_id: 42, app_status: 'W' });
  });
});

describe('output shape', () => {
  it('lists tables in first-appearance order of their mappings, skipping empty ones, columns in mapping order', () => {
    const c = contract([
      m('t_second', 'b2', 'b2'),
      m('t_first', 'a1', 'a1'),
      m('t_empty', 'e', 'e'),
      m('t_second', 'b1', 'b1'),
    ]);
    const app = mapXml(c, xmlDoc({ app: { a1: 'x', b1: 'y', b2: 'z' } }));
    expect([...app.tables.keys()]).toEqual(['app_base', 't_second', 't_first']);
    expect(Object.keys(app.tables.get('t_second')![0]!)).toEqual(['b2', 'b1', 'app_id']);
    expect(app.warnings).toEqual([]);
  });

  it('always keeps app_base, even with nothing but the app id', () => {
    const app = map(xmlDoc());
    expect(rows(app, 'app_base')).toEqual([{ app_id: 42 }]);
    expect(app.tables.has('app_contact_base')).toBe(false);
  });

  it('a mapper is reusable: mapping one document does not leak into the next', () => {
    const c = contract([m('t', 'a', 'a'), m('app_contact_base', 'first_name', 'first_name', { xml_path: `${APP}/contact` })]);
    const first = mapXml(c, xmlDoc({ id: '1', app: { a: 'one' }, children: [person('5', 'PR', 'Ann')] }));
    const second = mapXml(c, xmlDoc({ id: '2', app: {} }));
    expect(rows(first, 't')).toEqual([{ a: 'one', app_id: 1 }]);
    expect(second.tables.has('t')).toBe(false);
    expect(second.tables.has('app_contact_base')).toBe(false);
    expect(one(second, 'app_base')).toEqual({ app_id: 2 });
  });

  it('reads attributes at an absolute path other than the application', () => {
    const c = contract([m('t', 'req_attr', 'Source', { xml_path: REQUEST })]);
    const xml = '<Provenir><Request ID="42" Source="WEB"><CustData><application/></CustData></Request></Provenir>';
    expect(one(mapXml(c, xml), 't')).toEqual({ req_attr: 'WEB', app_id: 42 });
  });

  it('an element nested deeper than the contract path is not read', () => {
    const c = contract([m('t', 'a', 'a', { xml_path: `${APP}/app_product` })]);
    const xml = xmlDoc({ children: [el('wrapper', {}, el('app_product', { a: 'deep' }))] });
    expect(mapXml(c, xml).tables.has('t')).toBe(false);
  });
});
