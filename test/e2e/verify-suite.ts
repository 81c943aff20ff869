/**
 * `xmlmigrate verify` end to end on one database, through the built CLI: 750 apps seeded by the
 * product's generator (`xmlmigrate seed`) and migrated by `xmlmigrate run` with the example contract;
 * then verify on the untouched target (exit 0), after one changed cell (exit 1, naming app, table,
 * column, expected and found), and after a deleted row, an extra row, an app missing from
 * processing_log, a logged app whose rows were deleted, a failed app with rows, a logged app whose
 * document no longer maps and a log entry with no source document — each reported as what it is, and nothing else. Shared by the SQLite and
 * PostgreSQL file (test/e2e/verify-cli.test.ts) and the SQL Server live file.
 */
import { expect, it } from 'vitest';
import type { SchemaModel } from '../../src/db/schema-types.js';
import type { VerifyReport } from '../../src/verify/verifier.js';
import { inSample } from '../../src/verify/verifier.js';
import { runCliAsync, type CliOutcome } from '../faults/fault-harness.js';

/** The database a suite works in. */
export interface VerifyTarget {
  /** Target URL (without a password: that travels in XMLMIGRATE_TARGET_PASSWORD). */
  readonly url: string;
  /** The example contract, with this database's target_schema. */
  readonly contract: string;
  readonly model: SchemaModel;
  /** Runs one statement. */
  exec(sql: string): Promise<void>;
  /** Runs a query. */
  query(sql: string): Promise<Record<string, unknown>[]>;
  /** The quoted, qualified name of a table. */
  t(table: string): string;
  /** A quoted column name. */
  c(column: string): string;
}

const APPS = 750;
/** A log entry without a source document. */
const ORPHAN = 900_000;

