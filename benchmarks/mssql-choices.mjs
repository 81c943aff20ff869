#!/usr/bin/env node
// SQL Server: measures the choices of the read and write paths on the server in MSSQL_URL, in one
// process, on the same documents (issue #12: "measure the choices instead of guessing").
// Fills a scratch database with generated documents (as `xmlmigrate seed`), maps them once, and times,
// alternating, medians of --repeat passes:
//   primitives — one round trip (SELECT 1); an empty transaction (begin + commit); SET XACT_ABORT ON;
//                the writer's catalog queries (columns, unique keys);
//   reads      — all documents by chunks of 16 ids (what a worker does): nvarchar strings (the
//                product's read), CAST(… AS varbinary(max)) bytes, and keyset pages of 100 strings;
//   writes     — the rows of all apps in transactions of --batch apps, every table + processing_log:
//                bulk      the product's writer (one TDS bulk load per table);
//                values    multi-row parameterised INSERT … VALUES per table (≤ 2,000 parameters each);
//                values1   the same statements packed into as few requests as the 2,100-parameter limit allows;
//                json      one INSERT … SELECT … FROM OPENJSON(@j) WITH (…) per table;
//                json1     all of those in one request.
// Usage: MSSQL_URL=… node benchmarks/mssql-choices.mjs [--docs 300] [--batch 100] [--repeat 3] [--only reads,writes,primitives]
// Needs `npm run build`. Skips (exit 0) without MSSQL_URL. Prints machine, server, command, medians.
import os from 'node:os';
import sql from 'mssql';
import { prepareBatch } from '../dist/db/batch-prep.js';
import { openTarget } from '../dist/db/create-dialect.js';
import { mssqlDriverTypes } from '../dist/db/mssql/mssql-dialect.js';
import { mssqlColumnsSql, mssqlUniqueSql, planMssqlTable } from '../dist/db/mssql/mssql-plan.js';
import { mssqlTypeSql } from '../dist/db/mssql/mssql-types.js';
import { runStatement, writeMssqlBatch } from '../dist/db/mssql/mssql-writer.js';
import { buildSchemaModel } from '../dist/db/schema-model.js';
import { creationOrder } from '../dist/db/ddl-common.js';
import { DataMapper } from '../dist/mapping/data-mapper.js';
import { compilePlan } from '../dist/mapping/plan.js';
import { exampleContract, fillGenerated, options } from './fixture-source.mjs';
import { poolConfig, withScratchDatabase } from './mssql-scratch.mjs';

const argv = process.argv.slice(2);
const opt = options(argv);
const docsN = Number(opt('--docs', '300'));
const batchSize = Number(opt('--batch', '100'));
const repeat = Number(opt('--repeat', '3'));
const only = String(opt('--only', 'primitives,reads,writes')).split(',');
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const types = mssqlDriverTypes(sql);

