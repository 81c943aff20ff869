/**
 * `xmlmigrate conformance --contract … --xml … --expected …`: compares mapped output with expected
 * outputs and names the product decision (docs/compatibility.md) behind every difference.
 * Exit 0 when every difference is explained, 1 otherwise, 2 when nothing could be compared.
 */
import type { Command } from 'commander';
import { DOCUMENT_DECISIONS, runConformance } from '../../conformance/conformance.js';
import { DECISION_SUMMARY } from '../../mapping/legacy.js';
import { existsSync, statSync } from 'node:fs';
import { CliError } from '../cli-error.js';
import { loadPlan } from '../load-plan.js';

function short(v: unknown): string {
  const s = v === undefined ? '(absent)' : JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

/** Registers the command. */
export function registerConformance(program: Command): void {
  program
    .command('conformance')
    .description('compare mapped output with expected outputs; explain every difference by a decision id')
    .requiredOption('-c, --contract <file>', 'mapping contract JSON')
    .requiredOption('--xml <paths...>', 'XML files or directories')
    .requiredOption('--expected <dir>', 'directory of <stem>.json expected outputs')
    .option('--json', 'print the full report as JSON')
    .action(async (opts: { contract: string; xml: string[]; expected: string; json?: boolean }) => {
      const { plan } = await loadPlan(opts.contract);
      if (!existsSync(opts.expected) || !statSync(opts.expected).isDirectory()) throw new CliError(`--expected ${opts.expected}: no such directory`, 2);
      const report = await runConformance({ plan, xml: opts.xml, expectedDir: opts.expected });
      if (report.samples === 0) {
        // nothing compared is not a pass
        throw new CliError(`--expected ${opts.expected}: no expected output (<name>.json) for any of the ${report.missingExpected.length} XML file${report.missingExpected.length === 1 ? '' : 's'} given by --xml — nothing was compared`, 2);
      }
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      } else {
        for (const d of report.differences) {
          const where = [d.table ?? '(document)', d.row === null ? null : `[${d.row}]`, d.column].filter((x) => x !== null).join(' ');
          process.stdout.write(`${d.sample}  ${where}: expected ${short(d.expected)}, got ${short(d.actual)}  ${d.decisions.length ? d.decisions.join('+') : 'UNEXPLAINED'}\n`);
        }
        process.stdout.write(`\n${report.samples} samples, ${report.matched} identical, ${report.differences.length} differences, ${report.unexplained} unexplained\n`);
        for (const [id, n] of Object.entries(report.byDecision).sort()) process.stdout.write(`  ${id.padEnd(4)} ${String(n).padStart(5)}  ${DECISION_SUMMARY[id] ?? (DOCUMENT_DECISIONS as Record<string, string>)[id] ?? ''}\n`);
        for (const f of report.missingExpected) process.stdout.write(`  no expected output for ${f}\n`);
      }
      if (report.unexplained > 0) process.exitCode = 1;
    });
}
