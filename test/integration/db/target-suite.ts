/**
 * The same integration cases for every available database. Each `*.test.ts` in this folder
 * supplies a {@link DbHarness} (how to open a session, run raw SQL, clean up) and calls
 * {@link defineTargetSuite}.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DbError } from '../../../src/db/db-error.js';
import type { TargetSession } from '../../../src/db/dialect.js';
import { buildSchemaModel } from '../../../src/db/schema-model.js';
import { findTable, type SchemaModel, type TableModel } from '../../../src/db/schema-types.js';
import type { MappingContract } from '../../../src/mapping/contract-types.js';
import { DateTime, Decimal, type Row } from '../../../src/mapping/values.js';

/** How the suite talks to one database. */
export interface DbHarness {
  readonly name: string;
  /** Schema name to use for this file's tables. */
  readonly schema: string;
  open(model: SchemaModel): Promise<TargetSession>;
  /** Raw SQL for assertions; numeric/date/time values come back as text. */
  raw(sql: string): Promise<Record<string, unknown>[]>;
  /** Qualified, quoted table name for raw SQL. */
  qualify(table: string): string;
  /** SQL expression rendering column `col` as text (numbers exactly; datetimes `YYYY-MM-DD HH:MM:SS[.ffffff]`). */
  text(col: string, kind: 'number' | 'datetime' | 'date'): string;
  cleanup(): Promise<void>;
}

/** The small test contract with its schema replaced. */
export function smallContract(schema: string): MappingContract {
  const raw = JSON.parse(readFileSync(new URL('../../fixtures/contracts/db-small.json', import.meta.url), 'utf8')) as MappingContract;
  return { ...raw, target_schema: schema };
}

function t(model: SchemaModel, name: string): TableModel {
  const table = findTable(model, name);
  if (!table) throw new Error(`no table ${name}`);
  return table;
}

/** Hand-built mapper output for one app: base, contact, address, detail, scores. */
export function appRows(model: SchemaModel, appId: number, over: { detail?: Row; address2?: boolean } = {}): { table: TableModel; rows: Row[] }[] {
  const conId = appId * 10 + 1;
  return [
    { table: t(model, 'app_base'), rows: [{ app_id: appId, receive_date: new DateTime(2024, 2, 29, 23, 59, 59, 123456), product_line_enum: 600, requested_amount: new Decimal('12345678901234.56'), decision_date: new DateTime(2025, 1, 2, 3, 4, 5) }] },
    { table: t(model, 'app_contact_base'), rows: [{ con_id: conId, first_name: 'Zoë', birth_date: new DateTime(1980, 12, 31), app_id: appId }] },
    { table: t(model, 'app_detail'), rows: [{ blackbox: 'x'.repeat(5000), intro_apr: new Decimal('0.12345'), signature_flag: 1, ratio: 0.1, transmission_id: '9007199254740993', late_fee: 255, campaign_num: 'ABC123', app_id: appId, ...over.detail }] },
    {
      table: t(model, 'app_contact_address'), rows: [
        { address_type_enum: 320, city: 'Springfield', zip: '01610', con_id: conId, app_id: appId },
        ...(over.address2 ? [{ address_type_enum: 320, city: 'Shelbyville', zip: '99999', con_id: conId, app_id: appId }] : []),
      ],
    },
    { table: t(model, 'scores'), rows: [{ app_id: appId, score_identifier: 'FICO', score: 700 }, { app_id: appId, score_identifier: 'V4', score: 650 }] },
  ];
}

