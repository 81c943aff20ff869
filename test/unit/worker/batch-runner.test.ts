import { describe, expect, it } from 'vitest';
import { DbError } from '../../../src/db/db-error.js';
import type { LogRow, TargetSession, WriteBatch, WriteResult } from '../../../src/db/dialect.js';
import type { TableModel } from '../../../src/db/schema-types.js';
import { DataMapper } from '../../../src/mapping/data-mapper.js';
import { compilePlan } from '../../../src/mapping/plan.js';
import { BatchRunner } from '../../../src/worker/batch-runner.js';
import { contractWith, doc } from '../mapping/compat-helpers.js';

const contract = contractWith([{ xml_attribute: 'name', target_column: 'name' }]);
const table = (name: string) => ({ name, schema: 'dbo', role: 'app', columns: [], primaryKey: [], unique: [], foreignKey: null, duplicatePolicy: 'fail' }) as unknown as TableModel;

/** A fake session: `fail(batch)` decides whether a writeBatch throws; committed log rows are remembered. */
function fakeSession(fail: (b: WriteBatch, call: number) => DbError | null) {
  const logged = new Map<number, 'success' | 'failed'>();
  const calls: WriteBatch[] = [];
  const session = {
    model: { tables: [table('app_base'), table('app_t')] },
    async writeBatch(b: WriteBatch): Promise<WriteResult> {
      calls.push(b);
      const err = fail(b, calls.length);
      if (err) throw err;
      const rowsByTable: Record<string, number> = {};
      for (const t of b.tables) rowsByTable[t.table.name] = t.rows.length;
      for (const l of b.log) logged.set(l.appId, l.status);
      return { rowsByTable, logRows: b.log.length, duplicatesDropped: [] };
    },
    async loggedStatus(ids: readonly number[]) {
      return new Map(ids.filter((i) => logged.has(i)).map((i) => [i, logged.get(i)!] as const));
    },
  } as unknown as TargetSession;
  return { session, logged, calls };
}

const perm = (msg = 'value too long') => new DbError(msg, { code: '22001', dialect: 'postgres', kind: 'permanent', phase: 'write' });
const transient = () => new DbError('deadlock detected', { code: '40P01', dialect: 'postgres', kind: 'transient', phase: 'write' });

function runner(session: TargetSession, dryRun = false) {
  return new BatchRunner({
    mapper: new DataMapper(compilePlan(contract)), target: session, runId: 'r1', workerId: 1,
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 }, sleep: async () => undefined, dryRun,
  });
}

const items = (ids: number[]) => ids.map((id) => ({ appId: id, xml: doc({ name: `n${id}` }, '', '', String(id)) }));
const hasApp = (b: WriteBatch, id: number) => b.log.some((l: LogRow) => l.appId === id);

