import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareType, comparePreflight, type LiveColumn, type LiveTable, type LiveType } from '../../../src/db/preflight.js';
import { buildSchemaModel } from '../../../src/db/schema-model.js';
import type { ColumnModel, SchemaModel, TableModel } from '../../../src/db/schema-types.js';
import type { MappingContract } from '../../../src/mapping/contract-types.js';

const model = buildSchemaModel(JSON.parse(readFileSync(new URL('../../fixtures/contracts/db-small.json', import.meta.url), 'utf8')) as MappingContract);

const liveType = (c: ColumnModel): LiveType => {
  const t = c.type;
  switch (t.kind) {
    case 'string': return { family: 'string', length: t.length };
    case 'decimal': return { family: 'exact', precision: t.precision, scale: t.scale };
    case 'tinyint': case 'smallint': case 'int': case 'bigint': return { family: 'integer', kind: t.kind };
    case 'datetime': case 'instant': return { family: 'datetime', fractionDigits: 6, zoned: t.kind === 'instant' };
    default: return { family: t.kind };
  }
};
function liveOf(t: TableModel): LiveTable {
  const columns = new Map<string, LiveColumn>(t.columns.map((c) => [c.name, { name: c.name, type: liveType(c), declared: 'x', nullable: c.nullable, hasDefault: !!c.defaultNow, isIdentity: false }]));
  return { name: t.name, columns, uniqueColumns: new Set(t.unique.flat()) };
}
function liveDb(m: SchemaModel): Map<string, LiveTable> {
  return new Map([...m.tables, m.processingLog, m.source].map((t) => [t.name, liveOf(t)]));
}

describe('compareType', () => {
  it('accepts matching and wider types', () => {
    expect(compareType({ kind: 'string', length: 50 }, { family: 'string', length: 'max' }, 'nvarchar(max)')).toBeNull();
    expect(compareType({ kind: 'decimal', precision: 18, scale: 2 }, { family: 'exact', precision: 20, scale: 4 }, 'decimal(20,4)')).toBeNull();
    expect(compareType({ kind: 'smallint' }, { family: 'integer', kind: 'int' }, 'int')).toBeNull();
    expect(compareType({ kind: 'int' }, { family: 'exact', precision: 18, scale: 0 }, 'numeric(18,0)')).toBeNull();
    expect(compareType({ kind: 'bit' }, { family: 'boolean' }, 'boolean')).toBeNull();
    expect(compareType({ kind: 'date' }, { family: 'datetime', fractionDigits: 7, zoned: false }, 'datetime2(7)')).toBeNull();
  });

  it('errors on lost decimal places, zoned timestamps and wrong families', () => {
    expect(compareType({ kind: 'decimal', precision: 18, scale: 5 }, { family: 'exact', precision: 8, scale: 2 }, 'decimal(8,2)'))
      .toEqual({ severity: 'error', code: 'precision-loss', detail: 'decimal(18,5) needed, found decimal(8,2): 3 decimal place(s) would be rounded away' });
    expect(compareType({ kind: 'datetime' }, { family: 'datetime', fractionDigits: 6, zoned: true }, 'timestamptz(6)')?.severity).toBe('error');
    expect(compareType({ kind: 'decimal', precision: 18, scale: 2 }, { family: 'float' }, 'REAL')?.code).toBe('incompatible-type');
    expect(compareType({ kind: 'int' }, { family: 'string', length: 10 }, 'varchar(10)')?.code).toBe('incompatible-type');
  });

  it('warns on narrower ranges and lost datetime fractions', () => {
    expect(compareType({ kind: 'string', length: 50 }, { family: 'string', length: 20 }, 'varchar(20)')?.severity).toBe('warning');
    expect(compareType({ kind: 'decimal', precision: 18, scale: 2 }, { family: 'exact', precision: 12, scale: 2 }, 'decimal(12,2)')).toMatchObject({ severity: 'warning', code: 'narrower-type' });
    expect(compareType({ kind: 'int' }, { family: 'integer', kind: 'smallint' }, 'smallint')?.severity).toBe('warning');
    expect(compareType({ kind: 'datetime' }, { family: 'datetime', fractionDigits: 2, zoned: false }, 'datetime')).toMatchObject({ severity: 'warning', code: 'precision-loss' });
  });
});

describe('comparePreflight', () => {
  it('is clean for a database built from the model', () => {
    expect(comparePreflight(model, liveDb(model))).toEqual([]);
  });

  it('reports every mismatch at once, with schema-qualified messages', () => {
    const live = liveDb(model);
    live.delete('app_zeta');
    const detail = live.get('app_detail');
    const base = live.get('app_base');
    if (!detail || !base) throw new Error('setup');
    const dCols = new Map(detail.columns);
    dCols.delete('ratio');
    dCols.set('legacy_required', { name: 'legacy_required', type: { family: 'integer', kind: 'int' }, declared: 'int', nullable: false, hasDefault: false, isIdentity: false });
    live.set('app_detail', { ...detail, columns: dCols });
    const bCols = new Map(base.columns);
    bCols.set('requested_amount', { name: 'requested_amount', type: { family: 'exact', precision: 12, scale: 1 }, declared: 'decimal(12,1)', nullable: true, hasDefault: false, isIdentity: false });
    live.set('app_base', { ...base, columns: bCols });
    const log = live.get('processing_log');
    if (!log) throw new Error('setup');
    live.set('processing_log', { ...log, uniqueColumns: new Set() });
    live.delete(model.source.name);

    const problems = comparePreflight(model, live);
    expect(problems.map((p) => `${p.severity}:${p.code}:${p.table}.${p.column ?? ''}`)).toEqual([
      'error:precision-loss:app_base.requested_amount',
      'error:missing-column:app_detail.ratio',
      'error:unmapped-not-null:app_detail.legacy_required',
      'error:missing-table:app_zeta.',
      'error:missing-unique:processing_log.app_id',
      'error:missing-table:app_xml.',
    ]);
    expect(problems[3]?.message).toBe('xm_small.app_zeta: table does not exist (run `xmlmigrate schema --apply`)');
    expect(comparePreflight(model, live, { source: false }).some((p) => p.table === 'app_xml')).toBe(false);
    expect(comparePreflight(model, live, { target: false }).map((p) => p.table)).toEqual(['app_xml']);
  });

  it('ignores extra nullable source columns but not a missing XML column', () => {
    const live = liveDb(model);
    const src = live.get('app_xml');
    if (!src) throw new Error('setup');
    const cols = new Map(src.columns);
    cols.delete('app_XML');
    cols.set('extracted_at', { name: 'extracted_at', type: { family: 'datetime', fractionDigits: 7, zoned: false }, declared: 'datetime2', nullable: false, hasDefault: false, isIdentity: false });
    live.set('app_xml', { ...src, columns: cols });
    expect(comparePreflight(model, live).map((p) => p.code)).toEqual(['missing-column']);
  });
});
