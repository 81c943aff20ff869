/** MssqlSession.replaceSource (`import --replace`) through the fake driver: one transaction, the document as nvarchar(max). */
import { describe, expect, it } from 'vitest';
import { MssqlSession } from '../../../../src/db/mssql/mssql-dialect.js';
import { smallModel } from '../helpers.js';
import { FakeMssql } from './fake-mssql.js';

describe('MssqlSession.replaceSource (fake driver)', () => {
  it('updates unless migrated, deletes the failed row, in one transaction; the document is nvarchar(max)', async () => {
    const fake = new FakeMssql();
    fake.results = [
      { match: /^UPDATE \[xm_small\]\.\[app_xml\] SET .* AND NOT EXISTS \(SELECT 1 FROM \[xm_small\]\.\[processing_log\] pl WHERE pl\.\[app_id\] = @p2 AND pl\.\[status\] = @p3\)$/, rows: [], rowsAffected: [1] },
      { match: /^DELETE FROM \[xm_small\]\.\[processing_log\] WHERE \[app_id\] = @p0 AND \[status\] = @p1$/, rows: [], rowsAffected: [1] },
    ];
    const s = new MssqlSession(fake.pool, fake.types, smallModel);
    const big = 'x'.repeat(10_000);
    expect(await s.replaceSource([{ appId: 7, xml: big }])).toEqual({ replaced: [7], failedCleared: [7] });
    expect(fake.calls[0]).toBe('begin');
    expect(fake.calls.at(-1)).toBe('commit');
    expect(fake.inputs.slice(0, 4)).toEqual([
      { name: 'p0', type: { name: 'NVarChar', length: 'max' }, value: big },
      { name: 'p1', type: { name: 'BigInt' }, value: 7 },
      { name: 'p2', type: { name: 'BigInt' }, value: 7 },
      { name: 'p3', type: { name: 'NVarChar', length: 4000 }, value: 'success' },
    ]);
  });

  it('a migrated app (no row updated) is not replaced and its log row is not touched', async () => {
    const fake = new FakeMssql();
    fake.results = [{ match: /^UPDATE /, rows: [], rowsAffected: [0] }];
    const s = new MssqlSession(fake.pool, fake.types, smallModel);
    expect(await s.replaceSource([{ appId: 7, xml: '<a/>' }])).toEqual({ replaced: [], failedCleared: [] });
    expect(fake.calls.some((c) => c.includes('UPDATE'))).toBe(true);
    expect(fake.calls.some((c) => c.includes('DELETE'))).toBe(false);
  });
});
