/**
 * Loading and checking mapping contracts: JSON syntax (with file:line:column), the JSON Schema
 * (`schema/mapping-contract.schema.json`), then the semantic rules of `contract-checks.ts`.
 * Every problem is collected; nothing stops at the first one.
 */
import { readFile } from 'node:fs/promises';
import { checkContractSemantics } from './contract-checks.js';
import { ProblemCollector, ROOT_PATH } from './contract-problems.js';
import { checkSchema } from './contract-schema.js';
import type { ContractProblem, MappingContract } from './contract-types.js';
import { locateJsonSyntaxError } from './json-location.js';
import type { IdentifierDialect } from '../db/identifiers.js';

/** Options of {@link checkContract} / {@link loadContractFile}. */
export interface CheckOptions {
  /**
   * The dialects the contract will run on (a run: its target's). Identifier problems that break
   * only other dialects are then warnings. Default: all dialects, each named in the message.
   */
  readonly dialects?: readonly IdentifierDialect[];
}

/** Result of {@link checkContract}. `contract` is null when there is at least one error. */
export interface ContractCheckResult {
  contract: MappingContract | null;
  errors: ContractProblem[];
  warnings: ContractProblem[];
}

/** A contract that passed every check, with the warnings it produced and the file it came from (as given). */
export interface LoadedContract {
  contract: MappingContract;
  warnings: ContractProblem[];
  file: string;
}

/** How many problems {@link ContractError}'s message lists before summarising the rest. */
const MESSAGE_PROBLEM_LIMIT = 20;

/**
 * Thrown by {@link loadContractFile} when the file cannot be read, is not JSON, or has contract errors.
 * `code` is always `CONTRACT_INVALID`; `problems` holds every error (warnings are not included).
 */
export class ContractError extends Error {
  /** Stable error code. */
  readonly code = 'CONTRACT_INVALID';

  constructor(
    /** The contract file, as given to the loader. */
    readonly file: string,
    /** Every error found (severity `error`). */
    readonly problems: readonly ContractProblem[],
    options?: { cause?: unknown },
  ) {
    const shown = problems.slice(0, MESSAGE_PROBLEM_LIMIT).map((p) => `\n  - ${p.message}`).join('');
    const more = problems.length > MESSAGE_PROBLEM_LIMIT ? `\n  … and ${problems.length - MESSAGE_PROBLEM_LIMIT} more` : '';
    const count = `${problems.length} error${problems.length === 1 ? '' : 's'}`;
    super(`invalid mapping contract ${file}: ${count}${shown}${more}`, options);
    this.name = 'ContractError';
  }
}

/**
 * Check a parsed contract (any JSON value): schema violations and semantic rules, all collected.
 * `file`, when given, is stamped on every problem. Never throws for bad input.
 */
export function checkContract(raw: unknown, file?: string, opts: CheckOptions = {}): ContractCheckResult {
  const sink = new ProblemCollector(file);
  checkSchema(raw, sink);
  checkContractSemantics(raw, sink, opts.dialects);
  const ok = sink.errors.length === 0;
  return { contract: ok ? (raw as MappingContract) : null, errors: sink.errors, warnings: sink.warnings };
}

/**
 * Parse contract JSON text (a leading UTF-8 BOM is ignored). Throws {@link ContractError} with one
 * problem (rule `json-syntax`, path `$`) naming `file`, line and column when the text is not JSON.
 */
export function parseContractJson(text: string, file: string): unknown {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  try {
    return JSON.parse(body) as unknown;
  } catch (err) {
    const loc = locateJsonSyntaxError(body);
    const where = loc === null ? file : `${file}:${loc.line}:${loc.column}`;
    const detail = loc === null ? (err as Error).message : loc.message;
    const sink = new ProblemCollector(file);
    sink.error('json-syntax', ROOT_PATH, `invalid JSON at ${where}: ${detail}`);
    throw new ContractError(file, sink.errors, { cause: err });
  }
}

/**
 * Read, parse and check a contract file. Resolves with the contract and its warnings; rejects with
 * {@link ContractError} (all errors) when the file is unreadable, not JSON, or breaks any rule.
 */
export async function loadContractFile(file: string, opts: CheckOptions = {}): Promise<LoadedContract> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const sink = new ProblemCollector(file);
    sink.error('file', ROOT_PATH, `cannot read ${file}: ${(err as Error).message}`);
    throw new ContractError(file, sink.errors, { cause: err });
  }
  const result = checkContract(parseContractJson(text, file), file, opts);
  if (result.contract === null) throw new ContractError(file, result.errors);
  return { contract: result.contract, warnings: result.warnings, file };
}
