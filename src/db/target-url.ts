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

/** How a query parameter's value is checked: a test and the words for what it expects. */
interface ParamRule {
  readonly ok: (v: string) => boolean;
  readonly expected: string;
}
const anyText: ParamRule = { ok: (v) => v !== '', expected: 'a non-empty value' };
const count = (unit: string): ParamRule => ({ ok: (v) => /^\d{1,9}$/.test(v), expected: `a non-negative integer (${unit})` });
const oneOf = (...values: string[]): ParamRule => ({ ok: (v) => values.includes(v.toLowerCase()), expected: `one of ${values.join(', ')}` });
const boolText = oneOf('true', 'false', 'yes', 'no', '1', '0');

/** Query parameters accepted per dialect, each with the check of its value (data, not code per dialect). */
export const PARAM_RULES: Readonly<Record<DialectName, Readonly<Record<string, ParamRule>>>> = {
  mssql: {
    encrypt: boolText, trustServerCertificate: boolText, instanceName: anyText,
    connectTimeout: count('milliseconds'), requestTimeout: count('milliseconds'), appName: anyText,
  },
  postgres: {
    sslmode: oneOf('disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify'),
    application_name: anyText, connect_timeout: count('seconds'), statement_timeout: count('milliseconds'),
  },
  sqlite: { busy_timeout: count('milliseconds'), synchronous: oneOf('off', 'normal', 'full', 'extra') },
};

/** Query parameters accepted per dialect (anything else is rejected, naming the allowed ones). */
export const ALLOWED_PARAMS: Readonly<Record<DialectName, readonly string[]>> = {
  mssql: Object.keys(PARAM_RULES.mssql), postgres: Object.keys(PARAM_RULES.postgres), sqlite: Object.keys(PARAM_RULES.sqlite),
};

const SCHEMES: Readonly<Record<string, DialectName>> = {
  'mssql:': 'mssql', 'sqlserver:': 'mssql', 'postgres:': 'postgres', 'postgresql:': 'postgres', 'sqlite:': 'sqlite',
};

/** URL schemes the product knows; with one of them, `//` may be missing and the URL is still redacted. */
const KNOWN_SCHEME = /^(?:mssql|sqlserver|postgres|postgresql|sqlite):/i;
/** Parameter names that carry a password, in URL queries and connection strings (case-insensitive). */
const PASSWORD_KEYS = 'password|passwd|pwd|pass|sslpassword|secret';
const PASSWORD_PARAM = new RegExp(`(^|[?&;]\\s*)((?:${PASSWORD_KEYS})\\s*=)`, 'i');
/** A password parameter's value runs up to the next `&key=` / `;key=` (a password may hold `&` or `;`). */
const PASSWORD_PARAM_ALL = new RegExp(`(^|[?&;]\\s*)((?:${PASSWORD_KEYS})\\s*=)(?:(?![&;]\\s*[A-Za-z_][\\w.-]*\\s*=).)*`, 'gis');

/** Whether `text` carries a password parameter (`?password=…`, `;Pwd=…`, `&sslpassword=…`). */
export function hasPasswordParam(text: string): boolean {
  return PASSWORD_PARAM.test(text);
}

/**
 * Replaces every password in `url` with `***`: the userinfo's password and any password parameter
 * (`?password=`, `;Password=`, `&pwd=` …). Works on anything — malformed URLs, URLs without `//`,
 * passwords with unencoded `/ ? # @ :` or `%` — and never throws. When in doubt it hides more: the
 * userinfo runs up to the LAST `@`, so a password holding `@`, `/`, `?` or `#` is hidden whole; with no
 * `@` at all, a "port" that is not a number is taken for a password whose `@host` is missing.
 */
export function redactUrl(url: string): string {
  const out = url.replace(PASSWORD_PARAM_ALL, '$1$2***');
  const scheme = /^\s*[A-Za-z][A-Za-z0-9+.-]*:(?=\/\/)/.exec(out)?.[0] ?? KNOWN_SCHEME.exec(out)?.[0] ?? '';
  if (scheme === '') {
    // a URL inside a longer token (`'--tagret=postgres://u:pw@h/db'`): redact from where it starts
    const inner = /[A-Za-z][A-Za-z0-9+.-]*:\/\/|(?:mssql|sqlserver|postgres|postgresql|sqlite):/i.exec(out);
    if (inner && inner.index > 0) return out.slice(0, inner.index) + redactUrl(out.slice(inner.index));
  }
  const rest = out.slice(scheme.length);
  const slashes = /^\/*/.exec(rest)?.[0] ?? '';
  const body = rest.slice(slashes.length);
  const head = scheme + slashes;
  const at = body.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = body.slice(0, at);
    const colon = userinfo.indexOf(':');
    return colon < 0 ? out : `${head}${userinfo.slice(0, colon)}:***${body.slice(at)}`;
  }
  if (/^sqlite:/i.test(scheme) || head === '') return out;
  // no `@`: `host:port` is fine; `user:secret` (the `@host` forgotten) is not
  const authority = /^[^/?#]*/.exec(body)?.[0] ?? '';
  const colon = authority.startsWith('[') ? authority.indexOf(':', authority.indexOf(']')) : authority.indexOf(':');
  if (colon >= 0 && !/^\d*$/.test(authority.slice(colon + 1))) return `${head}${body.slice(0, colon)}:***`;
  return out;
}

