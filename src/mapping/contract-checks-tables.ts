/**
 * Semantic checks across tables: `table_insertion_order`, `relationships` and `element_filtering`.
 */
import { joinPath, type ProblemCollector } from './contract-problems.js';
import { nonEmptyString, type ContractView } from './contract-view.js';

/** Tables whose rows come from contacts and their child elements. */
export const CONTACT_TABLES: readonly string[] = Object.freeze(['app_contact_base', 'app_contact_address', 'app_contact_employment']);

/** The log table the product writes itself; it may be ordered without having mappings. */
export const PROCESSING_LOG_TABLE = 'processing_log';

/** Tokens whose rows need no relationship in the reference's startup check (key/value tables). */
const KV_TOKENS = ['add_score', 'add_indicator', 'add_history', 'add_report_lookup'];

/** First mapping path per table, in first-appearance order. */
function firstUse(view: ContractView): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of view.mappings) if (m.table !== null && !out.has(m.table)) out.set(m.table, joinPath(m.path, 'target_table'));
  return out;
}

/**
 * Rule `table-order` (when `table_insertion_order` is present): every mapped table is listed (error),
 * no table is listed twice (error), listed tables have mappings (warning; processing_log exempt),
 * and each relationship's parent precedes its child (error).
 */
export function checkTableOrder(view: ContractView, sink: ProblemCollector): void {
  const order = view.order;
  if (order === null) return;
  const used = firstUse(view);
  for (const [table, path] of used) {
    if (!order.includes(table)) sink.error('table-order', path, `table "${table}" is not listed in table_insertion_order`);
  }
  const raw = view.raw['table_insertion_order'] as unknown[];
  const firstAt = new Map<string, number>();
  raw.forEach((table, k) => {
    if (typeof table !== 'string') return;
    const path = joinPath('table_insertion_order', k);
    const prev = firstAt.get(table);
    if (prev !== undefined) {
      sink.error('table-order', path, `table "${table}" is listed twice (first at table_insertion_order[${prev}])`);
      return;
    }
    firstAt.set(table, k);
    if (!used.has(table) && table !== PROCESSING_LOG_TABLE) sink.warn('table-order', path, `table "${table}" has no mappings`);
  });
  for (const { path, rel } of view.relationships) {
    const parent = nonEmptyString(rel['parent_table']);
    const child = nonEmptyString(rel['child_table']);
    if (parent === null || child === null) continue;
    const p = firstAt.get(parent);
    const c = firstAt.get(child);
    if (p !== undefined && c !== undefined && p > c) {
      sink.error('table-order', joinPath(path, 'parent_table'),
        `parent table "${parent}" must come before child table "${child}" in table_insertion_order`);
    }
  }
}

/**
 * Rule `relationships` (when `table_insertion_order` is present, as the reference's startup check):
 * every relationship child_table is ordered (error); every ordered table except app_base, processing_log
 * and key/value tables is some relationship's child (warning — the product derives no keys from it).
 */
export function checkRelationships(view: ContractView, sink: ProblemCollector): void {
  const order = view.order;
  if (order === null) return;
  const children = new Set<string>();
  for (const { path, rel } of view.relationships) {
    const child = nonEmptyString(rel['child_table']);
    if (child === null) continue;
    children.add(child);
    if (!order.includes(child)) {
      sink.error('relationships', joinPath(path, 'child_table'), `child table "${child}" is not listed in table_insertion_order`);
    }
  }
  if (view.raw['relationships'] === undefined) return;
  const kvOnly = new Map<string, boolean>();
  for (const m of view.mappings) {
    if (m.table === null) continue;
    const kv = KV_TOKENS.some((t) => m.names.has(t));
    kvOnly.set(m.table, (kvOnly.get(m.table) ?? true) && kv);
  }
  order.forEach((table, k) => {
    if (table === 'app_base' || table === PROCESSING_LOG_TABLE || children.has(table) || kvOnly.get(table) === true) return;
    if (!kvOnly.has(table)) return; // unmapped: table-order warns already
    sink.warn('relationships', joinPath('table_insertion_order', k), `table "${table}" is not the child_table of any relationship`);
  });
}

/** The rule's type attribute: the first key whose value is a non-empty list, or null. */
export function typeAttribute(rule: Record<string, unknown>): { name: string; values: string[] } | null {
  const attrs = rule['required_attributes'];
  if (attrs === null || typeof attrs !== 'object' || Array.isArray(attrs)) return null;
  for (const [name, v] of Object.entries(attrs as Record<string, unknown>)) {
    if (Array.isArray(v) && v.length > 0) return { name, values: v.map(String) };
  }
  return null;
}

/**
 * Rule `filter-rules`: a contact rule when contact data is mapped (contact tables or contact-picking
 * tokens), an address rule when app_contact_address is mapped or curr_address_only is used, an
 * employment rule when app_contact_employment is mapped; contact and address rules need a type
 * attribute list; last_valid_sec_contact/authu_contact need a second contact type.
 */
export function checkFilterRules(view: ContractView, sink: ProblemCollector): void {
  const needFor = (pred: (table: string | null, names: ReadonlySet<string>) => boolean): string | null =>
    view.mappings.find((m) => pred(m.table, m.names))?.path ?? null;
  const needs: Record<string, string | null> = {
    contact: needFor((t, n) => (t !== null && CONTACT_TABLES.includes(t)) || ['last_valid_pr_contact', 'last_valid_sec_contact', 'authu_contact', 'curr_address_only'].some((x) => n.has(x))),
    address: needFor((t, n) => t === 'app_contact_address' || n.has('curr_address_only')),
    employment: needFor((t) => t === 'app_contact_employment'),
  };
  const hasFiltering = view.raw['element_filtering'] !== undefined;
  const rulesPath = hasFiltering ? 'element_filtering.filter_rules' : 'element_filtering';
  for (const [type, by] of Object.entries(needs)) {
    const found = view.filterRules.find((r) => r.rule['element_type'] === type);
    if (found === undefined) {
      const article = /^[aeiou]/.test(type) ? 'an' : 'a';
      if (by !== null) sink.error('filter-rules', rulesPath, `${article} "${type}" rule is required (${by} maps ${type} data)`);
      continue;
    }
    if (type === 'employment') continue;
    const attr = typeAttribute(found.rule);
    const at = joinPath(found.path, 'required_attributes');
    if (attr === null) {
      sink.error('filter-rules', at, `the ${type} rule needs a type attribute: a key whose value is a non-empty list of allowed types`);
    } else if (type === 'contact' && attr.values.length < 2) {
      const second = view.mappings.find((m) => m.names.has('last_valid_sec_contact') || m.names.has('authu_contact'));
      if (second !== undefined) {
        sink.error('filter-rules', at, `${second.path} needs a second contact type in "${attr.name}" (the list has one)`);
      }
    }
  }
}
