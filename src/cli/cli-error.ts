/**
 * Errors that end a command with a one-line message and a documented exit code
 * (0 ok, 1 some apps failed, 2 usage/contract/preflight error, 3 fatal database error; `run` also
 * ends with 4 when its failure budget stopped it, and 130/143 after a signal).
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(message: string, readonly exitCode: 1 | 2 | 3 = 2) {
    super(message);
  }
}

/** Exit codes. */
export const EXIT = { ok: 0, someFailed: 1, usage: 2, database: 3, failureBudget: 4, sigint: 130, sigterm: 143 } as const;
