/** `xmlmigrate status` and `xmlmigrate retry-failed`: processing_log summary, and clearing failed rows. */
import type { Command } from 'commander';
import { terminalSafe } from '../../observability/terminal-text.js';
import { notPositiveProblem } from '../../db/preflight.js';
import { readClaimStatus, type ClaimStatus } from '../../db/claim-store.js';
import { contractFile, loadPlan } from '../load-plan.js';
import { openSession, requireTables, targetUrl, withDb } from '../session.js';

/** Registers both commands. */
export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('summarize processing_log (counts by status and failure stage, last failures) and the runs sharing the work through claims (live, lease expired, recently ended)')
    .option('-c, --contract <file>', 'mapping contract JSON [env XMLMIGRATE_CONTRACT]')
    .option('-t, --target <url>', 'database [env XMLMIGRATE_TARGET_URL]')
    .option('--last <n>', 'failures to list', '10')
    .option('--runs <n>', 'ended runs to list besides the live ones and those whose lease expired', '5')
    .option('--json', 'print JSON')
    .action(async (opts: { contract?: string; target?: string; last: string; runs: string; json?: boolean }) => {
      const { plan } = await loadPlan(contractFile(opts.contract));
      const url = targetUrl(opts.target);
      const s = await openSession(url, plan.contract);
      try {
        await requireTables(s, url, { log: true });
        const sum = await withDb(() => s.statusSummary(Math.max(0, Number(opts.last) || 0)));
        // the source table may live in another database (run --source): then nothing is pending here
        const hasSource = !(await withDb(() => s.preflight({ target: false, source: true }))).some((p) => p.code === 'missing-table');
        const pending = hasSource ? await withDb(() => s.countPending({ excludeLogged: true })) : null;
        const ids = hasSource ? await s.sourceIdStats().catch(() => null) : null;
        const notPositive = ids ? { count: ids.notPositive, examples: ids.notPositiveExamples.map(String) } : null;
        // the claim tables: absent in a database made by an older version (then there is nothing to show)
        const hasClaims = !(await withDb(() => s.preflight({ target: false, source: false, claims: true }))).some((p) => p.code === 'missing-table');
        const claims = hasClaims ? shownRuns(await withDb(() => readClaimStatus(s.claimDb(), s.model)), Math.max(0, Number(opts.runs) || 0)) : null;
        if (opts.json) { process.stdout.write(`${JSON.stringify({ ...sum, pending, notPositiveAppIds: notPositive, claims }, null, 2)}\n`); return; }
        const by = Object.entries(sum.byStatus);
        process.stdout.write(`processing_log: ${by.length ? by.map(([k, v]) => `${v} ${k}`).join(', ') : 'empty'}; ${pending === null ? `no source table ${s.model.source.name} in this database` : `${pending} pending in ${s.model.source.name}`}\n`);
        const stages = Object.entries(sum.byStage);
        if (stages.length) process.stdout.write(terminalSafe(`failed by stage: ${stages.map(([k, v]) => `${k} ${v}`).join(', ')}\n`, true));
        for (const f of sum.lastFailures) process.stdout.write(`${terminalSafe(`  app ${f.appId} [${f.stage ?? '?'}] ${f.processedAt ?? ''} ${f.failureReason ?? ''}`)}\n`);
        if (ids && ids.notPositive > 0) process.stdout.write(`note: ${notPositiveProblem(s.model.source, ids).message}\n`);
        if (claims) process.stdout.write(renderRuns(claims));
      } finally {
        await s.close();
      }
    });
  program
    .command('retry-failed')
    .description('delete failed processing_log rows so the next run processes those apps again')
    .option('-c, --contract <file>', 'mapping contract JSON [env XMLMIGRATE_CONTRACT]')
    .option('-t, --target <url>', 'database [env XMLMIGRATE_TARGET_URL]')
    .action(async (opts: { contract?: string; target?: string }) => {
      const { plan } = await loadPlan(contractFile(opts.contract));
      const url = targetUrl(opts.target);
      const s = await openSession(url, plan.contract);
      try {
        await requireTables(s, url, { log: true });
        const n = await withDb(() => s.deleteFailedLog());
        process.stdout.write(`cleared ${n} failed app${n === 1 ? '' : 's'}; the next run will process ${n === 1 ? 'it' : 'them'} again\n`);
      } finally {
        await s.close();
      }
    });
}

/** Live runs, runs whose lease expired, and the `ended` most recent ended runs. */
function shownRuns(c: ClaimStatus, ended: number): ClaimStatus {
  const unfinished = c.runs.filter((r) => r.finishedAt === null);
  return { ...c, runs: [...unfinished, ...c.runs.filter((r) => r.finishedAt !== null).slice(0, ended)] };
}

/** The runs and claims part of `status`, for people. */
function renderRuns(c: ClaimStatus): string {
  if (c.runs.length === 0 && c.scopes.length === 0) return ''; // no run has registered here yet
  const live = c.runs.filter((r) => r.live);
  const expired = c.runs.filter((r) => !r.live && r.finishedAt === null);
  const lines = [`runs: ${live.length} live${expired.length ? `, ${expired.length} whose lease expired (died or stalled; their claims go to live runs)` : ''}; ${live.reduce((n, r) => n + r.appsDone, 0)} apps done by the live runs so far`];
  for (const r of c.runs) {
    const what = r.live ? 'live' : r.finishedAt === null ? `LEASE EXPIRED (${r.leaseSeconds} s)` : r.state;
    const ranges = r.claims.map((k) => `${k.first}..${k.last}`).join(', ');
    lines.push(`  ${r.runId} ${what} · host ${r.host ?? '?'} pid ${r.pid ?? '?'} · ${r.scope} · ${r.appsDone} apps · heartbeat ${r.heartbeatAgeSeconds.toFixed(1)} s ago${ranges ? ` · claimed ${ranges}` : ''}`);
  }
  for (const k of c.scopes) {
    lines.push(`claims (${k.scope}): ${k.done} done (${k.doneApps} apps), ${k.open} held by live runs${k.orphaned ? `, ${k.orphaned} waiting for a live run to take over` : ''}${k.takeovers ? `, ${k.takeovers} taken over so far` : ''}`);
  }
  return terminalSafe(`${lines.join('\n')}\n`, true);
}
