import { describe } from 'vitest';
import { postgresDb } from './pipeline-harness.js';
import { definePipelineSuite } from './pipeline-suite.js';

describe('pipeline on PostgreSQL (one schema for this file, dropped after)', () => {
  definePipelineSuite(postgresDb);
});
