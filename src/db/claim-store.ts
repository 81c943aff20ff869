/**
 * The claim protocol on one {@link ClaimDb} connection: how concurrent runs (on any hosts) divide
 * the work of one selection ("scope") so that no batch is processed twice.
 *
 * - A run registers in `xmlmigrate_runs` and renews its heartbeat there; it is live while its last
 *   heartbeat (by the database clock) is younger than its lease.
 * - Work is claimed as ranges of app ids in app_id order: a new claim starts just past the highest
 *   claim of the scope (the frontier) and ends at the n-th pending app after it, so a claim holds
 *   about n apps however sparse the ids are, and claiming costs one short keyset read. Ranges never
 *   overlap: every new claim's start is the frontier it read + 1, and the primary key
 *   (scope, range_start) refuses a second claim made from the same frontier.
 * - Before extending the frontier, a run takes over the lowest claim whose owner is gone (released
 *   at a stop, or held by a run whose lease expired); the range is then paged again, skipping the
 *   apps processing_log already holds.
 * - When no run of the scope is live, the next run to register starts a new round: the scope's old
 *   claims are forgotten (apps retried since, or added behind the old frontier, are found again).
 *
 * Claims only avoid wasted work: exactly-once still rests on processing_log, written in the same
 * transaction as the rows. Every method is serialized on the store's connection.
 */
import { readFileSync, readlinkSync } from 'node:fs';
import { ClaimSql, rowLocking, type ClaimDb, type ClaimExec } from './claims-sql.js';
import type { SchemaModel } from './schema-types.js';

/** One claimed range of app ids (inclusive). `first` is the first pending app id when it was claimed. */
export interface Claim {
  readonly rangeStart: number;
  readonly rangeEnd: number;
  readonly first: number;
  /** The run it was taken over from (released or lease expired), or null for a new claim. */
  readonly takenFrom: string | null;
}

/** The next chunk of pending app ids after `after` (null: from the start of the selection), or null when there is none. */
export type ChunkFinder = (after: number | null) => Promise<{ readonly first: number; readonly last: number; readonly count: number } | null>;

/** Who the run is (stored in `xmlmigrate_runs`). */
export interface RunRegistration {
  readonly host: string;
  readonly pid: number;
  /** The pid namespace of `pid` (see {@link processNamespace}); null where it cannot be told. */
  readonly processNs: string | null;
  readonly workers: number;
  readonly leaseSeconds: number;
}

const num = (v: unknown): number => Number(v ?? 0);

/** Whether a process of this pid namespace exists (EPERM: it exists, owned by someone else). */
export function pidAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * This process's pid namespace on this boot of this kernel (Linux: boot id + the namespace's inode),
 * so that only runs whose pids mean the same processes as ours are judged by their pid; null elsewhere.
 */
export function processNamespace(): string | null {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    return `${boot}/${readlinkSync('/proc/self/ns/pid')}`;
  } catch {
    return null;
  }
}

/** Attempts at a claim when concurrent runs keep inserting the same range first (PostgreSQL). */
const CLAIM_ATTEMPTS = 50;

