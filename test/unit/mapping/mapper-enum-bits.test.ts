/**
 * `enum`, `char_to_bit` and `boolean_to_bit` (reference 8.2–8.4) through DataMapper.
 */
import { describe, expect, it } from 'vitest';
import type { MappingEntry } from '../../../src/mapping/contract-types.js';
import type { DecisionId } from '../../../src/mapping/legacy.js';
import { CONTACT, contract, failure, m, mapApp, mapXml, one, person, xmlDoc, type Plain } from '../helpers/contract-builder.js';

/** Column `c` of the row of table `t`, with a sibling column that keeps the row (undefined = omitted). */
function cell(mapping: Partial<MappingEntry>, value: string | null, legacy: DecisionId[] = []): Plain | undefined {
  const f = m('t', mapping.target_column ?? 'c', 'v', mapping);
  const app = mapApp([f, m('t', 'keep', 'keep')], value === null ? { keep: 'k' } : { v: value, keep: 'k' }, [], { legacy });
  const r = one(app, 't');
  const col = mapping.target_column ?? 'c';
  return col in r ? r[col] : undefined;
}

const ENUM = (target_column: string, more: Partial<MappingEntry> = {}): Partial<MappingEntry> =>
  ({ target_column, data_type: 'smallint', mapping_type: ['enum'], ...more });

describe('enum', () => {
  it('exact key match', () => {
    expect(cell(ENUM('app_status'), 'A')).toBe(160);
    expect(cell(ENUM('app_status'), 'W')).toBe(167);
    expect(cell(ENUM('app_source_enum'), 'CK-API')).toBe(5);
  });

  it('trims the value', () => {
    expect(cell(ENUM('app_status'), '  P ')).toBe(165);
  });

  it('case-insensitive key match when there is no exact one', () => {
    expect(cell(ENUM('app_status'), 'p')).toBe(165);
    expect(cell(ENUM('app_source_enum'), 'ck-api')).toBe(5);
  });

  it('enum name from enum_name, the column name, or a column-name fragment', () => {
    expect(cell(ENUM('whatever', { enum_name: 'decision_enum' }), 'DECLN')).toBe(51);
    expect(cell(ENUM('decision_enum'), 'APPRV')).toBe(50);
    expect(cell(ENUM('final_decision_code'), 'APPRV')).toBe(50);
  });

  it('string-valued enums yield strings', () => {
    expect(cell(ENUM('checked_by', { enum_name: 'officer_code_to_email_enum', data_type: 'string' }), '6010')).toBe('officer6010@example.com');
  });

  it('the "" key is the catch-all for missing, blank and unknown values', () => {
    expect(cell(ENUM('population_assignment_enum'), 'CM')).toBe(230);
    expect(cell(ENUM('population_assignment_enum'), 'cm')).toBe(230);
    expect(cell(ENUM('population_assignment_enum'), null)).toBe(229);
    expect(cell(ENUM('population_assignment_enum'), '  ')).toBe(229);
    expect(cell(ENUM('population_assignment_enum'), 'ZZ')).toBe(229);
  });

  it('a catch-all enum alone makes a row even when its element is absent', () => {
    const app = mapApp([m('t', 'population_assignment_enum', 'pa', { data_type: 'smallint', mapping_type: ['enum'], xml_path: '/Provenir/Request/CustData/application/missing' })], {});
    expect(one(app, 't')).toEqual({ population_assignment_enum: 229, app_id: 42 });
  });

  it('no match, nullable: the column is omitted', () => {
    expect(cell(ENUM('app_status'), 'Q')).toBeUndefined();
    expect(cell(ENUM('app_status'), null)).toBeUndefined();
    expect(cell(ENUM('app_status'), '')).toBeUndefined();
  });

  it('no match, NOT NULL with a default: the default (as a number for numeric columns)', () => {
    expect(cell(ENUM('app_status', { nullable: false, default_value: '99' }), 'Q')).toBe(99);
    expect(cell(ENUM('app_status', { nullable: false, default_value: 7 }), null)).toBe(7);
    expect(cell(ENUM('app_status', { nullable: false, default_value: '99' }), 'A')).toBe(160);
  });

  it('no match, NOT NULL without default: the app fails at the mapping stage (B8)', () => {
    const c = contract([
      m('t', 'keep', 'keep'),
      m('t', 'app_status', 'status', { data_type: 'smallint', mapping_type: ['enum'], nullable: false }),
    ]);
    const f = failure(() => mapXml(c, xmlDoc({ app: { keep: 'k', status: 'Q' } })));
    expect(f.stage).toBe('mapping');
    expect(f.appId).toBe(42);
    expect(f.message).toContain('t.app_status');
    expect(f.message).toContain('mappings[2]');
  });

  it('no match, NOT NULL without default, in a row that is skipped as empty: no failure (B8 only for kept rows)', () => {
    const c = contract([
      m('t', 'other', 'other'),
      m('t', 'app_status', 'status', { data_type: 'smallint', mapping_type: ['enum'], nullable: false }),
    ]);
    const app = mapXml(c, xmlDoc({ app: {} }));
    expect(app.tables.has('t')).toBe(false);
  });

  it('B8 legacy: no match, NOT NULL without default: the column is silently omitted', () => {
    const c = contract([
      m('t', 'keep', 'keep'),
      m('t', 'app_status', 'status', { data_type: 'smallint', mapping_type: ['enum'], nullable: false }),
    ]);
    const app = mapXml(c, xmlDoc({ app: { keep: 'k', status: 'Q' } }), { legacy: ['B8'] });
    expect(one(app, 't')).toEqual({ keep: 'k', app_id: 42 });
  });

  it('[last_valid_pr_contact, enum] without a PR contact still runs the enum (catch-all)', () => {
    const c = contract([
      m('t', 'population_assignment_enum', 'pop', { xml_path: CONTACT, data_type: 'smallint', mapping_type: ['last_valid_pr_contact', 'enum'] }),
      m('t', 'app_status', 'pop', { xml_path: CONTACT, data_type: 'smallint', mapping_type: ['last_valid_pr_contact', 'enum'] }),
    ]);
    const app = mapXml(c, xmlDoc({ children: [person('1', 'AUTHU', 'A', { pop: 'CM' })] }));
    expect(one(app, 't')).toEqual({ population_assignment_enum: 229, app_id: 42 });
  });

  it('[last_valid_pr_contact, enum] maps the PR contact attribute', () => {
    const c = contract([
      m('t', 'contact_type_enum', 'ac_role_tp_c', { xml_path: CONTACT, data_type: 'smallint', mapping_type: ['last_valid_pr_contact', 'enum'] }),
    ]);
    const app = mapXml(c, xmlDoc({ children: [person('1', 'AUTHU', 'A'), person('2', 'PR', 'B')] }));
    expect(one(app, 't')).toEqual({ contact_type_enum: 281, app_id: 42 });
  });
});

