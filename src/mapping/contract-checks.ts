/**
 * Semantic contract checks — everything the JSON Schema cannot express. Entry point:
 * {@link checkContractSemantics}. Rule ids are listed in docs/contract-format.md.
 */
import type { IdentifierDialect } from '../db/identifiers.js';
import { checkDialectIdentifiers } from './contract-checks-identifiers.js';
import { checkMappings } from './contract-checks-mapping.js';
import { checkFilterRules, checkRelationships, checkTableOrder } from './contract-checks-tables.js';
import {
  ROOT_PATH, SAFE_IDENTIFIER, didYouMean, isRecord, joinPath, type ProblemCollector,
} from './contract-problems.js';
import { contractFieldNames } from './contract-schema.js';
import { buildContractView, type ContractView } from './contract-view.js';

/** Rule `unknown-field` (warning): top-level keys and mapping fields the format does not define (typos such as `nulable`). */
export function checkUnknownFields(view: ContractView, sink: ProblemCollector): void {
  const { topLevel, mapping } = contractFieldNames();
  for (const key of Object.keys(view.raw)) {
    if (!topLevel.includes(key)) {
      sink.warn('unknown-field', joinPath(ROOT_PATH, key), `unknown top-level key (ignored)${didYouMean(key, topLevel)}`);
    }
  }
  for (const m of view.mappings) {
    for (const key of Object.keys(m.entry)) {
      if (!mapping.includes(key)) {
        sink.warn('unknown-field', joinPath(m.path, key), `unknown mapping field (ignored)${didYouMean(key, mapping)}`);
      }
    }
  }
}

/** Report `value` at `path` when it is a string that is not a safe SQL identifier (rule `unsafe-identifier`). */
function identifier(value: unknown, path: string, sink: ProblemCollector): void {
  if (typeof value !== 'string' || value === '' || SAFE_IDENTIFIER.test(value)) return;
  sink.error('unsafe-identifier', path,
    `${JSON.stringify(value)} is not a safe SQL identifier (letters, digits, _; must not start with a digit; ≤128 chars)`);
}

/**
 * Rule `unsafe-identifier`: target_schema, source_table, source_column, source_application_table,
 * every ordered table, every mapping's target_table (once per name) and target_column, and every
 * relationship's table and key names.
 */
export function checkIdentifiers(view: ContractView, sink: ProblemCollector): void {
  for (const key of ['target_schema', 'source_table', 'source_column', 'source_application_table']) {
    identifier(view.raw[key], key, sink);
  }
  const order = view.raw['table_insertion_order'];
  if (Array.isArray(order)) order.forEach((t, k) => identifier(t, joinPath('table_insertion_order', k), sink));
  const tables = new Set<string>();
  for (const m of view.mappings) {
    if (m.table !== null && !tables.has(m.table)) {
      tables.add(m.table);
      identifier(m.table, joinPath(m.path, 'target_table'), sink);
    }
    identifier(m.entry['target_column'], joinPath(m.path, 'target_column'), sink);
  }
  for (const { path, rel } of view.relationships) {
    for (const key of ['parent_table', 'child_table', 'foreign_key_column']) identifier(rel[key], joinPath(path, key), sink);
  }
}

/** Rule `xml-path` for one value: absolute, no empty segment, first segment = xml_root_element. */
function xmlPath(value: unknown, path: string, root: string | null, sink: ProblemCollector): void {
  if (typeof value !== 'string' || value === '') return;
  const prefix = root === null ? '/' : `/${root}/`;
  if (!value.startsWith('/')) {
    sink.error('xml-path', path, `must be an absolute path starting with "${prefix}" (got ${JSON.stringify(value)})`);
    return;
  }
  const segments = value.slice(1).split('/');
  if (segments.some((s) => s.trim() === '')) {
    sink.error('xml-path', path, `has an empty path segment (got ${JSON.stringify(value)})`);
  } else if (root !== null && segments[0] !== root) {
    sink.error('xml-path', path, `must start with the root element "/${root}" (got ${JSON.stringify(value)})`);
  }
}

/**
 * Rule `xml-path`: every mapping xml_path, xml_application_path, filter-rule and relationship paths.
 */
export function checkXmlPaths(view: ContractView, sink: ProblemCollector): void {
  const root = view.root;
  xmlPath(view.raw['xml_application_path'], 'xml_application_path', root, sink);
  for (const m of view.mappings) xmlPath(m.entry['xml_path'], joinPath(m.path, 'xml_path'), root, sink);
  for (const { path, rule } of view.filterRules) {
    for (const key of ['xml_parent_path', 'xml_child_path']) xmlPath(rule[key], joinPath(path, key), root, sink);
  }
  for (const { path, rel } of view.relationships) {
    for (const key of ['xml_parent_path', 'xml_child_path']) xmlPath(rel[key], joinPath(path, key), root, sink);
  }
}

/**
 * Rule `bit-conversions`: a token `char_to_bit`/`boolean_to_bit` in use needs its map in
 * `bit_conversions` (error when missing, warning when empty — every value would become 0).
 */
export function checkBitConversions(view: ContractView, sink: ProblemCollector): void {
  const bits = view.raw['bit_conversions'];
  for (const token of ['char_to_bit', 'boolean_to_bit']) {
    const user = view.mappings.find((m) => m.names.has(token));
    if (user === undefined) continue;
    const table = isRecord(bits) ? bits[token] : undefined;
    const path = joinPath('bit_conversions', token);
    if (table === undefined) sink.error('bit-conversions', path, `missing, but ${user.path} uses ${token}`);
    else if (isRecord(table) && Object.keys(table).length === 0) {
      sink.warn('bit-conversions', path, `is empty, so every ${token} value becomes 0 (used by ${user.path})`);
    }
  }
}

/**
 * Run every semantic check on a raw contract, recording problems in `sink`. Tolerates contracts with
 * schema errors (wrongly typed parts are skipped, never reported twice). Does nothing when `raw` is not an object.
 * `dialects`: the databases the contract will be used with (a run: its target's); identifier
 * problems on other dialects only are warnings. Default: every dialect (`contract check`).
 */
export function checkContractSemantics(raw: unknown, sink: ProblemCollector, dialects?: readonly IdentifierDialect[]): void {
  if (!isRecord(raw)) return;
  const view = buildContractView(raw);
  checkUnknownFields(view, sink);
  checkIdentifiers(view, sink);
  checkDialectIdentifiers(view, sink, dialects);
  checkXmlPaths(view, sink);
  checkMappings(view, sink);
  checkBitConversions(view, sink);
  checkTableOrder(view, sink);
  checkRelationships(view, sink);
  checkFilterRules(view, sink);
}
