import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MSSQL_STYLE } from '../../../src/db/mssql/mssql-plan.js';
import { POSTGRES_STYLE } from '../../../src/db/postgres/postgres-plan.js';
import { buildSchemaModel } from '../../../src/db/schema-model.js';
import { countPendingSql, loggedStatusSql, reportSql, sourcePageSql, statusSql } from '../../../src/db/sql-text.js';
import { SQLITE_STYLE } from '../../../src/db/sqlite/sqlite-plan.js';
import type { MappingContract } from '../../../src/mapping/contract-types.js';

const model = buildSchemaModel(JSON.parse(readFileSync(new URL('../../fixtures/contracts/db-small.json', import.meta.url), 'utf8')) as MappingContract);
const q = { limit: 50, afterAppId: 10, appIdStart: 1, appIdEnd: 99, shard: { index: 1, count: 4 } };

describe('source page SQL', () => {
  it('PostgreSQL: keyset + range + shard + NOT EXISTS, values only as parameters', () => {
    expect(sourcePageSql(POSTGRES_STYLE, model, q)).toEqual({
      text: 'SELECT s."app_id" AS app_id, s."app_XML" AS xml FROM "xm_small"."app_xml" s WHERE s."app_id" > $1 AND s."app_id" >= $2 AND s."app_id" <= $3 AND s."app_id" % $4 IN ($5, $6) AND NOT EXISTS (SELECT 1 FROM "xm_small"."processing_log" pl WHERE pl."app_id" = s."app_id") ORDER BY s."app_id" LIMIT $7',
      params: [10, 1, 99, 4, 1, -3, 50],
    });
  });

  it('SQL Server: TOP parameter first, bracket quoting', () => {
    expect(sourcePageSql(MSSQL_STYLE, model, { limit: 5, excludeLogged: true })).toEqual({
      text: 'SELECT TOP (@p0) s.[app_id] AS app_id, s.[app_XML] AS xml FROM [xm_small].[app_xml] s WHERE NOT EXISTS (SELECT 1 FROM [xm_small].[processing_log] pl WHERE pl.[app_id] = s.[app_id]) ORDER BY s.[app_id]',
      params: [5],
    });
  });

  it('SQLite: no schema, ? placeholders; excludeLogged:false drops the NOT EXISTS', () => {
    expect(sourcePageSql(SQLITE_STYLE, model, { limit: 2, afterAppId: 0, excludeLogged: false })).toEqual({
      text: 'SELECT s."app_id" AS app_id, s."app_XML" AS xml FROM "app_xml" s WHERE s."app_id" > ? ORDER BY s."app_id" LIMIT ?',
      params: [0, 2],
    });
  });

  it('count, logged status and status queries', () => {
    expect(countPendingSql(SQLITE_STYLE, model, { excludeLogged: false })).toEqual({ text: 'SELECT COUNT(*) AS n FROM "app_xml" s', params: [] });
    expect(loggedStatusSql(POSTGRES_STYLE, model, [3, 4])).toEqual({
      text: 'SELECT "app_id" AS app_id, "status" AS status FROM "xm_small"."processing_log" WHERE "app_id" IN ($1, $2)', params: [3, 4],
    });
    expect(statusSql(MSSQL_STYLE, model, 20).last.text).toBe('SELECT TOP (@p1) [app_id], [status], [stage], [failure_reason], [run_id], [worker_id], [attempts], [processed_at] FROM [xm_small].[processing_log] WHERE [status] = @p0 ORDER BY [processed_at] DESC, [app_id] DESC');
  });

  it('rejects bad filters before building SQL', () => {
    expect(() => sourcePageSql(SQLITE_STYLE, model, { limit: 1.5 })).toThrow(/limit: must be an integer/);
    expect(() => sourcePageSql(SQLITE_STYLE, model, { limit: 1, shard: { index: -1, count: 2 } })).toThrow(/shard.index/);
  });
});

describe('report SQL (xmlmigrate report)', () => {
  it('one run: run id and limit as parameters on every dialect; the same GROUP BY everywhere', () => {
    const pg = reportSql(POSTGRES_STYLE, model, 'R1', 500);
    expect(pg.byTime).toEqual({ text: 'SELECT "processed_at" AS t, "status" AS s, COUNT(*) AS n FROM "xm_small"."processing_log" WHERE "run_id" = $1 GROUP BY "processed_at", "status"', params: ['R1'] });
    expect(pg.failures).toEqual({ text: 'SELECT "app_id", "stage", "failure_reason" FROM "xm_small"."processing_log" WHERE "status" = $1 AND "run_id" = $2 ORDER BY "app_id" LIMIT $3', params: ['failed', 'R1', 500] });
    expect(pg.failedTotal).toEqual({ text: 'SELECT COUNT(*) AS n FROM "xm_small"."processing_log" WHERE "status" = $1 AND "run_id" = $2', params: ['failed', 'R1'] });
    expect(pg.counts.map((c) => c.table)).toEqual(model.tables.map((t) => t.name));
    const ms = reportSql(MSSQL_STYLE, model, 'R1', 500);
    expect(ms.failures).toEqual({ text: 'SELECT TOP (@p2) [app_id], [stage], [failure_reason] FROM [xm_small].[processing_log] WHERE [status] = @p0 AND [run_id] = @p1 ORDER BY [app_id]', params: ['failed', 'R1', 500] });
  });

  it('every run: no run filter', () => {
    const lite = reportSql(SQLITE_STYLE, model, null, 7);
    expect(lite.byTime).toEqual({ text: 'SELECT "processed_at" AS t, "status" AS s, COUNT(*) AS n FROM "processing_log" GROUP BY "processed_at", "status"', params: [] });
    expect(lite.failures).toEqual({ text: 'SELECT "app_id", "stage", "failure_reason" FROM "processing_log" WHERE "status" = ? ORDER BY "app_id" LIMIT ?', params: ['failed', 7] });
    expect(reportSql(MSSQL_STYLE, model, null, 7).failures.text).toBe('SELECT TOP (@p1) [app_id], [stage], [failure_reason] FROM [xm_small].[processing_log] WHERE [status] = @p0 ORDER BY [app_id]');
  });
});
