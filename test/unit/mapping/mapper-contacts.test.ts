/**
 * Contacts (reference section 4, 8.5–8.8): valid-contact selection, the contact table, the
 * last_valid_* / authu_contact / curr_address_only extractors, and the address/employment filter
 * with the decisions B2, B8, B10, B11, B15.
 */
import { describe, expect, it } from 'vitest';
import type { MappingEntry } from '../../../src/mapping/contract-types.js';
import {
  ADDR, APP, BCARD, CONTACT, EMP, contactEl, contract, dec, el, failure, m, mapXml, one, person, rows, xmlDoc,
} from '../helpers/contract-builder.js';

const addr = (attrs: Record<string, string>) => el('contact_address', attrs);
const emp = (attrs: Record<string, string>) => el('contact_employment', attrs);

describe('valid contacts and the contact table', () => {
  const C = contract([
    m('app_contact_base', 'con_id', 'con_id', { xml_path: CONTACT, data_type: 'int', nullable: false }),
    m('app_contact_base', 'first_name', 'first_name', { xml_path: CONTACT, data_length: 10 }),
    m('app_contact_base', 'ssn', 'ssn', { xml_path: CONTACT }),
    m('app_contact_base', 'contact_type_enum', 'ac_role_tp_c', { xml_path: CONTACT, data_type: 'smallint', mapping_type: ['enum'] }),
  ]);

  it('selects, de-duplicates and orders contacts like the reference', () => {
    const xml = xmlDoc({ children: [
      person('1', 'PR', 'Ann'),
      person('2', 'AUTHU', 'Bob'),
      person('1', 'AUTHU', 'Cat'), // lower priority never replaces
      person('2', 'PR', 'Dan'), // higher priority replaces Bob (position of con_id 2 kept)
      contactEl({ con_id: '3', ac_role_tp_c: 'PR' }), // sparse: dropped
      person('4', 'XX', 'Fay'), // type not in the list
      person('1', 'PR', 'Gus'), // equal priority: the later one wins
      contactEl({ con_id: '  ', ac_role_tp_c: 'PR', first_name: 'Hal' }), // blank con_id
      person('5', 'pr', 'Ivy'), // type check is case-sensitive
      contactEl({ ac_role_tp_c: 'PR', first_name: 'Jo' }), // no con_id
      contactEl({ con_id: '6', first_name: 'Kim' }), // no type
      contactEl({ con_id: '7', ac_role_tp_c: 'AUTHU', ssn: '123' }), // ssn alone is enough
      contactEl({ con_id: '8', ac_role_tp_c: 'AUTHU', birth_date: ' ', first_name: ' ', last_name: '', ssn: '  ', middle_initial: 'Q' }),
      contactEl({ con_id: '9', ac_role_tp_c: 'PR', birth_date: '1970-01-01' }), // birth_date alone is enough
      contactEl({ con_id: '10', ac_role_tp_c: 'PR', last_name: 'Lee' }),
    ] });
    expect(rows(mapXml(C, xml), 'app_contact_base')).toEqual([
      { con_id: 1, first_name: 'Gus', contact_type_enum: 281, app_id: 42 },
      { con_id: 2, first_name: 'Dan', contact_type_enum: 281, app_id: 42 },
      { con_id: 7, ssn: '123', contact_type_enum: 280, app_id: 42 },
      { con_id: 9, contact_type_enum: 281, app_id: 42 },
      { con_id: 10, contact_type_enum: 281, app_id: 42 },
    ]);
  });

  it('puts con_id and app_id last when con_id is not mapped; keeps non-numeric con_ids as text; trims con_id', () => {
    const c = contract([m('app_contact_base', 'first_name', 'first_name', { xml_path: CONTACT })]);
    const app = mapXml(c, xmlDoc({ children: [person('A12', 'PR', 'Ann'), person(' 77 ', 'AUTHU', 'Bob')] }));
    const r = app.tables.get('app_contact_base')!;
    expect(Object.keys(r[0]!)).toEqual(['first_name', 'con_id', 'app_id']);
    expect(rows(app, 'app_contact_base')).toEqual([
      { first_name: 'Ann', con_id: 'A12', app_id: 42 },
      { first_name: 'Bob', con_id: 77, app_id: 42 },
    ]);
  });

  it('contact rows are never skipped, even with no mapped value', () => {
    const c = contract([m('app_contact_base', 'middle_initial', 'middle_initial', { xml_path: CONTACT })]);
    const app = mapXml(c, xmlDoc({ children: [person('1', 'PR', 'Ann')] }));
    expect(rows(app, 'app_contact_base')).toEqual([{ con_id: 1, app_id: 42 }]);
  });

  it('contact defaults and truncation apply per contact', () => {
    const c = contract([
      m('app_contact_base', 'first_name', 'first_name', { xml_path: CONTACT, data_length: 4, nullable: false, default_value: 'UNKNOWN' }),
      m('app_contact_base', 'birth_date', 'birth_date', { xml_path: CONTACT, data_type: 'datetime', nullable: false, default_value: '1900-01-01' }),
    ]);
    const app = mapXml(c, xmlDoc({ children: [person('1', 'PR', 'Annabelle', { birth_date: '05/10/1978' }), contactEl({ con_id: '2', ac_role_tp_c: 'AUTHU', ssn: '1' })] }));
    expect(rows(app, 'app_contact_base')).toEqual([
      { first_name: 'Anna', birth_date: { dt: '1978-05-10T00:00:00' }, con_id: 1, app_id: 42 },
      { first_name: 'UNKN', birth_date: { dt: '1900-01-01T00:00:00' }, con_id: 2, app_id: 42 },
    ]);
  });

  it('zero valid contacts: no contact rows, the app still maps', () => {
    const app = mapXml(C, xmlDoc({ children: [contactEl({ con_id: '1', ac_role_tp_c: 'PR' })] }));
    expect(app.tables.has('app_contact_base')).toBe(false);
    expect(one(app, 'app_base')).toEqual({ app_id: 42 });
  });

  it('B10: contacts are read only at the contract path', () => {
    const xml = '<Provenir><Request ID="42"><CustData>' +
      '<contact con_id="1" ac_role_tp_c="PR" first_name="Outside"/>' +
      `<application>${el('wrapper', {}, person('2', 'PR', 'Nested'))}${person('3', 'PR', 'Right')}</application>` +
      '</CustData></Request></Provenir>';
    expect(rows(mapXml(C, xml), 'app_contact_base')).toEqual([{ con_id: 3, first_name: 'Right', contact_type_enum: 281, app_id: 42 }]);
  });
});

