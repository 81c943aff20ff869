/**
 * Variants of each rule, built by editing minimal.json in memory: exact rule, path and message.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { checkContract } from '../../../src/mapping/contract-loader.js';
import type { ContractProblem } from '../../../src/mapping/contract-types.js';

type Json = any;
const MINIMAL = readFileSync(new URL('../../fixtures/contracts/minimal.json', import.meta.url), 'utf8');
const minimal = (): Json => JSON.parse(MINIMAL);
const brief = (ps: readonly ContractProblem[]) => ps.map(({ rule, path, message }) => ({ rule, path, message }));
const p = (rule: string, path: string, text: string) => ({ rule, path, message: `${path}: ${text}` });

/** Check a copy of minimal.json after `edit`. */
function check(edit: (c: Json) => void) {
  const c = minimal();
  edit(c);
  const r = checkContract(c);
  return { errors: brief(r.errors), warnings: brief(r.warnings), contract: r.contract };
}

describe('schema', () => {
  test('missing required top-level keys and empty mappings are all reported', () => {
    const r = check((c) => {
      delete c.xml_root_element;
      delete c.source_table;
      c.source_column = '';
      c.mappings = [];
    });
    expect(r.errors).toEqual([
      p('schema', 'xml_root_element', 'required field is missing'),
      p('schema', 'source_table', 'required field is missing'),
      p('schema', 'source_column', 'must not be empty'),
      p('schema', 'mappings', 'must contain at least 1 item(s)'),
    ]);
    expect(r.contract).toBeNull();
  });

  test('mapping required fields and wrong JSON types', () => {
    const r = check((c) => {
      delete c.mappings[0].xml_path;
      delete c.mappings[0].target_table;
      delete c.mappings[0].data_type;
      c.mappings[1].nullable = 'yes';
      c.mappings[3].data_length = 2.5;
      c.mappings[2].mapping_type = 7;
    });
    expect(r.errors).toEqual([
      p('schema', 'mappings[0].xml_path', 'required field is missing'),
      p('schema', 'mappings[0].target_table', 'required field is missing'),
      p('schema', 'mappings[0].data_type', 'required field is missing'),
      p('schema', 'mappings[1].nullable', 'expected boolean (got string "yes")'),
      p('schema', 'mappings[2].mapping_type', 'expected array or string or null (got integer 7)'),
      p('schema', 'mappings[3].data_length', 'expected integer or null (got number 2.5)'),
    ]);
  });

  test('a wrongly typed data_type is one problem, not two', () => {
    expect(check((c) => { c.mappings[3].data_type = 5; }).errors)
      .toEqual([p('schema', 'mappings[3].data_type', 'expected string (got integer 5)')]);
  });

  test('relationships need all five fields, non-empty', () => {
    const r = check((c) => {
      delete c.relationships[0].foreign_key_column;
      c.relationships[1].xml_child_path = '';
    });
    expect(r.errors).toEqual([
      p('schema', 'relationships[0].foreign_key_column', 'required field is missing'),
      p('schema', 'relationships[1].xml_child_path', 'must not be empty'),
    ]);
  });

  test('a non-object document', () => {
    expect(brief(checkContract([1]).errors)).toEqual([p('schema', '$', 'expected object (got an array)')]);
    expect(brief(checkContract('x').errors)).toEqual([p('schema', '$', 'expected object (got string "x")')]);
  });

  test('enum and bit values, keys needing quotes in the path', () => {
    const r = check((c) => {
      c.enum_mappings.status_enum['Alloy Error'] = true;
      c.bit_conversions.char_to_bit.Y = 2;
    });
    expect(r.errors).toEqual([
      p('schema', 'enum_mappings.status_enum["Alloy Error"]', 'expected integer or string (got boolean true)'),
      p('schema', 'bit_conversions.char_to_bit.Y', 'expected one of 0, 1 (got 2)'),
    ]);
  });

  test('schema and semantic problems are collected together', () => {
    const r = check((c) => {
      c.mappings[3].data_type = 'varchr';
      c.mappings[2].mapping_type = ['char_to_bitt'];
    });
    expect(r.errors.map((e) => e.rule)).toEqual(['schema', 'unknown-token']);
  });
});