/**
 * Redacts every URL inside free text (an error message, a log line's string, a driver message): each
 * whitespace-delimited token that looks like a URL or carries a password parameter goes through
 * {@link redactUrl}.
 */
export function redactText(text: string): string {
  return text.replace(/\S+/g, (token) => (/[A-Za-z][A-Za-z0-9+.-]*:/.test(token) && /@|\/\//.test(token)) || KNOWN_SCHEME.test(token) || hasPasswordParam(token) ? redactUrl(token) : token);
}

/** Options whose value is a connection URL (or, for `demo --db`, may be one). */
const URL_OPTIONS = new Set(['-t', '--target', '-s', '--source', '--db']);

/**
 * A command line fit for output (the `--metrics-out` summary, messages): the value of every URL option
 * in every form (`--target URL`, `--target=URL`, `-tURL`, `-t URL`, `--source…`, `--db…`) is redacted,
 * as is any other argument that looks like a URL or carries a password parameter.
 */
export function redactArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  let urlNext = false;
  for (const arg of argv) {
    if (urlNext) {
      out.push(redactUrl(arg));
      urlNext = false;
      continue;
    }
    if (URL_OPTIONS.has(arg)) {
      out.push(arg);
      urlNext = true;
      continue;
    }
    const long = /^(--[A-Za-z][\w-]*=)([\s\S]*)$/.exec(arg);
    if (long) {
      const name = long[1]!.slice(0, -1);
      out.push(long[1]! + (URL_OPTIONS.has(name) ? redactUrl(long[2]!) : redactText(long[2]!)));
      continue;
    }
    const short = /^(-[ts])([\s\S]+)$/.exec(arg);
    if (short) {
      out.push(short[1]! + redactUrl(short[2]!));
      continue;
    }
    out.push(redactText(arg));
  }
  return out;
}

/** How to write the special characters of a user name or password in a URL. */
const ENCODE_HINT = ' (percent-encode these characters in the user name or password: / as %2F, ? as %3F, # as %23, @ as %40, : as %3A, % as %25 — or set the password in XMLMIGRATE_TARGET_PASSWORD / XMLMIGRATE_SOURCE_PASSWORD)';

function decode(part: string, what: string, shown: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new TargetUrlError(`bad ${what} encoding in ${shown}${what === 'password' || what === 'user' ? ENCODE_HINT : ' (write % as %25)'}`);
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
    const rule = PARAM_RULES[dialect][k];
    if (!rule) throw new TargetUrlError(`unknown parameter "${k}" in ${shown} — allowed for ${dialect}: ${ALLOWED_PARAMS[dialect].join(', ')}`);
    if (!rule.ok(v)) throw new TargetUrlError(`parameter ${k} in ${shown}: expected ${rule.expected} (got ${JSON.stringify(v)})`);
    params[k] = v;
  }
  return params;
}

/**
 * The dialect of a target URL, or null when it does not parse (the URL's own error is reported where
 * it is parsed for real; a contract is checked first, against this dialect's identifier rules only).
 */
export function dialectOfUrl(url: string): DialectName | null {
  try {
    return parseTargetUrl(url).dialect;
  } catch {
    return null;
  }
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
  if (hasPasswordParam(text)) {
    throw new TargetUrlError(`a password parameter is not accepted in ${shown} — put the password in the URL (user:password@host, percent-encoded) or in XMLMIGRATE_TARGET_PASSWORD / XMLMIGRATE_SOURCE_PASSWORD`);
  }

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

  const malformed = `malformed URL ${shown} — expected ${scheme}//user:password@host:port/database${ENCODE_HINT}`;
  const authority = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(text)?.[1];
  if (authority === undefined) throw new TargetUrlError(malformed);
  // an `@` past the host, or a `#` anywhere: a password with an unencoded / ? # — never guess where it ends
  if (text.slice(scheme.length + 2 + authority.length).includes('@') || text.includes('#')) throw new TargetUrlError(malformed);
  if (authority.slice(authority.lastIndexOf('@') + 1).replace(/:\d*$/, '') === '') throw new TargetUrlError(`missing host in ${shown}`);
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new TargetUrlError(malformed);
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
