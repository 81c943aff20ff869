import { describe } from 'vitest';
import { sqliteDb } from './pipeline-harness.js';
import { definePipelineSuite } from './pipeline-suite.js';

describe('pipeline on SQLite (temp file)', () => {
  definePipelineSuite(() => Promise.resolve(sqliteDb()));
});
