/**
 * The run loop's side of claims (src/processor/claim-pager.ts), against a fake store and source: pages
 * stay inside the claimed range and the run's own selection; a claim is marked done only after its
 * range was handed out completely and every batch of it committed; a batch that did not commit, or a
 * claim a heartbeat found taken over, keeps it from being marked done; with nothing to claim the pager
 * waits while other runs hold ranges, and ends when none do; finishing hands everything back.
 */
import { describe, expect, it } from 'vitest';
import type { Claim, ChunkFinder, ClaimStore } from '../../../src/db/claim-store.js';
import type { SourcePageQuery, TargetSession } from '../../../src/db/dialect.js';
import { createLogger } from '../../../src/observability/logger.js';
import { ClaimPager } from '../../../src/processor/claim-pager.js';

const IDS = [2, 3, 5, 8, 13, 21, 34, 55, 89, 144];

/** A source of IDS honouring the filter fields the pager sets. */
function fakeSource(queries: SourcePageQuery[]): TargetSession {
  return {
    readSourceIds: (q: SourcePageQuery) => {
      queries.push(q);
      const ids = IDS.filter((id) => (q.afterAppId === undefined || id > q.afterAppId) && (q.appIdStart === undefined || id >= q.appIdStart)
        && (q.appIdEnd === undefined || id <= q.appIdEnd)).slice(0, q.limit);
      return Promise.resolve(ids);
    },
  } as unknown as TargetSession;
}

/** A store handing out `claims` in turn, recording what the pager tells it. */
function fakeStore(claims: Claim[], opts: { othersOpen?: number[]; held?: () => Set<number> } = {}) {
  const calls = { completed: [] as number[], finished: [] as string[], othersAsked: 0, finds: [] as (number | null)[] };
  const others = [...(opts.othersOpen ?? [])];
  const store = {
    claim: async (find: ChunkFinder) => { calls.finds.push(null); await find(null); return claims.shift() ?? null; },
    complete: (start: number) => { calls.completed.push(start); return Promise.resolve(true); },
    othersOpen: () => { calls.othersAsked++; return Promise.resolve(others.shift() ?? 0); },
    heartbeat: () => Promise.resolve(opts.held?.() ?? new Set<number>()),
    finish: (state: string) => { calls.finished.push(state); return Promise.resolve(); },
  } as unknown as ClaimStore;
  return { store, calls };
}

const pager = (store: ClaimStore, source: TargetSession, over: { stopped?: () => boolean; filter?: object } = {}) => new ClaimPager({
  store, source, filter: { excludeLogged: true, ...over.filter }, claimSize: 4, leaseSeconds: 2, log: createLogger({ level: 'silent' }),
  stopped: over.stopped ?? (() => false), appsDone: () => 0, guard: (fn) => fn(),
});

