/**
 * Identifier checks per dialect — names that pass `unsafe-identifier` but cannot work on a given
 * database (issue 9, item 8):
 *
 * - rule `identifier-clash`: two names of one namespace that the dialect takes for the same name —
 *   tables (the contract's, plus the product's own `processing_log` and the source table, which live
 *   in the same schema) that differ only in case, and a mapped column that differs only in case from
 *   the key column the product adds (`app_id`). SQL Server (default collation) and SQLite compare
 *   names without case; PostgreSQL keeps quoted names apart. (Mapped columns that differ only in
 *   case are already `duplicate-column` errors on every dialect.)
 * - rule `identifier-too-long`: a name longer than the dialect keeps (PostgreSQL: 63 bytes, longer
 *   names are silently truncated, so two long names become one and the preflight cannot find them;
 *   SQL Server: 128 characters).
 *
 * `contract check` has no target: it reports every dialect a name breaks, naming each. A run passes
 * its target's dialect: a problem on other dialects only is then a warning.
 */
import {
  IDENTIFIER_DIALECTS, IDENTIFIER_RULES, identifierKey, identifierTooLong, isIdentifier, type IdentifierDialect,
} from '../db/identifiers.js';
import { PROCESSING_LOG_TABLE } from './contract-checks-tables.js';
import { joinPath, type ProblemCollector } from './contract-problems.js';
import type { ContractView } from './contract-view.js';

/** One name as written, and where. */
interface Named {
  readonly name: string;
  readonly path: string;
}

/** "SQL Server and SQLite" */
function dialectList(ds: readonly IdentifierDialect[]): string {
  const labels = ds.map((d) => IDENTIFIER_RULES[d].label);
  return labels.length <= 1 ? (labels[0] ?? '') : `${labels.slice(0, -1).join(', ')} and ${labels[labels.length - 1]}`;
}

/** Records a problem that breaks `broken`: an error when the checked dialects include one of them, else a warning. */
function report(sink: ProblemCollector, rule: string, path: string, text: string, broken: readonly IdentifierDialect[], checked: readonly IdentifierDialect[]): void {
  if (broken.length === 0) return;
  const hits = broken.filter((d) => checked.includes(d));
  if (hits.length > 0) sink.error(rule, path, text);
  else sink.warn(rule, path, `${text} (not a problem on ${dialectList(checked)}, this run's target)`);
}

/** A list of names with their paths: `add` keeps the first place of each valid identifier, skips the rest. */
function namedList(): { out: Named[]; add: (name: unknown, path: string) => void } {
  const out: Named[] = [];
  const seen = new Set<string>();
  const add = (name: unknown, path: string): void => {
    if (typeof name !== 'string' || !isIdentifier(name) || seen.has(name)) return;
    seen.add(name);
    out.push({ name, path });
  };
  return { out, add };
}

/** Tables of the contract's schema: the contract's own (order, then mappings), processing_log, the source table. */
function tableNames(view: ContractView): Named[] {
  const { out, add } = namedList();
  // the product's own tables first, so that a clash is reported at the contract's other spelling
  add(PROCESSING_LOG_TABLE, `the product's ${PROCESSING_LOG_TABLE} table`);
  add(view.raw['source_table'], 'source_table');
  (view.order ?? []).forEach((t, k) => add(t, joinPath('table_insertion_order', k)));
  for (const m of view.mappings) add(m.table, joinPath(m.path, 'target_table'));
  for (const { path, rel } of view.relationships) for (const key of ['parent_table', 'child_table']) add(rel[key], joinPath(path, key));
  return out;
}

