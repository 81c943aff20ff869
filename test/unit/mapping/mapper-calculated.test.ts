/**
 * calculated_field through DataMapper (reference 8.10, 10.1, 10.3): app-level and element-level
 * scopes, [calculated_field, enum], and the decisions B7 (references resolve inside the application
 * element) and B9 (decimals round to data_length; numbers print without ".0").
 */
import { describe, expect, it } from 'vitest';
import type { MappingEntry } from '../../../src/mapping/contract-types.js';
import { ADDR, APP, EMP, PRODUCT, contract, dec, dt, el, m, mapXml, one, person, rows, xmlDoc } from '../helpers/contract-builder.js';

const calc = (column: string, expression: string, more: Partial<MappingEntry> = {}): MappingEntry =>
  m('app_operational', column, column, { mapping_type: ['calculated_field'], expression, ...more });

describe('app-level expressions', () => {
  const adverse = calc('cb_score_factor_type_1',
    "CASE WHEN app_product.adverse_actn1_type_cd IS NOT EMPTY AND application.app_receive_date > DATE('2023-10-11 00:00:00') " +
    "AND application.population_assignment = 'CM' THEN 'AJ' ELSE '' END", { data_length: 2 });
  const c = contract([adverse, m('app_operational', 'keep', 'keep')]);
  const run = (app: Record<string, string>, product: Record<string, string>) =>
    one(mapXml(c, xmlDoc({ app: { keep: 'k', ...app }, children: [el('app_product', product)] })), 'app_operational');

  it('evaluates a CASE over the application and an unmapped child element', () => {
    expect(run({ app_receive_date: '2025-10-9 21:51:8.0', population_assignment: 'CM' }, { adverse_actn1_type_cd: 'X1' }))
      .toEqual({ cb_score_factor_type_1: 'AJ', keep: 'k', app_id: 42 });
  });

  it("the ELSE '' result is NULL (B11)", () => {
    expect(run({ app_receive_date: '2023-10-10 00:00:00', population_assignment: 'CM' }, { adverse_actn1_type_cd: 'X1' }))
      .toEqual({ keep: 'k', app_id: 42 });
    expect(run({ app_receive_date: '2025-01-01', population_assignment: 'CM' }, { adverse_actn1_type_cd: '  ' }))
      .toEqual({ keep: 'k', app_id: 42 });
  });

  it('bare references find unmapped elements inside the application carrying the attribute', () => {
    const c2 = contract([calc('monthly_income', 'b_salary / 12', { data_type: 'decimal', data_length: 2 })]);
    const app = mapXml(c2, xmlDoc({ children: [el('income_info', {}, el('detail', { b_salary: '50000' }))] }));
    expect(one(app, 'app_operational')).toEqual({ monthly_income: dec('4166.67'), app_id: 42 });
  });

  it('a bare reference resolves to the last element (document order) inside the application carrying it', () => {
    const c2 = contract([calc('v', 'CASE WHEN x IS NOT EMPTY THEN x END')]);
    const app = mapXml(c2, xmlDoc({ app: { x: 'from-app' }, children: [el('app_product', { x: 'from-product' })] }));
    expect(one(app, 'app_operational')['v']).toBe('from-product');
    const app2 = mapXml(c2, xmlDoc({ app: { x: 'from-app' }, children: [el('app_product', { y: '1' })] }));
    expect(one(app2, 'app_operational')['v']).toBe('from-app');
  });

  it('B7: report sections outside the application never shadow or supply references', () => {
    const c2 = contract([
      calc('pa_check', "CASE WHEN population_assignment = 'CM' THEN 'Y' ELSE 'N' END"),
      calc('leak', "CASE WHEN report_only IS NOT EMPTY THEN report_only ELSE 'none' END"),
      m('app_historical_lookup', '', 'population_assignment', { xml_path: '/Provenir/Request/Reports/report', mapping_type: ['add_history'] }),
      m('app_historical_lookup', '', 'report_only', { xml_path: '/Provenir/Request/Reports/report', mapping_type: ['add_history'] }),
    ]);
    const app = mapXml(c2, xmlDoc({
      app: { population_assignment: 'CM' },
      outside: [el('Reports', {}, el('report', { population_assignment: 'XX', report_only: 'R' }))],
    }));
    expect(one(app, 'app_operational')).toEqual({ pa_check: 'Y', leak: 'none', app_id: 42 });
    // the report element is in the document (the history rows prove it)
    expect(rows(app, 'app_historical_lookup')!.map((r) => r['value'])).toEqual(['XX', 'R']);
  });

  it('app_id is available to expressions', () => {
    const c2 = contract([calc('twice', 'app_id * 2', { data_type: 'int' })]);
    expect(one(mapXml(c2, xmlDoc({ id: '21' })), 'app_operational')).toEqual({ twice: 42, app_id: 21 });
  });

  it('a failing or null expression omits the column; NOT NULL with a default takes the default', () => {
    const c2 = contract([
      calc('ratio', 'a / b', { data_type: 'decimal', data_length: 2 }),
      calc('ratio_nn', 'a / b', { data_type: 'decimal', data_length: 2, nullable: false, default_value: '0' }),
      m('app_operational', 'keep', 'keep'),
    ]);
    const r = one(mapXml(c2, xmlDoc({ app: { a: '1', b: '0', keep: 'k' } })), 'app_operational');
    expect(r).toEqual({ ratio_nn: dec('0'), keep: 'k', app_id: 42 });
  });

  it('integer columns round the result half-up', () => {
    const c2 = contract([calc('half', 'a / b', { data_type: 'int' })]);
    expect(one(mapXml(c2, xmlDoc({ app: { a: '7', b: '2' } })), 'app_operational')['half']).toBe(4);
  });

  it('a DATEADD result feeds a datetime column', () => {
    const c2 = contract([calc('regb_end_date',
      'CASE WHEN days > 0 AND application.app_entry_date IS NOT EMPTY THEN DATEADD(day, days, application.app_entry_date) END',
      { data_type: 'datetime' }), m('app_operational', 'keep', 'keep')]);
    const run = (days: string) => one(mapXml(c2, xmlDoc({ app: { days, app_entry_date: '2024-01-30 10:00:00', keep: 'k' } })), 'app_operational');
    expect(run('3')['regb_end_date']).toEqual(dt('2024-02-02T00:00:00'));
    expect(run('0')).toEqual({ keep: 'k', app_id: 42 });
  });

  it('a CASE returning a date field or the application date (regb_start_date)', () => {
    const c2 = contract([calc('regb_start_date', 'CASE WHEN regb_start_date IS NOT EMPTY THEN regb_start_date ELSE application.app_receive_date END', { data_type: 'datetime' })]);
    const run = (app: Record<string, string>) => one(mapXml(c2, xmlDoc({ app })), 'app_operational')['regb_start_date'];
    expect(run({ regb_start_date: '2015-11-05', app_receive_date: '2014-01-01' })).toEqual(dt('2015-11-05T00:00:00'));
    expect(run({ regb_start_date: ' ', app_receive_date: '2025-10-9 21:51:8.027' })).toEqual(dt('2025-10-09T21:51:08.027000'));
  });

  it('a CASE returning a field gives its raw text, coerced to the column', () => {
    const c2 = contract([calc('salary',
      "CASE WHEN basis = 'ANNUM' THEN salary / 12 WHEN basis = 'MONTH' THEN salary * 12 ELSE salary END",
      { data_type: 'decimal', data_length: 2 })]);
    const run = (basis: string, salary: string) => one(mapXml(c2, xmlDoc({ app: { basis, salary } })), 'app_operational')['salary'];
    expect(run('ANNUM', '60000')).toEqual(dec('5000'));
    expect(run('MONTH', '1,000')).toEqual(dec('12000'));
    expect(run('HOURLY', '25.505')).toEqual(dec('25.51'));
  });
});

