/** Shared fixtures for the db unit tests. */
import { readFileSync } from 'node:fs';
import { buildSchemaModel } from '../../../src/db/schema-model.js';
import { findTable, type SchemaModel, type TableModel } from '../../../src/db/schema-types.js';
import type { MappingContract } from '../../../src/mapping/contract-types.js';

/** The db-small test contract. */
export const smallContract = JSON.parse(readFileSync(new URL('../../fixtures/contracts/db-small.json', import.meta.url), 'utf8')) as MappingContract;
/** Its schema model (schema `xm_small`). */
export const smallModel: SchemaModel = buildSchemaModel(smallContract);
/** A table of {@link smallModel} by name. */
export function tableOf(name: string, model: SchemaModel = smallModel): TableModel {
  const t = findTable(model, name);
  if (!t) throw new Error(`no table ${name}`);
  return t;
}
