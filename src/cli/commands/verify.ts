/**
 * `xmlmigrate verify`: re-reads the source documents, maps them again with the contract and compares
 * with the target (src/verify). Exit 0 when everything matches, 1 with a report when not.
 */
import type { Command } from 'commander';
import { terminalSafe } from '../../observability/terminal-text.js';
import { createProgress } from '../../observability/progress.js';
import { randomSeed, Verifier, VerifyAbort, type VerifyConfig } from '../../verify/verifier.js';
import { renderVerifyReport } from '../../verify/report.js';
import { CliError } from '../cli-error.js';
import { resolveRunConfig } from '../config.js';
import { flagsFrom } from './run.js';

/** The `verify --help` epilogue. */
export const VERIFY_HELP = `
What is compared, per app of the source table (or of --sample):
  logged success   its rows in every target table must be exactly what its document maps to now
                   (missing rows, extra rows, and each differing value: table, key, column,
                   expected, found); a document that no longer maps is reported
  logged failed    it must have no rows in any target table
  not logged       reported (the migration has not reached it, or its log row was lost)
Without --sample, processing_log entries and rows of app ids that are not in the source are reported
too. Rows are matched on each table's primary key (app_id, con_id, the type or key column); values
are compared after the writer's own encoding, so a target written by \`xmlmigrate run\` and left
alone verifies clean on SQLite, PostgreSQL and SQL Server.

Environment: XMLMIGRATE_CONTRACT, XMLMIGRATE_TARGET_URL, XMLMIGRATE_SOURCE_URL, XMLMIGRATE_WORKERS,
XMLMIGRATE_BATCH_SIZE, XMLMIGRATE_APP_ID_START/END, XMLMIGRATE_LIMIT, XMLMIGRATE_RETRY_ATTEMPTS,
XMLMIGRATE_CONFIG, XMLMIGRATE_TARGET_PASSWORD, XMLMIGRATE_SOURCE_PASSWORD (as for run; a flag wins
over its variable).

Exit codes:
  0    every verified app matches
  1    differences found (the report lists them; --json for a machine-readable one)
  2    usage, contract, configuration or preflight error (missing tables, wrong password, no source
       documents in the selection: pass --source when they live in another database) — nothing compared
  3    database error (the server cannot be reached or failed a query)
  130  stopped by SIGINT, 143 by SIGTERM — the report covers what was verified before`;

/** `5%`, `5` or `0.5%` → 5 / 0.5; a CliError otherwise. */
export function parsePercent(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(text);
  const v = m ? Number(m[1]) : NaN;
  if (!(v > 0 && v <= 100)) throw new CliError(`--sample: expected a percentage above 0 and at most 100, e.g. 5% (got ${JSON.stringify(text)})`, 2);
  return v;
}

function intOption(name: string, v: string, min: number, max: number): number {
  if (!/^\d+$/.test(v.trim()) || Number(v) < min || Number(v) > max) throw new CliError(`${name}: must be an integer ${min}..${max} (got ${JSON.stringify(v)})`, 2);
  return Number(v);
}

/** Registers the command. */
export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('re-map the source documents and compare with the target: missing, extra and differing rows, unlogged apps')
    .option('-c, --contract <file>', 'mapping contract JSON [env XMLMIGRATE_CONTRACT]')
    .option('-t, --target <url>', 'target database: sqlite:file.db | postgres://… | mssql://… [env XMLMIGRATE_TARGET_URL] (default sqlite:xmlmigrate.db)')
    .option('-s, --source <url>', 'database holding the source table, when not the target [env XMLMIGRATE_SOURCE_URL]')
    .option('-w, --workers <n>', 'worker processes 1..64 (default 4)')
    .option('-b, --batch-size <n>', 'apps per worker job (default 100)')
    .option('--app-id-start <id>', 'first app_id (inclusive)')
    .option('--app-id-end <id>', 'last app_id (inclusive)')
    .option('-l, --limit <n>', 'verify at most n apps (the first ones of the selection or sample)')
    .option('--sample <percent>', 'verify a sample of the apps, e.g. 5%: those whose app_id hashes below the percentage with --seed')
    .option('--seed <n>', 'seed of --sample (default: random, printed in the report so the same sample can be checked again)')
    .option('--max-report <n>', 'apps listed in the report; the rest are counted (default 20)')
    .option('--json', 'print the report as JSON')
    .option('--retry-attempts <n>', 'attempts per query on transient database errors (default 5)')
    .option('--no-progress', 'no progress bar or progress lines')
    .option('--config <file>', 'JSON file with contract/target/source/workers/batchSize/… settings [env XMLMIGRATE_CONFIG]')
    .addHelpText('after', VERIFY_HELP)
    .action(async (opts: { sample?: string; seed?: string; maxReport?: string; json?: boolean }, command: Command) => {
      const flags = flagsFrom(command);
      for (const k of ['sample', 'seed', 'maxReport', 'json']) delete flags[k];
      const run = resolveRunConfig(flags);
      const samplePercent = opts.sample === undefined ? null : parsePercent(opts.sample);
      if (opts.seed !== undefined && samplePercent === null) throw new CliError('--seed: only with --sample', 2);
      const cfg: VerifyConfig = {
        contract: run.contract, target: run.target, source: run.source, workers: run.workers, batchSize: run.batchSize,
        appIdStart: run.appIdStart, appIdEnd: run.appIdEnd, limit: run.limit, samplePercent,
        seed: opts.seed === undefined ? randomSeed() : intOption('--seed', opts.seed, 0, 2 ** 31 - 1),
        maxReport: intOption('--max-report', opts.maxReport ?? '20', 0, 1_000_000), retryAttempts: run.retryAttempts,
      };
      const progress = createProgress({ enabled: run.progress, verb: 'verifying', failures: false });
      const verifier = new Verifier(cfg, { progress });
      const onSig = (sig: NodeJS.Signals): void => verifier.onSignal(sig);
      process.on('SIGINT', onSig);
      process.on('SIGTERM', onSig);
      try {
        const { report, model } = await verifier.run();
        process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${terminalSafe(renderVerifyReport(report, model), true)}\n`);
        process.exitCode = report.exitCode;
      } catch (err) {
        if (err instanceof VerifyAbort) throw new CliError(err.message, err.exitCode);
        throw err;
      } finally {
        process.off('SIGINT', onSig);
        process.off('SIGTERM', onSig);
      }
    });
}
