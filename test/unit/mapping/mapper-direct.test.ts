/**
 * Direct mappings (no mapping_type) through DataMapper: value lookup, coercion of every data_type,
 * defaults and NULLs (reference 6, 7.2, 7.3, 9.1, 9.2) and the decisions B1, B3, B4, B8, B11, B14.
 */
import { describe, expect, it } from 'vitest';
import type { MappingEntry } from '../../../src/mapping/contract-types.js';
import type { DecisionId } from '../../../src/mapping/legacy.js';
import {
  APP, CONTACT, PRODUCT, contract, dec, dt, el, failure, m, mapApp, mapXml, one, person, rows, xmlDoc,
  type Plain,
} from '../helpers/contract-builder.js';

/** Value of column `c` of table `t` after mapping `value` through one mapping (undefined = omitted / no row). */
function cell(mapping: Partial<MappingEntry>, value: string | null, legacy: DecisionId[] = []): Plain | undefined {
  const f = m('t', 'c', 'v', mapping);
  const app = mapApp([f, m('t', 'keep', 'keep')], value === null ? { keep: 'k' } : { v: value, keep: 'k' }, [], { legacy });
  const r = one(app, 't');
  return 'c' in r ? r['c'] : undefined;
}

describe('lookup', () => {
  it('reads the attribute exactly first, then case-insensitively', () => {
    expect(cell({ xml_attribute: 'Status' }, null)).toBeUndefined();
    const app = mapApp([m('t', 'a', 'Status'), m('t', 'b', 'STATUS'), m('t', 'c', 'status')], { status: 'low', Status: 'cap' });
    expect(one(app, 't')).toEqual({ a: 'cap', b: 'low', c: 'low', app_id: 42 });
  });

  it('a repeated element: the last one in document order wins', () => {
    const app = mapApp([m('t', 'score', 'score', { xml_path: PRODUCT })], {}, [
      el('app_product', { score: '1' }), el('app_product', { score: '2' }), el('app_product', { other: 'x' }),
    ]);
    // the last app_product has no score attribute: the value is missing
    expect(app.tables.has('t')).toBe(false);
    const app2 = mapApp([m('t', 'score', 'score', { xml_path: PRODUCT })], {}, [
      el('app_product', { score: '1' }), el('app_product', { score: '2' }),
    ]);
    expect(one(app2, 't')).toEqual({ score: '2', app_id: 42 });
  });

  it('a missing element or attribute yields no column', () => {
    const app = mapApp([m('t', 'a', 'a', { xml_path: PRODUCT }), m('t', 'b', 'b')], { b: 'x' });
    expect(one(app, 't')).toEqual({ b: 'x', app_id: 42 });
  });
});

describe('strings', () => {
  it('trims and truncates to data_length', () => {
    expect(cell({ data_length: 5 }, '  Hello World  ')).toBe('Hello');
    expect(cell({ data_length: 6 }, 'abcde ')).toBe('abcde');
    expect(cell({ data_length: 3 }, 'a  bcd')).toBe('a');
    expect(cell({}, '  spaced  ')).toBe('spaced');
  });

  it('B1: data_length -1 means unlimited', () => {
    const long = 'x'.repeat(5000) + 'END';
    expect(cell({ data_length: -1 }, long)).toBe(long);
    expect(cell({ data_length: -1 }, 'ABCDEF')).toBe('ABCDEF');
  });

  it('B1 legacy: data_length -1 drops the last character', () => {
    expect(cell({ data_length: -1 }, 'ABCDEF', ['B1'])).toBe('ABCDE');
  });

  it('an unknown data_type is treated as a string', () => {
    expect(cell({ data_type: 'nvarchar', data_length: 4 }, ' 0123456 ')).toBe('0123');
  });

  it('keeps leading zeros and inner text of direct string columns', () => {
    expect(cell({}, '007')).toBe('007');
    expect(cell({}, 'a  b')).toBe('a  b');
  });
});

