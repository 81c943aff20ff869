/**
 * Semantic checks of individual `mappings[]` entries: tokens and their parameters, target column,
 * data_length, expressions, enums, default values, row-creating token tables and duplicate columns.
 */
import { compileExpression, ExpressionSyntaxError } from './expression/index.js';
import { resolveEnumName } from './enum-resolve.js';
import { describeValue, didYouMean, joinPath, type ProblemCollector } from './contract-problems.js';
import type { ContractView, MappingView } from './contract-view.js';
import {
  CONTACT_PICK_TOKENS, KNOWN_TOKENS, ROW_CREATING_TOKENS, ROW_TOKEN_TABLES, TOKEN_SPECS,
  tokenParamError, tokenSyntaxError,
} from './mapping-tokens.js';

const INT_TYPES = new Set(['int', 'smallint', 'bigint', 'tinyint']);
const MAX_DECIMAL_SCALE = 18;

/** True when the mapping has a row-creating token. */
export function isRowCreating(m: MappingView): boolean {
  return ROW_CREATING_TOKENS.some((t) => m.names.has(t));
}

/** Rules `unknown-token` and `token-param`: every token is known, well formed and has the parameter it needs. */
export function checkTokens(m: MappingView, sink: ProblemCollector): void {
  for (const t of m.tokens) {
    const syntax = tokenSyntaxError(t.raw);
    if (syntax !== null) {
      sink.error('token-param', t.path, `malformed token "${t.raw}": ${syntax}`);
    } else if (TOKEN_SPECS[t.name] === undefined) {
      sink.error('unknown-token', t.path, `unknown mapping type "${t.name}"${didYouMean(t.name, KNOWN_TOKENS)}`);
    } else {
      const bad = tokenParamError(t);
      if (bad !== null) sink.error('token-param', t.path, bad);
    }
  }
}

/** Rule `missing-column`: only row-creating mappings may leave `target_column` absent or empty. */
export function checkTargetColumn(m: MappingView, sink: ProblemCollector): void {
  const col = m.entry['target_column'];
  if (isRowCreating(m) || (col !== undefined && typeof col !== 'string')) return;
  if (typeof col === 'string' && col.trim() !== '') return;
  sink.error('missing-column', joinPath(m.path, 'target_column'),
    `required unless mapping_type has a row-creating token (${ROW_CREATING_TOKENS.join(', ')})`);
}

/** Rule `data-length`: -1 or a positive integer; for decimal the number of fraction digits 0..18. */
export function checkDataLength(m: MappingView, sink: ProblemCollector): void {
  const len = m.entry['data_length'];
  if (typeof len !== 'number' || !Number.isInteger(len)) return; // null/absent fine; wrong type = schema error
  const path = joinPath(m.path, 'data_length');
  if (m.dataType === 'decimal') {
    if (len < 0 || len > MAX_DECIMAL_SCALE) {
      sink.error('data-length', path, `for decimal, the number of fraction digits must be 0..${MAX_DECIMAL_SCALE} (got ${len})`);
    }
  } else if (len === 0 || len < -1) {
    sink.error('data-length', path, `must be -1 (unlimited) or a positive integer (got ${len})`);
  }
}

/**
 * Rules `expression-missing` (calculated_field without expression), `expression-ignored` (warning:
 * expression without calculated_field) and `expression-syntax` (does not compile; message has the position).
 */
export function checkExpression(m: MappingView, sink: ProblemCollector): void {
  const expr = m.entry['expression'];
  const path = joinPath(m.path, 'expression');
  const text = typeof expr === 'string' ? expr : null;
  if (!m.names.has('calculated_field')) {
    if (text !== null && text.trim() !== '') {
      sink.warn('expression-ignored', path, 'ignored because mapping_type has no "calculated_field" token');
    }
    return;
  }
  if (expr !== undefined && text === null) return; // wrong type: schema error already
  if (text === null || text.trim() === '') {
    sink.error('expression-missing', path, 'a "calculated_field" mapping needs a non-empty expression');
    return;
  }
  try {
    compileExpression(text);
  } catch (err) {
    if (!(err instanceof ExpressionSyntaxError)) throw err;
    const what = /\bposition \d+\b/.test(err.message) ? err.message : `${err.message} at position ${err.position}`;
    const near = text.slice(err.position, err.position + 20);
    const where = near === '' ? 'at the end of the expression' : `near ${JSON.stringify(near)}`;
    sink.error('expression-syntax', path, `syntax error: ${what} (${where})`);
  }
}

