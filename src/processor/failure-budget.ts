/**
 * The failure budget of a run (`--max-failures N` or `N%`): how many failed apps a run tolerates
 * before it stops taking new work. A count is absolute; a percentage is of the apps this run has
 * processed so far (ok + failed; apps another run had already logged do not count) and is applied
 * only once at least `minApps` were processed, so that the first unlucky batch of a healthy run does
 * not stop it. Pure arithmetic: the processor asks after every batch.
 */

/** `N` (failed apps) or `N%` (of processed apps). */
export type FailureBudgetSpec =
  | { readonly kind: 'count'; readonly max: number }
  | { readonly kind: 'percent'; readonly max: number };

/** Default of `--max-failures-min`: apps processed before a percentage budget applies. */
export const DEFAULT_MAX_FAILURES_MIN = 100;

/**
 * Parses `250`, `0`, `5%`, `0.5%`. Returns null with nothing to say when the text is not a budget (the
 * caller names the flag in its message). A percentage must be 0..100 (0% and 100% allowed: 100% never
 * stops a run, 0% stops it on the first failure once the minimum is reached).
 */
export function parseFailureBudget(text: string): FailureBudgetSpec | null {
  const t = text.trim();
  const pct = /^(\d+(?:\.\d+)?)\s*%$/.exec(t);
  if (pct) {
    const v = Number(pct[1]);
    return v >= 0 && v <= 100 ? { kind: 'percent', max: v } : null;
  }
  if (/^\d+$/.test(t) && Number.isSafeInteger(Number(t))) return { kind: 'count', max: Number(t) };
  return null;
}

/** `250 failed apps` / `5% of processed apps (after 100)`: for messages and the summary. */
export function describeBudget(spec: FailureBudgetSpec, minApps: number): string {
  return spec.kind === 'count'
    ? `${spec.max} failed app${spec.max === 1 ? '' : 's'}`
    : `${spec.max}% of processed apps (applied from ${minApps} processed)`;
}

/** The verdict for one moment of the run. */
export interface BudgetCheck {
  readonly exceeded: boolean;
  /** Why, in one line (only when exceeded). */
  readonly reason: string | null;
}

/** Checks processed/failed counts against one budget. */
export class FailureBudget {
  constructor(readonly spec: FailureBudgetSpec, readonly minApps: number = DEFAULT_MAX_FAILURES_MIN) {}

  /**
   * `processed` = ok + failed of this run so far, `failed` = its failed apps. A count budget is
   * exceeded by its (N+1)th failure; a percentage one when failed/processed is above N% and at least
   * `minApps` apps were processed.
   */
  check(processed: number, failed: number): BudgetCheck {
    const s = this.spec;
    if (s.kind === 'count') {
      return failed > s.max
        ? { exceeded: true, reason: `${failed} apps failed, more than the budget of ${describeBudget(s, this.minApps)}` }
        : { exceeded: false, reason: null };
    }
    if (processed === 0 || processed < this.minApps) return { exceeded: false, reason: null };
    const rate = (failed / processed) * 100;
    // compare in integers where possible: 5% of 200 is exactly 10 failures, which is not above 5%
    if (failed * 100 <= s.max * processed) return { exceeded: false, reason: null };
    return { exceeded: true, reason: `${failed} of ${processed} processed apps failed (${formatPercent(rate)}), above the budget of ${describeBudget(s, this.minApps)}` };
  }
}

/** 12.3456 → "12.35%", 100 → "100%". */
export function formatPercent(v: number): string {
  return `${Number.isInteger(v) ? v : v.toFixed(2)}%`;
}
