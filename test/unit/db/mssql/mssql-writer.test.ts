import { describe, expect, it } from 'vitest';
import { prepareBatch } from '../../../../src/db/batch-prep.js';
import { DbError } from '../../../../src/db/db-error.js';
import { writeMssqlBatch } from '../../../../src/db/mssql/mssql-writer.js';
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
  it('runs begin → XACT_ABORT → one bulk per table in order → processing_log → commit', async () => {
    const fake = new FakeMssql();
    const res = await writeMssqlBatch(fake.pool, fake.types, batch([1, 2]));
    expect(fake.calls).toEqual([
      'begin',
      'tx query SET XACT_ABORT ON',
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

  it('rolls back on a failing bulk and keeps number/state/class/lineNumber and the table', async () => {
    const fake = new FakeMssql();
    fake.failOn = {
      match: /bulk \[xm_small\]\.\[app_contact_base\]/,
      error: mssqlError("Violation of PRIMARY KEY constraint 'pk_app_contact_base'.", { code: 'EREQUEST', number: 2627, state: 1, class: 14, lineNumber: 1 }),
    };
    const err = await writeMssqlBatch(fake.pool, fake.types, batch([1])).catch((e: unknown) => e) as DbError;
    expect(err).toBeInstanceOf(DbError);
    expect(err).toMatchObject({ dialect: 'mssql', kind: 'permanent', code: 2627, number: 2627, state: 1, class: 14, lineNumber: 1, table: 'app_contact_base', phase: 'write' });
    expect(fake.calls.slice(-2)).toEqual(['tx bulk [xm_small].[app_contact_base] {"checkConstraints":true,"keepNulls":false} rows=1', 'rollback']);
    expect(fake.calls).not.toContain('commit');
  });

  it('classifies a deadlock as transient and still rolls back', async () => {
    const fake = new FakeMssql();
    fake.failOn = { match: /processing_log/, error: mssqlError('deadlock victim', { code: 'EREQUEST', number: 1205 }) };
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
    fake.failOn = { match: /bulk/, error: mssqlError('conversion failed', { code: 'EREQUEST', number: 245 }) };
    const err = await writeMssqlBatch(fake.pool, fake.types, batch([1])).catch((e: unknown) => e) as DbError;
    expect(err.number).toBe(245);
    expect(n).toBe(1);
  });
});
