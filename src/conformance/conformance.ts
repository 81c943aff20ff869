/**
 * Conformance run: maps every document of a set, compares with the expected outputs, and explains
 * each difference by the product decision that causes it — proven by re-mapping the document with
 * that one decision reverted to the reference behaviour and seeing the difference disappear.
 */
import { isUtf8 } from 'node:buffer';
import { readFile, readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { DataMapper } from '../mapping/data-mapper.js';
import { DECISIONS, type DecisionId } from '../mapping/legacy.js';
import type { MappingPlan } from '../mapping/plan.js';
import { mapToJson, type AppJson } from './app-json.js';
import { compareApps, diffKey, sameValue, type Difference } from './compare.js';

/**
 * Decisions about whole documents, proven without the mapper's legacy switch: `UTF8` — source bytes
 * must be UTF-8, while the reference decoded bytes that are not as Windows-1252 (docs/compatibility.md).
 */
export const DOCUMENT_DECISIONS: Readonly<Record<'UTF8', string>> = {
  UTF8: 'source bytes must be UTF-8 (the reference fell back to Windows-1252)',
};

/** A mapper decision or a document decision. */
export type Explanation = DecisionId | keyof typeof DOCUMENT_DECISIONS;

/** A difference with the decisions that explain it (empty = unexplained). */
export interface ExplainedDifference extends Difference {
  sample: string;
  decisions: Explanation[];
}

/** Result of a conformance run. */
export interface ConformanceReport {
  samples: number;
  matched: number;
  differences: ExplainedDifference[];
  unexplained: number;
  byDecision: Record<string, number>;
  missingExpected: string[];
}

function cellOf(app: AppJson, d: Difference): unknown {
  if (d.table === null) return app.error === null ? null : 'error';
  const rows = app.tables[d.table] ?? [];
  if (d.row === null) return `${rows.length} rows`;
  return rows[d.row]?.[d.column ?? ''];
}

/** Options: the XML files or directory, the expected directory, and a filter. */
export interface ConformanceOptions {
  plan: MappingPlan;
  xml: string[];
  expectedDir: string;
}

async function listXml(inputs: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const p of inputs) {
    const entries = await readdir(p).catch(() => null);
    if (entries) files.push(...entries.filter((e) => e.toLowerCase().endsWith('.xml')).sort().map((e) => path.join(p, e)));
    else files.push(p);
  }
  return files;
}

/** Runs the comparison over every document. */
export async function runConformance(opts: ConformanceOptions): Promise<ConformanceReport> {
  const product = new DataMapper(opts.plan);
  const legacyMappers = new Map<DecisionId, DataMapper>(DECISIONS.map((d) => [d, new DataMapper(opts.plan, { legacy: new Set([d]) })]));
  const allLegacy = new DataMapper(opts.plan, { legacy: new Set(DECISIONS) });
  const report: ConformanceReport = { samples: 0, matched: 0, differences: [], unexplained: 0, byDecision: {}, missingExpected: [] };
  for (const file of await listXml(opts.xml)) {
    const stem = path.basename(file).replace(/\.xml$/i, '');
    const expText = await readFile(path.join(opts.expectedDir, `${stem}.json`), 'utf8').catch(() => null);
    if (expText === null) { report.missingExpected.push(file); continue; }
    const expected = JSON.parse(expText) as AppJson;
    const xml = await readFile(file); // as the product reads source rows: bytes, which must be UTF-8
    report.samples++;
    const diffs = compareApps(expected, mapToJson(product, xml));
    if (diffs.length === 0) { report.matched++; continue; }
    const alt = new Map<DecisionId, AppJson>();
    for (const [d, m] of legacyMappers) alt.set(d, mapToJson(m, xml));
    // bytes that are not UTF-8: the reference read them as Windows-1252 (decision UTF8)
    const asReference = isUtf8(xml) ? null : mapToJson(product, new TextDecoder('windows-1252').decode(xml));
    const all = mapToJson(allLegacy, xml);
    const allDiffs = new Set(compareApps(expected, all).map(diffKey));
    for (const diff of diffs) {
      const exp = cellOf(expected, diff);
      let decisions: Explanation[] = DECISIONS.filter((d) => sameValue(exp, cellOf(alt.get(d)!, diff)));
      if (asReference !== null && sameValue(exp, cellOf(asReference, diff))) decisions = ['UTF8', ...decisions];
      if (decisions.length === 0 && !allDiffs.has(diffKey(diff))) {
        // needs several decisions reverted together: name every one that changes this cell
        decisions = DECISIONS.filter((d) => !sameValue(diff.actual, cellOf(alt.get(d)!, diff)));
      }
      if (decisions.length === 0) report.unexplained++;
      for (const d of decisions) report.byDecision[d] = (report.byDecision[d] ?? 0) + 1;
      report.differences.push({ ...diff, sample: stem, decisions });
    }
  }
  return report;
}
