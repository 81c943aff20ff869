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

/** The contract file from `--contract` or XMLMIGRATE_CONTRACT; a CliError naming both when neither is set. */
export function contractFile(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const f = flag ?? env['XMLMIGRATE_CONTRACT'];
  if (!f) throw new CliError('--contract: required (or set XMLMIGRATE_CONTRACT)', 2);
  return f;
}
