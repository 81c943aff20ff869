/** Opens a database session for the tool commands (schema, seed, import, status, retry-failed). */
import { connectHint } from '../db/connect-hint.js';
import { openTarget } from '../db/create-dialect.js';
import { DbError } from '../db/db-error.js';
import type { PreflightProblem, TargetSession } from '../db/dialect.js';
import { buildSchemaModel } from '../db/schema-model.js';
import { parseTargetUrl, TargetUrlError } from '../db/target-url.js';
import type { MappingContract } from '../mapping/contract-types.js';
import { CliError } from './cli-error.js';
import { DEFAULTS } from './config.js';

/**
 * The target URL from a flag, XMLMIGRATE_TARGET_URL, or the SQLite default — parsed (not connected):
 * a bad URL is a usage error naming where it came from, with the URL redacted.
 */
export function targetUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env['XMLMIGRATE_TARGET_URL'];
  const [label, url] = flag !== undefined ? ['--target', flag] : fromEnv !== undefined && fromEnv !== '' ? ['XMLMIGRATE_TARGET_URL', fromEnv] : ['--target', DEFAULTS.target];
  try {
    parseTargetUrl(url);
  } catch (err) {
    if (err instanceof TargetUrlError) throw new CliError(`${label}: ${err.message}`, 2);
    throw err;
  }
  return url;
}

/** Options of {@link openSession}. */
export interface OpenSessionOptions {
  /** Connections kept open. Default 1. */
  readonly poolMax?: number;
  /**
   * True (default): a SQLite file that does not exist is refused instead of created — a command that
   * only reads or fills existing tables must not leave an empty database behind. `schema --apply`
   * and `--apply-schema` pass false.
   */
  readonly mustExist?: boolean;
  /** Added to the advice when the database file does not exist (e.g. `or pass --apply-schema`). */
  readonly hint?: string;
}

/** Opens `url` for `contract`; connection problems become one-line CliErrors without secrets. */
export async function openSession(url: string, contract: MappingContract, opts: OpenSessionOptions = {}): Promise<TargetSession> {
  let cfg;
  try {
    cfg = parseTargetUrl(url, process.env['XMLMIGRATE_TARGET_PASSWORD'] ?? null);
  } catch (err) {
    throw new CliError(`--target: ${(err as Error).message}`, 2);
  }
  try {
    return await openTarget(cfg, buildSchemaModel(contract), { poolMax: opts.poolMax ?? 1, mustExist: opts.mustExist ?? true });
  } catch (err) {
    const code = err instanceof DbError && err.kind === 'transient' ? 3 : 2;
    let msg = (err as Error).message;
    if (opts.hint) msg = msg.replace(/\(create it with `xmlmigrate schema --apply`\)$/, `(create it with \`xmlmigrate schema --apply\` ${opts.hint})`);
    throw new CliError(`cannot connect to ${cfg.redacted}: ${msg}${connectHint(err, cfg, 'XMLMIGRATE_TARGET_PASSWORD')}`, code);
  }
}

/** Which of the contract's tables a tool command needs. */
export interface NeededTables {
  /** The source table (app_id + XML column). */
  readonly source?: boolean;
  /** processing_log. */
  readonly log?: boolean;
}

/**
 * Refuses to go on (exit 2) when a table the command needs is missing or unusable, the way `run`'s
 * preflight does, instead of letting the database answer `no such table` / `relation … does not
 * exist`. `hint` is added to the "create it with" advice (e.g. "or pass --apply-schema").
 */
export async function requireTables(s: TargetSession, url: string, need: NeededTables, hint = ''): Promise<void> {
  const names = new Set<string>();
  if (need.source) names.add(s.model.source.name);
  if (need.log) names.add(s.model.processingLog.name);
  const problems = (await withDb(() => s.preflight({ target: need.log === true, source: need.source === true })))
    .filter((p) => p.severity === 'error' && names.has(p.table));
  if (problems.length === 0) return;
  throw new CliError(describeMissing(problems, s, url, hint), 2);
}

function describeMissing(problems: readonly PreflightProblem[], s: TargetSession, url: string, hint: string): string {
  const where = parseTargetUrl(url).redacted;
  const advice = `create ${problems.length === 1 ? 'it' : 'them'} with \`xmlmigrate schema --apply\`${hint ? ` ${hint}` : ''}`;
  const missing = problems.filter((p) => p.code === 'missing-table');
  if (missing.length === problems.length) {
    const models = [s.model.source, s.model.processingLog];
    const qualified = missing.map((p) => {
      const t = models.find((m) => m.name === p.table);
      return t && s.info.supportsSchemas ? `${t.schema}.${t.name}` : p.table;
    });
    return `${missing.length === 1 ? 'table' : 'tables'} ${qualified.join(', ')} ${missing.length === 1 ? 'does' : 'do'} not exist in ${where} (${advice})`;
  }
  return `${where} is not ready for this command (${problems.length} problem${problems.length === 1 ? '' : 's'}; ${advice}):\n${problems.map((p) => `  - ${p.message}`).join('\n')}`;
}

/** Turns database errors of a tool command into exit 3 messages. */
export async function withDb<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof DbError) throw new CliError(`database error: ${err.message}`, 3);
    throw err;
  }
}
