/** `xmlmigrate seed --count N`: fills the source table with seeded synthetic Provenir-like documents. */
import type { Command } from 'commander';
import { generateDocuments } from '../../seed/generator.js';
import { CliError } from '../cli-error.js';
import { loadPlan } from '../load-plan.js';
import { openSession, requireTables, targetUrl, withDb } from '../session.js';
import { createProgress } from '../../observability/progress.js';
import { exampleContract } from '../package-root.js';

/** Options of {@link seedSource}. */
export interface SeedOptions {
  /** Create missing tables first (`--apply-schema`); otherwise the source table must exist. */
  readonly apply: boolean;
  /** A progress bar on a TTY, a line every 5 s otherwise (default true). */
  readonly progress?: boolean;
  /** Where progress goes (default stderr). */
  readonly progressStream?: NodeJS.WriteStream;
}

/** Inserts `count` generated documents starting at `startAppId`; returns inserted/skipped. */
export async function seedSource(url: string, contractFile: string, count: number, seed: number, startAppId: number, opts: SeedOptions): Promise<{ inserted: number; skipped: number; bytes: number }> {
  const { plan } = await loadPlan(contractFile);
  // without --apply-schema nothing is created: a missing SQLite file or source table is refused
  const s = await openSession(url, plan.contract, { mustExist: !opts.apply, hint: 'or pass --apply-schema' });
  const progress = createProgress({ enabled: opts.progress ?? true, verb: 'seeding', unit: 'documents', startText: 'generating…', failures: false, ...(opts.progressStream ? { stream: opts.progressStream } : {}) });
  try {
    if (opts.apply) await withDb(() => s.applySchema({ includeSource: true }));
    else await requireTables(s, url, { source: true }, 'or pass --apply-schema');
    let inserted = 0;
    let skipped = 0;
    let bytes = 0;
    let done = 0;
    let chunk: { appId: number; xml: string }[] = [];
    const flush = async () => {
      const r = await withDb(() => s.insertSource(chunk));
      inserted += r.inserted;
      skipped += r.skipped;
      done += chunk.length;
      chunk = [];
      progress.update(done, 0);
    };
    progress.start(count);
    for (const d of generateDocuments({ count, seed, startAppId })) {
      chunk.push({ appId: d.appId, xml: d.xml });
      bytes += d.xml.length;
      if (chunk.length >= SEED_CHUNK) await flush();
    }
    if (chunk.length) await flush();
    progress.stop();
    return { inserted, skipped, bytes };
  } finally {
    await s.close();
  }
}

/** Documents per insert transaction (and per progress step). */
const SEED_CHUNK = 25;

function int(name: string, v: string, min: number): number {
  if (!/^\d+$/.test(v) || Number(v) < min) throw new CliError(`${name}: must be an integer ≥ ${min} (got ${JSON.stringify(v)})`, 2);
  return Number(v);
}

/** Registers the command. */
export function registerSeed(program: Command): void {
  program
    .command('seed')
    .description('fill the source table with seeded synthetic documents (deterministic for a seed)')
    .requiredOption('-n, --count <n>', 'documents to generate')
    .option('-c, --contract <file>', 'contract naming the source table [env XMLMIGRATE_CONTRACT] (default: the example contract)')
    .option('-t, --target <url>', 'database [env XMLMIGRATE_TARGET_URL]')
    .option('--seed <n>', 'random seed', '42')
    .option('--start-app-id <n>', 'first app id', '1')
    .option('--apply-schema', 'create missing tables first')
    .option('--no-progress', 'no progress bar or progress lines')
    .action(async (opts: { count: string; contract?: string; target?: string; seed: string; startAppId: string; applySchema?: boolean; progress: boolean }) => {
      const url = targetUrl(opts.target);
      const t0 = Date.now();
      const r = await seedSource(url, opts.contract ?? process.env['XMLMIGRATE_CONTRACT'] ?? exampleContract(), int('--count', opts.count, 1), int('--seed', opts.seed, 0), int('--start-app-id', opts.startAppId, 1), { apply: opts.applySchema === true, progress: opts.progress });
      process.stdout.write(`seeded ${r.inserted} documents (${(r.bytes / 1e6).toFixed(1)} MB)${r.skipped ? `, ${r.skipped} app ids already present` : ''} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    });
}
