/**
 * The run report: one self-contained HTML page (inline CSS and SVG, no script, no network) with the
 * run's figures, throughput over time, each worker's timeline, time per phase, rows per table and the
 * failures grouped by stage and reason. Built from a run's summary (`run --report`) or after the fact
 * from processing_log and a metrics file (`xmlmigrate report`), through one {@link ReportData}.
 *
 * Every text that reaches the page goes through {@link esc}: app ids, failure reasons and table names
 * come from documents and contracts. A Content-Security-Policy without script sources is the second
 * line: even a tag that slipped through could not run.
 */
import type { FailureGroup } from './failure-groups.js';
import type { RunSummary, WorkerFigures } from './metrics.js';
import type { BatchEntry, WorkerEvent } from './timeline.js';

/** Everything the page shows; any part may be missing (the page says so). */
export interface ReportData {
  /** Where the figures came from (shown under the title). */
  sources: string[];
  generatedAt: string;
  run: {
    runId?: string; command?: string; target?: string; dialect?: string; workers?: number; batchSize?: number;
    readMode?: string; pool?: boolean; dryRun?: boolean; startedAt?: string; finishedAt?: string; wallSeconds?: number;
    exitCode?: number; stoppedBy?: string | null; retries?: number; splits?: number; workerCrashes?: number; outages?: number;
    peakRssMb?: number;
  };
  apps: { ok: number; failed: number; alreadyLogged?: number } | null;
  /** Apps finished per bucket from `startMs` (epoch ms; null when only offsets are known). */
  throughput: { bucketMs: number; done: number[]; failed: number[]; lastBucketMs?: number; label: string } | null;
  lanes: { per: number; batches: BatchEntry[]; events: WorkerEvent[]; eventsDropped: number; endMs: number } | null;
  phasesMs: { sourceRead: number; workerRead: number; parseMap: number; write: number } | null;
  perWorker: Record<string, WorkerFigures> | null;
  /** One or two tables of row counts (written by the run; in the target now). */
  rows: { title: string; counts: Record<string, number> }[];
  failures: { total: number; groups: FailureGroup[]; note?: string };
  budget: { limit: string; exceeded: boolean; reason: string | null } | null;
}

/** Groups shown on the page (the rest are summed in one line). */
const MAX_GROUPS_SHOWN = 100;

/** HTML text and attribute escaping: the five characters that can change markup. */
export function esc(v: unknown): string {
  return String(v).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]!));
}

