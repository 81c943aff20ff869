import pg from 'pg';
import { describe } from 'vitest';
import { openTarget } from '../../../src/db/create-dialect.js';
import { defineTargetSuite, type DbHarness } from './target-suite.js';

/** Local server used by the integration suite (override with PG_TEST_URL). */
const PG_URL = process.env['PG_TEST_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

describe('PostgreSQL target', () => {
  defineTargetSuite(async () => {
    const schema = `xm_it_${process.pid}_${Date.now().toString(36)}`;
    const client = new pg.Client({
      connectionString: PG_URL,
      options: '-c TimeZone=UTC',
      // Everything numeric or temporal as the server's own text.
      types: { getTypeParser: () => (v: string) => v } as unknown as typeof pg.types,
    });
    await client.connect();
    const harness: DbHarness = {
      name: 'postgres',
      schema,
      open: (model) => openTarget(PG_URL, model, { poolMax: 2 }),
      async raw(sql) {
        return (await client.query(sql)).rows as Record<string, unknown>[];
      },
      qualify: (table) => `"${schema}"."${table}"`,
      text: (col) => `"${col}"::text`,
      async cleanup() {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await client.end();
      },
    };
    return harness;
  });
});
