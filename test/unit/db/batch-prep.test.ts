import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dropDuplicates, logRowsToRows, prepareBatch, prepareTable } from '../../../src/db/batch-prep.js';
import { ValueError } from '../../../src/db/db-error.js';
import { buildSchemaModel } from '../../../src/db/schema-model.js';
import { findTable, type TableModel } from '../../../src/db/schema-types.js';
import type { MappingContract } from '../../../src/mapping/contract-types.js';
import { Decimal } from '../../../src/mapping/values.js';

const model = buildSchemaModel(JSON.parse(readFileSync(new URL('../../fixtures/contracts/db-small.json', import.meta.url), 'utf8')) as MappingContract);
const t = (name: string): TableModel => findTable(model, name) ?? (() => { throw new Error(name); })();

describe('prepareTable', () => {
  it('aligns cells with the model columns and marks used columns', () => {
    const pt = prepareTable(t('app_base'), [{ app_id: 1, requested_amount: new Decimal('1.5'), product_line_enum: 600 }]);
    expect(pt.rows).toEqual([[1, null, 600, '1.50', null]]);
    expect(pt.used).toEqual([true, false, true, true, false]);
  });

  it('refuses a row key the model does not have', () => {
    expect(() => prepareTable(t('app_base'), [{ app_id: 1, nope: 'x' }])).toThrow(new ValueError('app_base', 'nope', 1, 'the table has no such column in the schema model'));
  });
});

describe('dropDuplicates', () => {
  it('keeps the first row per key for contact tables', () => {
    const pt = prepareTable(t('app_contact_address'), [
      { app_id: 1, con_id: 11, address_type_enum: 320, city: 'A' },
      { app_id: 1, con_id: 11, address_type_enum: 321, city: 'B' },
      { app_id: 1, con_id: 11, address_type_enum: 320, city: 'C' },
    ]);
    expect(dropDuplicates(pt)).toEqual([{ table: 'app_contact_address', appId: 1, key: '1|11|320' }]);
    expect(pt.rows.map((r) => r[3])).toEqual(['A', 'B']);
  });

  it('keeps the last row per key for key/value tables (the reference upserts)', () => {
    const pt = prepareTable(t('scores'), [
      { app_id: 2, score_identifier: 'V4', score: 1 },
      { app_id: 2, score_identifier: 'FICO', score: 2 },
      { app_id: 2, score_identifier: 'V4', score: 3 },
    ]);
    expect(dropDuplicates(pt)).toEqual([{ table: 'scores', appId: 2, key: '2|V4' }]);
    expect(pt.rows.map((r) => r[2])).toEqual([2, 3]);
  });

  it('leaves single-row app tables to the database', () => {
    const pt = prepareTable(t('app_base'), [{ app_id: 1 }, { app_id: 1 }]);
    expect(dropDuplicates(pt)).toEqual([]);
    expect(pt.rows).toHaveLength(2);
  });
});

describe('processing_log rows', () => {
  it('truncates reason/stage/run id and defaults attempts to 1', () => {
    const [row] = logRowsToRows([{ appId: 5, status: 'failed', stage: 's'.repeat(40), failureReason: 'r'.repeat(1200), runId: 'x'.repeat(70) }]);
    expect(row).toMatchObject({ app_id: 5, status: 'failed', attempts: 1, worker_id: null });
    expect(String(row?.['stage']).length).toBe(30);
    expect(String(row?.['failure_reason']).length).toBe(1000);
    expect(String(row?.['run_id']).length).toBe(64);
  });

  it('prepareBatch skips empty tables and always returns the log', () => {
    const b = prepareBatch({ tables: [{ table: t('scores'), rows: [] }], log: [{ appId: 1, status: 'success' }] }, model.processingLog);
    expect(b.tables).toEqual([]);
    expect(b.log.rows).toEqual([[1, 'success', null, null, null, null, 1, null]]);
  });
});

describe('prepareBatch merging', () => {
  it('merges per-app entries of one table at its first position', () => {
    const b = prepareBatch({
      tables: [
        { table: t('app_base'), rows: [{ app_id: 1 }] }, { table: t('scores'), rows: [{ app_id: 1, score_identifier: 'A', score: 1 }] },
        { table: t('app_base'), rows: [{ app_id: 2 }] }, { table: t('scores'), rows: [{ app_id: 2, score_identifier: 'A', score: 2 }] },
      ],
      log: [],
    }, model.processingLog);
    expect(b.tables.map((p) => [p.table.name, p.rows.map((r) => r[0])])).toEqual([['app_base', [1, 2]], ['scores', [1, 2]]]);
  });
});