/** Registers the shared cases for `makeHarness()`. */
export function defineTargetSuite(makeHarness: () => Promise<DbHarness>): void {
  let h: DbHarness;
  let model: SchemaModel;
  let s: TargetSession;
  const count = async (table: string, where = ''): Promise<number> =>
    Number((await h.raw(`SELECT COUNT(*) AS n FROM ${h.qualify(table)} ${where}`))[0]?.['n'] ?? 0);

  beforeAll(async () => {
    h = await makeHarness();
    model = buildSchemaModel(smallContract(h.schema));
    s = await h.open(model);
  });
  afterAll(async () => {
    await s?.close();
    await h?.cleanup();
  });

  describe('schema', () => {
    it('applySchema creates everything; preflight is then clean; applying twice is harmless', async () => {
      expect((await s.preflight()).map((p) => p.message)).toContain(`${h.schema}.app_base: table does not exist (run \`xmlmigrate schema --apply\`)`);
      await s.applySchema();
      await s.applySchema();
      expect(await s.preflight()).toEqual([]);
    });

    it('preflight reports every mismatch at once', async () => {
      const contract = smallContract(h.schema);
      const changed: MappingContract = {
        ...contract,
        table_insertion_order: [...(contract.table_insertion_order ?? []), 'app_missing'],
        mappings: [
          ...contract.mappings.map((m) => (m.target_column === 'campaign_num' ? { ...m, data_type: 'int' }
            : m.target_column === 'intro_apr' ? { ...m, data_length: 7 } : m)),
          { xml_path: '/a', xml_attribute: 'n', target_table: 'app_detail', target_column: 'new_col', data_type: 'string', data_length: 5, nullable: true },
          { xml_path: '/a', xml_attribute: 'm', target_table: 'app_missing', target_column: 'x', data_type: 'int', nullable: true },
        ],
      };
      const other = await h.open(buildSchemaModel(changed));
      try {
        const problems = await other.preflight();
        const codes = problems.filter((p) => p.severity === 'error').map((p) => `${p.code}:${p.table}${p.column ? `.${p.column}` : ''}`).sort();
        expect(codes).toEqual([
          'incompatible-type:app_detail.campaign_num',
          'missing-column:app_detail.new_col',
          'missing-table:app_missing',
          'precision-loss:app_detail.intro_apr',
        ]);
      } finally {
        await other.close();
      }
    });
  });

  describe('writeBatch', () => {
    it('lands rows with exact decimals, microsecond datetimes, bigints and long text', async () => {
      const res = await s.writeBatch({ tables: appRows(model, 1), log: [{ appId: 1, status: 'success', runId: 'r1', workerId: 2 }] });
      expect(res.rowsByTable).toEqual({ app_base: 1, app_contact_base: 1, app_detail: 1, app_contact_address: 1, scores: 2 });
      expect(res.logRows).toBe(1);
      const [base] = await h.raw(`SELECT ${h.text('requested_amount', 'number')} AS requested_amount, ${h.text('receive_date', 'datetime')} AS receive_date, ${h.text('decision_date', 'datetime')} AS decision_date FROM ${h.qualify('app_base')} WHERE app_id = 1`);
      expect(String(base?.['requested_amount'])).toBe('12345678901234.56');
      expect(String(base?.['receive_date']).replace('T', ' ')).toBe('2024-02-29 23:59:59.123456');
      expect(String(base?.['decision_date']).replace('T', ' ').replace(/\.0+$/, '')).toBe('2025-01-02 03:04:05');
      const [detail] = await h.raw(`SELECT ${h.text('intro_apr', 'number')} AS intro_apr, ${h.text('transmission_id', 'number')} AS transmission_id, late_fee, blackbox, signature_flag FROM ${h.qualify('app_detail')} WHERE app_id = 1`);
      expect(String(detail?.['intro_apr'])).toBe('0.12345');
      expect(String(detail?.['transmission_id'])).toBe('9007199254740993');
      expect(Number(detail?.['late_fee'])).toBe(255);
      expect(String(detail?.['blackbox']).length).toBe(5000);
      expect(Number(detail?.['signature_flag'])).toBe(1);
      const [contact] = await h.raw(`SELECT first_name, ${h.text('birth_date', 'date')} AS birth_date FROM ${h.qualify('app_contact_base')} WHERE app_id = 1`);
      expect(contact?.['first_name']).toBe('Zoë');
      expect(String(contact?.['birth_date'])).toBe('1980-12-31');
      const [log] = await h.raw(`SELECT status, run_id, worker_id, attempts, processed_at FROM ${h.qualify('processing_log')} WHERE app_id = 1`);
      expect(log).toMatchObject({ status: 'success', run_id: 'r1' });
      expect(Number(log?.['worker_id'])).toBe(2);
      expect(Number(log?.['attempts'])).toBe(1);
      expect(log?.['processed_at']).not.toBeNull();
    });

    it('a failing batch rolls back every table including processing_log', async () => {
      // App 3's app_detail row twice: the primary key breaks inside the database (every server
      // enforces it in bulk loads; the TDS test server does not check foreign keys there), after
      // app_base and app_contact_base rows of apps 2 and 3 were written in the same transaction.
      const bad = [...appRows(model, 3), ...appRows(model, 3).filter((e) => e.table.name === 'app_detail')];
      const err = await s.writeBatch({
        tables: [...appRows(model, 2), ...bad],
        log: [{ appId: 2, status: 'success' }, { appId: 3, status: 'success' }],
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DbError);
      expect((err as DbError).kind).toBe('permanent');
      expect((err as DbError).table).toBe('app_detail');
      for (const table of ['app_base', 'app_contact_base', 'app_detail', 'app_contact_address', 'scores', 'processing_log']) {
        expect(await count(table, 'WHERE app_id IN (2, 3)'), table).toBe(0);
      }
    });

    it('a value that does not fit fails the batch with the app, table and column named', async () => {
      const err = await s.writeBatch({ tables: appRows(model, 4, { detail: { campaign_num: 'TOO-LONG' } }), log: [{ appId: 4, status: 'success' }] })
        .catch((e: unknown) => e) as DbError;
      expect(err).toBeInstanceOf(DbError);
      expect(err).toMatchObject({ code: 'XM_VALUE', kind: 'permanent', table: 'app_detail', column: 'campaign_num', appId: 4 });
      expect(await count('app_base', 'WHERE app_id = 4')).toBe(0);
    });

    it('NULL in a NOT NULL column without a default fails the batch in the database; nothing lands', async () => {
      // SQL Server and PostgreSQL always enforce it; the TDS test server's bulk load only with
      // CHECK_CONSTRAINTS, which every product bulk load uses.
      const err = await s.writeBatch({ tables: [...appRows(model, 40), ...appRows(model, 41, { detail: { campaign_num: null } })], log: [{ appId: 40, status: 'success' }, { appId: 41, status: 'success' }] })
        .catch((e: unknown) => e) as DbError;
      expect(err).toBeInstanceOf(DbError);
      expect(err).toMatchObject({ kind: 'permanent', table: 'app_detail' });
      expect(await count('app_base', 'WHERE app_id IN (40, 41)')).toBe(0);
      expect(await count('processing_log', 'WHERE app_id IN (40, 41)')).toBe(0);
    });

    it('processing_log UNIQUE(app_id) makes a second log row for an app fail (exactly-once)', async () => {
      await s.writeBatch({ tables: appRows(model, 5), log: [{ appId: 5, status: 'success' }] });
      const err = await s.writeBatch({ tables: appRows(model, 6), log: [{ appId: 6, status: 'success' }, { appId: 5, status: 'failed', stage: 'insert' }] })
        .catch((e: unknown) => e) as DbError;
      expect(err).toBeInstanceOf(DbError);
      expect(err.table).toBe('processing_log');
      expect(await count('app_base', 'WHERE app_id = 6')).toBe(0);
      expect(await count('processing_log', 'WHERE app_id = 5')).toBe(1);
    });

    it('duplicate contact keys inside one app keep the first row and are reported', async () => {
      const res = await s.writeBatch({ tables: appRows(model, 7, { address2: true }), log: [{ appId: 7, status: 'success' }] });
      expect(res.duplicatesDropped).toEqual([{ table: 'app_contact_address', appId: 7, key: '7|71|320' }]);
      const rows = await h.raw(`SELECT city FROM ${h.qualify('app_contact_address')} WHERE app_id = 7`);
      expect(rows.map((r) => r['city'])).toEqual(['Springfield']);
    });

    it('failed-only batches write just processing_log; loggedStatus, statusSummary, reportLog and deleteFailedLog see them', async () => {
      await s.writeBatch({ tables: [], log: [
        { appId: 8, status: 'failed', stage: 'parsing', failureReason: 'x'.repeat(5000) },
        { appId: 9, status: 'failed', stage: 'validation', failureReason: 'bad root' },
      ] });
      const status = await s.loggedStatus([1, 5, 8, 9, 999]);
      expect([...status.entries()].sort((a, b) => a[0] - b[0])).toEqual([[1, 'success'], [5, 'success'], [8, 'failed'], [9, 'failed']]);
      const sum = await s.statusSummary(5);
      expect(sum.byStatus).toEqual({ success: 3, failed: 2 });
      expect(sum.byStage).toEqual({ parsing: 1, validation: 1 });
      expect(sum.lastFailures.map((f) => f.appId).sort()).toEqual([8, 9]);
      expect(sum.lastFailures.find((f) => f.appId === 8)?.failureReason?.length).toBe(1000);
      expect(sum.lastFailures[0]?.processedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
      // what `xmlmigrate report` reads: every logged app by commit time, failures by app id, row counts
      const rep = await s.reportLog({ runId: null, failureLimit: 1 });
      expect(rep.failedTotal).toBe(2);
      expect(rep.failures).toEqual([{ appId: 8, stage: 'parsing', reason: 'x'.repeat(1000) }]);
      expect(rep.byTime.reduce((n, x) => n + x.count, 0)).toBe(5);
      for (const x of rep.byTime) expect(x.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
      expect(Object.keys(rep.rowCounts).sort()).toEqual(model.tables.map((t) => t.name).sort());
      const [base] = await h.raw(`SELECT COUNT(*) AS n FROM ${h.qualify('app_base')}`);
      expect(rep.rowCounts['app_base']).toBe(Number(base?.['n']));
      const [r1] = await h.raw(`SELECT COUNT(*) AS n FROM ${h.qualify('processing_log')} WHERE run_id = 'r1'`);
      const one = await s.reportLog({ runId: 'r1', failureLimit: 10 });
      expect(one.byTime.reduce((n, x) => n + x.count, 0)).toBe(Number(r1?.['n']));
      expect(one.failedTotal).toBe(0);
      expect(await s.deleteFailedLog()).toBe(2);
      expect((await s.loggedStatus([8, 9])).size).toBe(0);
    });

    it('text with tabs, line breaks, backslashes, COPY markers, quotes and SQL lands character for character', async () => {
      const tricky = 'a\tb\nc\r\nd \\N \\. \\\\ \\t "q" \'s\'; DROP TABLE x; -- Zoë 𝄞\n\\.\n';
      await s.writeBatch({ tables: appRows(model, 77, { detail: { blackbox: tricky } }), log: [{ appId: 77, status: 'success' }] });
      const [detail] = await h.raw(`SELECT blackbox FROM ${h.qualify('app_detail')} WHERE app_id = 77`);
      expect(detail?.['blackbox']).toBe(tricky);
    });
  });

  describe('source', () => {
    it('insertSource skips existing and repeated app_ids', async () => {
      const docs = Array.from({ length: 20 }, (_, i) => ({ appId: 100 + i, xml: `<Provenir id="${100 + i}">é</Provenir>` }));
      expect(await s.insertSource(docs.slice(0, 5))).toEqual({ inserted: 5, skipped: 0 });
      expect(await s.insertSource([...docs, { appId: 101, xml: 'dup' }])).toEqual({ inserted: 15, skipped: 6 });
      expect(await count(model.source.name)).toBe(20);
      const [row] = await h.raw(`SELECT "app_XML" AS x FROM ${h.qualify(model.source.name)} WHERE app_id = 101`);
      expect(row?.['x']).toBe('<Provenir id="101">é</Provenir>');
    });

    it('readSourcePage pages by keyset and skips logged app_ids; ranges and shards select exactly', async () => {
      await s.writeBatch({ tables: [], log: [103, 110, 111].map((appId) => ({ appId, status: 'failed' as const, stage: 'mapping' })) });
      const all: number[] = [];
      let after: number | undefined;
      for (;;) {
        const page = await s.readSourcePage({ limit: 4, ...(after === undefined ? {} : { afterAppId: after }) });
        if (page.length === 0) break;
        all.push(...page.map((r) => r.appId));
        after = page[page.length - 1]?.appId;
      }
      const expected = Array.from({ length: 20 }, (_, i) => 100 + i).filter((id) => ![103, 110, 111].includes(id));
      expect(all).toEqual(expected);
      expect(await s.countPending({})).toBe(17);
      const range = await s.readSourcePage({ limit: 100, appIdStart: 105, appIdEnd: 112 });
      expect(range.map((r) => r.appId)).toEqual([105, 106, 107, 108, 109, 112]);
      const shard = await s.readSourcePage({ limit: 100, shard: { index: 1, count: 3 } });
      expect(shard.map((r) => r.appId)).toEqual(expected.filter((id) => id % 3 === 1));
      expect(await s.countPending({ shard: { index: 1, count: 3 }, appIdEnd: 110 })).toBe(expected.filter((id) => id % 3 === 1 && id <= 110).length);
      const withLogged = await s.readSourcePage({ limit: 3, afterAppId: 101, excludeLogged: false });
      expect(withLogged.map((r) => r.appId)).toEqual([102, 103, 104]);
      expect(withLogged[0]?.xml).toBe('<Provenir id="102">é</Provenir>');
    });

    it('shards partition app_ids of any sign: every id in exactly one shard', async () => {
      const ids = Array.from({ length: 15 }, (_, i) => i - 9); // -9 … 5
      await s.insertSource(ids.map((appId) => ({ appId, xml: `<Provenir id="${appId}"/>` })));
      const seen: number[] = [];
      for (let index = 0; index < 4; index++) {
        const shard = (await s.readSourcePage({ limit: 1000, appIdEnd: 5, excludeLogged: false, shard: { index, count: 4 } })).map((r) => r.appId);
        expect(shard).toEqual(ids.filter((id) => ((id % 4) + 4) % 4 === index));
        expect(await s.countPending({ appIdEnd: 5, excludeLogged: false, shard: { index, count: 4 } })).toBe(shard.length);
        seen.push(...shard);
      }
      expect(seen.sort((a, b) => a - b)).toEqual(ids);
    });

    it('readSourceByIds returns exactly the ids that exist, ordered', async () => {
      const rows = await s.readSourceByIds([119, 100, 5000, 100]);
      expect(rows.map((r) => r.appId)).toEqual([100, 119]);
    });

    it('readSourceBytesByIds (where offered) returns the UTF-8 bytes of exactly the ids that exist, ordered', async () => {
      if (!s.readSourceBytesByIds) return expect(h.name).toBe('mssql'); // SQL Server hands over strings
      const rows = await s.readSourceBytesByIds([119, 102, 5000, 102]);
      expect(rows.map((r) => r.appId)).toEqual([102, 119]);
      expect(rows[0]?.bytes?.equals(Buffer.from('<Provenir id="102">é</Provenir>', 'utf8'))).toBe(true);
    });

    it('readSourceSizes gives the stored size of exactly the ids that exist, without the documents', async () => {
      const rows = await s.readSourceSizes([119, 102, 5000, 102]);
      const text = '<Provenir id="102">é</Provenir>';
      // UTF-8 bytes where the column is UTF-8 text; SQL Server's nvarchar stores UTF-16 code units (the
      // Babelfish TDS test server keeps nvarchar as PostgreSQL text and reports its UTF-8 length)
      const sizes = h.name === 'mssql' ? [2 * text.length, Buffer.byteLength(text, 'utf8')] : [Buffer.byteLength(text, 'utf8')];
      const sorted = rows.sort((a, b) => a.appId - b.appId);
      expect(sorted.map((r) => r.appId)).toEqual([102, 119]);
      expect(sizes).toContain(sorted[0]?.bytes);
      expect(await s.readSourceSizes([])).toEqual([]);
    });

    it('rejects a bad filter with a message naming the field', async () => {
      await expect(s.readSourcePage({ limit: 0 })).rejects.toThrow(/limit: must be an integer ≥ 1/);
      await expect(s.readSourcePage({ limit: 1, shard: { index: 3, count: 3 } })).rejects.toThrow(/shard: index 3 must be < count 3/);
    });

    it('ping works', async () => {
      await expect(s.ping()).resolves.toBeUndefined();
    });
  });
}

/** The product's example contract (contracts/credit-card.json) with its schema replaced. */
export function exampleContract(schema: string): MappingContract {
  const raw = JSON.parse(readFileSync(new URL('../../../contracts/credit-card.json', import.meta.url), 'utf8')) as MappingContract;
  return { ...raw, target_schema: schema };
}
