import { describe, expect, it } from 'vitest';
import { prepareBatch } from '../../../../src/db/batch-prep.js';
import { DbError } from '../../../../src/db/db-error.js';
import { batchRequests, writeMssqlBatch } from '../../../../src/db/mssql/mssql-writer.js';
import { planMssqlTable } from '../../../../src/db/mssql/mssql-plan.js';
import { DateTime, Decimal } from '../../../../src/mapping/values.js';
import { smallModel, tableOf } from '../helpers.js';
import { FakeMssql } from './fake-mssql.js';

function batch(appIds: number[]) {
  return prepareBatch({
    tables: [
      { table: tableOf('app_base'), rows: appIds.map((app_id) => ({ app_id, receive_date: new DateTime(2024, 1, 1), product_line_enum: 600, requested_amount: new Decimal('1.25') })) },
      { table: tableOf('app_contact_base'), rows: appIds.map((app_id) => ({ app_id, con_id: app_id * 10, first_name: 'A' })) },
      { table: tableOf('scores'), rows: appIds.map((app_id) => ({ app_id, score_identifier: 'V4', score: 700 })) },
    ],
    log: appIds.map((appId) => ({ appId, status: 'success' as const, runId: 'run-1', workerId: 3 })),
  }, smallModel.processingLog);
}

const mssqlError = (message: string, fields: Record<string, unknown>): Error => Object.assign(new Error(message), { name: 'RequestError', ...fields });

