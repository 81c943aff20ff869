/** Text from documents reaches terminals with its control characters shown, never executed. */
import { describe, expect, it } from 'vitest';
import { renderSummary, type RunSummary } from '../../../src/observability/metrics.js';
import { terminalSafe } from '../../../src/observability/terminal-text.js';

describe('terminalSafe', () => {
  it('escapes ESC sequences, BEL, CR, DEL, C1 controls and bidi overrides visibly', () => {
    expect(terminalSafe('</CustData\u001b[31m\u0007>')).toBe('</CustData\\u001b[31m\\u0007>');
    expect(terminalSafe('a\rb\u007f\u009b2J\u202Eevil\u2066')).toBe('a\\u000db\\u007f\\u009b2J\\u202eevil\\u2066');
    expect(terminalSafe('\u001b]0;title\u0007')).toBe('\\u001b]0;title\\u0007');
  });

  it('keeps ordinary text, tabs and non-ASCII letters; newlines only when multi-line on purpose', () => {
    expect(terminalSafe('MÜLLER 中文 𝄞\tok')).toBe('MÜLLER 中文 𝄞\tok');
    expect(terminalSafe('line 1\nline 2')).toBe('line 1\\u000aline 2');
    expect(terminalSafe('line 1\nline \u001b2', true)).toBe('line 1\nline \\u001b2');
  });

  it('is stable when called repeatedly (no lastIndex state between calls)', () => {
    for (let i = 0; i < 3; i++) expect(terminalSafe('x\u0007y')).toBe('x\\u0007y');
  });
});

describe('the run summary', () => {
  it('shows a failure reason quoting a document with its controls escaped, and stays multi-line', () => {
    const summary = {
      runId: 'r1', command: 'run', target: 'sqlite:x.db', dialect: 'sqlite', workers: 1, batchSize: 10, pool: false,
      readMode: 'worker', dryRun: false, startedAt: '', finishedAt: '', wallSeconds: 1, apps: { total: 1, ok: 0, failed: 1, alreadyLogged: 0 },
      appsPerMinute: 60, rowsByTable: {}, failuresByStage: { parsing: 1 },
      failedApps: [{ appId: 7, stage: 'parsing', reason: 'mismatched end tag </CustData\u001b[31m\u0007>, expected </CustData> (line 9, column 3)' }],
      phasesMs: { sourceRead: 0, workerRead: 0, parseMap: 0, write: 0 }, perWorker: {}, cpu: { parentSeconds: 0, workersSeconds: 0, cores: 2 },
      retries: 0, splits: 0, workerCrashes: 0, outages: 0, warnings: 0, stoppedBy: null, exitCode: 1, peakRssMb: 50,
    } as unknown as RunSummary;
    const text = renderSummary(summary);
    expect(text).not.toMatch(/[\u0007\u001b]/);
    expect(text).toContain('  app 7 [parsing] mismatched end tag </CustData\\u001b[31m\\u0007>, expected </CustData> (line 9, column 3)');
    expect(text.split('\n').length).toBeGreaterThan(3);
  });
});
