/**
 * `xmlmigrate verify`, the parent side: checks the contract, connects, runs the read-only part of the
 * preflight, pages through the source's app_ids by keyset (app_id > last ORDER BY app_id, like a run
 * but without skipping logged apps), cuts them into batches and lets forked workers re-map and compare
 * them (verify-batch.ts), then folds their results into one report.
 *
 * Every source app in the selection is verified, or a sample of them (`--sample`): an app is in the
 * sample when a hash of its app_id and the seed falls below the percentage — the same seed always
 * picks the same apps, whatever the order or the number of workers. Without a sample, consecutive
 * batches cover the whole app_id range of the selection between them (each reads the target by
 * range), so rows and processing_log entries of apps that are not in the source are reported too.
 */
import { randomInt } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { connectHint } from '../db/connect-hint.js';
import { openTarget } from '../db/create-dialect.js';
import { DbError } from '../db/db-error.js';
import type { PreflightProblem, SourceFilter, TargetSession } from '../db/dialect.js';
import { buildSchemaModel } from '../db/schema-model.js';
import type { SchemaModel } from '../db/schema-types.js';
import { dialectOfUrl, parseTargetUrl, redactUrl, type TargetConfig } from '../db/target-url.js';
import { ContractError, loadContractFile } from '../mapping/contract-loader.js';
import type { Progress } from '../observability/progress.js';
import { addCounts, emptyVerifyResult, type AppFinding, type VerifyBatchResult, type VerifyJob } from './verify-batch.js';
import { VerifyPool } from './verify-pool.js';

/** Settings of one verify. */
export interface VerifyConfig {
  readonly contract: string;
  readonly target: string;
  readonly source: string | null;
  readonly workers: number;
  readonly batchSize: number;
  readonly appIdStart: number | null;
  readonly appIdEnd: number | null;
  /** At most this many source apps (after sampling); null = all. */
  readonly limit: number | null;
  /** Percentage of apps to verify (0 < p ≤ 100), or null = every app. */
  readonly samplePercent: number | null;
  /** Seed of the sample. */
  readonly seed: number;
  /** Apps listed in the report (the rest are counted). */
  readonly maxReport: number;
  readonly retryAttempts: number;
}

/** A verify that could not run: exit 2 (usage, contract, preflight) or 3 (database). */
export class VerifyAbort extends Error {
  override readonly name = 'VerifyAbort';
  constructor(message: string, readonly exitCode: 2 | 3) {
    super(message);
  }
}

/** Everything `verify` found, plus how fast it went. */
export interface VerifyReport {
  readonly target: string;
  readonly source: string | null;
  readonly dialect: string;
  readonly selection: {
    readonly appIdStart: number | null;
    readonly appIdEnd: number | null;
    readonly limit: number | null;
    readonly sample: { readonly percent: number; readonly seed: number; readonly scanned: number } | null;
  };
  /** Totals over every batch. */
  readonly totals: Omit<VerifyBatchResult, 'batchId' | 'findings' | 'fatal'>;
  /** The findings listed (the smallest app ids, at most maxReport). */
  readonly findings: readonly AppFinding[];
  /** Findings not listed. */
  readonly findingsOmitted: number;
  readonly workers: number;
  /** Apps per worker job (--batch-size, smaller when the selection is small: every worker gets some). */
  readonly batchSize: number;
  readonly wallSeconds: number;
  readonly appsPerSecond: number;
  readonly cpu: { readonly parentSeconds: number; readonly workersSeconds: number; readonly cores: number };
  /** Set when a signal stopped the verify before it was through: the report covers what was verified. */
  readonly stoppedBy: string | null;
  /** 0 everything matches, 1 differences found (130/143 when stopped by a signal). */
  readonly exitCode: number;
}

/**
 * True when `appId` is in the `percent` sample of `seed`: a 32-bit mix (murmur3's finalizer) of the
 * id's two halves and the seed, compared with the percentage of 2^32.
 */
