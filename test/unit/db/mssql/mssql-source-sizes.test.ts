/** SQL Server readSourceSizes (fake driver): DATALENGTH of the source column, ids as typed parameters. */
import { describe, expect, it } from 'vitest';
import { MssqlSession } from '../../../../src/db/mssql/mssql-dialect.js';
import { smallModel } from '../helpers.js';
import { FakeMssql } from './fake-mssql.js';

describe('MssqlSession.readSourceSizes (fake driver)', () => {
  it('asks DATALENGTH of the source column for the ids, never the documents themselves', async () => {
    const fake = new FakeMssql();
    fake.results = [{ match: /DATALENGTH\(/, rows: [{ app_id: 7, xml: 120 }, { app_id: 9, xml: null }] }];
    const s = new MssqlSession(fake.pool, fake.types, smallModel);
    expect(await s.readSourceSizes([9, 7, 7])).toEqual([{ appId: 7, bytes: 120 }, { appId: 9, bytes: 0 }]);
    const text = fake.calls.find((c) => c.includes('DATALENGTH')) ?? '';
    expect(text).toContain(`DATALENGTH([${smallModel.sourceColumn}]) AS xml`);
    expect(text).toContain('IN (@p0, @p1)');
    expect(fake.inputs.map((i) => i.value)).toEqual([9, 7]);
    expect(await s.readSourceSizes([])).toEqual([]);
  });
});
