/** Command-line entry: commander wiring only. */
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { CliError } from './cli-error.js';
import { scrubSecrets } from '../db/db-error.js';
import { redactText, TargetUrlError } from '../db/target-url.js';
import { ENV_NAMES } from './config.js';
import { registerConformance } from './commands/conformance.js';
import { registerContractCheck } from './commands/contract-check.js';
import { registerMap } from './commands/map.js';
import { registerRun } from './commands/run.js';
import { registerSchema } from './commands/schema.js';
import { registerSeed } from './commands/seed.js';
import { registerDemo } from './commands/demo.js';
import { registerImport } from './commands/import.js';
import { registerStatus } from './commands/status.js';
import { registerReport } from './commands/report.js';
import { registerVerify } from './commands/verify.js';
import { terminalSafe } from '../observability/terminal-text.js';

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/**
 * Text fit for the terminal: URLs redacted (userinfo, password parameters, malformed URLs too) and the
 * passwords of XMLMIGRATE_TARGET_PASSWORD / XMLMIGRATE_SOURCE_PASSWORD replaced — the last line of
 * defence for every message this process prints on its way out. Control characters (a document's
 * text quoted in a message) are shown escaped (terminal-text.ts).
 */
export function safe(text: string, env: NodeJS.ProcessEnv = process.env): string {
  return terminalSafe(scrubSecrets(redactText(text), [env['XMLMIGRATE_TARGET_PASSWORD'] ?? '', env['XMLMIGRATE_SOURCE_PASSWORD'] ?? '']), true);
}

/** Exit codes, as every command uses them (docs/operations.md). */
export const EXIT_CODES_HELP = `Exit codes:
  0    every selected app landed, or there was nothing to do
  1    the run finished and some apps failed (xmlmigrate status; retry-failed re-queues them)
  2    usage, contract, configuration or preflight error (bad flag or variable, unknown host name,
       wrong or missing password, missing tables) — nothing was written
  3    fatal database error: the server cannot be reached (connection refused, timed out, or lost
       for longer than --outage-wait) or a database error stopped the run — run it again to resume
  4    the failure budget (--max-failures) was exceeded: the run stopped taking new work after
       in-flight batches committed — fix the cause, retry-failed, run again to resume
  130  stopped by SIGINT, 143 by SIGTERM, after in-flight batches committed — resumable`;

/** The \`run --help\` epilogue: every setting's environment variable, the passwords, the exit codes. */
export function runHelpText(): string {
  const flag = (k: string) => `--${(k === 'outageWaitSeconds' ? 'outageWait' : k).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  const w = Math.max(26, ...Object.values(ENV_NAMES).map((v) => v.length));
  const rows = Object.entries(ENV_NAMES).map(([k, v]) => `  ${v.padEnd(w)} ${flag(k)}`);
  return `
Environment variables (a flag wins over its variable; a variable wins over --config):
${rows.join('\n')}
  ${'XMLMIGRATE_CONFIG'.padEnd(w)} --config
  ${'XMLMIGRATE_TARGET_PASSWORD'.padEnd(w)} password for --target (keeps it off the command line)
  ${'XMLMIGRATE_SOURCE_PASSWORD'.padEnd(w)} password for --source

${EXIT_CODES_HELP}`;
}

/** Builds the program (exported for tests). */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name('xmlmigrate')
    .description('Migrate XML documents stored in a database table into normalized tables through a mapping contract.')
    .version(version())
    .exitOverride()
    // commander echoes what it could not parse (`unknown option '--tagret=postgres://u:pw@h/db'`)
    .configureOutput({ writeErr: (str) => process.stderr.write(safe(str)), outputError: (str, write) => write(safe(str)) })
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', `\n${EXIT_CODES_HELP}`);
  registerRun(program);
  program.commands.find((c) => c.name() === 'run')?.addHelpText('after', runHelpText());
  registerSchema(program);
  registerSeed(program);
  registerImport(program);
  registerStatus(program);
  registerReport(program);
  registerDemo(program);
  registerContractCheck(program);
  registerMap(program);
  registerConformance(program);
  registerVerify(program);
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
      process.stderr.write(`xmlmigrate: ${safe(err.message)}\n`);
      process.exitCode = err.exitCode;
      return;
    }
    if (err instanceof TargetUrlError) {
      // a command that parsed a URL without naming where it came from: still a usage error
      process.stderr.write(`xmlmigrate: ${safe(err.message)}\n`);
      process.exitCode = 2;
      return;
    }
    const e = err as Error;
    process.stderr.write(`xmlmigrate: internal error: ${safe(e?.message ?? String(err))}\n`);
    if (process.env['XMLMIGRATE_DEBUG']) process.stderr.write(`${safe(e?.stack ?? '')}\n`);
    process.exitCode = 3;
  }
}
