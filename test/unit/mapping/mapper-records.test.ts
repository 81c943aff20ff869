/**
 * Record skipping (reference 9.3) and decision B5 (defaults without exclude_default_when_record_empty
 * make a row meaningful; with it they do not).
 */
import { describe, expect, it } from 'vitest';
import type { MappingEntry } from '../../../src/mapping/contract-types.js';
import type { DecisionId } from '../../../src/mapping/legacy.js';
import { CONTACT, contract, m, mapXml, one, person, rows, xmlDoc } from '../helpers/contract-builder.js';

const map = (mappings: MappingEntry[], app: Record<string, string> = {}, legacy: DecisionId[] = []) =>
  mapXml(contract(mappings), xmlDoc({ app }), { legacy });

describe('record skipping', () => {
  it('a table with no mapped value produces no row', () => {
    const app = map([m('t', 'a', 'a'), m('t', 'b', 'b', { data_type: 'int' })], { other: 'x' });
    expect(app.tables.has('t')).toBe(false);
  });

  it('0 is a meaningful value', () => {
    expect(rows(map([m('t', 'n', 'n', { data_type: 'int' })], { n: '0' }), 't')).toEqual([{ n: 0, app_id: 42 }]);
  });

  it('app_base is always kept', () => {
    expect(rows(map([m('app_base', 'x', 'x', { default_value: 'D', exclude_default_when_record_empty: true })]), 'app_base'))
      .toEqual([{ app_id: 42, x: 'D' }]);
  });

  it('contact rows are always kept', () => {
    const c = contract([m('app_contact_base', 'x', 'x', { xml_path: CONTACT, default_value: 'D', exclude_default_when_record_empty: true })]);
    expect(rows(mapXml(c, xmlDoc({ children: [person('1', 'PR', 'Ann')] })), 'app_contact_base')).toEqual([{ x: 'D', con_id: 1, app_id: 42 }]);
  });
});

describe('B5', () => {
  const direct = (more: Partial<MappingEntry> = {}) => m('t', 'campaign_num', 'campaign', { default_value: 'BLANK', ...more });
  const numbers = (more: Partial<MappingEntry> = {}) => m('t', 'zip', 'zip', { mapping_type: ['numbers_only'], data_length: 5, default_value: '00000', ...more });
  const notNull = (more: Partial<MappingEntry> = {}) => m('t', 'score', 'score', { data_type: 'int', nullable: false, default_value: '0', ...more });
  const value = m('t', 'name', 'name');

  it('a default without the flag makes the row meaningful', () => {
    expect(rows(map([direct(), value]), 't')).toEqual([{ campaign_num: 'BLANK', app_id: 42 }]);
    expect(rows(map([numbers(), value]), 't')).toEqual([{ zip: '00000', app_id: 42 }]);
    expect(rows(map([notNull(), value]), 't')).toEqual([{ score: 0, app_id: 42 }]);
  });

  it('defaults with exclude_default_when_record_empty do not', () => {
    const flag = { exclude_default_when_record_empty: true };
    expect(map([direct(flag), value]).tables.has('t')).toBe(false);
    expect(map([numbers(flag), value]).tables.has('t')).toBe(false);
    expect(map([notNull(flag), value]).tables.has('t')).toBe(false);
    expect(map([direct(flag), numbers(flag), notNull(flag)]).tables.has('t')).toBe(false);
  });

  it('a flagged default is still written when the row has real data', () => {
    const flag = { exclude_default_when_record_empty: true };
    expect(one(map([direct(flag), notNull(flag), value], { name: 'n' }), 't')).toEqual({ campaign_num: 'BLANK', score: 0, name: 'n', app_id: 42 });
  });

  it('a flagged default on one column does not hide an unflagged default on another', () => {
    expect(one(map([direct({ exclude_default_when_record_empty: true }), numbers()]), 't')).toEqual({ campaign_num: 'BLANK', zip: '00000', app_id: 42 });
  });

  it('a present value equal to the default is real data', () => {
    expect(one(map([direct({ exclude_default_when_record_empty: true })], { campaign: 'BLANK' }), 't')).toEqual({ campaign_num: 'BLANK', app_id: 42 });
  });

  it('B5 legacy: no default ever makes a row meaningful', () => {
    expect(map([direct(), numbers(), notNull(), value], {}, ['B5']).tables.has('t')).toBe(false);
    expect(one(map([direct(), value], { name: 'n' }, ['B5']), 't')).toEqual({ campaign_num: 'BLANK', name: 'n', app_id: 42 });
  });
});
