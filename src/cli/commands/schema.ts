/** `xmlmigrate schema`: the DDL a contract implies (tables, keys, processing_log, source table); `--apply` creates it. */
import type { Command } from 'commander';
import { renderDdl } from '../../db/create-dialect.js';
import type { DialectName } from '../../db/db-error.js';
import { buildSchemaModel } from '../../db/schema-model.js';
import { parseTargetUrl } from '../../db/target-url.js';
import { CliError } from '../cli-error.js';
import { contractFile, loadPlan } from '../load-plan.js';
import { openSession, targetUrl, withDb } from '../session.js';

const DIALECTS: readonly DialectName[] = ['mssql', 'postgres', 'sqlite'];

/** Registers the command. */
export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('print the DDL a contract implies, or create it with --apply')
    .option('-c, --contract <file>', 'mapping contract JSON [env XMLMIGRATE_CONTRACT]')
    .option('-d, --dialect <name>', 'mssql | postgres | sqlite (default: the --target dialect)')
    .option('-t, --target <url>', 'database to apply to (with --apply) [env XMLMIGRATE_TARGET_URL]')
    .option('--apply', 'create the schema and every missing table (never alters existing ones)')
    .option('--no-source', 'leave out the source table')
    .action(async (opts: { contract?: string; dialect?: string; target?: string; apply?: boolean; source: boolean }) => {
      // the identifier rules of the dialect the DDL is for (unknown yet: every dialect's)
      const forDialect = (() => {
        try { return (opts.dialect ?? parseTargetUrl(opts.apply ? targetUrl(opts.target) : opts.target ?? '').dialect) as DialectName; } catch { return undefined; }
      })();
      const { plan } = await loadPlan(contractFile(opts.contract), forDialect && DIALECTS.includes(forDialect) ? [forDialect] : undefined);
      const contract = plan.contract;
      if (opts.apply) {
        const url = targetUrl(opts.target);
        const s = await openSession(url, contract);
        try {
          await withDb(() => s.applySchema({ includeSource: opts.source }));
          const problems = (await withDb(() => s.preflight({ source: opts.source }))).filter((p) => p.severity === 'error');
          process.stdout.write(`schema applied to ${parseTargetUrl(url).redacted}: ${s.model.tables.length} tables + processing_log${opts.source ? ` + ${s.model.source.name}` : ''}${problems.length ? `; ${problems.length} preflight problem(s) remain:\n${problems.map((p) => `  - ${p.message}`).join('\n')}` : ''}\n`);
          if (problems.length) process.exitCode = 2;
        } finally {
          await s.close();
        }
        return;
      }
      const dialect = (opts.dialect ?? (opts.target ? parseTargetUrl(targetUrl(opts.target)).dialect : undefined)) as DialectName | undefined;
      if (!dialect || !DIALECTS.includes(dialect)) throw new CliError(`--dialect: expected one of ${DIALECTS.join(', ')}${opts.dialect ? ` (got ${JSON.stringify(opts.dialect)})` : ''}`, 2);
      const ddl = await renderDdl(dialect, buildSchemaModel(contract), { includeSource: opts.source });
      process.stdout.write(`${ddl.map((s) => (dialect === 'mssql' ? `${s}\nGO` : `${s};`)).join('\n\n')}\n`);
    });
}
