/**
 * The claim protocol's SQL (src/db/claims-sql.ts) per dialect, and the run settings behind it: each
 * dialect's own locking and time arithmetic, identifiers quoted from the model, every value a
 * parameter; `--lease-seconds`, `--claim-size`, `--no-claims` validated like every setting; the
 * scope that decides which runs share claims.
 */
import { describe, expect, it } from 'vitest';
import { CliError } from '../../../src/cli/cli-error.js';
import { resolveRunConfig } from '../../../src/cli/config.js';
import { ClaimSql } from '../../../src/db/claims-sql.js';
import { MSSQL_STYLE } from '../../../src/db/mssql/mssql-plan.js';
import { POSTGRES_STYLE } from '../../../src/db/postgres/postgres-plan.js';
import { SQLITE_STYLE } from '../../../src/db/sqlite/sqlite-plan.js';
import { claimScope } from '../../../src/processor/production-processor.js';
import { smallModel } from './helpers.js';

const sql = {
  postgres: new ClaimSql(POSTGRES_STYLE, smallModel),
  mssql: new ClaimSql(MSSQL_STYLE, smallModel),
  sqlite: new ClaimSql(SQLITE_STYLE, smallModel),
};

describe('claim SQL', () => {
  it('PostgreSQL takes an orphaned claim with FOR UPDATE SKIP LOCKED and inserts new ones with ON CONFLICT DO NOTHING', () => {
    const o = sql.postgres.orphan("it's");
    expect(o.text).toMatch(/FROM "xm_small"\."xmlmigrate_claims" c WHERE c\."scope" = \$1 /);
    expect(o.text).toMatch(/ORDER BY c\."range_start" LIMIT 1 FOR UPDATE OF c SKIP LOCKED$/);
    expect(o.params).toEqual(["it's"]);
    expect(o.text).not.toContain("it's");
    const ins = sql.postgres.insert({ scope: 'all', rangeStart: 1, rangeEnd: 9, first: 1, apps: 5, runId: 'r' });
    expect(ins.text).toMatch(/ON CONFLICT \("scope", "range_start"\) DO NOTHING$/);
    expect(ins.params).toEqual(['all', 1, 9, 1, 5, 'r']);
    // leases by the server's clock
    expect(sql.postgres.liveRuns('all').text).toContain('EXTRACT(EPOCH FROM (clock_timestamp() - r."heartbeat_at")) <= r."lease_seconds"');
  });

  it('SQL Server: TOP (1), no table hints, no ON CONFLICT, @p parameters, SYSUTCDATETIME', () => {
    const o = sql.mssql.orphan('all');
    expect(o.text).toMatch(/^SELECT TOP \(1\) c\.\[range_start\]/);
    expect(o.text).not.toMatch(/READPAST|UPDLOCK|SKIP LOCKED|WITH \(/);
    expect(o.text).toContain('[xm_small].[xmlmigrate_claims] c WHERE c.[scope] = @p0');
    expect(sql.mssql.insert({ scope: 'all', rangeStart: 1, rangeEnd: 9, first: 1, apps: 5, runId: 'r' }).text).not.toContain('ON CONFLICT');
    expect(sql.mssql.heartbeat('r', 3).text).toContain('[heartbeat_at] = SYSUTCDATETIME()');
    expect(sql.mssql.liveRuns('all').text).toContain('DATEDIFF_BIG(millisecond, r.[heartbeat_at], SYSUTCDATETIME())');
  });

  it('SQLite: LIMIT 1, no schema, julianday ages', () => {
    const o = sql.sqlite.orphan('all');
    expect(o.text).toContain('FROM "xmlmigrate_claims" c');
    expect(o.text).toMatch(/LIMIT 1$/);
    expect(sql.sqlite.liveRuns('all').text).toContain(`((julianday('now') - julianday(r."heartbeat_at")) * 86400.0)`);
  });

  it('marks reads, so SQLite knows which statements return rows', () => {
    const s = sql.sqlite;
    expect([s.orphan('a'), s.frontier('a'), s.held('r'), s.othersOpen('r', 'a'), s.liveRuns('a'), s.statusRuns()].every((x) => x.reads)).toBe(true);
    expect([s.takeOver('r', 'a', 1), s.complete('r', 'a', 1), s.release('r'), s.heartbeat('r', 1), s.finish('r', 'stopped', 1), s.clearClaims('a')].some((x) => x.reads)).toBe(false);
  });
});

describe('claim settings', () => {
  const msg = (f: () => unknown): string => {
    try { f(); } catch (e) { expect(e).toBeInstanceOf(CliError); return (e as CliError).message; }
    throw new Error('expected a CliError');
  };

  it('defaults: claims on, a 30 s lease, 10 batches per claim', () => {
    expect(resolveRunConfig({ contract: 'c.json' }, {})).toMatchObject({ claims: true, leaseSeconds: 30, claimSize: null });
  });

  it('flag, variable and config key, validated with the setting named', () => {
    expect(resolveRunConfig({ contract: 'c.json', claims: false, leaseSeconds: '5', claimSize: '250' }, {})).toMatchObject({ claims: false, leaseSeconds: 5, claimSize: 250 });
    expect(resolveRunConfig({ contract: 'c.json' }, { XMLMIGRATE_CLAIMS: 'off', XMLMIGRATE_LEASE_SECONDS: '90' })).toMatchObject({ claims: false, leaseSeconds: 90 });
    expect(msg(() => resolveRunConfig({ contract: 'c.json', leaseSeconds: '1' }, {}))).toBe('--lease-seconds: must be an integer 2..86400 (got "1")');
    expect(msg(() => resolveRunConfig({ contract: 'c.json' }, { XMLMIGRATE_CLAIM_SIZE: '0' }))).toBe('XMLMIGRATE_CLAIM_SIZE: must be an integer 1..10000000 (got "0")');
    expect(msg(() => resolveRunConfig({ contract: 'c.json' }, { XMLMIGRATE_CLAIMS: 'maybe' }))).toBe('XMLMIGRATE_CLAIMS: expected true or false (got "maybe")');
  });

  it('runs share claims only with runs of the same selection', () => {
    expect(claimScope({})).toBe('all');
    expect(claimScope({ excludeLogged: true })).toBe('all');
    expect(claimScope({ appIdStart: 10, appIdEnd: 20 })).toBe('ids 10..20');
    expect(claimScope({ appIdStart: 10 })).toBe('ids 10..');
    expect(claimScope({ shard: { index: 1, count: 4 } })).toBe('shard 1/4');
    expect(claimScope({ appIdEnd: 5, shard: { index: 0, count: 2 } })).toBe('ids ..5 shard 0/2');
  });
});
