/** Reads planned by bytes: planByBytes (src/db/read-plan.ts), readAhead's byte limit and release, the --read-budget-mb setting. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliError } from '../../../src/cli/cli-error.js';
import { resolveRunConfig } from '../../../src/cli/config.js';
import { planByBytes } from '../../../src/db/read-plan.js';
import { readAhead } from '../../../src/worker/read-ahead.js';

const MB = 1024 * 1024;

describe('planByBytes', () => {
  it('cuts at the budget and at the document count, keeping the order', () => {
    const sizes = new Map([[1, 10], [2, 10], [3, 10], [4, 25], [5, 1], [6, 1], [7, 1]]);
    expect(planByBytes([1, 2, 3, 4, 5, 6, 7], sizes, 30)).toEqual([
      { ids: [1, 2, 3], bytes: 30 }, { ids: [4, 5, 6, 7], bytes: 28 },
    ]);
    expect(planByBytes([1, 2, 3, 4, 5, 6, 7], sizes, 30, 2).map((p) => p.ids)).toEqual([[1, 2], [3], [4, 5], [6, 7]]);
  });

  it('a document bigger than the budget is read alone; unknown ids count 0 bytes', () => {
    const sizes = new Map([[1, 5], [2, 60 * MB], [3, 5], [4, 61 * MB]]);
    expect(planByBytes([1, 2, 3, 4, 99], sizes, 32 * MB)).toEqual([
      { ids: [1], bytes: 5 }, { ids: [2], bytes: 60 * MB }, { ids: [3], bytes: 5 }, { ids: [4], bytes: 61 * MB }, { ids: [99], bytes: 0 },
    ]);
    expect(planByBytes([], sizes, 1)).toEqual([]);
  });
});

describe('readAhead with a byte limit', () => {
  /** Records the reads in flight (started, not yet consumed) and the most held at once. */
  function tracker(weight: (c: number) => number) {
    const held = new Set<number>();
    let peak = 0;
    const started: number[] = [];
    const read = async (c: number): Promise<number[]> => {
      started.push(c);
      held.add(c);
      peak = Math.max(peak, [...held].reduce((n, x) => n + weight(x), 0));
      await new Promise((r) => setImmediate(r));
      return [c];
    };
    return { held, started, read, peak: () => peak };
  }

  it('never holds two chunks beyond the limit; one over the limit is held alone', async () => {
    const size: Record<number, number> = { 1: 10, 2: 10, 3: 70, 4: 10, 5: 50, 6: 50 };
    const w = (c: number) => size[c]!;
    const t = tracker(w);
    const order: number[] = [];
    for await (const v of readAhead([1, 2, 3, 4, 5, 6], t.read, { weight: w, limit: 64, release: (x) => { t.held.delete(x[0]!); } })) {
      // while chunk v is worked on, the chunk read ahead (if any) and v fit the limit together
      expect([...t.held].reduce((n, x) => n + w(x), 0)).toBeLessThanOrEqual(Math.max(64, w(v[0]!)));
      order.push(v[0]!);
    }
    expect(order).toEqual([1, 2, 3, 4, 5, 6]);
    expect(t.peak()).toBe(70); // the 70-byte chunk alone; 10 + 10 and 10 + 50 together
  });

  it('reads ahead when the two fit, waits otherwise', async () => {
    const w = (c: number) => (c === 2 ? 100 : 1);
    const t = tracker(w);
    const it = readAhead([1, 2, 3], t.read, { weight: w, limit: 64 });
    await it.next();
    expect(t.started).toEqual([1]); // 1 + 100 > 64: chunk 2 waits for the consumer
    await it.next();
    expect(t.started).toEqual([1, 2]); // 100 + 1 > 64: chunk 3 waits too
    await it.next();
    expect(t.started).toEqual([1, 2, 3]);
    expect((await it.next()).done).toBe(true);
  });

  it('releases a chunk when the next one is asked for, before its read is awaited', async () => {
    const released: number[][] = [];
    const chunks: number[][] = [];
    for await (const v of readAhead([1, 2, 3], async (c) => [c, c], { release: (x) => { released.push([...x]); x.length = 0; } })) {
      chunks.push(v);
      expect(released.length).toBe(chunks.length - 1);
    }
    expect(released).toEqual([[1, 1], [2, 2], [3, 3]]);
    expect(chunks.every((c) => c.length === 0)).toBe(true); // the consumer's references were emptied
  });
});

describe('the read budget setting', () => {
  const msg = (f: () => unknown): string => {
    try { f(); } catch (e) { expect(e).toBeInstanceOf(CliError); return (e as CliError).message; }
    throw new Error('expected a CliError');
  };

  it('defaults to 32 MB; flag over environment over config file', () => {
    expect(resolveRunConfig({ contract: 'c' }, {}).readBudgetMb).toBe(32);
    const dir = mkdtempSync(path.join(tmpdir(), 'xmbudget-'));
    const file = path.join(dir, 'cfg.json');
    writeFileSync(file, JSON.stringify({ contract: 'c', readBudgetMb: 8 }));
    expect(resolveRunConfig({ config: file }, {}).readBudgetMb).toBe(8);
    expect(resolveRunConfig({ config: file }, { XMLMIGRATE_READ_BUDGET_MB: '16' }).readBudgetMb).toBe(16);
    expect(resolveRunConfig({ config: file, readBudgetMb: '4096' }, { XMLMIGRATE_READ_BUDGET_MB: '16' }).readBudgetMb).toBe(4096);
  });

  it('accepts 1..4096 and names the flag (or the variable) otherwise', () => {
    expect(resolveRunConfig({ contract: 'c', readBudgetMb: '1' }, {}).readBudgetMb).toBe(1);
    for (const bad of ['0', '4097', '1.5', 'lots', '-3']) {
      expect(msg(() => resolveRunConfig({ contract: 'c', readBudgetMb: bad }, {}))).toBe(`--read-budget-mb: must be an integer 1..4096 (got "${bad}")`);
    }
    expect(msg(() => resolveRunConfig({ contract: 'c' }, { XMLMIGRATE_READ_BUDGET_MB: '0' }))).toBe('XMLMIGRATE_READ_BUDGET_MB: must be an integer 1..4096 (got "0")');
  });
});