describe('blank values, defaults and NULLs', () => {
  it.each([null, '', '   ', '\t'])('blank %j with no default: the column is omitted (never "")', (v) => {
    expect(cell({}, v)).toBeUndefined();
    expect(cell({ data_type: 'int' }, v)).toBeUndefined();
  });

  it('blank with a default: the default, coerced to the data_type', () => {
    expect(cell({ default_value: 'UNKNOWN' }, null)).toBe('UNKNOWN');
    expect(cell({ default_value: 'UNKNOWN' }, '  ')).toBe('UNKNOWN');
    expect(cell({ data_type: 'datetime', default_value: '1900-01-01' }, null)).toEqual(dt('1900-01-01T00:00:00'));
    expect(cell({ data_type: 'int', default_value: '9999' }, '')).toBe(9999);
    expect(cell({ data_type: 'decimal', data_length: 2, default_value: '1.005' }, '')).toEqual(dec('1.01'));
    expect(cell({ data_type: 'bit', default_value: '0' }, '')).toBe(0);
  });

  it('a present value beats the default', () => {
    expect(cell({ default_value: 'UNKNOWN' }, 'Ann')).toBe('Ann');
  });

  it('a numeric 0 default is falsy: nullable columns stay omitted, NOT NULL columns get 0', () => {
    expect(cell({ data_type: 'int', default_value: 0 }, null)).toBeUndefined();
    expect(cell({ data_type: 'int', default_value: 0, nullable: false }, null)).toBe(0);
  });

  it('NOT NULL with a truthy default and an unconvertible value gets the default', () => {
    const v = cell({ data_type: 'int', default_value: '0', nullable: false }, 'abc');
    expect(String(v)).toBe('0');
  });

  it('a nullable column whose value cannot be converted is omitted', () => {
    expect(cell({ data_type: 'int' }, 'abc')).toBeUndefined();
    expect(cell({ data_type: 'decimal', data_length: 2 }, 'n/a')).toBeUndefined();
    expect(cell({ data_type: 'datetime' }, 'not a date')).toBeUndefined();
  });
});

describe('integers (B4)', () => {
  it.each([
    ['36.4', 36], ['36.50', 37], ['36.5', 37], ['0', 0], ['0529', 529], [' 12 ', 12],
    ['1,234', 1234], ['12,345,678', 12345678], ['-5', -5], ['+7', 7], ['-2.5', -3],
    ['Up to $40', 40], ['$1,200.50', 1201], ['1e3', 1000], ['4000', 4000],
  ])('direct int %j → %d', (v, want) => {
    expect(cell({ data_type: 'int' }, v)).toBe(want);
  });

  it.each(['smallint', 'bigint', 'tinyint'])('%s coerces like int, without range checks', (t) => {
    expect(cell({ data_type: t }, '4000')).toBe(4000);
    expect(cell({ data_type: t }, '1,234')).toBe(1234);
    expect(cell({ data_type: t }, '2.5')).toBe(3);
  });

  it('int ignores data_length', () => {
    expect(cell({ data_type: 'int', data_length: 2 }, '12345')).toBe(12345);
  });

  it.each([
    ['1,234', 1], ['-5', 5], ['1e3', 1], ['36.50', 37], ['Up to $40', 40], ['12', 12],
  ])('B4 legacy: direct int %j → %d (first digit run)', (v, want) => {
    expect(cell({ data_type: 'int' }, v, ['B4'])).toBe(want);
  });

  it('an integer without any digit is omitted', () => {
    expect(cell({ data_type: 'int' }, 'none')).toBeUndefined();
  });
});