export function inSample(appId: number, percent: number, seed: number): boolean {
  if (percent >= 100) return true;
  const lo = appId >>> 0;
  const hi = Math.floor(appId / 4294967296) >>> 0;
  let h = (Math.imul(lo ^ seed, 0x9e3779b1) ^ Math.imul(hi + 0x7f4a7c15, 0x85ebca6b)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return (h >>> 0) < (percent / 100) * 4294967296;
}

/** A random seed for a sample when none is given (printed in the report so it can be repeated). */
export function randomSeed(): number {
  return randomInt(1, 2 ** 31 - 1);
}

/** Dependencies of a {@link Verifier}. */
export interface VerifierDeps {
  readonly progress: Progress;
  /** Worker script override (tests). */
  readonly workerScript?: string;
}

/** Runs one verify. */
export class Verifier {
  private stopSignal: NodeJS.Signals | null = null;

  constructor(private readonly cfg: VerifyConfig, private readonly deps: VerifierDeps) {}

  /**
   * First SIGINT/SIGTERM: no new batches; the ones running finish and the report covers what was
   * verified. A second one exits at once (verifying writes nothing: there is nothing to roll back;
   * the workers leave when their channel closes).
   */
  onSignal(sig: NodeJS.Signals): void {
    if (this.stopSignal) process.exit(sig === 'SIGINT' ? 130 : 143);
    this.stopSignal = sig;
    this.deps.progress.notice?.(`stopping (${sig}): reporting what was verified so far`);
  }

  /** Verifies the selection; throws VerifyAbort for exit 2/3. */
  async run(): Promise<{ report: VerifyReport; model: SchemaModel }> {
    const cfg = this.cfg;
    const started = performance.now();
    const cpuAtStart = process.cpuUsage();
    // workers start (modules, contract, connections) while the parent checks and connects
    const pool = new VerifyPool({
      workers: cfg.workers,
      ...(this.deps.workerScript ? { workerScript: this.deps.workerScript } : {}),
      init: {
        contractFile: cfg.contract, target: cfg.target, source: cfg.source, maxDiffsPerApp: 50,
        retry: { maxAttempts: cfg.retryAttempts, baseDelayMs: 100, maxDelayMs: 5000 },
      },
    });
    const poolStarted = pool.start().then(() => null, (err: unknown) => err);
    const abort = async (err: unknown): Promise<never> => {
      await poolStarted;
      await pool.abort();
      throw err;
    };
    let contract;
    try {
      const dialect = dialectOfUrl(cfg.target);
      contract = (await loadContractFile(cfg.contract, dialect === null ? {} : { dialects: [dialect] })).contract;
    } catch (err) {
      return abort(err instanceof ContractError ? new VerifyAbort(err.message, 2) : err);
    }
    const model = buildSchemaModel(contract);
    let target: TargetSession;
    let source: TargetSession;
    try {
      target = await open(parseUrl(cfg.target, 'XMLMIGRATE_TARGET_PASSWORD', '--target'), model, 'target');
      try {
        source = cfg.source ? await open(parseUrl(cfg.source, 'XMLMIGRATE_SOURCE_PASSWORD', '--source'), model, 'source') : target;
      } catch (err) {
        await target.close().catch(() => undefined);
        throw err;
      }
    } catch (err) {
      return abort(err);
    }
    try {
      await this.preflight(target, source).catch((err: unknown) => abort(err));
      const startError = await poolStarted;
      if (startError) {
        await pool.abort();
        // the parent reached the databases a moment ago: a worker that cannot is a database problem
        throw new VerifyAbort(`verify workers could not start: ${(startError as Error).message}`, 3);
      }
      let totals: VerifyBatchResult;
      let findings: AppFinding[];
      let scanned: number;
      let findingCount: number;
      let batchSize: number;
      try {
        ({ totals, findings, findingCount, scanned, batchSize } = await this.verifyAll(pool, source));
      } finally {
        await pool.stop();
      }
      const wall = (performance.now() - started) / 1000;
      const parentCpu = process.cpuUsage(cpuAtStart);
      findings.sort((a, b) => a.appId - b.appId);
      const listed = findings.slice(0, cfg.maxReport);
      const exitCode = this.stopSignal ? (this.stopSignal === 'SIGINT' ? 130 : 143) : findingCount > 0 ? 1 : 0;
      const { batchId: _b, findings: _f, fatal: _x, ...counts } = totals;
      const report: VerifyReport = {
        target: redactUrl(cfg.target), source: cfg.source === null ? null : redactUrl(cfg.source), dialect: target.info.name,
        selection: {
          appIdStart: cfg.appIdStart, appIdEnd: cfg.appIdEnd, limit: cfg.limit,
          sample: cfg.samplePercent === null ? null : { percent: cfg.samplePercent, seed: cfg.seed, scanned },
        },
        totals: counts, findings: listed, findingsOmitted: Math.max(0, findingCount - listed.length),
        workers: cfg.workers, batchSize, wallSeconds: wall,
        appsPerSecond: wall > 0 ? totals.apps / wall : 0,
        cpu: { parentSeconds: (parentCpu.user + parentCpu.system) / 1e6, workersSeconds: pool.cpuSeconds(), cores: availableParallelism() },
        stoppedBy: this.stopSignal, exitCode,
      };
      return { report, model };
    } finally {
      await target.close().catch(() => undefined);
      if (source !== target) await source.close().catch(() => undefined);
    }
  }

  /** The preflight of a run minus what only writing needs (INSERT privileges, a writable SQLite file). */
  private async preflight(target: TargetSession, source: TargetSession): Promise<void> {
    const problems: PreflightProblem[] = await db(async () => [
      ...(await target.preflight({ target: true, source: source === target })),
      ...(source !== target ? await source.preflight({ target: false, source: true }) : []),
    ]);
    const errors = problems.filter((p) => p.severity === 'error' && !(p.code === 'missing-privilege' && !/\bSELECT\b|\bUSAGE\b/.test(p.message)));
    if (errors.length > 0) {
      throw new VerifyAbort(`preflight failed: ${errors.length} problem${errors.length === 1 ? '' : 's'} (verify reads the tables \`xmlmigrate schema --apply\` creates and a run fills)\n${errors.map((p) => `  - ${p.message}`).join('\n')}`, 2);
    }
  }

  /** Pages, dispatches and folds; returns the totals and every finding. */
  private async verifyAll(pool: VerifyPool, source: TargetSession): Promise<{ totals: VerifyBatchResult; findings: AppFinding[]; findingCount: number; scanned: number; batchSize: number }> {
    const cfg = this.cfg;
    const filter: SourceFilter = {
      ...(cfg.appIdStart !== null ? { appIdStart: cfg.appIdStart } : {}),
      ...(cfg.appIdEnd !== null ? { appIdEnd: cfg.appIdEnd } : {}),
      excludeLogged: false,
    };
    const inSelection = await db(() => source.countPending(filter));
    if (inSelection === 0) {
      // nothing to re-map; reading the whole target as "not in the source" helps nobody
      const where = cfg.appIdStart !== null || cfg.appIdEnd !== null ? ' in the selected app_id range' : '';
      throw new VerifyAbort(`the source table ${source.model.source.name} of ${redactUrl(cfg.source ?? cfg.target)} has no documents${where}: nothing to verify against${cfg.source === null ? ' (if the documents live in another database, pass --source, as for run)' : ''}`, 2);
    }
    const sampling = cfg.samplePercent !== null;
    const expected = sampling ? Math.round(inSelection * cfg.samplePercent! / 100) : inSelection;
    const todo = cfg.limit === null ? expected : Math.min(cfg.limit, expected);
    this.deps.progress.start(todo);
    // a small selection (a sample, a short range) is still spread over every worker
    const batchSize = Math.min(cfg.batchSize, Math.max(10, Math.ceil(todo / cfg.workers)));
    const totals = emptyVerifyResult(0);
    const findings: AppFinding[] = [];
    let findingCount = 0;
    const keep = Math.max(cfg.maxReport, 1);
    let fatal: string | null = null;
    const inflight = new Set<Promise<void>>();
    const onResult = (r: VerifyBatchResult): void => {
      if (r.fatal) { fatal ??= r.fatal.kind ? `database error: ${r.fatal.message}` : r.fatal.message; return; }
      addCounts(totals, r);
      findingCount += r.findings.length;
      findings.push(...r.findings);
      // keep only the smallest app ids for the listing (counts keep everything)
      if (findings.length > 2 * keep) { findings.sort((a, b) => a.appId - b.appId); findings.length = keep; }
      this.deps.progress.update(totals.apps, totals.apps - totals.ok);
    };
    const submit = (job: VerifyJob): void => {
      const p: Promise<void> = pool.run(job).then(onResult, (err: Error) => { fatal ??= err.message; }).finally(() => inflight.delete(p));
      inflight.add(p);
    };
    let batchId = 0;
    let last: number | null = cfg.appIdStart !== null ? cfg.appIdStart - 1 : null;
    let coveredTo: number | null = last;
    let remaining = cfg.limit ?? Infinity;
    let scanned = 0;
    let pending: number[] = [];
    const pageSize = sampling ? Math.max(batchSize, 10_000) : batchSize;
    let exhausted = false;
    try {
      while (!this.stopSignal && !fatal && remaining > 0) {
        const q = { ...filter, ...(last === null ? {} : { afterAppId: last }), limit: sampling ? pageSize : Math.min(pageSize, remaining) };
        const ids = await db(() => source.readSourceIds(q));
        if (ids.length === 0) { exhausted = true; break; }
        scanned += ids.length;
        last = ids[ids.length - 1]!;
        if (!sampling) {
          remaining -= ids.length;
          // this batch covers the app_ids from the previous one's last (exclusive) to its own last
          submit({ batchId: ++batchId, appIds: ids, range: { above: coveredTo, atMost: last } });
          coveredTo = last;
          if (ids.length < q.limit) exhausted = true;
        } else {
          for (const id of ids) {
            if (remaining <= 0) break;
            if (!inSample(id, cfg.samplePercent!, cfg.seed)) continue;
            pending.push(id);
            remaining--;
          }
          while (pending.length >= batchSize) submit({ batchId: ++batchId, appIds: pending.splice(0, batchSize), range: null });
        }
        while (inflight.size >= cfg.workers + 2) await Promise.race(inflight);
        if (exhausted) break;
      }
      if (pending.length > 0 && !fatal && !this.stopSignal) submit({ batchId: ++batchId, appIds: pending, range: null });
      // the rest of the selection's range, past the last source app: rows of apps not in the source
      if (!sampling && exhausted && !fatal && !this.stopSignal) {
        submit({ batchId: ++batchId, appIds: [], range: { above: coveredTo, atMost: cfg.appIdEnd } });
      }
      await Promise.all(inflight);
    } finally {
      this.deps.progress.stop();
    }
    if (fatal) throw new VerifyAbort(`verify stopped: ${fatal}`, 3);
    return { totals, findings, findingCount, scanned, batchSize };
  }
}

function parseUrl(url: string, passwordVar: string, label: string): TargetConfig {
  try {
    return parseTargetUrl(url, process.env[passwordVar] ?? null);
  } catch (err) {
    throw new VerifyAbort(`${label}: ${(err as Error).message}`, 2);
  }
}

async function open(cfg: TargetConfig, model: SchemaModel, what: 'target' | 'source'): Promise<TargetSession> {
  try {
    return await openTarget(cfg, model, { poolMax: 1, mustExist: true });
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new VerifyAbort(`cannot connect to the ${what} database ${cfg.redacted}: ${msg}${connectHint(err, cfg, `XMLMIGRATE_${what.toUpperCase()}_PASSWORD`)}`, err instanceof DbError && err.kind === 'transient' ? 3 : 2);
  }
}

/** A parent-side query: a database error ends the verify with exit 3. */
async function db<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof DbError) throw new VerifyAbort(`database error: ${err.message}`, 3);
    throw err;
  }
}
