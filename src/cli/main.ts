/** Command-line entry: commander wiring only. */
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { CliError } from './cli-error.js';
import { registerConformance } from './commands/conformance.js';
import { registerContractCheck } from './commands/contract-check.js';
import { registerMap } from './commands/map.js';
import { registerRun } from './commands/run.js';
import { registerSchema } from './commands/schema.js';
import { registerSeed } from './commands/seed.js';
import { registerDemo } from './commands/demo.js';
import { registerImport } from './commands/import.js';
import { registerStatus } from './commands/status.js';
import { terminalSafe } from '../observability/terminal-text.js';

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Builds the program (exported for tests). */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name('xmlmigrate')
    .description('Migrate XML documents stored in a database table into normalized tables through a mapping contract.')
    .version(version())
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  registerRun(program);
  registerSchema(program);
  registerSeed(program);
  registerImport(program);
  registerStatus(program);
  registerDemo(program);
  registerContractCheck(program);
  registerMap(program);
  registerConformance(program);
  return program;
}

/** Runs the CLI; sets process.exitCode, never throws. */
export async function main(argv: string[]): Promise<void> {
  // `xmlmigrate map … | head`: a reader that stops early closes the pipe. That is not an error of
  // ours — stop printing, keep the exit code (a run goes on: its data does not depend on stdout).
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') process.stderr.write(`xmlmigrate: cannot write to standard output: ${err.message}\n`);
  });
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    if (err instanceof CliError) {
      process.stderr.write(`xmlmigrate: ${terminalSafe(err.message, true)}\n`);
      process.exitCode = err.exitCode;
      return;
    }
    const e = err as Error;
    process.stderr.write(`xmlmigrate: internal error: ${terminalSafe(e?.message ?? String(err), true)}\n`);
    if (process.env['XMLMIGRATE_DEBUG']) process.stderr.write(`${e?.stack ?? ''}\n`);
    process.exitCode = 3;
  }
}
