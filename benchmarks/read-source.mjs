#!/usr/bin/env node
// Source-read benchmark (PostgreSQL): pg strings (readSourceByIds / readSourcePage) against binary
// COPY bytes (readSourceBytesByIds), in one process, on the same documents.
// Loads the successfully-mapping XmlConversion fixture documents, repeated under distinct app_ids
// (the same way as benchmarks/pipeline.mjs), into a scratch schema, then times reading all of them
// by chunks of 16 ids (what a worker does) and by keyset pages of 100 (what a parent-read run does).
//
// Usage: node benchmarks/read-source.mjs [--target postgres://postgres@127.0.0.1:5432/test]
//          [--docs 750] [--repeat 3] [--schema xmbench_read] [--fixtures ../shared/fixtures/xmlconversion]
// Needs `npm run build`. Prints machine, command, median seconds and MB/s per method; drops the schema.
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { dropSchema, fixtureSource, options } from './fixture-source.mjs';

const args = process.argv.slice(2);
const opt = options(args);
const target = opt('--target', 'postgres://postgres@127.0.0.1:5432/test');
const docsN = Number(opt('--docs', '750'));
const repeat = Number(opt('--repeat', '3'));
const schema = opt('--schema', `xmbench_read_${process.pid}`);
const fixtures = path.resolve(opt('--fixtures', '../shared/fixtures/xmlconversion'));
if (!/^postgres(ql)?:/.test(target)) throw new Error('read-source.mjs: --target must be a postgres:// URL (binary COPY is PostgreSQL only)');

// Contract copy pointing at the scratch schema and an app_xml source table (as pipeline.mjs).
const { session, base, bytes } = await fixtureSource({ target, schema, fixtures, docs: docsN });
const admin = new pg.Client({ connectionString: target });
await admin.connect();
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
try {
  await admin.query(`VACUUM ANALYZE "${schema}"."app_xml"`);
  const ids = [];
  for (let last = 0; ;) {
    const page = await session.readSourceIds({ afterAppId: last, limit: 1000, excludeLogged: false });
    if (!page.length) break;
    ids.push(...page);
    last = page.at(-1);
  }
  const chunks16 = [];
  for (let i = 0; i < ids.length; i += 16) chunks16.push(ids.slice(i, i + 16));

  // Pages by keyset until a page is empty; `take(page)` returns [byte sizes of its documents, last id].
  async function keyset(fetchPage, take) {
    let n = 0; let b = 0;
    for (let last = 0; ;) {
      const page = await fetchPage(last);
      if (!page.length) break;
      const [sizes, lastId] = await take(page);
      n += sizes.length; b += sizes.reduce((x, y) => x + y, 0); last = lastId;
    }
    return [n, b];
  }
  // Each method returns [documents, bytes] read, so every run is checked against the source.
  const methods = {
    'strings, chunks of 16 (readSourceByIds)': async () => {
      let n = 0; let b = 0;
      for (const c of chunks16) for (const r of await session.readSourceByIds(c)) { n++; b += Buffer.byteLength(r.xml); }
      return [n, b];
    },
    'bytes, chunks of 16 (readSourceBytesByIds)': async () => {
      let n = 0; let b = 0;
      for (const c of chunks16) for (const r of await session.readSourceBytesByIds(c)) { n++; b += r.bytes.length; }
      return [n, b];
    },
    'strings, keyset pages of 100 (readSourcePage)': () => keyset(
      (last) => session.readSourcePage({ afterAppId: last, limit: 100, excludeLogged: false }),
      async (page) => [page.map((r) => Buffer.byteLength(r.xml)), page.at(-1).appId]),
    'bytes, keyset pages of 100 (readSourceIds + readSourceBytesByIds)': () => keyset(
      (last) => session.readSourceIds({ afterAppId: last, limit: 100, excludeLogged: false }),
      async (page) => [(await session.readSourceBytesByIds(page)).map((r) => r.bytes.length), page.at(-1)]),
  };
  const times = Object.fromEntries(Object.keys(methods).map((k) => [k, []]));
  for (let r = -1; r < repeat; r++) { // round -1 warms up every method (not timed)
    for (const [name, run] of Object.entries(methods)) {
      const t = performance.now();
      const [n, b] = await run();
      const s = (performance.now() - t) / 1000;
      if (n !== docsN || b !== bytes) throw new Error(`${name}: read ${n} documents / ${b} bytes, expected ${docsN} / ${bytes}`);
      if (r >= 0) times[name].push(s);
    }
  }
  const cpus = os.cpus();
  console.log(`machine: ${cpus[0]?.model ?? 'unknown cpu'}, ${cpus.length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GB, node ${process.version}, ${os.platform()} ${os.release()}`);
  console.log(`command: node benchmarks/read-source.mjs ${args.join(' ')}`.trim());
  console.log(`target: ${target.replace(/:[^:@/]*@/, ':***@')}; ${docsN} documents (${base.length} fixtures repeated), ${(bytes / 1e6).toFixed(1)} MB of UTF-8; median of ${repeat} runs after one warm-up`);
  for (const [name, ts] of Object.entries(times)) {
    const m = median(ts);
    console.log(`${name.padEnd(68)} ${m.toFixed(3)} s  ${(bytes / 1e6 / m).toFixed(0).padStart(5)} MB/s   runs ${ts.map((x) => x.toFixed(3)).join(' ')}`);
  }
} finally {
  await session.close();
  await admin.end();
  await dropSchema(target, schema);
}