describe('B9', () => {
  const c = contract([
    calc('rate5', 'a / b', { data_type: 'decimal', data_length: 5 }),
    calc('total_text', 'a + b', { data_type: 'string', data_length: 20 }),
    calc('half_text', 'a / 4', { data_type: 'string', data_length: 20 }),
  ]);
  const xml = xmlDoc({ app: { a: '10', b: '3' } });

  it('calculated decimals round to data_length; integral numbers become text without ".0"', () => {
    expect(one(mapXml(c, xml), 'app_operational')).toEqual({ rate5: dec('3.33333'), total_text: '13', half_text: '2.5', app_id: 42 });
  });

  it('B9 legacy: 2 places and "13.0"', () => {
    expect(one(mapXml(c, xml, { legacy: ['B9'] }), 'app_operational')).toEqual({ rate5: dec('3.33'), total_text: '13.0', half_text: '2.5', app_id: 42 });
  });
});

describe('[calculated_field, enum]', () => {
  const c = contract([
    m('app_funding', 'check_requested_by_user', 'officer_code', {
      data_type: 'string', data_length: 80, mapping_type: ['calculated_field', 'enum'], enum_name: 'officer_code_to_email_enum',
      expression: "CASE WHEN override_flag = 'Y' THEN 'manual@example.com' WHEN override_flag = 'E' THEN '' END",
    }),
    m('app_funding', 'channel_code', 'channel', {
      data_type: 'smallint', mapping_type: ['calculated_field', 'enum'], enum_name: 'channel_enum',
      expression: "CASE WHEN override_flag = 'Y' THEN '5' WHEN override_flag = 'E' THEN '' END",
    }),
    m('app_funding', 'keep', 'keep'),
  ]);
  const run = (app: Record<string, string>) => one(mapXml(c, xmlDoc({ app: { keep: 'k', ...app } })), 'app_funding');

  it('a non-blank expression result is kept and the enum is skipped', () => {
    expect(run({ override_flag: 'Y', officer_code: '6010', channel: 'WEB' }))
      .toEqual({ check_requested_by_user: 'manual@example.com', channel_code: 5, keep: 'k', app_id: 42 });
  });

  it('a null expression result falls back to the enum of the raw attribute', () => {
    expect(run({ officer_code: ' 6010 ', channel: 'WEB' }))
      .toEqual({ check_requested_by_user: 'officer6010@example.com', channel_code: 1, keep: 'k', app_id: 42 });
    expect(run({ officer_code: '9999' })).toEqual({ channel_code: 9, keep: 'k', app_id: 42 });
  });

  it("an '' expression result runs the enum on '' for string columns", () => {
    // officer_code_to_email_enum has no "" catch-all: no match, nullable → omitted (not the 6010 e-mail)
    // (channel_code: '' → None → enum of the missing raw attribute → the "" catch-all 9)
    expect(run({ override_flag: 'E', officer_code: '6010' })).toEqual({ channel_code: 9, keep: 'k', app_id: 42 });
  });

  it("for a numeric column '' coerces to None first, so the enum falls back to the raw attribute", () => {
    expect(run({ override_flag: 'E', channel: 'WEB' })).toEqual({ channel_code: 1, keep: 'k', app_id: 42 });
  });
});

