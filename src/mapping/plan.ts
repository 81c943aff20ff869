/**
 * Compiles a checked contract once per process into a plan: per-table strategies with their fields,
 * pre-parsed tokens and expressions, lookup tables (enums, bit maps), contact rules, and the scan
 * spec saying which XML elements and attributes a document must yield.
 */
import type { FilterRule, MappingContract, MappingEntry } from './contract-types.js';
import { DATA_TYPES, type DataType } from './contract-types.js';
import { resolveEnumName } from './enum-resolve.js';
import { compileExpression, type CompiledExpression } from './expression/index.js';
import { parseMappingTypes, type ParsedToken } from './mapping-tokens.js';
import { ScanSpecBuilder, pathSegments, type ScanSpec } from '../xml/scan-spec.js';

/** How a table's rows are produced (reference section 5). */
export type TableKind = 'app' | 'contact' | 'address' | 'employment' | 'kv' | 'collateral' | 'warranty' | 'policy';

/** One compiled mapping. */
export interface FieldPlan {
  readonly index: number;
  readonly entry: MappingEntry;
  readonly table: string;
  readonly column: string;
  readonly dataType: DataType;
  readonly length: number | null;
  readonly tokens: readonly ParsedToken[];
  readonly names: readonly string[];
  readonly attr: string;
  readonly attrLower: string;
  /** xml_path with namespace prefixes removed. */
  readonly path: string;
  readonly nullable: boolean;
  readonly defaultValue: string | number | boolean | null;
  readonly excludeDefault: boolean;
  readonly expr: CompiledExpression | null;
  readonly enumName: string | null;
  readonly enumExact: ReadonlyMap<string, number | string> | null;
  readonly enumLower: ReadonlyMap<string, number | string> | null;
  /** Segments of xml_path after the first segment containing "contact" (contact navigation). */
  readonly contactTail: readonly string[] | null;
  readonly has: (token: string) => boolean;
}

/** One table. */
export interface TablePlan {
  readonly name: string;
  readonly kind: TableKind;
  readonly fields: readonly FieldPlan[];
  readonly hasCalculated: boolean;
}

/** A compiled element-filter rule. */
export interface RulePlan {
  readonly path: string;
  readonly tag: string;
  readonly typeAttr: string | null;
  readonly types: readonly string[];
  readonly required: ReadonlyArray<readonly [string, true | readonly string[]]>;
}

/** Everything the mapper needs, built once. */
export interface MappingPlan {
  readonly contract: MappingContract;
  readonly tables: readonly TablePlan[];
  readonly scan: ScanSpec;
  readonly rootName: string;
  readonly appPath: string;
  readonly appTable: string;
  readonly appIdSource: { path: string; attr: string };
  readonly contact: RulePlan | null;
  readonly address: RulePlan | null;
  readonly employment: RulePlan | null;
  readonly contactTag: string;
  readonly addressTag: string;
  readonly employmentTag: string;
  readonly charToBit: ReadonlyMap<string, number>;
  readonly boolToBit: ReadonlyMap<string, number>;
  readonly insertionOrder: readonly string[];
}

const KV_TOKENS = new Set(['add_score', 'add_indicator', 'add_history', 'add_report_lookup']);

function normPath(p: string): string {
  return `/${pathSegments(p).join('/')}`;
}

function compileRule(rule: FilterRule | undefined): RulePlan | null {
  if (!rule) return null;
  const required: Array<readonly [string, true | readonly string[]]> = [];
  let typeAttr: string | null = null;
  let types: readonly string[] = [];
  for (const [k, v] of Object.entries(rule.required_attributes ?? {})) {
    if (Array.isArray(v)) {
      required.push([k, v.map(String)]);
      if (typeAttr === null && v.length > 0) { typeAttr = k; types = v.map(String); }
    } else if (v === true) required.push([k, true]);
  }
  const path = normPath(rule.xml_child_path);
  return { path, tag: pathSegments(path).at(-1) ?? '', typeAttr, types, required };
}

function tableKind(name: string, fields: readonly FieldPlan[], addressTable: string, employmentTable: string): TableKind {
  if (name === 'app_contact_base') return 'contact';
  if (name === addressTable) return 'address';
  if (name === employmentTable) return 'employment';
  const tokenNames = new Set(fields.flatMap((f) => f.names));
  if (tokenNames.has('add_collateral')) return 'collateral';
  if (tokenNames.has('warranty_field')) return 'warranty';
  if (tokenNames.has('policy_exceptions')) return 'policy';
  if ([...tokenNames].some((t) => KV_TOKENS.has(t))) return 'kv';
  return 'app';
}

function toMap(obj: Record<string, number> | undefined): Map<string, number> {
  return new Map(Object.entries(obj ?? {}));
}

