/**
 * The fixed table shapes of the row-creating mapping tokens (reference §8.11–8.17, §15).
 * A table is a row creator because of the tokens its mappings use, not because of its name.
 */
import type { ColumnModel, DuplicatePolicy } from './schema-types.js';

/** Row-creator families, one per token. */
export type RowCreatorKind =
  | 'score' | 'indicator' | 'history' | 'report-lookup' | 'policy-exception' | 'warranty' | 'collateral';

/** Token name (lower-case, without parameters) → row-creator family. */
export const ROW_CREATOR_TOKENS: Readonly<Record<string, RowCreatorKind>> = {
  add_score: 'score',
  add_indicator: 'indicator',
  add_history: 'history',
  add_report_lookup: 'report-lookup',
  policy_exceptions: 'policy-exception',
  warranty_field: 'warranty',
  add_collateral: 'collateral',
};

/** The first row-creator family among `tokens`, or null. */
export function rowCreatorKind(tokens: readonly string[]): RowCreatorKind | null {
  for (const t of tokens) {
    const kind = ROW_CREATOR_TOKENS[t];
    if (kind) return kind;
  }
  return null;
}

/** A fixed shape: key columns (the primary key, in order), optional mapped columns, trailing fixed columns. */
export interface RowCreatorShape {
  readonly keys: readonly ColumnModel[];
  /** Whether the table's mapped `target_column`s become columns (between keys and trailing). */
  readonly mappedColumns: boolean;
  readonly trailing: readonly ColumnModel[];
  /** Key/value tables keep the last duplicate (the reference upserts); slot tables keep the first. */
  readonly duplicatePolicy: DuplicatePolicy;
}

const appId: ColumnModel = { name: 'app_id', type: { kind: 'bigint' }, nullable: false };
const key = (name: string, length: number): ColumnModel => ({ name, type: { kind: 'string', length }, nullable: false });
const smallKey = (name: string): ColumnModel => ({ name, type: { kind: 'smallint' }, nullable: false });
const text = (name: string, length: number): ColumnModel => ({ name, type: { kind: 'string', length }, nullable: true });

/** Shapes per family. */
export const ROW_CREATOR_SHAPES: Readonly<Record<RowCreatorKind, RowCreatorShape>> = {
  score: {
    keys: [appId, key('score_identifier', 50)], mappedColumns: false,
    trailing: [{ name: 'score', type: { kind: 'int' }, nullable: true }], duplicatePolicy: 'last',
  },
  indicator: { keys: [appId, key('indicator', 50)], mappedColumns: false, trailing: [text('value', 250)], duplicatePolicy: 'last' },
  history: {
    keys: [appId, key('name', 100)], mappedColumns: false,
    trailing: [text('source', 50), text('value', 250)], duplicatePolicy: 'last',
  },
  'report-lookup': {
    keys: [appId, key('name', 100)], mappedColumns: false,
    trailing: [text('value', 250), text('source_report_key', 20)], duplicatePolicy: 'last',
  },
  'policy-exception': {
    keys: [appId, smallKey('policy_exception_type_enum')], mappedColumns: false,
    trailing: [text('reason_code', 20), text('notes', 1000)], duplicatePolicy: 'first',
  },
  warranty: {
    keys: [appId, smallKey('warranty_type_enum')], mappedColumns: true,
    trailing: [{ name: 'merrick_lienholder_flag', type: { kind: 'bit' }, nullable: true }], duplicatePolicy: 'first',
  },
  collateral: { keys: [appId, smallKey('sort_order')], mappedColumns: true, trailing: [], duplicatePolicy: 'first' },
};
