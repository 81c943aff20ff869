/**
 * Tiny mapping contracts and XML documents for the mapper unit tests. Everything here is synthetic
 * (CC-shaped: `Provenir` root, `application` element, `contact` / `contact_address` /
 * `contact_employment` children); no reference fixture is copied.
 */
import type { MappingContract, MappingEntry } from '../../../src/mapping/contract-types.js';
import { AppFailure } from '../../../src/mapping/app-failure.js';
import { DataMapper } from '../../../src/mapping/data-mapper.js';
import type { DecisionId } from '../../../src/mapping/legacy.js';
import { compilePlan } from '../../../src/mapping/plan.js';
import { DateTime, Decimal, type CellValue, type MappedApp, type Row } from '../../../src/mapping/values.js';

export const REQUEST = '/Provenir/Request';
export const APP = '/Provenir/Request/CustData/application';
export const CONTACT = `${APP}/contact`;
export const ADDR = `${CONTACT}/contact_address`;
export const EMP = `${CONTACT}/contact_employment`;
export const BCARD = `${CONTACT}/app_prod_bcard`;
export const PRODUCT = `${APP}/app_product`;

/** The app_id mapping every contract starts with (mappings[0]). */
export const APP_ID_MAPPING: MappingEntry = {
  xml_path: REQUEST, xml_attribute: 'ID', target_table: 'app_base', target_column: 'app_id',
  data_type: 'int', mapping_type: ['identity_insert'], nullable: false, required: true,
};

/** One mapping; defaults: element = application, string, nullable. */
export function m(target_table: string, target_column: string, xml_attribute: string, more: Partial<MappingEntry> = {}): MappingEntry {
  return { xml_path: APP, xml_attribute, target_table, target_column, data_type: 'string', nullable: true, ...more };
}

export const ENUMS: Record<string, Record<string, number | string>> = {
  status_enum: { A: 160, P: 165, W: 167 },
  app_source_enum: { I: 1, M: 2, 'CK-API': 5 },
  population_assignment_enum: { CM: 230, JB: 231, '': 229 },
  decision_enum: { APPRV: 50, DECLN: 51 },
  contact_type_enum: { PR: 281, AUTHU: 280 },
  address_type_enum: { CURR: 320, PREV: 321 },
  employment_type_enum: { CURR: 350, PREV: 351 },
  ownership_type_enum: { O: 330, R: 332, X: 335 },
  officer_code_to_email_enum: { '6010': 'officer6010@example.com', '6020': 'officer6020@example.com' },
  channel_enum: { WEB: 1, BRANCH: 2, '': 9 },
};

export const BITS: Record<string, Record<string, number>> = {
  char_to_bit: { Y: 1, N: 0, U: 1, D: 0, R: 1, P: 0, '': 0, null: 0, ' ': 0 },
  boolean_to_bit: { true: 1, false: 0, '1': 1, '0': 0, yes: 1, no: 0, y: 1, n: 0, '': 0, null: 0 },
};

export interface ContractOptions {
  /** Leave out the app_id mapping (the mapper then reads /Provenir/Request@ID). */
  noAppId?: boolean;
  extra?: Partial<MappingContract>;
}

/** A CC-shaped contract holding APP_ID_MAPPING followed by `mappings`. */
export function contract(mappings: MappingEntry[], opts: ContractOptions = {}): MappingContract {
  const all = opts.noAppId ? mappings : [APP_ID_MAPPING, ...mappings];
  const tables = [...new Set(all.map((x) => x.target_table))];
  return {
    xml_root_element: 'Provenir',
    xml_application_path: APP,
    source_table: 'app_xml_staging',
    source_column: 'app_XML',
    source_application_table: 'application',
    target_schema: 'dbo',
    table_insertion_order: [...tables, 'processing_log'],
    element_filtering: {
      filter_rules: [
        { element_type: 'contact', xml_parent_path: APP, xml_child_path: CONTACT, required_attributes: { con_id: true, ac_role_tp_c: ['PR', 'AUTHU'] } },
        { element_type: 'address', xml_parent_path: CONTACT, xml_child_path: ADDR, required_attributes: { address_tp_c: ['CURR', 'PREV'] } },
        { element_type: 'employment', xml_parent_path: CONTACT, xml_child_path: EMP, required_attributes: { employment_tp_c: ['CURR', 'PREV'] } },
      ],
    },
    relationships: [
      { parent_table: 'app_base', child_table: 'app_contact_base', foreign_key_column: 'app_id', xml_parent_path: APP, xml_child_path: CONTACT },
      { parent_table: 'app_contact_base', child_table: 'app_contact_address', foreign_key_column: 'con_id', xml_parent_path: CONTACT, xml_child_path: ADDR },
      { parent_table: 'app_contact_base', child_table: 'app_contact_employment', foreign_key_column: 'con_id', xml_parent_path: CONTACT, xml_child_path: EMP },
    ],
    mappings: all,
    enum_mappings: ENUMS,
    bit_conversions: BITS,
    ...opts.extra,
  };
}

