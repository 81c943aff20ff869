/**
 * resolveEnumName: reference section 8.2, including its fragment order.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { resolveEnumName } from '../../../src/mapping/enum-resolve.js';
import type { MappingContract } from '../../../src/mapping/contract-types.js';
import { parseMappingTypes } from '../../../src/mapping/mapping-tokens.js';

const enums = { status_enum: {}, decision_enum: {}, fancy_code: {} };

describe('resolveEnumName', () => {
  test('enum_name wins when set', () => {
    expect(resolveEnumName({ target_column: 'app_status', enum_name: 'y_n_d_enum' }, enums)).toBe('y_n_d_enum');
  });

  test('an empty enum_name is ignored', () => {
    expect(resolveEnumName({ target_column: 'app_status', enum_name: '' }, enums)).toBe('status_enum');
  });

  test('the column itself when it is an enum_mappings key or ends with _enum (even if undefined)', () => {
    expect(resolveEnumName({ target_column: 'fancy_code' }, enums)).toBe('fancy_code');
    expect(resolveEnumName({ target_column: 'decision_status_enum' }, enums)).toBe('decision_status_enum');
    expect(resolveEnumName({ target_column: 'missing_enum' }, {})).toBe('missing_enum');
  });

  test('fragment rules, first match in the reference order', () => {
    expect(resolveEnumName({ target_column: 'app_status' }, enums)).toBe('status_enum');
    expect(resolveEnumName({ target_column: 'process_code' }, enums)).toBe('process_enum');
    expect(resolveEnumName({ target_column: 'status_process' }, enums)).toBe('status_enum');
    expect(resolveEnumName({ target_column: 'primary_app_source' }, enums)).toBe('app_source_enum');
    expect(resolveEnumName({ target_column: 'contact_type_code' }, enums)).toBe('contact_type_enum');
    expect(resolveEnumName({ target_column: 'final_decision' }, enums)).toBe('decision_enum');
    expect(resolveEnumName({ target_column: 'population_assignment_cd' }, enums)).toBe('population_assignment_enum');
    // `income_type` is tried before `other_income_type`, so this reference quirk resolves to income_type_enum.
    expect(resolveEnumName({ target_column: 'other_income_type_cd' }, enums)).toBe('income_type_enum');
  });

  test('null when nothing applies or no column', () => {
    expect(resolveEnumName({ target_column: 'colour' }, enums)).toBeNull();
    expect(resolveEnumName({}, enums)).toBeNull();
    expect(resolveEnumName({ target_column: 'x_enum' }, null)).toBe('x_enum');
  });
});

describe('the example contract (contracts/credit-card.json)', () => {
  test('every enum mapping resolves to a defined enum', () => {
    const cc = JSON.parse(readFileSync(fileURLToPath(new URL('../../../contracts/credit-card.json', import.meta.url)), 'utf8')) as MappingContract;
    const enumMappings = cc.enum_mappings ?? {};
    const used = cc.mappings.filter((m) => parseMappingTypes(m.mapping_type).some((t) => t.name === 'enum'));
    expect(used).toHaveLength(16);
    for (const m of used) {
      const name = resolveEnumName(m, enumMappings);
      expect(name !== null && Object.hasOwn(enumMappings, name), `${m.target_table}.${m.target_column ?? ''} → ${String(name)}`).toBe(true);
    }
  });
});
