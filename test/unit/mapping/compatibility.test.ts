/**
 * One test per product decision of docs/compatibility.md: the product behaviour, and (where the mapper
 * can reproduce it) the reference behaviour with the decision reverted.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppFailure } from '../../../src/mapping/app-failure.js';
import { compileExpression } from '../../../src/mapping/expression/index.js';
import { checkContract } from '../../../src/mapping/contract-loader.js';
import { Decimal } from '../../../src/mapping/values.js';
import { contractWith, doc, mapWith, row } from './compat-helpers.js';

const tested = new Set<string>();
function decision(id: string, title: string, fn: () => void): void {
  tested.add(id);
  it(`${id}: ${title}`, fn);
}

const APP = '/Provenir/Request/CustData/application';

describe('compatibility decisions', () => {
  decision('B1', 'data_length -1 keeps the whole value', () => {
    const c = contractWith([{ xml_attribute: 'blob', target_column: 'blob', data_length: -1 }]);
    const x = doc({ blob: 'ABCDEF' });
    expect(row(mapWith(c, x))?.['blob']).toBe('ABCDEF');
    expect(row(mapWith(c, x, 'B1'))?.['blob']).toBe('ABCDE');
  });

  decision('B2', 'numbers_only keeps leading zeros for strings and parses numbers for numeric columns', () => {
    const c = contractWith([
      { xml_attribute: 'zip', target_column: 'zip', data_length: 9, mapping_type: ['numbers_only'] },
      { xml_attribute: 'fee', target_column: 'fee', data_type: 'tinyint', mapping_type: ['numbers_only'] },
    ]);
    const x = doc({ zip: '01610-0001', fee: '$40.00' });
    expect(row(mapWith(c, x))).toMatchObject({ zip: '016100001', fee: 40 });
    expect(row(mapWith(c, x, 'B2'))).toMatchObject({ zip: '16100001', fee: 4000 });
  });

  decision('B3', 'bit coercion reads the words, not truthiness', () => {
    const c = contractWith([{ xml_attribute: 'f', target_column: 'f', data_type: 'bit' }, { xml_attribute: 'g', target_column: 'g', data_type: 'bit' }]);
    const x = doc({ f: 'N', g: '0' });
    expect(row(mapWith(c, x))).toMatchObject({ f: 0, g: 0 });
    expect(row(mapWith(c, x, 'B3'))).toMatchObject({ f: 1, g: 1 });
  });

  decision('B4', 'integers parse thousands separators and signs', () => {
    const c = contractWith([{ xml_attribute: 'a', target_column: 'a', data_type: 'int' }, { xml_attribute: 'b', target_column: 'b', data_type: 'int' }]);
    const x = doc({ a: '1,234', b: '-5' });
    expect(row(mapWith(c, x))).toMatchObject({ a: 1234, b: -5 });
    expect(row(mapWith(c, x, 'B4'))).toMatchObject({ a: 1, b: 5 });
  });

  decision('B5', 'a default without exclude_default_when_record_empty makes the row; with it, it does not', () => {
    const plain = contractWith([{ xml_attribute: 'seg', target_column: 'seg', default_value: 'UNKNOWN', nullable: false }]);
    const conditional = contractWith([{ xml_attribute: 'seg', target_column: 'seg', default_value: 'UNKNOWN', nullable: false, exclude_default_when_record_empty: true }]);
    const x = doc({});
    expect(row(mapWith(plain, x))).toEqual({ seg: 'UNKNOWN', app_id: 42 });
    expect(row(mapWith(conditional, x))).toBeUndefined();
    expect(row(mapWith(plain, x, 'B5'))).toBeUndefined();
  });

  decision('B6', 'numeric literals are numbers, AND binds tighter than OR, comparisons ignore case', () => {
    const e = compileExpression("CASE WHEN x > 0 OR y = 'a' AND z = 'b' THEN 'hit' ELSE 'miss' END");
    const scope = (v: Record<string, string>) => ({ get: (n: string) => v[n] });
    expect(e.evaluate(scope({ x: '0', y: 'A', z: 'B' }))).toBe('hit');
    expect(e.evaluate(scope({ x: '0', y: 'a', z: 'c' }))).toBe('miss');
    expect(e.evaluate(scope({ x: '5', y: '', z: '' }))).toBe('hit');
  });

  decision('B7', 'expression references never resolve into report sections', () => {
    const c = contractWith([{ xml_attribute: 'v', target_column: 'v', mapping_type: ['calculated_field'], expression: "CASE WHEN flag = 'Y' THEN 'yes' ELSE 'no' END" }]);
    const x = doc({ flag: 'N' }, '', '<Bureau flag="Y"/>');
    expect(row(mapWith(c, x))?.['v']).toBe('no');
  });

  decision('B8', 'a NOT NULL column with no value and no default fails the app at the mapping stage', () => {
    const c = contractWith([{ xml_attribute: 'name', target_column: 'name', nullable: false }, { xml_attribute: 'other', target_column: 'other' }]);
    const x = doc({ other: 'present' });
    let err: unknown;
    try { mapWith(c, x); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(AppFailure);
    expect((err as AppFailure).stage).toBe('mapping');
    expect((err as AppFailure).message).toBe('NOT NULL column app_t.name (mappings[1]) has no value in the document and no default_value in the contract');
    expect(row(mapWith(c, x, 'B8'))).toEqual({ other: 'present', app_id: 42 });
  });

  decision('B9', 'calculated decimals round to data_length and numbers print without ".0"', () => {
    const c = contractWith([
      { xml_attribute: 'r', target_column: 'r', data_type: 'decimal', data_length: 5, mapping_type: ['calculated_field'], expression: 'a / 3' },
      { xml_attribute: 's', target_column: 's', mapping_type: ['calculated_field'], expression: 'a * 2' },
    ]);
    const x = doc({ a: '1' });
    const r = row(mapWith(c, x))!;
    expect((r['r'] as Decimal).text).toBe('0.33333');
    expect(r['s']).toBe('2');
    const legacy = row(mapWith(c, x, 'B9'))!;
    expect((legacy['r'] as Decimal).text).toBe('0.33');
    expect(legacy['s']).toBe('2.0');
  });

  decision('B10', 'contacts are read only at the contract path', () => {
    const c = contractWith([{ xml_path: `${APP}/contact`, xml_attribute: 'first_name', target_table: 'app_contact_base', target_column: 'first_name' }]);
    const x = `<Provenir><Request ID="42"><CustData><application/><contact con_id="1" ac_role_tp_c="PR" first_name="STRAY"/></CustData></Request></Provenir>`;
    expect(mapWith(c, x).tables.get('app_contact_base')).toBeUndefined();
  });

  decision('B11', "'' becomes NULL", () => {
    const c = contractWith([{ xml_path: `${APP}/contact`, xml_attribute: 'email', target_column: 'email', mapping_type: ['last_valid_pr_contact'] }, { xml_attribute: 'k', target_column: 'k' }]);
    const x = doc({ k: 'v' }, '<contact con_id="1" ac_role_tp_c="PR" first_name="A" email=""/>');
    expect(row(mapWith(c, x))).toEqual({ k: 'v', app_id: 42 });
    expect(row(mapWith(c, x, 'B11'))).toEqual({ email: '', k: 'v', app_id: 42 });
  });

  decision('B12', 'an expression without calculated_field is ignored, with a contract warning', () => {
    const c = contractWith([{ xml_attribute: 'dealer', target_column: 'dealer', expression: "CASE WHEN x = 'a' THEN 'b' END" }]);
    expect(row(mapWith(c, doc({ dealer: 'D1', x: 'a' })))?.['dealer']).toBe('D1');
    expect(checkContract(c).warnings.map((w) => w.rule)).toContain('expression-ignored');
  });

  decision('B13', 'row-creator values are truncated to their column with a warning', () => {
    const c = contractWith([{ xml_attribute: 'note', target_table: 'app_historical_lookup', target_column: '', mapping_type: ['add_history'] }]);
    const long = 'x'.repeat(300);
    const app = mapWith(c, doc({ note: long }));
    expect(app.tables.get('app_historical_lookup')?.[0]?.['value']).toBe('x'.repeat(250));
    expect(app.warnings.join('\n')).toContain('app_historical_lookup.value: value truncated from 300 to 250 characters');
    expect(mapWith(c, doc({ note: long }), 'B13').tables.get('app_historical_lookup')?.[0]?.['value']).toBe(long);
  });

  decision('B14', 'entities are decoded exactly once', () => {
    const c = contractWith([{ xml_attribute: 'n', target_column: 'n' }]);
    const x = doc({ n: 'O&amp;#39;REILLY &amp;amp; SONS' });
    expect(row(mapWith(c, x))?.['n']).toBe('O&#39;REILLY &amp; SONS');
    expect(row(mapWith(c, x, 'B14'))?.['n']).toBe("O'REILLY & SONS");
  });

  decision('B15', 'duplicate (con_id, type) addresses in one app keep the first', () => {
    const c = contractWith([
      { xml_path: `${APP}/contact/contact_address`, xml_attribute: 'address_tp_c', target_table: 'app_contact_address', target_column: 'address_type_enum', data_type: 'smallint', mapping_type: ['enum'], nullable: false },
      { xml_path: `${APP}/contact/contact_address`, xml_attribute: 'city', target_table: 'app_contact_address', target_column: 'city' },
    ]);
    const x = doc({}, '<contact con_id="7" ac_role_tp_c="PR" first_name="A"><contact_address address_tp_c="CURR" city="ONE"/><contact_address address_tp_c="CURR" city="TWO"/></contact>');
    const app = mapWith(c, x);
    expect(app.tables.get('app_contact_address')).toEqual([{ address_type_enum: 320, city: 'ONE', con_id: 7 }]);
    expect(app.warnings.join('\n')).toContain('duplicate (con_id 7, address_type_enum 320) dropped');
    expect(mapWith(c, x, 'B15').tables.get('app_contact_address')).toHaveLength(2);
  });

  it('docs/compatibility.md lists exactly the decisions tested here', () => {
    const text = readFileSync(path.resolve(import.meta.dirname, '../../../docs/compatibility.md'), 'utf8');
    const listed = new Set([...text.matchAll(/^## (B\d+)\b/gm)].map((m) => m[1]));
    for (const id of tested) expect(listed, `docs/compatibility.md lacks ${id}`).toContain(id);
  });
});
