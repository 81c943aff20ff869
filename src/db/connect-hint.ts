/**
 * Advice for a connection that failed because no password was given. A server that asks for one
 * otherwise answers with driver text (`SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a
 * string`, `password authentication failed`, `Login failed`) that does not say what to do.
 */
import { DbError } from './db-error.js';
import type { TargetConfig } from './target-url.js';

/** Code of the DbError a dialect throws when the server asked for a password and none was given. */
export const NO_PASSWORD_CODE = 'XM_NO_PASSWORD';

/** PostgreSQL invalid_password, SQL Server "Login failed for user". */
const AUTH_FAILED_CODES: ReadonlySet<string | number> = new Set(['28P01', 18456]);

/**
 * `` — set XMLMIGRATE_TARGET_PASSWORD`` (with the variable for that connection) when `err` means
 * the server wants a password and `cfg` has none; `''` otherwise.
 */
export function connectHint(err: unknown, cfg: Pick<TargetConfig, 'password'>, passwordVar: string): string {
  if (!(err instanceof DbError) || cfg.password !== null) return '';
  const code = err.number ?? err.code;
  if (err.code !== NO_PASSWORD_CODE && (code === null || !AUTH_FAILED_CODES.has(code))) return '';
  return err.code === NO_PASSWORD_CODE ? ` — set ${passwordVar}` : ` — no password was given: set ${passwordVar}`;
}
