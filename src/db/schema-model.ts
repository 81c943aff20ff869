/**
 * Derives the {@link SchemaModel} a mapping contract implies (pure: no I/O, no dialect).
 *
 * Rules (see docs in the report / issue 3 "schema tool"):
 * - tables: `table_insertion_order` (skipping `processing_log` and tables with no mappings), then
 *   mapped tables missing from it, alphabetically (with a warning);
 * - columns: keys first (`app_id`, plus `con_id` on contact tables), then mapped columns in
 *   mapping order; types from `data_type`/`data_length`;
 * - a column is NOT NULL only when every mapping into it says `nullable: false` and its table is
 *   not a row creator — the mapper legitimately omits everything else;
 * - row-creator tables (recognised by their mapping tokens, not by name) have fixed shapes;
 * - every data table except `app_base` gets FK app_id → app_base(app_id) ON DELETE CASCADE.
 */
import type { MappingContract, MappingEntry } from '../mapping/contract-types.js';
import { assertIdentifier } from './identifiers.js';
import {
  FAILURE_REASON_MAX,
  type ColumnModel, type ColumnType, type DuplicatePolicy, type SchemaModel, type TableModel,
} from './schema-types.js';
import { ROW_CREATOR_SHAPES, rowCreatorKind, type RowCreatorKind } from './row-creator-shapes.js';

/** Default `target_schema` when the contract has none. */
export const DEFAULT_SCHEMA = 'dbo';
/** Default decimal scale when a decimal mapping has no usable `data_length`. */
export const DEFAULT_DECIMAL_SCALE = 2;
/** Precision of every decimal column the product creates. */
export const DECIMAL_PRECISION = 18;

const PROCESSING_LOG = 'processing_log';
const APP_BASE = 'app_base';
const CONTACT_BASE = 'app_contact_base';
const KNOWN_CONTACT_CHILDREN = new Set(['app_contact_address', 'app_contact_employment']);

/** A contract that cannot be turned into a schema; `path` is the JSON path of the problem. */
export class SchemaModelError extends Error {
  override readonly name = 'SchemaModelError';
  /** Stable error code. */
  readonly code = 'XM_SCHEMA_MODEL';
  constructor(readonly path: string, detail: string) { super(`${path}: ${detail}`); }
}

const intCol = (name: string, nullable = false): ColumnModel => ({ name, type: { kind: 'int' }, nullable });
/** app_id columns are 64-bit everywhere (source, processing_log, every target key): app ids are not limited to 2^31. */
const appIdCol = (): ColumnModel => ({ name: 'app_id', type: { kind: 'bigint' }, nullable: false });
const strCol = (name: string, length: number | 'max', nullable = true): ColumnModel =>
  ({ name, type: { kind: 'string', length }, nullable });

