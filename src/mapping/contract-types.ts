/**
 * The XmlConversion mapping-contract format, as read from JSON (accepted unchanged).
 * Field meanings follow the reference behaviour; see docs/contract-format.md.
 */

/** Column data types a mapping may declare; anything else is treated as `string` (with a warning). */
export const DATA_TYPES = [
  'string', 'int', 'smallint', 'bigint', 'tinyint', 'decimal', 'float',
  'datetime', 'smalldatetime', 'date', 'bit', 'boolean',
] as const;
export type DataType = (typeof DATA_TYPES)[number];

/** One element-filtering rule (`element_filtering.filter_rules[]`). */
export interface FilterRule {
  element_type: 'contact' | 'address' | 'employment' | string;
  description?: string;
  xml_parent_path?: string;
  xml_child_path: string;
  /** `true` = attribute present and non-empty; a list = non-empty and one of the values (order is semantic). */
  required_attributes: Record<string, true | boolean | string[]>;
}

/** One relationship; only `child_table` → last segment of `xml_child_path` is used by the mapper. */
export interface Relationship {
  parent_table: string;
  child_table: string;
  foreign_key_column: string;
  xml_parent_path: string;
  xml_child_path: string;
}

/** One field mapping (`mappings[]`). */
export interface MappingEntry {
  xml_path: string;
  xml_attribute?: string;
  target_table: string;
  target_column?: string;
  data_type: string;
  data_length?: number | null;
  /** Token list, or a comma-separated string. Absent/empty = direct mapping. */
  mapping_type?: string[] | string | null;
  nullable?: boolean;
  required?: boolean;
  default_value?: string | number | boolean | null;
  exclude_default_when_record_empty?: boolean;
  expression?: string;
  enum_name?: string;
  description?: string;
}

/** The whole contract file. Unknown top-level keys are ignored. */
export interface MappingContract {
  xml_root_element: string;
  xml_application_path?: string;
  source_table: string;
  source_column: string;
  source_application_table?: string;
  /** Default `dbo`. */
  target_schema?: string;
  table_insertion_order?: string[];
  element_filtering?: { filter_rules: FilterRule[] };
  relationships?: Relationship[];
  mappings: MappingEntry[];
  enum_mappings?: Record<string, Record<string, number | string>>;
  bit_conversions?: Record<string, Record<string, number>>;
}

/** A problem found while loading or checking a contract. `path` is a JSON path such as `mappings[12].data_type`. */
export interface ContractProblem {
  severity: 'error' | 'warning';
  path: string;
  message: string;
  /** Stable rule id, e.g. `schema`, `unknown-token`, `enum-unresolved`. */
  rule: string;
  /** The contract file, when the problem came from one (set by `checkContract(raw, file)` / `loadContractFile`). */
  file?: string;
}
