/**
 * Reference conformance of contract handling: the reference system's (XmlConversion) CC contract, which
 * the product accepts unchanged. Needs the reference fixtures (XMLMIGRATE_FIXTURES, default
 * ../shared/fixtures/xmlconversion; see test/fixtures-path.ts) and is skipped, loudly, without them.
 * The same checks on the product's example contract live in contract-loader.test.ts,
 * contract-enum-resolve.test.ts and test/unit/db/schema-model.test.ts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderDdl } from '../../../src/db/create-dialect.js';
import { buildSchemaModel } from '../../../src/db/schema-model.js';
import { findTable, type SchemaModel, type TableModel } from '../../../src/db/schema-types.js';
import { loadContractFile } from '../../../src/mapping/contract-loader.js';
import type { MappingContract } from '../../../src/mapping/contract-types.js';
import { resolveEnumName } from '../../../src/mapping/enum-resolve.js';
import { parseMappingTypes } from '../../../src/mapping/mapping-tokens.js';
import { HAVE_REFERENCE_FIXTURES, referencePath, referenceSuite } from '../../fixtures-path.js';

const ccPath = referencePath('contract-cc.json');
const readCc = (): MappingContract => JSON.parse(readFileSync(ccPath, 'utf8')) as MappingContract;

function table(model: SchemaModel, name: string): TableModel {
  const t = findTable(model, name);
  if (!t) throw new Error(`missing ${name}`);
  return t;
}
const cols = (t: TableModel): string[] => t.columns.map((c) => `${c.name}:${c.type.kind}${'length' in c.type ? `(${c.type.length})` : ''}${'scale' in c.type ? `(${c.type.precision},${c.type.scale})` : ''}${c.nullable ? '' : '!'}`);

describe.skipIf(!HAVE_REFERENCE_FIXTURES)(referenceSuite('reference conformance: the XmlConversion CC contract'), () => {
  it('loads with zero errors and zero warnings', async () => {
    const loaded = await loadContractFile(ccPath);
    expect(loaded.contract.mappings).toHaveLength(227);
    expect(loaded.warnings.map((w) => w.message)).toEqual([]);
  });

  it('every enum mapping resolves to a defined enum', () => {
    const cc = readCc();
    const enumMappings = cc.enum_mappings ?? {};
    const used = cc.mappings.filter((m) => parseMappingTypes(m.mapping_type).some((t) => t.name === 'enum'));
    expect(used).toHaveLength(20);
    for (const m of used) {
      const name = resolveEnumName(m, enumMappings);
      expect(name !== null && Object.hasOwn(enumMappings, name), `${m.target_table}.${m.target_column ?? ''} → ${String(name)}`).toBe(true);
    }
  });

  describe('buildSchemaModel', () => {
    const model = (): SchemaModel => buildSchemaModel(readCc());

    it('derives the 12 data tables in contract order with no warnings', () => {
      const m = model();
      expect(m.warnings).toEqual([]);
      expect(m.schema).toBe('migration');
      expect(m.tables.map((t) => t.name)).toEqual([
        'app_base', 'app_contact_base', 'app_operational_cc', 'app_pricing_cc', 'app_transactional_cc', 'app_solicited_cc',
        'app_contact_address', 'app_contact_employment', 'app_report_results_lookup', 'app_historical_lookup', 'scores', 'indicators',
      ]);
    });

    it('gets the notable column types right', () => {
      const m = model();
      const col = (t: string, c: string): string | undefined => cols(table(m, t)).find((x) => x.startsWith(`${c}:`));
      expect(col('app_transactional_cc', 'iovation_blackbox')).toBe('iovation_blackbox:string(max)');
      expect(col('app_pricing_cc', 'card_intro_purchase_apr')).toBe('card_intro_purchase_apr:decimal(18,5)');
      expect(col('app_pricing_cc', 'card_annual_fee')).toBe('card_annual_fee:decimal(18,2)');
      expect(col('app_pricing_cc', 'campaign_num')).toBe('campaign_num:string(6)!');
      expect(col('app_contact_base', 'birth_date')).toBe('birth_date:date!');
      expect(col('app_base', 'receive_date')).toBe('receive_date:datetime!');
      expect(table(m, 'app_contact_employment').primaryKey).toEqual(['app_id', 'con_id', 'employment_type_enum']);
      expect(cols(table(m, 'app_report_results_lookup'))).toEqual(['app_id:bigint!', 'name:string(100)!', 'value:string(250)', 'source_report_key:string(20)']);
    });

    it('renders sensible DDL for every dialect', async () => {
      const m = model();
      const mssql = (await renderDdl('mssql', m)).join('\nGO\n');
      expect(mssql).toContain('[iovation_blackbox] nvarchar(max) NULL');
      expect(mssql).toContain('[card_intro_purchase_apr] decimal(18,5) NULL');
      expect(mssql).toContain('CREATE TABLE [migration].[app_xml_staging] (\n  [app_id] bigint NOT NULL,\n  [app_XML] nvarchar(max) NOT NULL');
      expect(mssql).toContain('CONSTRAINT [pk_app_contact_address] PRIMARY KEY ([app_id], [con_id], [address_type_enum])');
      const pg = (await renderDdl('postgres', m)).join(';\n');
      expect(pg).toContain('"iovation_blackbox" text NULL');
      expect(pg).toContain('"card_intro_purchase_apr" numeric(18,5) NULL');
      expect(pg).toContain('"receive_date" timestamp(6) without time zone NOT NULL');
      const sqlite = (await renderDdl('sqlite', m)).join(';\n');
      expect(sqlite).toContain('"card_intro_purchase_apr" DECIMAL_TEXT(18,5) NULL');
    });
  });
});