describe('unknown-token', () => {
  test('comma-string form points at mapping_type; no suggestion when nothing is near', () => {
    expect(check((c) => { c.mappings[2].mapping_type = 'char_to_bit, frobnicate'; }).errors)
      .toEqual([p('unknown-token', 'mappings[2].mapping_type', 'unknown mapping type "frobnicate"')]);
  });

  test('suggestion is case-insensitive', () => {
    expect(check((c) => { c.mappings[1].mapping_type = ['ENUM']; }).errors)
      .toEqual([p('unknown-token', 'mappings[1].mapping_type[0]', 'unknown mapping type "ENUM"; did you mean "enum"?')]);
  });
});

describe('token-param', () => {
  const cases: [string, string][] = [
    ['enum(x)', '"enum" takes no parameter (got "enum(x)")'],
    ['add_score(X', 'malformed token "add_score(X": unbalanced parentheses'],
    ['add_score)X(', 'malformed token "add_score)X(": unbalanced parentheses'],
    ['add_score(X)Y', 'malformed token "add_score(X)Y": text after the closing parenthesis'],
    ['add_score(a(b))', 'malformed token "add_score(a(b))": nested or repeated parentheses'],
    ['add_score()', '"add_score" needs a non-empty parameter: add_score(ID)'],
    ['policy_exceptions(E)', '"policy_exceptions" parameter must be an integer (got "E")'],
    ['policy_exceptions', '"policy_exceptions" needs parentheses: policy_exceptions(E) or policy_exceptions()'],
    ['warranty_field(6.5)', '"warranty_field" parameter must be an integer (got "6.5")'],
    ['add_collateral(0)', '"add_collateral" parameter must be a positive integer (got "0")'],
    ['add_collateral(-1)', '"add_collateral" parameter must be a positive integer (got "-1")'],
  ];
  for (const [token, text] of cases) {
    test(token, () => {
      const r = check((c) => { c.mappings[9].mapping_type = [token]; });
      expect(r.errors.filter((e) => e.rule === 'token-param')).toEqual([p('token-param', 'mappings[9].mapping_type[0]', text)]);
    });
  }

  test('well-formed parameters pass', () => {
    for (const token of ['add_report_lookup', 'add_report_lookup()', 'add_report_lookup(GIACT)', 'add_score(TU_TIE)']) {
      expect(check((c) => { c.mappings[9].mapping_type = [token]; }).errors).toEqual([]);
    }
  });
});

describe('missing-column', () => {
  test('absent target_column on a field mapping; row creators may omit it', () => {
    const r = check((c) => {
      delete c.mappings[8].target_column;
      delete c.mappings[9].target_column;
    });
    expect(r.errors.map((e) => e.path)).toEqual(['mappings[8].target_column']);
  });
});

describe('table-order', () => {
  test('duplicates, unmapped tables and parent-after-child', () => {
    const r = check((c) => {
      c.table_insertion_order = ['app_contact_base', 'app_base', 'app_contact_address', 'scores', 'scores', 'extra', 'processing_log'];
    });
    expect(r.errors).toEqual([
      p('table-order', 'table_insertion_order[4]', 'table "scores" is listed twice (first at table_insertion_order[3])'),
      p('table-order', 'relationships[0].parent_table',
        'parent table "app_base" must come before child table "app_contact_base" in table_insertion_order'),
    ]);
    expect(r.warnings).toEqual([
      p('table-order', 'table_insertion_order[5]', 'table "extra" has no mappings'),
    ]);
  });

  test('without table_insertion_order the order rules are skipped', () => {
    expect(check((c) => { delete c.table_insertion_order; })).toMatchObject({ errors: [], warnings: [] });
  });
});

describe('enum-unresolved', () => {
  test('derived name not defined, with suggestion', () => {
    const r = check((c) => { c.enum_mappings.statuss_enum = c.enum_mappings.status_enum; delete c.enum_mappings.status_enum; });
    expect(r.errors).toEqual([p('enum-unresolved', 'mappings[1].target_column',
      'enum "status_enum" (derived from target_column "app_status") is not defined in enum_mappings; did you mean "statuss_enum"?')]);
  });

  test('explicit enum_name must exist; when it does it wins over the column', () => {
    expect(check((c) => { c.mappings[7].enum_name = 'nope_enum'; }).errors)
      .toEqual([p('enum-unresolved', 'mappings[7].enum_name', 'enum "nope_enum" is not defined in enum_mappings')]);
    expect(check((c) => { c.mappings[1].target_column = 'app_state'; c.mappings[1].enum_name = 'status_enum'; }).errors).toEqual([]);
  });
});

