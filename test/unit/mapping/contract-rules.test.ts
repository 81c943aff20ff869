/**
 * One bad-contract fixture per rule (test/fixtures/contracts/bad/<rule>.json, each a one-change copy of
 * minimal.json): the exact problems — rule, path and message — and nothing else.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { checkContract, ContractError, parseContractJson } from '../../../src/mapping/contract-loader.js';
import type { ContractProblem } from '../../../src/mapping/contract-types.js';

const dir = new URL('../../fixtures/contracts/', import.meta.url);
const read = (name: string): string => readFileSync(new URL(name, dir), 'utf8');
const brief = (ps: readonly ContractProblem[]) => ps.map(({ rule, path, message }) => ({ rule, path, message }));
const p = (rule: string, path: string, text: string) => ({ rule, path, message: `${path}: ${text}` });

type Case = { errors: ReturnType<typeof p>[]; warnings: ReturnType<typeof p>[] };

const CASES: Record<string, Case> = {
  schema: {
    errors: [p('schema', 'mappings[3].data_type',
      'expected one of string, int, smallint, bigint, tinyint, decimal, float, datetime, smalldatetime, date, bit, boolean (got "varchr")')],
    warnings: [],
  },
  'unknown-token': {
    errors: [p('unknown-token', 'mappings[2].mapping_type[0]', 'unknown mapping type "char_to_bitt"; did you mean "char_to_bit"?')],
    warnings: [],
  },
  'token-param': {
    errors: [p('token-param', 'mappings[9].mapping_type[0]', '"add_score" needs a parameter: add_score(ID)')],
    warnings: [],
  },
  'missing-column': {
    errors: [p('missing-column', 'mappings[8].target_column',
      'required unless mapping_type has a row-creating token (add_score, add_indicator, add_history, add_report_lookup, policy_exceptions, add_collateral, warranty_field)')],
    warnings: [],
  },
  'table-order': {
    errors: [p('table-order', 'mappings[9].target_table', 'table "scores" is not listed in table_insertion_order')],
    warnings: [],
  },
  'enum-unresolved': {
    errors: [p('enum-unresolved', 'mappings[1].target_column',
      'no enum can be derived from column "app_state"; set enum_name to an enum_mappings key')],
    warnings: [],
  },
  'duplicate-column': {
    errors: [p('duplicate-column', 'mappings[4].target_column', '"app_base.rate" is already mapped by mappings[3]')],
    warnings: [],
  },
  'expression-syntax': {
    errors: [p('expression-syntax', 'mappings[4].expression',
      'syntax error: expected WHEN, ELSE or END at position 34 (at the end of the expression)')],
    warnings: [],
  },
  'expression-missing': {
    errors: [p('expression-missing', 'mappings[4].expression', 'a "calculated_field" mapping needs a non-empty expression')],
    warnings: [],
  },
  'expression-ignored': {
    errors: [],
    warnings: [p('expression-ignored', 'mappings[8].expression', 'ignored because mapping_type has no "calculated_field" token')],
  },
  'unsafe-identifier': {
    errors: [p('unsafe-identifier', 'mappings[8].target_column',
      '"city; DROP TABLE y" is not a safe SQL identifier (letters, digits, _; must not start with a digit; ≤128 chars)')],
    warnings: [],
  },
  'filter-rules': {
    errors: [p('filter-rules', 'element_filtering.filter_rules', 'a "contact" rule is required (mappings[5] maps contact data)')],
    warnings: [],
  },
  relationships: {
    errors: [p('relationships', 'relationships[1].child_table', 'child table "app_contact_phone" is not listed in table_insertion_order')],
    warnings: [p('relationships', 'table_insertion_order[2]', 'table "app_contact_address" is not the child_table of any relationship')],
  },
  'data-length': {
    errors: [p('data-length', 'mappings[6].data_length', 'must be -1 (unlimited) or a positive integer (got 0)')],
    warnings: [],
  },
  'bit-conversions': {
    errors: [p('bit-conversions', 'bit_conversions.char_to_bit', 'missing, but mappings[2] uses char_to_bit')],
    warnings: [],
  },
  'xml-path': {
    errors: [p('xml-path', 'mappings[3].xml_path', 'must be an absolute path starting with "/Doc/" (got "Doc/Request/app")')],
    warnings: [],
  },
  'unknown-field': {
    errors: [],
    warnings: [p('unknown-field', 'mappings[2].nulable', 'unknown mapping field (ignored); did you mean "nullable"?')],
  },
  'default-value': {
    errors: [],
    warnings: [p('default-value', 'mappings[3].default_value', '"n/a" cannot be converted to decimal')],
  },
  'row-token-table': {
    errors: [],
    warnings: [
      p('row-token-table', 'mappings[9].target_table', '"add_score" creates rows of table "scores", but the mapping targets "app_base"'),
      p('table-order', 'table_insertion_order[3]', 'table "scores" has no mappings'),
    ],
  },
  'enum-name-ignored': {
    errors: [],
    warnings: [p('enum-name-ignored', 'mappings[8].enum_name', 'ignored because mapping_type has no "enum" token')],
  },
};

describe('minimal.json', () => {
  test('is valid with no warnings', () => {
    const r = checkContract(JSON.parse(read('minimal.json')));
    expect(brief(r.errors)).toEqual([]);
    expect(brief(r.warnings)).toEqual([]);
    expect(r.contract).not.toBeNull();
  });
});

describe('bad contract fixtures', () => {
  test('there is exactly one fixture per rule case', () => {
    const files = readdirSync(fileURLToPath(new URL('bad/', dir))).map((f) => f.replace(/\.json$/, '')).sort();
    expect(files).toEqual([...Object.keys(CASES), 'json-syntax'].sort());
  });

  for (const [rule, expected] of Object.entries(CASES)) {
    test(`bad/${rule}.json → exactly its problems`, () => {
      const r = checkContract(JSON.parse(read(`bad/${rule}.json`)), `bad/${rule}.json`);
      expect(brief(r.errors)).toEqual(expected.errors);
      expect(brief(r.warnings)).toEqual(expected.warnings);
      expect(r.contract === null).toBe(expected.errors.length > 0);
      expect([...r.errors, ...r.warnings].some((x) => x.rule === rule)).toBe(true);
      for (const x of [...r.errors, ...r.warnings]) expect(x.file).toBe(`bad/${rule}.json`);
      for (const x of r.errors) expect(x.severity).toBe('error');
      for (const x of r.warnings) expect(x.severity).toBe('warning');
    });
  }

  test('bad/json-syntax.json → json-syntax with file, line and column', () => {
    let caught: unknown;
    try {
      parseContractJson(read('bad/json-syntax.json'), 'bad/json-syntax.json');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ContractError);
    const e = caught as ContractError;
    expect(brief(e.problems)).toEqual([
      p('json-syntax', '$', 'invalid JSON at bad/json-syntax.json:35:3: expected a double-quoted property name'),
    ]);
  });
});
