#!/usr/bin/env node
// `xmlmigrate verify` against `xmlmigrate run` on the same data (issue #11, part 2). For each dialect
// and app count: the source is seeded once with the product's generator (`xmlmigrate seed`, example
// contract); then, per round, the target is emptied, `run` migrates every app (the baseline, measured
// in the same session) and `verify` checks every app; wall time of each built-CLI process measured
// outside it, medians over the rounds. verify must exit 0 (an untouched target): the script stops
// otherwise.
//
// Usage: node benchmarks/verify.mjs [--dialects sqlite,postgres] [--apps 750,5000] [--workers 4]
//          [--repeat 3] [--target postgres://postgres@127.0.0.1:5432/test] [--schema xmbench_verify]
//          [--out benchmarks/results/verify.json]
// Needs `npm run build`. Prints the machine, the command and a table. Creates a temporary directory
// (SQLite files, contracts) and the PostgreSQL schema --schema; removes both at the end.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dropSchema, options } from './fixture-source.mjs';
import pg from 'pg';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'bin', 'xmlmigrate.js');
const opt = options();
const dialects = String(opt('--dialects', 'sqlite,postgres')).split(',');
const appCounts = String(opt('--apps', '750,5000')).split(',').map(Number);
const workers = String(opt('--workers', '4'));
const repeat = Number(opt('--repeat', '3'));
const pgUrl = opt('--target', 'postgres://postgres@127.0.0.1:5432/test');
const schema = opt('--schema', 'xmbench_verify');
const out = opt('--out', null);
if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`--schema: ${schema} is not a plain identifier`);
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

/** Runs the CLI; returns wall seconds and output; throws on an unexpected exit code. */
function xm(args, expectCode = 0) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== expectCode) throw new Error(`xmlmigrate ${args[0]} exited ${r.status} (expected ${expectCode}):\n${r.stdout}\n${r.stderr}`);
  return { secs, stdout: r.stdout };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xm-bench-verify-'));
const contract = path.join(tmp, 'contract.json');
fs.writeFileSync(contract, JSON.stringify({ ...JSON.parse(fs.readFileSync(path.join(root, 'contracts', 'credit-card.json'), 'utf8')), target_schema: schema }));
const TABLES_CHILD_FIRST = ['processing_log', 'indicators', 'scores', 'app_historical_lookup', 'app_report_results_lookup', 'app_contact_employment',
  'app_contact_address', 'app_transactional_cc', 'app_pricing_cc', 'app_operational_cc', 'app_contact_base', 'app_base'];

console.log(`machine: ${os.cpus()[0]?.model ?? '?'} × ${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GB, Node ${process.version}, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
console.log(`command: node benchmarks/verify.mjs ${process.argv.slice(2).join(' ')}`);
console.log(`each round: empty target → xmlmigrate run --workers ${workers} → xmlmigrate verify --workers ${workers}; ${repeat} rounds, medians\n`);

const results = [];
try {
  for (const dialect of dialects) {
    for (const apps of appCounts) {
      let target;
      let reset;
      if (dialect === 'sqlite') {
        const template = path.join(tmp, `source-${apps}.db`);
        xm(['seed', '--count', String(apps), '--contract', contract, '--target', `sqlite:${template}`, '--apply-schema', '--no-progress']);
        const file = path.join(tmp, `target-${apps}.db`);
        target = `sqlite:${file}`;
        reset = () => { for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true }); fs.copyFileSync(template, file); };
      } else if (dialect === 'postgres') {
        await dropSchema(pgUrl, schema);
        xm(['seed', '--count', String(apps), '--contract', contract, '--target', pgUrl, '--apply-schema', '--no-progress']);
        target = pgUrl;
        reset = async () => {
          const c = new pg.Client({ connectionString: pgUrl });
          await c.connect();
          try { await c.query(`TRUNCATE ${TABLES_CHILD_FIRST.map((t) => `"${schema}"."${t}"`).join(', ')}`); } finally { await c.end(); }
        };
      } else throw new Error(`--dialects: ${dialect} is not sqlite or postgres`);
      const runs = [];
      const verifies = [];
      let rows = null;
      for (let i = 0; i < repeat; i++) {
        await reset();
        runs.push(xm(['run', '--contract', contract, '--target', target, '--workers', workers, '--no-progress']).secs);
        const v = xm(['verify', '--contract', contract, '--target', target, '--workers', workers, '--no-progress']);
        verifies.push(v.secs);
        rows = /^rows: ([\d,]+) expected/m.exec(v.stdout)?.[1] ?? rows;
        if (!new RegExp(`^verify: all ${apps.toLocaleString('en-US')} apps match`, 'm').test(v.stdout)) throw new Error(`verify did not report a clean target:\n${v.stdout}`);
      }
      const r = {
        dialect, apps, rows, workers: Number(workers), repeat,
        runSeconds: +median(runs).toFixed(2), verifySeconds: +median(verifies).toFixed(2),
        runAppsPerSecond: Math.round(apps / median(runs)), verifyAppsPerSecond: Math.round(apps / median(verifies)),
        runs: runs.map((x) => +x.toFixed(2)), verifies: verifies.map((x) => +x.toFixed(2)),
      };
      results.push(r);
      console.log(`${dialect.padEnd(8)} ${String(apps).padStart(5)} apps (${rows} rows): run ${r.runSeconds} s (${r.runAppsPerSecond} apps/s) · verify ${r.verifySeconds} s (${r.verifyAppsPerSecond} apps/s) · verify/run ${(r.verifySeconds / r.runSeconds).toFixed(2)} · runs [${r.runs.join(', ')}] verifies [${r.verifies.join(', ')}]`);
      if (dialect === 'sqlite') for (const f of fs.readdirSync(tmp)) if (f.endsWith('.db') || f.includes('.db-')) fs.rmSync(path.join(tmp, f), { force: true });
    }
  }
} finally {
  if (dialects.includes('postgres')) await dropSchema(pgUrl, schema).catch(() => undefined);
  fs.rmSync(tmp, { recursive: true, force: true });
}
if (out) fs.writeFileSync(out, `${JSON.stringify({ machine: os.cpus()[0]?.model, cores: os.cpus().length, node: process.version, date: new Date().toISOString(), command: `node benchmarks/verify.mjs ${process.argv.slice(2).join(' ')}`, results }, null, 2)}\n`);