describe('duplicate-column', () => {
  test('case-insensitive; contact-pick and row-creating mappings are exempt', () => {
    const r = check((c) => {
      c.mappings[4].target_column = 'RATE';
      c.mappings.push({ ...c.mappings[3], mapping_type: ['last_valid_pr_contact'] });
      c.mappings.push({ ...c.mappings[9] });
    });
    expect(r.errors).toEqual([p('duplicate-column', 'mappings[4].target_column', '"app_base.RATE" is already mapped by mappings[3]')]);
  });
});

describe('expressions', () => {
  test('a blank expression counts as missing', () => {
    expect(check((c) => { c.mappings[4].expression = '  '; }).errors)
      .toEqual([p('expression-missing', 'mappings[4].expression', 'a "calculated_field" mapping needs a non-empty expression')]);
  });
});

describe('unsafe-identifier', () => {
  const bad = (v: string) => `${JSON.stringify(v)} is not a safe SQL identifier (letters, digits, _; must not start with a digit; ≤128 chars)`;
  test('schema, source names, ordered tables, target_table once per name, relationship names', () => {
    const long = `t${'x'.repeat(128)}`;
    const r = check((c) => {
      c.target_schema = 'dbo]';
      c.source_column = 'app xml';
      c.table_insertion_order.push('9lives');
      for (const m of c.mappings.slice(0, 5)) m.target_table = long;
      c.relationships[0].foreign_key_column = 'app-id';
    });
    expect(r.errors.filter((e) => e.rule === 'unsafe-identifier')).toEqual([
      p('unsafe-identifier', 'target_schema', bad('dbo]')),
      p('unsafe-identifier', 'source_column', bad('app xml')),
      p('unsafe-identifier', 'table_insertion_order[5]', bad('9lives')),
      p('unsafe-identifier', 'mappings[0].target_table', bad(long)),
      p('unsafe-identifier', 'relationships[0].foreign_key_column', bad('app-id')),
    ]);
  });
});

describe('filter-rules', () => {
  test('address rule needed for app_contact_address; contact rule needs a type list', () => {
    const r = check((c) => {
      c.element_filtering.filter_rules.pop();
      c.element_filtering.filter_rules[0].required_attributes = { con_id: true, role: [] };
    });
    expect(r.errors).toEqual([
      p('filter-rules', 'element_filtering.filter_rules[0].required_attributes',
        'the contact rule needs a type attribute: a key whose value is a non-empty list of allowed types'),
      p('filter-rules', 'element_filtering.filter_rules', 'an "address" rule is required (mappings[7] maps address data)'),
    ]);
  });

  test('employment rule when app_contact_employment is mapped; element_filtering absent', () => {
    const r = check((c) => {
      delete c.element_filtering;
      c.mappings = c.mappings.filter((m: Json) => !m.target_table.startsWith('app_contact'));
      c.mappings.push({ xml_path: '/Doc/Request/app/contact/job', target_table: 'app_contact_employment', target_column: 'title', data_type: 'string' });
      c.table_insertion_order = ['app_base', 'app_contact_employment', 'scores'];
      c.relationships = [];
    });
    expect(r.errors).toEqual([
      p('filter-rules', 'element_filtering', 'a "contact" rule is required (mappings[6] maps contact data)'),
      p('filter-rules', 'element_filtering', 'an "employment" rule is required (mappings[6] maps employment data)'),
    ]);
  });

  test('authu_contact needs a second contact type', () => {
    const r = check((c) => {
      c.element_filtering.filter_rules[0].required_attributes.role = ['PR'];
      c.mappings[2].mapping_type = ['authu_contact', 'char_to_bit'];
    });
    expect(r.errors).toEqual([p('filter-rules', 'element_filtering.filter_rules[0].required_attributes',
      'mappings[2] needs a second contact type in "role" (the list has one)')]);
  });
});