/** The claim protocol of one run. */
export class ClaimStore {
  private readonly sql: ClaimSql;
  private readonly lockName: string;
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * `lowest`: the start of the scope's first claim (the selection's --app-id-start, else the lowest
   * app id JavaScript handles exactly).
   */
  constructor(private readonly db: ClaimDb, model: SchemaModel, readonly runId: string, readonly scope: string, private readonly lowest: number) {
    this.sql = new ClaimSql(db.style, model);
    this.lockName = `xmlmigrate claims ${model.schema}.${model.claimTables[1].name}`;
  }

  /** Runs `fn` after every earlier call of this store has settled (one connection, one thing at a time). */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Registers the run; returns whether it started a new round (no other live run in the scope). */
  register(r: RunRegistration, alive: (pid: number) => boolean = pidAlive): Promise<{ readonly newRound: boolean; readonly reaped: readonly string[] }> {
    return this.serial(() => this.db.transaction(this.lockName, true, async (exec) => {
      // runs of this machine whose process is gone (a crash, SIGKILL): their claims are free at once —
      // a rerun after a crash need not wait for the lease. Runs elsewhere are judged by their lease.
      const reaped: string[] = [];
      if (r.processNs !== null) {
        for (const row of (await exec(this.sql.sameNamespace(r.processNs))).rows) {
          const pid = num(row['pid']);
          if (pid !== r.pid && alive(pid)) continue; // our own pid in an old row: that run was an earlier life of this one
          const runId = String(row['run_id']);
          await exec(this.sql.release(runId));
          await exec(this.sql.markDead(runId));
          reaped.push(runId);
        }
      }
      const live = num((await exec(this.sql.liveRuns(this.scope))).rows[0]?.['n']);
      if (live === 0) {
        await exec(this.sql.clearClaims(this.scope));
        await exec(this.sql.closeExpired(this.scope, this.runId));
      }
      await exec(this.sql.register({ runId: this.runId, scope: this.scope, ...r }));
      return { newRound: live === 0, reaped };
    }));
  }

  /** Takes over an orphaned claim, or claims the next chunk past the frontier; null when nothing is left to claim. */
  claim(find: ChunkFinder): Promise<Claim | null> {
    return this.serial(async () => {
      for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
        const out = await this.db.transaction(this.lockName, !rowLocking(this.db.style.dialect), (exec) => this.claimOnce(exec, find));
        if (out !== 'conflict') return out;
      }
      throw new Error(`could not claim work after ${CLAIM_ATTEMPTS} attempts: other runs kept claiming the same range first`);
    });
  }

  private async claimOnce(exec: ClaimExec, find: ChunkFinder): Promise<Claim | null | 'conflict'> {
    const orphan = (await exec(this.sql.orphan(this.scope))).rows[0];
    if (orphan) {
      const rangeStart = num(orphan['range_start']);
      if ((await exec(this.sql.takeOver(this.runId, this.scope, rangeStart))).changed === 0) return 'conflict';
      return { rangeStart, rangeEnd: num(orphan['range_end']), first: num(orphan['first_app_id']), takenFrom: (orphan['run_id'] as string | null) ?? null };
    }
    const e = (await exec(this.sql.frontier(this.scope))).rows[0]?.['e'];
    const after = e === null || e === undefined ? null : num(e);
    const chunk = await find(after);
    if (chunk === null) return null;
    const rangeStart = after === null ? Math.min(this.lowest, chunk.first) : after + 1;
    const insert = this.sql.insert({ scope: this.scope, rangeStart, rangeEnd: chunk.last, first: chunk.first, apps: chunk.count, runId: this.runId });
    if ((await exec(insert)).changed === 0) return 'conflict';
    return { rangeStart, rangeEnd: chunk.last, first: chunk.first, takenFrom: null };
  }

  /** Renews the lease; returns the range starts the run still holds (a range taken over meanwhile is missing). */
  heartbeat(appsDone: number): Promise<Set<number>> {
    return this.serial(async () => {
      await this.db.exec(this.sql.heartbeat(this.runId, appsDone));
      return new Set((await this.db.exec(this.sql.held(this.runId))).rows.map((r) => num(r['range_start'])));
    });
  }

  /** Marks a claim done; false when the run no longer held it (taken over after its lease expired). */
  complete(rangeStart: number): Promise<boolean> {
    return this.serial(async () => (await this.db.exec(this.sql.complete(this.runId, this.scope, rangeStart))).changed > 0);
  }

  /** Unfinished claims of the scope held by other runs. */
  othersOpen(): Promise<number> {
    return this.serial(async () => num((await this.db.exec(this.sql.othersOpen(this.runId, this.scope))).rows[0]?.['n']));
  }

  /** Hands the run's unfinished claims back at once; returns how many. */
  release(): Promise<number> {
    return this.serial(async () => (await this.db.exec(this.sql.release(this.runId))).changed);
  }

  /** Ends the registration (releasing what the run still holds). */
  finish(state: 'finished' | 'stopped' | 'failed', appsDone: number): Promise<void> {
    return this.serial(async () => {
      await this.db.exec(this.sql.release(this.runId));
      await this.db.exec(this.sql.finish(this.runId, state, appsDone));
    });
  }
}

