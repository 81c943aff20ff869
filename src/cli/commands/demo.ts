/**
 * `xmlmigrate demo`: the embedded default end to end — creates a SQLite file, applies the schema of
 * the example contract, seeds 750 synthetic documents and migrates them with 4 workers.
 */
import type { Command } from 'commander';
import { parseTargetUrl, redactUrl } from '../../db/target-url.js';
import { CliError } from '../cli-error.js';
import * as path from 'node:path';
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

/**
 * How to call the CLI again, the way this process was called: `xmlmigrate` when installed on PATH
 * (`npm install -g .`, `npm link`), `npx xmlmigrate` under npx / npm exec, else the script's path
 * (`./bin/xmlmigrate.js`) — never a form that does not work where the user stands.
 */
export function invocation(argv1 = process.argv[1] ?? '', env: NodeJS.ProcessEnv = process.env): string {
  // npx runs the package's bin link (…/.bin/xmlmigrate); a script path run by hand keeps its form
  if (env['npm_command'] === 'exec' && path.basename(argv1) === 'xmlmigrate') return 'npx xmlmigrate';
  const dirs = (env['PATH'] ?? '').split(path.delimiter).filter(Boolean).map((d) => path.resolve(d));
  if (path.basename(argv1) === 'xmlmigrate' && dirs.includes(path.dirname(path.resolve(argv1)))) return 'xmlmigrate';
  const rel = path.relative(process.cwd(), argv1);
  if (!argv1) return 'npx xmlmigrate';
  return rel.startsWith('..') || path.isAbsolute(rel) ? argv1 : `.${path.sep}${rel}`;
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
      const seeded = await seedSource(target, contract, Number.isInteger(count) && count > 0 ? count : 750, 42, 1, { apply: true, progress: opts.progress });
      process.stdout.write(`demo database ${parseTargetUrl(target).database}: schema applied, ${seeded.inserted} synthetic documents seeded (${(seeded.bytes / 1e6).toFixed(1)} MB) in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
      const cfg = resolveRunConfig({ contract, target, workers: opts.workers, progress: opts.progress }, {});
      const code = await executeRun(cfg);
      if (seeded.inserted === 0) process.stdout.write(`(every document was already migrated by an earlier demo — delete ${parseTargetUrl(target).database} to start over)\n`);
      const rel = path.relative(process.cwd(), contract);
      process.stdout.write(`\nlook around: ${invocation()} status --target ${target} --contract ${rel.startsWith('..') || path.isAbsolute(rel) ? contract : rel}\n`);
      process.exitCode = code;
    });
}