/** Compiles a contract that passed `checkContract` (no errors). */
export function compilePlan(contract: MappingContract): MappingPlan {
  const rootName = contract.xml_root_element;
  const rules = contract.element_filtering?.filter_rules ?? [];
  const contact = compileRule(rules.find((r) => r.element_type === 'contact'));
  const address = compileRule(rules.find((r) => r.element_type === 'address'));
  const employment = compileRule(rules.find((r) => r.element_type === 'employment'));
  const appTable = contract.source_application_table ?? 'application';
  const appPath = normPath(contract.xml_application_path ?? `/${rootName}/Request/CustData/${appTable}`);
  const childTag = (table: string, fallback: string) => {
    const rel = (contract.relationships ?? []).find((r) => r.child_table === table);
    return rel ? pathSegments(rel.xml_child_path).at(-1) ?? fallback : fallback;
  };
  const contactTag = contact?.tag ?? childTag('app_contact_base', 'contact');
  const addressTag = address?.tag ?? childTag('app_contact_address', 'contact_address');
  const employmentTag = employment?.tag ?? childTag('app_contact_employment', 'contact_employment');
  const enums = contract.enum_mappings ?? {};

  const byTable = new Map<string, FieldPlan[]>();
  contract.mappings.forEach((entry, index) => {
    const tokens = parseMappingTypes(entry.mapping_type);
    const names = tokens.map((t) => t.name);
    const nameSet = new Set(names);
    const dataType = (DATA_TYPES as readonly string[]).includes(entry.data_type) ? (entry.data_type as DataType) : 'string';
    const path = normPath(entry.xml_path);
    const segs = pathSegments(path);
    const ci = segs.findIndex((s) => s.includes('contact'));
    const enumName = nameSet.has('enum') ? resolveEnumName(entry, enums) : null;
    const enumObj = enumName ? enums[enumName] : undefined;
    const expr = nameSet.has('calculated_field') && entry.expression ? compileExpression(entry.expression) : null;
    const attr = entry.xml_attribute ?? '';
    const f: FieldPlan = {
      index, entry, table: entry.target_table, column: entry.target_column ?? '', dataType,
      length: typeof entry.data_length === 'number' ? entry.data_length : null,
      tokens, names, attr, attrLower: attr.toLowerCase(), path,
      nullable: entry.nullable !== false,
      defaultValue: entry.default_value ?? null,
      excludeDefault: entry.exclude_default_when_record_empty === true,
      expr, enumName,
      enumExact: enumObj ? new Map(Object.entries(enumObj)) : null,
      enumLower: enumObj ? new Map(Object.entries(enumObj).map(([k, v]) => [k.toLowerCase(), v] as const).reverse()) : null,
      contactTail: ci === -1 ? null : segs.slice(ci + 1),
      has: (t: string) => nameSet.has(t),
    };
    let list = byTable.get(f.table);
    if (!list) { list = []; byTable.set(f.table, list); }
    list.push(f);
  });

  const addressTable = 'app_contact_address';
  const employmentTable = 'app_contact_employment';
  const tables: TablePlan[] = [...byTable].map(([name, fields]) => ({
    name, fields, kind: tableKind(name, fields, addressTable, employmentTable),
    hasCalculated: fields.some((f) => f.has('calculated_field')),
  }));

  const appIdField = contract.mappings.find((m) => m.target_table === 'app_base' && m.target_column === 'app_id');
  const appIdSource = appIdField?.xml_attribute
    ? { path: normPath(appIdField.xml_path), attr: appIdField.xml_attribute }
    : { path: `/${rootName}/Request`, attr: 'ID' };

  // Scan spec: every mapped element, the contact/address/employment elements, the application
  // element (its parent's children are watched for product-line checks) and the expression scope.
  const sb = new ScanSpecBuilder(rootName);
  for (const t of tables) for (const f of t.fields) sb.keep(f.path, f.attr === '');
  sb.keep(appIdSource.path);
  sb.keep(appPath);
  sb.watch(appPath.slice(0, appPath.lastIndexOf('/')) || '/');
  for (const r of [contact, address, employment]) if (r) sb.keep(r.path);
  const refTags = new Set<string>();
  const refAttrs = new Set<string>();
  for (const t of tables) for (const f of t.fields) {
    for (const ref of f.expr?.references ?? []) {
      const dot = ref.lastIndexOf('.');
      if (dot === -1) refAttrs.add(ref);
      else refTags.add(ref.slice(0, dot));
    }
  }
  sb.scope(appPath, refTags, refAttrs);

  return {
    contract, tables, scan: sb.build(), rootName, appPath, appTable, appIdSource,
    contact, address, employment, contactTag, addressTag, employmentTag,
    charToBit: toMap(contract.bit_conversions?.['char_to_bit']),
    boolToBit: toMap(contract.bit_conversions?.['boolean_to_bit']),
    insertionOrder: contract.table_insertion_order ?? [],
  };
}
