/** `xmlmigrate run`: the main job (ProductionProcessor + ParallelCoordinator). */
import type { Command } from 'commander';
import { parseTargetUrl } from '../../db/target-url.js';
import { createLogger, LogFileError } from '../../observability/logger.js';
import { renderTopReasons } from '../../observability/failure-groups.js';
import { renderSummary, type RunSummary } from '../../observability/metrics.js';
import { renderReport, reportFromSummary } from '../../observability/report-html.js';
import { terminalSafe } from '../../observability/terminal-text.js';
import { createProgress } from '../../observability/progress.js';
import { ProductionProcessor, RunAbort, writeMetrics } from '../../processor/production-processor.js';
import { writeFile } from 'node:fs/promises';
import type { RunConfig } from '../../processor/run-config.js';
import { CliError } from '../cli-error.js';
import { DbError } from '../../db/db-error.js';
import { resolveRunConfig } from '../config.js';

/** Adds the run flags shared by `run` and `demo`. */
export function addRunOptions(cmd: Command): Command {
  return cmd
    .option('-c, --contract <file>', 'mapping contract JSON [env XMLMIGRATE_CONTRACT]')
    .option('-t, --target <url>', 'target database: sqlite:file.db | postgres://… | mssql://… [env XMLMIGRATE_TARGET_URL] (default sqlite:xmlmigrate.db)')
    .option('-s, --source <url>', 'database holding the source table, when not the target [env XMLMIGRATE_SOURCE_URL]')
    .option('-l, --limit <n>', 'process at most n apps')
    .option('-w, --workers <n>', 'worker processes 1..64 (default 4)')
    .option('-b, --batch-size <n>', 'apps per transaction (default 100)')
    .option('--app-id-start <id>', 'first app_id (inclusive)')
    .option('--app-id-end <id>', 'last app_id (inclusive)')
    .option('--shard <k/n>', 'only app_id % n = k')
    .option('--pool', 'a pool of --pool-size connections per worker')
    .option('--no-pool', 'one dedicated connection per worker (default)')
    .option('--pool-size <n>', 'connections per worker with --pool (default 4)')
    .option('--read-mode <mode>', 'worker: workers read their own documents by app_id (default); parent: the parent reads and ships them')
    .option('--retry-attempts <n>', 'attempts per transaction on transient database errors (default 5)')
    .option('--outage-wait <seconds>', 'how long to wait for an unreachable database before stopping resumably (default 60)')
    .option('--read-budget-mb <mb>', 'MB of documents a worker reads at once (and again ahead), and a parent-read run keeps in flight, 1..4096 (default 32)')
    .option('--claims', 'divide the work with every other run of the same selection, on any host, through the claim tables (default)')
    .option('--no-claims', 'no claims: this run pages the whole selection alone (static splits with --shard / --app-id-*; overlaps stay safe through processing_log)')
    .option('--lease-seconds <s>', 'claims: how long a run\'s claims outlive its last heartbeat before live runs take them over, 2..86400 (default 30)')
    .option('--claim-size <n>', 'claims: pending apps per claimed range (default 10 × --batch-size)')
    .option('--dry-run', 'read, parse and map everything; write nothing (takes no claims)')
    .option('--log-level <level>', 'trace|debug|info|warn|error|fatal|silent (default warn)')
    .option('--log-file <file>', 'append JSON log lines here (workers too); its directory must exist')
    .option('--metrics-out <file>', 'write the run summary as JSON; its directory must exist (checked before the run)')
    .option('--max-failures <n|n%>', 'failure budget: stop taking new work once more than n apps (or n% of the processed apps) failed; in-flight batches commit, exit 4, the next run resumes')
    .option('--max-failures-min <n>', 'apps processed before a percentage --max-failures applies (default 100)')
    .option('--report <file.html>', 'write a self-contained HTML run report at the end; its directory must exist (checked before the run)')
    .option('--no-progress', 'no progress bar or progress lines')
    .option('--config <file>', 'JSON file with any of these settings [env XMLMIGRATE_CONFIG]');
}

/** Commander options → resolveRunConfig flags (only what was given on the command line). */
export function flagsFrom(cmd: Command): Record<string, unknown> {
  const o = cmd.opts();
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    const src = cmd.getOptionValueSource(k);
    if (src === 'cli' || src === 'env') out[k === 'outageWait' ? 'outageWaitSeconds' : k] = v;
  }
  return out;
}

