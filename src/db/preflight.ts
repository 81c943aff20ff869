/**
 * Pure comparison of a {@link SchemaModel} with a live database's catalog, reporting every
 * mismatch at once. Each dialect reads its catalog and normalises it into {@link LiveTable}s
 * (its `*-plan.ts` holds the catalog query and the type normaliser); the rules live here, once.
 *
 * Severity: `error` = every write would fail or data would be silently altered (missing table or
 * column, wrong type family, fewer decimal places, zone-shifting timestamp, unmapped NOT NULL
 * column, processing_log without UNIQUE(app_id)); `warning` = some values may be rejected or lose
 * precision that the contract cannot carry anyway (shorter varchar, narrower integer or decimal
 * range, datetime with fewer than 6 fraction digits).
 */
import type { PreflightOptions, PreflightProblem, SourceIdStats } from './dialect.js';
import { describeType, type ColumnModel, type ColumnType, type IntegerKind, type SchemaModel, type TableModel } from './schema-types.js';

/** A live column type, normalised across dialects. */
export type LiveType =
  | { readonly family: 'string'; readonly length: number | 'max' }
  | { readonly family: 'exact'; readonly precision: number | null; readonly scale: number | null }
  | { readonly family: 'integer'; readonly kind: IntegerKind | null }
  | { readonly family: 'float' | 'bit' | 'boolean' | 'date' }
  | { readonly family: 'datetime'; readonly fractionDigits: number; readonly zoned: boolean }
  | { readonly family: 'other' };

/** One live column. `declared` is the database's own spelling, for messages. */
export interface LiveColumn {
  readonly name: string;
  readonly type: LiveType;
  readonly declared: string;
  readonly nullable: boolean;
  /** Has a DEFAULT, is an identity/serial/rowid column, or is computed. */
  readonly hasDefault: boolean;
  readonly isIdentity: boolean;
}

/** One live table. */
export interface LiveTable {
  readonly name: string;
  readonly columns: ReadonlyMap<string, LiveColumn>;
  /** Columns covered on their own by a PRIMARY KEY, UNIQUE constraint or unique index. */
  readonly uniqueColumns: ReadonlySet<string>;
  /**
   * What the session's user may do with the table (`SELECT`, `INSERT`), when the dialect can tell;
   * undefined = not checked.
   */
  readonly privileges?: ReadonlySet<Privilege>;
  /** False when the user lacks USAGE on the table's schema (PostgreSQL); undefined = not checked. */
  readonly schemaUsage?: boolean;
}

/** A table privilege the preflight checks. */
export type Privilege = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';

/** Largest app id JavaScript handles exactly (2^53 − 1): larger ones are refused, never rounded. */
export const MAX_APP_ID = BigInt(Number.MAX_SAFE_INTEGER);

const INT_MAX: Readonly<Record<IntegerKind, bigint>> = { tinyint: 255n, smallint: 32767n, int: 2147483647n, bigint: 9223372036854775807n };

type Finding = Pick<PreflightProblem, 'severity' | 'code'> & { readonly detail: string };

const INT_RANK: Readonly<Record<IntegerKind, number>> = { tinyint: 1, smallint: 2, int: 3, bigint: 4 };

