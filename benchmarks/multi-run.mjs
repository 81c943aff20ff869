#!/usr/bin/env node
// Several runs on one migration (issue 11): the same data migrated by
//   A  1 run  × 4 workers                       (the baseline: one process tree),
//   B  2 runs × 2 workers, sharing through claims (what several hosts do, here on one machine),
//   C  2 runs × 2 workers with --no-claims        (before claims: both page everything and collide;
//                                                 processing_log rejects the second write),
// each configuration on an emptied target, rounds in rotating order, medians per configuration.
// Reported per configuration: wall time from the first start to the last exit, apps/min, apps written
// twice and rejected ("already logged", summed over the runs' --metrics-out), batch splits, claims.
//
// Usage: node benchmarks/multi-run.mjs [--target postgres://postgres@127.0.0.1:5432/test | sqlite]
//          [--docs 3000] [--batch 100] [--repeat 3] [--schema xmmulti] [--out benchmarks/results/multi-run.json]
// `--target sqlite` uses a temporary file. Documents come from the product's generator (example
// contract). Needs `npm run build`. Prints machine, command and a table.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { dropSchema, fixtureSource, options } from './fixture-source.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'bin', 'xmlmigrate.js');
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

const opt = options();
const docs = Number(opt('--docs', '3000'));
const batch = opt('--batch', '100');
const repeat = Number(opt('--repeat', '3'));
const schema = opt('--schema', 'xmmulti');
const out = opt('--out', null);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xm-multi-bench-'));
const targetOpt = opt('--target', 'postgres://postgres@127.0.0.1:5432/test');
const sqliteFile = targetOpt === 'sqlite' ? path.join(tmp, 'bench.db') : null;
const target = sqliteFile ? `sqlite:${sqliteFile}` : targetOpt;

const CONFIGS = [
  { name: '1 run × 4 workers', runs: 1, workers: 4, extra: [] },
  { name: '2 runs × 2 workers (claims)', runs: 2, workers: 2, extra: [] },
  { name: '2 runs × 2 workers (--no-claims)', runs: 2, workers: 2, extra: ['--no-claims'] },
];

function runCli(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: tmp, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`xmlmigrate ${args.join(' ')} exited ${code}: ${err}`))));
  });
}

async function main() {
  const { contract, model, session } = await fixtureSource({ target, schema, fixtures: null, docs });
  await session.close();
  const contractFile = path.join(tmp, 'contract.json');
  fs.writeFileSync(contractFile, JSON.stringify(contract));
  // children before app_base (foreign keys), then processing_log and the claim tables; the source stays
  const tables = [...[...model.tables].reverse(), model.processingLog, ...model.claimTables].map((t) => t.name);
  let serverVersion = 'SQLite (better-sqlite3)';
  let reset;
  let pgClient = null;
  if (sqliteFile) {
    reset = () => { const d = new Database(sqliteFile); try { for (const t of tables) d.exec(`DELETE FROM "${t}"`); } finally { d.close(); } };
  } else {
    pgClient = new pg.Client({ connectionString: target });
    await pgClient.connect();
    serverVersion = (await pgClient.query('SHOW server_version')).rows[0].server_version;
    reset = async () => { await pgClient.query(`TRUNCATE ${tables.map((t) => `"${schema}"."${t}"`).join(', ')} CASCADE`); };
  }
  const results = Object.fromEntries(CONFIGS.map((c) => [c.name, []]));
  for (let round = 0; round < repeat; round++) {
    // rotate the order so that no configuration always runs first (warm caches, a busy neighbour)
    const order = CONFIGS.map((_, i) => CONFIGS[(i + round) % CONFIGS.length]);
    for (const c of order) {
      await reset();
      const metrics = Array.from({ length: c.runs }, (_, i) => path.join(tmp, `m-${round}-${i}.json`));
      const t0 = performance.now();
      await Promise.all(metrics.map((m) => runCli(['run', '--contract', contractFile, '--target', target, '--no-progress',
        '--workers', String(c.workers), '--batch-size', batch, '--metrics-out', m, ...c.extra])));
      const wall = (performance.now() - t0) / 1000;
      const sums = metrics.map((m) => JSON.parse(fs.readFileSync(m, 'utf8')));
      const ok = sums.reduce((n, s) => n + s.apps.ok + s.apps.failed, 0);
      if (ok !== docs) throw new Error(`${c.name}: ${ok} apps processed, expected ${docs}`);
      results[c.name].push({
        wall, appsPerMinute: (docs / wall) * 60,
        alreadyLogged: sums.reduce((n, s) => n + s.apps.alreadyLogged, 0),
        splits: sums.reduce((n, s) => n + s.splits, 0),
        claims: sums.map((s) => s.claims?.claimed ?? 0).join('+'),
        perRun: sums.map((s) => s.apps.ok + s.apps.failed).join('+'),
      });
      process.stderr.write(`round ${round + 1}/${repeat} ${c.name}: ${wall.toFixed(2)} s\n`);
    }
  }
  await pgClient?.end();
  if (!sqliteFile) await dropSchema(target, schema);

  const cpu = os.cpus();
  const lines = [
    `machine: ${cpu[0]?.model ?? '?'} × ${cpu.length} (availableParallelism ${os.availableParallelism()}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GB, ${os.platform()} ${os.release()}, node ${process.version}, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`,
    `target: ${sqliteFile ? 'sqlite (temporary file)' : target.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@')} · ${serverVersion}`,
    `command: node benchmarks/multi-run.mjs ${process.argv.slice(2).join(' ')}`,
    `data: ${docs} generated documents (example contract), batch ${batch}; ${repeat} round(s), medians`,
    '',
    '| configuration | wall s (median) | apps/min | apps written twice (rejected) | batch splits | claims per run | apps per run |',
    '|---|---:|---:|---:|---:|---|---|',
  ];
  const summary = {};
  for (const c of CONFIGS) {
    const r = results[c.name];
    const wall = median(r.map((x) => x.wall));
    const mid = r.find((x) => x.wall === wall);
    summary[c.name] = { wallSeconds: wall, appsPerMinute: (docs / wall) * 60, rounds: r };
    lines.push(`| ${c.name} | ${wall.toFixed(2)} | ${Math.round((docs / wall) * 60)} | ${median(r.map((x) => x.alreadyLogged))} | ${median(r.map((x) => x.splits))} | ${mid.claims} | ${mid.perRun} |`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  if (out) fs.writeFileSync(out, `${JSON.stringify({ command: lines[2], machine: lines[0], target: lines[1], docs, batch, repeat, results: summary }, null, 2)}\n`);
}

main().then(() => fs.rmSync(tmp, { recursive: true, force: true }), (err) => {
  fs.rmSync(tmp, { recursive: true, force: true });
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exitCode = 1;
});