describe('last_valid_pr_contact', () => {
  const plain = (attr: string, more: Partial<MappingEntry> = {}) =>
    m('t', attr, attr, { xml_path: CONTACT, mapping_type: ['last_valid_pr_contact'], ...more });

  it('reads the last PR contact element with a non-blank con_id, even a sparse or duplicate one', () => {
    const c = contract([plain('mother_maiden_name')]);
    const xml = xmlDoc({ children: [
      person('1', 'PR', 'Ann', { mother_maiden_name: 'First' }),
      contactEl({ con_id: '2', ac_role_tp_c: 'PR', mother_maiden_name: 'SparseLast' }),
      person('3', 'AUTHU', 'Bob', { mother_maiden_name: 'Authu' }),
      contactEl({ con_id: ' ', ac_role_tp_c: 'PR', first_name: 'NoId', mother_maiden_name: 'NoId' }),
      person('4', 'pr', 'Low', { mother_maiden_name: 'LowerCase' }),
    ] });
    expect(one(mapXml(c, xml), 't')).toEqual({ mother_maiden_name: 'SparseLast', app_id: 42 });
  });

  it('no PR contact: the column is omitted', () => {
    const c = contract([plain('mother_maiden_name'), m('t', 'keep', 'keep')]);
    const xml = xmlDoc({ app: { keep: 'k' }, children: [person('3', 'AUTHU', 'Bob', { mother_maiden_name: 'Authu' })] });
    expect(one(mapXml(c, xml), 't')).toEqual({ keep: 'k', app_id: 42 });
  });

  it('truncates strings to data_length and coerces numbers', () => {
    const c = contract([plain('mother_maiden_name', { data_length: 3 }), plain('income', { data_type: 'int' }), plain('min_pay', { data_type: 'decimal', data_length: 2 })]);
    const xml = xmlDoc({ children: [person('1', 'PR', 'Ann', { mother_maiden_name: ' Smithers', income: '1,250.5', min_pay: '10.005' })] });
    expect(one(mapXml(c, xml), 't')).toEqual({ mother_maiden_name: 'Sm', income: 1251, min_pay: dec('10.01'), app_id: 42 });
  });

  it("B11: an empty attribute on a decimal column is NULL (legacy: '')", () => {
    const c = contract([plain('min_pay', { data_type: 'decimal', data_length: 2 }), m('t', 'keep', 'keep')]);
    const xml = xmlDoc({ app: { keep: 'k' }, children: [person('1', 'PR', 'Ann', { min_pay: '' })] });
    expect(one(mapXml(c, xml), 't')).toEqual({ keep: 'k', app_id: 42 });
    expect(one(mapXml(c, xml, { legacy: ['B11'] }), 't')).toEqual({ min_pay: '', keep: 'k', app_id: 42 });
  });

  describe('address branch', () => {
    const c = contract([
      m('t', 'housing_monthly_payment', 'residence_monthly_pymnt', { xml_path: ADDR, data_type: 'decimal', data_length: 2, mapping_type: ['last_valid_pr_contact'] }),
      m('t', 'keep', 'keep'),
    ]);
    const run = (...addrs: Record<string, string>[]) => one(mapXml(c, xmlDoc({ app: { keep: 'k' }, children: [
      person('9', 'PR', 'Other', {}, addr({ address_tp_c: 'CURR', residence_monthly_pymnt: '999' })),
      person('1', 'PR', 'Ann', {}, ...(addrs.length ? addrs.map(addr) : [])),
    ] })), 't');

    it('prefers CURR addresses and takes the first with a non-empty value, rounded', () => {
      expect(run(
        { address_tp_c: 'PREV', residence_monthly_pymnt: '100' },
        { address_tp_c: 'CURR', residence_monthly_pymnt: '' },
        { address_tp_c: 'CURR', residence_monthly_pymnt: '893.554' },
        { address_tp_c: 'CURR', residence_monthly_pymnt: '700' },
      )).toEqual({ housing_monthly_payment: dec('893.55'), keep: 'k', app_id: 42 });
    });

    it('falls back to all addresses when there is no CURR one (exact, case-sensitive type)', () => {
      expect(run(
        { address_tp_c: 'PREV', residence_monthly_pymnt: '' },
        { address_tp_c: 'PREV', residence_monthly_pymnt: '300' },
        { address_tp_c: 'curr', residence_monthly_pymnt: '5' },
      )['housing_monthly_payment']).toEqual(dec('300'));
    });

    it('an empty value on every preferred address → NULL (the last one is empty)', () => {
      expect(run(
        { address_tp_c: 'CURR', residence_monthly_pymnt: '' },
        { address_tp_c: 'PREV', residence_monthly_pymnt: '50' },
      )).toEqual({ keep: 'k', app_id: 42 });
    });

    it('no address at all → omitted', () => {
      expect(run()).toEqual({ keep: 'k', app_id: 42 });
    });

    it('an unparseable amount → omitted', () => {
      expect(run({ address_tp_c: 'CURR', residence_monthly_pymnt: 'n/a' })).toEqual({ keep: 'k', app_id: 42 });
    });
  });

  describe('child element branch (app_prod_bcard)', () => {
    const c = contract([
      m('t', 'card_ind', 'issue_card_ind', { xml_path: BCARD, mapping_type: ['last_valid_pr_contact'] }),
      m('t', 'keep', 'keep'),
    ]);
    const run = (...children: string[]) =>
      one(mapXml(c, xmlDoc({ app: { keep: 'k' }, children: [person('1', 'PR', 'Ann', { issue_card_ind: 'OWN' }, ...children)] })), 't');

    it('reads the last app_prod_bcard of the PR contact', () => {
      expect(run(el('app_prod_bcard', { issue_card_ind: 'Y' }), el('app_prod_bcard', { issue_card_ind: 'N' }))['card_ind']).toBe('N');
    });

    it("falls back to the contact's own attribute when the contact has no app_prod_bcard", () => {
      expect(run()['card_ind']).toBe('OWN');
    });
  });

  describe('history fallback (app_historical_lookup only)', () => {
    const hist = m('app_historical_lookup', '', 'first_name', { xml_path: CONTACT, mapping_type: ['last_valid_pr_contact', 'add_history'] });
    const kids = [
      contactEl({ con_id: '', ac_role_tp_c: 'PR', first_name: 'NoId' }),
      person('1', 'PR', 'Ann'),
      person('2', 'PR', 'Bea'),
      contactEl({ con_id: '3', ac_role_tp_c: 'PR', first_name: 'null', last_name: 'Lee' }),
    ];

    it('a blank/null value on the last PR contact is replaced by the latest valid PR contact with a value', () => {
      const app = mapXml(contract([hist]), xmlDoc({ children: kids }));
      expect(rows(app, 'app_historical_lookup')).toEqual([{ app_id: 42, name: '[first_name]', source: '[contact]', value: 'Bea' }]);
    });

    it('"none" and "" are blank too', () => {
      const app = mapXml(contract([hist]), xmlDoc({ children: [person('1', 'PR', 'Ann'), contactEl({ con_id: '3', ac_role_tp_c: 'PR', first_name: ' None ', ssn: '1' })] }));
      expect(rows(app, 'app_historical_lookup')).toEqual([{ app_id: 42, name: '[first_name]', source: '[contact]', value: 'Ann' }]);
    });

    it('no fallback in other tables', () => {
      const c = contract([m('t', 'first_name', 'first_name', { xml_path: CONTACT, mapping_type: ['last_valid_pr_contact'] }), m('t', 'keep', 'keep')]);
      const app = mapXml(c, xmlDoc({ app: { keep: 'k' }, children: [person('1', 'PR', 'Ann'), contactEl({ con_id: '3', ac_role_tp_c: 'PR', first_name: '', last_name: 'Lee' })] }));
      expect(one(app, 't')).toEqual({ keep: 'k', app_id: 42 });
    });
  });
});