describe('decimals', () => {
  it.each([
    ['34.449', 2, '34.45'], ['12.345', 2, '12.35'], ['2.675', 2, '2.68'], ['-1.005', 2, '-1.01'],
    ['1e3', 2, '1000'], [' 7 ', 2, '7'], ['0.005', 2, '0.01'], ['1.234565', 5, '1.23457'],
    ['123456789012345678.125', 2, '123456789012345678.13'], ['9.995', 2, '10'], ['-0.001', 2, '0'],
    ['1,234.565', 2, '1234.57'], ['$40.00', 2, '40'],
  ])('decimal %j with data_length %d → %s (exact half-up)', (v, len, want) => {
    expect(cell({ data_type: 'decimal', data_length: len }, v)).toEqual(dec(want));
  });

  it('decimal without data_length rounds to 2 places', () => {
    expect(cell({ data_type: 'decimal' }, '1.239')).toEqual(dec('1.24'));
  });

  it('B4 legacy: thousands separators make a decimal unparseable (column omitted)', () => {
    expect(cell({ data_type: 'decimal', data_length: 2 }, '1,234.5', ['B4'])).toBeUndefined();
    expect(cell({ data_type: 'decimal', data_length: 2 }, '1234.565', ['B4'])).toEqual(dec('1234.57'));
  });

  it('float', () => {
    expect(cell({ data_type: 'float' }, '1.5')).toBe(1.5);
    expect(cell({ data_type: 'float' }, '1,234.25')).toBe(1234.25);
    expect(cell({ data_type: 'float' }, 'x')).toBeUndefined();
  });
});

describe('date-times', () => {
  it.each([
    ['2025-10-09 21:51:08.027', '2025-10-09T21:51:08.027000'],
    ['2025-10-9 21:51:8.0', '2025-10-09T21:51:08'],
    ['2024-8-8 8:08:88.008', '2024-08-08T08:08:59.008000'],
    ['2015-11-05', '2015-11-05T00:00:00'],
    ['05/10/1978', '1978-05-10T00:00:00'],
    ['14/12/1988', '1988-12-14T00:00:00'],
    ['12/15/2025', '2025-12-15T00:00:00'],
    ['20231003', '2023-10-03T00:00:00'],
    ['2023-10-03T10:00:00', '2023-10-03T10:00:00'],
    ['2023-10-03T10:00:00Z', '2023-10-03T10:00:00+00:00'],
  ])('datetime %j → %s', (v, iso) => {
    expect(cell({ data_type: 'datetime' }, v)).toEqual(dt(iso));
  });

  it('date and smalldatetime columns yield date-times too', () => {
    expect(cell({ data_type: 'date' }, '05/10/1978')).toEqual(dt('1978-05-10T00:00:00'));
    expect(cell({ data_type: 'smalldatetime' }, '2015-11-05 09:02:34')).toEqual(dt('2015-11-05T09:02:34'));
  });

  it.each(['2024-02-30', '13/13/2020', 'yesterday', '2024-13-01', '99999999'])('invalid date %j → omitted', (v) => {
    expect(cell({ data_type: 'datetime' }, v)).toBeUndefined();
  });
});

describe('bit and boolean (B3)', () => {
  it.each([
    ['Y', 1], ['y', 1], ['N', 0], ['n', 0], ['1', 1], ['0', 0], ['true', 1], ['TRUE', 1], ['false', 0], ['False', 0],
    ['yes', 1], ['No', 0], ['t', 1], ['F', 0], [' Y ', 1],
  ])('bit %j → %d', (v, want) => {
    expect(cell({ data_type: 'bit' }, v)).toBe(want);
    expect(cell({ data_type: 'boolean' }, v)).toBe(want);
  });

  it.each(['x', 'maybe', '2', 'U'])('an unknown bit word %j → NULL (omitted)', (v) => {
    expect(cell({ data_type: 'bit' }, v)).toBeUndefined();
  });

  it('B3 legacy: bit coercion is truthiness', () => {
    expect(cell({ data_type: 'bit' }, '0', ['B3'])).toBe(1);
    expect(cell({ data_type: 'bit' }, 'N', ['B3'])).toBe(1);
    expect(cell({ data_type: 'bit' }, 'x', ['B3'])).toBe(1);
    expect(cell({ data_type: 'bit' }, '', ['B3'])).toBeUndefined();
  });
});

