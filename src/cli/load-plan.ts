/** Loads, checks and compiles a contract for a command; contract errors become a CliError (exit 2). */
import { ContractError, loadContractFile } from '../mapping/contract-loader.js';
import { compilePlan, type MappingPlan } from '../mapping/plan.js';
import { CliError } from './cli-error.js';

/** A compiled contract and its warnings. */
export interface LoadedPlan {
  plan: MappingPlan;
  warnings: string[];
}

/** Loads `file`; throws CliError listing every contract error. */
export async function loadPlan(file: string): Promise<LoadedPlan> {
  try {
    const loaded = await loadContractFile(file);
    return { plan: compilePlan(loaded.contract), warnings: loaded.warnings.map((w) => w.message) };
  } catch (err) {
    if (err instanceof ContractError) throw new CliError(err.message, 2);
    throw err;
  }
}