/** XML-escapes attribute text (so a value given here reaches the mapper unchanged after one decode). */
export function esc(v: string): string {
  return v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
}

/** `<tag a="v" …>children</tag>` (self-closing without children). Attribute values are escaped. */
export function el(tag: string, attrs: Record<string, string> = {}, ...children: string[]): string {
  const a = Object.entries(attrs).map(([k, v]) => ` ${k}="${esc(v)}"`).join('');
  return children.length === 0 ? `<${tag}${a}/>` : `<${tag}${a}>${children.join('')}</${tag}>`;
}

/** A contact element. */
export function contactEl(attrs: Record<string, string>, ...children: string[]): string {
  return el('contact', attrs, ...children);
}

/** A valid-looking PR/AUTHU contact (con_id, role, first_name) plus extra attributes. */
export function person(conId: string, role: string, firstName: string, more: Record<string, string> = {}, ...children: string[]): string {
  return contactEl({ con_id: conId, ac_role_tp_c: role, first_name: firstName, ...more }, ...children);
}

export interface DocOptions {
  /** Request@ID; null = no ID attribute. Default "42". */
  id?: string | null;
  /** application attributes. */
  app?: Record<string, string>;
  /** children of application (already XML). */
  children?: string[];
  /** children of Request after CustData (report sections outside the application). */
  outside?: string[];
  /** Name of the application element (default "application"). */
  appTag?: string;
  /** Prefix put before the document (e.g. a BOM). */
  prefix?: string;
}

/** A whole document. */
export function xmlDoc(o: DocOptions = {}): string {
  const id = o.id === undefined ? '42' : o.id;
  const req = id === null ? {} : { ID: id };
  const app = el(o.appTag ?? 'application', o.app ?? {}, ...(o.children ?? []));
  const body = el('Request', req, el('CustData', {}, app), ...(o.outside ?? []));
  return `${o.prefix ?? ''}<Provenir>${body}</Provenir>`;
}

export interface MapOptions {
  legacy?: DecisionId[];
  now?: () => DateTime;
}

/** Compiles `c` and maps `xml`. */
export function mapXml(c: MappingContract, xml: string, o: MapOptions = {}): MappedApp {
  const opts: { legacy?: Set<DecisionId>; now?: () => DateTime } = {};
  if (o.legacy) opts.legacy = new Set(o.legacy);
  if (o.now) opts.now = o.now;
  return new DataMapper(compilePlan(c), opts).map(xml);
}

/** Test-friendly cell: Decimal → {dec: text}, DateTime → {dt: iso}. */
export type Plain = string | number | boolean | null | { dec: string } | { dt: string };

export function plain(v: CellValue): Plain {
  if (v instanceof Decimal) return { dec: v.text };
  if (v instanceof DateTime) return { dt: v.iso };
  return v;
}

export function dec(text: string): { dec: string } { return { dec: text }; }
export function dt(iso: string): { dt: string } { return { dt: iso }; }

export function plainRow(r: Row): Record<string, Plain> {
  const out: Record<string, Plain> = {};
  for (const k of Object.keys(r)) out[k] = plain(r[k] as CellValue);
  return out;
}

/** Rows of a table as plain objects; undefined when the table is absent. */
export function rows(app: MappedApp, table: string): Record<string, Plain>[] | undefined {
  return app.tables.get(table)?.map(plainRow);
}

/** The single row of `table` (throws when absent or when there are several). */
export function one(app: MappedApp, table: string): Record<string, Plain> {
  const r = rows(app, table);
  if (!r) throw new Error(`table ${table} absent; tables: ${[...app.tables.keys()].join(', ')}`);
  if (r.length !== 1) throw new Error(`table ${table} has ${r.length} rows`);
  return r[0]!;
}

/** Runs `fn` and returns the AppFailure it throws (fails the test otherwise). */
export function failure(fn: () => unknown): AppFailure {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppFailure) return err;
    throw new Error(`expected an AppFailure, got ${String(err)}`);
  }
  throw new Error('expected an AppFailure, but the call succeeded');
}

/** Maps with a contract of `mappings` (app_id first) a document of application attributes + children. */
export function mapApp(mappings: MappingEntry[], app: Record<string, string>, children: string[] = [], o: MapOptions = {}): MappedApp {
  return mapXml(contract(mappings), xmlDoc({ app, children }), o);
}
