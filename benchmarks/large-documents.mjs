#!/usr/bin/env node
// Time and peak memory of `xmlmigrate run` on single large documents (issue #9, item 4): a complete
// generated document (src/seed/generator.ts) enlarged to 4/8/16/32/60 MB with thousands of contacts
// (its first contact repeated under distinct con_ids, each with its addresses and employments), one
// document per run, through the built CLI with one worker (--workers), on SQLite and on PostgreSQL when reachable.
// With --docs N each run migrates N documents of the size (e.g. the parent's worst case in
// --read-mode parent: many documents of a few MB). Reports per size: wall time of the CLI, the worker's parse+map time, the parent's peak RSS
// (--metrics-out peakRssMb and /proc VmHWM) and the worker's (/proc VmHWM).
//
// Usage: node benchmarks/large-documents.mjs [--sizes 4,8,16,32,60] [--targets sqlite,postgres]
//          [--pg postgres://postgres@127.0.0.1:5432/test] [--docs 1] [--workers 1] [--read-budget-mb 32] [--read-mode worker|parent]
//          [--out benchmarks/results/large-documents.json]
// Needs `npm run build`. Prints the machine, the command and a table; writes the JSON report.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openTarget } from '../dist/db/create-dialect.js';
import { buildSchemaModel } from '../dist/db/schema-model.js';
import { generateDocument } from '../dist/seed/generator.js';
import { options } from './fixture-source.mjs';

const opt = options();
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const sizes = String(opt('--sizes', '4,8,16,32,60')).split(',').map(Number);
const targets = String(opt('--targets', 'sqlite,postgres')).split(',');
const pgUrl = opt('--pg', 'postgres://postgres@127.0.0.1:5432/test');
const docsPerRun = Number(opt('--docs', '1'));
const workers = String(opt('--workers', '1'));
const budget = opt('--read-budget-mb', null);
const readMode = opt('--read-mode', 'worker');
const out = opt('--out', path.join(root, 'benchmarks', 'results', 'large-documents.json'));
const contractBase = JSON.parse(fs.readFileSync(path.join(root, 'contracts', 'credit-card.json'), 'utf8'));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xm-bench-large-'));