describe('element-level expressions', () => {
  it('address rows see their own attributes and con_id', () => {
    const c = contract([
      m('app_contact_address', 'city', 'city', { xml_path: ADDR }),
      m('app_contact_address', 'months_at_address', 'months_at_residence', {
        xml_path: ADDR, data_type: 'int', mapping_type: ['calculated_field'], expression: 'months_at_residence + (years_at_residence * 12)',
      }),
      m('app_contact_address', 'owner_tag', 'city', {
        xml_path: ADDR, mapping_type: ['calculated_field'], expression: "CASE WHEN con_id = '7' THEN 'seven' ELSE 'other' END",
      }),
    ]);
    const app = mapXml(c, xmlDoc({ app: { years_at_residence: '50' }, children: [person('7', 'PR', 'Ann', {},
      el('contact_address', { address_tp_c: 'CURR', city: 'A', months_at_residence: '6', years_at_residence: '1' }),
      el('contact_address', { address_tp_c: 'PREV', city: 'B', months_at_residence: '6', years_at_residence: '' }),
    )] }));
    expect(rows(app, 'app_contact_address')).toEqual([
      { city: 'A', months_at_address: 18, owner_tag: 'seven', con_id: 7 },
      { city: 'B', owner_tag: 'seven', con_id: 7 },
    ]);
  });

  it('employment rows normalise salaries', () => {
    const c = contract([
      m('app_contact_employment', 'business_name', 'b_name', { xml_path: EMP }),
      m('app_contact_employment', 'monthly_salary', 'b_salary', {
        xml_path: EMP, data_type: 'decimal', data_length: 2, mapping_type: ['calculated_field'],
        expression: "CASE WHEN b_salary_basis_tp_c = 'ANNUM' THEN b_salary / 12 WHEN b_salary_basis_tp_c = 'MONTH' THEN b_salary * 12 ELSE b_salary END",
      }),
    ]);
    const app = mapXml(c, xmlDoc({ children: [person('1', 'PR', 'Ann', {},
      el('contact_employment', { employment_tp_c: 'CURR', b_name: 'Acme', b_salary: '50000', b_salary_basis_tp_c: 'ANNUM' }),
      el('contact_employment', { employment_tp_c: 'PREV', b_name: 'Old', b_salary: '20', b_salary_basis_tp_c: 'HOURLY' }),
    )] }));
    expect(rows(app, 'app_contact_employment')).toEqual([
      { business_name: 'Acme', monthly_salary: dec('4166.67'), con_id: 1 },
      { business_name: 'Old', monthly_salary: dec('20'), con_id: 1 },
    ]);
  });

  it('contact rows see the contact attributes', () => {
    const c = contract([m('app_contact_base', 'full_name', 'first_name', {
      xml_path: `${APP}/contact`, mapping_type: ['calculated_field'], expression: "CASE WHEN last_name IS NOT EMPTY THEN last_name ELSE 'NONE' END",
    })]);
    const app = mapXml(c, xmlDoc({ children: [person('1', 'PR', 'Ann', { last_name: 'Lee' }), person('2', 'AUTHU', 'Bob')] }));
    expect(rows(app, 'app_contact_base')).toEqual([
      { full_name: 'Lee', con_id: 1, app_id: 42 },
      { full_name: 'NONE', con_id: 2, app_id: 42 },
    ]);
  });
});

