/**
 * Identifiers that pass the safe-identifier pattern but cannot work on a database (issue 9, item 8):
 * case-only clashes (`SCORES` beside `scores`, a table `PROCESSING_LOG` beside the product's
 * processing_log, `APP_XML` beside the source table) and names longer than PostgreSQL keeps (63
 * bytes: two long column names would become one). `contract check` (no target) names every dialect
 * a name breaks, with the JSON path and rule; `run` refuses with exit 2 when its target's dialect is
 * broken, before anything is written.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSchemaModel } from '../../src/db/schema-model.js';
import { loadContractFile } from '../../src/mapping/contract-loader.js';
import type { MappingContract } from '../../src/mapping/contract-types.js';
import {
  PG_URL, failedTestNames, loadSourceDocs, modelOfContract, productContract, recordResult, requireBuild, runCliAsync, syntheticDocs,
} from './fault-harness.js';

type Mapping = { target_table: string; target_column?: string };

/** Adds a copy of the product's `app_contact_address.city` mapping to `table`.`column` (and the table to the order). */
function addMapping(c: MappingContract, table: string, column: string): void {
  const maps = c.mappings as unknown as Mapping[];
  const city = maps.find((m) => m.target_table === 'app_contact_address' && m.target_column === 'city');
  if (!city) throw new Error('the product contract has no app_contact_address.city mapping');
  maps.push({ ...city, target_table: table, target_column: column });
  const order = (c as unknown as { table_insertion_order: string[] }).table_insertion_order;
  if (!order.includes(table)) order.splice(order.indexOf('processing_log'), 0, table);
}

const LONG_A = 'amount_reported_by_the_bureau_for_this_tradeline_in_the_first_period';
const LONG_B = 'amount_reported_by_the_bureau_for_this_tradeline_in_the_second_period';