/** A complete document of about `bytes` UTF-8 bytes: its first contact repeated under new con_ids. */
function largeDocument(appId, bytes) {
  const base = generateDocument(appId, 4242, { targetBytes: 6000, complete: true });
  const contact = /<contact\b[\s\S]*?<\/contact>/.exec(base)?.[0];
  if (!contact) throw new Error('the generated document has no <contact> element');
  const n = Math.max(1, Math.ceil((bytes - Buffer.byteLength(base)) / Buffer.byteLength(contact)));
  const copies = [];
  for (let i = 0; i < n; i++) copies.push(contact.replace(/con_id="[^"]*"/, `con_id="${appId * 1_000_000 + 100 + i}"`));
  return { xml: base.replace(contact, contact + copies.join('')), contacts: n + (base.match(/<contact\b/g)?.length ?? 0) };
}

/** Peak VmHWM (kB) of every process in process group `pgid`, polled every 20 ms until `stop()`. */
function watchGroup(pgid) {
  const peak = new Map();
  const timer = setInterval(() => {
    for (const name of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
        if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) !== pgid) continue;
        const kb = Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${name}/status`, 'utf8'))?.[1] ?? 0);
        if (kb > (peak.get(Number(name)) ?? 0)) peak.set(Number(name), kb);
      } catch { /* exited */ }
    }
  }, 20);
  return { peak, stop: () => clearInterval(timer) };
}

/** Runs the CLI on `target` with `contractFile`; wall time and peaks. */
function runCli(contractFile, target) {
  const metrics = path.join(tmp, `metrics-${Date.now()}.json`);
  const args = ['run', '--contract', contractFile, '--target', target, '--workers', workers, '--no-progress', '--metrics-out', metrics, '--read-mode', readMode, ...(budget ? ['--read-budget-mb', budget] : [])];
  const t0 = performance.now();
  const child = spawn(process.execPath, [path.join(root, 'bin', 'xmlmigrate.js'), ...args], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const watch = watchGroup(child.pid);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      watch.stop();
      const wall = (performance.now() - t0) / 1000;
      if (code !== 0) { reject(new Error(`xmlmigrate exited ${code}: ${stderr}`)); return; }
      const m = JSON.parse(fs.readFileSync(metrics, 'utf8'));
      const workerPeaks = [...watch.peak].filter(([pid]) => pid !== child.pid).map(([, kb]) => kb / 1024);
      resolve({
        command: `xmlmigrate ${args.join(' ').replace(/\/\/[^@/]*@/, '//')}`, wallSeconds: +wall.toFixed(2), parseMapSeconds: +(m.phasesMs.parseMap / 1000).toFixed(2),
        readSeconds: +(m.phasesMs.workerRead / 1000).toFixed(2), writeSeconds: +(m.phasesMs.write / 1000).toFixed(2),
        parentPeakRssMb: m.peakRssMb, parentVmHwmMb: Math.round((watch.peak.get(child.pid) ?? 0) / 1024), workerVmHwmMb: Math.round(Math.max(0, ...workerPeaks)),
        rows: Object.values(m.rowsByTable).reduce((a, b) => a + b, 0), ok: m.apps.ok,
      });
    });
  });
}

async function pgReachable() {
  const c = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 3000 });
  try { await c.connect(); await c.query('SELECT 1'); return true; } catch { return false; } finally { await c.end().catch(() => undefined); }
}

async function benchOne(dialect, mb) {
  const { contacts } = largeDocument(1, mb * 1e6);
  let bytes = 0;
  let target;
  let contract = contractBase;
  let cleanup = async () => undefined;
  if (dialect === 'sqlite') {
    const file = path.join(tmp, `large-${mb}.db`);
    target = `sqlite:${file}`;
    cleanup = async () => { for (const f of fs.readdirSync(tmp).filter((x) => x.startsWith(`large-${mb}.db`))) fs.rmSync(path.join(tmp, f), { force: true }); };
  } else {
    const schema = `xm_bench_large_${process.pid}_${randomBytes(3).toString('hex')}`;
    contract = { ...contractBase, target_schema: schema };
    target = pgUrl;
    cleanup = async () => {
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      try { await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`); } finally { await c.end(); }
    };
  }
  const contractFile = path.join(tmp, `contract-${dialect}-${mb}.json`);
  fs.writeFileSync(contractFile, JSON.stringify(contract));
  try {
    const s = await openTarget(target, buildSchemaModel(contract));
    try {
      await s.applySchema({ includeSource: true });
      for (let appId = 1; appId <= docsPerRun; appId++) {
        const { xml } = largeDocument(appId, mb * 1e6);
        bytes += Buffer.byteLength(xml);
        await s.insertSource([{ appId, xml }]);
      }
    } finally {
      await s.close();
    }
    return { dialect, sizeMb: mb, documents: docsPerRun, bytes, contactsPerDocument: contacts, ...(await runCli(contractFile, target)) };
  } finally {
    await cleanup();
  }
}

const results = [];
const dialects = [];
for (const t of targets) {
  if (t === 'postgres' && !(await pgReachable())) { console.log(`PostgreSQL at ${pgUrl.replace(/\/\/[^@/]*@/, '//')} not reachable: skipped`); continue; }
  dialects.push(t);
}
const load = os.loadavg();
for (const dialect of dialects) {
  for (const mb of sizes) {
    const r = await benchOne(dialect, mb);
    results.push(r);
    console.log(`${dialect.padEnd(8)} ${String(mb).padStart(3)} MB  × ${r.documents}  ${String(r.contactsPerDocument).padStart(6)} contacts  wall ${r.wallSeconds.toFixed(2).padStart(6)} s  parse+map ${r.parseMapSeconds.toFixed(2).padStart(6)} s  parent ${r.parentVmHwmMb} MB (summary ${r.parentPeakRssMb})  worker ${r.workerVmHwmMb} MB`);
  }
}
fs.rmSync(tmp, { recursive: true, force: true });
const report = {
  benchmark: 'large-documents', date: new Date().toISOString(),
  command: `node benchmarks/large-documents.mjs ${process.argv.slice(2).join(' ')}`.trim(),
  machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, memGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadAverageAtStart: load.map((x) => +x.toFixed(2)) },
  readBudgetMb: budget === null ? 'default' : Number(budget), readMode, documentsPerRun: docsPerRun, workers: Number(workers), results,
};
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
console.log(JSON.stringify({ ...report, results: undefined }));
console.log(`written ${path.relative(process.cwd(), out)}`);
