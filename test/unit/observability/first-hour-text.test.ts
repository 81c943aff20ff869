/**
 * What a new user reads first: the progress bar before the first batch, the plain progress lines,
 * the summary of a run with nothing to do, singulars, the peak RSS; and the password advice.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { connectHint, NO_PASSWORD_CODE } from '../../../src/db/connect-hint.js';
import { DbError } from '../../../src/db/db-error.js';
import { renderSummary, type RunSummary } from '../../../src/observability/metrics.js';
import { createProgress, formatEta } from '../../../src/observability/progress.js';

/** A stream that says it is a terminal and keeps what is written to it. */
function fakeStream(tty: boolean): NodeJS.WriteStream & { text(): string } {
  const s = new PassThrough() as unknown as NodeJS.WriteStream & { text(): string };
  let out = '';
  s.on('data', (d: Buffer) => { out += d.toString('utf8'); });
  Object.assign(s, { isTTY: tty, columns: 160, rows: 40, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  s.text = () => out;
  return s;
}

const base: RunSummary = {
  runId: 'r1', command: 'run', target: 'sqlite:x.db', dialect: 'sqlite', workers: 4, batchSize: 100, pool: false,
  readMode: 'worker', dryRun: false, startedAt: '', finishedAt: '', wallSeconds: 0.2, apps: { total: 0, ok: 0, failed: 0, alreadyLogged: 0, loggedBefore: 750 },
  appsPerMinute: 0, rowsByTable: {}, failuresByStage: {}, failedApps: [], phasesMs: { sourceRead: 0, workerRead: 0, parseMap: 0, write: 0 },
  perWorker: {}, cpu: { parentSeconds: 0.1, workersSeconds: 0.4, cores: 2 },
  retries: 0, splits: 0, workerCrashes: 0, outages: 0, warnings: 0, stoppedBy: null, exitCode: 0, peakRssMb: 87,
};

describe('summary text', () => {
  it('a run with nothing to do says so instead of "0 ok, 0 failed, 0 already logged"', () => {
    const t = renderSummary(base);
    expect(t.split('\n')[0]).toBe('run r1 finished in 0.20 s — nothing to do: all 750 selected apps are already logged (xmlmigrate status)');
    expect(t).not.toContain('note:'); // 4 workers on 2 cores, but no app ran
    expect(renderSummary({ ...base, apps: { ...base.apps, loggedBefore: 0 } }).split('\n')[0]).toMatch(/— nothing to do: no apps in the source table match the selection$/);
    // source in another database: the logged apps were found while paging
    expect(renderSummary({ ...base, apps: { total: 3, ok: 0, failed: 0, alreadyLogged: 3, } }).split('\n')[0]).toMatch(/nothing to do: all 3 selected apps are already logged/);
  });

  it('a stopped run or one with work keeps the counts; singulars; peak RSS on the cpu line', () => {
    expect(renderSummary({ ...base, stoppedBy: 'SIGINT', exitCode: 130 }).split('\n')[0]).toMatch(/stopped by SIGINT in 0\.20 s — 0 ok, 0 failed, 0 already logged/);
    const t = renderSummary({
      ...base, workers: 1, apps: { total: 5, ok: 5, failed: 0, alreadyLogged: 0 },
      perWorker: { 1: { batches: 1, ok: 5, failed: 0, parseMapMs: 10, writeMs: 5, readMs: 1, cpuMs: 0 } },
    });
    expect(t.split('\n')[0]).toMatch(/— 5 ok, 0 failed, 0 already logged/);
    expect(t).toContain('target sqlite:x.db · 1 worker · batch 100');
    expect(t).toContain('  worker 1: 1 batch, 5 ok');
    expect(t).toMatch(/^cpu: parent 0\.10 s · workers 0\.40 s \(start-up included\) · 2 CPU cores · parent peak RSS 87 MB$/m);
  });
});

describe('progress', () => {
  it('the bar starts honest: no rate and no ETA before the first batch', () => {
    const s = fakeStream(true);
    const p = createProgress({ enabled: true, stream: s });
    p.start(750);
    p.update(0, 0);
    p.stop();
    expect(s.text()).toContain('starting workers…');
    expect(s.text()).toContain('ETA --');
    expect(s.text()).not.toMatch(/0 apps\/s|ETA 0s/);
    const s2 = fakeStream(true);
    const p2 = createProgress({ enabled: true, stream: s2 });
    p2.start(750);
    p2.update(100, 1);
    p2.stop();
    expect(s2.text()).toMatch(/100\/750 apps \| \d+ apps\/s \| ETA \d+( min \d\d)? s \| failed 1/);
  });

  it('plain lines (not a terminal): counted unit, ETA "--" until something is done, no failures column for seeding', () => {
    const s = fakeStream(false);
    const p = createProgress({ enabled: true, stream: s, intervalMs: 0, verb: 'seeding', unit: 'documents', failures: false });
    p.start(40);
    p.update(0, 0);
    p.update(25, 0);
    expect(s.text().split('\n')[0]).toBe('progress: 0/40 documents, 0 documents/s, ETA --');
    expect(s.text().split('\n')[1]).toMatch(/^progress: 25\/40 documents, \d+ documents\/s, ETA \d+/);
    expect(s.text()).not.toContain('failed');
  });

  it('formatEta', () => {
    expect([formatEta(4.4), formatEta(185), formatEta(3725), formatEta(-3)]).toEqual(['4 s', '3 min 05 s', '1 h 02 min', '0 s']);
  });
});

describe('password advice', () => {
  const err = (code: string | number | null, number?: number) => new DbError('x', { code, dialect: number === undefined ? 'postgres' : 'mssql', kind: 'permanent', ...(number === undefined ? {} : { number }) });
  it('names the variable when the server wanted a password and none was given', () => {
    expect(connectHint(err(NO_PASSWORD_CODE), { password: null }, 'XMLMIGRATE_TARGET_PASSWORD')).toBe(' — set XMLMIGRATE_TARGET_PASSWORD');
    expect(connectHint(err('28P01'), { password: null }, 'XMLMIGRATE_SOURCE_PASSWORD')).toBe(' — no password was given: set XMLMIGRATE_SOURCE_PASSWORD');
    expect(connectHint(err('ELOGIN', 18456), { password: null }, 'XMLMIGRATE_TARGET_PASSWORD')).toBe(' — no password was given: set XMLMIGRATE_TARGET_PASSWORD');
  });
  it('says nothing when a password was given or the error is about something else', () => {
    expect(connectHint(err('28P01'), { password: 'pw' }, 'XMLMIGRATE_TARGET_PASSWORD')).toBe('');
    expect(connectHint(err('3D000'), { password: null }, 'XMLMIGRATE_TARGET_PASSWORD')).toBe('');
    expect(connectHint(new Error('x'), { password: null }, 'XMLMIGRATE_TARGET_PASSWORD')).toBe('');
  });
});
