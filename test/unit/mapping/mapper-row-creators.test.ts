/**
 * Row-creating tokens (reference 8.11–8.17): add_score, add_indicator, add_history,
 * add_report_lookup, policy_exceptions, warranty_field, add_collateral; decision B13.
 */
import { describe, expect, it } from 'vitest';
import type { MappingEntry } from '../../../src/mapping/contract-types.js';
import type { DecisionId } from '../../../src/mapping/legacy.js';
import { ADDR, APP, CONTACT, PRODUCT, contract, dec, el, m, mapXml, person, rows, xmlDoc } from '../helpers/contract-builder.js';

const prod = (attrs: Record<string, string>, extra: string[] = [], legacy: DecisionId[] = []) => ({ attrs, extra, legacy });
const run = (mappings: MappingEntry[], p: ReturnType<typeof prod>) =>
  mapXml(contract(mappings), xmlDoc({ children: [el('app_product', p.attrs), ...p.extra] }), { legacy: p.legacy });

describe('add_score', () => {
  const score = (attr: string, id: string, more: Partial<MappingEntry> = {}) =>
    m('scores', '', attr, { xml_path: PRODUCT, data_type: 'int', mapping_type: [`add_score(${id})`], ...more });

  it('one {app_id, score_identifier, score} row per present score, in mapping order', () => {
    const app = run([score('fico', '00W83'), score('tie', 'TU_TIE'), score('vantage', 'VANTAGE')], prod({ vantage: '911', fico: '978.14', tie: '0' }));
    expect(rows(app, 'scores')).toEqual([
      { app_id: 42, score_identifier: '00W83', score: 978 },
      { app_id: 42, score_identifier: 'TU_TIE', score: 0 },
      { app_id: 42, score_identifier: 'VANTAGE', score: 911 },
    ]);
    expect(Object.keys(app.tables.get('scores')![0]!)).toEqual(['app_id', 'score_identifier', 'score']);
  });

  it.each([
    ['978.14', 978], ['978.5', 979], ['0529', 529], ['1,234', 1234], [' 700 ', 700], ['-1.5', -2], ['1e2', 100],
  ])('score %j → %d', (v, want) => {
    expect(rows(run([score('s', 'X')], prod({ s: v })), 'scores')).toEqual([{ app_id: 42, score_identifier: 'X', score: want }]);
  });

  it.each(['', '   ', 'abc', 'N/A', 'Up to 40'])('no row for %j', (v) => {
    expect(run([score('s', 'X')], prod({ s: v })).tables.has('scores')).toBe(false);
  });

  it('no row for a missing attribute or element', () => {
    expect(run([score('s', 'X')], prod({})).tables.has('scores')).toBe(false);
    expect(mapXml(contract([score('s', 'X')]), xmlDoc()).tables.has('scores')).toBe(false);
  });

  it('reads through last_valid_pr_contact', () => {
    const c = contract([m('scores', '', 'credit_score', { xml_path: CONTACT, data_type: 'int', mapping_type: ['last_valid_pr_contact', 'add_score(CS)'] })]);
    const app = mapXml(c, xmlDoc({ children: [person('1', 'PR', 'A', { credit_score: '600' }), person('2', 'PR', 'B', { credit_score: '701' }), person('3', 'AUTHU', 'C', { credit_score: '800' })] }));
    expect(rows(app, 'scores')).toEqual([{ app_id: 42, score_identifier: 'CS', score: 701 }]);
  });
});

describe('add_indicator', () => {
  const ind = (attr: string, name: string) => m('indicators', '', attr, { xml_path: PRODUCT, mapping_type: [`add_indicator(${name})`] });

  it.each(['Y', 'y', 'yes', 'YES', 'true', 'True', 't', 'T', '1', ' Y '])('%j → a row with value "1"', (v) => {
    expect(rows(run([ind('flag', 'internal_fraud_ssn_ind')], prod({ flag: v })), 'indicators'))
      .toEqual([{ app_id: 42, indicator: 'internal_fraud_ssn_ind', value: '1' }]);
  });

  it.each(['N', 'no', 'false', 'f', '0', '2', 'x', '', ' '])('%j → no row', (v) => {
    expect(run([ind('flag', 'x')], prod({ flag: v })).tables.has('indicators')).toBe(false);
  });

  it('missing → no row; several indicators keep mapping order', () => {
    const app = run([ind('b', 'second'), ind('a', 'first'), ind('c', 'third')], prod({ a: 'Y', b: 'Y' }));
    expect(rows(app, 'indicators')!.map((r) => r['indicator'])).toEqual(['second', 'first']);
  });
});

