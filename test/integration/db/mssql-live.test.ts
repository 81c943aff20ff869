/**
 * The shared target cases against a real SQL Server. Runs only when MSSQL_URL is set, e.g.
 *   MSSQL_URL='mssql://sa:Passw0rd!@localhost:1433/master?encrypt=false&trustServerCertificate=true'
 * Otherwise the suite is skipped — loudly, so a green run is never mistaken for SQL Server coverage.
 */
import sql from 'mssql';
import { describe, it } from 'vitest';
import { openTarget } from '../../../src/db/create-dialect.js';
import type { SchemaModel } from '../../../src/db/schema-types.js';
import { parseTargetUrl } from '../../../src/db/target-url.js';
import { defineTargetSuite, type DbHarness } from './target-suite.js';

const MSSQL_URL = process.env['MSSQL_URL'];

if (!MSSQL_URL) {
  console.warn([
    '',
    '############################################################################',
    '#  SQL Server live suite SKIPPED: set MSSQL_URL=mssql://user:pass@host:1433/db?encrypt=false&trustServerCertificate=true',
    '#  Only the pure plan tests and the fake-driver writer tests ran for SQL Server.',
    '############################################################################',
    '',
  ].join('\n'));
}

describe.skipIf(!MSSQL_URL)(`SQL Server target (live)${MSSQL_URL ? '' : ' [SKIPPED: MSSQL_URL is unset]'}`, () => {
  if (!MSSQL_URL) {
    // Only registered (and reported as skipped) when the whole block is skipped: never a vacuous pass.
    it('the live suite needs MSSQL_URL', () => undefined);
    return;
  }
  const url = MSSQL_URL;
  defineTargetSuite(async () => {
    const cfg = parseTargetUrl(url, process.env['XMLMIGRATE_TARGET_PASSWORD'] ?? null);
    const schema = `xm_it_${process.pid}_${Date.now().toString(36)}`;
    const pool = await new sql.ConnectionPool({
      server: cfg.host, database: cfg.database, ...(cfg.port === null ? {} : { port: cfg.port }),
      ...(cfg.user === null ? {} : { user: cfg.user }), ...(cfg.password === null ? {} : { password: cfg.password }),
      options: { encrypt: cfg.params['encrypt'] !== 'false', trustServerCertificate: cfg.params['trustServerCertificate'] === 'true' },
    }).connect();
    let model: SchemaModel | undefined;
    const harness: DbHarness = {
      name: 'mssql',
      schema,
      open: (m) => { model = m; return openTarget(cfg, m, { poolMax: 2 }); },
      async raw(text) {
        return (await pool.request().query(text)).recordset as Record<string, unknown>[];
      },
      qualify: (table) => `[${schema}].[${table}]`,
      text: (col, kind) => (kind === 'number' ? `CAST([${col}] AS varchar(50))`
        : kind === 'date' ? `CONVERT(varchar(10), [${col}], 23)` : `CONVERT(varchar(27), [${col}], 121)`),
      async cleanup() {
        const tables = model ? [model.source, model.processingLog, ...model.claimTables, ...[...model.tables].reverse()] : [];
        for (const t of tables) await pool.request().query(`DROP TABLE IF EXISTS [${schema}].[${t.name}]`);
        await pool.request().query(`IF SCHEMA_ID(N'${schema}') IS NOT NULL EXEC(N'DROP SCHEMA [${schema}]')`);
        await pool.close();
      },
    };
    return harness;
  });
});