/** Judges one column type against the live one; null = compatible. */
export function compareType(want: ColumnType, live: LiveType, declared: string): Finding | null {
  const bad = (detail = `${describeType(want)} needed, found ${declared}`): Finding =>
    ({ severity: 'error', code: 'incompatible-type', detail });
  switch (want.kind) {
    case 'string':
      if (live.family !== 'string') return bad();
      if (live.length === 'max' || (want.length !== 'max' && live.length >= want.length)) return null;
      return { severity: 'warning', code: 'narrower-type', detail: `${describeType(want)} mapped into ${declared}: longer values will fail their app` };
    case 'decimal': {
      if (live.family !== 'exact') return bad();
      if (live.scale !== null && live.scale < want.scale) {
        return { severity: 'error', code: 'precision-loss', detail: `${describeType(want)} needed, found ${declared}: ${want.scale - live.scale} decimal place(s) would be rounded away` };
      }
      if (live.precision !== null && live.scale !== null && live.precision - live.scale < want.precision - want.scale) {
        return { severity: 'warning', code: 'narrower-type', detail: `${describeType(want)} mapped into ${declared}: larger values will fail their app` };
      }
      return null;
    }
    case 'tinyint': case 'smallint': case 'int': case 'bigint':
      if (live.family === 'exact' && (live.scale ?? 0) === 0) return null;
      if (live.family !== 'integer') return bad();
      if (live.kind !== null && INT_RANK[live.kind] < INT_RANK[want.kind]) {
        return { severity: 'warning', code: 'narrower-type', detail: `${want.kind} mapped into ${declared}: larger values will fail their app` };
      }
      return null;
    case 'float':
      return live.family === 'float' ? null
        : live.family === 'exact' ? { severity: 'warning', code: 'precision-loss', detail: `float mapped into ${declared}: values are rounded to its scale` }
          : bad();
    case 'bit':
      return live.family === 'bit' || live.family === 'boolean' || live.family === 'integer'
        || (live.family === 'exact' && (live.scale ?? 0) === 0) ? null : bad();
    case 'date':
      return live.family === 'date' || (live.family === 'datetime' && !live.zoned) ? null : bad();
    case 'datetime':
      if (live.family !== 'datetime') return bad();
      if (live.zoned) return bad(`datetime needed, found ${declared}: a zoned type would shift local times through a time zone`);
      return live.fractionDigits >= 6 ? null
        : { severity: 'warning', code: 'precision-loss', detail: `datetime mapped into ${declared}: fractions beyond ${live.fractionDigits} digit(s) are rounded` };
    case 'instant':
      return live.family === 'datetime' ? null : bad();
  }
}

function problem(table: TableModel, column: string | undefined, f: Finding): PreflightProblem {
  const where = column === undefined ? `${table.schema}.${table.name}` : `${table.schema}.${table.name}.${column}`;
  return { severity: f.severity, code: f.code, table: table.name, ...(column === undefined ? {} : { column }), message: `${where}: ${f.detail}` };
}

/** What a run needs on each kind of table: it writes data tables and processing_log, reads processing_log and the source. */
const NEEDS: Readonly<Record<TableModel['role'], readonly Privilege[]>> = {
  app: ['INSERT'], contact: ['INSERT'], 'row-creator': ['INSERT'], log: ['INSERT', 'SELECT'], source: ['SELECT'], claims: ['INSERT', 'SELECT', 'UPDATE', 'DELETE'],
};

function checkPrivileges(table: TableModel, live: LiveTable, out: PreflightProblem[]): void {
  if (!live.privileges) return;
  const granted = live.privileges;
  const missing = [...(live.schemaUsage === false ? [`USAGE on schema ${table.schema}`] : []), ...NEEDS[table.role].filter((p) => !granted.has(p))];
  if (missing.length === 0) return;
  const why = table.role === 'source' ? 'the run reads this table' : table.role === 'log' || table.role === 'claims' ? 'the run reads and writes this table' : 'the run writes this table';
  out.push(problem(table, undefined, { severity: 'error', code: 'missing-privilege', detail: `the connecting user lacks ${missing.join(', ')} (${why})` }));
}

/**
 * The app_id column of a live table against the source's app ids: an integer column too narrow for the
 * largest one is an error naming both; a narrower column that holds them all is fine (no warning).
 */
function checkAppId(table: TableModel, lc: LiveColumn, ids: SourceIdStats, out: PreflightProblem[]): void {
  if (lc.type.family !== 'integer' || lc.type.kind === null || ids.max === null) return;
  const max = INT_MAX[lc.type.kind];
  const lo = -max - 1n;
  const worst = ids.max > max ? ids.max : ids.min !== null && ids.min < lo ? ids.min : null;
  if (worst === null) return;
  out.push(problem(table, 'app_id', {
    severity: 'error', code: 'app-id-range',
    detail: `${lc.declared} cannot hold the source's app_id ${worst} (its range ends at ${worst > 0n ? max : lo}): widen the column to bigint`,
  }));
}

