/**
 * SQL identifier validation and quoting. Every table, column and schema name that reaches SQL
 * text passes through {@link assertIdentifier} first, and is then always quoted per dialect, so a
 * contract cannot smuggle SQL into DDL or DML (issue 4, "identifiers that try SQL injection").
 */

/** The one identifier shape accepted anywhere: a letter or `_`, then up to 127 letters, digits or `_`. */
export const IDENTIFIER_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** Thrown when a name is not an acceptable SQL identifier. `path` names where it came from. */
export class IdentifierError extends Error {
  override readonly name = 'IdentifierError';
  /** Stable error code (`XM_BAD_IDENTIFIER`). */
  readonly code = 'XM_BAD_IDENTIFIER';
  constructor(readonly path: string, readonly value: unknown) {
    super(`${path}: ${JSON.stringify(value)} is not a valid SQL identifier (letters, digits and _ only, starting with a letter or _, at most 128 characters)`);
  }
}

/** True when `name` matches {@link IDENTIFIER_PATTERN}. */
export function isIdentifier(name: unknown): name is string {
  return typeof name === 'string' && IDENTIFIER_PATTERN.test(name);
}

/**
 * Returns `name` unchanged when it is a valid identifier, else throws an {@link IdentifierError}
 * whose message starts with `path` (e.g. `mappings[12].target_column`).
 */
export function assertIdentifier(name: unknown, path: string): string {
  if (!isIdentifier(name)) throw new IdentifierError(path, name);
  return name;
}

/** SQL Server quoting: `[name]` (a `]` would be doubled, although validated names never contain one). */
export function quoteBracket(name: string): string {
  return `[${assertIdentifier(name, 'identifier').replace(/]/g, ']]')}]`;
}

/** ANSI quoting used by PostgreSQL and SQLite: `"name"`. */
export function quoteDouble(name: string): string {
  return `"${assertIdentifier(name, 'identifier').replace(/"/g, '""')}"`;
}

/** Dialect names (as in db-error.ts), repeated here so the contract checks need no database code. */
export type IdentifierDialect = 'mssql' | 'postgres' | 'sqlite';

/** How a dialect treats the (quoted) identifiers the product creates. */
export interface IdentifierRules {
  /** Name in messages. */
  readonly label: string;
  /** Longest name in UTF-8 bytes, or null (PostgreSQL: NAMEDATALEN − 1 = 63; longer names are silently truncated). */
  readonly maxBytes: number | null;
  /** Longest name in characters, or null (SQL Server: sysname, 128). */
  readonly maxChars: number | null;
  /**
   * True when two names differing only in case are the same object: SQL Server with its default
   * case-insensitive collation, SQLite always. PostgreSQL keeps the case of quoted names.
   */
  readonly foldsCase: boolean;
}

/** Identifier rules per dialect (data, not code paths: the checks read these). */
export const IDENTIFIER_RULES: Readonly<Record<IdentifierDialect, IdentifierRules>> = {
  mssql: { label: 'SQL Server', maxBytes: null, maxChars: 128, foldsCase: true },
  postgres: { label: 'PostgreSQL', maxBytes: 63, maxChars: null, foldsCase: false },
  sqlite: { label: 'SQLite', maxBytes: null, maxChars: null, foldsCase: true },
};

/** Every dialect, in the order messages name them. */
export const IDENTIFIER_DIALECTS: readonly IdentifierDialect[] = ['mssql', 'postgres', 'sqlite'];

/** Why `name` is too long for `rules`, or null when it fits. */
export function identifierTooLong(name: string, rules: IdentifierRules): string | null {
  const bytes = Buffer.byteLength(name, 'utf8');
  if (rules.maxBytes !== null && bytes > rules.maxBytes) return `${bytes} bytes; ${rules.label} keeps only the first ${rules.maxBytes}`;
  if (rules.maxChars !== null && name.length > rules.maxChars) return `${name.length} characters; ${rules.label} allows ${rules.maxChars}`;
  return null;
}

/** The name a dialect actually compares: folded to lower case where the dialect ignores case. */
export function identifierKey(name: string, rules: IdentifierRules): string {
  return rules.foldsCase ? name.toLowerCase() : name;
}
