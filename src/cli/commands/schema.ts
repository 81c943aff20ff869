/** `xmlmigrate schema`: the DDL a contract implies (tables, keys, processing_log, the claim tables, source table); `--apply` creates it. */
import type { Command } from 'commander';
import { renderDdl } from '../../db/create-dialect.js';
import type { DialectName } from '../../db/db-error.js';
import { buildSchemaModel } from '../../db/schema-model.js';
import { parseTargetUrl } from '../../db/target-url.js';
import { CliError } from '../cli-error.js';
import { contractFile, loadPlan } from '../load-plan.js';
import { openSession, targetUrl, withDb } from '../session.js';

const DIALECTS: readonly DialectName[] = ['mssql', 'postgres', 'sqlite'];

/** The target's parsed URL; a bad one is a usage error naming where it came from. */
function parseTargetUrlOrThrow(url: string, flag: string | undefined): ReturnType<typeof parseTargetUrl> {
  try {
    return parseTargetUrl(url);
  } catch (err) {
    throw new CliError(`${flag !== undefined ? '--target' : 'XMLMIGRATE_TARGET_URL'}: ${(err as Error).message}`, 2);
  }
}

/** Registers the command. */
export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('print the DDL a contract implies, or create it with --apply')
    .option('-c, --contract <file>', 'mapping contract JSON [env XMLMIGRATE_CONTRACT]')
    .option('-d, --dialect <name>', 'mssql | postgres | sqlite (default: the dialect of --target / XMLMIGRATE_TARGET_URL, else sqlite)')
    .option('-t, --target <url>', 'database to apply to with --apply, and whose dialect to print [env XMLMIGRATE_TARGET_URL] (default sqlite:xmlmigrate.db)')
    .option('--apply', 'create the schema and every missing table (never alters existing ones)')
    .option('--no-source', 'leave out the source table')
    .action(async (opts: { contract?: string; dialect?: string; target?: string; apply?: boolean; source: boolean }) => {
      // the identifier rules of the dialect the DDL is for (unknown yet: every dialect's)
      const forDialect = (() => {
        try { return (opts.dialect ?? parseTargetUrl(targetUrl(opts.target)).dialect) as DialectName; } catch { return undefined; }
      })();
      const { plan } = await loadPlan(contractFile(opts.contract), forDialect && DIALECTS.includes(forDialect) ? [forDialect] : undefined);
      const contract = plan.contract;
      const url = targetUrl(opts.target);
      if (opts.apply) {
        const targetDialect = parseTargetUrlOrThrow(url, opts.target).dialect;
        if (opts.dialect !== undefined && opts.dialect !== targetDialect) throw new CliError(`--dialect ${opts.dialect} does not match the --apply target, a ${targetDialect} database (leave --dialect out)`, 2);
        const s = await openSession(url, contract, { mustExist: false });
        try {
          const wanted = [...s.model.tables, s.model.processingLog, ...s.model.claimTables, ...(opts.source ? [s.model.source] : [])];
          // which tables exist before: the report says what was created and what was already there
          const before = await withDb(() => s.preflight({ source: opts.source, claims: true }));
          const missing = new Set(before.filter((p) => p.code === 'missing-table').map((p) => p.table));
          await withDb(() => s.applySchema({ includeSource: opts.source }));
          const problems = (await withDb(() => s.preflight({ source: opts.source, claims: true }))).filter((p) => p.severity === 'error');
          const created = wanted.filter((t) => missing.has(t.name)).map((t) => t.name);
          const present = wanted.filter((t) => !missing.has(t.name)).map((t) => t.name);
          const all = `${wanted.length} tables (${s.model.tables.length} from the contract + processing_log + ${s.model.claimTables.length} claim tables${opts.source ? ` + ${s.model.source.name}` : ''})`;
          const parts = created.length === wanted.length ? `created ${all}`
            : created.length === 0 ? `nothing to create — all ${all} already present`
              : `created ${created.length} table${created.length === 1 ? '' : 's'} (${created.join(', ')}); ${present.length} already present`;
          process.stdout.write(`schema applied to ${parseTargetUrl(url).redacted}: ${parts}${problems.length ? `\n${problems.length} preflight problem(s) remain (existing tables are never altered):\n${problems.map((p) => `  - ${p.message}`).join('\n')}` : ''}\n`);
          if (problems.length) process.exitCode = 2;
        } finally {
          await s.close();
        }
        return;
      }
      let dialect: string;
      if (opts.dialect !== undefined) {
        dialect = opts.dialect;
      } else {
        dialect = parseTargetUrlOrThrow(url, opts.target).dialect;
      }
      if (!(DIALECTS as readonly string[]).includes(dialect)) throw new CliError(`--dialect: expected one of ${DIALECTS.join(', ')} (got ${JSON.stringify(dialect)})`, 2);
      const ddl = await renderDdl(dialect as DialectName, buildSchemaModel(contract), { includeSource: opts.source });
      process.stdout.write(`${ddl.map((s) => (dialect === 'mssql' ? `${s}\nGO` : `${s};`)).join('\n\n')}\n`);
    });
}