describe('last_valid_sec_contact', () => {
  it('reads the last contact of the second type', () => {
    const c = contract([m('t', 'sec_name', 'first_name', { xml_path: CONTACT, mapping_type: ['last_valid_sec_contact'] })]);
    const xml = xmlDoc({ children: [person('1', 'AUTHU', 'Bob'), person('2', 'PR', 'Ann'), person('3', 'AUTHU', 'Cy'), contactEl({ con_id: '', ac_role_tp_c: 'AUTHU', first_name: 'NoId' })] });
    expect(one(mapXml(c, xml), 't')).toEqual({ sec_name: 'Cy', app_id: 42 });
  });

  it('uses the address branch (CURR preferred)', () => {
    const c = contract([m('t', 'sec_payment', 'residence_monthly_pymnt', { xml_path: ADDR, data_type: 'decimal', data_length: 2, mapping_type: ['last_valid_sec_contact'] })]);
    const xml = xmlDoc({ children: [
      person('2', 'PR', 'Ann', {}, addr({ address_tp_c: 'CURR', residence_monthly_pymnt: '1' })),
      person('3', 'AUTHU', 'Cy', {}, addr({ address_tp_c: 'PREV', residence_monthly_pymnt: '2' }), addr({ address_tp_c: 'CURR', residence_monthly_pymnt: '3.333' })),
    ] });
    expect(one(mapXml(c, xml), 't')).toEqual({ sec_payment: dec('3.33'), app_id: 42 });
  });

  it('has no history fallback', () => {
    const c = contract([m('app_historical_lookup', '', 'first_name', { xml_path: CONTACT, mapping_type: ['last_valid_sec_contact', 'add_history'] })]);
    const xml = xmlDoc({ children: [person('1', 'AUTHU', 'Bob'), contactEl({ con_id: '3', ac_role_tp_c: 'AUTHU', first_name: '', ssn: '1' })] });
    expect(mapXml(c, xml).tables.has('app_historical_lookup')).toBe(false);
  });

  it("has no app_prod_bcard branch: it reads the contact's own attribute", () => {
    const c = contract([m('t', 'card', 'issue_card_ind', { xml_path: BCARD, mapping_type: ['last_valid_sec_contact'] })]);
    const xml = xmlDoc({ children: [person('3', 'AUTHU', 'Cy', { issue_card_ind: 'OWN' }, el('app_prod_bcard', { issue_card_ind: 'CARD' }))] });
    expect(one(mapXml(c, xml), 't')).toEqual({ card: 'OWN', app_id: 42 });
  });
});