describe('B14: entities are decoded exactly once', () => {
  const doc = (raw: string) => `<Provenir><Request ID="42"><CustData><application name="${raw}">` +
    `<contact con_id="1" ac_role_tp_c="PR" first_name="${raw}"/></application></CustData></Request></Provenir>`;
  const c = contract([
    m('t', 'name', 'name'),
    m('app_contact_base', 'first_name', 'first_name', { xml_path: CONTACT }),
  ]);
  it.each([
    ['O&amp;amp;39;REILLY', 'O&amp;39;REILLY'],
    ['A&amp;amp;B', 'A&amp;B'],
    ['x &amp;lt; y', 'x &lt; y'],
    ['&amp;#39;quoted&amp;#39;', '&#39;quoted&#39;'],
    ['O&#39;NEIL', "O'NEIL"],
    ['&lt;tag&gt; &quot;q&quot; &apos;a&apos; &amp;', '<tag> "q" \'a\' &'],
    ['caf&#xE9;', 'café'],
  ])('%j → %j at application and contact level', (raw, want) => {
    const app = mapXml(c, doc(raw));
    expect(one(app, 't')['name']).toBe(want);
    expect(one(app, 'app_contact_base')['first_name']).toBe(want);
  });

  it('B14 legacy: application-level values are decoded a second time, contact values once', () => {
    const app = mapXml(c, doc('O&amp;amp;39;REILLY'), { legacy: ['B14'] });
    expect(one(app, 't')['name']).toBe('O&39;REILLY');
    expect(one(app, 'app_contact_base')['first_name']).toBe('O&amp;39;REILLY');
    const app2 = mapXml(c, doc('A&amp;amp;B &amp;#39;x&amp;#39;'), { legacy: ['B14'] });
    expect(one(app2, 't')['name']).toBe("A&B 'x'");
  });
});

describe('B8: NOT NULL columns without value and default', () => {
  it('fail the app at the mapping stage naming table.column and mappings[i]', () => {
    const c = contract([m('app_base', 'status', 'status'), m('app_base', 'decision_date', 'dd', { data_type: 'datetime', nullable: false })]);
    const f = failure(() => mapXml(c, xmlDoc({ app: { status: 'A' } })));
    expect(f.stage).toBe('mapping');
    expect(f.appId).toBe(42);
    expect(f.message).toContain('app_base.decision_date');
    expect(f.message).toContain('mappings[2]');
  });

  it('name every missing column', () => {
    const c = contract([m('t', 'a', 'a', { nullable: false }), m('t', 'b', 'b', { nullable: false }), m('t', 'c', 'c')]);
    const f = failure(() => mapXml(c, xmlDoc({ app: { c: 'x' } })));
    expect(f.stage).toBe('mapping');
    expect(f.message).toContain('t.a');
    expect(f.message).toContain('mappings[1]');
    expect(f.message).toContain('t.b');
    expect(f.message).toContain('mappings[2]');
  });

  it('an unconvertible value in a NOT NULL column without default fails too', () => {
    const c = contract([m('t', 'amount', 'amount', { data_type: 'decimal', data_length: 2, nullable: false }), m('t', 'c', 'c')]);
    const f = failure(() => mapXml(c, xmlDoc({ app: { amount: 'n/a', c: 'x' } })));
    expect(f.stage).toBe('mapping');
    expect(f.message).toContain('t.amount');
  });

  it('do not fail when the row is skipped as empty', () => {
    const c = contract([m('t', 'a', 'a', { nullable: false }), m('t', 'c', 'c')]);
    const app = mapXml(c, xmlDoc({ app: {} }));
    expect(app.tables.has('t')).toBe(false);
  });

  it('a present NOT NULL value does not fail', () => {
    const c = contract([m('t', 'a', 'a', { nullable: false })]);
    expect(one(mapXml(c, xmlDoc({ app: { a: 'v' } })), 't')).toEqual({ a: 'v', app_id: 42 });
  });

  it('app_base and contact rows are always kept, so they fail', () => {
    const c = contract([m('app_base', 'x', 'x', { nullable: false })]);
    expect(failure(() => mapXml(c, xmlDoc())).message).toContain('app_base.x');
    const c2 = contract([
      m('app_contact_base', 'first_name', 'first_name', { xml_path: CONTACT }),
      m('app_contact_base', 'ssn', 'ssn', { xml_path: CONTACT, nullable: false }),
    ]);
    const f = failure(() => mapXml(c2, xmlDoc({ children: [person('1', 'PR', 'Ann')] })));
    expect(f.stage).toBe('mapping');
    expect(f.message).toContain('app_contact_base.ssn');
    expect(f.message).toContain('mappings[2]');
  });

  it('B8 legacy: the column is silently omitted', () => {
    const c = contract([m('app_base', 'status', 'status'), m('app_base', 'decision_date', 'dd', { data_type: 'datetime', nullable: false })]);
    const app = mapXml(c, xmlDoc({ app: { status: 'A' } }), { legacy: ['B8'] });
    expect(one(app, 'app_base')).toEqual({ app_id: 42, status: 'A' });
  });
});