/** One registered run, for `status`. */
export interface RunStatus {
  readonly runId: string;
  readonly scope: string;
  readonly host: string | null;
  readonly pid: number | null;
  readonly workers: number | null;
  readonly leaseSeconds: number;
  readonly state: string;
  /** `running` whose lease expired is reported as not live. */
  readonly live: boolean;
  readonly appsDone: number;
  readonly startedAt: string | null;
  readonly heartbeatAt: string | null;
  readonly finishedAt: string | null;
  /** Seconds since the last heartbeat, by the database clock. */
  readonly heartbeatAgeSeconds: number;
  /** The ranges it holds now. */
  readonly claims: readonly { readonly first: number; readonly last: number; readonly apps: number }[];
}

/** What `status` shows about runs and claims. */
export interface ClaimStatus {
  readonly runs: readonly RunStatus[];
  /** Per scope: claims done (and their apps), open, released or orphaned, and takeovers so far. */
  readonly scopes: readonly {
    readonly scope: string; readonly done: number; readonly doneApps: number; readonly open: number;
    readonly orphaned: number; readonly takeovers: number;
  }[];
}

function text(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return v instanceof Date ? v.toISOString() : String(v);
}

/** Reads every run and the open claims (one connection, no locks taken). */
export async function readClaimStatus(db: ClaimDb, model: SchemaModel): Promise<ClaimStatus> {
  const sql = new ClaimSql(db.style, model);
  const runRows = (await db.exec(sql.statusRuns())).rows;
  const open = (await db.exec(sql.statusClaims())).rows;
  const done = (await db.exec(sql.statusDone())).rows;
  const runs: RunStatus[] = runRows.map((r) => {
    const age = Number(r['heartbeat_age'] ?? 0);
    const lease = num(r['lease_seconds']);
    const finishedAt = text(r['finished_at']);
    const runId = String(r['run_id']);
    return {
      runId, scope: String(r['scope']), host: text(r['host']), pid: r['pid'] == null ? null : num(r['pid']),
      workers: r['workers'] == null ? null : num(r['workers']), leaseSeconds: lease, state: String(r['state']),
      live: finishedAt === null && age <= lease, appsDone: num(r['apps_done']),
      startedAt: text(r['started_at']), heartbeatAt: text(r['heartbeat_at']), finishedAt, heartbeatAgeSeconds: Math.max(0, age),
      claims: open.filter((c) => c['run_id'] === runId && c['status'] === 'claimed')
        .map((c) => ({ first: num(c['first_app_id']), last: num(c['range_end']), apps: num(c['apps']) })),
    };
  });
  const liveIds = new Set(runs.filter((r) => r.live).map((r) => r.runId));
  const scopes = new Map<string, { scope: string; done: number; doneApps: number; open: number; orphaned: number; takeovers: number }>();
  const get = (scope: string) => {
    let s = scopes.get(scope);
    if (!s) { s = { scope, done: 0, doneApps: 0, open: 0, orphaned: 0, takeovers: 0 }; scopes.set(scope, s); }
    return s;
  };
  for (const d of done) { const s = get(String(d['scope'])); s.done = num(d['n']); s.doneApps = num(d['apps']); s.takeovers += num(d['takeovers']); }
  for (const c of open) {
    const s = get(String(c['scope']));
    s.takeovers += num(c['takeovers']);
    if (c['status'] === 'claimed' && liveIds.has(String(c['run_id']))) s.open++;
    else s.orphaned++;
  }
  return { runs, scopes: [...scopes.values()] };
}