/** Rule `identifier-clash` for one namespace: names the dialects fold into one. */
function clashes(names: readonly Named[], what: string, sink: ProblemCollector, checked: readonly IdentifierDialect[]): void {
  const firstByKey = new Map<string, Named>();
  for (const n of names) {
    const broken = IDENTIFIER_DIALECTS.filter((d) => {
      const key = identifierKey(n.name, IDENTIFIER_RULES[d]);
      return names.some((o) => o !== n && o.name !== n.name && identifierKey(o.name, IDENTIFIER_RULES[d]) === key);
    });
    if (broken.length === 0) continue;
    const key = n.name.toLowerCase();
    const first = firstByKey.get(key);
    if (first === undefined) { firstByKey.set(key, n); continue; }
    if (first.name === n.name) continue;
    report(sink, 'identifier-clash', n.path,
      `${what} "${n.name}" and "${first.name}" (${first.path}) differ only in case: ${dialectList(broken)} take them for the same ${what} (rename one)`,
      broken, checked);
  }
}

/** Every identifier the product creates from the contract, with its path (once per name and place). */
function allIdentifiers(view: ContractView): Named[] {
  const { out, add } = namedList();
  for (const key of ['target_schema', 'source_table', 'source_column']) add(view.raw[key], key);
  (view.order ?? []).forEach((t, k) => add(t, joinPath('table_insertion_order', k)));
  for (const m of view.mappings) {
    add(m.table, joinPath(m.path, 'target_table'));
    add(m.column, joinPath(m.path, 'target_column'));
  }
  for (const { path, rel } of view.relationships) {
    for (const key of ['parent_table', 'child_table', 'foreign_key_column']) add(rel[key], joinPath(path, key));
  }
  return out;
}

/** The key column the product adds to every data table. */
const KEY_COLUMN = 'app_id';

/**
 * Rules `identifier-clash` and `identifier-too-long` for `checked` dialects (default: all — `contract
 * check`, which has no target).
 */
export function checkDialectIdentifiers(view: ContractView, sink: ProblemCollector, checked: readonly IdentifierDialect[] = IDENTIFIER_DIALECTS): void {
  clashes(tableNames(view), 'table', sink, checked);
  // the product's own tables cannot receive mapped rows (on any dialect)
  const source = typeof view.raw['source_table'] === 'string' ? view.raw['source_table'] : null;
  const reported = new Set<string>();
  for (const m of view.mappings) {
    if (m.table === null || reported.has(m.table) || (m.table !== PROCESSING_LOG_TABLE && m.table !== source)) continue;
    reported.add(m.table);
    report(sink, 'identifier-clash', joinPath(m.path, 'target_table'),
      `"${m.table}" is the product's own ${m.table === source ? 'source table (source_table)' : 'processing log'}; mapped rows cannot go there`, IDENTIFIER_DIALECTS, checked);
  }
  // a mapped column beside the key column the product adds to its table
  const keyPath = `the key column ${KEY_COLUMN} the product adds`;
  const byTable = new Map<string, Named[]>();
  for (const m of view.mappings) {
    if (m.table === null || m.column === null || !isIdentifier(m.column)) continue;
    let cols = byTable.get(m.table);
    if (!cols) { cols = [{ name: KEY_COLUMN, path: keyPath }]; byTable.set(m.table, cols); }
    if (!cols.some((c) => c.name === m.column)) cols.push({ name: m.column, path: joinPath(m.path, 'target_column') });
  }
  for (const cols of byTable.values()) clashes(cols.filter((c, i) => i === 0 || c.name.toLowerCase() === KEY_COLUMN), 'column', sink, checked);
  for (const n of allIdentifiers(view)) {
    const reasons = IDENTIFIER_DIALECTS.map((d) => [d, identifierTooLong(n.name, IDENTIFIER_RULES[d])] as const).filter(([, r]) => r !== null);
    if (reasons.length === 0) continue;
    report(sink, 'identifier-too-long', n.path,
      `"${n.name}" is too long for ${dialectList(reasons.map(([d]) => d))}: ${reasons.map(([, r]) => r).join('; ')} (two names sharing those first bytes would become one)`,
      reasons.map(([d]) => d), checked);
  }
}
