/** Tiny contracts and documents for the compatibility tests (written for these tests only). */
import type { MappingContract, MappingEntry } from '../../../src/mapping/contract-types.js';
import { DataMapper } from '../../../src/mapping/data-mapper.js';
import type { DecisionId } from '../../../src/mapping/legacy.js';
import { compilePlan } from '../../../src/mapping/plan.js';
import type { MappedApp } from '../../../src/mapping/values.js';

const APP = '/Provenir/Request/CustData/application';

/** A contract with the usual CC-style rules and the given mappings (app_id mapping added first). */
export function contractWith(mappings: Partial<MappingEntry>[], extra: Partial<MappingContract> = {}): MappingContract {
  const full: MappingEntry[] = [
    { xml_path: '/Provenir/Request', xml_attribute: 'ID', target_table: 'app_base', target_column: 'app_id', data_type: 'int', mapping_type: ['identity_insert'], nullable: false },
    ...mappings.map((m) => ({ xml_path: APP, target_table: 'app_t', data_type: 'string', nullable: true, ...m }) as MappingEntry),
  ];
  const tables = [...new Set(full.map((m) => m.target_table))];
  return {
    xml_root_element: 'Provenir', xml_application_path: APP, source_table: 'app_xml', source_column: 'xml',
    source_application_table: 'application', target_schema: 'dbo',
    table_insertion_order: [...tables, 'processing_log'],
    element_filtering: { filter_rules: [
      { element_type: 'contact', xml_child_path: `${APP}/contact`, required_attributes: { con_id: true, ac_role_tp_c: ['PR', 'AUTHU'] } },
      { element_type: 'address', xml_child_path: `${APP}/contact/contact_address`, required_attributes: { address_tp_c: ['CURR', 'PREV'] } },
      { element_type: 'employment', xml_child_path: `${APP}/contact/contact_employment`, required_attributes: { employment_tp_c: ['CURR', 'PREV'] } },
    ] },
    relationships: [],
    mappings: full,
    enum_mappings: { address_type_enum: { CURR: 320, PREV: 321 }, status_enum: { A: 160, P: 165 } },
    bit_conversions: { char_to_bit: { Y: 1, N: 0, '': 0 }, boolean_to_bit: { true: 1, false: 0, y: 1, n: 0, '': 0 } },
    ...extra,
  };
}

/** A document with application attributes, optional inner XML and optional report section. */
export function doc(appAttrs: Record<string, string>, inner = '', reports = '', id = '42'): string {
  const a = Object.entries(appAttrs).map(([k, v]) => ` ${k}="${v}"`).join('');
  return `\uFEFF<Provenir><Request ID="${id}"><CustData><application${a}>${inner}</application></CustData>${reports ? `<Reports>${reports}</Reports>` : ''}</Request></Provenir>`;
}

/** Maps `xml` with the product behaviour, or with one reference defect re-enabled. */
export function mapWith(contract: MappingContract, xml: string, legacy?: DecisionId): MappedApp {
  return new DataMapper(compilePlan(contract), legacy ? { legacy: new Set([legacy]) } : {}).map(xml);
}

/** The single row of `table` (undefined when absent). */
export function row(app: MappedApp, table = 'app_t'): Record<string, unknown> | undefined {
  return app.tables.get(table)?.[0] as Record<string, unknown> | undefined;
}
