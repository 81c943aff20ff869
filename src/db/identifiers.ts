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
