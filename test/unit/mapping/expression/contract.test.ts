/**
 * The calculated-field expressions used by the real mapping contracts, evaluated against a
 * Map-backed scope. Where the reference implementation was defective (B6) the fixed behaviour is asserted.
 */
import { describe, expect, it } from 'vitest';
import { compileExpression } from '../../../../src/mapping/expression/index.js';
import { DateTime } from '../../../../src/mapping/values.js';
import { scope } from './helpers.js';

describe('CC salary normalisation', () => {
  const e = compileExpression(
    "CASE WHEN b_salary_basis_tp_c = 'ANNUM' THEN b_salary / 12 WHEN b_salary_basis_tp_c = 'MONTH' THEN b_salary * 12 " +
    "WHEN b_salary_basis_tp_c = 'HOURLY' THEN b_salary WHEN b_salary_basis_tp_c = '' THEN b_salary ELSE b_salary END",
  );
  const run = (basis: string | null, salary: string | null): unknown =>
    e.evaluate(scope({ b_salary_basis_tp_c: basis, b_salary: salary }));

  it('references', () => expect(e.references).toEqual(['b_salary_basis_tp_c', 'b_salary']));
  it('divides annual salaries and multiplies monthly ones (numbers)', () => {
    expect(run('ANNUM', '60000')).toBe(5000);
    expect(run('annum', '60000')).toBe(5000);
    expect(run('MONTH', '1,000')).toBe(12000);
    expect(run('ANNUM', '50000')).toBeCloseTo(4166.6667, 4);
  });
  it('passes other salaries through as raw text', () => {
    expect(run('HOURLY', '25.50')).toBe('25.50');
    expect(run('', '25.50')).toBe('25.50');
    expect(run('WEEK', '900')).toBe('900');
    expect(run(null, '900')).toBe('900');
  });
  it('is null when the salary is missing or not numeric for the arithmetic branches', () => {
    expect(run('ANNUM', null)).toBeNull();
    expect(run('ANNUM', 'n/a')).toBeNull();
    expect(run('MONTH', '')).toBeNull();
  });
});

describe('CC adverse-action reason code', () => {
  const e = compileExpression(
    "CASE WHEN app_product.adverse_actn1_type_cd IS NOT EMPTY AND application.app_receive_date > DATE('2023-10-11 00:00:00') " +
    "AND application.population_assignment = 'CM' THEN 'AJ' ELSE '' END",
  );
  const base = {
    'app_product.adverse_actn1_type_cd': 'X1',
    'application.app_receive_date': '2025-10-09 21:51:08.027',
    'application.population_assignment': 'CM',
  };
  const run = (over: Record<string, string | null> = {}): unknown => e.evaluate(scope({ ...base, ...over }));

  it('references', () => {
    expect(e.references).toEqual(['app_product.adverse_actn1_type_cd', 'application.app_receive_date', 'application.population_assignment']);
  });
  it('matches when all three conditions hold (literal case irrelevant, B6 fix)', () => {
    expect(run()).toBe('AJ');
    expect(run({ 'application.population_assignment': 'cm' })).toBe('AJ');
    expect(run({ 'application.app_receive_date': '2025-10-9 21:51:8.0' })).toBe('AJ');
    expect(run({ 'application.app_receive_date': '2023-10-11 00:00:00.001' })).toBe('AJ');
  });
  it('falls to ELSE when any condition fails', () => {
    expect(run({ 'app_product.adverse_actn1_type_cd': '  ' })).toBe('');
    expect(run({ 'app_product.adverse_actn1_type_cd': null })).toBe('');
    expect(run({ 'application.app_receive_date': '2023-10-11 00:00:00' })).toBe('');
    expect(run({ 'application.app_receive_date': '05/10/1978' })).toBe('');
    expect(run({ 'application.app_receive_date': '' })).toBe('');
    expect(run({ 'application.population_assignment': 'CV' })).toBe('');
  });
});

