/**
 * Which `enum_mappings` entry an `enum` mapping uses (reference section 8.2).
 */

/**
 * Column-name fragments and the enum each implies, tried in this order, first match wins — the
 * reference's own order. Consequence kept on purpose: a column containing `other_income_type` but not
 * ending in `_enum` and not being an enum key resolves to `income_type_enum` (`income_type` is tried first).
 */
export const ENUM_NAME_PATTERNS: readonly (readonly [fragment: string, enumName: string])[] = Object.freeze([
  ['status', 'status_enum'],
  ['process', 'process_enum'],
  ['app_source', 'app_source_enum'],
  ['contact_type', 'contact_type_enum'],
  ['address_type', 'address_type_enum'],
  ['ownership_type', 'ownership_type_enum'],
  ['employment_type', 'employment_type_enum'],
  ['income_type', 'income_type_enum'],
  ['other_income_type', 'other_income_type_enum'],
  ['population_assignment', 'population_assignment_enum'],
  ['decision', 'decision_enum'],
] as const);

/** The two mapping fields the resolution reads. */
export interface EnumNameSource {
  target_column?: string | undefined;
  enum_name?: string | undefined;
}

/**
 * The enum name an `enum` mapping looks up: `enum_name` when set (non-empty); else the `target_column`
 * itself when it is an `enum_mappings` key or ends with `_enum`; else the first fragment rule of
 * {@link ENUM_NAME_PATTERNS} contained in the column. Returns `null` when nothing applies.
 * It does NOT check that the returned name exists in `enumMappings` (the contract checks do that).
 */
export function resolveEnumName(
  mapping: EnumNameSource,
  enumMappings: Readonly<Record<string, unknown>> | null | undefined,
): string | null {
  if (typeof mapping.enum_name === 'string' && mapping.enum_name !== '') return mapping.enum_name;
  const column = mapping.target_column;
  if (typeof column !== 'string' || column === '') return null;
  if ((enumMappings != null && Object.hasOwn(enumMappings, column)) || column.endsWith('_enum')) return column;
  for (const [fragment, enumName] of ENUM_NAME_PATTERNS) {
    if (column.includes(fragment)) return enumName;
  }
  return null;
}
