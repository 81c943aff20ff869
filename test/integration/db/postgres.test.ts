import pg from 'pg';
import { describe, expect, it } from 'vitest';
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

describe('PostgreSQL target: pre-existing tables with defaults, identity and boolean columns', () => {
  it('uses DEFAULT for missing values, keeps document ids in an identity key, and fills boolean flags', async () => {
    const { buildSchemaModel } = await import('../../../src/db/schema-model.js');
    const { smallContract, appRows } = await import('./target-suite.js');
    const schema = `xm_it_legacy_${process.pid}_${Date.now().toString(36)}`;
    const model = buildSchemaModel(smallContract(schema));
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    const s0 = await openTarget(PG_URL, model);
    try {
      await s0.applySchema();
      await admin.query(`ALTER TABLE "${schema}"."app_detail" ALTER COLUMN campaign_num SET DEFAULT 'DFLT'`);
      await admin.query(`ALTER TABLE "${schema}"."app_detail" DROP CONSTRAINT IF EXISTS app_detail_signature_flag_check`);
      await admin.query(`ALTER TABLE "${schema}"."app_detail" ALTER COLUMN signature_flag TYPE boolean USING signature_flag = 1`);
      await admin.query(`ALTER TABLE "${schema}"."app_base" ALTER COLUMN app_id ADD GENERATED ALWAYS AS IDENTITY`);
      const s = await openTarget(PG_URL, model);
      try {
        expect((await s.preflight()).filter((p) => p.severity === 'error')).toEqual([]);
        const tables = [...appRows(model, 41), ...appRows(model, 42, { detail: { campaign_num: null, signature_flag: 0 } })];
        await s.writeBatch({ tables, log: [{ appId: 41, status: 'success' }, { appId: 42, status: 'success' }] });
        const rows = (await admin.query(`SELECT app_id::integer AS app_id, campaign_num, signature_flag FROM "${schema}"."app_detail" ORDER BY app_id`)).rows;
        expect(rows).toEqual([{ app_id: 41, campaign_num: 'ABC123', signature_flag: true }, { app_id: 42, campaign_num: 'DFLT', signature_flag: false }]);
        expect((await admin.query(`SELECT app_id::integer AS app_id FROM "${schema}"."app_base" ORDER BY app_id`)).rows).toEqual([{ app_id: 41 }, { app_id: 42 }]);
      } finally {
        await s.close();
      }
    } finally {
      await s0.close();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    }
  });
});

describe('PostgreSQL target: connection loss', () => {
  it('a backend terminated mid-batch gives a transient DbError, nothing lands, and the session recovers', async () => {
    const { buildSchemaModel } = await import('../../../src/db/schema-model.js');
    const { DbError } = await import('../../../src/db/db-error.js');
    const { smallContract, appRows } = await import('./target-suite.js');
    const schema = `xm_it_kill_${process.pid}_${Date.now().toString(36)}`;
    const appName = `xm_kill_${process.pid}`;
    const model = buildSchemaModel(smallContract(schema));
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    const s = await openTarget(PG_URL, model, { poolMax: 1, applicationName: appName });
    try {
      await s.applySchema();
      // Idle connection killed between batches: the pool must drop it without crashing the process.
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [appName]);
      await new Promise((r) => setTimeout(r, 100));
      await s.writeBatch({ tables: appRows(model, 1), log: [{ appId: 1, status: 'success' }] });

      // Killed while blocked inside the transaction.
      const locker = new pg.Client({ connectionString: PG_URL });
      await locker.connect();
      await locker.query('BEGIN');
      await locker.query(`LOCK TABLE "${schema}"."app_detail" IN ACCESS EXCLUSIVE MODE`);
      const pending = s.writeBatch({ tables: appRows(model, 2), log: [{ appId: 2, status: 'success' }] }).catch((e: unknown) => e);
      for (let i = 0; i < 50; i++) {
        const waiting = await admin.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`, [appName]);
        if (waiting.rowCount) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [appName]);
      const err = await pending;
      await locker.query('ROLLBACK');
      await locker.end();
      expect(err).toBeInstanceOf(DbError);
      expect((err as InstanceType<typeof DbError>).kind).toBe('transient');
      expect((err as InstanceType<typeof DbError>).table).toBe('app_detail');
      expect((await admin.query(`SELECT count(*)::int AS n FROM "${schema}"."app_base" WHERE app_id = 2`)).rows[0].n).toBe(0);

      await s.writeBatch({ tables: appRows(model, 3), log: [{ appId: 3, status: 'success' }] });
      expect([...(await s.loggedStatus([1, 2, 3])).keys()].sort()).toEqual([1, 3]);
    } finally {
      await s.close();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    }
  });
});

describe('PostgreSQL target: the example contract (contracts/credit-card.json) schema', () => {
  it('applies and preflights clean', async () => {
    const { buildSchemaModel } = await import('../../../src/db/schema-model.js');
    const { exampleContract } = await import('./target-suite.js');
    const schema = `xm_it_example_${process.pid}_${Date.now().toString(36)}`;
    const contract = exampleContract(schema);
    const s = await openTarget(PG_URL, buildSchemaModel(contract));
    try {
      // before: every data table is reported missing (the check is not vacuous); after: nothing at all
      const model = buildSchemaModel(contract);
      expect(model.tables).toHaveLength(11);
      const before = (await s.preflight()).filter((p) => p.code === 'missing-table').map((p) => p.table);
      expect(before).toEqual(expect.arrayContaining(model.tables.map((t) => t.name)));
      await s.applySchema();
      expect(await s.preflight()).toEqual([]);
      expect(await s.countPending({})).toBe(0);
    } finally {
      await s.close();
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    }
  });
});
