/** Opens a database session for the tool commands (schema, seed, import, status, retry-failed). */
import { openTarget } from '../db/create-dialect.js';
import { DbError } from '../db/db-error.js';
import type { TargetSession } from '../db/dialect.js';
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

/** Opens `url` for `contract`; connection problems become one-line CliErrors without secrets. */
export async function openSession(url: string, contract: MappingContract, poolMax = 1): Promise<TargetSession> {
  let cfg;
  try {
    cfg = parseTargetUrl(url, process.env['XMLMIGRATE_TARGET_PASSWORD'] ?? null);
  } catch (err) {
    throw new CliError(`--target: ${(err as Error).message}`, 2);
  }
  try {
    return await openTarget(cfg, buildSchemaModel(contract), { poolMax });
  } catch (err) {
    const code = err instanceof DbError && err.kind === 'transient' ? 3 : 2;
    throw new CliError(`cannot connect to ${cfg.redacted}: ${(err as Error).message}`, code);
  }
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
