/** The message protocol between `xmlmigrate verify` and its forked workers (values only, like src/ipc). */
import type { RetryPolicy, SerializedError } from '../ipc/messages.js';
import type { VerifyBatchResult, VerifyJob } from './verify-batch.js';

/** Everything a verify worker needs to start. Secrets travel over the IPC channel, never argv. */
export interface VerifyWorkerInit {
  workerId: number;
  contractFile: string;
  /** Target database URL (may contain a password; never logged). */
  target: string;
  /** Source database URL when not the target; null = the target holds the source table. */
  source: string | null;
  retry: RetryPolicy;
  /** Differences kept per app. */
  maxDiffsPerApp: number;
}

/** Parent → worker. */
export type ToVerifyWorker =
  | { t: 'init'; init: VerifyWorkerInit }
  | { t: 'job'; job: VerifyJob }
  | { t: 'stop' };

/** Worker → parent. */
export type FromVerifyWorker =
  | { t: 'ready'; workerId: number; pid: number }
  | { t: 'init-error'; workerId: number; error: SerializedError }
  | { t: 'result'; result: VerifyBatchResult; cpuMs: number };