/** Splits a mapping's `mapping_type` into token names (lower-case, parameters dropped). */
export function tokenNames(entry: MappingEntry): string[] {
  const raw = entry.mapping_type;
  const list = raw == null ? [] : Array.isArray(raw) ? raw : raw.split(',');
  return list.map((t) => String(t).trim().replace(/\(.*$/s, '').trim().toLowerCase()).filter((t) => t !== '');
}

/** The logical column type one mapping asks for (unknown `data_type` → string, with a warning). */
export function columnTypeOf(entry: MappingEntry, path: string, warnings: string[]): ColumnType {
  const dt = String(entry.data_type ?? '').trim().toLowerCase();
  const len = entry.data_length;
  switch (dt) {
    case 'decimal': {
      const ok = typeof len === 'number' && Number.isInteger(len) && len >= 0 && len <= DECIMAL_PRECISION;
      if (len != null && !ok) warnings.push(`${path}.data_length: ${String(len)} is not a decimal scale 0..${DECIMAL_PRECISION}; using ${DEFAULT_DECIMAL_SCALE}`);
      return { kind: 'decimal', precision: DECIMAL_PRECISION, scale: ok ? len : DEFAULT_DECIMAL_SCALE };
    }
    case 'int': case 'smallint': case 'bigint': case 'tinyint': return { kind: dt };
    case 'float': return { kind: 'float' };
    case 'datetime': case 'smalldatetime': return { kind: 'datetime' };
    case 'date': return { kind: 'date' };
    case 'bit': case 'boolean': return { kind: 'bit' };
    default:
      if (dt !== 'string') warnings.push(`${path}.data_type: unknown type ${JSON.stringify(entry.data_type)} treated as string`);
      return { kind: 'string', length: typeof len === 'number' && Number.isInteger(len) && len > 0 ? len : 'max' };
  }
}

/** Combines the types of two mappings into one column: strings widen, decimals take the larger scale. */
function mergeTypes(a: ColumnType, b: ColumnType): ColumnType | null {
  if (a.kind === 'string' && b.kind === 'string') {
    return { kind: 'string', length: a.length === 'max' || b.length === 'max' ? 'max' : Math.max(a.length, b.length) };
  }
  if (a.kind === 'decimal' && b.kind === 'decimal') return a.scale >= b.scale ? a : b;
  return a.kind === b.kind ? a : null;
}

interface ColumnDraft { type: ColumnType; allNotNull: boolean }
interface TableDraft { name: string; columns: Map<string, ColumnDraft>; creator: RowCreatorKind | null }

/** Builds the SchemaModel for `contract`. Throws an IdentifierError naming the JSON path of a bad name. */
export function buildSchemaModel(contract: MappingContract): SchemaModel {
  const warnings: string[] = [];
  const schema = assertIdentifier(contract.target_schema ?? DEFAULT_SCHEMA, 'target_schema');
  const sourceTable = assertIdentifier(contract.source_table, 'source_table');
  const sourceColumn = assertIdentifier(contract.source_column, 'source_column');

  const drafts = new Map<string, TableDraft>();
  contract.mappings.forEach((m, i) => {
    const path = `mappings[${i}]`;
    const table = assertIdentifier(m.target_table, `${path}.target_table`);
    if (table === PROCESSING_LOG || table === sourceTable) {
      throw new SchemaModelError(path + '.target_table', `"${table}" is reserved for the processing log / source table`);
    }
    let draft = drafts.get(table);
    if (!draft) drafts.set(table, draft = { name: table, columns: new Map(), creator: null });
    const kind = rowCreatorKind(tokenNames(m));
    if (kind && draft.creator && kind !== draft.creator) {
      warnings.push(`${path}: table ${table} mixes row creators ${draft.creator} and ${kind}; using ${draft.creator}`);
    }
    draft.creator ??= kind;
    if (m.target_column == null || m.target_column === '') return;
    const column = assertIdentifier(m.target_column, `${path}.target_column`);
    const type = columnTypeOf(m, path, warnings);
    const prev = draft.columns.get(column);
    if (!prev) {
      draft.columns.set(column, { type, allNotNull: m.nullable === false });
      return;
    }
    const merged = mergeTypes(prev.type, type);
    if (!merged) warnings.push(`${path}: ${table}.${column} is mapped as ${type.kind} and as ${prev.type.kind}; keeping ${prev.type.kind}`);
    prev.type = merged ?? prev.type;
    prev.allNotNull &&= m.nullable === false;
  });

  const order: string[] = [];
  (contract.table_insertion_order ?? []).forEach((t, i) => {
    const name = assertIdentifier(t, `table_insertion_order[${i}]`);
    if (name === PROCESSING_LOG || order.includes(name)) return;
    if (!drafts.has(name)) { warnings.push(`table_insertion_order[${i}]: table ${name} has no mappings; no table is created for it`); return; }
    order.push(name);
  });
  const extra = [...drafts.keys()].filter((t) => !order.includes(t)).sort();
  if (extra.length > 0) warnings.push(`tables not in table_insertion_order are inserted last, alphabetically: ${extra.join(', ')}`);
  order.push(...extra);
  const appBaseIndex = order.indexOf(APP_BASE);
  if (appBaseIndex > 0) warnings.push(`${APP_BASE} is not first in the insert order; rows of earlier tables would violate their foreign key`);

  const contactTables = contactScopedTables(contract, new Set(order));
  const hasAppBase = appBaseIndex >= 0;
  const tables = order.map((name) => {
    const draft = drafts.get(name);
    if (!draft) throw new Error(`internal: no draft for ${name}`);
    return tableFromDraft(draft, schema, contactTables.has(name), hasAppBase, warnings);
  });

  return {
    schema, tables, warnings, sourceColumn,
    processingLog: processingLogTable(schema),
    claimTables: claimTables(schema),
    source: {
      name: sourceTable, schema, role: 'source',
      columns: [appIdCol(), strCol(sourceColumn, 'max', false)],
      primaryKey: ['app_id'], unique: [], foreignKey: null, duplicatePolicy: 'first',
    },
  };
}

/** `app_contact_base`, the known contact children, and relationship children of any contact table. */
function contactScopedTables(contract: MappingContract, tables: Set<string>): Set<string> {
  const contact = new Set([CONTACT_BASE, ...KNOWN_CONTACT_CHILDREN].filter((t) => tables.has(t)));
  let grew = true;
  while (grew) {
    grew = false;
    for (const r of contract.relationships ?? []) {
      if (contact.has(r.parent_table) && tables.has(r.child_table) && !contact.has(r.child_table)) {
        contact.add(r.child_table);
        grew = true;
      }
    }
  }
  return contact;
}

function tableFromDraft(draft: TableDraft, schema: string, isContact: boolean, hasAppBase: boolean, warnings: string[]): TableModel {
  const { name } = draft;
  const foreignKey = hasAppBase && name !== APP_BASE ? { columns: ['app_id'], refTable: APP_BASE, refColumns: ['app_id'] } : null;
  const mapped = (nullableAlways: boolean, skip: ReadonlySet<string>): ColumnModel[] =>
    [...draft.columns].filter(([col]) => !skip.has(col))
      .map(([col, d]) => ({ name: col, type: d.type, nullable: nullableAlways || !d.allNotNull }));

  if (draft.creator) {
    const shape = ROW_CREATOR_SHAPES[draft.creator];
    const fixedNames = new Set([...shape.keys, ...shape.trailing].map((c) => c.name));
    const columns = [...shape.keys, ...(shape.mappedColumns ? mapped(true, fixedNames) : []), ...shape.trailing];
    if (!shape.mappedColumns) {
      const ignored = [...draft.columns.keys()].filter((c) => !fixedNames.has(c));
      if (ignored.length) warnings.push(`${name}: fixed-shape ${draft.creator} table ignores mapped columns ${ignored.join(', ')}`);
    }
    return {
      name, schema, role: 'row-creator', columns, foreignKey, unique: [],
      primaryKey: shape.keys.map((c) => c.name), duplicatePolicy: shape.duplicatePolicy,
    };
  }

  // con_id is 64-bit too: contact ids are commonly derived from the app id (app id × 10 + n)
  const keys = isContact ? [appIdCol(), { name: 'con_id', type: { kind: 'bigint' }, nullable: false } as ColumnModel] : [appIdCol()];
  const columns = [...keys, ...mapped(false, new Set(keys.map((k) => k.name)))];
  let primaryKey: string[] = ['app_id'];
  let duplicatePolicy: DuplicatePolicy = 'error';
  if (isContact) {
    duplicatePolicy = 'first';
    if (name === CONTACT_BASE) primaryKey = ['app_id', 'con_id'];
    else {
      const typeColumn = `${name.replace(/^app_contact_/, '')}_type_enum`;
      if (columns.some((c) => c.name === typeColumn)) {
        primaryKey = ['app_id', 'con_id', typeColumn];
        // A key column must be NOT NULL even when its mapping is nullable.
        const i = columns.findIndex((c) => c.name === typeColumn);
        const col = columns[i];
        if (col) columns[i] = { ...col, nullable: false };
      } else {
        primaryKey = [];
        warnings.push(`${name}: contact table without a ${typeColumn} column gets no primary key`);
      }
    }
  }
  return { name, schema, role: isContact ? 'contact' : 'app', columns, primaryKey, unique: [], foreignKey, duplicatePolicy };
}

/** The processing_log table: one row per app, UNIQUE(app_id) is the exactly-once guarantee; no FK. */
export function processingLogTable(schema: string): TableModel {
  return {
    name: PROCESSING_LOG, schema, role: 'log',
    columns: [
      appIdCol(),
      { name: 'status', type: { kind: 'string', length: 20 }, nullable: false, allowed: ['success', 'failed'] },
      strCol('stage', 30),
      strCol('failure_reason', FAILURE_REASON_MAX),
      strCol('run_id', 64),
      intCol('worker_id', true),
      intCol('attempts'),
      { name: 'processed_at', type: { kind: 'instant' }, nullable: false, defaultNow: true },
    ],
    primaryKey: [], unique: [['app_id']], foreignKey: null, duplicatePolicy: 'error',
  };
}

/** Name of the table where each run registers itself (host, pid, heartbeat). */
export const RUNS_TABLE = 'xmlmigrate_runs';
/** Name of the table of claimed app-id ranges. */
export const CLAIMS_TABLE = 'xmlmigrate_claims';

/**
 * The two tables through which concurrent runs divide the work (see src/processor/claims.ts): every
 * run registers in `xmlmigrate_runs` and renews its heartbeat there; `xmlmigrate_claims` holds one row
 * per claimed range of app ids. Times come from the database clock. `scope` names the selection the
 * runs share (all apps, an id range, a shard): runs with different selections never share claims.
 */
export function claimTables(schema: string): [TableModel, TableModel] {
  const instant = (name: string, nullable: boolean, defaultNow = false): ColumnModel =>
    ({ name, type: { kind: 'instant' }, nullable, ...(defaultNow ? { defaultNow: true } : {}) });
  const bigint = (name: string, nullable = false): ColumnModel => ({ name, type: { kind: 'bigint' }, nullable });
  const runs: TableModel = {
    name: RUNS_TABLE, schema, role: 'claims',
    columns: [
      strCol('run_id', 64, false), strCol('scope', 200, false), strCol('host', 255), intCol('pid', true),
      // which pid namespace `pid` belongs to (boot id + namespace): a run on the same machine can tell a dead one at once
      strCol('process_ns', 200),
      intCol('workers', true), intCol('lease_seconds'),
      { name: 'state', type: { kind: 'string', length: 20 }, nullable: false, allowed: ['running', 'finished', 'stopped', 'failed', 'expired'] },
      bigint('apps_done'), instant('started_at', false, true), instant('heartbeat_at', false, true), instant('finished_at', true),
    ],
    primaryKey: ['run_id'], unique: [], foreignKey: null, duplicatePolicy: 'error',
  };
  const claims: TableModel = {
    name: CLAIMS_TABLE, schema, role: 'claims',
    columns: [
      strCol('scope', 200, false), bigint('range_start'), bigint('range_end'), bigint('first_app_id'), bigint('apps'),
      strCol('run_id', 64),
      { name: 'status', type: { kind: 'string', length: 20 }, nullable: false, allowed: ['claimed', 'done', 'released'] },
      intCol('takeovers'), instant('claimed_at', false, true), instant('done_at', true),
    ],
    primaryKey: ['scope', 'range_start'], unique: [], foreignKey: null, duplicatePolicy: 'error',
  };
  return [runs, claims];
}