describe('BatchRunner', () => {
  it('writes a good batch in one transaction with one success log row per app', async () => {
    const f = fakeSession(() => null);
    const r = await runner(f.session).run(1, items([1, 2, 3]));
    expect(r).toMatchObject({ ok: 3, failed: [], splits: 0, retries: 0, fatal: null, rowsByTable: { app_base: 3, app_t: 3 } });
    expect(f.calls).toHaveLength(1);
    expect([...f.logged.values()]).toEqual(['success', 'success', 'success']);
  });

  it('logs documents that fail before the database in the same transaction, with their stage', async () => {
    const f = fakeSession(() => null);
    const r = await runner(f.session).run(1, [...items([1]), { appId: 2, xml: '<Provenir><Request ID="2">' }, { appId: 3, xml: null }, { appId: 4, xml: doc({}, '', '', '5') }]);
    expect(r.ok).toBe(1);
    expect(r.failed.map((x) => [x.appId, x.stage])).toEqual([[2, 'parsing'], [3, 'validation'], [4, 'validation']]);
    expect(r.failed[2]?.reason).toBe("document app id 5 does not match the source row's app_id 4");
    expect(f.calls).toHaveLength(1);
    expect(f.logged.get(2)).toBe('failed');
  });

  it('splits a batch that fails permanently until the bad app is isolated and logged failed at stage insert', async () => {
    const f = fakeSession((b) => (hasApp(b, 6) && b.log.find((l) => l.appId === 6)?.status === 'success' ? perm() : null));
    const r = await runner(f.session).run(1, items([1, 2, 3, 4, 5, 6, 7, 8]));
    expect(r.ok).toBe(7);
    expect(r.failed).toEqual([{ appId: 6, stage: 'insert', reason: 'value too long (code 22001)' }]);
    expect(r.splits).toBeGreaterThan(0);
    expect(f.logged.size).toBe(8);
    expect(f.logged.get(6)).toBe('failed');
  });

  it('retries transient errors with backoff and then succeeds', async () => {
    const f = fakeSession((_, call) => (call <= 2 ? transient() : null));
    const r = await runner(f.session).run(1, items([1, 2]));
    expect(r).toMatchObject({ ok: 2, retries: 2, fatal: null });
  });

  it('gives up after maxAttempts and reports every unwritten app as pending', async () => {
    const f = fakeSession(() => transient());
    const r = await runner(f.session).run(1, items([1, 2, 3]));
    expect(r.fatal?.kind).toBe('transient');
    expect(r.pending).toEqual([1, 2, 3]);
    expect(r.ok).toBe(0);
    expect(f.calls).toHaveLength(3);
  });

  it('checks processing_log when a commit outcome is unknown and does not write twice', async () => {
    const f = fakeSession((b, call) => {
      if (call === 1) { for (const l of b.log) f.logged.set(l.appId, l.status); return new DbError('connection lost during COMMIT', { code: 'ECONNRESET', dialect: 'postgres', kind: 'commit-unknown', phase: 'commit' }); }
      return null;
    });
    const r = await runner(f.session).run(1, items([1, 2]));
    expect(r).toMatchObject({ ok: 2, fatal: null });
    expect(f.calls).toHaveLength(1);
  });

  it('counts an app another run already logged as alreadyLogged, not as a failure', async () => {
    const f = fakeSession((b) => (hasApp(b, 2) ? perm('duplicate key value violates unique constraint') : null));
    f.logged.set(2, 'success');
    const r = await runner(f.session).run(1, items([1, 2, 3]));
    expect(r).toMatchObject({ ok: 2, alreadyLogged: 1, failed: [] });
  });

  it('--dry-run maps and counts but never writes', async () => {
    const f = fakeSession(() => null);
    const r = await runner(f.session, true).run(1, items([1, 2]));
    expect(r).toMatchObject({ ok: 2, rowsByTable: { app_base: 2, app_t: 2 } });
    expect(f.calls).toHaveLength(0);
  });

  it('poison logs the apps as failed with stage worker-crash', async () => {
    const f = fakeSession(() => null);
    const r = await runner(f.session).poison(9, [42], 'the worker processing this document died 2 times (last: SIGKILL)');
    expect(r.failed).toEqual([{ appId: 42, stage: 'worker-crash', reason: 'the worker processing this document died 2 times (last: SIGKILL)' }]);
    expect(f.logged.get(42)).toBe('failed');
  });

  describe('errors about the database are never recorded against an app (issue 9, item 2)', () => {
    const dbErr = (code: string, kind: 'permanent' | 'transient' = 'permanent', scope?: 'data' | 'database' | 'unknown') =>
      new DbError(`server says ${code}`, { code, dialect: 'postgres', kind, phase: 'write', ...(scope ? { scope } : {}) });

    it('a permission error stops the batch: fatal naming the cause, nothing logged, every app pending, no split', async () => {
      const f = fakeSession(() => dbErr('42501', 'permanent', 'database'));
      const r = await runner(f.session).run(1, items([1, 2, 3, 4]));
      expect(r.failed).toEqual([]);
      expect(r.ok).toBe(0);
      expect(r.splits).toBe(0);
      expect(r.pending).toEqual([1, 2, 3, 4]);
      expect(r.fatal).toMatchObject({ kind: 'permanent', scope: 'database', code: '42501' });
      expect(r.fatal?.message).toMatch(/^the run's role lacks a privilege: server says 42501 \(code 42501\) — an error about the database, not the documents: no app was logged failed/);
      expect(f.logged.size).toBe(0);
      expect(f.calls).toHaveLength(1);
    });

    it('a cancelled statement (57014) is retried like any transient error, then lands', async () => {
      const f = fakeSession((_, call) => (call <= 2 ? dbErr('57014', 'transient') : null));
      const r = await runner(f.session).run(1, items([1, 2, 3]));
      expect(r).toMatchObject({ ok: 3, failed: [], retries: 2, splits: 0, fatal: null });
    });

    it('safety net: every app isolated with the same unclassified error → systemic, nothing logged failed', async () => {
      const f = fakeSession((b) => (b.log.some((l) => l.status === 'success') ? dbErr('P0001') : null));
      const r = await runner(f.session).run(1, items([1, 2, 3, 4]));
      expect(r.failed).toEqual([]);
      expect(r.fatal).toMatchObject({ kind: 'permanent', scope: 'database', code: 'P0001' });
      expect(r.fatal?.message).toContain('every app of the batch failed with the same error (4 apps isolated one by one)');
      expect(r.pending).toEqual([1, 2, 3, 4]);
      expect(f.logged.size).toBe(0);
    });

    it('an unclassified error of one app still fails that app alone', async () => {
      const f = fakeSession((b) => (b.log.some((l) => l.appId === 3 && l.status === 'success') ? dbErr('P0001') : null));
      const r = await runner(f.session).run(1, items([1, 2, 3, 4]));
      expect(r.ok).toBe(3);
      expect(r.failed).toEqual([{ appId: 3, stage: 'insert', reason: 'server says P0001 (code P0001)' }]);
      expect(r.fatal).toBeNull();
    });

    it('data errors of two apps are two failures, not a systemic stop', async () => {
      const f = fakeSession((b) => (b.log.some((l) => (l.appId === 2 || l.appId === 3) && l.status === 'success') ? dbErr('22001', 'permanent', 'data') : null));
      const r = await runner(f.session).run(1, items([2, 3]));
      expect(r.failed.map((x) => x.appId)).toEqual([2, 3]);
      expect(r.fatal).toBeNull();
    });
  });

  it('an item the database could not read is logged failed at stage read with the server reason (issue 9, item 1)', async () => {
    const f = fakeSession(() => null);
    const r = await runner(f.session).run(1, [...items([1]), { appId: 2, xml: null, readError: 'invalid byte sequence for encoding "UTF8": 0xff (code 22021)' }]);
    expect(r.ok).toBe(1);
    expect(r.failed).toEqual([{ appId: 2, stage: 'read', reason: 'the database could not return this document: invalid byte sequence for encoding "UTF8": 0xff (code 22021)' }]);
    expect(f.logged.get(2)).toBe('failed');
  });

  it('a document app id beyond 2^53 - 1 fails validation saying it is too large, not "not a positive integer"', async () => {
    const f = fakeSession(() => null);
    const r = await runner(f.session).run(1, [{ appId: 7, xml: doc({ name: 'x' }, '', '', '90071992547409930') }, { appId: 3000000000, xml: doc({ name: 'y' }, '', '', '3000000000') }]);
    expect(r.failed).toHaveLength(1);
    expect(r.failed[0]?.reason).toMatch(/^app id 90071992547409930 at \S+ is too large for column app_id \(max 9007199254740991, the largest integer handled exactly\)$/);
    expect(r.ok).toBe(1);
  });
});
