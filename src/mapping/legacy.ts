/**
 * Identifiers of the reference defects the product fixes (docs/compatibility.md). The mapper can be
 * asked to reproduce a defect again (`legacy`), which is how the conformance command proves that
 * every difference from the reference outputs is explained by one listed decision.
 */
export const DECISIONS = ['B1', 'B2', 'B3', 'B4', 'B5', 'B7', 'B8', 'B9', 'B11', 'B13', 'B14', 'B15'] as const;

/** One decision id. */
export type DecisionId = (typeof DECISIONS)[number];

/** One-line summaries, printed by `xmlmigrate conformance`. */
export const DECISION_SUMMARY: Readonly<Record<string, string>> = {
  B1: 'data_length -1 means unlimited (no last-character truncation)',
  B2: 'numbers_only/extract_numeric keep leading zeros for string columns; numeric columns parse the number',
  B3: 'bit coercion reads Y/N/1/0/true/false instead of truthiness',
  B4: 'integers parse thousands separators and signs',
  B5: 'exclude_default_when_record_empty is honoured: other defaults make a row meaningful',
  B6: 'expressions: numeric literals, SQL precedence, parentheses, case-insensitive comparison',
  B7: 'expression references resolve inside the application element, never in report sections',
  B8: 'a NOT NULL column with no value and no default fails the app at the mapping stage',
  B9: 'calculated decimals round to data_length; calculated numbers print without ".0"',
  B10: 'contacts, addresses and employments are all read at the contract paths',
  B11: "'' becomes NULL in the mapper",
  B12: 'an expression without calculated_field is ignored (as the reference), with a contract warning',
  B13: 'row-creator values are typed and truncated to their column, with a warning',
  B14: 'entities are decoded exactly once',
  B15: 'address/employment rows are de-duplicated on (con_id, type) within an app, first kept',
  B18: 'blank source rows are logged as failed instead of ending the run',
};

/** Options that change mapping behaviour. */
export interface MapperOptions {
  /** Reproduce these reference defects (for conformance explanations only). Default: none. */
  readonly legacy?: ReadonlySet<DecisionId>;
  /** Clock for `default_getutcdate_if_null`. Default: the current UTC time. */
  readonly now?: () => import('./values.js').DateTime;
}
