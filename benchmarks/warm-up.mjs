#!/usr/bin/env node
// What a fresh worker pays before its JIT compiler is warm: one new process loads the mapper, compiles
// the contract and maps the fixture documents in order (repeating them) from memory, printing the
// wall and CPU time (all threads: V8 compiles and collects garbage on helper threads) of every step
// of documents. A forked worker goes through exactly this on its first batches.
// Usage: node benchmarks/warm-up.mjs [--docs 760] [--step 95] [--fixtures DIR]   (after npm run build)
// Run it several times: a single run on a shared VM moves by 10–20 %.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.indexOf(name); return i === -1 ? def : args[i + 1]; };
const total = Number(opt('--docs', '760'));
const step = Number(opt('--step', '95'));
const fixtures = path.resolve(opt('--fixtures', '../shared/fixtures/xmlconversion'));

const c0 = process.cpuUsage();
const cpu = () => { const u = process.cpuUsage(c0); return (u.user + u.system) / 1e6; };
const t0 = performance.now();
const { compilePlan } = await import('../dist/mapping/plan.js');
const { DataMapper } = await import('../dist/mapping/data-mapper.js');
const mapper = new DataMapper(compilePlan(JSON.parse(fs.readFileSync(path.join(fixtures, 'contract-cc.json'), 'utf8'))));
const loadCpu = cpu();
const dir = path.join(fixtures, 'xml');
const docs = fs.readdirSync(dir).filter((f) => f.endsWith('.xml')).sort().map((f) => fs.readFileSync(path.join(dir, f)));
const readCpu = cpu() - loadCpu;

const steps = [];
let n = 0; let lastT = performance.now(); let lastC = cpu();
while (n < total) {
  for (const d of docs) {
    try { mapper.map(d); } catch { /* the two documents that fail validation cost their scan too */ }
    if (++n % step === 0 || n === total) {
      const t = performance.now(); const c = cpu();
      steps.push({ docs: n, wallMs: +(t - lastT).toFixed(1), cpuMs: +((c - lastC) * 1000).toFixed(1) });
      lastT = t; lastC = c;
    }
    if (n >= total) break;
  }
}
const last = steps.slice(-3);
const warmPerDoc = last.reduce((s, x) => s + x.cpuMs, 0) / (last.at(-1).docs - (steps[steps.length - 4]?.docs ?? 0));
console.log(JSON.stringify({
  benchmark: 'warm-up', command: `node benchmarks/warm-up.mjs ${args.join(' ')}`.trim(),
  machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, node: process.version },
  loadMs: { wall: +(performance.now() - t0).toFixed(0), cpuModulesAndContract: +(loadCpu * 1000).toFixed(0), cpuReadingFixtures: +(readCpu * 1000).toFixed(0) },
  steps,
  warmCpuMsPerDoc: +warmPerDoc.toFixed(3),
  firstStepsVsWarm: steps.slice(0, 3).map((s) => +(s.cpuMs / (warmPerDoc * step)).toFixed(2)),
}, null, 1));
