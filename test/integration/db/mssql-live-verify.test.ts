/**
 * SQL Server live suite: `xmlmigrate verify` through the built CLI (the shared suite of
 * test/e2e/verify-suite.ts: 750 seeded apps migrated by run, verified clean, then after single
 * changes). Runs only when MSSQL_URL is set; works in a database of its own, dropped afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { modelOfContract, productContract, requireBuild } from '../../faults/fault-harness.js';
import { verifySuite, type VerifyTarget } from '../../e2e/verify-suite.js';
import { createLiveDatabase, mssqlPipelineDb, skipWithoutMssql, type LiveDatabase } from './mssql-live-harness.js';

const SKIP = skipWithoutMssql('verify');
const SCHEMA = 'xmverify';

describe.skipIf(SKIP)(`SQL Server live: verify${SKIP ? ' [SKIPPED: MSSQL_URL is unset]' : ''}`, () => {
  if (SKIP) {
    it('the live suite needs MSSQL_URL', () => undefined);
    return;
  }
  let tmp: string;
  let db: LiveDatabase;
  let target: VerifyTarget;
  beforeAll(async () => {
    requireBuild();
    tmp = mkdtempSync(path.join(tmpdir(), 'xm-live-verify-'));
    db = await createLiveDatabase('verify');
    const contract = productContract(tmp, 'contract.json', SCHEMA);
    const model = await modelOfContract(contract);
    const live = mssqlPipelineDb(db, SCHEMA, model);
    target = { url: db.url, contract, model, exec: (sql) => live.exec(sql), query: (sql) => live.query(sql), t: (name) => live.qualify(name), c: (name) => `[${name}]` };
  });
  afterAll(async () => {
    try {
      await db?.drop();
    } finally {
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    }
  });
  verifySuite(() => target);
});