function checkTable(table: TableModel, live: LiveTable | undefined, out: PreflightProblem[], columnsToCheck: readonly ColumnModel[], ids?: SourceIdStats): void {
  if (!live) {
    out.push(problem(table, undefined, { severity: 'error', code: 'missing-table', detail: 'table does not exist (run `xmlmigrate schema --apply`)' }));
    return;
  }
  checkPrivileges(table, live, out);
  const wanted = new Set(columnsToCheck.map((c) => c.name));
  for (const col of columnsToCheck) {
    const lc = live.columns.get(col.name);
    if (!lc) {
      out.push(problem(table, col.name, { severity: 'error', code: 'missing-column', detail: `column does not exist (${describeType(col.type)} expected)` }));
      continue;
    }
    if (col.name === 'app_id' && ids && lc.type.family === 'integer') {
      // judged against the app ids actually in the source, not the model's bigint
      checkAppId(table, lc, ids, out);
      continue;
    }
    const f = compareType(col.type, lc.type, lc.declared);
    if (f) out.push(problem(table, col.name, f));
    if (!lc.nullable && col.nullable && !lc.hasDefault) {
      out.push(problem(table, col.name, { severity: 'warning', code: 'not-null-mismatch', detail: 'column is NOT NULL but the contract may omit it: such apps will fail' }));
    }
  }
  for (const lc of live.columns.values()) {
    if (!wanted.has(lc.name) && !lc.nullable && !lc.hasDefault && !lc.isIdentity) {
      out.push(problem(table, lc.name, { severity: 'error', code: 'unmapped-not-null', detail: 'column is NOT NULL without a default and nothing maps into it: every insert would fail' }));
    }
  }
}

/**
 * Every mismatch between `model` and `live` (keyed by table name). `opts.target` checks data
 * tables and processing_log (including UNIQUE(app_id)); `opts.source` checks the source table's
 * app_id and XML columns.
 */
export function comparePreflight(model: SchemaModel, live: ReadonlyMap<string, LiveTable>, opts: PreflightOptions = {}): PreflightProblem[] {
  const out: PreflightProblem[] = [];
  const ids = opts.sourceIds;
  if (opts.target ?? true) {
    for (const table of model.tables) checkTable(table, live.get(table.name), out, table.columns, ids);
    const log = model.processingLog;
    const liveLog = live.get(log.name);
    checkTable(log, liveLog, out, log.columns, ids);
    if (liveLog && liveLog.columns.has('app_id') && !liveLog.uniqueColumns.has('app_id')) {
      out.push(problem(log, 'app_id', { severity: 'error', code: 'missing-unique', detail: 'needs a UNIQUE constraint or primary key on app_id alone (the exactly-once guarantee)' }));
    }
  }
  if (opts.claims) {
    for (const table of model.claimTables) {
      const liveTable = live.get(table.name);
      if (liveTable) { checkTable(table, liveTable, out, table.columns); continue; }
      // a database made by a version without claims: say what the table is for and how to get it
      out.push(problem(table, undefined, {
        severity: 'error', code: 'missing-table',
        detail: 'table does not exist: concurrent runs divide the work through it (this database was made by an older xmlmigrate); run `xmlmigrate schema --apply` (it creates only the missing tables) or pass --no-claims',
      }));
    }
  }
  if (opts.source ?? true) {
    const src = model.source;
    // Only the two columns the product reads; other source columns are none of its business.
    const before = out.length;
    checkTable(src, live.get(src.name), out, src.columns, ids);
    const mine = out.splice(before).filter((p) => p.code !== 'unmapped-not-null');
    out.push(...mine);
    if (ids) checkSourceIds(src, ids, out);
  }
  return out;
}

/** App ids beyond what JavaScript holds exactly are refused; app ids of zero and below are named. */
function checkSourceIds(src: TableModel, ids: SourceIdStats, out: PreflightProblem[]): void {
  const beyond = ids.max !== null && ids.max > MAX_APP_ID ? ids.max : ids.min !== null && ids.min < -MAX_APP_ID ? ids.min : null;
  if (beyond !== null) {
    out.push(problem(src, 'app_id', {
      severity: 'error', code: 'app-id-range',
      detail: `app_id ${beyond} is beyond ±${MAX_APP_ID} (2^53 − 1), the largest app id xmlmigrate handles exactly; such ids are refused rather than rounded`,
    }));
  }
  if (ids.notPositive > 0) out.push(notPositiveProblem(src, ids));
}

/** The warning (preflight) / note (`status`) about source rows with app_id <= 0. */
export function notPositiveProblem(src: Pick<TableModel, 'schema' | 'name'>, ids: SourceIdStats): PreflightProblem {
  const n = ids.notPositive;
  return {
    severity: 'warning', code: 'app-id-not-positive', table: src.name, column: 'app_id',
    message: `${src.schema}.${src.name}.app_id: ${n} row${n === 1 ? ' has' : 's have'} an app_id of zero or below (e.g. ${ids.notPositiveExamples.join(', ')}): a document's app id is a positive integer, so ${n === 1 ? 'it is' : 'they are'} logged failed (validation) — correct ${n === 1 ? 'it' : 'them'} in the source and run \`xmlmigrate retry-failed\``,
  };
}