describe('authu_contact', () => {
  const c = contract([
    m('t', 'auth_user_issue_card_flag', 'issue_card_ind', { xml_path: BCARD, data_type: 'bit', mapping_type: ['authu_contact', 'char_to_bit'] }),
    m('t', 'authu_name', 'first_name', { xml_path: CONTACT, mapping_type: ['authu_contact'] }),
    m('t', 'keep', 'keep'),
  ]);
  const run = (...kids: string[]) => one(mapXml(c, xmlDoc({ app: { keep: 'k' }, children: kids })), 't');

  it('reads the last AUTHU contact (its last app_prod_bcard for bcard paths)', () => {
    expect(run(
      person('1', 'PR', 'Ann', {}, el('app_prod_bcard', { issue_card_ind: 'N' })),
      person('2', 'AUTHU', 'Bob', {}, el('app_prod_bcard', { issue_card_ind: 'N' })),
      person('3', 'AUTHU', 'Cy', {}, el('app_prod_bcard', { issue_card_ind: 'N' }), el('app_prod_bcard', { issue_card_ind: 'y' })),
    )).toEqual({ auth_user_issue_card_flag: 1, authu_name: 'Cy', keep: 'k', app_id: 42 });
  });

  it('does not check con_id or sparseness', () => {
    expect(run(person('1', 'PR', 'Ann'), contactEl({ ac_role_tp_c: 'AUTHU' }, el('app_prod_bcard', { issue_card_ind: 'Y' }))))
      .toEqual({ auth_user_issue_card_flag: 1, keep: 'k', app_id: 42 });
  });

  it("falls back to the contact's own attribute when it has no app_prod_bcard", () => {
    expect(run(person('2', 'AUTHU', 'Bob', { issue_card_ind: 'Y' }))['auth_user_issue_card_flag']).toBe(1);
  });

  it('[authu_contact, char_to_bit] is omitted (not 0) when there is no AUTHU contact', () => {
    expect(run(person('1', 'PR', 'Ann', {}, el('app_prod_bcard', { issue_card_ind: 'Y' })), person('2', 'authu', 'Low')))
      .toEqual({ keep: 'k', app_id: 42 });
  });

  it("a present AUTHU bcard with 'N' or '' gives 0", () => {
    expect(run(person('2', 'AUTHU', 'Bob', {}, el('app_prod_bcard', { issue_card_ind: 'N' })))['auth_user_issue_card_flag']).toBe(0);
    expect(run(person('2', 'AUTHU', 'Bob', {}, el('app_prod_bcard', { issue_card_ind: '' })))['auth_user_issue_card_flag']).toBe(0);
  });
});