describe('writeMssqlBatch', () => {
  it('runs begin → ONE request (XACT_ABORT, one OPENJSON insert per table in order, processing_log) → commit', async () => {
    const fake = new FakeMssql();
    const res = await writeMssqlBatch(fake.pool, fake.types, batch([1, 2]));
    expect(fake.calls).toHaveLength(3);
    expect(fake.calls[0]).toBe('begin');
    expect(fake.calls[2]).toBe('commit');
    expect(fake.calls[1]?.split('\n')).toEqual([
      'tx query SET XACT_ABORT ON;',
      "INSERT INTO [xm_small].[app_base] ([app_id], [receive_date], [product_line_enum], [requested_amount]) SELECT [app_id], [receive_date], [product_line_enum], [requested_amount] FROM OPENJSON(@j0) WITH ([app_id] bigint '$[0]', [receive_date] datetime2(7) '$[1]', [product_line_enum] bigint '$[2]', [requested_amount] decimal(18,2) '$[3]');",
      "INSERT INTO [xm_small].[app_contact_base] ([app_id], [con_id], [first_name]) SELECT [app_id], [con_id], [first_name] FROM OPENJSON(@j1) WITH ([app_id] bigint '$[0]', [con_id] bigint '$[1]', [first_name] nvarchar(max) '$[2]');",
      "INSERT INTO [xm_small].[scores] ([app_id], [score_identifier], [score]) SELECT [app_id], [score_identifier], [score] FROM OPENJSON(@j2) WITH ([app_id] bigint '$[0]', [score_identifier] nvarchar(max) '$[1]', [score] bigint '$[2]');",
      "INSERT INTO [xm_small].[processing_log] ([app_id], [status], [run_id], [worker_id], [attempts]) SELECT [app_id], [status], [run_id], [worker_id], [attempts] FROM OPENJSON(@j3) WITH ([app_id] bigint '$[0]', [status] nvarchar(max) '$[1]', [run_id] nvarchar(max) '$[2]', [worker_id] bigint '$[3]', [attempts] bigint '$[4]');",
    ]);
    expect(fake.inputs.map((i) => [i.name, i.type, i.value])).toEqual([
      ['j0', { name: 'NVarChar', length: 'max' }, '[["1","2024-01-01T00:00:00.000000",600,"1.25"],["2","2024-01-01T00:00:00.000000",600,"1.25"]]'],
      ['j1', { name: 'NVarChar', length: 'max' }, '[["1","10","A"],["2","20","A"]]'],
      ['j2', { name: 'NVarChar', length: 'max' }, '[["1","V4",700],["2","V4",700]]'],
      ['j3', { name: 'NVarChar', length: 'max' }, '[["1","success","run-1",3,1],["2","success","run-1",3,1]]'],
    ]);
    expect(res).toEqual({ rowsByTable: { app_base: 2, app_contact_base: 2, scores: 2 }, logRows: 2 });
  });

  it('without OPENJSON: begin → XACT_ABORT → one bulk per table in order → processing_log → commit', async () => {
    const fake = new FakeMssql();
    const res = await writeMssqlBatch(fake.pool, fake.types, batch([1, 2]), { types: new Map(), identity: new Map(), openJson: false });
    expect(fake.calls).toEqual([
      'begin',
      'tx query SET XACT_ABORT ON;',
      'tx bulk [xm_small].[app_base] {"checkConstraints":true,"keepNulls":false} rows=2',
      'tx bulk [xm_small].[app_contact_base] {"checkConstraints":true,"keepNulls":false} rows=2',
      'tx bulk [xm_small].[scores] {"checkConstraints":true,"keepNulls":false} rows=2',
      'tx bulk [xm_small].[processing_log] {"checkConstraints":true,"keepNulls":false} rows=2',
      'commit',
    ]);
    expect(res).toEqual({ rowsByTable: { app_base: 2, app_contact_base: 2, scores: 2 }, logRows: 2 });
    const log = fake.tables.at(-1);
    expect(log?.cols.map((c) => c.name)).toEqual(['app_id', 'status', 'run_id', 'worker_id', 'attempts']);
    expect(log?.data[0]).toEqual([1n, 'success', 'run-1', 3, 1]);
    expect(fake.tables[0]?.cols[3]).toEqual({ name: 'requested_amount', type: { name: 'Decimal', precision: 18, scale: 2 }, nullable: true });
  });

  it('rolls back on a failing statement, keeps number/state/class/lineNumber and names the table of that line', async () => {
    const fake = new FakeMssql();
    fake.failOn = {
      match: /OPENJSON/,
      error: mssqlError("Violation of PRIMARY KEY constraint 'pk_app_contact_base'.", { code: 'EREQUEST', number: 2627, state: 1, class: 14, lineNumber: 3 }),
    };
    const err = await writeMssqlBatch(fake.pool, fake.types, batch([1])).catch((e: unknown) => e) as DbError;
    expect(err).toBeInstanceOf(DbError);
    expect(err).toMatchObject({ dialect: 'mssql', kind: 'permanent', code: 2627, number: 2627, state: 1, class: 14, lineNumber: 3, table: 'app_contact_base', phase: 'write' });
    expect(fake.calls.at(-1)).toBe('rollback');
    expect(fake.calls).not.toContain('commit');
  });

  it('rolls back on a failing bulk load and names its table', async () => {
    const fake = new FakeMssql();
    fake.failOn = { match: /bulk \[xm_small\]\.\[app_contact_base\]/, error: mssqlError('duplicate key', { code: 'EREQUEST', number: 2627 }) };
    const err = await writeMssqlBatch(fake.pool, fake.types, batch([1]), { types: new Map(), identity: new Map(), openJson: false }).catch((e: unknown) => e) as DbError;
    expect(err).toMatchObject({ number: 2627, table: 'app_contact_base', phase: 'write' });
    expect(fake.calls.slice(-2)).toEqual(['tx bulk [xm_small].[app_contact_base] {"checkConstraints":true,"keepNulls":false} rows=1', 'rollback']);
  });

  it('classifies a deadlock as transient and still rolls back', async () => {
    const fake = new FakeMssql();
    fake.failOn = { match: /processing_log/, error: mssqlError('deadlock victim', { code: 'EREQUEST', number: 1205, lineNumber: 5 }) };
    const err = await writeMssqlBatch(fake.pool, fake.types, batch([1])).catch((e: unknown) => e) as DbError;
    expect(err).toMatchObject({ kind: 'transient', number: 1205, table: 'processing_log' });
    expect(fake.calls.at(-1)).toBe('rollback');
  });

  it('a connection lost during COMMIT is commit-unknown and is not rolled back', async () => {
    const fake = new FakeMssql();
    fake.failOn = { match: /^commit$/, error: Object.assign(new Error('Connection lost - read ECONNRESET'), { code: 'ESOCKET' }) };
    const err = await writeMssqlBatch(fake.pool, fake.types, batch([1])).catch((e: unknown) => e) as DbError;
    expect(err).toMatchObject({ kind: 'commit-unknown', phase: 'commit' });
    expect(fake.calls.at(-1)).toBe('commit');
  });

  it('a value error is raised before any transaction is opened', async () => {
    const fake = new FakeMssql();
    const live = { types: new Map([['app_base', new Map([['requested_amount', { name: 'Decimal' as const, precision: 2, scale: 2 }]])]]), identity: new Map() };
    const err = await writeMssqlBatch(fake.pool, fake.types, batch([1]), live).catch((e: unknown) => e) as DbError;
    expect(err).toMatchObject({ code: 'XM_VALUE', kind: 'permanent', table: 'app_base', column: 'requested_amount', appId: 1 });
    expect(fake.calls).toEqual([]);
  });

  it('rollback failure (transaction already aborted) does not hide the original error', async () => {
    const fake = new FakeMssql();
    let n = 0;
    const original = fake.pool.transaction.bind(fake.pool);
    fake.pool.transaction = () => {
      const tx = original();
      return { ...tx, rollback: async () => { n++; throw new Error('Transaction has been aborted.'); } };
    };
    fake.failOn = { match: /OPENJSON/, error: mssqlError('conversion failed', { code: 'EREQUEST', number: 245 }) };
    const err = await writeMssqlBatch(fake.pool, fake.types, batch([1])).catch((e: unknown) => e) as DbError;
    expect(err.number).toBe(245);
    expect(n).toBe(1);
  });

  it('packs statements into requests of at most 2,000 parameters with unique names; bulk loads stand alone', () => {
    const b = batch([1, 2]);
    const text = (n: number) => ({ kind: 'sql' as const, statement: { text: `S${n}`, params: Array.from({ length: 900 }, (_, i) => ({ name: `s${n}_${i}`, type: { name: 'Int' as const }, value: i })) } });
    const bulkStep = planMssqlTable(b.log, { types: new Map(), identity: new Map(), openJson: false }).steps[0]!;
    expect(bulkStep.kind).toBe('bulk');
    const reqs = batchRequests([
      { table: 'a', rowCount: 1, steps: [text(1), text(2)] },
      { table: 'b', rowCount: 1, steps: [text(3), bulkStep] },
      { table: 'c', rowCount: 1, steps: [{ kind: 'sql', statement: { text: 'X', params: [{ name: 'p0', type: { name: 'Int' }, value: 1 }] } }, { kind: 'sql', statement: { text: 'Y', params: [{ name: 'p0', type: { name: 'Int' }, value: 2 }] } }] },
    ]);
    expect(reqs.map((r) => (r.kind === 'bulk' ? `bulk ${r.table}` : `${r.statement.text.replace(/\n/g, '|')} (${r.statement.params.length}) ${r.lineTables.join(',')}`))).toEqual([
      'SET XACT_ABORT ON;|S1|S2 (1800) ,a,a',
      'S3 (900) b',
      'bulk b',
      'X (1) c',
      'Y (1) c',
    ]);
  });
});
