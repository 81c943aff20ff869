import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderDdl } from '../../../src/db/create-dialect.js';
import { IdentifierError } from '../../../src/db/identifiers.js';
import { buildSchemaModel, SchemaModelError, tokenNames } from '../../../src/db/schema-model.js';
import { findTable, type SchemaModel, type TableModel } from '../../../src/db/schema-types.js';
import type { MappingContract } from '../../../src/mapping/contract-types.js';

const small = JSON.parse(readFileSync(new URL('../../fixtures/contracts/db-small.json', import.meta.url), 'utf8')) as MappingContract;

function table(model: SchemaModel, name: string): TableModel {
  const t = findTable(model, name);
  if (!t) throw new Error(`missing ${name}`);
  return t;
}
const cols = (t: TableModel): string[] => t.columns.map((c) => `${c.name}:${c.type.kind}${'length' in c.type ? `(${c.type.length})` : ''}${'scale' in c.type ? `(${c.type.precision},${c.type.scale})` : ''}${c.nullable ? '' : '!'}`);

describe('buildSchemaModel (db-small contract)', () => {
  const model = buildSchemaModel(small);

  it('orders tables by table_insertion_order, then unlisted tables alphabetically, without processing_log', () => {
    expect(model.tables.map((t) => t.name)).toEqual([
      'app_base', 'app_contact_base', 'app_detail', 'app_contact_address', 'scores', 'indicators',
      'app_historical_lookup', 'app_warranties_rl', 'app_collateral_rl', 'app_policy_exceptions_rl', 'app_alpha', 'app_zeta',
    ]);
    expect(model.warnings).toContain('tables not in table_insertion_order are inserted last, alphabetically: app_alpha, app_zeta');
    expect(model.warnings).toContain('mappings[29].data_type: unknown type "weird" treated as string');
    expect(model.schema).toBe('xm_small');
  });

  it('types columns from data_type/data_length and keys them', () => {
    expect(cols(table(model, 'app_base'))).toEqual(['app_id:bigint!', 'receive_date:datetime!', 'product_line_enum:smallint!', 'requested_amount:decimal(18,2)', 'decision_date:datetime']);
    expect(cols(table(model, 'app_detail'))).toEqual([
      'app_id:bigint!', 'blackbox:string(max)', 'intro_apr:decimal(18,5)', 'signature_flag:bit!', 'ratio:float',
      'transmission_id:bigint', 'late_fee:tinyint', 'campaign_num:string(6)!',
    ]);
    expect(table(model, 'app_base').primaryKey).toEqual(['app_id']);
    expect(table(model, 'app_base').foreignKey).toBeNull();
    expect(table(model, 'app_detail').foreignKey).toEqual({ columns: ['app_id'], refTable: 'app_base', refColumns: ['app_id'] });
    expect(cols(table(model, 'app_alpha'))).toEqual(['app_id:bigint!', 'alpha_note:string(12)!']);
  });

  it('gives contact tables con_id and the (app_id, con_id, type) key; keeps the first duplicate', () => {
    const base = table(model, 'app_contact_base');
    expect(cols(base)).toEqual(['app_id:bigint!', 'con_id:bigint!', 'first_name:string(50)!', 'birth_date:date']);
    expect(base.primaryKey).toEqual(['app_id', 'con_id']);
    const addr = table(model, 'app_contact_address');
    expect(addr.role).toBe('contact');
    expect(addr.primaryKey).toEqual(['app_id', 'con_id', 'address_type_enum']);
    expect(addr.duplicatePolicy).toBe('first');
  });

  it('gives row-creator tables their fixed shapes, recognised by token', () => {
    expect(cols(table(model, 'scores'))).toEqual(['app_id:bigint!', 'score_identifier:string(50)!', 'score:int']);
    expect(table(model, 'scores').primaryKey).toEqual(['app_id', 'score_identifier']);
    expect(table(model, 'scores').duplicatePolicy).toBe('last');
    expect(cols(table(model, 'indicators'))).toEqual(['app_id:bigint!', 'indicator:string(50)!', 'value:string(250)']);
    expect(cols(table(model, 'app_historical_lookup'))).toEqual(['app_id:bigint!', 'name:string(100)!', 'source:string(50)', 'value:string(250)']);
    expect(cols(table(model, 'app_policy_exceptions_rl'))).toEqual(['app_id:bigint!', 'policy_exception_type_enum:smallint!', 'reason_code:string(20)', 'notes:string(1000)']);
    // Mapped columns of a row creator are always nullable, even when the mapping says nullable:false.
    expect(cols(table(model, 'app_warranties_rl'))).toEqual(['app_id:bigint!', 'warranty_type_enum:smallint!', 'company_name:string(50)', 'amount:decimal(18,2)', 'merrick_lienholder_flag:bit']);
    expect(cols(table(model, 'app_collateral_rl'))).toEqual(['app_id:bigint!', 'sort_order:smallint!', 'make:string(50)', 'year:smallint']);
    expect(table(model, 'app_collateral_rl').primaryKey).toEqual(['app_id', 'sort_order']);
  });

  it('recognises a row creator under any table name', () => {
    const renamed = buildSchemaModel({ ...small, mappings: small.mappings.map((m) => (m.target_table === 'scores' ? { ...m, target_table: 'bureau_scores' } : m)) });
    expect(cols(table(renamed, 'bureau_scores'))).toEqual(['app_id:bigint!', 'score_identifier:string(50)!', 'score:int']);
  });

  it('adds processing_log (UNIQUE app_id, no FK) and the source table', () => {
    expect(model.processingLog.unique).toEqual([['app_id']]);
    expect(model.processingLog.foreignKey).toBeNull();
    expect(cols(model.processingLog)).toEqual(['app_id:bigint!', 'status:string(20)!', 'stage:string(30)', 'failure_reason:string(1000)', 'run_id:string(64)', 'worker_id:int', 'attempts:int!', 'processed_at:instant!']);
    expect(cols(model.source)).toEqual(['app_id:bigint!', 'app_XML:string(max)!']);
    expect(model.source.primaryKey).toEqual(['app_id']);
  });

  it('a column is NOT NULL only when every mapping into it says nullable:false', () => {
    const twice = buildSchemaModel({ ...small, mappings: [...small.mappings, { ...small.mappings[1]!, xml_attribute: 'other', nullable: true }] });
    expect(cols(table(twice, 'app_base'))[1]).toBe('receive_date:datetime');
  });

  it('defaults target_schema to dbo and decimal scale to 2', () => {
    const { target_schema: _omit, ...noSchema } = small;
    const m = buildSchemaModel({ ...noSchema, mappings: [...small.mappings, { xml_path: '/a', xml_attribute: 'd', target_table: 'app_base', target_column: 'plain_dec', data_type: 'decimal', nullable: true }] });
    expect(m.schema).toBe('dbo');
    expect(cols(table(m, 'app_base')).at(-1)).toBe('plain_dec:decimal(18,2)');
  });

  it('rejects identifiers that try SQL injection, naming the JSON path', () => {
    const bad = { ...small, mappings: [...small.mappings, { xml_path: '/a', target_table: 'app_base', target_column: 'x]; DROP TABLE y;--', data_type: 'string' }] };
    expect(() => buildSchemaModel(bad)).toThrow(IdentifierError);
    expect(() => buildSchemaModel(bad)).toThrow(/^mappings\[30\]\.target_column: "x\]; DROP TABLE y;--" is not a valid SQL identifier/);
    expect(() => buildSchemaModel({ ...small, target_schema: 'a b' })).toThrow(/^target_schema:/);
    expect(() => buildSchemaModel({ ...small, source_column: 'x"y' })).toThrow(/^source_column:/);
    expect(() => buildSchemaModel({ ...small, mappings: [...small.mappings, { xml_path: '/a', target_table: 'processing_log', target_column: 'x', data_type: 'int' }] }))
      .toThrow(SchemaModelError);
  });

  it('splits mapping_type tokens from arrays and comma strings', () => {
    expect(tokenNames({ xml_path: '', target_table: 't', data_type: 'int', mapping_type: ['calculated_field', 'add_collateral(2)'] })).toEqual(['calculated_field', 'add_collateral']);
    expect(tokenNames({ xml_path: '', target_table: 't', data_type: 'int', mapping_type: 'char_to_bit, warranty_field(623)' })).toEqual(['char_to_bit', 'warranty_field']);
    expect(tokenNames({ xml_path: '', target_table: 't', data_type: 'int', mapping_type: null })).toEqual([]);
  });
});

