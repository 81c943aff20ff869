/**
 * The dialect-independent skeleton of CREATE TABLE (pure): column lines, PRIMARY KEY, UNIQUE,
 * FOREIGN KEY … ON DELETE CASCADE and CHECK (… IN …). Each dialect's `*-ddl.ts` supplies the type
 * spelling, the default-now expression and the "if not exists" wrapper.
 */
import type { ColumnModel, TableModel } from './schema-types.js';

/** What a dialect contributes to a CREATE TABLE body. */
export interface DdlSpelling {
  quote(id: string): string;
  qualify(table: Pick<TableModel, 'schema' | 'name'>): string;
  /** Column type, e.g. `nvarchar(50)`, `numeric(18,2)`, `VARCHAR(50)`. */
  type(col: ColumnModel): string;
  /** Extra per-column CHECK expressions (e.g. SQLite length checks), or []. */
  checks(col: ColumnModel): string[];
  /** Expression for a `defaultNow` column, e.g. `SYSUTCDATETIME()`. */
  readonly nowDefault: string;
  /** Named constraints (`CONSTRAINT [pk_t] …`) — SQL Server only; others let the database name them. */
  readonly namedConstraints: boolean;
}

function constraintName(kind: string, table: TableModel): string {
  // Constraint names share the 128-character identifier limit.
  return `${kind}_${table.name}`.slice(0, 128);
}

/** The lines between `CREATE TABLE x (` and `)`, already indented. */
export function createTableBody(table: TableModel, sp: DdlSpelling): string[] {
  const q = sp.quote;
  const named = (kind: string): string => (sp.namedConstraints ? `CONSTRAINT ${q(constraintName(kind, table))} ` : '');
  const lines = table.columns.map((c) => {
    const parts = [q(c.name), sp.type(c), c.nullable ? 'NULL' : 'NOT NULL'];
    if (c.defaultNow) parts.push(`DEFAULT ${sp.nowDefault}`);
    const checks = [...sp.checks(c)];
    if (c.allowed) checks.push(`${q(c.name)} IN (${c.allowed.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ')})`);
    for (const ck of checks) parts.push(`CHECK (${ck})`);
    return parts.join(' ');
  });
  if (table.primaryKey.length > 0) lines.push(`${named('pk')}PRIMARY KEY (${table.primaryKey.map(q).join(', ')})`);
  table.unique.forEach((cols, i) => lines.push(`${named(i === 0 ? 'uq' : `uq${i + 1}`)}UNIQUE (${cols.map(q).join(', ')})`));
  if (table.foreignKey) {
    const fk = table.foreignKey;
    lines.push(`${named('fk')}FOREIGN KEY (${fk.columns.map(q).join(', ')}) REFERENCES ${sp.qualify({ schema: table.schema, name: fk.refTable })} (${fk.refColumns.map(q).join(', ')}) ON DELETE CASCADE`);
  }
  return lines.map((l) => `  ${l}`);
}

/** Tables in creation order: FK targets first (app_base), then the rest in model order. */
export function creationOrder(tables: readonly TableModel[]): TableModel[] {
  const targets = new Set(tables.map((t) => t.foreignKey?.refTable).filter((n): n is string => n !== undefined));
  return [...tables.filter((t) => targets.has(t.name)), ...tables.filter((t) => !targets.has(t.name))];
}
