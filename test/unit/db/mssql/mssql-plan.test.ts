import { describe, expect, it } from 'vitest';
import { prepareTable } from '../../../../src/db/batch-prep.js';
import {
  BULK_OPTIONS, mssqlColumnsSql, mssqlInsertSourceStatements, planMssqlTable, stageName, typedStatement, type MssqlLiveInfo,
} from '../../../../src/db/mssql/mssql-plan.js';
import { DateTime, Decimal } from '../../../../src/mapping/values.js';
import { smallModel, tableOf } from '../helpers.js';

const base = (appId: number, amount = '12.50'): Record<string, unknown> => ({
  app_id: appId, receive_date: new DateTime(2024, 1, 2, 3, 4, 5, 600007), product_line_enum: 600, requested_amount: new Decimal(amount),
});

describe('planMssqlTable', () => {
  it('bulk-loads used columns with exact mssql types, rows in column order, CHECK_CONSTRAINTS and no KEEP_NULLS', () => {
    const pt = prepareTable(tableOf('app_base'), [base(1), base(2)] as never);
    const plan = planMssqlTable(pt);
    expect(plan.rowCount).toBe(2);
    expect(plan.steps).toHaveLength(1);
    const step = plan.steps[0];
    if (step?.kind !== 'bulk') throw new Error('expected bulk');
    expect(step.load.path).toBe('[xm_small].[app_base]');
    expect(step.load.options).toEqual({ checkConstraints: true, keepNulls: false });
    expect(step.load.columns).toEqual([
      { name: 'app_id', type: { name: 'BigInt' }, nullable: false },
      { name: 'receive_date', type: { name: 'DateTime2', scale: 6 }, nullable: false },
      { name: 'product_line_enum', type: { name: 'SmallInt' }, nullable: false },
      { name: 'requested_amount', type: { name: 'Decimal', precision: 18, scale: 2 }, nullable: true },
    ]);
    const [first] = step.load.rows;
    expect(first?.[0]).toBe(1n);
    expect((first?.[1] as Date & { nanosecondDelta: number }).toISOString()).toBe('2024-01-02T03:04:05.600Z');
    expect((first?.[1] as Date & { nanosecondDelta: number }).nanosecondDelta).toBeCloseTo(0.000007, 12);
    expect(first?.slice(2)).toEqual([600, 12.5]);
  });

  it('types columns from the live catalog when known (e.g. a legacy varchar / decimal(12,2))', () => {
    const live: MssqlLiveInfo = {
      types: new Map([['app_detail', new Map([['campaign_num', { name: 'VarChar', length: 6 }], ['intro_apr', { name: 'Decimal', precision: 8, scale: 5 }]])]]),
      identity: new Map(),
    };
    const pt = prepareTable(tableOf('app_detail'), [{ app_id: 1, campaign_num: 'ABC', intro_apr: new Decimal('0.12345'), signature_flag: 1 }]);
    const step = planMssqlTable(pt, live).steps[0];
    if (step?.kind !== 'bulk') throw new Error('expected bulk');
    expect(step.load.columns.map((c) => [c.name, c.type])).toEqual([
      ['app_id', { name: 'BigInt' }], ['intro_apr', { name: 'Decimal', precision: 8, scale: 5 }], ['signature_flag', { name: 'Bit' }], ['campaign_num', { name: 'VarChar', length: 6 }],
    ]);
    expect(step.load.rows[0]).toEqual([1n, 0.12345, true, 'ABC']);
  });

  it('fails a value that does not fit the live column with the app named', () => {
    const live: MssqlLiveInfo = { types: new Map([['app_base', new Map([['requested_amount', { name: 'Decimal', precision: 12, scale: 2 }]])]]), identity: new Map() };
    const pt = prepareTable(tableOf('app_base'), [base(9, '12345678901234.56')] as never);
    expect(() => planMssqlTable(pt, live)).toThrow('app_base.requested_amount (app_id 9): 12345678901234.56 is out of range for decimal(12,2)');
  });

  it('routes rows with decimals tedious cannot send exactly through a CAST insert', () => {
    const pt = prepareTable(tableOf('app_base'), [base(1), base(2, '9999999999999999.99')] as never);
    const plan = planMssqlTable(pt);
    expect(plan.steps.map((s) => s.kind)).toEqual(['bulk', 'sql']);
    const bulk = plan.steps[0];
    const sql = plan.steps[1];
    if (bulk?.kind !== 'bulk' || sql?.kind !== 'sql') throw new Error('shape');
    expect(bulk.load.rows).toHaveLength(1);
    expect(sql.statement.text).toBe('INSERT INTO [xm_small].[app_base] ([app_id], [receive_date], [product_line_enum], [requested_amount]) VALUES (@p0, @p1, @p2, CAST(@p3 AS decimal(18,2)))');
    expect(sql.statement.params.map((p) => [p.name, p.type])).toEqual([
      ['p0', { name: 'BigInt' }], ['p1', { name: 'DateTime2', scale: 6 }], ['p2', { name: 'SmallInt' }], ['p3', { name: 'VarChar', length: 50 }],
    ]);
    expect(sql.statement.params[3]?.value).toBe('9999999999999999.99');
  });

  it('writes NULL cells of the CAST path as DEFAULT', () => {
    const pt = prepareTable(tableOf('app_base'), [{ ...base(1, '9999999999999999.99'), decision_date: new DateTime(2020, 1, 1) }, base(2, '9999999999999999.98')] as never);
    const sql = planMssqlTable(pt).steps[0];
    if (sql?.kind !== 'sql') throw new Error('shape');
    expect(sql.statement.text).toMatch(/VALUES \(@p0, @p1, @p2, CAST\(@p3 AS decimal\(18,2\)\), @p4\), \(@p5, @p6, @p7, CAST\(@p8 AS decimal\(18,2\)\), DEFAULT\)$/);
  });

  it('stages a table with a live IDENTITY column in a temp table and moves rows with IDENTITY_INSERT', () => {
    const live: MssqlLiveInfo = { types: new Map(), identity: new Map([['app_contact_base', new Set(['con_id'])]]) };
    const pt = prepareTable(tableOf('app_contact_base'), [{ app_id: 1, con_id: 11, first_name: 'A' }]);
    const plan = planMssqlTable(pt, live);
    expect(stageName('app_contact_base')).toBe('#xm_stage_app_contact_base');
    expect(plan.steps.map((s) => (s.kind === 'sql' ? s.statement.text : `bulk ${s.load.path}`))).toEqual([
      "IF OBJECT_ID(N'tempdb..#xm_stage_app_contact_base') IS NOT NULL DROP TABLE #xm_stage_app_contact_base; CREATE TABLE #xm_stage_app_contact_base ([app_id] bigint NULL, [con_id] bigint NULL, [first_name] nvarchar(50) NULL)",
      'bulk #xm_stage_app_contact_base',
      'SET IDENTITY_INSERT [xm_small].[app_contact_base] ON; INSERT INTO [xm_small].[app_contact_base] ([app_id], [con_id], [first_name]) SELECT [app_id], [con_id], [first_name] FROM #xm_stage_app_contact_base; SET IDENTITY_INSERT [xm_small].[app_contact_base] OFF; DROP TABLE #xm_stage_app_contact_base',
    ]);
  });

  it('does not stage when the identity column is not loaded', () => {
    const live: MssqlLiveInfo = { types: new Map(), identity: new Map([['processing_log', new Set(['log_id'])]]) };
    const plan = planMssqlTable(prepareTable(smallModel.processingLog, [{ app_id: 1, status: 'success', attempts: 1 }]), live);
    expect(plan.steps.map((s) => s.kind)).toEqual(['bulk']);
  });
});