describe('curr_address_only', () => {
  const c = contract([
    m('app_contact_base', 'first_name', 'first_name', { xml_path: CONTACT }),
    m('app_contact_base', 'home_phone', 'home_phone', { xml_path: ADDR, data_length: 10, mapping_type: ['curr_address_only', 'numbers_only'] }),
    m('app_contact_base', 'cell_phone', 'cell_phone', { xml_path: ADDR, data_length: 10, mapping_type: ['curr_address_only', 'numbers_only'] }),
    m('app_contact_base', 'plain_list', 'city', { xml_path: ADDR }),
  ]);

  it('reads the last CURR address of the contact: digits only, truncated, leading zeros kept', () => {
    const app = mapXml(c, xmlDoc({ children: [person('1', 'PR', 'Ann', {},
      addr({ address_tp_c: 'CURR', cell_phone: '(111) 111-1111', home_phone: '1', city: 'A' }),
      addr({ address_tp_c: 'PREV', cell_phone: '(222) 222-2222', home_phone: '2' }),
      addr({ address_tp_c: 'CURR', cell_phone: '(555) 555-5555', home_phone: '50510023000000000', city: 'B' }),
    ), person('2', 'AUTHU', 'Bob', {}, addr({ address_tp_c: 'CURR', home_phone: '012-345-6789' }))] }));
    expect(rows(app, 'app_contact_base')).toEqual([
      { first_name: 'Ann', home_phone: '5051002300', cell_phone: '5555555555', con_id: 1, app_id: 42 },
      { first_name: 'Bob', home_phone: '0123456789', con_id: 2, app_id: 42 },
    ]);
  });

  it('no CURR address (type match is exact): omitted', () => {
    const app = mapXml(c, xmlDoc({ children: [person('1', 'PR', 'Ann', {},
      addr({ address_tp_c: 'PREV', cell_phone: '5550001' }), addr({ address_tp_c: 'curr', cell_phone: '5550002' }))] }));
    expect(rows(app, 'app_contact_base')).toEqual([{ first_name: 'Ann', con_id: 1, app_id: 42 }]);
  });

  it('reads the last contact element with the con_id, whatever its role', () => {
    const app = mapXml(c, xmlDoc({ children: [
      person('1', 'PR', 'Ann', {}, addr({ address_tp_c: 'CURR', cell_phone: '1111111111' })),
      person('1', 'AUTHU', 'Dup', {}, addr({ address_tp_c: 'CURR', cell_phone: '2222222222' })),
    ] }));
    expect(rows(app, 'app_contact_base')).toEqual([{ first_name: 'Ann', cell_phone: '2222222222', con_id: 1, app_id: 42 }]);
  });

  it('a phone without digits is omitted', () => {
    const app = mapXml(c, xmlDoc({ children: [person('1', 'PR', 'Ann', {}, addr({ address_tp_c: 'CURR', cell_phone: 'none' }))] }));
    expect(rows(app, 'app_contact_base')).toEqual([{ first_name: 'Ann', con_id: 1, app_id: 42 }]);
  });
});

