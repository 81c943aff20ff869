#!/usr/bin/env node
// Summarizes a V8 .cpuprofile (from `node --cpu-prof`): self time per function, top N.
// Usage: node benchmarks/profile-summary.mjs <file-or-dir> [--top 15]
import fs from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const top = Number(args[args.indexOf('--top') + 1] || 15);
let file = args[0];
if (!file) { console.error('usage: profile-summary.mjs <file.cpuprofile | dir>'); process.exit(2); }
if (fs.statSync(file).isDirectory()) {
  const newest = fs.readdirSync(file).filter((f) => f.endsWith('.cpuprofile')).sort().pop();
  file = path.join(file, newest);
}
const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map();
let total = 0;
prof.samples.forEach((id, i) => {
  const n = byId.get(id);
  const dt = prof.timeDeltas[i] ?? 0;
  const f = n.callFrame;
  const where = f.url ? `${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}` : '';
  const key = `${f.functionName || '(anonymous)'} ${where}`.trim();
  self.set(key, (self.get(key) ?? 0) + dt);
  total += dt;
});
const idle = self.get('(idle)') ?? 0;
console.log(`profile ${path.basename(file)}: ${(total / 1000).toFixed(0)} ms sampled, ${(idle / 1000).toFixed(0)} ms idle`);
for (const [k, v] of [...self].filter(([k]) => k !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${(v / 1000).toFixed(1).padStart(9)} ms ${((100 * v) / (total - idle)).toFixed(1).padStart(5)}%  ${k}`);
}