/**
 * Rules `enum-unresolved` (an `enum` mapping's enum, explicit or derived from target_column, must be an
 * `enum_mappings` key) and `enum-name-ignored` (warning: `enum_name` without an `enum` token).
 */
export function checkEnum(m: MappingView, view: ContractView, sink: ProblemCollector): void {
  const enumName = typeof m.entry['enum_name'] === 'string' ? m.entry['enum_name'] : undefined;
  const explicit = enumName !== undefined && enumName !== '';
  if (!m.names.has('enum')) {
    if (explicit) sink.warn('enum-name-ignored', joinPath(m.path, 'enum_name'), 'ignored because mapping_type has no "enum" token');
    return;
  }
  if (!explicit && m.column === null) return; // missing-column reports it
  const name = resolveEnumName({ target_column: m.column ?? undefined, enum_name: enumName }, view.enums);
  const path = joinPath(m.path, explicit ? 'enum_name' : 'target_column');
  if (name === null) {
    sink.error('enum-unresolved', path,
      `no enum can be derived from column "${m.column ?? ''}"; set enum_name to an enum_mappings key`);
  } else if (!Object.hasOwn(view.enums, name)) {
    const how = explicit ? '' : ` (derived from target_column "${m.column ?? ''}")`;
    sink.error('enum-unresolved', path,
      `enum "${name}"${how} is not defined in enum_mappings${didYouMean(name, Object.keys(view.enums))}`);
  }
}

/** Rule `default-value` (warning): a numeric column's default must be a number. */
export function checkDefaultValue(m: MappingView, sink: ProblemCollector): void {
  const def = m.entry['default_value'];
  if (m.dataType === null || (typeof def !== 'string' && typeof def !== 'number')) return;
  const numeric = INT_TYPES.has(m.dataType) || m.dataType === 'decimal' || m.dataType === 'float';
  if (!numeric || typeof def === 'number') return;
  if (!/^\s*[+-]?(\d[\d,]*(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(def)) {
    sink.warn('default-value', joinPath(m.path, 'default_value'), `${describeValue(def)} cannot be converted to ${m.dataType}`);
  }
}

/** Rule `row-token-table` (warning): a row-creating token on a table other than the one its rows belong to. */
export function checkRowTokenTable(m: MappingView, sink: ProblemCollector): void {
  if (m.table === null) return;
  for (const t of m.tokens) {
    const expected = ROW_TOKEN_TABLES[t.name];
    if (expected !== undefined && expected !== m.table) {
      sink.warn('row-token-table', joinPath(m.path, 'target_table'),
        `"${t.name}" creates rows of table "${expected}", but the mapping targets "${m.table}"`);
    }
  }
}

/**
 * Rule `duplicate-column`: one (target_table, target_column) pair per mapping, compared case-insensitively;
 * row-creating and last_valid_pr_contact/last_valid_sec_contact mappings are exempt.
 */
export function checkDuplicateColumns(view: ContractView, sink: ProblemCollector): void {
  const seen = new Map<string, MappingView>();
  for (const m of view.mappings) {
    if (m.table === null || m.column === null || isRowCreating(m)) continue;
    if (CONTACT_PICK_TOKENS.some((t) => m.names.has(t))) continue;
    const key = `${m.table.toLowerCase()}\u0000${m.column.toLowerCase()}`;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, m);
    else sink.error('duplicate-column', joinPath(m.path, 'target_column'), `"${m.table}.${m.column}" is already mapped by ${first.path}`);
  }
}

/** Run every per-mapping check above, mapping by mapping, then the duplicate-column check. */
export function checkMappings(view: ContractView, sink: ProblemCollector): void {
  for (const m of view.mappings) {
    checkTokens(m, sink);
    checkTargetColumn(m, sink);
    checkDataLength(m, sink);
    checkExpression(m, sink);
    checkEnum(m, view, sink);
    checkDefaultValue(m, sink);
    checkRowTokenTable(m, sink);
  }
  checkDuplicateColumns(view, sink);
}