describe('add_history', () => {
  const hist = (attr: string, path = PRODUCT) => m('app_historical_lookup', '', attr, { xml_path: path, mapping_type: ['add_history'] });

  it('{app_id, name: [attr], source: [element], value: trimmed text} for meaningful values only', () => {
    const app = run([hist('Vantage_Score_EX'), hist('supervisor_rev_ind'), hist('a'), hist('b'), hist('c'), hist('d'), hist('zip_text')],
      prod({ Vantage_Score_EX: ' 911 ', supervisor_rev_ind: 'N', a: 'null', b: 'NONE', c: '  ', zip_text: '0529' }));
    expect(rows(app, 'app_historical_lookup')).toEqual([
      { app_id: 42, name: '[Vantage_Score_EX]', source: '[app_product]', value: '911' },
      { app_id: 42, name: '[supervisor_rev_ind]', source: '[app_product]', value: 'N' },
      { app_id: 42, name: '[zip_text]', source: '[app_product]', value: '0529' },
    ]);
    expect(Object.keys(app.tables.get('app_historical_lookup')![0]!)).toEqual(['app_id', 'name', 'source', 'value']);
  });

  it('a repeated element path reads the last element in the document, whatever its contact', () => {
    const c = contract([hist('mailing_city', ADDR)]);
    const app = mapXml(c, xmlDoc({ children: [
      person('1', 'PR', 'Ann', {}, el('contact_address', { address_tp_c: 'CURR', mailing_city: 'First' })),
      el('contact', { con_id: '2', ac_role_tp_c: 'XX' }, el('contact_address', { address_tp_c: 'MAIL', mailing_city: 'Last' })),
    ] }));
    expect(rows(app, 'app_historical_lookup')).toEqual([{ app_id: 42, name: '[mailing_city]', source: '[contact_address]', value: 'Last' }]);
  });

  it('B13: value ≤ 250, name ≤ 100, source ≤ 50 characters, each cut with a warning', () => {
    const longAttr = `a${'b'.repeat(119)}`;
    const longTag = `e${'f'.repeat(59)}`;
    const c = contract([hist(longAttr), hist('v', `${APP}/${longTag}`)]);
    const xml = xmlDoc({ children: [el('app_product', { [longAttr]: 'x' }), el(longTag, { v: 'V'.repeat(300) })] });
    const app = mapXml(c, xml);
    const r = rows(app, 'app_historical_lookup')!;
    expect(r[0]).toEqual({ app_id: 42, name: `[${longAttr}]`.slice(0, 100), source: '[app_product]', value: 'x' });
    expect(r[1]).toEqual({ app_id: 42, name: '[v]', source: `[${longTag}]`.slice(0, 50), value: 'V'.repeat(250) });
    expect(app.warnings.filter((w) => /app_historical_lookup/.test(w))).toHaveLength(3);
  });

  it('B13: values at the limit are not cut and give no warning', () => {
    const app = run([hist('v')], prod({ v: 'W'.repeat(250) }));
    expect(rows(app, 'app_historical_lookup')![0]!['value']).toBe('W'.repeat(250));
    expect(app.warnings).toEqual([]);
  });

  it('B13 legacy: nothing is cut', () => {
    const app = run([hist('v')], prod({ v: 'V'.repeat(300) }, [], ['B13']));
    expect(rows(app, 'app_historical_lookup')![0]!['value']).toBe('V'.repeat(300));
    expect(app.warnings).toEqual([]);
  });
});