describe('CC / RL fallbacks and residence months', () => {
  it('regb start date falls back to the receive date', () => {
    const e = compileExpression('CASE WHEN regb_start_date IS NOT EMPTY THEN regb_start_date ELSE application.app_receive_date END');
    expect(e.evaluate(scope({ regb_start_date: '2024-01-02', 'application.app_receive_date': '2024-01-01' }))).toBe('2024-01-02');
    expect(e.evaluate(scope({ regb_start_date: ' ', 'application.app_receive_date': '2024-01-01' }))).toBe('2024-01-01');
    expect(e.evaluate(scope({}))).toBeNull();
  });

  it('months + years * 12', () => {
    const e = compileExpression('months_at_residence + (years_at_residence * 12)');
    expect(e.evaluate(scope({ months_at_residence: '3', years_at_residence: '2' }))).toBe(27);
    expect(e.evaluate(scope({ months_at_residence: '3', years_at_residence: '' }))).toBeNull();
  });

  it('RL guarded residence months (parenthesised OR now works, B6 fix)', () => {
    const e = compileExpression(
      'CASE WHEN (months_at_residence > 0 OR years_at_residence > 0) THEN (months_at_residence + (years_at_residence * 12)) END',
    );
    const run = (m: string | null, y: string | null): unknown => e.evaluate(scope({ months_at_residence: m, years_at_residence: y }));
    expect(run('5', '1')).toBe(17);
    expect(run('0', '2')).toBe(24);
    expect(run('7', '0')).toBe(7);
    expect(run('0', '0')).toBeNull();
    expect(run('5', '')).toBeNull(); // condition true, but arithmetic with a blank operand is null
    expect(run(null, null)).toBeNull();
  });
});

describe('RL Reg B end date', () => {
  const e = compileExpression(
    'CASE WHEN IL_app_decision_info.regb_closed_days_num > 0 AND IL_application.app_entry_date IS NOT EMPTY ' +
    'THEN DATEADD(day, IL_app_decision_info.regb_closed_days_num, IL_application.app_entry_date) END',
  );
  const run = (days: string | null, entry: string | null): unknown =>
    e.evaluate(scope({ 'IL_app_decision_info.regb_closed_days_num': days, 'IL_application.app_entry_date': entry }));

  it('references are lower-cased', () => {
    expect(e.references).toEqual(['il_app_decision_info.regb_closed_days_num', 'il_application.app_entry_date']);
  });
  it('adds the closed days to the entry date', () => {
    const r = run('30', '2024-12-15 14:22:01.5');
    expect(r).toBeInstanceOf(DateTime);
    expect((r as DateTime).iso).toBe('2025-01-14T00:00:00');
  });
  it('is null for 0 days (B6 fix: "0" > 0 is false), blank/absent/non-numeric days or no entry date', () => {
    expect(run('0', '2024-12-15')).toBeNull();
    expect(run('', '2024-12-15')).toBeNull();
    expect(run(null, '2024-12-15')).toBeNull();
    expect(run('abc', '2024-12-15')).toBeNull();
    expect(run('30', '')).toBeNull();
    expect(run('30', null)).toBeNull();
  });
});

describe('RL collateral type from make', () => {
  const e = compileExpression("CASE WHEN IL_collateral.coll3_make LIKE '%BOATMATE%' THEN 420 ELSE 423 END");
  it('returns numbers', () => {
    expect(e.evaluate(scope({ 'IL_collateral.coll3_make': 'BoatMate Trailers' }))).toBe(420);
    expect(e.evaluate(scope({ 'IL_collateral.coll3_make': 'Yamaha' }))).toBe(423);
    expect(e.evaluate(scope({}))).toBe(423);
  });
});

describe('compile once, evaluate many', () => {
  it('keeps documents independent', () => {
    const e = compileExpression("CASE WHEN a > 0 AND d > DATE('2023-01-01') THEN a * 2 ELSE 'no' END");
    const docs = [
      { a: '2', d: '2024-01-01' }, { a: '0', d: '2024-01-01' }, { a: '3', d: '2022-12-31' },
      { a: '4', d: '2024-06-01' }, { a: 'x', d: '2024-06-01' },
    ];
    expect(docs.map((d) => e.evaluate(scope(d)))).toEqual([4, 'no', 'no', 8, 'no']);
  });
});