describe('address rows', () => {
  const A = (more: MappingEntry[] = []) => contract([
    m('app_contact_address', 'address_type_enum', 'address_tp_c', { xml_path: ADDR, data_type: 'smallint', mapping_type: ['enum'], nullable: false }),
    m('app_contact_address', 'city', 'city', { xml_path: ADDR, data_length: 20 }),
    m('app_contact_address', 'zip', 'zip', { xml_path: ADDR, data_length: 9, mapping_type: ['numbers_only'] }),
    m('app_contact_address', 'street_number', 'street_num', { xml_path: ADDR }),
    m('app_contact_address', 'ownership_type_enum', 'own', { xml_path: ADDR, data_type: 'smallint', mapping_type: ['enum'] }),
    m('app_contact_address', 'months_at_address', 'months', { xml_path: ADDR, data_type: 'int' }),
    ...more,
  ]);
  const map = (kids: string[], c = A(), legacy: ('B15' | 'B8')[] = []) => mapXml(c, xmlDoc({ children: kids }), { legacy });

  it('one row per address of each valid contact, in document order, con_id appended', () => {
    const app = map([
      person('1', 'PR', 'Ann', {}, addr({ address_tp_c: 'CURR', city: 'Springfield', zip: '01610-1234' }), addr({ address_tp_c: 'PREV', city: 'Shelby' })),
      person('2', 'AUTHU', 'Bob', {}, addr({ address_tp_c: 'curr', street_num: '12', own: 'O' })),
    ]);
    expect(rows(app, 'app_contact_address')).toEqual([
      { address_type_enum: 320, city: 'Springfield', zip: '016101234', con_id: 1 },
      { address_type_enum: 321, city: 'Shelby', con_id: 1 },
      { address_type_enum: 320, street_number: '12', ownership_type_enum: 330, con_id: 2 },
    ]);
    expect(Object.keys(app.tables.get('app_contact_address')![0]!)).toEqual(['address_type_enum', 'city', 'zip', 'con_id']);
  });

  it('drops addresses whose type is missing or not in the rule list', () => {
    const app = map([person('1', 'PR', 'Ann', {},
      addr({ address_tp_c: 'MAIL', city: 'A' }), addr({ city: 'B' }), addr({ address_tp_c: ' ', city: 'C' }), addr({ address_tp_c: 'Prev', city: 'D' }))]);
    expect(rows(app, 'app_contact_address')).toEqual([{ address_type_enum: 321, city: 'D', con_id: 1 }]);
  });

  it('drops addresses without meaningful address data', () => {
    const app = map([
      person('1', 'PR', 'Ann', {},
        addr({ address_tp_c: 'CURR', own: 'R', months: '12' }), // meaningful record, but no address data
        addr({ address_tp_c: 'PREV', zip_code: '12345' }), // source zip_code counts even though unmapped
        addr({ address_tp_c: 'CURR', zip: 'none' }), // numbers_only gives nothing
      ),
      person('2', 'AUTHU', 'Bob', {},
        addr({ address_tp_c: 'PREV', street_name: 'Main' }), // source street_name counts
        addr({ address_tp_c: 'CURR', months: '0', zip: '' }),
      ),
    ]);
    expect(rows(app, 'app_contact_address')).toEqual([
      { address_type_enum: 321, con_id: 1 },
      { address_type_enum: 321, con_id: 2 },
    ]);
    expect(app.warnings.filter((w) => /duplicate/i.test(w))).toHaveLength(0);
  });

  it('drops the addresses of invalid contacts and of contacts outside the contract path (B10)', () => {
    const xml = '<Provenir><Request ID="42"><CustData>' +
      el('contact', { con_id: '5', ac_role_tp_c: 'PR', first_name: 'Out' }, addr({ address_tp_c: 'CURR', city: 'Outside' })) +
      el('application', {},
        contactEl({ con_id: '1', ac_role_tp_c: 'PR' }, addr({ address_tp_c: 'CURR', city: 'Sparse' })),
        person('2', 'XX', 'Type', {}, addr({ address_tp_c: 'CURR', city: 'WrongType' })),
        person('3', 'PR', 'Ann', {}, el('wrapper', {}, addr({ address_tp_c: 'CURR', city: 'Nested' })), addr({ address_tp_c: 'CURR', city: 'Good' })),
      ) + '</CustData></Request></Provenir>';
    expect(rows(mapXml(A(), xml), 'app_contact_address')).toEqual([{ address_type_enum: 320, city: 'Good', con_id: 3 }]);
  });

  it('reads the addresses of the last element of a role/con_id pair', () => {
    const app = map([
      person('1', 'PR', 'Ann', {}, addr({ address_tp_c: 'CURR', city: 'Old' })),
      person('2', 'AUTHU', 'Bob', {}, addr({ address_tp_c: 'CURR', city: 'Bobville' })),
      person('1', 'PR', 'Ann', {}, addr({ address_tp_c: 'CURR', city: 'New' })),
    ]);
    expect(rows(app, 'app_contact_address')).toEqual([
      { address_type_enum: 320, city: 'New', con_id: 1 },
      { address_type_enum: 320, city: 'Bobville', con_id: 2 },
    ]);
  });

  it('no contact passes the contact rule: no rows and a warning', () => {
    const app = map([contactEl({ con_id: '1', ac_role_tp_c: 'SEC', first_name: 'X' }, addr({ address_tp_c: 'CURR', city: 'A' }))]);
    expect(app.tables.has('app_contact_address')).toBe(false);
    expect(app.warnings.some((w) => /no valid contacts/i.test(w))).toBe(true);
  });

  it('B15: rows are de-duplicated on (con_id, type), first kept, with a warning', () => {
    const kids = [
      person('1', 'PR', 'Ann', {}, addr({ address_tp_c: 'CURR', city: 'First' }), addr({ address_tp_c: 'CURR', city: 'Second' }), addr({ address_tp_c: 'PREV', city: 'Prev' })),
      person('1', 'AUTHU', 'Ann as authu', {}, addr({ address_tp_c: 'CURR', city: 'AuthuCurr' })),
      person('2', 'AUTHU', 'Bob', {}, addr({ address_tp_c: 'CURR', city: 'Bob' })),
    ];
    const app = map(kids);
    expect(rows(app, 'app_contact_address')).toEqual([
      { address_type_enum: 320, city: 'First', con_id: 1 },
      { address_type_enum: 321, city: 'Prev', con_id: 1 },
      { address_type_enum: 320, city: 'Bob', con_id: 2 },
    ]);
    expect(app.warnings.filter((w) => /duplicate/i.test(w))).toHaveLength(2);
    const legacy = map(kids, A(), ['B15']);
    expect(rows(legacy, 'app_contact_address')!.map((r) => r['city'])).toEqual(['First', 'Second', 'Prev', 'AuthuCurr', 'Bob']);
    expect(legacy.warnings.filter((w) => /duplicate/i.test(w))).toHaveLength(0);
  });

  it('B8: a NOT NULL column missing in an address row that is dropped (no address data) does not fail the app', () => {
    const c = A([m('app_contact_address', 'state', 'state', { xml_path: ADDR, nullable: false })]);
    const app = map([person('1', 'PR', 'Ann', {}, addr({ address_tp_c: 'CURR', own: 'O' }))], c);
    expect(app.tables.has('app_contact_address')).toBe(false);
  });

  it('B8: a NOT NULL column missing in a kept address row fails the app', () => {
    const c = A([m('app_contact_address', 'state', 'state', { xml_path: ADDR, nullable: false })]);
    const f = failure(() => map([person('1', 'PR', 'Ann', {}, addr({ address_tp_c: 'CURR', city: 'A' }))], c));
    expect(f.stage).toBe('mapping');
    expect(f.message).toContain('app_contact_address.state');
    expect(f.message).toContain('mappings[7]');
  });
});

