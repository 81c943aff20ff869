import { describe, expect, it } from 'vitest';
import { prepareTable } from '../../../../src/db/batch-prep.js';
import {
  BULK_OPTIONS, mssqlColumnsSql, mssqlInsertSourceStatements, planMssqlTable, planMssqlTableBulk,
  plainJsonString, stageName, typedStatement, type MssqlLiveInfo, type MssqlStep,
} from '../../../../src/db/mssql/mssql-plan.js';
import { DateTime, Decimal } from '../../../../src/mapping/values.js';
import { smallModel, tableOf } from '../helpers.js';

const base = (appId: number, amount = '12.50'): Record<string, unknown> => ({
  app_id: appId, receive_date: new DateTime(2024, 1, 2, 3, 4, 5, 600007), product_line_enum: 600, requested_amount: new Decimal(amount),
});

describe('planMssqlTableBulk (servers without OPENJSON)', () => {
  it('bulk-loads used columns with exact mssql types, rows in column order, CHECK_CONSTRAINTS and no KEEP_NULLS', () => {
    const pt = prepareTable(tableOf('app_base'), [base(1), base(2)] as never);
    const plan = planMssqlTableBulk(pt);
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
    const step = planMssqlTableBulk(pt, live).steps[0];
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
    expect(() => planMssqlTableBulk(pt, live)).toThrow('app_base.requested_amount (app_id 9): 12345678901234.56 is out of range for decimal(12,2)');
  });

  it('routes rows with decimals tedious cannot send exactly through a CAST insert', () => {
    const pt = prepareTable(tableOf('app_base'), [base(1), base(2, '9999999999999999.99')] as never);
    const plan = planMssqlTableBulk(pt);
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
    const sql = planMssqlTableBulk(pt).steps[0];
    if (sql?.kind !== 'sql') throw new Error('shape');
    expect(sql.statement.text).toMatch(/VALUES \(@p0, @p1, @p2, CAST\(@p3 AS decimal\(18,2\)\), @p4\), \(@p5, @p6, @p7, CAST\(@p8 AS decimal\(18,2\)\), DEFAULT\)$/);
  });

  it('stages a table with a live IDENTITY column in a temp table and moves rows with IDENTITY_INSERT', () => {
    const live: MssqlLiveInfo = { types: new Map(), identity: new Map([['app_contact_base', new Set(['con_id'])]]) };
    const pt = prepareTable(tableOf('app_contact_base'), [{ app_id: 1, con_id: 11, first_name: 'A' }]);
    const plan = planMssqlTableBulk(pt, live);
    expect(stageName('app_contact_base')).toBe('#xm_stage_app_contact_base');
    expect(plan.steps.map((s) => (s.kind === 'sql' ? s.statement.text : `bulk ${s.load.path}`))).toEqual([
      "IF OBJECT_ID(N'tempdb..#xm_stage_app_contact_base') IS NOT NULL DROP TABLE #xm_stage_app_contact_base; CREATE TABLE #xm_stage_app_contact_base ([app_id] bigint NULL, [con_id] bigint NULL, [first_name] nvarchar(50) NULL)",
      'bulk #xm_stage_app_contact_base',
      'SET IDENTITY_INSERT [xm_small].[app_contact_base] ON; INSERT INTO [xm_small].[app_contact_base] ([app_id], [con_id], [first_name]) SELECT [app_id], [con_id], [first_name] FROM #xm_stage_app_contact_base; SET IDENTITY_INSERT [xm_small].[app_contact_base] OFF; DROP TABLE #xm_stage_app_contact_base',
    ]);
  });

  it('switching IDENTITY_INSERT on for one table first switches it off for the other identity tables (a failed request may have left one on)', () => {
    const live: MssqlLiveInfo = {
      types: new Map(), identity: new Map([['app_contact_base', new Set(['con_id'])], ['app_base', new Set(['app_id'])]]),
      identityInsert: ['[xm_small].[app_base]', '[xm_small].[app_contact_base]'],
    };
    const pt = prepareTable(tableOf('app_contact_base'), [{ app_id: 1, con_id: 11, first_name: 'A' }]);
    const json = planMssqlTable(pt, live).steps[0];
    if (json?.kind !== 'sql') throw new Error('shape');
    expect(json.statement.text).toMatch(/^SET IDENTITY_INSERT \[xm_small\]\.\[app_base\] OFF; SET IDENTITY_INSERT \[xm_small\]\.\[app_contact_base\] ON; INSERT INTO \[xm_small\]\.\[app_contact_base\] .*; SET IDENTITY_INSERT \[xm_small\]\.\[app_contact_base\] OFF;$/);
    const staged = planMssqlTableBulk(pt, live).steps[2];
    if (staged?.kind !== 'sql') throw new Error('shape');
    expect(staged.statement.text).toMatch(/^SET IDENTITY_INSERT \[xm_small\]\.\[app_base\] OFF; SET IDENTITY_INSERT \[xm_small\]\.\[app_contact_base\] ON; INSERT INTO /);
  });

  it('does not stage when the identity column is not loaded', () => {
    const live: MssqlLiveInfo = { types: new Map(), identity: new Map([['processing_log', new Set(['log_id'])]]) };
    const plan = planMssqlTableBulk(prepareTable(smallModel.processingLog, [{ app_id: 1, status: 'success', attempts: 1 }]), live);
    expect(plan.steps.map((s) => s.kind)).toEqual(['bulk']);
  });
});