describe('identifiers that pass the pattern but break a dialect', () => {
  let tmp: string;
  let caseClash: string;
  let longNames: string;
  let refusals = 0;

  beforeAll(() => {
    requireBuild();
    tmp = mkdtempSync(path.join(tmpdir(), 'xm-faults-ident-'));
    caseClash = productContract(tmp, 'case-clash.json', 'dbo', (c) => {
      addMapping(c, 'SCORES', 'city');
      addMapping(c, 'PROCESSING_LOG', 'city');
      addMapping(c, 'APP_XML', 'city');
      return c;
    });
    longNames = productContract(tmp, 'long-names.json', 'dbo', (c) => {
      addMapping(c, 'app_contact_address', LONG_A);
      addMapping(c, 'app_contact_address', LONG_B);
      return c;
    });
  });
  afterAll(({}, suite) => {
    const failed = failedTestNames(suite);
    recordResult({
      scenario: 'identifiers breaking a dialect (CLI)', dialect: 'sqlite+postgres', seeds: [], faults: refusals + failed.length, apps: 0, lost: 0, duplicated: 0,
      note: `${refusals} contracts refused as specified (path, rule and dialect named; nothing written)`,
      ...(failed.length > 0 ? { failed: failed.join('; ') } : {}),
    });
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('contract check names each case clash with its JSON path, rule and the dialects it breaks (exit 2)', async () => {
    const out = await runCliAsync(['contract', 'check', caseClash]);
    expect(out.code, out.stdout + out.stderr).toBe(2);
    const errors = out.stdout.split('\n').filter((l) => l.startsWith('error ') && l.includes('[identifier-clash]'));
    expect(errors).toEqual([
      expect.stringMatching(/^error {3}table_insertion_order\[\d+\]: table "SCORES" and "scores" \(table_insertion_order\[\d+\]\) differ only in case: SQL Server and SQLite take them for the same table \(rename one\) {2}\[identifier-clash\]$/),
      expect.stringMatching(/^error {3}table_insertion_order\[\d+\]: table "PROCESSING_LOG" and "processing_log" \(the product's processing_log table\) differ only in case: SQL Server and SQLite .*\[identifier-clash\]$/),
      expect.stringMatching(/^error {3}table_insertion_order\[\d+\]: table "APP_XML" and "app_xml" \(source_table\) differ only in case: SQL Server and SQLite .*\[identifier-clash\]$/),
    ]);
    expect(out.stdout).toMatch(/case-clash\.json: INVALID — \d+ error\(s\)/);
    refusals++;
  });

  it('contract check names each too-long column for PostgreSQL (exit 2)', async () => {
    const out = await runCliAsync(['contract', 'check', longNames]);
    expect(out.code, out.stdout + out.stderr).toBe(2);
    const errors = out.stdout.split('\n').filter((l) => l.includes('[identifier-too-long]'));
    expect(errors).toEqual([LONG_A, LONG_B].map((n) => expect.stringMatching(new RegExp(
      `^error {3}mappings\\[\\d+\\]\\.target_column: "${n}" is too long for PostgreSQL: ${n.length} bytes; PostgreSQL keeps only the first 63 .*\\[identifier-too-long\\]$`))));
    refusals++;
  });

  it('run on SQLite refuses the case clash before writing anything (exit 2)', async () => {
    const file = path.join(tmp, 'case.db');
    await loadSourceDocs(`sqlite:${file}`, await modelOfContract(productContract(tmp, 'plain.json', 'dbo')), syntheticDocs(5, 4242));
    const tablesBefore = tableList(file);
    const out = await runCliAsync(['run', '--contract', caseClash, '--target', `sqlite:${file}`, '--no-progress']);
    expect(out.code, out.stderr).toBe(2);
    expect(out.stderr).toMatch(/^xmlmigrate: invalid mapping contract \S+case-clash\.json: \d+ errors?\n/);
    expect(out.stderr).toContain('table "SCORES" and "scores"');
    expect(out.stderr).toContain('SQL Server and SQLite take them for the same table');
    expect(tableList(file)).toEqual(tablesBefore);
    expect(logCount(file)).toBe(0);
    refusals++;
  });

  it('run on PostgreSQL refuses the long column names before connecting or creating anything (exit 2)', async () => {
    const url = PG_URL; // a schema of its own on the machine's test database, dropped below
    const schema = `xmf_ident_${process.pid}_${Math.floor(Math.random() * 1e6)}`;
    const contract = productContract(tmp, 'long-names-pg.json', schema, (c) => {
      addMapping(c, 'app_contact_address', LONG_A);
      addMapping(c, 'app_contact_address', LONG_B);
      return c;
    });
    const out = await runCliAsync(['run', '--contract', contract, '--target', url, '--no-progress']);
    expect(out.code, out.stderr).toBe(2);
    expect(out.stderr).toContain(`"${LONG_A}" is too long for PostgreSQL`);
    expect(out.stderr).toContain(`"${LONG_B}" is too long for PostgreSQL`);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const r = await client.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [schema]);
      expect(r.rowCount, 'no schema was created').toBe(0);
    } finally {
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
      await client.end();
    }
    refusals++;
  });

  it('the same long names only warn on SQLite (it keeps them whole): schema --apply and run work there', async () => {
    const file = path.join(tmp, 'long.db');
    const applied = await runCliAsync(['schema', '--contract', longNames, '--target', `sqlite:${file}`, '--apply']);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    const model = buildSchemaModel((await loadContractFile(longNames, { dialects: ['sqlite'] })).contract);
    await loadSourceDocs(`sqlite:${file}`, model, syntheticDocs(5, 4343));
    const out = await runCliAsync(['run', '--contract', longNames, '--target', `sqlite:${file}`, '--no-progress', '--workers', '1']);
    expect(out.code, out.stderr).toBe(0);
    const d = new Database(file, { readonly: true });
    try {
      const cols = (d.prepare('SELECT name FROM pragma_table_info(\'app_contact_address\')').all() as { name: string }[]).map((r) => r.name);
      expect(cols).toEqual(expect.arrayContaining([LONG_A, LONG_B]));
    } finally {
      d.close();
    }
  });
});

function tableList(file: string): string[] {
  const d = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (d.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
  } finally {
    d.close();
  }
}

function logCount(file: string): number {
  const d = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (d.prepare('SELECT COUNT(*) AS n FROM "processing_log"').get() as { n: number }).n;
  } finally {
    d.close();
  }
}
