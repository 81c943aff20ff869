/**
 * Errors that end a command with a one-line message and a documented exit code
 * (0 ok, 1 some apps failed, 2 usage/contract/preflight error, 3 fatal database error).
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(message: string, readonly exitCode: 1 | 2 | 3 = 2) {
    super(message);
  }
}

/** Exit codes. */
export const EXIT = { ok: 0, someFailed: 1, usage: 2, database: 3, sigint: 130, sigterm: 143 } as const;