describe('employment rows', () => {
  const E = contract([
    m('app_contact_employment', 'employment_type_enum', 'employment_tp_c', { xml_path: EMP, data_type: 'smallint', mapping_type: ['enum'] }),
    m('app_contact_employment', 'business_name', 'b_name', { xml_path: EMP }),
    m('app_contact_employment', 'monthly_salary', 'b_salary', { xml_path: EMP, data_type: 'decimal', data_length: 2 }),
    m('app_contact_employment', 'job_title', 'b_title', { xml_path: EMP }),
    m('app_contact_employment', 'self_employed_flag', 'self_emp', { xml_path: EMP, data_type: 'bit', mapping_type: ['char_to_bit'] }),
  ]);

  it('filters by type and keeps only rows with employment data', () => {
    const app = mapXml(E, xmlDoc({ children: [person('1', 'PR', 'Ann', {},
      emp({ employment_tp_c: 'CURR', b_name: 'Acme', b_salary: '5000.005' }),
      emp({ employment_tp_c: 'PREV', b_salary: '0' }), // 0 salary is not employment data
      emp({ employment_tp_c: 'PREV', business_name: 'Unmapped Inc' }), // source business_name counts
      emp({ employment_tp_c: 'OTHER', b_name: 'Nope' }),
      emp({ employment_tp_c: 'CURR', b_title: 'Engineer' }),
      addr({ address_tp_c: 'CURR', city: 'not employment' }),
    )] }));
    expect(rows(app, 'app_contact_employment')).toEqual([
      { employment_type_enum: 350, business_name: 'Acme', monthly_salary: dec('5000.01'), self_employed_flag: 0, con_id: 1 },
      { employment_type_enum: 351, self_employed_flag: 0, con_id: 1 },
    ]);
    expect(app.warnings.filter((w) => /duplicate/i.test(w))).toHaveLength(1);
  });

  it('B15 legacy keeps duplicate (con_id, type) employment rows', () => {
    const app = mapXml(E, xmlDoc({ children: [person('1', 'PR', 'Ann', {},
      emp({ employment_tp_c: 'CURR', b_name: 'A' }), emp({ employment_tp_c: 'CURR', b_name: 'B' }))] }), { legacy: ['B15'] });
    expect(rows(app, 'app_contact_employment')!.map((r) => r['business_name'])).toEqual(['A', 'B']);
  });
});

describe('contact paths in non-contact tables', () => {
  it('a direct mapping reads the last contact element of the document, valid or not', () => {
    const c = contract([m('t', 'last_contact_name', 'first_name', { xml_path: CONTACT })]);
    const app = mapXml(c, xmlDoc({ children: [person('1', 'PR', 'Ann'), contactEl({ con_id: '2', ac_role_tp_c: 'XX', first_name: 'Zed' })] }));
    expect(one(app, 't')).toEqual({ last_contact_name: 'Zed', app_id: 42 });
  });
});

describe('contacts and the application path', () => {
  it('a contact-table mapping whose path is neither the application nor a contact reads nothing', () => {
    const c = contract([
      m('app_contact_base', 'first_name', 'first_name', { xml_path: CONTACT }),
      m('app_contact_base', 'x', 'x', { xml_path: `${APP}/app_product` }),
    ]);
    const app = mapXml(c, xmlDoc({ children: [el('app_product', { x: 'P' }), person('1', 'PR', 'Ann')] }));
    const r = one(app, 'app_contact_base');
    expect(r['first_name']).toBe('Ann');
  });
});
