#!/usr/bin/env node
// End-to-end `xmlmigrate run` benchmark against a real database (issue #3).
// Loads the successfully-mapping XmlConversion fixture documents, repeated under distinct app_ids,
// into a source table, then times the built CLI for each configuration of a sweep.
//
// Usage: node benchmarks/pipeline.mjs [--target postgres://postgres@127.0.0.1:5432/test] [--docs 750]
//          [--limit 750] [--workers 1,2,4] [--batch 25,50,100] [--pool off,on] [--read worker,parent]
//          [--repeat 3] [--schema xmbench] [--out benchmarks/results/pipeline.json]
// Needs `npm run build` and ../shared/fixtures/xmlconversion. Prints machine, command and a table.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dropSchema, fixtureSource, options } from './fixture-source.mjs';

const args = process.argv.slice(2);
const opt = options(args);
const list = (n, d) => String(opt(n, d)).split(',');
const target = opt('--target', 'postgres://postgres@127.0.0.1:5432/test');
const docsN = Number(opt('--docs', '750'));
const limit = Number(opt('--limit', String(docsN)));
const repeat = Number(opt('--repeat', '3'));
const schema = opt('--schema', 'xmbench');
const out = opt('--out', null);
const fixtures = path.resolve(opt('--fixtures', '../shared/fixtures/xmlconversion'));
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

// the benchmark schema with an app_xml source table; the CLI gets the same contract from a file
const { contract, session, bytes } = await fixtureSource({ target, schema, fixtures, docs: docsN });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xmbench-'));
const contractFile = path.join(tmp, 'contract.json');
fs.writeFileSync(contractFile, JSON.stringify(contract));
const dialect = target.split(':')[0];
async function sql(text) {
  if (dialect.startsWith('postgres')) execFileSync('psql', [target, '-q', '-c', text], { stdio: ['ignore', 'ignore', 'inherit'] });
}
// baselines: just read the same XML values out of the source table — first in this (warm) process:
//  - strings: keyset pages of 100 through the driver's normal query path (readSourcePage);
//  - bytes: keyset pages of 100 ids, documents by chunks of 16 as raw UTF-8 bytes (PostgreSQL binary
//    COPY, readSourceBytesByIds) — the fastest read the product has, which is what its workers do.
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
async function timeRead(fn) {
  const times = [];
  for (let r = 0; r < repeat; r++) { const t = performance.now(); await fn(); times.push((performance.now() - t) / 1000); }
  return median(times);
}
const readSeconds = await timeRead(async () => {
  let n = 0; let last = 0;
  for (;;) { const page = await session.readSourcePage({ afterAppId: last, limit: 100, excludeLogged: false }); if (!page.length) break; n += page.length; last = page.at(-1).appId; if (n >= limit) break; }
});
const readBytesSeconds = session.readSourceBytesByIds ? await timeRead(async () => {
  let n = 0; let last = 0;
  for (;;) {
    const ids = await session.readSourceIds({ afterAppId: last, limit: 100, excludeLogged: false });
    if (!ids.length) break;
    for (let i = 0; i < ids.length; i += 16) await session.readSourceBytesByIds(ids.slice(i, i + 16));
    n += ids.length; last = ids.at(-1); if (n >= limit) break;
  }
}) : null;
//  - fresh process: benchmarks/fresh-read.mjs, a new `node` process that connects and reads the same
//    values through pg, timed from spawn to exit — measured the way the run itself is measured.
const freshReadSeconds = dialect.startsWith('postgres') ? await timeRead(async () => {
  const p = spawnSync(process.execPath, [path.join(root, 'benchmarks/fresh-read.mjs'), target, `${schema}.${contract.source_table}`, contract.source_column, String(limit)], { encoding: 'utf8' });
  if (p.status !== 0) throw new Error(`fresh-read.mjs failed: ${p.stderr}`);
}) : null;
console.log(JSON.stringify({ readOnlySeconds: +readSeconds.toFixed(3), readBytesSeconds: readBytesSeconds && +readBytesSeconds.toFixed(3), freshReadSeconds: freshReadSeconds && +freshReadSeconds.toFixed(3) }));

async function reset() {
  if (dialect.startsWith('postgres')) await sql(`TRUNCATE ${schema}.processing_log, ${schema}.app_base CASCADE`);
  else await session.deleteFailedLog();
}

const results = [];
for (const workers of list('--workers', '4')) for (const batch of list('--batch', '50')) for (const pool of list('--pool', 'off')) for (const read of list('--read', 'worker')) {
  const walls = [];
  let rss = 0; let summary = null;
  for (let r = 0; r < repeat; r++) {
    await reset();
    const metrics = path.join(tmp, 'm.json');
    const cliArgs = ['run', '--contract', contractFile, '--target', target, '--limit', String(limit), '--workers', workers, '--batch-size', batch, pool === 'on' ? '--pool' : '--no-pool', '--read-mode', read, '--no-progress', '--metrics-out', metrics];
    const t = performance.now();
    const p = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, path.join(root, 'bin/xmlmigrate.js'), ...cliArgs], { encoding: 'utf8' });
    const wall = (performance.now() - t) / 1000;
    if (p.status !== 0) { console.error(p.stdout, p.stderr); process.exit(1); }
    rss = Math.max(rss, Number(p.stderr.trim().split('\n').at(-1)) / 1024);
    summary = JSON.parse(fs.readFileSync(metrics, 'utf8'));
    walls.push(wall);
  }
  const wall = median(walls);
  const row = { workers: Number(workers), batch: Number(batch), pool, read, wallSeconds: +wall.toFixed(3), walls: walls.map((w) => +w.toFixed(3)), appsPerMinute: Math.round(limit / wall * 60), vsReadOnly: +(wall / readSeconds).toFixed(2), vsReadBytes: readBytesSeconds && +(wall / readBytesSeconds).toFixed(2), vsFreshRead: freshReadSeconds && +(wall / freshReadSeconds).toFixed(2), peakRssMb: Math.round(rss), ok: summary.apps.ok };
  results.push(row);
  console.log(JSON.stringify(row));
}
await session.close();
if (dialect.startsWith('postgres')) await dropSchema(target, schema);
const report = {
  benchmark: 'pipeline', command: `node benchmarks/pipeline.mjs ${args.join(' ')}`.trim(),
  machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, memGb: Math.round(os.totalmem() / 2 ** 30), node: process.version },
  target: target.replace(/:[^:@/]*@/, ':***@'), documents: docsN, sourceMb: +(bytes / 1e6).toFixed(1), limit, repeat,
  readOnlySeconds: +readSeconds.toFixed(3), readBytesSeconds: readBytesSeconds && +readBytesSeconds.toFixed(3), freshReadSeconds: freshReadSeconds && +freshReadSeconds.toFixed(3), results,
};
console.log(JSON.stringify({ ...report, results: undefined }, null, 1));
if (out) fs.writeFileSync(out, JSON.stringify(report, null, 2));
fs.rmSync(tmp, { recursive: true, force: true });