function num(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function secs(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(2) : s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s - m * 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** Axis label for an offset: `0:45`, `12:05`, `1:02:05`; `0:00.5` for a tick between whole seconds. */
function clock(ms: number): string {
  if (ms % 1000 !== 0 && ms < 60_000) return `0:${(ms / 1000).toFixed(1).padStart(4, '0')}`;
  const t = Math.round(ms / 1000);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = t % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}` : `${m}:${String(s).padStart(2, '0')}`;
}

/** About `count` round tick values from 0 to at least `max`. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = 0; v < max + step * 0.999; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** Time-axis ticks (ms) at round clock steps (1 s, 2 s, 5 s, … 1 h), about `count` of them up to `endMs`. */
export function timeTicks(endMs: number, count = 8): number[] {
  const steps = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400].map((x) => x * 1000);
  const step = steps.find((x) => endMs / x <= count) ?? Math.ceil(endMs / count / 86_400_000) * 86_400_000;
  const out: number[] = [];
  for (let k = 0; k * step <= endMs; k++) out.push(Math.round(k * step));
  return out;
}

function exitMeaning(code: number | undefined, stoppedBy: string | null | undefined): { text: string; cls: string } {
  switch (code) {
    case undefined: return { text: 'from processing_log', cls: 'neutral' };
    case 0: return { text: 'exit 0 · every selected app landed', cls: 'good' };
    case 1: return { text: 'exit 1 · finished, some apps failed', cls: 'warn' };
    case 2: return { text: 'exit 2 · usage or preflight error', cls: 'bad' };
    case 3: return { text: `exit 3 · stopped by a database error${stoppedBy ? '' : ''}`, cls: 'bad' };
    case 4: return { text: 'exit 4 · stopped by the failure budget (resumable)', cls: 'bad' };
    case 130: return { text: 'exit 130 · stopped by SIGINT (resumable)', cls: 'warn' };
    case 143: return { text: 'exit 143 · stopped by SIGTERM (resumable)', cls: 'warn' };
    default: return { text: `exit ${code}`, cls: 'neutral' };
  }
}

const CSS = `
:root{--fg:#1d2330;--muted:#5b6475;--line:#d9dee7;--bg:#f5f7fa;--card:#fff;--ok:#2f8f5b;--fail:#c8423b;--warn:#d08a16;--accent:#2f6fb3}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1200px;margin:0 auto;padding:28px 28px 48px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:0 0 12px}
.sub{color:var(--muted);font-size:13px;margin:0 0 18px}.sub code{font-size:12px}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:18px 20px;margin:0 0 18px}
.badge{display:inline-block;padding:3px 10px;border-radius:12px;font-size:12px;font-weight:600;vertical-align:middle;margin-left:8px}
.badge.good{background:#e2f3e9;color:#1f6b41}.badge.warn{background:#fcf0da;color:#8a5a08}.badge.bad{background:#fbe3e1;color:#972c26}.badge.neutral{background:#e8ecf2;color:#3d4656}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;margin:0 0 18px}
.kpi{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 14px}
.kpi .v{font-size:22px;font-weight:650;font-variant-numeric:tabular-nums}.kpi .l{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.kpi.fail .v{color:var(--fail)}.kpi.ok .v{color:var(--ok)}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:12px;color:var(--muted);font-weight:600;text-transform:uppercase;letter-spacing:.03em}
td.n,th.n{text-align:right;white-space:nowrap}
.bar{height:10px;background:var(--accent);border-radius:2px;min-width:1px}.bar.w{background:#7b61c4}
.ids{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;color:#3d4656;word-break:break-word}
.reason{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;word-break:break-word}
.ex{color:var(--muted);font-size:12px;margin-top:3px;word-break:break-word}
.stage{display:inline-block;background:#eef1f6;border-radius:4px;padding:1px 6px;font-size:12px}
.note{color:var(--muted);font-size:12px;margin:8px 0 0}
.meta{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;font-size:13px}.meta dt{color:var(--muted)}.meta dd{margin:0;word-break:break-all}
.legend{display:flex;flex-wrap:wrap;gap:14px;font-size:12px;color:var(--muted);margin-top:8px}.legend i{display:inline-block;width:12px;height:12px;border-radius:2px;vertical-align:-2px;margin-right:5px}
.alert{border-left:4px solid var(--fail);background:#fdf1f0}
svg text{font-family:inherit}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:18px}@media (max-width:900px){.grid2{grid-template-columns:1fr}}
footer{color:var(--muted);font-size:12px;text-align:center}
@media print{body{background:#fff}main{padding:0}section,.kpi{break-inside:avoid;border-color:#bbb}.grid2{grid-template-columns:1fr 1fr}}
`;

/** The page. */
export function renderReport(d: ReportData): string {
  const r = d.run;
  const status = exitMeaning(r.exitCode, r.stoppedBy);
  const title = r.runId ? `Run ${r.runId}` : 'Migration report';
  const parts: string[] = [];
  parts.push(`<h1>${esc(title)}<span class="badge ${status.cls}">${esc(status.text)}</span></h1>`);
  parts.push(`<p class="sub">Generated ${esc(d.generatedAt)} from ${esc(d.sources.join(' and '))}${r.target ? ` · target <code>${esc(r.target)}</code>` : ''}</p>`);
  parts.push(kpis(d));
  if (d.budget?.exceeded) {
    parts.push(`<section class="alert"><h2>Failure budget exceeded</h2><p>${esc(d.budget.reason ?? `budget: ${d.budget.limit}`)}. The run stopped taking new work and let in-flight batches commit; apps not processed are still pending and the next run resumes them. Failed apps stay logged failed: fix the contract or the data, then <code>xmlmigrate retry-failed</code> and run again.</p></section>`);
  }
  parts.push(`<section><h2>Throughput over time</h2>${throughputChart(d)}</section>`);
  parts.push(`<section><h2>Worker timeline</h2>${lanesChart(d)}</section>`);
  // without phase times (no metrics file) the row counts take the whole width
  parts.push(d.phasesMs
    ? `<div class="grid2"><section><h2>Time per phase</h2>${phases(d)}</section><section><h2>Rows per table</h2>${rowsTables(d)}</section></div>`
    : `<section><h2>Rows per table</h2>${rowsTables(d)}<p class="note">Time per phase and the worker timeline are recorded by <code>run</code> into <code>--metrics-out</code>; pass that file to <code>xmlmigrate report --metrics</code>.</p></section>`);
  parts.push(`<section><h2>Failures by stage and reason</h2>${failures(d)}</section>`);
  parts.push(`<section><h2>Run details</h2>${details(d)}</section>`);
  parts.push('<footer>xmlmigrate run report · self-contained page: no scripts, no network access</footer>');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · xmlmigrate report</title>
<style>${CSS}</style></head>
<body><main>
${parts.join('\n')}
</main></body></html>
`;
}

function kpis(d: ReportData): string {
  const cards: string[] = [];
  const card = (v: string, l: string, cls = '') => cards.push(`<div class="kpi ${cls}"><div class="v">${esc(v)}</div><div class="l">${esc(l)}</div></div>`);
  if (d.apps) {
    card(num(d.apps.ok), 'apps ok', 'ok');
    card(num(d.apps.failed), 'apps failed', d.apps.failed > 0 ? 'fail' : '');
    if (d.apps.alreadyLogged) card(num(d.apps.alreadyLogged), 'already logged');
    const processed = d.apps.ok + d.apps.failed;
    if (processed > 0) card(`${((d.apps.failed / processed) * 100).toFixed(processed < 1000 ? 1 : 2)} %`, 'failure rate');
  }
  const wall = d.run.wallSeconds;
  if (wall !== undefined) {
    card(secs(wall * 1000), 'wall time');
    if (d.apps && wall > 0) card(num(((d.apps.ok + d.apps.failed + (d.apps.alreadyLogged ?? 0)) / wall) * 60), 'apps / min');
  }
  if (d.run.workers !== undefined) card(String(d.run.workers), d.run.workers === 1 ? 'worker' : 'workers');
  return cards.length ? `<div class="kpis">${cards.join('')}</div>` : '';
}

/** Line + area of apps/s per bucket, failed apps/s as bars below it. */
function throughputChart(d: ReportData): string {
  const t = d.throughput;
  if (!t || t.done.length === 0) return '<p class="note">No throughput data: nothing was processed, or the metrics file has no timeline.</p>';
  const W = 1100; const H = 280; const L = 64; const R = 16; const T = 14; const B = 40;
  const n = t.done.length;
  const widthOf = (i: number) => (i === n - 1 && t.lastBucketMs && t.lastBucketMs > 0 ? Math.min(t.lastBucketMs, t.bucketMs) : t.bucketMs);
  const rate = t.done.map((v, i) => v / (widthOf(i) / 1000));
  const frate = t.failed.map((v, i) => v / (widthOf(i) / 1000));
  const endMs = (n - 1) * t.bucketMs + widthOf(n - 1);
  const yTicks = niceTicks(Math.max(...rate, 1));
  const yMax = yTicks[yTicks.length - 1]!;
  const x = (ms: number) => L + (ms / endMs) * (W - L - R);
  const y = (v: number) => T + (1 - v / yMax) * (H - T - B);
  const out: string[] = [];
  for (const v of yTicks) out.push(`<line x1="${L}" x2="${W - R}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e6e9ef"/><text x="${L - 8}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" font-size="11" fill="#5b6475">${esc(num(v) === '0' && v > 0 ? v.toFixed(1) : v < 10 && !Number.isInteger(v) ? v.toFixed(1) : num(v))}</text>`);
  for (const ms of timeTicks(endMs)) {
    out.push(`<line x1="${x(ms).toFixed(1)}" x2="${x(ms).toFixed(1)}" y1="${H - B}" y2="${H - B + 5}" stroke="#9aa3b2"/><text x="${x(ms).toFixed(1)}" y="${H - B + 18}" text-anchor="middle" font-size="11" fill="#5b6475">${esc(clock(ms))}</text>`);
  }
  // one point per bucket, at its middle; the line starts and ends on the axis
  // a single bucket is drawn as a level line across it
  const pts = n === 1
    ? [`${x(0).toFixed(1)},${y(rate[0]!).toFixed(1)}`, `${x(widthOf(0)).toFixed(1)},${y(rate[0]!).toFixed(1)}`]
    : rate.map((v, i) => `${x(i * t.bucketMs + widthOf(i) / 2).toFixed(1)},${y(v).toFixed(1)}`);
  // the area drops to the axis below the first and last points
  const firstX = n === 1 ? x(0) : x(widthOf(0) / 2); const lastX = n === 1 ? x(widthOf(0)) : x((n - 1) * t.bucketMs + widthOf(n - 1) / 2);
  const area = `${firstX.toFixed(1)},${y(0).toFixed(1)} ${pts.join(' ')} ${lastX.toFixed(1)},${y(0).toFixed(1)}`;
  // failed apps under the line, so that the line stays visible
  frate.forEach((v, i) => {
    if (v <= 0) return;
    const x0 = x(i * t.bucketMs); const x1 = x(i * t.bucketMs + widthOf(i));
    out.push(`<rect class="failed" x="${x0.toFixed(1)}" y="${y(v).toFixed(1)}" width="${Math.max(1, x1 - x0 - 1).toFixed(1)}" height="${(y(0) - y(v)).toFixed(1)}" fill="#c8423b" fill-opacity="0.55"><title>${esc(`${clock(i * t.bucketMs)}: ${num(t.failed[i]!)} failed`)}</title></rect>`);
  });
  out.push(`<polygon points="${area}" fill="#2f6fb3" fill-opacity="0.12"/>`);
  out.push(`<polyline class="throughput" points="${pts.join(' ')}" fill="none" stroke="#2f6fb3" stroke-width="2" stroke-linejoin="round"/>`);
  out.push(`<line x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}" stroke="#9aa3b2"/>`);
  out.push(`<text x="14" y="${(T + (H - T - B) / 2).toFixed(0)}" font-size="11" fill="#5b6475" transform="rotate(-90 14 ${(T + (H - T - B) / 2).toFixed(0)})" text-anchor="middle">apps / s</text>`);
  out.push(`<text x="${((L + W - R) / 2).toFixed(0)}" y="${H - 4}" font-size="11" fill="#5b6475" text-anchor="middle">time since start (m:ss)</text>`);
  const peak = Math.max(...rate);
  const avg = t.done.reduce((a, b) => a + b, 0) / (endMs / 1000);
  return `<svg class="chart" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="apps per second over time">${out.join('')}</svg>
<div class="legend"><span><i style="background:#2f6fb3"></i>apps finished per second (ok + failed + already logged)</span><span><i style="background:#c8423b;opacity:.55"></i>failed apps per second</span><span>bucket ${esc(secs(t.bucketMs))} · average ${esc(avg.toFixed(1))} apps/s · peak ${esc(peak.toFixed(1))} apps/s · ${esc(t.label)}</span></div>`;
}

/** Worker lanes: one bar per batch (hand-out to result), crashes and splits marked. */
function lanesChart(d: ReportData): string {
  const l = d.lanes;
  if (!l || (l.batches.length === 0 && l.events.length === 0)) return '<p class="note">No worker timeline: it is recorded by <code>run</code> into <code>--metrics-out</code>; pass that file to <code>xmlmigrate report --metrics</code>.</p>';
  const workers = [...new Set([...l.batches.map((b) => b.w), ...l.events.filter((e) => e.w > 0).map((e) => e.w)])].sort((a, b) => a - b);
  const endMs = Math.max(l.endMs, ...l.batches.map((b) => b.e), ...l.events.map((e) => e.t), 1);
  const W = 1100; const L = 84; const R = 16; const T = 8; const laneH = 26; const B = 34;
  const H = T + workers.length * laneH + B;
  const x = (ms: number) => L + (ms / endMs) * (W - L - R);
  const lane = (w: number) => T + workers.indexOf(w) * laneH;
  const out: string[] = [];
  workers.forEach((w, i) => {
    const y0 = lane(w);
    if (i % 2 === 0) out.push(`<rect x="${L}" y="${y0}" width="${W - L - R}" height="${laneH}" fill="#f7f9fc"/>`);
    out.push(`<text x="${L - 10}" y="${y0 + laneH / 2 + 4}" text-anchor="end" font-size="12" fill="#1d2330">worker ${esc(w)}</text>`);
  });
  for (const ms of timeTicks(endMs)) {
    out.push(`<line x1="${x(ms).toFixed(1)}" x2="${x(ms).toFixed(1)}" y1="${T}" y2="${H - B + 5}" stroke="#e6e9ef"/><text x="${x(ms).toFixed(1)}" y="${H - B + 18}" text-anchor="middle" font-size="11" fill="#5b6475">${esc(clock(ms))}</text>`);
  }
  for (const b of l.batches) {
    const x0 = x(b.s); const w = Math.max(1.5, x(b.e) - x0 - 0.5);
    const y0 = lane(b.w) + 4;
    const frac = b.apps > 0 ? b.failed / b.apps : 0;
    const fill = frac === 0 ? '#2f8f5b' : frac >= 1 ? '#c8423b' : '#d08a16';
    const stroke = b.retries > 0 ? ' stroke="#6b3fa0" stroke-width="1.5"' : '';
    const what = `${b.n === 1 ? 'batch' : `${b.n} batches`} on worker ${b.w}: ${clock(b.s)}–${clock(b.e)} (${secs(b.e - b.s)}), ${b.apps} apps, ${b.ok} ok, ${b.failed} failed${b.retries ? `, ${b.retries} retries` : ''}${b.splits ? `, ${b.splits} splits` : ''}`;
    out.push(`<rect class="batch" x="${x0.toFixed(1)}" y="${y0}" width="${w.toFixed(1)}" height="${laneH - 8}" rx="2" fill="${fill}"${stroke}><title>${esc(what)}</title></rect>`);
    if (b.splits > 0) out.push(`<path d="M${(x0 + w / 2).toFixed(1)} ${y0 - 3} l4 -5 h-8 z" fill="#1d2330"><title>${esc(`${b.splits} split${b.splits === 1 ? '' : 's'} inside this batch (a failing write retried in halves)`)}</title></path>`);
  }
  for (const e of l.events) {
    if (e.kind === 'ready' || !workers.includes(e.w)) continue;
    const cx = x(e.t); const y0 = lane(e.w);
    if (e.kind === 'crash') {
      if (e.s !== undefined) out.push(`<rect x="${x(e.s).toFixed(1)}" y="${y0 + 4}" width="${Math.max(1.5, cx - x(e.s)).toFixed(1)}" height="${laneH - 8}" fill="url(#hatch)" stroke="#c8423b"/>`);
      out.push(`<path class="crash" d="M${(cx - 5).toFixed(1)} ${y0 + 6} l10 ${laneH - 12} m0 -${laneH - 12} l-10 ${laneH - 12}" stroke="#c8423b" stroke-width="2.5"><title>${esc(`worker ${e.w} died ${clock(e.t)}: ${e.detail}`)}</title></path>`);
    } else {
      const color = e.kind === 'stopped' ? '#5b6475' : e.kind === 'replaced' ? '#2f6fb3' : '#1d2330';
      out.push(`<circle cx="${cx.toFixed(1)}" cy="${y0 + laneH / 2}" r="4" fill="#fff" stroke="${color}" stroke-width="2"><title>${esc(`${e.kind} ${clock(e.t)}: ${e.detail}`)}</title></circle>`);
    }
  }
  const defs = '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="3" height="6" fill="#c8423b" fill-opacity="0.35"/></pattern></defs>';
  const crashes = l.events.filter((e) => e.kind === 'crash').length;
  const notes = [
    l.per > 1 ? `Each bar holds ${l.per} consecutive batches of its worker (a long run's timeline is merged to stay small).` : 'Each bar is one batch, from the moment it was handed to the worker to its result.',
    `${num(l.batches.reduce((n, b) => n + b.n, 0))} batches, ${crashes} worker crash${crashes === 1 ? '' : 'es'}.`,
    l.eventsDropped > 0 ? `${l.eventsDropped} further worker events not kept.` : '',
  ].filter(Boolean).join(' ');
  const evRows = l.events.filter((e) => e.kind !== 'ready').slice(0, 50)
    .map((e) => `<tr><td class="n">${esc(clock(e.t))}</td><td>${e.w > 0 ? `worker ${esc(e.w)}` : ''}</td><td>${esc(e.kind)}</td><td>${esc(e.detail)}</td></tr>`);
  return `<svg class="lanes" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="batches per worker over time">${defs}${out.join('')}</svg>
<div class="legend"><span><i style="background:#2f8f5b"></i>batch, every app ok</span><span><i style="background:#d08a16"></i>some apps failed</span><span><i style="background:#c8423b"></i>every app failed</span><span><i style="background:#fff;border:2px solid #6b3fa0"></i>retried (transient errors)</span><span><i style="background:#c8423b;opacity:.5"></i>crash (✕): batch ran again</span><span>▾ batch split</span><span>○ worker stopped (grey) / replacement ready (blue)</span></div>
<p class="note">${esc(notes)}</p>${evRows.length ? `<table><thead><tr><th class="n">at</th><th>worker</th><th>event</th><th>detail</th></tr></thead><tbody>${evRows.join('')}</tbody></table>` : ''}`;
}

function phases(d: ReportData): string {
  const p = d.phasesMs;
  if (!p) return '<p class="note">No phase times: they are recorded by <code>run</code> into <code>--metrics-out</code>.</p>';
  const rows: [string, number, string][] = [
    ['source read (parent)', p.sourceRead, 'paging app ids (and reading documents with --read-mode parent)'],
    ['document read', p.workerRead, 'workers reading their documents, summed over workers'],
    ['parse + map', p.parseMap, 'XML parsing and mapping, summed over workers'],
    ['write', p.write, 'database transactions, summed over workers'],
  ];
  const max = Math.max(...rows.map((r) => r[1]), 1);
  const body = rows.map(([name, ms, what]) => `<tr><td>${esc(name)}<div class="ex">${esc(what)}</div></td><td class="n">${esc(secs(ms))}</td><td style="width:40%"><div class="bar" style="width:${((ms / max) * 100).toFixed(1)}%"></div></td></tr>`);
  let workers = '';
  if (d.perWorker && Object.keys(d.perWorker).length) {
    const wr = Object.entries(d.perWorker).sort((a, b) => Number(a[0]) - Number(b[0])).map(([id, f]) =>
      `<tr><td>worker ${esc(id)}</td><td class="n">${esc(num(f.batches))}</td><td class="n">${esc(num(f.ok))}</td><td class="n">${esc(num(f.failed))}</td><td class="n">${esc(secs(f.parseMapMs))}</td><td class="n">${esc(secs(f.writeMs))}</td><td class="n">${f.cpuMs > 0 ? esc(secs(f.cpuMs)) : '–'}</td></tr>`);
    workers = `<table style="margin-top:14px"><thead><tr><th></th><th class="n">batches</th><th class="n">ok</th><th class="n">failed</th><th class="n">parse+map</th><th class="n">write</th><th class="n">cpu</th></tr></thead><tbody>${wr.join('')}</tbody></table>`;
  }
  return `<table><tbody>${body.join('')}</tbody></table>${workers}`;
}

function rowsTables(d: ReportData): string {
  if (d.rows.length === 0) return '<p class="note">No row counts.</p>';
  return d.rows.map((t) => {
    const entries = Object.entries(t.counts);
    if (entries.length === 0) return `<p class="note">${esc(t.title)}: none.</p>`;
    const max = Math.max(...entries.map((e) => e[1]), 1);
    const total = entries.reduce((n, e) => n + e[1], 0);
    const body = entries.map(([name, n]) => `<tr><td>${esc(name)}</td><td class="n">${esc(num(n))}</td><td style="width:35%"><div class="bar w" style="width:${((n / max) * 100).toFixed(1)}%"></div></td></tr>`);
    return `<table class="rows"><thead><tr><th>${esc(t.title)}</th><th class="n">rows</th><th></th></tr></thead><tbody>${body.join('')}<tr><td><b>total</b></td><td class="n"><b>${esc(num(total))}</b></td><td></td></tr></tbody></table>`;
  }).join('<div style="height:14px"></div>');
}

function failures(d: ReportData): string {
  const f = d.failures;
  if (f.total === 0) return `<p class="note">No failed apps.${f.note ? ` ${esc(f.note)}` : ''}</p>`;
  const shown = f.groups.slice(0, MAX_GROUPS_SHOWN);
  const rows = shown.map((g) => {
    const more = g.count - g.appIds.length;
    const ids = `${g.appIds.map((id) => esc(id)).join(', ')}${more > 0 ? ` <span class="ex">… and ${esc(num(more))} more</span>` : ''}`;
    const example = g.example !== g.reason ? `<div class="ex">e.g. ${esc(g.example)}</div>` : '';
    return `<tr><td class="n">${esc(num(g.count))}</td><td><span class="stage">${esc(g.stage)}</span></td><td><div class="reason">${esc(g.reason)}</div>${example}</td><td class="ids">${ids}</td></tr>`;
  });
  const rest = f.groups.slice(MAX_GROUPS_SHOWN).reduce((n, g) => n + g.count, 0);
  const byStage = new Map<string, number>();
  for (const g of f.groups) byStage.set(g.stage, (byStage.get(g.stage) ?? 0) + g.count);
  const stages = [...byStage].sort((a, b) => b[1] - a[1]).map(([s, n]) => `<span class="stage">${esc(s)}</span> ${esc(num(n))}`).join(' &nbsp; ');
  return `<p>${esc(num(f.total))} failed app${f.total === 1 ? '' : 's'} · by stage: ${stages}</p>
<table class="failures"><thead><tr><th class="n">apps</th><th>stage</th><th>reason (quoted text shown as "…", numbers as N)</th><th>app ids</th></tr></thead><tbody>${rows.join('')}</tbody></table>
${rest > 0 ? `<p class="note">${esc(num(rest))} more failures in ${esc(f.groups.length - MAX_GROUPS_SHOWN)} further groups.</p>` : ''}${f.note ? `<p class="note">${esc(f.note)}</p>` : ''}
<p class="note">Failed apps stay logged failed. To run them again after fixing the contract or the documents: <code>xmlmigrate retry-failed</code>, then the same <code>xmlmigrate run</code>.</p>`;
}

function details(d: ReportData): string {
  const r = d.run;
  const items: [string, string | undefined][] = [
    ['run id', r.runId], ['command', r.command], ['target', r.target], ['dialect', r.dialect],
    ['started', r.startedAt], ['finished', r.finishedAt],
    ['workers · batch size', r.workers !== undefined ? `${r.workers} · ${r.batchSize ?? '?'}` : undefined],
    ['connections · reads', r.pool !== undefined ? `${r.pool ? 'pooled' : 'dedicated'} · ${r.readMode ?? '?'}` : undefined],
    ['dry run', r.dryRun ? 'yes: nothing was written' : undefined],
    ['stopped by', r.stoppedBy ?? undefined],
    ['failure budget', d.budget ? `${d.budget.limit}${d.budget.exceeded ? ' — exceeded' : ' — not exceeded'}` : undefined],
    ['retries · splits · crashes · outages', r.retries !== undefined ? `${r.retries} · ${r.splits ?? 0} · ${r.workerCrashes ?? 0} · ${r.outages ?? 0}` : undefined],
    ['parent peak RSS', r.peakRssMb !== undefined ? `${r.peakRssMb} MB` : undefined],
  ];
  const dl = items.filter((i) => i[1] !== undefined && i[1] !== '').map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`);
  return dl.length ? `<dl class="meta">${dl.join('')}</dl>` : '<p class="note">No run details (no metrics file).</p>';
}

/** The report of a run that just ended (`run --report`): everything from its summary. */
export function reportFromSummary(s: RunSummary, generatedAt = new Date().toISOString()): ReportData {
  const groups = s.failureGroups ?? s.failedApps.map((f) => ({ stage: f.stage, reason: f.reason, count: 1, appIds: [f.appId], example: f.reason }));
  const t = s.timeline ?? null;
  return {
    sources: ['the run summary'],
    generatedAt,
    run: {
      runId: s.runId, command: s.command, target: s.target, dialect: s.dialect, workers: s.workers, batchSize: s.batchSize,
      readMode: s.readMode, pool: s.pool, dryRun: s.dryRun, startedAt: s.startedAt, finishedAt: s.finishedAt, wallSeconds: s.wallSeconds,
      exitCode: s.exitCode, stoppedBy: s.stoppedBy, retries: s.retries, splits: s.splits, workerCrashes: s.workerCrashes, outages: s.outages, peakRssMb: s.peakRssMb,
    },
    apps: { ok: s.apps.ok, failed: s.apps.failed, alreadyLogged: s.apps.alreadyLogged },
    throughput: t && t.done.length ? { bucketMs: t.bucketMs, done: t.done, failed: t.failed, lastBucketMs: s.wallSeconds * 1000 - (t.done.length - 1) * t.bucketMs, label: 'from the run\'s own timeline' } : null,
    lanes: t ? { per: t.per, batches: t.batches, events: t.events, eventsDropped: t.eventsDropped, endMs: s.wallSeconds * 1000 } : null,
    phasesMs: s.phasesMs,
    perWorker: s.perWorker,
    rows: [{ title: s.dryRun ? 'rows mapped (dry run: not written)' : 'rows written by this run', counts: s.rowsByTable }],
    failures: {
      total: s.apps.failed, groups,
      ...(s.failureGroups ? {} : s.apps.failed > s.failedApps.length ? { note: `This metrics file lists only the first ${s.failedApps.length} failures; \`xmlmigrate report --target …\` reads them all from processing_log.` } : {}),
    },
    budget: s.failureBudget ?? null,
  };
}