describe('T-SQL statements', () => {
  it('parameterises the catalog query by schema and table names', () => {
    const st = mssqlColumnsSql(smallModel);
    expect(st.text).toContain("COLUMNPROPERTY(OBJECT_ID(QUOTENAME(c.TABLE_SCHEMA) + '.' + QUOTENAME(c.TABLE_NAME)), c.COLUMN_NAME, 'IsIdentity') AS is_identity");
    expect(st.text).toContain('WHERE c.TABLE_SCHEMA = @schema AND c.TABLE_NAME IN (@t0, @t1,');
    expect(st.params[0]).toEqual({ name: 'schema', type: { name: 'NVarChar', length: 128 }, value: 'xm_small' });
    expect(st.params).toHaveLength(1 + smallModel.tables.length + 2);
  });

  it('inserts source rows that are not there yet, 1,000 per statement', () => {
    const recs = Array.from({ length: 1001 }, (_, i) => ({ appId: i, xml: `<x/>` }));
    const [first, second] = mssqlInsertSourceStatements(smallModel, recs);
    expect(first?.params).toHaveLength(2000);
    expect(second?.text).toBe('INSERT INTO [xm_small].[app_xml] ([app_id], [app_XML]) SELECT v.app_id, v.xml FROM (VALUES (@a0, @x0)) AS v(app_id, xml) WHERE NOT EXISTS (SELECT 1 FROM [xm_small].[app_xml] s WHERE s.[app_id] = v.app_id)');
    expect(second?.params).toEqual([{ name: 'a0', type: { name: 'Int' }, value: 1000 }, { name: 'x0', type: { name: 'NVarChar', length: 'max' }, value: '<x/>' }]);
  });

  it('types shared statement parameters', () => {
    expect(typedStatement({ text: 'x', params: [5, 'failed'] }).params).toEqual([
      { name: 'p0', type: { name: 'BigInt' }, value: 5 }, { name: 'p1', type: { name: 'NVarChar', length: 4000 }, value: 'failed' },
    ]);
    expect(BULK_OPTIONS).toEqual({ checkConstraints: true, keepNulls: false });
  });
});