describe('add_report_lookup', () => {
  const rep = (attr: string, token: string) => m('app_report_results_lookup', '', attr, { xml_path: PRODUCT, mapping_type: [token] });

  it('{app_id, name, value, source_report_key} with a key, without it when the token has no parentheses', () => {
    const app = run([rep('GIACT_Response', 'add_report_lookup(GIACT)'), rep('plain', 'add_report_lookup'), rep('empty', 'add_report_lookup()')],
      prod({ GIACT_Response: ' 9 save me! ', plain: 'P', empty: 'E' }));
    const r = rows(app, 'app_report_results_lookup')!;
    expect(r[0]).toEqual({ app_id: 42, name: 'GIACT_Response', value: '9 save me!', source_report_key: 'GIACT' });
    expect(r[1]).toEqual({ app_id: 42, name: 'plain', value: 'P' });
    expect(Object.keys(r[2]!)).toEqual(['app_id', 'name', 'value', 'source_report_key']);
    expect(r[2]!['value']).toBe('E');
    // add_report_lookup(): the reference writes '' (→ NULL at insert); either is acceptable here
    expect(['', null]).toContain(r[2]!['source_report_key']);
  });

  it('no row for blank, "null" or "none" values', () => {
    const app = run([rep('a', 'add_report_lookup(K)'), rep('b', 'add_report_lookup(K)'), rep('c', 'add_report_lookup(K)')], prod({ a: ' ', b: 'Null', c: 'none' }));
    expect(app.tables.has('app_report_results_lookup')).toBe(false);
  });

  it('B13: value ≤ 250 and key ≤ 20 characters, with warnings', () => {
    const key = 'K'.repeat(25);
    const app = run([rep('v', `add_report_lookup(${key})`)], prod({ v: 'x'.repeat(260) }));
    expect(rows(app, 'app_report_results_lookup')).toEqual([{ app_id: 42, name: 'v', value: 'x'.repeat(250), source_report_key: 'K'.repeat(20) }]);
    expect(app.warnings).toHaveLength(2);
    const legacy = run([rep('v', `add_report_lookup(${key})`)], prod({ v: 'x'.repeat(260) }, [], ['B13']));
    expect(rows(legacy, 'app_report_results_lookup')).toEqual([{ app_id: 42, name: 'v', value: 'x'.repeat(260), source_report_key: key }]);
    expect(legacy.warnings).toEqual([]);
  });
});

describe('policy_exceptions', () => {
  const P = `${APP}/policy_exception`;
  const pol = (attr: string, token: string) => m('app_policy_exceptions_rl', '', attr, { xml_path: P, mapping_type: [token] });
  const C = contract([pol('notes', 'policy_exceptions()'), pol('override_capacity', 'policy_exceptions(630)'), pol('override_credit', 'policy_exceptions(632)')]);

  it('one row per present exception, sharing the notes', () => {
    const app = mapXml(C, xmlDoc({ children: [el('policy_exception', { notes: ' see file ', override_credit: ' override tag 1 ', override_capacity: 'cap' })] }));
    expect(rows(app, 'app_policy_exceptions_rl')).toEqual([
      { app_id: 42, policy_exception_type_enum: 630, reason_code: 'cap', notes: 'see file' },
      { app_id: 42, policy_exception_type_enum: 632, reason_code: 'override tag 1', notes: 'see file' },
    ]);
  });

  it('notes are NULL when absent; blank exceptions give no row', () => {
    const app = mapXml(C, xmlDoc({ children: [el('policy_exception', { override_credit: 'X', override_capacity: '  ', notes: 'null' })] }));
    expect(rows(app, 'app_policy_exceptions_rl')).toEqual([{ app_id: 42, policy_exception_type_enum: 632, reason_code: 'X', notes: null }]);
    expect(mapXml(C, xmlDoc({ children: [el('policy_exception', { notes: 'only notes' })] })).tables.has('app_policy_exceptions_rl')).toBe(false);
  });
});

