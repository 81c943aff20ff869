/**
 * `xmlmigrate conformance` reads documents as the product reads source rows (bytes that must be
 * UTF-8) and explains the one difference this makes: a document that is not UTF-8, which the
 * reference decoded as Windows-1252, is named `UTF8` — proven by mapping the reference's decoding.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapToJson } from '../../../src/conformance/app-json.js';
import { runConformance } from '../../../src/conformance/conformance.js';
import { loadContractFile } from '../../../src/mapping/contract-loader.js';
import { DataMapper } from '../../../src/mapping/data-mapper.js';
import { compilePlan, type MappingPlan } from '../../../src/mapping/plan.js';
import { generateDocument } from '../../../src/seed/generator.js';

const CONTRACT = path.join(import.meta.dirname, '..', '..', '..', 'contracts', 'credit-card.json');

describe('conformance and documents that are not UTF-8', () => {
  let dir: string;
  let plan: MappingPlan;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'xm-conf-utf8-'));
    plan = compilePlan((await loadContractFile(CONTRACT)).contract);
    const mapper = new DataMapper(plan);
    const xml = generateDocument(501, 7, { complete: true, targetBytes: 6000 }).replace(/^\uFEFF/, '').replace(/(\sfirst_name=")[^"]*"/, '$1MÜLLER"');
    const good = generateDocument(502, 7, { complete: true, targetBytes: 6000 });
    // Latin-1 bytes (Ü = 0xDC): what the reference read as Windows-1252 and mapped
    writeFileSync(path.join(dir, 'latin.xml'), Buffer.from(xml, 'latin1'));
    writeFileSync(path.join(dir, 'latin.json'), JSON.stringify(mapToJson(mapper, xml)));
    writeFileSync(path.join(dir, 'good.xml'), good);
    writeFileSync(path.join(dir, 'good.json'), JSON.stringify(mapToJson(mapper, good)));
  });
  afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  it('the product fails the Latin-1 document at parsing; the difference is explained by UTF8, nothing unexplained', async () => {
    const report = await runConformance({ plan, xml: [path.join(dir, 'latin.xml'), path.join(dir, 'good.xml')], expectedDir: dir });
    expect(report.samples).toBe(2);
    expect(report.matched).toBe(1);
    expect(report.unexplained).toBe(0);
    expect(report.differences).toHaveLength(1);
    const d = report.differences[0]!;
    expect(d.sample).toBe('latin');
    expect(d.table).toBeNull();
    expect(String(d.actual)).toMatch(/^parsing: invalid UTF-8: byte 0xDC in attribute first_name of <contact> \(line \d+, column \d+\)$/);
    expect(d.decisions).toEqual(['UTF8']);
    expect(report.byDecision).toEqual({ UTF8: 1 });
  });
});