describe('ClaimPager', () => {
  it('pages inside each claimed range and the selection; marks a claim done when all its batches committed', async () => {
    const queries: SourcePageQuery[] = [];
    const { store, calls } = fakeStore([
      { rangeStart: Number.MIN_SAFE_INTEGER, rangeEnd: 8, first: 2, takenFrom: null },
      { rangeStart: 9, rangeEnd: 55, first: 13, takenFrom: 'dead-run' },
    ]);
    const p = pager(store, fakeSource(queries), { filter: { appIdEnd: 50 } });
    const a = await p.next(3);
    expect(a!.ids).toEqual([2, 3, 5]);
    p.submitted(a!.ticket);
    const b = await p.next(3);
    expect(b!.ids).toEqual([8]); // fewer than asked: the range is handed out
    expect(b!.ticket).toBe(a!.ticket);
    p.submitted(b!.ticket);
    p.settled(a!.ticket, true);
    expect(calls.completed).toEqual([]); // one batch of it still running
    p.settled(b!.ticket, true);
    await Promise.resolve();
    expect(calls.completed).toEqual([Number.MIN_SAFE_INTEGER]);
    const c = await p.next(3);
    // the second range, cut to the run's own --app-id-end
    expect(c!.ids).toEqual([13, 21, 34]);
    // one id more than the page: the pager learns whether this page is the range's last
    expect(queries.at(-1)).toMatchObject({ appIdStart: 9, appIdEnd: 50, limit: 4 });
    p.submitted(c!.ticket);
    p.settled(c!.ticket, false); // did not commit (an outage): the range is never marked done by this run
    expect(await p.next(3)).toBeNull();
    await p.finish('finished');
    expect(calls.completed).toEqual([Number.MIN_SAFE_INTEGER]);
    expect(calls.finished).toEqual(['finished']);
    expect(p.figures).toMatchObject({ claimed: 2, takenOver: 1, completed: 1 });
  });

  it('a range whose last page is exactly a full page is done once that page commits, without asking again', async () => {
    // a run stops asking once it has handed out the apps it counted as pending: its last claim must not
    // stay open (status would show it waiting for a taker)
    const { store, calls } = fakeStore([{ rangeStart: Number.MIN_SAFE_INTEGER, rangeEnd: 8, first: 2, takenFrom: null }]);
    const p = pager(store, fakeSource([]));
    const a = await p.next(2);
    expect(a!.ids).toEqual([2, 3]);
    p.submitted(a!.ticket);
    const b = await p.next(2);
    expect(b!.ids).toEqual([5, 8]);
    p.submitted(b!.ticket);
    p.settled(a!.ticket, true);
    p.settled(b!.ticket, true);
    await p.finish('finished');
    expect(calls.completed).toEqual([Number.MIN_SAFE_INTEGER]);
    expect(p.figures).toMatchObject({ claimed: 1, completed: 1 });
  });

  it('with nothing to claim, waits while other runs hold ranges, then claims what they left', async () => {
    const queries: SourcePageQuery[] = [];
    const claims: Claim[] = [];
    const { store, calls } = fakeStore(claims, { othersOpen: [2, 1] });
    const p = pager(store, fakeSource(queries));
    // the first two looks find other runs' ranges open; then one of them comes free
    const origClaim = store.claim.bind(store);
    let n = 0;
    (store as unknown as { claim: ClaimStore['claim'] }).claim = async (find) => {
      if (++n === 3) claims.push({ rangeStart: 100, rangeEnd: 144, first: 144, takenFrom: 'gone' });
      return origClaim(find);
    };
    const got = await p.next(10);
    expect(got!.ids).toEqual([144]);
    expect(calls.othersAsked).toBe(2);
    p.submitted(got!.ticket);
    p.settled(got!.ticket, true);
    expect(await p.next(10)).toBeNull();
    expect(calls.completed).toEqual([100]);
  });

  it('hands out nothing more of a claim a heartbeat found taken over, and never marks it done', async () => {
    const queries: SourcePageQuery[] = [];
    const { store, calls } = fakeStore([{ rangeStart: 1, rangeEnd: 144, first: 2, takenFrom: null }], { held: () => new Set() });
    const p = pager(store, fakeSource(queries));
    const a = await p.next(2);
    p.submitted(a!.ticket);
    // one renewal, as the timer would do it: the range is no longer this run's
    await (p as unknown as { beat(): Promise<void> }).beat();
    expect(a!.ticket.lost).toBe(true);
    p.settled(a!.ticket, true);
    expect(await p.next(2)).toBeNull();
    expect(calls.completed).toEqual([]);
    expect(p.figures.lost).toBe(1);
  });

  it('stops handing out work once the run stops', async () => {
    let stopped = false;
    const { store } = fakeStore([{ rangeStart: 1, rangeEnd: 144, first: 2, takenFrom: null }]);
    const p = pager(store, fakeSource([]), { stopped: () => stopped });
    expect((await p.next(2))!.ids).toEqual([2, 3]);
    stopped = true;
    expect(await p.next(2)).toBeNull();
  });
});
