/**
 * `xmlmigrate demo`: the embedded default end to end — creates a SQLite file, applies the schema of
 * the example contract, seeds 750 synthetic documents and migrates them with 4 workers.
 */
import type { Command } from 'commander';
import { parseTargetUrl, redactUrl } from '../../db/target-url.js';
import { CliError } from '../cli-error.js';
import { resolveRunConfig } from '../config.js';
import { exampleContract } from '../package-root.js';
import { executeRun } from './run.js';
import { seedSource } from './seed.js';

/**
 * The demo's SQLite target for `--db`: a file path, or a `sqlite:` URL. Any other URL (or anything that
 * looks like one: `scheme:…`, `user:password@host`) is refused before anything is created — the demo is
 * SQLite only, and a URL taken for a path would create directories named after it, password included.
 */
export function demoTarget(db: string): string {
  if (db.trim() === '') throw new CliError('--db: expected a SQLite file path (got "")', 2);
  const looksLikeUrl = /^[A-Za-z][A-Za-z0-9+.-]+:/.test(db) || /^[^/]*:[^/]*@/.test(db) || db.startsWith('//');
  if (!looksLikeUrl) return `sqlite:${db}`;
  let cfg;
  try {
    cfg = parseTargetUrl(db);
  } catch {
    cfg = null;
  }
  if (cfg?.dialect === 'sqlite' && cfg.database !== ':memory:') return db;
  throw new CliError(`--db: the demo runs on a SQLite file, not on ${redactUrl(db)} — give a file path (or sqlite:FILE); for PostgreSQL or SQL Server use \`xmlmigrate seed --apply-schema -n 750 -t URL\` then \`xmlmigrate run -c CONTRACT -t URL\``, 2);
}

/** Registers the command. */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('seed a SQLite database with synthetic documents and migrate them (nothing to install)')
    .option('--db <file>', 'SQLite file (a path or sqlite:FILE; other databases: see `seed` and `run`)', 'xmlmigrate-demo.db')
    .option('-n, --count <n>', 'documents to seed', '750')
    .option('-w, --workers <n>', 'worker processes', '4')
    .option('--no-progress', 'no progress bar')
    .action(async (opts: { db: string; count: string; workers: string; progress: boolean }) => {
      const contract = exampleContract();
      const target = demoTarget(opts.db);
      const t0 = Date.now();
      const count = Number(opts.count);
      const seeded = await seedSource(target, contract, Number.isInteger(count) && count > 0 ? count : 750, 42, 1, true);
      process.stdout.write(`demo database ${parseTargetUrl(target).database}: schema applied, ${seeded.inserted} synthetic documents seeded (${(seeded.bytes / 1e6).toFixed(1)} MB) in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
      const cfg = resolveRunConfig({ contract, target, workers: opts.workers, progress: opts.progress }, {});
      const code = await executeRun(cfg);
      if (seeded.inserted === 0) process.stdout.write(`(every document was already migrated by an earlier demo — delete ${parseTargetUrl(target).database} to start over)\n`);
      process.stdout.write(`\nlook around: xmlmigrate status --target ${target} --contract ${contract}\n`);
      process.exitCode = code;
    });
}