describe('warranty_field', () => {
  const W = `${APP}/warranty`;
  const w = (column: string, attr: string, e: string, more: Partial<MappingEntry> = {}) =>
    m('app_warranties_rl', column, attr, { xml_path: W, mapping_type: [`warranty_field(${e})`], ...more });
  const C = contract([
    w('company_name', 'gap_company', '623', { data_length: 50 }),
    w('amount', 'gap_amount', '623', { data_type: 'decimal', data_length: 2 }),
    w('term_months', 'gap_term', '623', { data_type: 'int' }),
    w('policy_number', 'gap_policy', '623'),
    m('app_warranties_rl', 'merrick_lienholder_flag', 'gap_lien', { xml_path: W, data_type: 'bit', mapping_type: ['char_to_bit', 'warranty_field(623)'] }),
    w('company_name', 'svc_company', '620'),
    w('amount', 'svc_amount', '620', { data_type: 'decimal', data_length: 2 }),
  ]);

  it('one row per warranty type with data; typed values; app_id and warranty_type_enum appended', () => {
    const app = mapXml(C, xmlDoc({ children: [el('warranty', { gap_company: 'Old Navy', gap_amount: '100', gap_term: '48', gap_policy: 'ON-65487', gap_lien: 'Y', svc_amount: '25.505' })] }));
    expect(rows(app, 'app_warranties_rl')).toEqual([
      { company_name: 'Old Navy', amount: dec('100'), term_months: 48, policy_number: 'ON-65487', merrick_lienholder_flag: 1, app_id: 42, warranty_type_enum: 623 },
      { amount: dec('25.51'), app_id: 42, warranty_type_enum: 620, merrick_lienholder_flag: 0 },
    ]);
  });

  it('a char_to_bit column alone does not make a warranty row', () => {
    const app = mapXml(C, xmlDoc({ children: [el('warranty', { gap_lien: 'Y', svc_company: ' ' })] }));
    expect(app.tables.has('app_warranties_rl')).toBe(false);
  });

  it('B13 legacy: raw trimmed strings', () => {
    const app = mapXml(C, xmlDoc({ children: [el('warranty', { gap_amount: ' 100 ', gap_term: '48' })] }), { legacy: ['B13'] });
    expect(rows(app, 'app_warranties_rl')).toEqual([{ amount: '100', term_months: '48', merrick_lienholder_flag: 0, app_id: 42, warranty_type_enum: 623 }]);
  });

  it('B13: string values are truncated to data_length with a warning', () => {
    const app = mapXml(C, xmlDoc({ children: [el('warranty', { gap_company: 'N'.repeat(60) })] }));
    expect(rows(app, 'app_warranties_rl')![0]!['company_name']).toBe('N'.repeat(50));
    expect(app.warnings.length).toBeGreaterThan(0);
  });
});

