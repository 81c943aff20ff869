/**
 * The dialect-neutral description of the target database that a mapping contract implies
 * ({@link SchemaModel}). Built by `schema-model.ts`, rendered to DDL by each dialect's `*-ddl.ts`,
 * compared against a live database by `preflight.ts`, and used by every writer to encode rows.
 */

/** Integer column kinds, narrowest first. */
export type IntegerKind = 'tinyint' | 'smallint' | 'int' | 'bigint';

/**
 * A logical column type. `datetime` is a zone-less local date-time with microsecond precision;
 * `instant` is a point in time (only `processing_log.processed_at`, filled by the database clock).
 */
export type ColumnType =
  | { readonly kind: 'string'; readonly length: number | 'max' }
  | { readonly kind: 'decimal'; readonly precision: number; readonly scale: number }
  | { readonly kind: IntegerKind }
  | { readonly kind: 'float' | 'bit' | 'date' | 'datetime' | 'instant' };

/** One column of a table. */
export interface ColumnModel {
  readonly name: string;
  readonly type: ColumnType;
  /** NOT NULL when false. */
  readonly nullable: boolean;
  /** A database-side default; only `'now'` (current UTC time) is used. Default: none. */
  readonly defaultNow?: boolean;
  /** When set, DDL adds CHECK (column IN (...)) with these string values. Default: no check. */
  readonly allowed?: readonly string[];
}

/**
 * What a table is, which decides its keys and how duplicate keys inside one batch are treated:
 * `app` one row per app; `contact` rows per contact; `row-creator` key/value or slot rows;
 * `log` the processing_log; `source` the XML source table; `claims` the two tables through which
 * concurrent runs share the work (`xmlmigrate_runs`, `xmlmigrate_claims`).
 */
export type TableRole = 'app' | 'contact' | 'row-creator' | 'log' | 'source' | 'claims';

/**
 * What the writer does with two rows of one batch that share a primary key:
 * `first` keeps the first (the reference's contact de-duplication), `last` keeps the last (the
 * reference's upsert on key/value tables), `error` leaves both and lets the database reject them.
 */
export type DuplicatePolicy = 'first' | 'last' | 'error';

/** A foreign key (always ON DELETE CASCADE). */
export interface ForeignKeyModel {
  readonly columns: readonly string[];
  readonly refTable: string;
  readonly refColumns: readonly string[];
}

/** One table of the target. */
export interface TableModel {
  readonly name: string;
  /** The contract's `target_schema` (ignored by SQLite). */
  readonly schema: string;
  readonly role: TableRole;
  /** Columns in DDL order: keys first, then mapped columns in mapping order. */
  readonly columns: readonly ColumnModel[];
  /** Primary-key column names; empty = no primary key. */
  readonly primaryKey: readonly string[];
  /** Extra single- or multi-column UNIQUE constraints. */
  readonly unique: readonly (readonly string[])[];
  readonly foreignKey: ForeignKeyModel | null;
  readonly duplicatePolicy: DuplicatePolicy;
}

/** Everything the target needs for one contract. */
export interface SchemaModel {
  /** Schema of every table (contract `target_schema`, default `dbo`). */
  readonly schema: string;
  /** Data tables in insert order (contract `table_insertion_order`, then the rest alphabetically). */
  readonly tables: readonly TableModel[];
  readonly processingLog: TableModel;
  /** `xmlmigrate_runs` then `xmlmigrate_claims`: registered runs and their claimed app-id ranges. */
  readonly claimTables: readonly [TableModel, TableModel];
  readonly source: TableModel;
  /** Name of the XML column of {@link source}. */
  readonly sourceColumn: string;
  /** Non-fatal observations made while deriving the model (e.g. a table appended alphabetically). */
  readonly warnings: readonly string[];
}

/** Column names of `processing_log`, in DDL order. */
export const PROCESSING_LOG_COLUMNS = [
  'app_id', 'status', 'stage', 'failure_reason', 'run_id', 'worker_id', 'attempts', 'processed_at',
] as const;

/** Maximum stored length of `processing_log.failure_reason`; longer reasons are truncated. */
export const FAILURE_REASON_MAX = 1000;

/** Every table a catalog query looks at: data tables, processing_log, the claim tables, the source. */
export function catalogTables(model: SchemaModel): TableModel[] {
  return [...model.tables, model.processingLog, ...model.claimTables, model.source];
}

/** Looks a table up by name in a model (data tables, processing_log, claim tables and source). */
export function findTable(model: SchemaModel, name: string): TableModel | undefined {
  if (name === model.processingLog.name) return model.processingLog;
  const claim = model.claimTables.find((t) => t.name === name);
  if (claim) return claim;
  if (name === model.source.name) return model.source;
  return model.tables.find((t) => t.name === name);
}

/** Renders a logical type for messages, SQL-Server-style (`nvarchar(50)`, `decimal(18,2)`). */
export function describeType(type: ColumnType): string {
  switch (type.kind) {
    case 'string': return `varchar(${type.length})`;
    case 'decimal': return `decimal(${type.precision},${type.scale})`;
    default: return type.kind;
  }
}
