import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DATA_TYPES } from '../../../src/mapping/contract-types.js';
import { generateDocument, generateDocuments } from '../../../src/seed/generator.js';
import { attr, CONTRACT_PATH, elementsAt, loadContract, parseDoc, tokensOf } from './helpers.js';

/** Tests that generate and parse many documents: generous, for a busy machine. */
const HEAVY_TIMEOUT_MS = 120_000;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ROW_CREATORS = /^(add_score|add_indicator|add_report_lookup)\(([A-Za-z0-9_]*)\)$|^add_history$/;
const FIELD_TOKENS = new Set([
  'enum', 'char_to_bit', 'boolean_to_bit', 'numbers_only', 'extract_numeric', 'last_valid_pr_contact', 'authu_contact',
  'curr_address_only', 'calculated_field', 'identity_insert', 'default_getutcdate_if_null',
]);
const KV_TABLES = new Set(['scores', 'indicators', 'app_historical_lookup', 'app_report_results_lookup']);

const contract = loadContract();
const maps = contract.mappings;
const order = contract.table_insertion_order ?? [];

describe('contracts/credit-card.json — structure', () => {
  it('is valid JSON with the expected top level', () => {
    expect(() => JSON.parse(readFileSync(CONTRACT_PATH, 'utf8')) as unknown).not.toThrow();
    expect(contract).toMatchObject({
      xml_root_element: 'Provenir', source_table: 'app_xml', source_column: 'xml', target_schema: 'dbo',
      source_application_table: 'application',
    });
    expect(maps.length).toBeGreaterThanOrEqual(80);
    expect(maps.length).toBeLessThanOrEqual(140);
  });

  it('uses valid identifiers everywhere', () => {
    const ids = [contract.source_table, contract.source_column, contract.target_schema ?? '', ...order,
      ...Object.keys(contract.enum_mappings ?? {})];
    for (const r of contract.relationships ?? []) ids.push(r.parent_table, r.child_table, r.foreign_key_column);
    for (const m of maps) {
      ids.push(m.target_table, m.xml_attribute ?? '');
      if (m.target_column) ids.push(m.target_column);
      if (m.enum_name) ids.push(m.enum_name);
    }
    expect(ids.filter((s) => !IDENT.test(s))).toEqual([]);
  });

  it('lists every table in table_insertion_order, parents first', () => {
    const tables = new Set(maps.map((m) => m.target_table));
    for (const t of tables) expect(order).toContain(t);
    expect(order).toContain('processing_log');
    expect(new Set(order).size).toBe(order.length);
    for (const r of contract.relationships ?? []) {
      expect(order.indexOf(r.parent_table)).toBeLessThan(order.indexOf(r.child_table));
    }
    const children = new Set((contract.relationships ?? []).map((r) => r.child_table));
    for (const t of order) if (t !== 'app_base' && t !== 'processing_log' && !KV_TABLES.has(t)) expect(children).toContain(t);
  });

  it('has well-formed mappings', () => {
    const seen = new Set<string>();
    for (const [i, m] of maps.entries()) {
      const where = `mappings[${i}] ${m.target_table}.${m.target_column ?? ''}`;
      const toks = tokensOf(m);
      expect(DATA_TYPES as readonly string[], where).toContain(m.data_type);
      expect(m.xml_path.startsWith('/Provenir'), where).toBe(true);
      expect(m.xml_attribute, where).toBeTruthy();
      for (const t of toks) expect(FIELD_TOKENS.has(t) || ROW_CREATORS.test(t), `${where}: ${t}`).toBe(true);
      const creator = toks.some((t) => ROW_CREATORS.test(t));
      expect(creator, where).toBe(KV_TABLES.has(m.target_table));
      if (creator) expect(m.target_column, where).toBe('');
      else {
        const key = `${m.target_table}.${m.target_column ?? ''}`;
        expect(seen.has(key), `duplicate ${key}`).toBe(false);
        seen.add(key);
      }
      expect(toks.includes('calculated_field'), where).toBe(typeof m.expression === 'string');
      if (toks.includes('enum')) {
        const name = m.enum_name ?? m.target_column ?? '';
        expect(contract.enum_mappings?.[name], `${where}: enum ${name}`).toBeDefined();
      }
      if (m.nullable === false && !toks.some((t) => ['identity_insert', 'char_to_bit', 'boolean_to_bit', 'enum', 'default_getutcdate_if_null'].includes(t))) {
        expect(m.default_value, `${where}: non-nullable needs a default`).not.toBeUndefined();
      }
    }
  });

  it('demonstrates every data type and mapping token', () => {
    const types = new Set(maps.map((m) => m.data_type));
    for (const t of ['string', 'int', 'smallint', 'tinyint', 'bigint', 'decimal', 'float', 'datetime', 'date', 'bit']) expect(types).toContain(t);
    expect(maps.some((m) => m.data_type === 'string' && m.data_length === -1)).toBe(true);
    expect(maps.some((m) => m.data_type === 'decimal' && m.data_length === 2)).toBe(true);
    expect(maps.some((m) => m.data_type === 'decimal' && m.data_length === 5)).toBe(true);
    const all = maps.flatMap(tokensOf).map((t) => t.replace(/\(.*\)$/, '(X)'));
    for (const t of [...FIELD_TOKENS, 'add_score(X)', 'add_indicator(X)', 'add_history', 'add_report_lookup(X)']) expect(all).toContain(t);
    expect(maps.some((m) => tokensOf(m).length === 0 && m.default_value !== undefined)).toBe(true);
    expect(maps.some((m) => m.nullable === false && m.default_value !== undefined)).toBe(true);
    expect(maps.some((m) => m.exclude_default_when_record_empty === true)).toBe(true);
    expect(Object.values(contract.enum_mappings ?? {}).some((e) => '' in e)).toBe(true);
    const exprs = maps.map((m) => m.expression ?? '').join('\n');
    for (const re of [/\bCASE\b/, /\bWHEN\b.*\bAND\b.*\bOR\b/, /IS EMPTY/, /IS NOT EMPTY/, /\bLIKE '/, /DATE\('\d{4}-\d{2}-\d{2}'\)/, / [-+*/] /, /[><]=? \d+\b/]) {
      expect(exprs).toMatch(re);
    }
  });
});

describe('contracts/credit-card.json — against generated documents', () => {
  const complete = parseDoc(generateDocument(4242, 1, { complete: true, targetBytes: 20_000 }));

  it('every mapping path and attribute exists in a complete document', () => {
    const missing: string[] = [];
    for (const m of maps) {
      const els = elementsAt(complete, m.xml_path);
      if (els.length === 0) missing.push(m.xml_path);
      else if (!els.some((e) => attr(e, m.xml_attribute ?? '') !== undefined)) missing.push(`${m.xml_path}@${m.xml_attribute ?? ''}`);
    }
    expect(missing).toEqual([]);
    const roles = elementsAt(complete, '/Provenir/Request/CustData/application/contact').map((c) => attr(c, 'ac_role_tp_c'));
    expect(roles).toEqual(['PR', 'AUTHU']);
  });

  it('every expression reference resolves in a complete document', () => {
    const attrsOf = (path: string) => new Set(elementsAt(complete, path).flatMap((e) => Object.keys(e).filter((k) => k.startsWith('@_')).map((k) => k.slice(2))));
    const app = '/Provenir/Request/CustData/application';
    const scope: Record<string, string> = { application: app, app_product: `${app}/app_product`, rmts_info: `${app}/rmts_info` };
    for (const m of maps.filter((x) => x.expression)) {
      const refs = (m.expression ?? '').replace(/'[^']*'/g, '').match(/[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?/g) ?? [];
      for (const ref of refs.filter((r) => !/^(CASE|WHEN|THEN|ELSE|END|AND|OR|IS|NOT|EMPTY|LIKE|DATE|NULL)$/.test(r))) {
        const [head, tail] = ref.includes('.') ? ref.split('.') : [undefined, ref];
        const path = head === undefined ? m.xml_path : scope[head];
        expect(path, `${m.target_column}: ${ref}`).toBeDefined();
        expect(attrsOf(path ?? ''), `${m.target_column}: ${ref}`).toContain(tail);
      }
    }
  });

  // heavy (150 documents of ~100 KB): no mapping reads under <Reports>, which holds most of the bytes,
  // so that section is cut before parsing; the timeout leaves room for a busy machine
  it('every mapped attribute gets a non-blank value somewhere in a random sample', () => {
    expect(maps.filter((m) => /\/Reports(\/|$)/.test(m.xml_path)), 'no mapping reads under Reports').toEqual([]);
    const roots = [...generateDocuments({ count: 150, seed: 42, startAppId: 10_000 })].map((d) => parseDoc(withoutReports(d.xml)));
    const never = maps.filter((m) => !roots.some((r) => elementsAt(r, m.xml_path).some((e) => (attr(e, m.xml_attribute ?? '') ?? '').trim() !== '')));
    expect(never.map((m) => `${m.xml_path}@${m.xml_attribute ?? ''}`)).toEqual([]);
  }, HEAVY_TIMEOUT_MS);
});

/** The document without its <Reports> section (bulk text no mapping reads). */
function withoutReports(xml: string): string {
  const a = xml.indexOf('<Reports>');
  const b = xml.indexOf('</Reports>');
  return a >= 0 && b > a ? xml.slice(0, a) + xml.slice(b + '</Reports>'.length) : xml;
}
