/**
 * A tolerant, pre-digested view of a raw contract for the semantic checks. Built from JSON that may
 * still have schema errors, so every field is read defensively (a wrong type reads as absent —
 * the schema pass has already reported it).
 */
import { isRecord, joinPath } from './contract-problems.js';
import { parseToken, type ParsedToken } from './mapping-tokens.js';

/** One token as written, with the JSON path of the place it was written. */
export interface LocatedToken extends ParsedToken {
  /** `mappings[3].mapping_type[1]` (array form) or `mappings[3].mapping_type` (comma-string form). */
  path: string;
}

/** One `mappings[]` entry. */
export interface MappingView {
  index: number;
  /** `mappings[<index>]` */
  path: string;
  entry: Record<string, unknown>;
  /** `target_table` when it is a non-empty string, else null. */
  table: string | null;
  /** `target_column` when it is a non-empty string, else null. */
  column: string | null;
  /** `data_type` when a string, else null. */
  dataType: string | null;
  tokens: LocatedToken[];
  /** Names of all tokens (known or not). */
  names: ReadonlySet<string>;
}

/** The parts of a contract the semantic checks read. */
export interface ContractView {
  raw: Record<string, unknown>;
  /** `xml_root_element` when a non-empty string. */
  root: string | null;
  mappings: MappingView[];
  /** `table_insertion_order` (string items only) when it is an array, else null. */
  order: string[] | null;
  /** `enum_mappings` when an object, else `{}`. */
  enums: Record<string, unknown>;
  /** Filter rules that are objects, with their paths. */
  filterRules: { path: string; rule: Record<string, unknown> }[];
  /** Relationships that are objects, with their paths. */
  relationships: { path: string; rel: Record<string, unknown> }[];
}

/** `value` when it is a non-empty string, else null. */
export function nonEmptyString(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function locateTokens(value: unknown, path: string): LocatedToken[] {
  const out: LocatedToken[] = [];
  const add = (text: string, at: string): void => {
    const raw = text.trim();
    if (raw !== '') out.push({ ...parseToken(raw), path: at });
  };
  if (typeof value === 'string') for (const part of value.split(',')) add(part, path);
  else if (Array.isArray(value)) value.forEach((t, k) => { if (typeof t === 'string') add(t, joinPath(path, k)); });
  return out;
}

function objectsIn<T>(
  value: unknown, base: string, wrap: (path: string, obj: Record<string, unknown>, index: number) => T,
): T[] {
  if (!Array.isArray(value)) return [];
  const out: T[] = [];
  value.forEach((item, i) => { if (isRecord(item)) out.push(wrap(joinPath(base, i), item, i)); });
  return out;
}

/** Build the view; `raw` must be an object. */
export function buildContractView(raw: Record<string, unknown>): ContractView {
  const mappings = objectsIn(raw['mappings'], 'mappings', (path, entry, index): MappingView => {
    const tokens = locateTokens(entry['mapping_type'], joinPath(path, 'mapping_type'));
    return {
      index,
      path,
      entry,
      table: nonEmptyString(entry['target_table']),
      column: nonEmptyString(entry['target_column']),
      dataType: typeof entry['data_type'] === 'string' ? entry['data_type'] : null,
      tokens,
      names: new Set(tokens.map((t) => t.name)),
    };
  });
  const order = Array.isArray(raw['table_insertion_order'])
    ? raw['table_insertion_order'].filter((t): t is string => typeof t === 'string')
    : null;
  const filtering = raw['element_filtering'];
  const rulesPath = 'element_filtering.filter_rules';
  return {
    raw,
    root: nonEmptyString(raw['xml_root_element']),
    mappings,
    order,
    enums: isRecord(raw['enum_mappings']) ? raw['enum_mappings'] : {},
    filterRules: isRecord(filtering) ? objectsIn(filtering['filter_rules'], rulesPath, (path, rule) => ({ path, rule })) : [],
    relationships: objectsIn(raw['relationships'], 'relationships', (path, rel) => ({ path, rel })),
  };
}
