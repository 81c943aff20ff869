/**
 * loadContractFile / parseContractJson / ContractError, the JSON Schema file itself, and the example contract.
 * The reference system's CC contract: test/unit/mapping/reference-contract.test.ts.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { ContractError, loadContractFile, parseContractJson } from '../../../src/mapping/contract-loader.js';
import ajvModule from 'ajv';
import { contractFieldNames, contractSchemaPath, loadContractSchema } from '../../../src/mapping/contract-schema.js';
import { DATA_TYPES, type MappingContract, type MappingEntry } from '../../../src/mapping/contract-types.js';
import { locateJsonSyntaxError } from '../../../src/mapping/json-location.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/contracts/${name}`, import.meta.url));

/** The ContractError thrown by `fn` (fails the test when nothing or something else is thrown). */
async function contractError(fn: () => unknown): Promise<ContractError> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ContractError);
    return err as ContractError;
  }
  throw new Error('expected a ContractError');
}

describe('loadContractFile', () => {
  test('loads a valid contract', async () => {
    const file = fixture('minimal.json');
    const loaded = await loadContractFile(file);
    expect(loaded.file).toBe(file);
    expect(loaded.warnings).toEqual([]);
    expect(loaded.contract.xml_root_element).toBe('Doc');
    expect(loaded.contract.mappings).toHaveLength(10);
  });

  test('a contract with errors throws ContractError carrying every error', async () => {
    const file = fixture('bad/unsafe-identifier.json');
    const e = await contractError(() => loadContractFile(file));
    expect(e.code).toBe('CONTRACT_INVALID');
    expect(e.name).toBe('ContractError');
    expect(e.file).toBe(file);
    expect(e.problems.map((x) => [x.rule, x.path, x.file])).toEqual([['unsafe-identifier', 'mappings[8].target_column', file]]);
    expect(e.message).toBe(`invalid mapping contract ${file}: 1 error\n  - ${e.problems[0]?.message ?? ''}`);
  });

  test('warnings do not fail loading', async () => {
    const loaded = await loadContractFile(fixture('bad/unknown-field.json'));
    expect(loaded.warnings.map((w) => w.message)).toEqual(['mappings[2].nulable: unknown mapping field (ignored); did you mean "nullable"?']);
  });

  test('an unreadable file', async () => {
    const file = fixture('does-not-exist.json');
    const e = await contractError(() => loadContractFile(file));
    expect(e.problems).toHaveLength(1);
    expect(e.problems[0]).toMatchObject({ rule: 'file', path: '$', severity: 'error' });
    expect(e.problems[0]?.message).toMatch(/^\$: cannot read .*does-not-exist\.json: ENOENT/);
    expect((e.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  test('JSON syntax errors name file, line and column', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'contract-'));
    const file = join(dir, 'broken.json');
    writeFileSync(file, '\uFEFF{\n  "xml_root_element": "Doc",\n  "mappings": [tru]\n}\n');
    const e = await contractError(() => loadContractFile(file));
    expect(e.problems.map((x) => x.message)).toEqual([`$: invalid JSON at ${file}:3:16: unexpected character "t"`]);
    expect(e.cause).toBeInstanceOf(SyntaxError);
  });

  test('more than 20 errors are summarised in the message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'contract-'));
    const file = join(dir, 'many.json');
    const c = JSON.parse(readFileSync(fixture('minimal.json'), 'utf8')) as MappingContract;
    c.mappings = Array.from({ length: 25 }, () => ({ ...c.mappings[3]!, data_type: 'varchr' }));
    writeFileSync(file, JSON.stringify(c));
    const e = await contractError(() => loadContractFile(file));
    expect(e.problems.filter((x) => x.rule === 'schema')).toHaveLength(25);
    expect(e.message.split('\n')).toHaveLength(22);
    expect(e.message).toMatch(/\n {2}… and \d+ more$/);
  });
});

