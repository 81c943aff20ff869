/** The failure budget's arithmetic (`--max-failures N | N%`, `--max-failures-min`). */
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_FAILURES_MIN, FailureBudget, describeBudget, parseFailureBudget } from '../../../src/processor/failure-budget.js';

describe('parseFailureBudget', () => {
  it('reads counts and percentages', () => {
    expect(parseFailureBudget('500')).toEqual({ kind: 'count', max: 500 });
    expect(parseFailureBudget(' 0 ')).toEqual({ kind: 'count', max: 0 });
    expect(parseFailureBudget('2%')).toEqual({ kind: 'percent', max: 2 });
    expect(parseFailureBudget('0.5 %')).toEqual({ kind: 'percent', max: 0.5 });
    expect(parseFailureBudget('100%')).toEqual({ kind: 'percent', max: 100 });
  });

  it('refuses what is not a budget', () => {
    for (const bad of ['', '-1', '1.5', '101%', 'ten', '5%%', '%', '1e3', '99999999999999999999']) expect(parseFailureBudget(bad), bad).toBeNull();
  });
});

describe('FailureBudget', () => {
  it('a count is exceeded by its (N+1)th failure, whatever was processed', () => {
    const b = new FailureBudget({ kind: 'count', max: 10 });
    expect(b.check(10, 10).exceeded).toBe(false);
    expect(b.check(1_000_000, 10).exceeded).toBe(false);
    const v = b.check(11, 11);
    expect(v.exceeded).toBe(true);
    expect(v.reason).toBe('11 apps failed, more than the budget of 10 failed apps');
  });

  it('0 stops on the first failure', () => {
    const b = new FailureBudget({ kind: 'count', max: 0 });
    expect(b.check(500, 0).exceeded).toBe(false);
    expect(b.check(1, 1).exceeded).toBe(true);
  });

  it('a percentage applies only from the minimum count, then compares failed/processed', () => {
    const b = new FailureBudget({ kind: 'percent', max: 5 }, 200);
    expect(b.check(199, 199).exceeded).toBe(false); // everything failed, but fewer than 200 processed
    expect(b.check(200, 10).exceeded).toBe(false); // exactly 5 %: not above
    const v = b.check(200, 11);
    expect(v.exceeded).toBe(true);
    expect(v.reason).toBe('11 of 200 processed apps failed (5.50%), above the budget of 5% of processed apps (applied from 200 processed)');
    expect(b.check(10_000, 500).exceeded).toBe(false);
    expect(b.check(10_000, 501).exceeded).toBe(true);
  });

  it('fractional percentages compare exactly, and 100% never stops a run', () => {
    const b = new FailureBudget({ kind: 'percent', max: 0.5 }, 1);
    expect(b.check(1000, 5).exceeded).toBe(false);
    expect(b.check(1000, 6).exceeded).toBe(true);
    expect(new FailureBudget({ kind: 'percent', max: 100 }, 1).check(50, 50).exceeded).toBe(false);
    expect(new FailureBudget({ kind: 'percent', max: 0 }, 1).check(50, 1).exceeded).toBe(true);
  });

  it('defaults the minimum to 100 and describes itself', () => {
    const b = new FailureBudget({ kind: 'percent', max: 1 });
    expect(b.minApps).toBe(DEFAULT_MAX_FAILURES_MIN);
    expect(DEFAULT_MAX_FAILURES_MIN).toBe(100);
    expect(b.check(99, 99).exceeded).toBe(false);
    expect(b.check(100, 2).exceeded).toBe(true);
    expect(describeBudget({ kind: 'count', max: 1 }, 100)).toBe('1 failed app');
    expect(describeBudget({ kind: 'percent', max: 2.5 }, 300)).toBe('2.5% of processed apps (applied from 300 processed)');
  });
});
