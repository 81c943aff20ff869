import { describe, expect, it } from 'vitest';
import { classifyError, toDbError } from '../../../src/db/classify-error.js';
import { DbError, ValueError } from '../../../src/db/db-error.js';

const err = (fields: Record<string, unknown>, message = 'boom'): Error => Object.assign(new Error(message), fields);

describe('classifyError', () => {
  it('SQL Server: deadlock, lock timeout, Azure family and connection codes are transient', () => {
    for (const number of [1205, 1222, 40501, 40613, 49918, 49919, 49920, 4060, 4221]) {
      expect(classifyError('mssql', err({ code: 'EREQUEST', number })), String(number)).toEqual({ kind: 'transient', code: number });
    }
    for (const code of ['ESOCKET', 'ETIMEOUT', 'ECONNCLOSED']) expect(classifyError('mssql', err({ code })).kind).toBe('transient');
    expect(classifyError('mssql', err({ code: 'EREQUEST', number: 2627 }))).toEqual({ kind: 'permanent', code: 2627 });
    expect(classifyError('mssql', err({ code: 'ELOGIN' })).kind).toBe('permanent');
    // tedious error wrapped by mssql: number only on originalError.info
    expect(classifyError('mssql', err({ code: 'EREQUEST', originalError: { info: { number: 1205 } } })).kind).toBe('transient');
  });

  it('PostgreSQL: serialization, deadlock, shutdown, class 08 and socket errors are transient', () => {
    for (const code of ['40001', '40P01', '57P01', '57P02', '57P03', '08006', '08001', 'ECONNRESET', 'ETIMEDOUT', 'ECONNREFUSED', 'EPIPE']) {
      expect(classifyError('postgres', err({ code })).kind, code).toBe('transient');
    }
    expect(classifyError('postgres', new Error('Connection terminated unexpectedly'))).toEqual({ kind: 'transient', code: 'ECONNLOST' });
    for (const code of ['23505', '23502', '22001', '42P01', '28P01', '57P04']) expect(classifyError('postgres', err({ code })).kind, code).toBe('permanent');
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
    expect(e.toJSON()).toEqual({ name: 'DbError', message: e.message, code: 2627, dialect: 'mssql', kind: 'permanent', number: 2627, state: 1, class: 14, lineNumber: 3, table: 'app_base', phase: 'write' });
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