await withScratchDatabase('mssql-choices', 'xmchoice', async ({ cfg, database, version }) => {
  const contract = exampleContract('xmbench');
  const model = buildSchemaModel(contract);
  const session = await openTarget({ ...cfg, database, password: cfg.password, params: cfg.params, dialect: 'mssql', host: cfg.host, port: cfg.port, user: cfg.user, redacted: '' }, model, { poolMax: 1 });
  await session.applySchema({ includeSource: true });
  const bytes = await fillGenerated(session, docsN);
  const pool = await new sql.ConnectionPool(poolConfig(cfg, database)).connect();
  const results = {};
  const time = async (name, fn, before) => {
    const walls = []; const cpus = [];
    for (let r = 0; r < repeat; r++) {
      if (before) await before();
      const c0 = process.cpuUsage(); const t0 = performance.now();
      await fn();
      walls.push(performance.now() - t0); const c = process.cpuUsage(c0); cpus.push((c.user + c.system) / 1000);
    }
    results[name] = { wallMs: Math.round(median(walls)), clientCpuMs: Math.round(median(cpus)), walls: walls.map(Math.round) };
    console.log(name.padEnd(34), JSON.stringify(results[name]));
  };
  const ids = (await pool.request().query('SELECT app_id FROM xmbench.app_xml ORDER BY app_id')).recordset.map((r) => r.app_id);

  if (only.includes('primitives')) {
    await time('50 × SELECT 1', async () => { for (let i = 0; i < 50; i++) await pool.request().query('SELECT 1 AS one'); });
    await time('50 × begin + commit', async () => { for (let i = 0; i < 50; i++) { const tx = pool.transaction(); await tx.begin(); await tx.commit(); } });
    await time('50 × SET XACT_ABORT ON', async () => { for (let i = 0; i < 50; i++) await pool.request().query('SET XACT_ABORT ON'); });
    await time('catalog: columns', () => runStatement(pool.request(), mssqlColumnsSql(model), types));
    await time('catalog: unique keys', () => runStatement(pool.request(), mssqlUniqueSql(model), types));
  }

  if (only.includes('reads')) {
    const byIds = (col) => async () => {
      for (let i = 0; i < ids.length; i += 16) {
        const req = pool.request(); const chunk = ids.slice(i, i + 16);
        chunk.forEach((id, k) => req.input(`p${k}`, sql.BigInt, id));
        const r = await req.query(`SELECT app_id, ${col} AS xml FROM xmbench.app_xml WHERE app_id IN (${chunk.map((_, k) => `@p${k}`).join(', ')}) ORDER BY app_id`);
        if (r.recordset.length !== chunk.length) throw new Error('short read');
      }
    };
    await time(`read ${ids.length}: 16 ids, nvarchar`, byIds('xml'));
    await time(`read ${ids.length}: 16 ids, varbinary`, byIds('CAST(xml AS varbinary(max))'));
    await time(`read ${ids.length}: 16 ids, product`, async () => { for (let i = 0; i < ids.length; i += 16) await session.readSourceByIds(ids.slice(i, i + 16)); });
    await time(`read ${ids.length}: pages of 100`, async () => { let last = 0; for (;;) { const p = await session.readSourcePage({ afterAppId: last, limit: 100, excludeLogged: false }); if (!p.length) break; last = p.at(-1).appId; } });
  }

  if (only.includes('writes')) {
    const mapper = new DataMapper(compilePlan(contract));
    const docs = [];
    for (let i = 0; i < ids.length; i += 16) for (const r of await session.readSourceByIds(ids.slice(i, i + 16))) docs.push(r);
    const mapped = [];
    for (const d of docs) { try { mapped.push(mapper.map(d.xml)); } catch { /* a failing document has no rows */ } }
    const batches = [];
    for (let i = 0; i < mapped.length; i += batchSize) {
      const byTable = new Map(); const log = [];
      for (const m of mapped.slice(i, i + batchSize)) {
        for (const [t, rows] of m.tables) { if (!byTable.has(t)) byTable.set(t, []); for (const r of rows) byTable.get(t).push(r.app_id === undefined ? { ...r, app_id: m.appId } : r); }
        log.push({ appId: m.appId, status: 'success', runId: 'bench', workerId: 1 });
      }
      batches.push({ tables: model.tables.filter((t) => byTable.get(t.name)?.length).map((t) => ({ table: t, rows: byTable.get(t.name) })), log });
    }
    const rowCount = batches.reduce((n, b) => n + b.log.length + b.tables.reduce((k, t) => k + t.rows.length, 0), 0);
    console.log(`writes: ${mapped.length} apps, ${batches.length} batches of ≤ ${batchSize}, ${rowCount} rows`);
    const reset = async () => { for (const t of [model.processingLog, ...creationOrder(model.tables).reverse()]) await pool.request().query(`DELETE FROM [${t.schema}].[${t.name}]`); };
    const plans = (b) => { const p = prepareBatch(b, model.processingLog); return [...p.tables, p.log].map((pt) => planMssqlTable(pt)); };
    const loads = (b) => plans(b).map((pl) => pl.steps.find((s) => s.kind === 'bulk').load);
    // multi-row INSERT … VALUES with typed parameters, ≤ 2,000 per statement
    const valuesStatements = (load) => {
      const size = Math.max(1, Math.min(1000, Math.floor(2000 / load.columns.length)));
      const out = [];
      for (let i = 0; i < load.rows.length; i += size) {
        const params = [];
        const tuples = load.rows.slice(i, i + size).map((row) => `(${load.columns.map((c, k) => {
          const v = row[k]; if (v === null || v === undefined) return 'DEFAULT';
          params.push({ type: c.type, value: v }); return `@p${params.length - 1}`;
        }).join(', ')})`);
        out.push({ head: `INSERT INTO ${load.path} (${load.columns.map((c) => `[${c.name}]`).join(', ')}) VALUES `, tuples, params });
      }
      return out;
    };
    const runPacked = async (tx, stmts, one) => {
      let text = []; let params = []; const flush = async () => {
        if (!text.length) return; const req = tx.request();
        params.forEach((p, k) => req.input(`p${k}`, types.type(p.type), p.value));
        await req.query(text.join(';\n')); text = []; params = [];
      };
      for (const s of stmts) {
        if (!one || params.length + s.params.length > 2000) await flush();
        const base = params.length;
        text.push(s.head + s.tuples.map((t) => t.replace(/@p(\d+)/g, (_, n) => `@p${base + Number(n)}`)).join(', '));
        params.push(...s.params);
      }
      await flush();
    };
    const jsonValue = (v) => {
      if (v instanceof Date) { const us = Math.round((v.nanosecondDelta ?? 0) * 1e6); return v.toISOString().replace('Z', '').replace(/\.(\d{3})$/, (_, ms) => `.${ms}${String(us).padStart(3, '0')}`); }
      if (typeof v === 'bigint') return v.toString();
      if (typeof v === 'boolean') return v ? 1 : 0;
      if (v && typeof v === 'object' && 'inexactDecimal' in v) return v.inexactDecimal;
      return v;
    };
    const jsonStatement = (load) => ({
      text: `INSERT INTO ${load.path} (${load.columns.map((c) => `[${c.name}]`).join(', ')}) SELECT ${load.columns.map((c) => `[${c.name}]`).join(', ')} FROM OPENJSON(@j) WITH (${load.columns.map((c, k) => `[${c.name}] ${mssqlTypeSql(c.type)} '$[${k}]'`).join(', ')})`,
      json: JSON.stringify(load.rows.map((row) => row.map(jsonValue))),
    });
    const ways = {
      bulk: async (b) => { await writeMssqlBatch(pool, types, prepareBatch(b, model.processingLog)); },
      values: async (b) => { const tx = pool.transaction(); await tx.begin(); await tx.request().query('SET XACT_ABORT ON'); for (const l of loads(b)) await runPacked(tx, valuesStatements(l), false); await tx.commit(); },
      values1: async (b) => { const tx = pool.transaction(); await tx.begin(); await runPacked(tx, [{ head: 'SET XACT_ABORT ON', tuples: [], params: [] }, ...loads(b).flatMap(valuesStatements)], true); await tx.commit(); },
      json: async (b) => { const tx = pool.transaction(); await tx.begin(); await tx.request().query('SET XACT_ABORT ON'); for (const l of loads(b)) { const s = jsonStatement(l); await tx.request().input('j', sql.NVarChar(sql.MAX), s.json).query(s.text); } await tx.commit(); },
      json1: async (b) => {
        const tx = pool.transaction(); await tx.begin(); const req = tx.request(); const stmts = loads(b).map(jsonStatement);
        stmts.forEach((s, k) => req.input(`j${k}`, sql.NVarChar(sql.MAX), s.json));
        await req.query(['SET XACT_ABORT ON', ...stmts.map((s, k) => s.text.replace('@j', `@j${k}`))].join(';\n')); await tx.commit();
      },
    };
    const checkTable = creationOrder(model.tables).at(-1);
    for (let r = 0; r < repeat; r++) {
      for (const [name, write] of Object.entries(ways)) {
        if (only.length > 3 && !only.includes(name)) continue;
        await reset();
        const c0 = process.cpuUsage(); const t0 = performance.now();
        try { for (const b of batches) await write(b); } catch (err) { console.log(`${name}: ${err.message}`); results[`write ${name}`] = { error: err.message }; continue; }
        const wall = performance.now() - t0; const c = process.cpuUsage(c0);
        const n = (await pool.request().query(`SELECT (SELECT COUNT(*) FROM xmbench.processing_log) AS logs, (SELECT COUNT(*) FROM [xmbench].[${checkTable.name}]) AS last`)).recordset[0];
        const k = `write ${name}`;
        (results[k] ??= { runs: [] }).runs.push({ wallMs: Math.round(wall), clientCpuMs: Math.round((c.user + c.system) / 1000), ...n });
        console.log(k.padEnd(34), JSON.stringify(results[k].runs.at(-1)));
      }
    }
    for (const [k, v] of Object.entries(results)) if (k.startsWith('write ') && v.runs) Object.assign(v, { wallMs: median(v.runs.map((x) => x.wallMs)), clientCpuMs: median(v.runs.map((x) => x.clientCpuMs)) });
  }
  await pool.close();
  await session.close();
  console.log(JSON.stringify({
    benchmark: 'mssql-choices', command: `node benchmarks/mssql-choices.mjs ${argv.join(' ')}`.trim(),
    machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, node: process.version, loadAverage: os.loadavg().map((x) => +x.toFixed(1)) },
    server: version, documents: docsN, sourceMb: +(bytes / 1e6).toFixed(1), batch: batchSize, repeat,
    medians: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v.error ? v : { wallMs: v.wallMs, clientCpuMs: v.clientCpuMs }])),
  }, null, 1));
});
