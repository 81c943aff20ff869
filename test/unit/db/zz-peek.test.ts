import { readFileSync } from 'node:fs';
import { it } from 'vitest';
import { buildSchemaModel } from '../../../src/db/schema-model.js';
import { renderDdl } from '../../../src/db/create-dialect.js';
it('peek', async () => {
  const c = JSON.parse(readFileSync('/work/shared/fixtures/xmlconversion/contract-cc.json', 'utf8'));
  const m = buildSchemaModel(c);
  console.log(m.warnings);
  for (const t of m.tables) console.log(t.name, t.role, t.primaryKey.join(','), t.duplicatePolicy, t.columns.length);
  console.log((await renderDdl('sqlite', m)).slice(0, 3).join(';\n'));
  const s = buildSchemaModel(JSON.parse(readFileSync('/work/main/test/fixtures/contracts/db-small.json', 'utf8')));
  console.log(s.warnings);
  console.log((await renderDdl('sqlite', s)).join(';\n'));
});
