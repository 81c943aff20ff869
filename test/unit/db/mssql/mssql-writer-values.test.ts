/**
 * A value that does not fit its live column (found by the SQL Server live suite: it used to stop
 * the whole run as a connection-level error) fails the batch as a permanent write error naming the
 * app, table and column — so the batch runner splits it and fails only that app — before any
 * transaction is opened.
 */
import { describe, expect, it } from 'vitest';
import { prepareBatch } from '../../../../src/db/batch-prep.js';
import { DbError } from '../../../../src/db/db-error.js';
import type { MssqlLiveInfo } from '../../../../src/db/mssql/mssql-plan.js';
import type { MssqlTypeSpec } from '../../../../src/db/mssql/mssql-types.js';
import { writeMssqlBatch } from '../../../../src/db/mssql/mssql-writer.js';
import { DateTime } from '../../../../src/mapping/values.js';
import { smallModel, tableOf } from '../helpers.js';
import { FakeMssql } from './fake-mssql.js';

function liveWith(table: string, column: string, spec: MssqlTypeSpec): MssqlLiveInfo {
  return { types: new Map([[table, new Map([[column, spec]])]]), identity: new Map() };
}

describe('writeMssqlBatch: values checked against the live column', () => {
  it('an integer beyond a narrower live column is a permanent write-phase value error; nothing is sent', async () => {
    const fake = new FakeMssql();
    const batch = prepareBatch({
      tables: [{ table: tableOf('app_base'), rows: [{ app_id: 1, receive_date: new DateTime(2024, 1, 1), product_line_enum: 600 }, { app_id: 2, receive_date: new DateTime(2024, 1, 1), product_line_enum: 300 }] }],
      log: [{ appId: 1, status: 'success' }, { appId: 2, status: 'success' }],
    }, smallModel.processingLog);
    const err = await writeMssqlBatch(fake.pool, fake.types, batch, liveWith('app_base', 'product_line_enum', { name: 'TinyInt' })).catch((e: unknown) => e) as DbError;
    expect(err).toBeInstanceOf(DbError);
    expect(err).toMatchObject({ code: 'XM_VALUE', kind: 'permanent', phase: 'write', table: 'app_base', column: 'product_line_enum', appId: 1 });
    expect(err.message).toBe('app_base.product_line_enum (app_id 1): 600 is out of range for tinyint');
    expect(fake.calls).toEqual([]);
  });

  it('a date before a live datetime column\'s range, and text too long for a live nvarchar, likewise', async () => {
    const fake = new FakeMssql();
    const dated = prepareBatch({
      tables: [{ table: tableOf('app_base'), rows: [{ app_id: 5, receive_date: new DateTime(1700, 1, 1), product_line_enum: 600 }] }],
      log: [{ appId: 5, status: 'success' }],
    }, smallModel.processingLog);
    await expect(writeMssqlBatch(fake.pool, fake.types, dated, liveWith('app_base', 'receive_date', { name: 'DateTime' })))
      .rejects.toMatchObject({ code: 'XM_VALUE', phase: 'write', message: 'app_base.receive_date (app_id 5): 1700-01-01T00:00:00 is out of range for datetime (1753-01-01 to 9999-12-31)' });
    const named = prepareBatch({
      tables: [{ table: tableOf('app_contact_base'), rows: [{ app_id: 6, con_id: 61, first_name: 'ABCDEFGHIJKL' }] }],
      log: [{ appId: 6, status: 'success' }],
    }, smallModel.processingLog);
    await expect(writeMssqlBatch(fake.pool, fake.types, named, liveWith('app_contact_base', 'first_name', { name: 'NVarChar', length: 10 })))
      .rejects.toMatchObject({ code: 'XM_VALUE', phase: 'write', message: 'app_contact_base.first_name (app_id 6): value of 12 UTF-16 code units is too long for nvarchar(10)' });
    expect(fake.calls).toEqual([]);
  });
});