/** The passwords of the run's URLs (the logger scrubs them from every line, whatever the form). */
function knownPasswords(cfg: RunConfig): string[] {
  const out: string[] = [];
  for (const u of [cfg.target, cfg.source]) {
    if (u === null) continue;
    try {
      const p = parseTargetUrl(u).password;
      if (p) out.push(p);
    } catch { /* refused later, with a redacted message */ }
  }
  return out;
}

/** Runs the processor with signal handling; prints the summary; returns the exit code. */
export async function executeRun(cfg: RunConfig): Promise<number> {
  let log;
  try {
    log = createLogger({ level: cfg.logLevel, file: cfg.logFile, stderr: cfg.logFile === null, secrets: knownPasswords(cfg) });
  } catch (err) {
    if (err instanceof LogFileError) throw new CliError(`--log-file: ${err.message}`, 2);
    throw err;
  }
  const progress = createProgress({ enabled: cfg.progress });
  const processor = new ProductionProcessor(cfg, { log: log.child({ component: 'processor' }), progress });
  const onSig = (sig: NodeJS.Signals) => processor.onSignal(sig);
  process.on('SIGINT', onSig);
  process.on('SIGTERM', onSig);
  let summary: RunSummary;
  try {
    summary = await processor.run();
  } catch (err) {
    if (err instanceof RunAbort) throw new CliError(err.message, err.exitCode);
    if (err instanceof DbError) throw new CliError(`database error: ${err.message}`, 3);
    throw err;
  } finally {
    process.off('SIGINT', onSig);
    process.off('SIGTERM', onSig);
    await log.flush();
  }
  process.stdout.write(`${renderSummary(summary)}\n`);
  if (summary.stoppedBy === 'SIGINT' || summary.stoppedBy === 'SIGTERM') {
    process.stdout.write('stopped: in-flight batches committed, nothing is half-written; run the same command again to resume\n');
  }
  if (summary.failureBudget?.exceeded) process.stdout.write(budgetMessage(summary));
  if (cfg.report) {
    try {
      await writeFile(cfg.report, renderReport(reportFromSummary(summary)));
    } catch (err) {
      throw new CliError(`--report: cannot write ${cfg.report}: ${(err as Error).message} (the run finished: exit code would have been ${summary.exitCode})`, 2);
    }
  }
  if (cfg.metricsOut) {
    try {
      await writeMetrics(cfg.metricsOut, summary);
    } catch (err) {
      // checked before the run started; this is a file that went away meanwhile — the run itself is done
      throw new CliError(`--metrics-out: cannot write ${cfg.metricsOut}: ${(err as Error).message} (the run finished: exit code would have been ${summary.exitCode})`, 2);
    }
  }
  return summary.exitCode;
}

/** Why a run stopped at its failure budget, the reasons that dominate, and what to do next. */
export function budgetMessage(s: RunSummary): string {
  const b = s.failureBudget!;
  const left = Math.max(0, s.apps.total - s.apps.ok - s.apps.failed - s.apps.alreadyLogged);
  const lines = [
    `failure budget exceeded: ${b.reason ?? b.limit} — exit 4`,
    'stopped taking new work; in-flight batches committed, nothing is half-written',
    'top failure reasons (count × [stage] reason, quoted text as "…", numbers as N):',
    ...renderTopReasons(s.failureGroups ?? [], s.apps.failed),
    `next: fix the contract or the documents; \`xmlmigrate retry-failed\` re-queues the ${s.apps.failed} failed app${s.apps.failed === 1 ? '' : 's'} (they stay logged failed until then); run the same command again to resume${left > 0 ? ` — ${left} selected app${left === 1 ? ' is' : 's are'} still pending` : ''}`,
  ];
  return `${terminalSafe(lines.join('\n'), true)}\n`; // reasons quote documents
}

/** Registers the command. */
export function registerRun(program: Command): void {
  const cmd = program.command('run').description('migrate pending apps from the source table into the target tables');
  addRunOptions(cmd).action(async (_opts: unknown, command: Command) => {
    process.exitCode = await executeRun(resolveRunConfig(flagsFrom(command)));
  });
}
