/**
 * The only module that knows the dialect folders. It imports them lazily (dynamic `import()`),
 * so a SQLite run never loads `mssql` or `pg`, and a PostgreSQL run never loads `mssql`.
 */
import type { DialectName } from './db-error.js';
import type { SessionOptions, TargetSession } from './dialect.js';
import type { SchemaModel } from './schema-types.js';
import { parseTargetUrl, type TargetConfig } from './target-url.js';

/**
 * Opens a session for `target` (a URL or a parsed config), bound to `model`. The session has
 * reached its database when this resolves: PostgreSQL pings, SQL Server connects its pool, SQLite
 * opens its file — callers need no ping of their own.
 */
export async function openTarget(target: string | TargetConfig, model: SchemaModel, opts: SessionOptions = {}): Promise<TargetSession> {
  const cfg = typeof target === 'string' ? parseTargetUrl(target) : target;
  switch (cfg.dialect) {
    case 'sqlite': return (await import('./sqlite/sqlite-dialect.js')).openSqliteSession(cfg, model, opts);
    case 'postgres': return (await import('./postgres/postgres-dialect.js')).openPostgresSession(cfg, model, opts);
    case 'mssql': return (await import('./mssql/mssql-dialect.js')).openMssqlSession(cfg, model, opts);
  }
}

/**
 * The DDL statements `xmlmigrate schema --dialect <name>` prints, in execution order. Needs no
 * connection and loads no driver. `includeSource` (default true) adds the source table.
 */
export async function renderDdl(dialect: DialectName, model: SchemaModel, opts: { readonly includeSource?: boolean } = {}): Promise<string[]> {
  switch (dialect) {
    case 'sqlite': return (await import('./sqlite/sqlite-ddl.js')).sqliteDdl(model, opts);
    case 'postgres': return (await import('./postgres/postgres-ddl.js')).postgresDdl(model, opts);
    case 'mssql': return (await import('./mssql/mssql-ddl.js')).mssqlDdl(model, opts);
  }
}
