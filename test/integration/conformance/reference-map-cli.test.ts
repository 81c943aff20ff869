/**
 * Reference conformance through the built CLI: the reference system's (XmlConversion) contract and
 * documents, and the rows it produced for them. Needs the reference fixtures (XMLMIGRATE_FIXTURES,
 * default ../shared/fixtures/xmlconversion; see test/fixtures-path.ts) and is skipped, loudly, without them.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../e2e/cli-run.js';
import { HAVE_REFERENCE_FIXTURES, referencePath, referenceSuite } from '../../fixtures-path.js';

describe.skipIf(!HAVE_REFERENCE_FIXTURES)(referenceSuite('reference conformance: map / conformance / import on the XmlConversion fixtures'), () => {
  const contract = referencePath('contract-cc.json');
  const xml = (f: string) => referencePath('xml', f);
  let tmp: string;
  beforeAll(() => { tmp = mkdtempSync(path.join(tmpdir(), 'xm-ref-map-')); });
  afterAll(() => { if (tmp) rmSync(tmp, { recursive: true, force: true }); });

  it('map --format ndjson gives the reference values for sample 447903 and rejects bloat.xml and the wrong-schema sample', () => {
    const files = ['sample--447903.xml', 'bloat.xml', 'sample-source-xml-wrong-schema--600000.xml'].map(xml);
    const r = runCli(['map', '--contract', contract, '--format', 'ndjson', ...files]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(3);
    const first = lines[0] as { file: string; app_id: number; tables: Record<string, Record<string, unknown>[]>; error: null };
    expect(first.file).toBe(files[0]);
    expect(first.app_id).toBe(447903);
    expect(first.error).toBeNull();
    expect(first.tables['app_base']?.[0]).toMatchObject({ app_id: 447903, receive_date: '2025-10-09T21:51:08.027000', app_source_enum: 1, product_line_enum: 600 });
    expect(first.tables['app_pricing_cc']?.[0]?.['card_purchase_apr']).toBe(34.45);
    expect(first.tables['app_pricing_cc']?.[0]?.['card_intro_cash_advance_apr']).toBe(0.09589);
    expect(lines[1]).toMatchObject({ app_id: null, tables: {}, error: expect.stringMatching(/^validation: /) as unknown });
    expect(lines[2]).toMatchObject({ app_id: 600000, error: 'validation: wrong product line: found /Provenir/Request/CustData/IL_application but the contract expects /Provenir/Request/CustData/application' });
  });

  it('map --format table shows sample 447903', () => {
    const r = runCli(['map', '-c', contract, xml('sample--447903.xml')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('app 447903: 10 tables, 11 rows');
    expect(r.stdout).toMatch(/app_contact_base \(1 row\)\n\s+con_id\s+753604/);
  });

  it('conformance explains every difference from the reference outputs by a decision id (exit 0)', () => {
    const r = runCli(['conformance', '-c', contract, '--xml', referencePath('xml'), '--expected', referencePath('expected'), '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.stdout) as { samples: number; unexplained: number; byDecision: Record<string, number>; missingExpected: string[] };
    expect(rep.samples).toBe(readdirSync(referencePath('xml')).filter((f) => f.endsWith('.xml')).length);
    expect(rep.samples).toBe(166);
    expect(rep.missingExpected).toEqual([]);
    expect(rep.unexplained).toBe(0);
    expect(Object.keys(rep.byDecision).sort()).toEqual(['B1', 'B11', 'B2']);
  });

  it('import keeps the wrong-schema sample (its app id is readable) and skips bloat.xml; the run logs why', () => {
    const target = `sqlite:${path.join(tmp, 'i.db')}`;
    const r = runCli(['import', '-c', contract, '-t', target, '--apply-schema', xml('sample-source-xml-wrong-schema--600000.xml'), xml('bloat.xml')]);
    expect(r.code).toBe(1);
    expect(r.stdout.trim()).toBe('imported 1 documents into app_xml_staging, 1 file(s) skipped');
    expect(r.stderr).toContain('bloat.xml: skipped: validation: ');
    const run = runCli(['run', '-c', contract, '-t', target, '--workers', '1', '--no-progress']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('app 600000 [validation] wrong product line: found /Provenir/Request/CustData/IL_application');
  });
});
