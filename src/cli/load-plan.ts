/** Loads, checks and compiles a contract for a command; contract errors become a CliError (exit 2). */
import { ContractError, loadContractFile } from '../mapping/contract-loader.js';
import type { DialectName } from '../db/db-error.js';
import { compilePlan, type MappingPlan } from '../mapping/plan.js';
import { CliError } from './cli-error.js';

/** A compiled contract and its warnings. */
export interface LoadedPlan {
  plan: MappingPlan;
  warnings: string[];
}

/**
 * Loads `file`; throws CliError listing every contract error. `dialects`: the databases the command
 * works on (identifier problems of other dialects only are warnings); default every dialect.
 */
export async function loadPlan(file: string, dialects?: readonly DialectName[]): Promise<LoadedPlan> {
  try {
    const loaded = await loadContractFile(file, dialects ? { dialects } : {});
    return { plan: compilePlan(loaded.contract), warnings: loaded.warnings.map((w) => w.message) };
  } catch (err) {
    if (err instanceof ContractError) throw new CliError(err.message, 2);
    throw err;
  }
}

/** The contract file from `--contract` or XMLMIGRATE_CONTRACT; a CliError naming both when neither is set. */
export function contractFile(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const f = flag ?? env['XMLMIGRATE_CONTRACT'];
  if (!f) throw new CliError('--contract: required (or set XMLMIGRATE_CONTRACT)', 2);
  return f;
}
