/** The frozen, validated settings of one `xmlmigrate run`. */
import type { FailureBudgetSpec } from './failure-budget.js';

/** Run settings (flags + environment + config file, merged by src/cli/config.ts). */
export interface RunConfig {
  /** Contract file. */
  readonly contract: string;
  /** Target database URL (password may come from XMLMIGRATE_TARGET_PASSWORD). */
  readonly target: string;
  /** Source database URL; null = the target database holds the source table. */
  readonly source: string | null;
  /** Maximum apps this run processes; null = all pending. */
  readonly limit: number | null;
  /** Worker processes. Default 4. */
  readonly workers: number;
  /** Apps per transaction. Default 100. */
  readonly batchSize: number;
  readonly appIdStart: number | null;
  readonly appIdEnd: number | null;
  readonly shard: { readonly index: number; readonly count: number } | null;
  /** true: a pool of `poolSize` connections per worker; false: one dedicated connection. Default false. */
  readonly pool: boolean;
  /** Default 4. */
  readonly poolSize: number;
  readonly dryRun: boolean;
  /** Default `warn`. */
  readonly logLevel: string;
  readonly logFile: string | null;
  readonly metricsOut: string | null;
  readonly progress: boolean;
  /** `worker`: workers read their documents by app_id; `parent`: the parent reads and ships them. */
  readonly readMode: 'parent' | 'worker';
  /** Attempts per transaction for transient errors. Default 5. */
  readonly retryAttempts: number;
  /** How long the circuit breaker waits for an unreachable database before ending the run. Default 60. */
  readonly outageWaitSeconds: number;
  /**
   * Document bytes read at once, in MB (1..4096): a worker reads chunks of at most this and at most
   * one chunk ahead (a larger document alone); in parent-read mode the documents in flight are at
   * most this, in batches of at most a quarter of it (a larger document is read by its worker). Default 32.
   */
  readonly readBudgetMb: number;
  /** `--max-failures`: the failure budget (null = none: a run never stops because apps fail). */
  readonly maxFailures: FailureBudgetSpec | null;
  /** `--max-failures-min`: apps processed before a percentage budget applies. Default 100. */
  readonly maxFailuresMin: number;
  /** `--report`: the HTML run report to write at the end (null = none). */
  readonly report: string | null;
  /** Divide the work with other runs of the same selection through the claim tables. Default true. */
  readonly claims: boolean;
  /** Seconds a run's claims stay its own without a heartbeat (renewed four times per lease). Default 30. */
  readonly leaseSeconds: number;
  /** Pending apps per claim; null = 10 batches. */
  readonly claimSize: number | null;
}