describe('add_collateral', () => {
  const COLL = `${APP}/collateral`;
  const slot = (n: number): MappingEntry[] => {
    const t = `add_collateral(${n})`;
    const f = (column: string, attr: string, more: Partial<MappingEntry> = {}) =>
      m('app_collateral_rl', column, attr, { xml_path: COLL, mapping_type: [t], ...more });
    return [
      f('collateral_type_enum', `coll${n}_make`, { data_type: 'smallint', mapping_type: ['calculated_field', t], expression: `CASE WHEN collateral.coll${n}_make LIKE '%WATER%' THEN 412 WHEN collateral.coll${n}_make IS NOT EMPTY THEN 423 END` }),
      f('make', `coll${n}_make`, { data_length: 30 }),
      f('used_flag', `coll${n}_new_used`, { data_type: 'bit', mapping_type: ['char_to_bit', t] }),
      f('mileage', `coll${n}_mileage`, { data_type: 'int', mapping_type: ['numbers_only', t] }),
      f('wholesale_value', `coll${n}_wholesale`, { data_type: 'decimal', data_length: 2 }),
      f('year', `coll${n}_year`, { data_type: 'int' }),
      f('vin', `coll${n}_vin`),
      f('sale_type', `coll${n}_sale`, { default_value: 'RETAIL' }),
      f('lien_position', `coll${n}_lien`, { data_type: 'int', default_value: '1' }),
      f('insured_flag', `coll${n}_ins`, { data_type: 'bit', default_value: 'true' }),
      f('titled_flag', `coll${n}_title`, { data_type: 'bit', default_value: 'N' }),
      f('zero_default', `coll${n}_zero`, { data_type: 'int', default_value: 0 }),
    ];
  };
  const C = contract([...slot(1), ...slot(2)]);
  const map = (attrs: Record<string, string>) => mapXml(C, xmlDoc({ children: [el('collateral', attrs)] }));

  it('one row per slot with data; app_id, sort_order, then defaults of absent columns', () => {
    const app = map({
      coll1_make: 'ALL WATER', coll1_new_used: 'U', coll1_mileage: '836 mi', coll1_wholesale: '22500.00', coll1_year: '2025', coll1_vin: ' 4b5et6egt69 ', coll1_lien: '2',
      coll2_make: 'TRAILCO', coll2_new_used: 'N',
    });
    const r = rows(app, 'app_collateral_rl')!;
    expect(r).toEqual([
      {
        collateral_type_enum: 412, make: 'ALL WATER', used_flag: 1, mileage: 836, wholesale_value: dec('22500'), year: 2025, vin: '4b5et6egt69', lien_position: 2,
        app_id: 42, sort_order: 1, sale_type: 'RETAIL', insured_flag: 1, titled_flag: 0,
      },
      { collateral_type_enum: 423, make: 'TRAILCO', used_flag: 0, app_id: 42, sort_order: 2, sale_type: 'RETAIL', lien_position: 1, insured_flag: 1, titled_flag: 0 },
    ]);
    expect(Object.keys(app.tables.get('app_collateral_rl')![0]!).slice(-5)).toEqual(['app_id', 'sort_order', 'sale_type', 'insured_flag', 'titled_flag']);
  });

  it('calculated and char_to_bit columns alone do not make a slot row', () => {
    const c = contract([
      m('app_collateral_rl', 'collateral_type_enum', 'x', { xml_path: COLL, data_type: 'smallint', mapping_type: ['calculated_field', 'add_collateral(1)'], expression: 'CASE WHEN 1 = 1 THEN 423 END' }),
      m('app_collateral_rl', 'used_flag', 'coll1_new_used', { xml_path: COLL, data_type: 'bit', mapping_type: ['char_to_bit', 'add_collateral(1)'] }),
      m('app_collateral_rl', 'make', 'coll1_make', { xml_path: COLL, mapping_type: ['add_collateral(1)'] }),
    ]);
    const app = mapXml(c, xmlDoc({ children: [el('collateral', { coll1_new_used: 'Y', coll1_make: 'null' })] }));
    expect(app.tables.has('app_collateral_rl')).toBe(false);
  });

  it('wholesale_value counts only when greater than 0', () => {
    expect(map({ coll2_wholesale: '0' }).tables.has('app_collateral_rl')).toBe(false);
    expect(map({ coll2_wholesale: '-5' }).tables.has('app_collateral_rl')).toBe(false);
    const r = rows(map({ coll2_wholesale: '100.5' }), 'app_collateral_rl')!;
    expect(r).toHaveLength(1);
    expect(r[0]).toMatchObject({ wholesale_value: dec('100.5'), sort_order: 2, used_flag: 0 });
  });

  it('a numbers_only value without digits neither sets the column nor makes the row', () => {
    expect(map({ coll1_mileage: 'N/A' }).tables.has('app_collateral_rl')).toBe(false);
  });

  it('a numbers_only value with digits makes the row', () => {
    const r = rows(map({ coll1_mileage: '12 miles' }), 'app_collateral_rl')!;
    expect(r).toEqual([{ used_flag: 0, mileage: 12, app_id: 42, sort_order: 1, sale_type: 'RETAIL', lien_position: 1, insured_flag: 1, titled_flag: 0 }]);
  });

  it('slots are emitted in first-appearance order of their mappings', () => {
    const c = contract([...slot(2), ...slot(1)]);
    const app = mapXml(c, xmlDoc({ children: [el('collateral', { coll1_make: 'A', coll2_make: 'B' })] }));
    expect(rows(app, 'app_collateral_rl')!.map((r) => r['sort_order'])).toEqual([2, 1]);
  });
});
