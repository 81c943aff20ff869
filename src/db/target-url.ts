/**
 * Connection URLs: parsing, environment-variable overrides and redaction.
 *
 *   mssql://user:pass@host:1433/db?encrypt=false&trustServerCertificate=true
 *   postgres://user@host:5432/db        (also postgresql://)
 *   sqlite:path/to/file.db | sqlite:/abs/file.db | sqlite::memory:
 *
 * A password may come from `XMLMIGRATE_TARGET_PASSWORD` (or `<prefix>_PASSWORD`) instead of the URL,
 * so none has to sit on a command line. No message produced here ever contains a password.
 */
import type { DialectName } from './db-error.js';

/** A parsed connection target. `password` is hidden from JSON and util.inspect. */
export interface TargetConfig {
  readonly dialect: DialectName;
  /** Host name (mssql/postgres); `''` for SQLite. */
  readonly host: string;
  /** Port, or null for the driver default (1433 / 5432). */
  readonly port: number | null;
  /** Database name (mssql/postgres); for SQLite the file path or `:memory:`. */
  readonly database: string;
  readonly user: string | null;
  readonly password: string | null;
  /** Query parameters, validated per dialect (see {@link ALLOWED_PARAMS}). */
  readonly params: Readonly<Record<string, string>>;
  /** The URL with the password replaced by `***` — the only form fit for messages and logs. */
  readonly redacted: string;
}

/** A URL that cannot be used. The message names the problem and never contains the password. */
export class TargetUrlError extends Error {
  override readonly name = 'TargetUrlError';
  /** Stable error code. */
  readonly code = 'XM_BAD_URL';
}

/** Query parameters accepted per dialect (anything else is rejected, naming the allowed ones). */
export const ALLOWED_PARAMS: Readonly<Record<DialectName, readonly string[]>> = {
  mssql: ['encrypt', 'trustServerCertificate', 'instanceName', 'connectTimeout', 'requestTimeout', 'appName'],
  postgres: ['sslmode', 'application_name', 'connect_timeout', 'statement_timeout'],
  sqlite: ['busy_timeout', 'synchronous'],
};

const SCHEMES: Readonly<Record<string, DialectName>> = {
  'mssql:': 'mssql', 'sqlserver:': 'mssql', 'postgres:': 'postgres', 'postgresql:': 'postgres', 'sqlite:': 'sqlite',
};

/**
 * Replaces the password of `url` (userinfo and any `password=`/`pwd=` parameter) with `***`.
 * Works on malformed URLs too: it never throws.
 */
export function redactUrl(url: string): string {
  let out = url.replace(/([?&;](?:password|pwd)=)[^&;]*/gi, '$1***');
  const m = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#]*)/.exec(out);
  if (m) {
    const authority = m[2] ?? '';
    const at = authority.lastIndexOf('@');
    if (at >= 0) {
      const userinfo = authority.slice(0, at);
      const colon = userinfo.indexOf(':');
      if (colon >= 0) {
        const safe = `${userinfo.slice(0, colon)}:***${authority.slice(at)}`;
        out = (m[1] ?? '') + safe + out.slice(m[0].length);
      }
    }
  }
  return out;
}

function decode(part: string, what: string, shown: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new TargetUrlError(`bad ${what} encoding in ${shown}`);
  }
}

function hidePassword(cfg: Omit<TargetConfig, 'password'>, password: string | null): TargetConfig {
  const out = { ...cfg } as TargetConfig;
  Object.defineProperty(out, 'password', { value: password, enumerable: false });
  Object.defineProperty(out, Symbol.for('nodejs.util.inspect.custom'), {
    value: () => `TargetConfig(${cfg.redacted})`, enumerable: false,
  });
  return Object.freeze(out);
}

function parseParams(query: string, dialect: DialectName, shown: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(query)) {
    if (!ALLOWED_PARAMS[dialect].includes(k)) {
      throw new TargetUrlError(`unknown parameter "${k}" in ${shown} — allowed for ${dialect}: ${ALLOWED_PARAMS[dialect].join(', ')}`);
    }
    params[k] = v;
  }
  return params;
}

