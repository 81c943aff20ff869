#!/usr/bin/env node
// Parse + map throughput on one core, documents preloaded in memory (issue #2 benchmark).
// Usage: node benchmarks/parse-map.mjs [--contract F] [--xml DIR] [--passes N] [--input bytes|string] [--out results.json]
// --input bytes (default): documents as UTF-8 Buffers, as workers read them; string: as JS strings.
// Defaults: the shared XmlConversion fixtures (../shared/fixtures/xmlconversion). Requires `npm run build`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compilePlan } from '../dist/mapping/plan.js';
import { DataMapper } from '../dist/mapping/data-mapper.js';

const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.indexOf(name); return i === -1 ? def : args[i + 1]; };
const fixtures = path.resolve(opt('--fixtures', '../shared/fixtures/xmlconversion'));
const contractFile = opt('--contract', path.join(fixtures, 'contract-cc.json'));
const xmlDir = opt('--xml', path.join(fixtures, 'xml'));
const passes = Number(opt('--passes', '5'));
const out = opt('--out', null);
const input = opt('--input', 'bytes');
if (input !== 'bytes' && input !== 'string') { console.error('--input: bytes or string'); process.exit(2); }

const plan = compilePlan(JSON.parse(fs.readFileSync(contractFile, 'utf8')));
const mapper = new DataMapper(plan);
const all = fs.readdirSync(xmlDir).filter((f) => f.endsWith('.xml')).sort().map((f) => { const b = fs.readFileSync(path.join(xmlDir, f)); return { f, xml: input === 'bytes' ? b : b.toString('utf8') }; });
// time only the documents that map successfully (the reference timed its 163 successful samples)
const docs = all.filter(({ xml }) => { try { mapper.map(xml); return true; } catch { return false; } });
const bytes = docs.reduce((n, d) => n + (typeof d.xml === 'string' ? Buffer.byteLength(d.xml, 'utf8') : d.xml.length), 0);

for (let w = 0; w < 2; w++) for (const d of docs) mapper.map(d.xml); // warm-up
const passTimes = [];
const per = [];
for (let p = 0; p < passes; p++) {
  const t0 = process.hrtime.bigint();
  for (const d of docs) {
    const s = process.hrtime.bigint();
    mapper.map(d.xml);
    per.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  passTimes.push(Number(process.hrtime.bigint() - t0) / 1e9);
}
passTimes.sort((a, b) => a - b);
per.sort((a, b) => a - b);
const med = passTimes[Math.floor(passTimes.length / 2)];
const q = (p) => per[Math.min(per.length - 1, Math.floor(p * per.length))];
const result = {
  benchmark: 'parse-map',
  command: `node benchmarks/parse-map.mjs ${args.join(' ')}`.trim(),
  machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, node: process.version, platform: `${os.platform()} ${os.release()}` },
  input, contract: contractFile, documents: docs.length, skipped: all.length - docs.length, bytes,
  passes, passSeconds: passTimes, medianPassSeconds: med,
  docsPerSecond: +(docs.length / med).toFixed(1),
  mbPerSecond: +(bytes / 1e6 / med).toFixed(2),
  perDocMs: { p50: +q(0.5).toFixed(3), p90: +q(0.9).toFixed(3), p99: +q(0.99).toFixed(3), max: +per[per.length - 1].toFixed(3) },
};
console.log(JSON.stringify(result, null, 2));
if (out) fs.writeFileSync(out, JSON.stringify(result, null, 2));
