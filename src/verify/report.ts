/** The human report of `xmlmigrate verify` (pure; the JSON report is the VerifyReport itself). */
import type { SchemaModel } from '../db/schema-types.js';
import { groupThousands } from '../observability/metrics.js';
import type { RowDiff } from './compare.js';
import type { AppFinding, FindingKind } from './verify-batch.js';
import type { VerifyReport } from './verifier.js';

const KIND_TEXT: Readonly<Record<FindingKind, string>> = {
  differs: 'rows differ',
  'rows-missing': 'rows missing',
  'not-logged': 'not logged in processing_log',
  'maps-to-failure': 'document no longer maps',
  'failed-has-rows': 'logged failed but has rows',
  'not-in-source': 'not in the source',
};

const SUMMARY_TEXT: Readonly<Record<FindingKind, string>> = {
  differs: 'with differing rows',
  'rows-missing': 'logged success without rows',
  'not-logged': 'not logged',
  'maps-to-failure': 'whose document no longer maps',
  'failed-has-rows': 'logged failed with rows',
  'not-in-source': 'not in the source',
};

const s = (n: number, one: string, many = `${one}s`): string => `${groupThousands(n)} ${n === 1 ? one : many}`;

function clip(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A canonical value for people: text of string columns quoted, NULL spelled out. */
function shown(model: SchemaModel, table: string, column: string, v: string | null): string {
  if (v === null) return 'NULL';
  const col = model.tables.find((t) => t.name === table)?.columns.find((c) => c.name === column);
  return clip(col?.type.kind === 'string' ? JSON.stringify(v) : v);
}

function diffLine(model: SchemaModel, d: RowDiff): string {
  const where = `${d.table}${d.key ? ` [${d.key}]` : ''}`;
  if (d.kind === 'value') return `${where} ${d.column}: expected ${shown(model, d.table, d.column, d.expected)}, found ${shown(model, d.table, d.column, d.found)}`;
  const keyCols = new Set(['app_id', ...(model.tables.find((t) => t.name === d.table)?.primaryKey ?? [])]);
  const cells = Object.entries(d.row).filter(([k, v]) => v !== null && !keyCols.has(k)).map(([k, v]) => `${k}=${shown(model, d.table, k, v)}`);
  return `${where} ${d.kind === 'missing-row' ? 'missing row' : 'extra row'}${cells.length ? `: ${clip(cells.join(', '), 240)}` : ''}`;
}

function findingLines(model: SchemaModel, f: AppFinding): string[] {
  const head = `  app ${f.appId}: ${KIND_TEXT[f.kind]}${f.kind === 'differs' ? ` (${s(f.diffs.length + f.moreDiffs, 'difference')})` : ''}${f.detail ? ` — ${f.detail}` : ''}`;
  const lines = [head];
  for (const d of f.diffs) lines.push(`    ${diffLine(model, d)}`);
  if (f.moreDiffs > 0) lines.push(`    … and ${s(f.moreDiffs, 'more difference')}`);
  return lines;
}

/** The report as lines of text. */
export function renderVerifyReport(r: VerifyReport, model: SchemaModel): string {
  const t = r.totals;
  const bad = t.apps - t.ok + t.notInSource;
  const lines: string[] = [];
  const where = `target ${r.target}${r.source ? `, source ${r.source}` : ''}`;
  const stopped = r.stoppedBy ? ` (stopped by ${r.stoppedBy}: only part of the selection was verified)` : '';
  if (bad === 0 && t.apps === 0) lines.push(`verify: no source apps in the selection, nothing to compare${stopped} (${where})`);
  else if (bad === 0) lines.push(`verify: all ${s(t.apps, 'app')} match what the contract maps${stopped} (${where})`);
  else if (t.apps === 0) lines.push(`verify: no source apps in the selection, but ${s(t.notInSource, 'app')} not in the source ${t.notInSource === 1 ? 'has' : 'have'} rows or log entries${stopped} (${where})`);
  else lines.push(`verify: ${groupThousands(t.apps - t.ok)} of ${s(t.apps, 'app')} ${t.apps - t.ok === 1 ? 'does' : 'do'} not match what the contract maps${t.notInSource ? `, and ${s(t.notInSource, 'app')} not in the source ${t.notInSource === 1 ? 'has' : 'have'} rows or log entries` : ''}${stopped} (${where})`);
  const sample = r.selection.sample;
  if (sample) {
    lines.push(`sample: ${sample.percent}% of app ids, seed ${sample.seed} (the same --sample and --seed pick the same apps): ${s(t.apps, 'app')} of ${groupThousands(sample.scanned)} scanned in the source`);
  }
  for (const f of r.findings) lines.push(...findingLines(model, f));
  if (r.findingsOmitted > 0) lines.push(`  … and ${s(r.findingsOmitted, 'more app')} not listed (--max-report ${r.findings.length}; --json for a machine-readable report)`);
  const kinds = (Object.keys(SUMMARY_TEXT) as FindingKind[]).filter((k) => t.byKind[k] > 0).map((k) => `${groupThousands(t.byKind[k])} ${SUMMARY_TEXT[k]}`);
  lines.push(`apps: ${groupThousands(t.apps)} checked · ${groupThousands(t.ok)} match${kinds.length ? ` · ${kinds.join(' · ')}` : ''}`);
  const byTable = Object.entries(t.diffsByTable).map(([name, c]) => {
    const parts = [c.values ? s(c.values, 'value') : '', c.missing ? `${groupThousands(c.missing)} missing` : '', c.extra ? `${groupThousands(c.extra)} extra` : ''].filter(Boolean);
    return `${name} ${parts.join(', ')}`;
  });
  lines.push(`rows: ${groupThousands(t.rows.expectedRows)} expected · ${groupThousands(t.rows.matchedRows)} match · ${groupThousands(t.rows.foundRows)} found${byTable.length ? ` · differences: ${byTable.join('; ')}` : ''}`);
  const perMin = Math.round(r.appsPerSecond * 60);
  lines.push(`speed: ${s(t.apps, 'app')} in ${r.wallSeconds.toFixed(2)} s — ${r.appsPerSecond.toFixed(0)} apps/s (${groupThousands(perMin)} apps/min) · ${s(r.workers, 'worker')} · batch ${r.batchSize} · cpu parent ${r.cpu.parentSeconds.toFixed(2)} s, workers ${r.cpu.workersSeconds.toFixed(2)} s on ${r.cpu.cores} cores`);
  const ms = (v: number): string => `${(v / 1000).toFixed(2)} s`;
  lines.push(`time (summed over workers): source read ${ms(t.times.read)} · parse+map ${ms(t.times.map)} · target read ${ms(t.times.target)} · compare ${ms(t.times.compare)}`);
  return lines.join('\n');
}
