/**
 * Field tokens not covered elsewhere: numbers_only / extract_numeric (B2), identity_insert,
 * extract_date, default_getutcdate_if_null, and mapping_type given as a comma-separated string.
 */
import { describe, expect, it } from 'vitest';
import type { MappingEntry } from '../../../src/mapping/contract-types.js';
import type { DecisionId } from '../../../src/mapping/legacy.js';
import { DateTime } from '../../../src/mapping/values.js';
import { CONTACT, contract, dec, dt, m, mapApp, mapXml, one, person, rows, xmlDoc, type Plain } from '../helpers/contract-builder.js';

function cell(mapping: Partial<MappingEntry>, value: string | null, legacy: DecisionId[] = [], now?: () => DateTime): Plain | undefined {
  const app = mapApp([m('t', 'c', 'v', mapping), m('t', 'keep', 'keep')], value === null ? { keep: 'k' } : { v: value, keep: 'k' }, [],
    now ? { legacy, now } : { legacy });
  const r = one(app, 't');
  return 'c' in r ? r['c'] : undefined;
}

describe.each(['numbers_only', 'extract_numeric'])('%s', (token) => {
  const S = (len: number, more: Partial<MappingEntry> = {}) => ({ mapping_type: [token], data_length: len, ...more });
  const N = (data_type: string, more: Partial<MappingEntry> = {}) => ({ mapping_type: [token], data_type, ...more });

  it('string columns keep only the digits, with leading zeros (B2)', () => {
    expect(cell(S(9), '01610')).toBe('01610');
    expect(cell(S(9), '012-34-5678')).toBe('012345678');
    expect(cell(S(10), '(555) 555-0100')).toBe('5555550100');
    expect(cell(S(9), '00000')).toBe('00000');
  });

  it('string columns are truncated to data_length after the digit filter', () => {
    expect(cell(S(10), '1-234-567-8901-x')).toBe('1234567890');
  });

  it('numeric columns parse the number (B2)', () => {
    expect(cell(N('tinyint'), '$40.00')).toBe(40);
    expect(cell(N('int'), '1,234')).toBe(1234);
    expect(cell(N('int'), '36.50')).toBe(37);
    expect(cell(N('int'), 'Up to $40')).toBe(40);
    expect(cell(N('decimal', { data_length: 2 }), '$40.505')).toEqual(dec('40.51'));
  });

  it('no digit at all → omitted; blank → the default, or omitted', () => {
    expect(cell(S(10), 'none')).toBeUndefined();
    expect(cell(S(10), null)).toBeUndefined();
    expect(cell(S(5, { default_value: '00000' }), '  ')).toBe('00000');
    expect(cell(N('int', { default_value: '7' }), null)).toBe(7);
  });

  it('B2 legacy: through int() (leading zeros lost, all digits concatenated)', () => {
    expect(cell(S(9), '01610', ['B2'])).toBe('1610');
    expect(cell(S(9), '012-34-5678', ['B2'])).toBe('12345678');
    expect(cell(S(10), '(555) 555-0100', ['B2'])).toBe('5555550100');
    expect(cell(N('tinyint'), '$40.00', ['B2'])).toBe(4000);
  });
});

describe('identity_insert', () => {
  it('is plain coercion (app_base.app_id and contact con_id)', () => {
    const c = contract([
      m('app_contact_base', 'con_id', 'con_id', { xml_path: CONTACT, data_type: 'int', mapping_type: ['identity_insert'], nullable: false }),
    ]);
    const app = mapXml(c, xmlDoc({ id: '447903', children: [person('753604', 'PR', 'Dora')] }));
    expect(one(app, 'app_base')).toEqual({ app_id: 447903 });
    expect(rows(app, 'app_contact_base')).toEqual([{ con_id: 753604, app_id: 447903 }]);
  });
});

describe('extract_date', () => {
  it('is plain coercion to the data_type', () => {
    expect(cell({ mapping_type: ['extract_date'], data_type: 'datetime' }, '12/15/2025')).toEqual(dt('2025-12-15T00:00:00'));
    expect(cell({ mapping_type: ['extract_date'], data_type: 'datetime' }, '2025-12-15 08:30:00')).toEqual(dt('2025-12-15T08:30:00'));
    expect(cell({ mapping_type: ['extract_date'], data_type: 'datetime' }, 'soon')).toBeUndefined();
    expect(cell({ mapping_type: ['extract_date'], data_type: 'datetime' }, null)).toBeUndefined();
  });
});

describe('default_getutcdate_if_null', () => {
  const fixed = () => new DateTime(2030, 1, 2, 3, 4, 5, 600000);
  const G = { mapping_type: ['default_getutcdate_if_null'], data_type: 'datetime' };

  it('a blank or missing value → the injected clock', () => {
    expect(cell(G, null, [], fixed)).toEqual(dt('2030-01-02T03:04:05.600000'));
    expect(cell(G, '   ', [], fixed)).toEqual(dt('2030-01-02T03:04:05.600000'));
  });

  it('a present value is coerced', () => {
    expect(cell(G, '2024-01-02', [], fixed)).toEqual(dt('2024-01-02T00:00:00'));
    expect(cell(G, '05/10/1978 10:11:12', [], fixed)).toEqual(dt('1978-05-10T10:11:12'));
  });

  it('without an injected clock it uses the current UTC time', () => {
    const before = Date.now();
    const v = cell(G, null);
    const after = Date.now();
    expect(v).toMatchObject({ dt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/) as unknown as string });
    const ms = Date.parse(`${(v as { dt: string }).dt}Z`);
    expect(ms).toBeGreaterThanOrEqual(before - 1000);
    expect(ms).toBeLessThanOrEqual(after + 1000);
  });
});

describe('mapping_type as a comma-separated string', () => {
  it('is split into tokens', () => {
    expect(cell({ mapping_type: 'enum', target_column: 'c', enum_name: 'status_enum', data_type: 'smallint' }, 'A')).toBe(160);
    expect(cell({ mapping_type: ' numbers_only , ', data_length: 5 }, 'a0b1c2')).toBe('012');
  });
});
