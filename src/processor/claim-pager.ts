/**
 * The run loop's source of work when runs share a selection through claims (src/db/claim-store.ts):
 * pages app ids inside the ranges this run claimed, keeps count of each claim's batches, marks a
 * claim done once all of them committed, and renews the run's lease on a timer of its own (on the
 * claims connection, so a long source read or a slow batch never delays a heartbeat, and a heartbeat
 * never delays a batch: workers write on their own connections).
 */
import type { Claim, ClaimStore } from '../db/claim-store.js';
import type { SourceFilter, TargetSession } from '../db/dialect.js';
import type { Logger } from '../observability/logger.js';

/** One claim as the run works through it. */
export class ClaimTicket {
  /** Keyset cursor inside the range: the last app id handed out. */
  cursor: number | null = null;
  /** Every page of the range has been handed out. */
  exhausted = false;
  /** A heartbeat found the claim held by another run (this run's lease had expired): hand out nothing more. */
  lost = false;
  /** A batch of the claim did not finish cleanly (outage, fatal error, stop): never marked done by this run. */
  dirty = false;
  /** Batches handed to workers and not settled yet. */
  pending = 0;
  completed = false;

  constructor(readonly claim: Claim) {}
}

/** Settings of a {@link ClaimPager}. */
export interface ClaimPagerOptions {
  readonly store: ClaimStore;
  /** Where app ids are read (the run's source session). */
  readonly source: TargetSession;
  /** The run's own selection (start/end/shard, excludeLogged). */
  readonly filter: SourceFilter;
  /** Pending apps per claim. */
  readonly claimSize: number;
  readonly leaseSeconds: number;
  readonly log: Logger;
  /** True once the run stops taking work (signal, fatal error). */
  readonly stopped: () => boolean;
  /** Apps this run has finished so far (stored with each heartbeat, for `status`). */
  readonly appsDone: () => number;
  /** Runs a database call, waiting out an outage (the processor's circuit breaker). */
  readonly guard: <T>(fn: () => Promise<T>) => Promise<T>;
}

/** Counts for the run summary. */
export interface ClaimFigures {
  claimed: number;
  takenOver: number;
  completed: number;
  lost: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** How often a run with nothing to claim looks whether the other runs' ranges are done (or free). */
const WAIT_POLL_MS = 500;

/** Hands out pages of claimed app ids; see the module comment. */
export class ClaimPager {
  private current: ClaimTicket | null = null;
  private readonly open = new Set<ClaimTicket>();
  private readonly completions = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private beating = false;
  /** Time spent waiting for other runs' claims (not reading: left out of the source-read phase). */
  waitedMs = 0;
  readonly figures: ClaimFigures = { claimed: 0, takenOver: 0, completed: 0, lost: 0 };

  constructor(private readonly o: ClaimPagerOptions) {}

  /** How often the lease is renewed: four times per lease, so one late heartbeat never loses it. */
  get heartbeatMs(): number {
    return Math.max(200, Math.floor((this.o.leaseSeconds * 1000) / 4));
  }

  /** Starts renewing the lease. */
  start(): void {
    this.timer = setInterval(() => void this.beat(), this.heartbeatMs);
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    if (this.beating) return; // the previous one still waits for the database
    this.beating = true;
    try {
      const held = await this.o.store.heartbeat(this.o.appsDone());
      for (const t of this.open) {
        if (!t.completed && !t.lost && !held.has(t.claim.rangeStart)) {
          t.lost = true;
          this.figures.lost++;
          this.o.log.warn({ first: t.claim.first, last: t.claim.rangeEnd }, 'claim taken over by another run (this run missed its lease): handing out no more of it');
        }
      }
    } catch (err) {
      this.o.log.warn({ error: (err as Error).message }, 'lease renewal failed; retrying');
    } finally {
      this.beating = false;
    }
  }

