/**
 * `xmlmigrate map --contract <file> <xml-files…>`: maps documents and prints their rows, for contract
 * authors. `--format table` (default) is for people; `--format ndjson` prints one JSON line per document
 * `{"file","app_id","tables","error"}`. Exit 1 when any document failed.
 */
import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { mapToJson, type AppJson } from '../../conformance/app-json.js';
import { DataMapper } from '../../mapping/data-mapper.js';
import { CliError } from '../cli-error.js';
import { terminalSafe } from '../../observability/terminal-text.js';
import { loadPlan } from '../load-plan.js';
import { expandXmlInputs } from '../xml-inputs.js';

function show(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/** Human rendering of one mapped document. */
export function renderTable(app: AppJson): string {
  const lines: string[] = [];
  const tables = Object.entries(app.tables);
  const rows = tables.reduce((n, [, r]) => n + r.length, 0);
  lines.push(`${app.file ?? ''}  ${app.error ? `FAILED ${app.error}` : `app ${app.app_id}: ${tables.length} tables, ${rows} rows`}`);
  for (const [t, rs] of tables) {
    lines.push(`  ${t} (${rs.length} row${rs.length === 1 ? '' : 's'})`);
    rs.forEach((r, i) => {
      if (rs.length > 1) lines.push(`    [${i}]`);
      const width = Math.max(...Object.keys(r).map((k) => k.length));
      for (const [k, v] of Object.entries(r)) lines.push(`${rs.length > 1 ? '      ' : '    '}${k.padEnd(width)}  ${show(v)}`);
    });
  }
  return lines.join('\n');
}

/** Registers the command. */
export function registerMap(program: Command): void {
  program
    .command('map')
    .description('map XML files through a contract and print the rows (no database involved)')
    .requiredOption('-c, --contract <file>', 'mapping contract JSON')
    .option('-f, --format <format>', 'table | ndjson', 'table')
    .argument('<xml...>', 'XML files or directories of *.xml')
    .action(async (inputs: string[], opts: { contract: string; format: string }) => {
      if (opts.format !== 'table' && opts.format !== 'ndjson') throw new CliError(`--format: expected table or ndjson (got ${JSON.stringify(opts.format)})`, 2);
      const { plan, warnings } = await loadPlan(opts.contract);
      for (const w of warnings) process.stderr.write(`contract warning: ${w}\n`);
      const mapper = new DataMapper(plan);
      let failed = 0;
      for (const file of await expandXmlInputs(inputs)) {
        let xml: Buffer; // bytes, as workers read them: a file that is not UTF-8 fails like a source row would
        try {
          xml = await readFile(file);
        } catch (err) {
          failed++;
          process.stderr.write(`${terminalSafe(`${file}: cannot read: ${(err as Error).message}`)}\n`);
          continue;
        }
        const app: AppJson = { file, ...mapToJson(mapper, xml) };
        if (app.error) failed++;
        process.stdout.write(opts.format === 'ndjson' ? `${JSON.stringify(app)}\n` : `${terminalSafe(renderTable(app), true)}\n\n`);
      }
      if (failed > 0) process.exitCode = 1;
    });
}
