#!/usr/bin/env node
// End-to-end `xmlmigrate run` benchmark against a real database (issue #3; SQL Server: issue #12).
// Fills a source table (the successfully-mapping XmlConversion fixture documents repeated under
// distinct app_ids, or — `--fixtures none` — documents of the product's own generator under the
// example contract), measures bare reads of the same documents as baselines, then times the built
// CLI for each configuration of a sweep.
//
// Usage: node benchmarks/pipeline.mjs [--target postgres://postgres@127.0.0.1:5432/test] [--docs 750]
//          [--limit 750] [--workers 1,2,4] [--batch 25,50,100] [--pool off,on] [--read worker,parent]
//          [--repeat 3] [--schema xmbench] [--fixtures ../shared/fixtures/xmlconversion | none]
//          [--server-pid <pid of a local database server's postmaster>] [--cli bin/xmlmigrate.js,<other build>/bin/xmlmigrate.js]
//          [--out benchmarks/results/pipeline.json]
// Each round runs every configuration once (rounds × --repeat); medians per configuration.
// Needs `npm run build`. Prints machine, command and a table. SQL Server: benchmarks/mssql-pipeline.mjs
// (creates and drops its own database, then calls pipelineBenchmark below).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dropSchema, fixtureSource, options } from './fixture-source.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const r3 = (x) => (x == null ? null : +x.toFixed(3));

/**
 * CPU seconds used so far by a local server: the process `pid` (its own time plus that of the
 * children it has reaped, i.e. finished backends) plus its live children. Linux /proc; null elsewhere.
 */
export function serverCpuSeconds(pid) {
  if (!pid) return null;
  const tick = 100; // USER_HZ on Linux
  const stat = (p) => { try { const f = fs.readFileSync(`/proc/${p}/stat`, 'utf8'); return f.slice(f.lastIndexOf(')') + 2).split(' '); } catch { return null; } };
  const own = stat(pid);
  if (!own) return null;
  // fields after "(comm) ": state ppid … utime(11) stime(12) cutime(13) cstime(14)
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const s = stat(d);
    if (s && Number(s[1]) === Number(pid)) ticks += Number(s[11]) + Number(s[12]);
  }
  return ticks / tick;
}

/**
 * Runs the benchmark. `argv`: the options above. `hooks` (SQL Server passes its own):
 *  - target: URL the CLI and the session use (password may come from XMLMIGRATE_TARGET_PASSWORD in env);
 *  - shownTarget: what the report prints for it (no password);
 *  - reset(session, model): empties the target tables and processing_log between runs;
 *  - freshRead: [script, ...args] of a fresh `node` process that reads the same `limit` documents;
 *  - serverVersion(): text for the report;
 *  - env: extra environment for the CLI and the fresh read;
 *  - command: the command line to print.
 */