  /**
   * The next page of at most `limit` app ids and the claim it belongs to; null when no work is left
   * for this run: nothing to claim and no other run holds an unfinished claim (one that could still
   * come back when its owner dies). While others hold claims, waits and tries again.
   */
  async next(limit: number): Promise<{ ids: number[]; ticket: ClaimTicket } | null> {
    const o = this.o;
    for (;;) {
      if (o.stopped()) return null;
      const cur = this.current;
      if (cur === null) {
        const claim = await o.guard(() => o.store.claim((after) => this.findChunk(after)));
        if (claim !== null) {
          const t = new ClaimTicket(claim);
          this.current = t;
          this.open.add(t);
          this.figures.claimed++;
          if (claim.takenFrom !== null) this.figures.takenOver++;
          o.log.info({ first: claim.first, last: claim.rangeEnd, takenFrom: claim.takenFrom }, claim.takenFrom === null ? 'claimed' : 'took over a claim');
          continue;
        }
        if ((await o.guard(() => o.store.othersOpen())) === 0) return null;
        // other runs hold unfinished claims: wait, and take them over should their lease expire; look
        // again every half second (a cheap count), so a run ends soon after the last range is done
        const t0 = performance.now();
        await sleep(Math.min(this.heartbeatMs, WAIT_POLL_MS));
        this.waitedMs += performance.now() - t0;
        continue;
      }
      if (cur.exhausted || cur.lost) {
        this.current = null;
        cur.exhausted = true;
        this.maybeComplete(cur);
        continue;
      }
      const c = cur.claim;
      const f = o.filter;
      const q = {
        ...f,
        appIdStart: Math.max(f.appIdStart ?? c.rangeStart, c.rangeStart),
        appIdEnd: Math.min(f.appIdEnd ?? c.rangeEnd, c.rangeEnd),
        ...(cur.cursor === null ? {} : { afterAppId: cur.cursor }),
        // one id more than asked: a page that is the range's last says so, also when the run then
        // stops asking (its count of pending apps is reached), so the claim is marked done
        limit: limit + 1,
      };
      const ids = await o.guard(() => o.source.readSourceIds(q));
      if (ids.length <= limit) cur.exhausted = true;
      else ids.length = limit;
      if (ids.length === 0) continue;
      cur.cursor = ids[ids.length - 1]!;
      return { ids, ticket: cur };
    }
  }

  /** The next `claimSize` pending app ids of the selection after `after`. */
  private async findChunk(after: number | null): Promise<{ first: number; last: number; count: number } | null> {
    const ids = await this.o.source.readSourceIds({ ...this.o.filter, ...(after === null ? {} : { afterAppId: after }), limit: this.o.claimSize });
    if (ids.length === 0) return null;
    return { first: ids[0]!, last: ids[ids.length - 1]!, count: ids.length };
  }

  /** A batch of `ticket` was handed to the workers. */
  submitted(ticket: ClaimTicket): void {
    ticket.pending++;
  }

  /** A batch of `ticket` settled; `clean` = it committed (its apps are in processing_log). */
  settled(ticket: ClaimTicket, clean: boolean): void {
    ticket.pending--;
    if (!clean) ticket.dirty = true;
    this.maybeComplete(ticket);
  }

  private maybeComplete(t: ClaimTicket): void {
    if (!t.exhausted || t.pending > 0 || t.completed || t.lost || t.dirty) return;
    t.completed = true;
    const p = this.o.store.complete(t.claim.rangeStart).then((held) => {
      this.open.delete(t);
      if (held) this.figures.completed++;
      else { this.figures.lost++; this.o.log.warn({ first: t.claim.first, last: t.claim.rangeEnd }, 'claim finished after another run took it over'); }
    }, (err: unknown) => {
      // left claimed: released when the run ends, or taken over when its lease expires
      this.o.log.warn({ first: t.claim.first, last: t.claim.rangeEnd, error: (err as Error).message }, 'could not mark a claim done');
    }).finally(() => this.completions.delete(p));
    this.completions.add(p);
  }

  /**
   * Ends the run's part: stops the heartbeat, waits for claims being marked done, hands back every
   * claim not done (at once, so other runs need not wait for the lease) and closes the registration.
   */
  async finish(state: 'finished' | 'stopped' | 'failed'): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.all(this.completions);
    try {
      await this.o.store.finish(state, this.o.appsDone());
    } catch (err) {
      this.o.log.warn({ error: (err as Error).message }, 'could not hand back this run\'s claims; they return to the other runs when its lease expires');
    }
  }
}
