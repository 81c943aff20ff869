/**
 * The HTML run report's renderer: every text escaped (failure reasons and app ids come from documents),
 * no script anywhere, the charts drawn from the data, and the after-the-fact data from processing_log.
 * The rendered page in a real browser: test/e2e/report-browser.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { bucketFor, reportFromLog, throughputFromLog } from '../../../src/cli/commands/report.js';
import type { LogReport } from '../../../src/db/dialect.js';
import type { RunSummary } from '../../../src/observability/metrics.js';
import { esc, niceTicks, timeTicks, renderReport, reportFromSummary } from '../../../src/observability/report-html.js';

const HOSTILE = '</td><script>document.title="pwned"</script><img src=x onerror="alert(1)">\'&';

function summary(over: Partial<RunSummary> = {}): RunSummary {
  return {
    runId: 'R1', command: 'run -c c.json -t postgres://u:***@h/db', target: 'postgres://u:***@h/db', dialect: 'postgres', workers: 2, batchSize: 10, pool: false,
    readMode: 'worker', dryRun: false, startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:03.000Z', wallSeconds: 3,
    apps: { total: 40, ok: 30, failed: 10, alreadyLogged: 0 }, appsPerMinute: 800, rowsByTable: { app_base: 30, [`t${HOSTILE}`]: 5 },
    failuresByStage: { validation: 10 }, failedApps: [], phasesMs: { sourceRead: 5, workerRead: 100, parseMap: 900, write: 300 },
    cpu: { parentSeconds: 0.1, workersSeconds: 2, cores: 2 },
    perWorker: { 1: { batches: 2, ok: 15, failed: 5, parseMapMs: 450, writeMs: 150, readMs: 50, cpuMs: 900 }, 2: { batches: 2, ok: 15, failed: 5, parseMapMs: 450, writeMs: 150, readMs: 50, cpuMs: 0 } },
    retries: 1, splits: 0, workerCrashes: 1, outages: 0, warnings: 0, stoppedBy: 'failure budget', exitCode: 4, peakRssMb: 70,
    failureGroups: [{ stage: 'validation', reason: 'invalid app id "…"', count: 10, appIds: [1, 2, 3], example: `invalid app id "${HOSTILE}"` }],
    failureBudget: { limit: '5 failed apps', exceeded: true, reason: '10 apps failed, more than the budget of 5 failed apps' },
    timeline: {
      bucketMs: 1000, done: [10, 20, 10], failed: [5, 5, 0], per: 1, eventsDropped: 0,
      batches: [
        { w: 1, s: 100, e: 900, apps: 10, ok: 5, failed: 5, retries: 1, splits: 0, n: 1 },
        { w: 2, s: 120, e: 1500, apps: 10, ok: 10, failed: 0, retries: 0, splits: 1, n: 1 },
      ],
      events: [{ t: 1600, w: 2, kind: 'crash', detail: `SIGKILL ${HOSTILE}`, s: 1550 }],
    },
    ...over,
  };
}

describe('esc', () => {
  it('escapes the five markup characters', () => {
    expect(esc('<a href="x">\'&</a>')).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&lt;/a&gt;');
  });
});

describe('niceTicks', () => {
  it('gives round steps covering the maximum', () => {
    expect(niceTicks(487)).toEqual([0, 100, 200, 300, 400, 500]);
    expect(niceTicks(0.3, 3)).toEqual([0, 0.1, 0.2, 0.3]);
    expect(niceTicks(0)).toEqual([0, 1]);
  });
  it('time ticks fall on round clock steps', () => {
    expect(timeTicks(3000)).toEqual([0, 500, 1000, 1500, 2000, 2500, 3000]);
    expect(timeTicks(9000)).toEqual([0, 2000, 4000, 6000, 8000]);
    expect(timeTicks(600_000)).toEqual([0, 120_000, 240_000, 360_000, 480_000, 600_000]);
    expect(timeTicks(570)).toEqual([0, 100, 200, 300, 400, 500]);
  });
});

describe('renderReport', () => {
  const html = renderReport(reportFromSummary(summary(), '2026-01-01T00:00:04.000Z'));

  it('renders hostile text inert: no script, no injected tag or attribute, the text still readable', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toMatch(/onerror=["']?alert/i); // only as escaped text: onerror=&quot;alert
    expect(html).toContain('&lt;script&gt;document.title=&quot;pwned&quot;&lt;/script&gt;');
    expect(html).toContain("default-src 'none'"); // and a policy that would not run one anyway
    expect(html).not.toMatch(/https?:\/\//); // nothing to fetch
  });

  it('draws the throughput line, the worker lanes with the crash, and the tables', () => {
    const line = /<polyline class="throughput" points="([^"]+)"/.exec(html);
    expect(line).not.toBeNull();
    expect(line![1]!.trim().split(/\s+/)).toHaveLength(3);
    expect(html.match(/<rect class="batch"/g)).toHaveLength(2);
    expect(html).toContain('class="crash"');
    expect(html).toMatch(/<td>app_base<\/td><td class="n">30<\/td>/);
    expect(html).toContain('Failure budget exceeded');
    expect(html).toContain('exit 4 · stopped by the failure budget');
    expect(html).toMatch(/<td class="ids">1, 2, 3 <span class="ex">… and 7 more<\/span><\/td>/);
  });

  it('says what is missing instead of drawing nothing', () => {
    // a metrics file of an older version: no timeline, no failure groups
    const { failureGroups: _dropped, ...old } = summary({ timeline: null, failedApps: [{ appId: 7, stage: 'mapping', reason: 'r' }] });
    const bare = renderReport(reportFromSummary(old));
    expect(bare).toContain('No throughput data');
    expect(bare).toContain('No worker timeline');
    expect(bare).toContain('lists only the first 1 failures');
  });
});

describe('the report from processing_log', () => {
  const log: LogReport = {
    byTime: [
      { at: '2026-01-01T00:00:00.500Z', status: 'success', count: 10 },
      { at: '2026-01-01T00:00:00.900Z', status: 'failed', count: 2 },
      { at: '2026-01-01T00:00:02.100Z', status: 'success', count: 8 },
    ],
    failures: [{ appId: 5, stage: 'validation', reason: `invalid app id "${HOSTILE}"` }, { appId: 6, stage: null, reason: null }],
    failedTotal: 2,
    rowCounts: { app_base: 18 },
  };

  it('buckets commit times', () => {
    expect(bucketFor(8_000)).toBe(1000);
    expect(bucketFor(3_600_000)).toBe(15_000);
    expect(throughputFromLog(log.byTime)).toEqual({ startMs: Date.parse('2026-01-01T00:00:00.500Z'), endMs: Date.parse('2026-01-01T00:00:02.100Z'), bucketMs: 1000, done: [12, 8], failed: [2, 0] });
    expect(throughputFromLog([])).toBeNull();
  });

  it('groups every failure with its app id and counts rows now; with a metrics file, keeps its timeline', () => {
    const d = reportFromLog(log, { target: 'sqlite:t.db', dialect: 'sqlite', runId: null, metrics: null, metricsFile: null });
    expect(d.apps).toEqual({ ok: 18, failed: 2 });
    expect(d.failures.groups.map((g) => [g.stage, g.appIds])).toEqual([['(none)', [6]], ['validation', [5]]]);
    expect(d.rows).toEqual([{ title: 'rows in the target tables now (all runs)', counts: { app_base: 18 } }]);
    const html = renderReport(d);
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;');
    const withMetrics = reportFromLog(log, { target: 'x', dialect: 'postgres', runId: 'R1', metrics: summary(), metricsFile: 'm.json' });
    expect(withMetrics.lanes?.batches).toHaveLength(2);
    expect(withMetrics.failures.total).toBe(2);
    expect(withMetrics.rows.map((r) => r.title)).toEqual(['rows written by this run', 'rows in the target tables now (all runs)']);
  });
});
