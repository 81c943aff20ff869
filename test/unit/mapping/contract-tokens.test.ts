/**
 * The mapping-type token vocabulary and parser shared by the contract checks and the mapper.
 */
import { describe, expect, test } from 'vitest';
import {
  KNOWN_TOKENS, ROW_CREATING_TOKENS, TOKEN_SPECS, hasRowCreatingToken, parseMappingTypes, tokenParamError, tokenSyntaxError,
} from '../../../src/mapping/mapping-tokens.js';

describe('parseMappingTypes', () => {
  test('absent, null and empty values give no tokens', () => {
    expect(parseMappingTypes(undefined)).toEqual([]);
    expect(parseMappingTypes(null)).toEqual([]);
    expect(parseMappingTypes('')).toEqual([]);
    expect(parseMappingTypes([])).toEqual([]);
  });

  test('a string is split on commas, trimmed, empties dropped', () => {
    expect(parseMappingTypes(' curr_address_only , numbers_only,, ')).toEqual([
      { name: 'curr_address_only', param: null, raw: 'curr_address_only' },
      { name: 'numbers_only', param: null, raw: 'numbers_only' },
    ]);
  });

  test('array items are trimmed and empties dropped; parameters split off', () => {
    expect(parseMappingTypes(['last_valid_pr_contact', ' add_score(TU_TIE) ', '', 'policy_exceptions()'])).toEqual([
      { name: 'last_valid_pr_contact', param: null, raw: 'last_valid_pr_contact' },
      { name: 'add_score', param: 'TU_TIE', raw: 'add_score(TU_TIE)' },
      { name: 'policy_exceptions', param: '', raw: 'policy_exceptions()' },
    ]);
  });

  test('lenient on malformed parentheses (the checks report them)', () => {
    expect(parseMappingTypes(['add_score(X'])).toEqual([{ name: 'add_score', param: 'X', raw: 'add_score(X' }]);
  });
});

describe('vocabulary', () => {
  test('the 19 contract tokens plus default_getutcdate_if_null', () => {
    expect([...KNOWN_TOKENS].sort()).toEqual([
      'add_collateral', 'add_history', 'add_indicator', 'add_report_lookup', 'add_score', 'authu_contact',
      'boolean_to_bit', 'calculated_field', 'char_to_bit', 'curr_address_only', 'default_getutcdate_if_null', 'enum',
      'extract_date', 'extract_numeric', 'identity_insert', 'last_valid_pr_contact', 'last_valid_sec_contact',
      'numbers_only', 'policy_exceptions', 'warranty_field',
    ]);
  });

  test('row-creating tokens', () => {
    expect([...ROW_CREATING_TOKENS].sort()).toEqual([
      'add_collateral', 'add_history', 'add_indicator', 'add_report_lookup', 'add_score', 'policy_exceptions', 'warranty_field',
    ]);
    expect(hasRowCreatingToken(parseMappingTypes(['last_valid_pr_contact', 'add_history']))).toBe(true);
    expect(hasRowCreatingToken(parseMappingTypes(['enum']))).toBe(false);
  });

  test('parameter rules', () => {
    const params = Object.fromEntries(Object.entries(TOKEN_SPECS).filter(([, s]) => s.param !== 'forbidden').map(([n, s]) => [n, s.param]));
    expect(params).toEqual({
      add_score: 'required', add_indicator: 'required', add_report_lookup: 'optional',
      policy_exceptions: 'required', add_collateral: 'required', warranty_field: 'required',
    });
  });
});

describe('tokenSyntaxError / tokenParamError', () => {
  test('well-formed tokens', () => {
    for (const t of ['enum', 'add_score(00W83)', 'add_indicator(internal_fraud_ssn_ind)', 'policy_exceptions(632)',
      'policy_exceptions()', 'warranty_field(-1)', 'add_collateral(4)', 'add_report_lookup', 'add_report_lookup()']) {
      expect(tokenSyntaxError(t)).toBeNull();
      expect(tokenParamError(parseMappingTypes([t])[0]!)).toBeNull();
    }
  });

  test('malformed names', () => {
    expect(tokenSyntaxError('(X)')).toBe('missing token name');
    expect(tokenSyntaxError('add score')).toBe('token name may contain only letters, digits and _');
  });

  test('add_indicator needs a name', () => {
    expect(tokenParamError(parseMappingTypes(['add_indicator'])[0]!)).toBe('"add_indicator" needs a parameter: add_indicator(NAME)');
  });
});