describe('data-length', () => {
  test('decimal 0..18; others -1 or positive', () => {
    const r = check((c) => {
      c.mappings[3].data_length = 19;
      c.mappings[6].data_length = -2;
      c.mappings[8].data_length = -1;
    });
    expect(r.errors).toEqual([
      p('data-length', 'mappings[3].data_length', 'for decimal, the number of fraction digits must be 0..18 (got 19)'),
      p('data-length', 'mappings[6].data_length', 'must be -1 (unlimited) or a positive integer (got -2)'),
    ]);
    expect(check((c) => { c.mappings[3].data_length = 0; }).errors).toEqual([]);
  });
});

describe('bit-conversions', () => {
  test('boolean_to_bit missing; an empty map is a warning', () => {
    const r = check((c) => {
      delete c.bit_conversions.boolean_to_bit;
      c.bit_conversions.char_to_bit = {};
      c.mappings[8].mapping_type = ['boolean_to_bit'];
    });
    expect(r.errors).toEqual([p('bit-conversions', 'bit_conversions.boolean_to_bit', 'missing, but mappings[8] uses boolean_to_bit')]);
    expect(r.warnings).toEqual([p('bit-conversions', 'bit_conversions.char_to_bit',
      'is empty, so every char_to_bit value becomes 0 (used by mappings[2])')]);
  });
});

describe('xml-path', () => {
  test('wrong root, empty segment, filter-rule and relationship paths', () => {
    const r = check((c) => {
      c.mappings[0].xml_path = '/Other/Request';
      c.mappings[1].xml_path = '/Doc//app';
      c.element_filtering.filter_rules[1].xml_child_path = 'contact/address';
    });
    expect(r.errors).toEqual([
      p('xml-path', 'mappings[0].xml_path', 'must start with the root element "/Doc" (got "/Other/Request")'),
      p('xml-path', 'mappings[1].xml_path', 'has an empty path segment (got "/Doc//app")'),
      p('xml-path', 'element_filtering.filter_rules[1].xml_child_path', 'must be an absolute path starting with "/Doc/" (got "contact/address")'),
    ]);
  });
});

describe('unknown-field', () => {
  test('top-level typo is a warning with a suggestion', () => {
    const r = check((c) => { c.table_insertion_ordr = c.table_insertion_order; });
    expect(r.warnings).toEqual([p('unknown-field', 'table_insertion_ordr',
      'unknown top-level key (ignored); did you mean "table_insertion_order"?')]);
    expect(r.errors).toEqual([]);
  });
});