describe('buildSchemaModel (the example contract contracts/credit-card.json)', () => {
  const model = buildSchemaModel(JSON.parse(readFileSync(new URL('../../../contracts/credit-card.json', import.meta.url), 'utf8')) as MappingContract);

  it('derives the 11 data tables in contract order with no warnings', () => {
    expect(model.warnings).toEqual([]);
    expect(model.schema).toBe('dbo');
    expect(model.tables.map((t) => t.name)).toEqual([
      'app_base', 'app_contact_base', 'app_operational_cc', 'app_pricing_cc', 'app_transactional_cc',
      'app_contact_address', 'app_contact_employment', 'app_report_results_lookup', 'app_historical_lookup', 'scores', 'indicators',
    ]);
    expect(cols(model.source)).toEqual(['app_id:bigint!', 'xml:string(max)!']);
    expect(model.source.name).toBe('app_xml');
  });

  it('gets the notable column types right', () => {
    const col = (t: string, c: string): string | undefined => cols(table(model, t)).find((x) => x.startsWith(`${c}:`));
    expect(col('app_transactional_cc', 'device_blackbox')).toBe('device_blackbox:string(max)');
    expect(col('app_pricing_cc', 'intro_purchase_apr')).toBe('intro_purchase_apr:decimal(18,5)');
    expect(col('app_pricing_cc', 'purchase_apr')).toBe('purchase_apr:decimal(18,2)');
    expect(col('app_pricing_cc', 'campaign_num')).toBe('campaign_num:string(6)!');
    expect(col('app_pricing_cc', 'card_late_fee')).toBe('card_late_fee:tinyint');
    expect(col('app_pricing_cc', 'pricing_rule_id')).toBe('pricing_rule_id:bigint');
    expect(col('app_pricing_cc', 'cash_credit_line')).toBe('cash_credit_line:float');
    expect(col('app_contact_base', 'birth_date')).toBe('birth_date:date!');
    expect(col('app_contact_base', 'fraud_alert_flag')).toBe('fraud_alert_flag:bit!');
    expect(col('app_base', 'receive_date')).toBe('receive_date:datetime!');
    expect(table(model, 'app_contact_base').primaryKey).toEqual(['app_id', 'con_id']);
    expect(table(model, 'app_contact_employment').primaryKey).toEqual(['app_id', 'con_id', 'employment_type_enum']);
    expect(cols(table(model, 'app_report_results_lookup'))).toEqual(['app_id:bigint!', 'name:string(100)!', 'value:string(250)', 'source_report_key:string(20)']);
    expect(cols(table(model, 'scores'))).toEqual(['app_id:bigint!', 'score_identifier:string(50)!', 'score:int']);
  });

  it('renders sensible DDL for every dialect', async () => {
    const mssql = (await renderDdl('mssql', model)).join('\nGO\n');
    expect(mssql).toContain('[device_blackbox] nvarchar(max) NULL');
    expect(mssql).toContain('[intro_purchase_apr] decimal(18,5) NULL');
    expect(mssql).toContain('[receive_date] datetime2(6) NOT NULL');
    expect(mssql).toContain('CREATE TABLE [dbo].[app_xml] (\n  [app_id] bigint NOT NULL,\n  [xml] nvarchar(max) NOT NULL');
    expect(mssql).toContain('CONSTRAINT [pk_app_contact_address] PRIMARY KEY ([app_id], [con_id], [address_type_enum])');
    const pg = (await renderDdl('postgres', model)).join(';\n');
    expect(pg).toContain('"device_blackbox" text NULL');
    expect(pg).toContain('"intro_purchase_apr" numeric(18,5) NULL');
    expect(pg).toContain('"receive_date" timestamp(6) without time zone NOT NULL');
    const sqlite = (await renderDdl('sqlite', model)).join(';\n');
    expect(sqlite).toContain('"intro_purchase_apr" DECIMAL_TEXT(18,5) NULL');
  });
});
