/**
 * `xmlmigrate import --target … --contract … <files or directories>`: loads XML files into the source
 * table. The app id is read from each document (the contract's app_base.app_id mapping); files that
 * cannot be read or carry no valid app id are reported and skipped. A document that will fail later
 * (wrong product line, unmappable) is imported when its app id is readable: the run logs why it failed.
 */
import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { DataMapper } from '../../mapping/data-mapper.js';
import { AppFailure } from '../../mapping/app-failure.js';
import { contractFile, loadPlan } from '../load-plan.js';
import { openSession, targetUrl, withDb } from '../session.js';
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
    .argument('<xml...>', 'XML files or directories of *.xml')
    .action(async (inputs: string[], opts: { contract?: string; target?: string; applySchema?: boolean }) => {
      const { plan } = await loadPlan(contractFile(opts.contract));
      const files = await expandXmlInputs(inputs);
      const mapper = new DataMapper(plan);
      const s = await openSession(targetUrl(opts.target), plan.contract);
      let bad = 0;
      let inserted = 0;
      let skipped = 0;
      try {
        if (opts.applySchema) await withDb(() => s.applySchema({ includeSource: true }));
        let chunk: { appId: number; xml: string }[] = [];
        const seen = new Map<number, string>();
        const flush = async () => { const r = await withDb(() => s.insertSource(chunk)); inserted += r.inserted; skipped += r.skipped; chunk = []; };
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
      process.stdout.write(`imported ${inserted} documents into ${s.model.source.name}${skipped ? `, ${skipped} already present` : ''}${bad ? `, ${bad} file(s) skipped` : ''}\n`);
      if (bad > 0) process.exitCode = 1;
    });
}
