#!/usr/bin/env node
// SQL Server pipeline benchmark (issue #12): benchmarks/pipeline.mjs against the server in MSSQL_URL.
// Creates a scratch database (xmbench_<pid>_<random>) on that server, fills its app_xml with documents
// of the product's own generator (src/seed, seed 42, as `xmlmigrate seed` makes them; `--fixtures
// <dir>` for the XmlConversion reference documents instead), measures bare reads of the same documents
// (this process: keyset pages of 100 as strings; a fresh `node` process doing the same), times the
// built CLI `xmlmigrate run --limit N --workers W …` for each configuration of the sweep, and drops
// the database at the end (also after a failure or Ctrl-C).
//
// Usage: MSSQL_URL='mssql://user:pass@host:1433/master?encrypt=false&trustServerCertificate=true' \
//          node benchmarks/mssql-pipeline.mjs [--docs 750] [--limit 750] [--workers 1,2,4] [--batch 100]
//          [--pool off,on] [--read worker,parent] [--repeat 3] [--fixtures <dir>] [--server-pid <pid>]
//          [--out benchmarks/results/mssql-pipeline.json]
// Without MSSQL_URL it says it is skipped and exits 0. The password never reaches the command lines
// or files it writes: the CLI and the fresh read get it from XMLMIGRATE_TARGET_PASSWORD.
// `--server-pid`: the pid of a server on this machine whose children are its backends (e.g. the
// postmaster of a Babelfish cluster): its CPU over each run is reported.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { creationOrder } from '../dist/db/ddl-common.js';
import { options } from './fixture-source.mjs';
import { withScratchDatabase } from './mssql-scratch.mjs';
import { pipelineBenchmark } from './pipeline.mjs';

const argv = process.argv.slice(2);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
await withScratchDatabase('mssql-pipeline', 'xmbench', async ({ target, env, version, scratchPool, shownTarget }) => {
  await pipelineBenchmark(argv, {
    name: 'mssql-pipeline', target, env, defaultFixtures: 'none', shownTarget,
    command: `node benchmarks/mssql-pipeline.mjs ${argv.join(' ')}`.trim(),
    serverVersion: async () => version,
    freshRead: [path.join(root, 'benchmarks/fresh-read.mjs'), target, `${options(argv)('--schema', 'xmbench')}.app_xml`, 'xml'],
    async reset(_session, model) {
      const pool = await scratchPool();
      // children before parents: the reverse of the order the DDL creates them in
      for (const t of [model.processingLog, ...creationOrder(model.tables).reverse()]) await pool.request().query(`DELETE FROM [${t.schema}].[${t.name}]`);
    },
  });
});