/** Registers the suite's tests; `get` returns the database once beforeAll has made it. */
export function verifySuite(get: () => VerifyTarget): void {
  const verify = (extra: string[] = []): Promise<CliOutcome> => {
    const d = get();
    return runCliAsync(['verify', '--contract', d.contract, '--target', d.url, '--no-progress', '--workers', '2', ...extra]);
  };
  const json = (r: CliOutcome): VerifyReport => JSON.parse(r.stdout) as VerifyReport;
  const expectCode = (r: CliOutcome, code: number): void => expect(r.code, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(code);

  it('seed 750 apps with the product generator and migrate them with run', async () => {
    const d = get();
    const seed = await runCliAsync(['seed', '--count', String(APPS), '--seed', '11', '--contract', d.contract, '--target', d.url, '--apply-schema', '--no-progress']);
    expectCode(seed, 0);
    const run = await runCliAsync(['run', '--contract', d.contract, '--target', d.url, '--no-progress', '--workers', '2']);
    expectCode(run, 0);
    expect(run.stdout).toMatch(new RegExp(`— ${APPS} ok, 0 failed`));
  });

  it('verify passes on the untouched target (exit 0) and says how fast it was', async () => {
    const r = await verify();
    expectCode(r, 0);
    expect(r.stdout).toMatch(new RegExp(`^verify: all ${APPS} apps match what the contract maps`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^apps: ${APPS} checked · ${APPS} match$`, 'm'));
    expect(r.stdout).toMatch(/^speed: 750 apps in \d+\.\d\d s — \d+ apps\/s/m);
    expect(r.stderr).toBe('');
  });

  let cell: { appId: number; conId: string; first: string };
  it('one changed cell: exit 1, naming the app, table, key, column, expected and found', async () => {
    const d = get();
    const rows = await d.query(`SELECT app_id, con_id, first_name FROM ${d.t('app_contact_base')} WHERE app_id = 17 ORDER BY con_id`);
    expect(rows.length).toBeGreaterThan(0);
    cell = { appId: 17, conId: String(rows[0]!['con_id']), first: String(rows[0]!['first_name']) };
    await d.exec(`UPDATE ${d.t('app_contact_base')} SET first_name = 'VERIFYTEST' WHERE app_id = 17 AND con_id = ${cell.conId}`);
    const r = await verify();
    expectCode(r, 1);
    expect(r.stdout).toMatch(new RegExp(`^verify: 1 of ${APPS} apps does not match`, 'm'));
    expect(r.stdout).toContain(`  app 17: rows differ (1 difference)\n    app_contact_base [con_id=${cell.conId}] first_name: expected ${JSON.stringify(cell.first)}, found "VERIFYTEST"\n`);
    expect(r.stdout).toMatch(new RegExp(`^apps: ${APPS} checked · ${APPS - 1} match · 1 with differing rows$`, 'm'));
    const j = json(await verify(['--json']));
    expect(j.findings).toEqual([{
      appId: 17, kind: 'differs', log: 'success', detail: null, moreDiffs: 0,
      diffs: [{ table: 'app_contact_base', kind: 'value', key: `con_id=${cell.conId}`, column: 'first_name', expected: cell.first, found: 'VERIFYTEST' }],
    }]);
  });

  /** Tampered app ids by the kind verify must report. */
  const tampered: Record<string, number> = {};
  it('a deleted row, an extra row, an unlogged app, a logged app without rows, a failed app with rows, a broken document, a log entry without source', async () => {
    const d = get();
    const addr = (await d.query(`SELECT app_id, con_id, address_type_enum FROM ${d.t('app_contact_address')} WHERE app_id >= 100 AND app_id < 200 ORDER BY app_id, con_id, address_type_enum`))[0];
    expect(addr).toBeDefined();
    tampered['deleted-row'] = Number(addr!['app_id']);
    await d.exec(`DELETE FROM ${d.t('app_contact_address')} WHERE app_id = ${String(addr!['app_id'])} AND con_id = ${String(addr!['con_id'])} AND address_type_enum = ${String(addr!['address_type_enum'])}`);
    tampered['extra-row'] = 250;
    await d.exec(`INSERT INTO ${d.t('scores')} (app_id, score_identifier, score) VALUES (250, 'verify_extra', 7)`);
    tampered['not-logged'] = 310;
    await d.exec(`DELETE FROM ${d.t('processing_log')} WHERE app_id = 310`);
    tampered['rows-missing'] = 320;
    // children first: every table's foreign key points at app_base
    for (const t of [...d.model.tables].reverse()) await d.exec(`DELETE FROM ${d.t(t.name)} WHERE app_id = 320`);
    tampered['failed-has-rows'] = 330;
    await d.exec(`UPDATE ${d.t('processing_log')} SET status = 'failed', stage = 'insert' WHERE app_id = 330`);
    await d.exec(`INSERT INTO ${d.t('processing_log')} (app_id, status, attempts) VALUES (${ORPHAN}, 'success', 1)`);
    tampered['maps-to-failure'] = 340;
    await d.exec(`UPDATE ${d.t(d.model.source.name)} SET ${d.c(d.model.sourceColumn)} = '<Provenir><Request' WHERE app_id = 340`);

    const r = await verify(['--json']);
    expectCode(r, 1);
    const j = json(r);
    expect(j.findings.map((f) => [f.appId, f.kind])).toEqual([
      [17, 'differs'], [tampered['deleted-row'], 'differs'], [250, 'differs'], [310, 'not-logged'], [320, 'rows-missing'], [330, 'failed-has-rows'], [340, 'maps-to-failure'], [ORPHAN, 'not-in-source'],
    ]);
    const byApp = new Map(j.findings.map((f) => [f.appId, f]));
    const del = byApp.get(tampered['deleted-row']!)!;
    expect(del.diffs).toHaveLength(1);
    expect(del.diffs[0]).toMatchObject({ table: 'app_contact_address', kind: 'missing-row', key: `con_id=${String(addr!['con_id'])}, address_type_enum=${String(addr!['address_type_enum'])}` });
    expect(byApp.get(250)!.diffs).toEqual([{ table: 'scores', kind: 'extra-row', key: 'score_identifier=verify_extra', row: { app_id: '250', score_identifier: 'verify_extra', score: '7' } }]);
    expect(byApp.get(310)).toMatchObject({ log: null, detail: expect.stringMatching(/^no processing_log row, yet \d+ rows in the target$/) as unknown });
    expect(byApp.get(320)).toMatchObject({ log: 'success', detail: expect.stringMatching(/^logged success, but none of its \d+ rows are in the target$/) as unknown });
    expect(byApp.get(330)).toMatchObject({ log: 'failed', detail: expect.stringMatching(/^logged failed, yet it has rows: app_base 1, /) as unknown });
    expect(byApp.get(340)).toMatchObject({ log: 'success', detail: expect.stringMatching(/^logged success, but its document now fails: (validation|parsing): /) as unknown });
    expect(byApp.get(ORPHAN)).toMatchObject({ log: 'success', detail: 'no source document; logged success, no rows in the target' });
    expect(j.totals).toMatchObject({ apps: APPS, ok: APPS - 7, notInSource: 1 });
    expect(j.totals.byKind).toEqual({ differs: 3, 'rows-missing': 1, 'not-logged': 1, 'maps-to-failure': 1, 'failed-has-rows': 1, 'not-in-source': 1 });
    expect(j.exitCode).toBe(1);
    expect(j.appsPerSecond).toBeGreaterThan(0);

    // the text report, capped: two apps listed, the rest counted
    const text = await verify(['--max-report', '2']);
    expectCode(text, 1);
    expect(text.stdout).toContain('  … and 6 more apps not listed (--max-report 2;');
    expect(text.stdout).toMatch(new RegExp(`^apps: ${APPS} checked · ${APPS - 7} match · 3 with differing rows · 1 logged success without rows · 1 not logged · 1 whose document no longer maps · 1 logged failed with rows · 1 not in the source$`, 'm'));
  });

  it('--app-id-start/--app-id-end/--limit verify that part only', async () => {
    const r = await verify(['--app-id-start', '100', '--app-id-end', '299', '--limit', '160', '--json']);
    expectCode(r, 1);
    const j = json(r);
    expect(j.totals.apps).toBe(160);
    expect(j.findings.map((f) => f.appId)).toEqual([tampered['deleted-row'], 250].filter((id) => id! < 260));
  });

  it('--sample checks the apps the seed picks (the same ones every time), reporting only theirs', async () => {
    const picked = Array.from({ length: APPS }, (_, i) => i + 1).filter((id) => inSample(id, 20, 7));
    const a = json(await verify(['--sample', '20%', '--seed', '7', '--json']));
    expect(a.totals.apps).toBe(picked.length);
    expect(a.selection.sample).toEqual({ percent: 20, seed: 7, scanned: APPS });
    const bad = [17, tampered['deleted-row']!, 250, 310, 320, 330, 340].filter((id) => picked.includes(id));
    expect(a.findings.map((f) => f.appId)).toEqual(bad);
    expect(a.exitCode).toBe(bad.length > 0 ? 1 : 0);
    const b = json(await verify(['--sample', '20', '--seed', '7', '--json', '--workers', '1']));
    expect(b.totals).toEqual({ ...a.totals, times: b.totals.times });
  });
}