describe('char_to_bit', () => {
  const bit = (v: string | null) => cell({ data_type: 'bit', mapping_type: ['char_to_bit'] }, v);
  it.each([
    ['Y', 1], ['y', 1], ['U', 1], ['u', 1], ['R', 1], [' Y ', 1],
    ['N', 0], ['D', 0], ['P', 0], ['', 0], [' ', 0], ['null', 0],
    ['1', 0], ['true', 0], ['x', 0], ['yes', 0],
  ])('%j → %d', (v, want) => {
    expect(bit(v)).toBe(want);
  });

  it('a missing attribute → 0 (never NULL)', () => {
    expect(bit(null)).toBe(0);
  });

  it('a char_to_bit column alone makes a row even when its element is absent', () => {
    const app = mapApp([m('t', 'flag', 'f', { xml_path: '/Provenir/Request/CustData/application/absent', data_type: 'bit', mapping_type: ['char_to_bit'] })], {});
    expect(one(app, 't')).toEqual({ flag: 0, app_id: 42 });
  });
});

describe('boolean_to_bit', () => {
  const bit = (v: string | null) => cell({ data_type: 'bit', mapping_type: ['boolean_to_bit'] }, v);
  it.each([
    ['Y', 1], ['y', 1], ['true', 1], ['TRUE', 1], ['True', 1], ['1', 1], ['yes', 1], ['YES', 1], [' true ', 1],
    ['N', 0], ['false', 0], ['0', 0], ['no', 0], ['', 0], ['null', 0], ['x', 0], ['t', 0], ['2', 0],
  ])('%j → %d', (v, want) => {
    expect(bit(v)).toBe(want);
  });

  it('a missing attribute → 0', () => {
    expect(bit(null)).toBe(0);
  });
});