describe('expression references and the targeted scan', () => {
  it('a prefixed reference to an unmapped element deep inside the application is found', () => {
    const c = contract([m('t', 'v', 'x', { mapping_type: ['calculated_field'], expression: 'rmts_info.apr * 2', data_type: 'decimal', data_length: 2 })]);
    const app = mapXml(c, xmlDoc({ children: [el('app_product', {}, el('rmts_info', { apr: '1.25' })), el('noise', { apr: '9' })] }));
    expect(one(app, 't')['v']).toEqual(dec('2.5'));
  });

  it('the element-name part of a reference is case-insensitive', () => {
    const c = contract([m('t', 'v', 'x', { mapping_type: ['calculated_field'], expression: 'APP_PRODUCT.score + 1', data_type: 'int' })]);
    const app = mapXml(c, xmlDoc({ children: [el('app_product', { score: '10' })] }));
    expect(one(app, 't')['v']).toBe(11);
  });

  it('mapped product attributes and expressions read the same element', () => {
    const c = contract([
      m('t', 'score', 'score', { xml_path: PRODUCT, data_type: 'int' }),
      m('t', 'score_plus', 'score', { xml_path: PRODUCT, data_type: 'int', mapping_type: ['calculated_field'], expression: 'app_product.score + 1' }),
    ]);
    const app = mapXml(c, xmlDoc({ children: [el('app_product', { score: '1' }), el('app_product', { score: '700' })] }));
    expect(one(app, 't')).toEqual({ score: 700, score_plus: 701, app_id: 42 });
  });
});
