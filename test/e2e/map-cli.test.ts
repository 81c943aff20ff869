import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, haveFixtures } from '../fixtures-path.js';
import { runCli } from './cli-run.js';

const ok = haveFixtures();

describe.runIf(ok)('xmlmigrate map / conformance on the XmlConversion fixtures (built CLI)', () => {
  it('map --format ndjson prints one line per document in the expected-file shape', () => {
    const files = ['sample--447903.xml', 'bloat.xml', 'sample-source-xml-wrong-schema--600000.xml'].map((f) => path.join(FIXTURES, 'xml', f));
    const r = runCli(['map', '--contract', path.join(FIXTURES, 'contract-cc.json'), '--format', 'ndjson', ...files]);
    expect(r.code).toBe(1); // two of the three documents are rejected
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(3);
    const first = lines[0] as { file: string; app_id: number; tables: Record<string, Record<string, unknown>[]>; error: null };
    expect(first.file).toBe(files[0]);
    expect(first.app_id).toBe(447903);
    expect(first.error).toBeNull();
    expect(first.tables['app_base']?.[0]).toMatchObject({ app_id: 447903, receive_date: '2025-10-09T21:51:08.027000', app_source_enum: 1, product_line_enum: 600 });
    expect(first.tables['app_pricing_cc']?.[0]?.['card_purchase_apr']).toBe(34.45);
    expect(first.tables['app_pricing_cc']?.[0]?.['card_intro_cash_advance_apr']).toBe(0.09589);
    expect(lines[1]).toMatchObject({ app_id: null, tables: {}, error: expect.stringMatching(/^validation: /) });
    expect(lines[2]).toMatchObject({ app_id: 600000, error: 'validation: wrong product line: found /Provenir/Request/CustData/IL_application but the contract expects /Provenir/Request/CustData/application' });
  });

  it('a reader that closes the pipe early (| head) gets no error and no stack trace', () => {
    const cmd = `"${process.execPath}" bin/xmlmigrate.js map -c "${path.join(FIXTURES, 'contract-cc.json')}" --format ndjson "${path.join(FIXTURES, 'xml')}" 2>"$ERR" | head -c 100 >/dev/null; echo "\${PIPESTATUS[0]}"`;
    const err = path.join(mkdtempSync(path.join(tmpdir(), 'xm-epipe-')), 'stderr.txt');
    const r = spawnSync('bash', ['-c', cmd], { cwd: path.join(import.meta.dirname, '..', '..'), encoding: 'utf8', env: { ...process.env, ERR: err } });
    const stderr = readFileSync(err, 'utf8');
    expect(stderr).not.toMatch(/EPIPE|at .*\(|node:internal/);
    expect(Number(r.stdout.trim())).toBe(1); // the usual outcome: some fixture documents are rejected
  });

  it('map --format table is readable and names every table', () => {
    const r = runCli(['map', '-c', path.join(FIXTURES, 'contract-cc.json'), path.join(FIXTURES, 'xml', 'sample--447903.xml')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('app 447903: 10 tables, 11 rows');
    expect(r.stdout).toMatch(/app_contact_base \(1 row\)\n\s+con_id\s+753604/);
  });

  it('conformance explains every difference by a decision id (exit 0)', () => {
    const r = runCli(['conformance', '-c', path.join(FIXTURES, 'contract-cc.json'), '--xml', path.join(FIXTURES, 'xml'), '--expected', path.join(FIXTURES, 'expected'), '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.stdout) as { samples: number; unexplained: number; byDecision: Record<string, number> };
    expect(rep.samples).toBe(readdirSync(path.join(FIXTURES, 'xml')).filter((f) => f.endsWith('.xml')).length);
    expect(rep.unexplained).toBe(0);
    expect(Object.keys(rep.byDecision).sort()).toEqual(['B1', 'B11', 'B2']);
  });

  it('import keeps a document that will fail validation when its app id is readable (the run logs why)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'xmimp-'));
    const target = `sqlite:${path.join(dir, 'i.db')}`;
    const r = runCli(['import', '-c', path.join(FIXTURES, 'contract-cc.json'), '-t', target, '--apply-schema',
      path.join(FIXTURES, 'xml', 'sample-source-xml-wrong-schema--600000.xml'), path.join(FIXTURES, 'xml', 'bloat.xml')]);
    expect(r.code).toBe(1);
    expect(r.stdout.trim()).toBe('imported 1 documents into app_xml_staging, 1 file(s) skipped');
    expect(r.stderr).toContain('bloat.xml: skipped: validation: ');
    const run = runCli(['run', '-c', path.join(FIXTURES, 'contract-cc.json'), '-t', target, '--workers', '1', '--no-progress']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('app 600000 [validation] wrong product line: found /Provenir/Request/CustData/IL_application');
  });

  it('a missing XML path is a one-line usage error', () => {
    const r = runCli(['map', '-c', path.join(FIXTURES, 'contract-cc.json'), 'nope.xml']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('xmlmigrate: no such file or directory: nope.xml');
  });

  it('a broken contract stops map with exit 2 and the JSON path', () => {
    const r = runCli(['map', '-c', 'test/fixtures/contracts/bad/unknown-token.json', path.join(FIXTURES, 'xml', 'sample--447903.xml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('mappings[2].mapping_type[0]: unknown mapping type "char_to_bitt"');
    expect(readFileSync(path.join(FIXTURES, 'contract-cc.json'), 'utf8').length).toBeGreaterThan(0);
  });
});
