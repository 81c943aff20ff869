/**
 * Mapping-type tokens (`mappings[].mapping_type`): the known vocabulary, what parameter each takes,
 * and the parser the mapper and the contract checks share.
 */

/** One parsed token, e.g. `add_score(TU_TIE)` → `{ name: 'add_score', param: 'TU_TIE', raw: 'add_score(TU_TIE)' }`. */
export interface ParsedToken {
  /** Token name, the text before `(` (trimmed). */
  name: string;
  /** Text between the parentheses (untrimmed; `''` for `policy_exceptions()`); `null` when there are none. */
  param: string | null;
  /** The token as written, trimmed. */
  raw: string;
}

/** Whether a token takes a parameter in parentheses. */
export type ParamRule = 'required' | 'optional' | 'forbidden';

/** What a token accepts. */
export interface TokenSpec {
  /** `required`: `name(P)` only; `optional`: `name` or `name(P)`; `forbidden`: `name` only. */
  param: ParamRule;
  /** Whether `name()` (empty parameter) is accepted. Default false. */
  allowEmpty?: boolean;
  /** Parameter must be an integer (`int`) or a positive integer (`positive-int`). Default: any text. */
  numeric?: 'int' | 'positive-int';
  /** Creates rows of its own (key/value or slot tables) instead of filling one column. */
  rowCreating: boolean;
  /** Placeholder shown in messages, e.g. `ID` for `add_score(ID)`. */
  placeholder?: string;
}

const field = (): TokenSpec => ({ param: 'forbidden', rowCreating: false });

/**
 * Every token the reference implements: its 19 contract tokens plus the unused but implemented
 * `default_getutcdate_if_null`. Key order is the order of section 8 of the reference.
 */
export const TOKEN_SPECS: Readonly<Record<string, TokenSpec>> = Object.freeze({
  enum: field(),
  char_to_bit: field(),
  boolean_to_bit: field(),
  last_valid_pr_contact: field(),
  last_valid_sec_contact: field(),
  authu_contact: field(),
  curr_address_only: field(),
  numbers_only: field(),
  extract_numeric: field(),
  calculated_field: field(),
  add_score: { param: 'required', rowCreating: true, placeholder: 'ID' },
  add_indicator: { param: 'required', rowCreating: true, placeholder: 'NAME' },
  add_history: { param: 'forbidden', rowCreating: true },
  add_report_lookup: { param: 'optional', allowEmpty: true, rowCreating: true, placeholder: 'KEY' },
  policy_exceptions: { param: 'required', allowEmpty: true, numeric: 'int', rowCreating: true, placeholder: 'E' },
  add_collateral: { param: 'required', numeric: 'positive-int', rowCreating: true, placeholder: 'N' },
  warranty_field: { param: 'required', numeric: 'int', rowCreating: true, placeholder: 'E' },
  identity_insert: field(),
  extract_date: field(),
  default_getutcdate_if_null: field(),
});

/** All known token names (20). */
export const KNOWN_TOKENS: readonly string[] = Object.freeze(Object.keys(TOKEN_SPECS));

/** Row-creating token names: `add_score add_indicator add_history add_report_lookup policy_exceptions warranty_field add_collateral`. */
export const ROW_CREATING_TOKENS: readonly string[] = Object.freeze(
  KNOWN_TOKENS.filter((t) => TOKEN_SPECS[t]?.rowCreating === true),
);

/** Tokens exempt from the duplicate-column rule besides row creators (they pick one of several contacts). */
export const CONTACT_PICK_TOKENS: readonly string[] = Object.freeze(['last_valid_pr_contact', 'last_valid_sec_contact']);

/** The table each row-creating token writes to in the reference (its strategy is chosen by table name). */
export const ROW_TOKEN_TABLES: Readonly<Record<string, string>> = Object.freeze({
  add_score: 'scores',
  add_indicator: 'indicators',
  add_history: 'app_historical_lookup',
  add_report_lookup: 'app_report_results_lookup',
  policy_exceptions: 'app_policy_exceptions_rl',
  add_collateral: 'app_collateral_rl',
  warranty_field: 'app_warranties_rl',
});

/** Split a raw `mapping_type` value into trimmed token strings; a string is split on commas; empties are dropped. */
export function splitMappingTypes(value: readonly string[] | string | null | undefined): string[] {
  if (value === null || value === undefined) return [];
  const parts = typeof value === 'string' ? value.split(',') : value;
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

/** Parse one trimmed token. Lenient: malformed parentheses are reported by {@link tokenSyntaxError}, not here. */
export function parseToken(raw: string): ParsedToken {
  const open = raw.indexOf('(');
  if (open < 0) return { name: raw, param: null, raw };
  const close = raw.lastIndexOf(')');
  const param = close > open ? raw.slice(open + 1, close) : raw.slice(open + 1);
  return { name: raw.slice(0, open).trim(), param, raw };
}

/**
 * Parse a mapping's `mapping_type` (array or comma-separated string; `null`/absent → `[]`).
 * Tokens are trimmed, empty ones dropped; `add_score(TU_TIE)` → name `add_score`, param `TU_TIE`;
 * `policy_exceptions()` → param `''`; no parentheses → param `null`.
 */
export function parseMappingTypes(value: readonly string[] | string | null | undefined): ParsedToken[] {
  return splitMappingTypes(value).map(parseToken);
}

/** True if the parsed token list contains a row-creating token. */
export function hasRowCreatingToken(tokens: readonly ParsedToken[]): boolean {
  return tokens.some((t) => ROW_CREATING_TOKENS.includes(t.name));
}

/**
 * Structural problem with a token's parentheses or name, or `null` when it is well formed:
 * `name` or `name(param)` with a name of letters, digits and `_` and at most one balanced pair at the end.
 */
export function tokenSyntaxError(raw: string): string | null {
  const opens = raw.split('(').length - 1;
  const closes = raw.split(')').length - 1;
  if (opens !== closes || raw.indexOf(')') < raw.indexOf('(')) return 'unbalanced parentheses';
  if (opens > 1) return 'nested or repeated parentheses';
  if (opens === 1 && !raw.endsWith(')')) return 'text after the closing parenthesis';
  const name = parseToken(raw).name;
  if (name === '') return 'missing token name';
  if (!/^[A-Za-z0-9_]+$/.test(name)) return 'token name may contain only letters, digits and _';
  return null;
}

/**
 * Problem with a known token's parameter, or `null` when it fits its {@link TokenSpec}.
 * Assumes {@link tokenSyntaxError} returned null and the name is known.
 */
export function tokenParamError(token: ParsedToken): string | null {
  const spec = TOKEN_SPECS[token.name];
  if (spec === undefined) return null;
  const { name, param } = token;
  const form = `${name}(${spec.placeholder ?? 'P'})`;
  if (param === null) {
    if (spec.param !== 'required') return null;
    return spec.allowEmpty === true
      ? `"${name}" needs parentheses: ${form} or ${name}()`
      : `"${name}" needs a parameter: ${form}`;
  }
  if (spec.param === 'forbidden') return `"${name}" takes no parameter (got "${token.raw}")`;
  if (param === '') return spec.allowEmpty === true ? null : `"${name}" needs a non-empty parameter: ${form}`;
  if (spec.numeric === 'int' && !/^-?\d+$/.test(param)) {
    return `"${name}" parameter must be an integer (got "${param}")`;
  }
  if (spec.numeric === 'positive-int' && !(/^\d+$/.test(param) && Number(param) > 0)) {
    return `"${name}" parameter must be a positive integer (got "${param}")`;
  }
  return null;
}
