import { describe, expect, it } from 'vitest';
import { mssqlCreateTable, mssqlDdl } from '../../../../src/db/mssql/mssql-ddl.js';
import { smallModel, tableOf } from '../helpers.js';

describe('SQL Server DDL', () => {
  it('renders exact T-SQL for a data table: nvarchar(max), decimal(18,p), datetime2(6), named PK/FK', () => {
    expect(mssqlCreateTable(tableOf('app_detail'))).toBe(`IF OBJECT_ID(N'[xm_small].[app_detail]', N'U') IS NULL
CREATE TABLE [xm_small].[app_detail] (
  [app_id] bigint NOT NULL,
  [blackbox] nvarchar(max) NULL,
  [intro_apr] decimal(18,5) NULL,
  [signature_flag] bit NOT NULL,
  [ratio] float NULL,
  [transmission_id] bigint NULL,
  [late_fee] tinyint NULL,
  [campaign_num] nvarchar(6) NOT NULL,
  CONSTRAINT [pk_app_detail] PRIMARY KEY ([app_id]),
  CONSTRAINT [fk_app_detail] FOREIGN KEY ([app_id]) REFERENCES [xm_small].[app_base] ([app_id]) ON DELETE CASCADE
)`);
  });

  it('renders processing_log with UNIQUE(app_id), status CHECK and SYSUTCDATETIME default, and no FK', () => {
    expect(mssqlCreateTable(smallModel.processingLog)).toBe(`IF OBJECT_ID(N'[xm_small].[processing_log]', N'U') IS NULL
CREATE TABLE [xm_small].[processing_log] (
  [app_id] bigint NOT NULL,
  [status] nvarchar(20) NOT NULL CHECK ([status] IN ('success', 'failed')),
  [stage] nvarchar(30) NULL,
  [failure_reason] nvarchar(1000) NULL,
  [run_id] nvarchar(64) NULL,
  [worker_id] int NULL,
  [attempts] int NOT NULL,
  [processed_at] datetime2(6) NOT NULL DEFAULT SYSUTCDATETIME(),
  CONSTRAINT [uq_processing_log] UNIQUE ([app_id])
)`);
  });

  it('creates the schema first, app_base before its children, the source table last', () => {
    const ddl = mssqlDdl(smallModel);
    expect(ddl[0]).toBe("IF SCHEMA_ID(N'xm_small') IS NULL EXEC(N'CREATE SCHEMA [xm_small]')");
    expect(ddl[1]).toContain('CREATE TABLE [xm_small].[app_base]');
    expect(ddl.at(-1)).toContain('CREATE TABLE [xm_small].[app_xml] (\n  [app_id] bigint NOT NULL,\n  [app_XML] nvarchar(max) NOT NULL,\n  CONSTRAINT [pk_app_xml] PRIMARY KEY ([app_id])');
    expect(mssqlDdl(smallModel, { includeSource: false }).some((s) => s.includes('[app_xml]'))).toBe(false);
    // schema, data tables, processing_log, the two claim tables, the source
    expect(ddl).toHaveLength(1 + smallModel.tables.length + 4);
    expect(ddl.at(-2)).toContain('CREATE TABLE [xm_small].[xmlmigrate_claims]');
  });
});