const sqlOf = (steps: readonly MssqlStep[]): string[] => steps.map((st) => (st.kind === 'sql' ? st.statement.text : `bulk ${st.load.path}`));

describe('planMssqlTable (OPENJSON)', () => {
  it('inserts every row from one JSON parameter: exact decimal text, microsecond datetimes, carrier types', () => {
    const pt = prepareTable(tableOf('app_base'), [base(1), { ...base(2, '9999999999999999.99'), decision_date: new DateTime(2020, 1, 1) }] as never);
    const plan = planMssqlTable(pt, undefined, 'j4');
    expect(plan.rowCount).toBe(2);
    expect(sqlOf(plan.steps)).toEqual([
      "INSERT INTO [xm_small].[app_base] ([app_id], [receive_date], [product_line_enum], [requested_amount], [decision_date]) SELECT [app_id], [receive_date], [product_line_enum], [requested_amount], [decision_date] FROM OPENJSON(@j4) WITH ([app_id] bigint '$[0]', [receive_date] datetime2(7) '$[1]', [product_line_enum] bigint '$[2]', [requested_amount] decimal(18,2) '$[3]', [decision_date] datetime2(7) '$[4]');",
    ]);
    const step = plan.steps[0];
    if (step?.kind !== 'sql') throw new Error('shape');
    expect(step.statement.params).toEqual([{
      name: 'j4', type: { name: 'NVarChar', length: 'max' },
      value: '[["1","2024-01-02T03:04:05.600007",600,"12.50",null],["2","2024-01-02T03:04:05.600007",600,"9999999999999999.99","2020-01-01T00:00:00.000000"]]',
    }]);
  });

  it('sends bigints as text, bits as booleans, dates as dates, and types from the live catalog', () => {
    const live: MssqlLiveInfo = {
      types: new Map([['app_detail', new Map([['campaign_num', { name: 'VarChar', length: 6 }], ['intro_apr', { name: 'Decimal', precision: 8, scale: 5 }]])]]),
      identity: new Map(),
    };
    const pt = prepareTable(tableOf('app_detail'), [{ app_id: 1, campaign_num: 'ABC', intro_apr: new Decimal('0.12345'), signature_flag: 1, transmission_id: '9007199254740993' }]);
    const step = planMssqlTable(pt, live).steps[0];
    if (step?.kind !== 'sql') throw new Error('shape');
    expect(step.statement.text).toContain("WITH ([app_id] bigint '$[0]', [intro_apr] decimal(8,5) '$[1]', [signature_flag] bit '$[2]', [transmission_id] bigint '$[3]', [campaign_num] nvarchar(max) '$[4]')");
    expect(step.statement.params[0]?.value).toBe('[["1","0.12345",true,"9007199254740993","ABC"]]');
    const contact = planMssqlTable(prepareTable(tableOf('app_contact_base'), [{ app_id: 1, con_id: 11, birth_date: new DateTime(1980, 12, 31) }]));
    const cs = contact.steps[0];
    if (cs?.kind !== 'sql') throw new Error('shape');
    expect(cs.statement.text).toContain("[birth_date] date '$[2]'");
    expect(cs.statement.params[0]?.value).toBe('[["1","11","1980-12-31"]]');
  });

  it('sends rows with strings OPENJSON may not return intact (escapes, > 4,000 characters) as typed parameters', () => {
    const rows = [
      { app_id: 1, blackbox: 'Zoë 😀' },
      { app_id: 2, blackbox: 'a\tb "q"' },
      { app_id: 3, blackbox: 'ok' },
      { app_id: 4, blackbox: 'x'.repeat(4001) },
    ];
    const plan = planMssqlTable(prepareTable(tableOf('app_detail'), rows), undefined, 'j1');
    expect(sqlOf(plan.steps)).toEqual([
      "INSERT INTO [xm_small].[app_detail] ([app_id], [blackbox]) SELECT [app_id], [blackbox] FROM OPENJSON(@j1) WITH ([app_id] bigint '$[0]', [blackbox] nvarchar(max) '$[1]');",
      'INSERT INTO [xm_small].[app_detail] ([app_id], [blackbox]) VALUES (@j1_0_0, @j1_0_1), (@j1_0_2, @j1_0_3);',
    ]);
    const [json, values] = plan.steps;
    if (json?.kind !== 'sql' || values?.kind !== 'sql') throw new Error('shape');
    expect(json.statement.params[0]?.value).toBe('[["1","Zoë 😀"],["3","ok"]]');
    expect(values.statement.params.map((p) => [p.name, p.type, typeof p.value === 'string' ? p.value.slice(0, 10) : p.value])).toEqual([
      ['j1_0_0', { name: 'BigInt' }, 2n], ['j1_0_1', { name: 'NVarChar', length: 'max' }, 'a\tb "q"'],
      ['j1_0_2', { name: 'BigInt' }, 4n], ['j1_0_3', { name: 'NVarChar', length: 'max' }, 'xxxxxxxxxx'],
    ]);
  });

  it('wraps a table with a loaded live IDENTITY column in SET IDENTITY_INSERT (no staging table)', () => {
    const live: MssqlLiveInfo = { types: new Map(), identity: new Map([['app_contact_base', new Set(['con_id'])]]) };
    const plan = planMssqlTable(prepareTable(tableOf('app_contact_base'), [{ app_id: 1, con_id: 11, first_name: 'A' }]), live);
    expect(sqlOf(plan.steps)).toEqual([
      "SET IDENTITY_INSERT [xm_small].[app_contact_base] ON; INSERT INTO [xm_small].[app_contact_base] ([app_id], [con_id], [first_name]) SELECT [app_id], [con_id], [first_name] FROM OPENJSON(@j0) WITH ([app_id] bigint '$[0]', [con_id] bigint '$[1]', [first_name] nvarchar(max) '$[2]'); SET IDENTITY_INSERT [xm_small].[app_contact_base] OFF;",
    ]);
  });

  it('takes the bulk load when a NULL must become a live DEFAULT, or when the server has no OPENJSON', () => {
    const rows = [{ ...base(1), decision_date: new DateTime(2020, 1, 1) }, base(2)];
    const withDefault: MssqlLiveInfo = { types: new Map(), identity: new Map(), defaults: new Map([['app_base', new Set(['decision_date'])]]) };
    expect(sqlOf(planMssqlTable(prepareTable(tableOf('app_base'), rows as never), withDefault).steps)).toEqual(['bulk [xm_small].[app_base]']);
    const noDefault: MssqlLiveInfo = { types: new Map(), identity: new Map(), defaults: new Map() };
    expect(planMssqlTable(prepareTable(tableOf('app_base'), rows as never), noDefault).steps.map((st) => st.kind)).toEqual(['sql']);
    const noJson: MssqlLiveInfo = { types: new Map(), identity: new Map(), openJson: false };
    expect(sqlOf(planMssqlTable(prepareTable(tableOf('app_base'), [base(1)] as never), noJson).steps)).toEqual(['bulk [xm_small].[app_base]']);
  });

  it('plainJsonString accepts text JSON keeps as is and at most 4,000 UTF-16 units', () => {
    expect(['', 'Zoë', '😀 ok', "it's / fine", 'x'.repeat(4000)].map(plainJsonString)).toEqual([true, true, true, true, true]);
    expect(['a"b', 'a\\b', 'a\nb', 'a\u0000', '\ud800x', 'x\udc00', 'x'.repeat(4001)].map(plainJsonString)).toEqual([false, false, false, false, false, false, false]);
  });
});

describe('T-SQL statements', () => {
  it('parameterises the catalog query by schema and table names', () => {
    const st = mssqlColumnsSql(smallModel);
    expect(st.text).toContain("COLUMNPROPERTY(OBJECT_ID(QUOTENAME(c.TABLE_SCHEMA) + '.' + QUOTENAME(c.TABLE_NAME)), c.COLUMN_NAME, 'IsIdentity') AS is_identity");
    expect(st.text).toContain('WHERE c.TABLE_SCHEMA = @schema AND c.TABLE_NAME IN (@t0, @t1,');
    expect(st.params[0]).toEqual({ name: 'schema', type: { name: 'NVarChar', length: 128 }, value: 'xm_small' });
    // schema, data tables, processing_log, the two claim tables, the source
    expect(st.params).toHaveLength(1 + smallModel.tables.length + 4);
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
