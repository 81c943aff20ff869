/**
 * The HTML run report in a real headless browser (Debian's chromium, driven through its command line):
 * a run on SQLite with failing documents — one whose app id is a `<script>` — writes `--report`, and
 * `xmlmigrate report` makes the page again from processing_log with and without the metrics file. Each
 * page is rendered: the DOM after rendering has the throughput line with its points, one bar per batch,
 * the rows-per-table and failures tables, and no script (the hostile reason is text); a screenshot is
 * a real PNG of the page. Without chromium (CHROMIUM, default /usr/bin/chromium) the tests are skipped,
 * and say so on the console.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/observability/metrics.js';
import { CORPUS_SEED, generatedDocs, loadSource, requireBuild, writeContract } from '../integration/pipeline/pipeline-harness.js';
import { runCli } from './cli-run.js';

const CHROMIUM = process.env['CHROMIUM'] ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const SKIP_REASON = `SKIPPED: ${CHROMIUM} is missing (apt-get install -y chromium) — the HTML report was not checked in a browser`;
if (!HAVE_CHROMIUM) console.warn(`\n*** report-browser.test.ts ${SKIP_REASON} ***\n`);

const HOSTILE_ID = 'x&lt;script&gt;document.title=\'pwned\'&lt;/script&gt;';
const HOSTILE_APP = 301;
const MISMATCH_APP = 302;

/** Runs chromium headless on a file: `--dump-dom` (the DOM after rendering) or `--screenshot=<png>`. */
function chromium(profile: string, args: string[], file: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(CHROMIUM, [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--hide-scrollbars', `--user-data-dir=${profile}`, ...args, pathToFileURL(file).href,
  ], { encoding: 'utf8', timeout: 180_000, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Width and height from a PNG's IHDR chunk (after checking the signature). */
function pngSize(file: string): { width: number; height: number; bytes: number } {
  const b = readFileSync(file);
  expect(b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), 'PNG signature').toBe(true);
  expect(b.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20), bytes: b.length };
}

describe.skipIf(!HAVE_CHROMIUM)('HTML run report in headless chromium', () => {
  let tmp: string;
  let db: string;
  let contract: string;
  let summary: RunSummary;
  const pages: Record<'run' | 'after' | 'log', string> = { run: '', after: '', log: '' };

  beforeAll(async () => {
    requireBuild();
    tmp = mkdtempSync(path.join(tmpdir(), 'xm-report-'));
    db = path.join(tmp, 'target.db');
    contract = writeContract(tmp, 'contract.json', 'dbo');
    const docs = generatedDocs(Array.from({ length: 300 }, (_, i) => i + 1), CORPUS_SEED);
    const [hostile, mismatch] = generatedDocs([HOSTILE_APP, MISMATCH_APP], CORPUS_SEED);
    docs.push({ ...hostile!, xml: hostile!.xml.replace(/(<Request\b[^>]*?\sID=")\d+"/, `$1${HOSTILE_ID}"`) });
    docs.push({ ...mismatch!, xml: mismatch!.xml.replace(/(<Request\b[^>]*?\sID=")\d+"/, '$1999999"') });
    await loadSource(`sqlite:${db}`, contract, docs);
    pages.run = path.join(tmp, 'run.html');
    const metrics = path.join(tmp, 'metrics.json');
    const r = runCli(['run', '-c', contract, '-t', `sqlite:${db}`, '-w', '2', '-b', '25', '--no-progress', '--metrics-out', metrics, '--report', pages.run]);
    expect(r.code, r.stderr + r.stdout).toBe(1);
    summary = JSON.parse(readFileSync(metrics, 'utf8')) as RunSummary;
    pages.after = path.join(tmp, 'after.html');
    pages.log = path.join(tmp, 'log.html');
    const a = runCli(['report', '-c', contract, '-t', `sqlite:${db}`, '--metrics', metrics, '--out', pages.after]);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout.trim()).toBe(`wrote ${pages.after}: 302 logged apps of run ${summary.runId}, 2 failed in 2 groups; worker timeline from the metrics file`);
    const l = runCli(['report', '-c', contract, '-t', `sqlite:${db}`, '--out', pages.log]);
    expect(l.code, l.stderr).toBe(0);
  });
  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it.each(['run', 'after', 'log'] as const)('the %s page renders its chart and tables, with the hostile reason as inert text', (which) => {
    const dom = chromium(path.join(tmp, `profile-dom-${which}`), ['--dump-dom'], pages[which]);
    expect(dom.code, dom.stderr).toBe(0);
    const html = dom.stdout;
    expect(html).toMatch(/<\/html>\s*$/);
    // nothing executed and nothing injected: no script element, the title is the report's own
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('pwned</title>');
    expect(html).toMatch(/<title>[^<]*xmlmigrate report<\/title>/);
    expect(html).toContain('invalid app id "x&lt;script&gt;document.title=\'pwned\'&lt;/script&gt;" at /Provenir/Request@ID');

    // the throughput chart: a line through at least two finite points
    const line = /<polyline class="throughput" points="([^"]+)"/.exec(html);
    expect(line, 'throughput polyline').not.toBeNull();
    const points = line![1]!.trim().split(/\s+/).map((p) => p.split(',').map(Number));
    expect(points.length).toBeGreaterThanOrEqual(2);
    for (const p of points) expect(p.every(Number.isFinite) && p.length === 2, String(p)).toBe(true);

    // rows per table and the failures, with their app ids
    const counts = which === 'log' ? { app_base: 300 } : summary.rowsByTable;
    for (const [t, n] of Object.entries(counts)) expect(html).toMatch(new RegExp(`<td>${t}</td><td class="n">${n.toLocaleString('en-US')}</td>`));
    expect(html).toMatch(new RegExp(`<td class="ids">${HOSTILE_APP}</td>`));
    expect(html).toMatch(new RegExp(`document app id N does not match the source row's app_id N</div>.*<td class="ids">${MISMATCH_APP}</td>`, 's'));

    // the worker lanes: one bar per batch (from the metrics; processing_log alone has none)
    const bars = (html.match(/<rect class="batch"/g) ?? []).length;
    if (which === 'log') expect(bars).toBe(0);
    else expect(bars).toBe(summary.timeline!.batches.length);
    if (which !== 'log') expect(bars).toBeGreaterThanOrEqual(Math.ceil(302 / 25));
  });

  it.each(['run', 'log'] as const)('a screenshot of the %s page is a real picture of it', (which) => {
    const png = path.join(tmp, `${which}.png`);
    const r = chromium(path.join(tmp, `profile-shot-${which}`), [`--screenshot=${png}`, '--window-size=1280,2000'], pages[which]);
    expect(r.code, r.stderr).toBe(0);
    const size = pngSize(png);
    expect(size).toMatchObject({ width: 1280, height: 2000 });
    // a blank or near-blank page compresses to a few kilobytes; this one has text, charts and tables
    expect(size.bytes).toBeGreaterThan(60_000);
    expect(statSync(png).isFile()).toBe(true);
  });
});

// without chromium the reason is in the test list too, not only on the console
if (!HAVE_CHROMIUM) {
  describe('HTML run report in headless chromium', () => {
    it.skip(SKIP_REASON, () => undefined);
  });
}