describe("B11: '' becomes NULL", () => {
  // a calculated string column is the typical source of ''
  const calc = (more: Partial<MappingEntry> = {}) => m('t', 'code', 'flag', {
    mapping_type: ['calculated_field'], expression: "CASE WHEN flag = 'Y' THEN 'AJ' ELSE '' END", ...more,
  });
  it("a nullable column with '' is omitted", () => {
    const app = mapApp([calc(), m('t', 'other', 'other')], { flag: 'N', other: 'o' });
    expect(one(app, 't')).toEqual({ other: 'o', app_id: 42 });
    expect(one(mapApp([calc(), m('t', 'other', 'other')], { flag: 'Y', other: 'o' }), 't')).toEqual({ code: 'AJ', other: 'o', app_id: 42 });
  });

  it("a NOT NULL column with '' takes its default", () => {
    const app = mapApp([calc({ nullable: false, default_value: 'NA' }), m('t', 'other', 'other')], { flag: 'N', other: 'o' });
    expect(one(app, 't')['code']).toBe('NA');
  });

  it("B11 legacy: '' survives", () => {
    const app = mapApp([calc(), m('t', 'other', 'other')], { flag: 'N', other: 'o' }, [], { legacy: ['B11'] });
    expect(one(app, 't')).toEqual({ code: '', other: 'o', app_id: 42 });
    const app2 = mapApp([calc({ nullable: false, default_value: 'NA' }), m('t', 'other', 'other')], { flag: 'N', other: 'o' }, [], { legacy: ['B11'] });
    expect(one(app2, 't')['code']).toBe('');
  });
});

describe('contact-table mappings at the application path', () => {
  it('copy the application attribute onto every contact row', () => {
    const c = contract([
      m('app_contact_base', 'first_name', 'first_name', { xml_path: CONTACT }),
      m('app_contact_base', 'esign_consent_flag', 'esign_consent', { xml_path: APP, mapping_type: ['boolean_to_bit'], data_type: 'bit' }),
      m('app_contact_base', 'app_channel', 'channel', { xml_path: APP }),
    ]);
    const app = mapXml(c, xmlDoc({ app: { esign_consent: 'Y', channel: 'WEB' }, children: [person('1', 'PR', 'Ann'), person('2', 'AUTHU', 'Bob')] }));
    expect(rows(app, 'app_contact_base')).toEqual([
      { first_name: 'Ann', esign_consent_flag: 1, app_channel: 'WEB', con_id: 1, app_id: 42 },
      { first_name: 'Bob', esign_consent_flag: 1, app_channel: 'WEB', con_id: 2, app_id: 42 },
    ]);
  });
});
