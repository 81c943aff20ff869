/** `xmlmigrate contract check <file>`: every problem of a contract, errors then warnings; exit 0 or 2. */
import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { ContractError, checkContract, parseContractJson } from '../../mapping/contract-loader.js';
import { compilePlan } from '../../mapping/plan.js';
import { CliError } from '../cli-error.js';

/** Registers the command. */
export function registerContractCheck(program: Command): void {
  const contract = program.command('contract').description('work with mapping contracts');
  contract
    .command('check')
    .description('check a mapping contract: schema, tokens, enums, expressions, identifiers (exit 0 valid, 2 invalid)')
    .argument('<file>', 'contract JSON file')
    .option('--json', 'print the problems as JSON')
    .action(async (file: string, opts: { json?: boolean }) => {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        throw new CliError(`cannot read contract ${file}: ${(err as Error).message}`, 2);
      }
      let raw: unknown;
      try {
        raw = parseContractJson(text, file);
      } catch (err) {
        if (err instanceof ContractError) throw new CliError(err.problems.map((p) => p.message).join('\n'), 2);
        throw err;
      }
      const res = checkContract(raw, file);
      if (res.contract) compilePlan(res.contract); // proves it compiles
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ file, valid: res.errors.length === 0, errors: res.errors, warnings: res.warnings }, null, 2)}\n`);
      } else {
        for (const e of res.errors) process.stdout.write(`error   ${e.message}  [${e.rule}]\n`);
        if (res.warnings.length > 0 && res.errors.length > 0) process.stdout.write('\n');
        for (const w of res.warnings) process.stdout.write(`warning ${w.message}  [${w.rule}]\n`);
        const m = (raw as { mappings?: unknown[] } | null)?.mappings;
        process.stdout.write(`${file}: ${res.errors.length === 0 ? 'valid' : 'INVALID'} — ${res.errors.length} error(s), ${res.warnings.length} warning(s)${Array.isArray(m) ? `, ${m.length} mappings` : ''}\n`);
      }
      if (res.errors.length > 0) process.exitCode = 2;
    });
}