export async function pipelineBenchmark(argv, hooks) {
  const opt = options(argv);
  const list = (n, d) => String(opt(n, d)).split(',');
  const docsN = Number(opt('--docs', '750'));
  const limit = Number(opt('--limit', String(docsN)));
  const repeat = Number(opt('--repeat', '3'));
  const schema = opt('--schema', 'xmbench');
  const out = opt('--out', null);
  const fixturesOpt = opt('--fixtures', hooks.defaultFixtures ?? '../shared/fixtures/xmlconversion');
  const fixtures = fixturesOpt === 'none' ? null : path.resolve(fixturesOpt);
  const serverPid = opt('--server-pid', null);
  const env = { ...process.env, ...(hooks.env ?? {}) };
  const { target } = hooks;

  // the benchmark schema with an app_xml source table; the CLI gets the same contract from a file
  const { contract, model, session, bytes } = await fixtureSource({ target, schema, fixtures, docs: docsN });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xmbench-'));
  try {
    const contractFile = path.join(tmp, 'contract.json');
    fs.writeFileSync(contractFile, JSON.stringify(contract));
    const serverVersion = hooks.serverVersion ? await hooks.serverVersion() : null;
    // baselines: just read the same XML values out of the source table — first in this (warm) process:
    //  - strings: keyset pages of 100 through the driver's normal query path (readSourcePage);
    //  - bytes: keyset pages of 100 ids, documents by chunks of 16 as raw UTF-8 bytes
    //    (readSourceBytesByIds, where the dialect has it) — what the product's workers do.
    const readServerCpu = {};
    async function timeRead(fn, name) {
      const times = []; const cpu = [];
      for (let r = 0; r < repeat; r++) {
        const s0 = serverCpuSeconds(serverPid); const t = performance.now();
        await fn();
        times.push((performance.now() - t) / 1000);
        const s1 = serverCpuSeconds(serverPid); if (s0 !== null && s1 !== null) cpu.push(s1 - s0);
      }
      if (cpu.length) readServerCpu[name] = r3(median(cpu));
      return median(times);
    }
    const readSeconds = await timeRead(async () => {
      let n = 0; let last = 0;
      for (;;) { const page = await session.readSourcePage({ afterAppId: last, limit: Math.min(100, limit - n), excludeLogged: false }); if (!page.length) break; n += page.length; last = page.at(-1).appId; if (n >= limit) break; }
    }, 'read');
    const readBytesSeconds = session.readSourceBytesByIds ? await timeRead(async () => {
      let n = 0; let last = 0;
      for (;;) {
        const ids = await session.readSourceIds({ afterAppId: last, limit: Math.min(100, limit - n), excludeLogged: false });
        if (!ids.length) break;
        for (let i = 0; i < ids.length; i += 16) await session.readSourceBytesByIds(ids.slice(i, i + 16));
        n += ids.length; last = ids.at(-1); if (n >= limit) break;
      }
    }, 'readBytes') : null;
    //  - fresh process: a new `node` process that connects and reads the same values with the plain
    //    driver, timed from spawn to exit — measured the way the run itself is measured.
    const freshReadSeconds = hooks.freshRead ? await timeRead(async () => {
      const p = spawnSync(process.execPath, [...hooks.freshRead, String(limit)], { encoding: 'utf8', env });
      if (p.status !== 0) throw new Error(`${path.basename(hooks.freshRead[0])} failed: ${p.stderr}`);
    }, 'freshRead') : null;
    const baselines = { readOnlySeconds: r3(readSeconds), readBytesSeconds: r3(readBytesSeconds), freshReadSeconds: r3(freshReadSeconds), readServerCpuSeconds: readServerCpu };
    console.log(JSON.stringify(baselines));

    // every configuration once per round, rounds repeated: a slow minute on a shared machine hits all alike
    const configs = [];
    for (const cli of list('--cli', path.join(root, 'bin/xmlmigrate.js'))) for (const workers of list('--workers', '4')) for (const batch of list('--batch', '50')) for (const pool of list('--pool', 'off')) for (const read of list('--read', 'worker')) for (const claims of list('--claims', 'default')) {
      // --claims on,off: off passes --no-claims (builds before claims know neither flag: leave it at default)
      configs.push({ cli: path.resolve(cli), workers, batch, pool, read, claims, walls: [], cpus: [], serverCpus: [], rss: 0, summary: null });
    }
    for (let r = 0; r < repeat; r++) {
      for (const c of configs) {
        await hooks.reset(session, model);
        const metrics = path.join(tmp, 'm.json');
        const cliArgs = ['run', '--contract', contractFile, '--target', target, '--limit', String(limit), '--workers', c.workers, '--batch-size', c.batch, c.pool === 'on' ? '--pool' : '--no-pool', '--read-mode', c.read, ...(c.claims === 'off' ? ['--no-claims'] : c.claims === 'on' ? ['--claims'] : []), '--no-progress', '--metrics-out', metrics];
        const s0 = serverCpuSeconds(serverPid);
        const t = performance.now();
        const p = spawnSync('/usr/bin/time', ['-f', '%M %U %S', process.execPath, c.cli, ...cliArgs], { encoding: 'utf8', env });
        const wall = (performance.now() - t) / 1000;
        const s1 = serverCpuSeconds(serverPid);
        if (p.status !== 0) { console.error(p.stdout, p.stderr); throw new Error(`xmlmigrate run exited with ${p.status}`); }
        const [kb, user, sys] = p.stderr.trim().split('\n').at(-1).split(' ').map(Number);
        c.rss = Math.max(c.rss, kb / 1024);
        c.cpus.push(user + sys);
        if (s0 !== null && s1 !== null) c.serverCpus.push(s1 - s0);
        const summary = JSON.parse(fs.readFileSync(metrics, 'utf8'));
        if (summary.apps.ok + summary.apps.failed !== limit) throw new Error(`run handled ${summary.apps.ok + summary.apps.failed} of ${limit} apps: ${JSON.stringify(summary.apps)}`);
        c.summary = summary;
        c.walls.push(wall);
        console.log(JSON.stringify({ round: r + 1, cli: path.relative(root, c.cli), workers: c.workers, batch: c.batch, pool: c.pool, read: c.read, claims: c.claims, wall: r3(wall), serverCpu: s0 !== null && s1 !== null ? r3(s1 - s0) : null, phasesMs: summary.phasesMs, cpu: summary.cpu }));
      }
    }
    const results = configs.map((c) => {
      const wall = median(c.walls);
      return {
        cli: path.relative(root, c.cli), workers: Number(c.workers), batch: Number(c.batch), pool: c.pool, read: c.read, claims: c.claims, wallSeconds: r3(wall), walls: c.walls.map(r3),
        appsPerMinute: Math.round(limit / wall * 60), vsReadOnly: +(wall / readSeconds).toFixed(2),
        vsReadBytes: readBytesSeconds && +(wall / readBytesSeconds).toFixed(2), vsFreshRead: freshReadSeconds && +(wall / freshReadSeconds).toFixed(2),
        clientCpuSeconds: r3(median(c.cpus)), serverCpuSeconds: c.serverCpus.length ? r3(median(c.serverCpus)) : null,
        peakRssMb: Math.round(c.rss), ok: c.summary.apps.ok, failed: c.summary.apps.failed, phasesMs: c.summary.phasesMs, cpu: c.summary.cpu,
      };
    });
    const report = {
      benchmark: hooks.name ?? 'pipeline', command: hooks.command,
      machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, memGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadAverage: os.loadavg().map((x) => +x.toFixed(1)) },
      target: hooks.shownTarget, serverVersion, documents: docsN, documentsFrom: fixtures ? `fixtures ${fixturesOpt}` : 'generator (src/seed, seed 42)', sourceMb: +(bytes / 1e6).toFixed(1), limit, repeat,
      ...baselines, results,
    };
    console.log(JSON.stringify({ ...report, results: undefined }, null, 1));
    console.log(table(results));
    if (out) fs.writeFileSync(out, JSON.stringify(report, null, 2));
    return report;
  } finally {
    await session.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** The results as a plain-text table. */
function table(results) {
  const head = ['cli', 'workers', 'batch', 'pool', 'read', 'claims', 'wall s (median)', 'runs', '× read', '× fresh read', 'client CPU s', 'server CPU s', 'peak RSS MB'];
  const rows = results.map((r) => [r.cli, r.workers, r.batch, r.pool, r.read, r.claims, r.wallSeconds, r.walls.join('/'), r.vsReadOnly, r.vsFreshRead ?? '', r.clientCpuSeconds, r.serverCpuSeconds ?? '', r.peakRssMb]);
  return [head, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

// PostgreSQL when run directly
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const opt = options(argv);
  const target = opt('--target', 'postgres://postgres@127.0.0.1:5432/test');
  const schema = opt('--schema', 'xmbench');
  if (!/^postgres(ql)?:/.test(target)) { console.error('pipeline.mjs: --target must be a postgres:// URL; for SQL Server use benchmarks/mssql-pipeline.mjs'); process.exit(2); }
  const psql = (text) => execFileSync('psql', [target, '-q', '-c', text], { stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    await pipelineBenchmark(argv, {
      name: 'pipeline', target, shownTarget: target.replace(/:[^:@/]*@/, ':***@'), command: `node benchmarks/pipeline.mjs ${argv.join(' ')}`.trim(),
      reset: async (_session, model) => psql(`TRUNCATE ${[model.processingLog, ...model.tables].map((t) => `"${t.schema}"."${t.name}"`).join(', ')} CASCADE`),
      freshRead: [path.join(root, 'benchmarks/fresh-read.mjs'), target, `${schema}.app_xml`, 'xml'],
      serverVersion: async () => execFileSync('psql', [target, '-Atc', 'SHOW server_version'], { encoding: 'utf8' }).trim(),
    });
  } finally {
    await dropSchema(target, schema);
  }
}