/** Parses a connection URL; `passwordOverride` (from the environment) replaces the URL's password. */
export function parseTargetUrl(url: string, passwordOverride?: string | null): TargetConfig {
  const shown = redactUrl(url.trim());
  const text = url.trim();
  const schemeMatch = /^([A-Za-z][A-Za-z0-9+.-]*:)/.exec(text);
  if (!schemeMatch) throw new TargetUrlError(`not a connection URL: ${JSON.stringify(shown)} — use mssql://, postgres:// or sqlite:`);
  const scheme = (schemeMatch[1] ?? '').toLowerCase();
  const dialect = SCHEMES[scheme];
  if (!dialect) throw new TargetUrlError(`unsupported scheme "${scheme}" — use mssql://, postgres:// or sqlite:`);

  if (dialect === 'sqlite') {
    const rest = text.slice(scheme.length);
    const q = rest.indexOf('?');
    let path = q >= 0 ? rest.slice(0, q) : rest;
    if (path.startsWith('//')) path = path.slice(2); // sqlite://rel.db and sqlite:///abs.db
    if (path === '') throw new TargetUrlError(`missing database file in ${shown} — e.g. sqlite:data/xmlmigrate.db or sqlite::memory:`);
    return hidePassword({
      dialect, host: '', port: null, database: decode(path, 'path', shown), user: null,
      params: parseParams(q >= 0 ? rest.slice(q + 1) : '', dialect, shown), redacted: shown,
    }, null);
  }

  const authority = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(text)?.[1];
  if (authority === undefined) throw new TargetUrlError(`malformed URL ${shown} — expected ${scheme}//user:password@host:port/database`);
  if (authority.slice(authority.lastIndexOf('@') + 1).replace(/:\d*$/, '') === '') throw new TargetUrlError(`missing host in ${shown}`);
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new TargetUrlError(`malformed URL ${shown} — expected ${scheme}//user:password@host:port/database`);
  }
  if (parsed.hostname === '') throw new TargetUrlError(`missing host in ${shown}`);
  let port: number | null = null;
  if (parsed.port !== '') {
    port = Number(parsed.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new TargetUrlError(`bad port in ${shown}`);
  }
  const database = decode(parsed.pathname.replace(/^\//, ''), 'database', shown);
  if (database === '' || database.includes('/')) throw new TargetUrlError(`missing or bad database name in ${shown} — expected ${scheme}//host/database`);
  const user = parsed.username === '' ? null : decode(parsed.username, 'user', shown);
  const urlPassword = parsed.password === '' ? null : decode(parsed.password, 'password', shown);
  const password = passwordOverride != null && passwordOverride !== '' ? passwordOverride : urlPassword;
  return hidePassword({
    dialect, host: parsed.hostname.replace(/^\[|\]$/g, ''), port, database, user,
    params: parseParams(parsed.search.replace(/^\?/, ''), dialect, shown), redacted: shown,
  }, password);
}

/**
 * Reads `<prefix>_URL` and `<prefix>_PASSWORD` (default prefix `XMLMIGRATE_TARGET`) from `env`.
 * Returns null when the URL variable is unset or empty.
 */
export function targetFromEnv(env: NodeJS.ProcessEnv = process.env, prefix = 'XMLMIGRATE_TARGET'): TargetConfig | null {
  const url = env[`${prefix}_URL`];
  if (url === undefined || url.trim() === '') return null;
  return parseTargetUrl(url, env[`${prefix}_PASSWORD`] ?? null);
}

/** Parses `url` with the password from `<prefix>_PASSWORD` in `env` taking precedence (for `--target`). */
export function resolveTarget(url: string, env: NodeJS.ProcessEnv = process.env, prefix = 'XMLMIGRATE_TARGET'): TargetConfig {
  return parseTargetUrl(url, env[`${prefix}_PASSWORD`] ?? null);
}