describe('JSON syntax location', () => {
  const cases: [string, number, number, string][] = [
    ['', 1, 1, 'unexpected end of input'],
    ['{"a": 1,}', 1, 9, 'expected a double-quoted property name'],
    ['{"a" 1}', 1, 6, "expected ':' after property name"],
    ['{"a": 1 "b": 2}', 1, 9, "expected ',' or '}' after property value"],
    ['[1, 2', 1, 6, 'unexpected end of input'],
    ['[1 2]', 1, 4, "expected ',' or ']' after array element"],
    ['{"a": "x\ny"}', 1, 9, 'control character in string (must be escaped)'],
    ['{"a": "\\q"}', 1, 8, 'invalid escape sequence'],
    ['{\r\n"a": -}', 2, 6, 'invalid number'],
    ['{} x', 1, 4, 'unexpected text after the JSON value'],
    ['{"a": "abc', 1, 11, 'unexpected end of input'],
  ];
  for (const [text, line, column, message] of cases) {
    test(JSON.stringify(text), () => {
      expect(() => JSON.parse(text)).toThrow();
      expect(locateJsonSyntaxError(text)).toMatchObject({ line, column, message });
    });
  }

  test('valid JSON has no error', () => {
    expect(locateJsonSyntaxError('{"a": [1, -2.5e3, true, false, null, "\\u00e9\\n"]}')).toBeNull();
  });

  test('parseContractJson ignores a BOM and returns the value', () => {
    expect(parseContractJson('\uFEFF{"a": 1}', 'x.json')).toEqual({ a: 1 });
  });
});

describe('JSON Schema file', () => {
  const schema = loadContractSchema() as {
    $id?: string; title?: string; properties: Record<string, { description?: string }>;
    definitions: Record<string, { properties?: Record<string, { description?: string }> }>;
    additionalProperties?: boolean;
  };

  test('is a valid JSON Schema (runs skip this check at start-up)', () => {
    const ajv = new ajvModule.default({ allErrors: true, allowUnionTypes: true, strict: true });
    expect(ajv.validateSchema(schema), ajv.errorsText()).toBe(true);
    expect(ajv.validateSchema({ type: 'object', properties: { a: { type: 'strng' } } })).toBe(false);
  });

  test('is found next to the package and has $id, title, open top level', () => {
    expect(contractSchemaPath()).toMatch(/schema[/\\]mapping-contract\.schema\.json$/);
    expect(schema.$id).toBe('urn:xmlmigrate:schema:mapping-contract');
    expect(schema.title).toBeTruthy();
    expect(schema.additionalProperties).toBe(true);
  });

  test('every property has a description', () => {
    const nodes = [schema.properties, ...Object.values(schema.definitions).map((d) => d.properties ?? {})];
    for (const props of nodes) for (const [key, prop] of Object.entries(props)) expect(prop.description, key).toBeTruthy();
  });

  test('data_type enum is DATA_TYPES', () => {
    const dataType = schema.definitions['mapping']?.properties?.['data_type'] as { enum?: string[] } | undefined;
    expect(dataType?.enum).toEqual([...DATA_TYPES]);
  });

  test('field lists match the TypeScript contract types', () => {
    const mappingFields: Record<keyof MappingEntry, true> = {
      xml_path: true, xml_attribute: true, target_table: true, target_column: true, data_type: true, data_length: true,
      mapping_type: true, nullable: true, required: true, default_value: true, exclude_default_when_record_empty: true,
      expression: true, enum_name: true, description: true,
    };
    const topLevel: Record<keyof MappingContract, true> = {
      xml_root_element: true, xml_application_path: true, source_table: true, source_column: true,
      source_application_table: true, target_schema: true, table_insertion_order: true, element_filtering: true,
      relationships: true, mappings: true, enum_mappings: true, bit_conversions: true,
    };
    const names = contractFieldNames();
    expect([...names.mapping].sort()).toEqual(Object.keys(mappingFields).sort());
    expect([...names.topLevel].sort()).toEqual(['$schema', ...Object.keys(topLevel)].sort());
  });
});

describe('the example contract (contracts/credit-card.json)', () => {
  test('loads with zero errors and zero warnings', async () => {
    const loaded = await loadContractFile(fileURLToPath(new URL('../../../contracts/credit-card.json', import.meta.url)));
    expect(loaded.contract.mappings).toHaveLength(133);
    expect(loaded.warnings.map((w) => w.message)).toEqual([]);
    expect(loaded.contract.table_insertion_order).toHaveLength(12);
  });
});
