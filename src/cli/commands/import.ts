/**
 * `xmlmigrate import --target … --contract … <files or directories>`: loads XML files into the source
 * table. The app id is read from each document (the contract's app_base.app_id mapping); files that
 * cannot be read or carry no valid app id are reported and skipped. A document that will fail later
 * (wrong product line, unmappable) is imported when its app id is readable: the run logs why it failed.
 * `--replace` replaces the documents of existing apps that have not migrated successfully.
 */
import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { DataMapper } from '../../mapping/data-mapper.js';
import { AppFailure } from '../../mapping/app-failure.js';
import { contractFile, loadPlan } from '../load-plan.js';
import { openSession, requireTables, targetUrl, withDb } from '../session.js';
import { expandXmlInputs } from '../xml-inputs.js';
import { terminalSafe } from '../../observability/terminal-text.js';

/** Registers the command. */
export function registerImport(program: Command): void {
  program
    .command('import')
    .description('load XML files into the source table (app id read from each document)')
    .option('-c, --contract <file>', 'mapping contract JSON (names the source table and the app id path) [env XMLMIGRATE_CONTRACT]')
    .option('-t, --target <url>', 'database holding the source table [env XMLMIGRATE_TARGET_URL]')
    .option('--apply-schema', 'create missing tables first')
    .option('--replace', 'replace the documents of apps already in the source table that have not migrated successfully (a failed app\'s processing_log row is cleared, so the next run maps the new document); apps that migrated successfully are never replaced')
    .argument('<xml...>', 'XML files or directories of *.xml')
    .addHelpText('after', `
Existing app ids: without --replace they are skipped ("already present"). With --replace an app
that has no processing_log row, or a failed one, gets the new document (the failed row is deleted
so the next run processes it again); an app with a success row is refused and listed — its rows in
the target tables came from the current document; exit 1.`)
    .action(async (inputs: string[], opts: { contract?: string; target?: string; applySchema?: boolean; replace?: boolean }) => {
      const { plan } = await loadPlan(contractFile(opts.contract));
      const files = await expandXmlInputs(inputs);
      const mapper = new DataMapper(plan);
      const url = targetUrl(opts.target);
      // without --apply-schema nothing is created: a missing SQLite file or source table is refused
      const s = await openSession(url, plan.contract, { mustExist: !opts.applySchema, hint: 'or pass --apply-schema' });
      let bad = 0;
      let inserted = 0;
      let skipped = 0;
      const replaced: number[] = [];
      const cleared: number[] = [];
      const refused: { appId: number; file: string }[] = [];
      try {
        if (opts.applySchema) await withDb(() => s.applySchema({ includeSource: true }));
        else await requireTables(s, url, { source: true, log: opts.replace === true }, 'or pass --apply-schema');
        let chunk: { appId: number; xml: string }[] = [];
        const seen = new Map<number, string>();
        const flush = async () => {
          let rest = chunk;
          if (opts.replace) {
            const r = await withDb(() => s.replaceSource(chunk));
            replaced.push(...r.replaced);
            cleared.push(...r.failedCleared);
            const done = new Set(r.replaced);
            rest = chunk.filter((c) => !done.has(c.appId));
          }
          const r = await withDb(() => s.insertSource(rest));
          inserted += r.inserted;
          skipped += r.skipped;
          if (opts.replace && r.skipped > 0) {
            // not replaced and not new: those apps migrated successfully (or a run logged them meanwhile)
            const status = await withDb(() => s.loggedStatus(rest.map((c) => c.appId)));
            for (const c of rest) if (status.get(c.appId) === 'success') refused.push({ appId: c.appId, file: seen.get(c.appId) ?? '' });
          }
          chunk = [];
        };
        for (const file of files) {
          let xml: string;
          try { xml = await readFile(file, 'utf8'); } catch (err) { bad++; process.stderr.write(`${file}: skipped: cannot read: ${(err as Error).message}\n`); continue; }
          let appId: number;
          try {
            appId = mapper.map(xml).appId;
          } catch (err) {
            if (err instanceof AppFailure && err.appId !== null) appId = err.appId;
            else { bad++; process.stderr.write(`${terminalSafe(`${file}: skipped: ${err instanceof AppFailure ? `${err.stage}: ${err.message}` : (err as Error).message}`)}\n`); continue; }
          }
          const prev = seen.get(appId);
          if (prev) { bad++; process.stderr.write(`${file}: skipped: app id ${appId} already read from ${prev}\n`); continue; }
          seen.set(appId, file);
          chunk.push({ appId, xml });
          if (chunk.length >= 100) await flush();
        }
        if (chunk.length) await flush();
      } finally {
        await s.close();
      }
      for (const r of refused) process.stderr.write(`${r.file}: not replaced: app ${r.appId} has migrated successfully (processing_log status success); its rows came from the document already stored\n`);
      const parts = [`imported ${inserted + replaced.length} documents into ${s.model.source.name}`];
      if (opts.replace) parts.push(`${inserted} new, ${replaced.length} replaced${cleared.length ? ` (${cleared.length} failed app${cleared.length === 1 ? '' : 's'} cleared from processing_log: the next run maps ${cleared.length === 1 ? 'it' : 'them'} again)` : ''}`);
      if (refused.length) parts.push(`${refused.length} refused (migrated successfully: ${refused.slice(0, 20).map((r) => r.appId).join(', ')}${refused.length > 20 ? ', …' : ''})`);
      const otherSkipped = skipped - refused.length;
      if (otherSkipped > 0) parts.push(`${otherSkipped} already present${opts.replace ? '' : ' (use --replace to replace the documents of apps that have not migrated successfully)'}`);
      if (bad) parts.push(`${bad} file(s) skipped`);
      process.stdout.write(`${parts.join(', ')}\n`);
      if (bad > 0 || refused.length > 0) process.exitCode = 1;
    });
}