describe('identifiers per dialect (identifier-clash, identifier-too-long)', () => {
  const ident = <T extends { rule: string }>(ps: readonly T[]): T[] => ps.filter((x) => x.rule.startsWith('identifier-'));
  const inDialects = (edit: (c: Json) => void, dialects: ('mssql' | 'postgres' | 'sqlite')[]) => {
    const c = minimal();
    edit(c);
    const r = checkContract(c, undefined, { dialects });
    return { errors: ident(brief(r.errors)), warnings: ident(brief(r.warnings)) };
  };
  const scoresTwice = (c: Json) => {
    c.mappings.push({ ...c.mappings[8], target_table: 'SCORES', target_column: 'city' });
    c.table_insertion_order.splice(4, 0, 'SCORES');
  };

  test('identifier-clash: SCORES beside scores breaks SQL Server and SQLite, not PostgreSQL', () => {
    const r = check(scoresTwice);
    expect(ident(r.errors)).toEqual([
      p('identifier-clash', 'table_insertion_order[4]', 'table "SCORES" and "scores" (table_insertion_order[3]) differ only in case: SQL Server and SQLite take them for the same table (rename one)'),
    ]);
    expect(r.contract).toBeNull();
    // a run on PostgreSQL (quoted names keep their case): a warning; on SQLite or SQL Server: an error
    const pg = inDialects(scoresTwice, ['postgres']);
    expect(pg.errors).toEqual([]);
    expect(pg.warnings.map((w) => w.message)).toEqual([
      'table_insertion_order[4]: table "SCORES" and "scores" (table_insertion_order[3]) differ only in case: SQL Server and SQLite take them for the same table (rename one) (not a problem on PostgreSQL, this run\'s target)',
    ]);
    expect(inDialects(scoresTwice, ['sqlite']).errors.map((e) => e.rule)).toEqual(['identifier-clash']);
    expect(inDialects(scoresTwice, ['mssql']).errors.map((e) => e.rule)).toEqual(['identifier-clash']);
  });

  test('identifier-clash: tables named PROCESSING_LOG / APP_XML beside the product\'s processing_log and source table', () => {
    const r = check((c) => {
      c.mappings.push({ ...c.mappings[8], target_table: 'PROCESSING_LOG', target_column: 'city' });
      c.mappings.push({ ...c.mappings[8], target_table: 'App_Xml', target_column: 'city' });
      c.table_insertion_order.splice(4, 0, 'PROCESSING_LOG', 'App_Xml');
    });
    expect(ident(r.errors)).toEqual([
      p('identifier-clash', 'table_insertion_order[4]', 'table "PROCESSING_LOG" and "processing_log" (the product\'s processing_log table) differ only in case: SQL Server and SQLite take them for the same table (rename one)'),
      p('identifier-clash', 'table_insertion_order[5]', 'table "App_Xml" and "app_xml" (source_table) differ only in case: SQL Server and SQLite take them for the same table (rename one)'),
    ]);
  });

  test('identifier-clash: mapped rows into the product\'s own table with its exact name, on every dialect', () => {
    const edit = (c: Json) => { c.mappings.push({ ...c.mappings[8], target_table: 'app_xml', target_column: 'city' }); c.table_insertion_order.splice(4, 0, 'app_xml'); };
    expect(ident(check(edit).errors)).toEqual([
      p('identifier-clash', 'mappings[10].target_table', '"app_xml" is the product\'s own source table (source_table); mapped rows cannot go there'),
    ]);
    expect(inDialects(edit, ['postgres']).errors.map((e) => e.rule)).toEqual(['identifier-clash']);
  });

  test('identifier-clash: a column differing only in case from the app_id key the product adds', () => {
    const r = check((c) => { c.mappings.push({ ...c.mappings[8], target_column: 'APP_ID' }); });
    expect(ident(r.errors)).toEqual([
      p('identifier-clash', 'mappings[10].target_column', 'column "APP_ID" and "app_id" (the key column app_id the product adds) differ only in case: SQL Server and SQLite take them for the same column (rename one)'),
    ]);
  });

  test('columns differing only in case are duplicate-column errors on every dialect', () => {
    const edit = (c: Json) => { c.mappings.push({ ...c.mappings[8], target_column: 'CITY' }); };
    expect(check(edit).errors.map((e) => e.rule)).toContain('duplicate-column');
    expect(checkContract((() => { const c = minimal(); edit(c); return c; })(), undefined, { dialects: ['postgres'] }).errors.map((e) => e.rule)).toContain('duplicate-column');
  });

  test('identifier-too-long: two 70-byte column names that PostgreSQL would truncate to one; not a problem elsewhere', () => {
    const long = (tail: string) => `${'amount_reported_by_the_bureau_for_this_tradeline_'}${tail}`.padEnd(70, 'x');
    const edit = (c: Json) => {
      c.mappings.push({ ...c.mappings[8], target_column: long('first') });
      c.mappings.push({ ...c.mappings[8], target_column: long('second') });
    };
    const r = check(edit);
    expect(ident(r.errors)).toEqual([
      p('identifier-too-long', 'mappings[10].target_column', `"${long('first')}" is too long for PostgreSQL: 70 bytes; PostgreSQL keeps only the first 63 (two names sharing those first bytes would become one)`),
      p('identifier-too-long', 'mappings[11].target_column', `"${long('second')}" is too long for PostgreSQL: 70 bytes; PostgreSQL keeps only the first 63 (two names sharing those first bytes would become one)`),
    ]);
    expect(inDialects(edit, ['postgres']).errors).toHaveLength(2);
    expect(inDialects(edit, ['sqlite']).errors).toEqual([]);
    expect(inDialects(edit, ['sqlite']).warnings).toHaveLength(2);
    // 63 bytes is fine
    expect(ident(check((c) => { c.mappings.push({ ...c.mappings[8], target_column: 'c'.repeat(63) }); }).errors)).toEqual([]);
  });

  test('identifier-too-long: the schema and table names too', () => {
    const r = check((c) => { c.target_schema = 's'.repeat(64); });
    expect(ident(r.errors)).toEqual([
      p('identifier-too-long', 'target_schema', `"${'s'.repeat(64)}" is too long for PostgreSQL: 64 bytes; PostgreSQL keeps only the first 63 (two names sharing those first bytes would become one)`),
    ]);
  });
});
