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

  describe('privileges and app id range (issue 9)', () => {
    const ids = (max: bigint, min = 1n, notPositive = 0, examples: bigint[] = []) => ({ min, max, notPositive, notPositiveExamples: examples });
    const withIntAppId = (live: Map<string, LiveTable>, table: string): void => {
      const t = live.get(table)!;
      const cols = new Map(t.columns);
      cols.set('app_id', { name: 'app_id', type: { family: 'integer', kind: 'int' }, declared: 'integer', nullable: false, hasDefault: false, isIdentity: false });
      live.set(table, { ...t, columns: cols });
    };

    it('lists every table the run writes or reads whose privilege is missing', () => {
      const live = liveDb(model);
      const all = new Set(['SELECT', 'INSERT'] as const);
      for (const [k, t] of live) live.set(k, { ...t, privileges: all, schemaUsage: true });
      live.set('app_detail', { ...live.get('app_detail')!, privileges: new Set(['SELECT'] as const) });
      live.set('processing_log', { ...live.get('processing_log')!, privileges: new Set(['INSERT'] as const) });
      live.set('app_xml', { ...live.get('app_xml')!, privileges: new Set(['INSERT'] as const) });
      const problems = comparePreflight(model, live).filter((p) => p.code === 'missing-privilege');
      expect(problems.map((p) => p.message)).toEqual([
        'xm_small.app_detail: the connecting user lacks INSERT (the run writes this table)',
        'xm_small.processing_log: the connecting user lacks SELECT (the run reads and writes this table)',
        'xm_small.app_xml: the connecting user lacks SELECT (the run reads this table)',
      ]);
      expect(problems.every((p) => p.severity === 'error')).toBe(true);
      live.set('app_base', { ...live.get('app_base')!, schemaUsage: false });
      expect(comparePreflight(model, live).find((p) => p.table === 'app_base')?.message).toBe('xm_small.app_base: the connecting user lacks USAGE on schema xm_small (the run writes this table)');
    });

    it('refuses an integer app_id column too narrow for the largest source id, naming both', () => {
      const live = liveDb(model);
      withIntAppId(live, 'processing_log');
      expect(comparePreflight(model, live, { sourceIds: ids(2147483647n) })).toEqual([]);
      const p = comparePreflight(model, live, { sourceIds: ids(3000000000n) });
      expect(p).toEqual([{
        severity: 'error', code: 'app-id-range', table: 'processing_log', column: 'app_id',
        message: "xm_small.processing_log.app_id: integer cannot hold the source's app_id 3000000000 (its range ends at 2147483647): widen the column to bigint",
      }]);
    });

    it('refuses app ids beyond 2^53 - 1 and names app ids of zero and below', () => {
      const live = liveDb(model);
      const p = comparePreflight(model, live, { sourceIds: ids(9007199254740993n, -4n, 2, [-4n, 0n]) });
      expect(p.map((x) => `${x.severity}:${x.code}`)).toEqual(['error:app-id-range', 'warning:app-id-not-positive']);
      expect(p[0]?.message).toBe('xm_small.app_xml.app_id: app_id 9007199254740993 is beyond ±9007199254740991 (2^53 − 1), the largest app id xmlmigrate handles exactly; such ids are refused rather than rounded');
      expect(p[1]?.message).toMatch(/^xm_small\.app_xml\.app_id: 2 rows have an app_id of zero or below \(e\.g\. -4, 0\): .* logged failed \(validation\)/);
    });
  });
});
