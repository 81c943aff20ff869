import { describe, expect, it } from 'vitest';
import { classifyError, toDbError } from '../../../src/db/classify-error.js';
import { DbError, ValueError } from '../../../src/db/db-error.js';

const err = (fields: Record<string, unknown>, message = 'boom'): Error => Object.assign(new Error(message), fields);

describe('classifyError', () => {
  it('SQL Server: deadlock, lock timeout, Azure family and connection codes are transient', () => {
    for (const number of [1205, 1222, 40501, 40613, 49918, 49919, 49920, 4060, 4221]) {
      expect(classifyError('mssql', err({ code: 'EREQUEST', number })), String(number)).toEqual({ kind: 'transient', code: number, scope: 'database' });
    }
    for (const code of ['ESOCKET', 'ETIMEOUT', 'ECONNCLOSED']) expect(classifyError('mssql', err({ code })).kind).toBe('transient');
    expect(classifyError('mssql', err({ code: 'EREQUEST', number: 2627 }))).toEqual({ kind: 'permanent', code: 2627, scope: 'data' });
    expect(classifyError('mssql', err({ code: 'ELOGIN' })).kind).toBe('permanent');
    // tedious error wrapped by mssql: number only on originalError.info
    expect(classifyError('mssql', err({ code: 'EREQUEST', originalError: { info: { number: 1205 } } })).kind).toBe('transient');
  });

  it('PostgreSQL: serialization, deadlock, shutdown, class 08 and socket errors are transient', () => {
    for (const code of ['40001', '40P01', '57P01', '57P02', '57P03', '08006', '08001', 'ECONNRESET', 'ETIMEDOUT', 'ECONNREFUSED', 'EPIPE']) {
      expect(classifyError('postgres', err({ code })).kind, code).toBe('transient');
    }
    expect(classifyError('postgres', new Error('Connection terminated unexpectedly'))).toEqual({ kind: 'transient', code: 'ECONNLOST', scope: 'database' });
    for (const code of ['23505', '23502', '22001', '42P01', '28P01', '57P04']) expect(classifyError('postgres', err({ code })).kind, code).toBe('permanent');
  });

  it('scope: errors about the rows are data, errors about the database are database (never blamed on an app)', () => {
    // PostgreSQL: class 22/23/54 are about the rows; privileges, read-only, disk full, missing table are not
    for (const code of ['22021', '22001', '22003', '23505', '23503', '54000']) {
      expect(classifyError('postgres', err({ code })), code).toEqual({ kind: 'permanent', code, scope: 'data' });
    }
    for (const code of ['42501', '25006', '53100', '53400', '42P01', '42703', '3D000', '28000', '57P04', '58030']) {
      expect(classifyError('postgres', err({ code })), code).toEqual({ kind: 'permanent', code, scope: 'database' });
    }
    // cancelled statements, statement timeout, idle-session timeout, out of memory: retried
    for (const code of ['57014', '57P05', '53200', '53300', '57P01']) {
      expect(classifyError('postgres', err({ code })), code).toEqual({ kind: 'transient', code, scope: 'database' });
    }
    expect(classifyError('postgres', err({ code: 'P0001' })).scope).toBe('unknown');
    // a session that cannot open or a transaction that cannot begin says nothing about any row
    expect(classifyError('postgres', err({ code: '23505' }), 'connect').scope).toBe('database');
    // SQL Server
    for (const number of [229, 230, 262, 3906, 1105, 9002, 208]) {
      expect(classifyError('mssql', err({ code: 'EREQUEST', number })), String(number)).toEqual({ kind: 'permanent', code: number, scope: 'database' });
    }
    expect(classifyError('mssql', err({ code: 'EREQUEST', number: 701 }))).toEqual({ kind: 'transient', code: 701, scope: 'database' });
    for (const number of [2627, 547, 515, 8152, 8115, 245]) expect(classifyError('mssql', err({ code: 'EREQUEST', number })).scope, String(number)).toBe('data');
    expect(classifyError('mssql', err({ code: 'EREQUEST', number: 50000 })).scope).toBe('unknown');
    // SQLite
    expect(classifyError('sqlite', err({ code: 'SQLITE_READONLY_DBMOVED' })).scope).toBe('database');
    expect(classifyError('sqlite', err({ code: 'SQLITE_FULL' })).scope).toBe('database');
    expect(classifyError('sqlite', err({ code: 'SQLITE_CONSTRAINT_CHECK' })).scope).toBe('data');
    // value errors are about the row
    expect(classifyError('postgres', new ValueError('t', 'c', 1, 'too long')).scope).toBe('data');
    expect(toDbError('postgres', err({ code: '42501' }, 'permission denied for table app_base')).scope).toBe('database');
  });

  it('SQLite: BUSY and LOCKED (with extended codes) are transient, constraints permanent', () => {
    expect(classifyError('sqlite', err({ code: 'SQLITE_BUSY' })).kind).toBe('transient');
    expect(classifyError('sqlite', err({ code: 'SQLITE_BUSY_SNAPSHOT' })).kind).toBe('transient');
    expect(classifyError('sqlite', err({ code: 'SQLITE_LOCKED_SHAREDCACHE' })).kind).toBe('transient');
    expect(classifyError('sqlite', err({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' })).kind).toBe('permanent');
  });

  it('a lost connection during COMMIT is commit-unknown; a definite answer is not', () => {
    expect(classifyError('postgres', err({ code: 'ECONNRESET' }), 'commit').kind).toBe('commit-unknown');
    expect(classifyError('postgres', new Error('Connection terminated unexpectedly'), 'commit').kind).toBe('commit-unknown');
    expect(classifyError('postgres', err({ code: '40001' }), 'commit').kind).toBe('transient');
    expect(classifyError('mssql', err({ code: 'ESOCKET' }), 'commit').kind).toBe('commit-unknown');
    expect(classifyError('mssql', err({ code: 'EREQUEST', number: 1205 }), 'commit').kind).toBe('transient');
    expect(classifyError('postgres', err({ code: 'ECONNRESET' }), 'write').kind).toBe('transient');
  });
});

describe('toDbError', () => {
  it('keeps SQL Server fields, table and phase, and scrubs secrets from the message', () => {
    const e = toDbError('mssql', err({ code: 'EREQUEST', number: 2627, state: 1, class: 14, lineNumber: 3 }, 'Violation of PRIMARY KEY; login hunter2'), { phase: 'write', table: 'app_base', secrets: ['hunter2'] });
    expect(e).toBeInstanceOf(DbError);
    expect(e).toMatchObject({ dialect: 'mssql', kind: 'permanent', code: 2627, number: 2627, state: 1, class: 14, lineNumber: 3, table: 'app_base', phase: 'write' });
    expect(e.message).toBe('Violation of PRIMARY KEY; login *** [table app_base]');
    expect(e.toJSON()).toEqual({ name: 'DbError', message: e.message, code: 2627, dialect: 'mssql', kind: 'permanent', scope: 'data', number: 2627, state: 1, class: 14, lineNumber: 3, table: 'app_base', phase: 'write' });
    expect(e.cause).toBeInstanceOf(Error);
  });

  it('turns a ValueError into a permanent XM_VALUE error carrying column and app', () => {
    const e = toDbError('sqlite', new ValueError('t', 'c', 9, 'too long'));
    expect(e).toMatchObject({ code: 'XM_VALUE', kind: 'permanent', table: 't', column: 'c', appId: 9 });
  });

  it('passes a DbError through unchanged', () => {
    const original = new DbError('x', { code: 'X', dialect: 'postgres', kind: 'transient' });
    expect(toDbError('postgres', original)).toBe(original);
  });
});
