/**
 * `xmlmigrate map`, `conformance` and `import` through the built CLI, on fixtures in the repository: the
 * example contract, the hand-written test/fixtures/documents and documents from the product's generator.
 * The same commands on the reference system's documents: test/integration/conformance/reference-map-cli.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT, CORPUS_SEED, DOCUMENTS, SMALL_APP_ID, WRONG_PRODUCT_LINE_APP_ID, generatedDocs, writeDocs } from '../integration/pipeline/pipeline-harness.js';
import { ROOT, runCli } from './cli-run.js';

const small = path.join(DOCUMENTS, 'small-app.xml');
const fragment = path.join(DOCUMENTS, 'fragment.xml');
const wrongLine = path.join(DOCUMENTS, 'wrong-product-line.xml');

type AppLine = { file: string; app_id: number | null; tables: Record<string, Record<string, unknown>[]>; error: string | null };

describe('xmlmigrate map / conformance / import on repository fixtures (built CLI)', () => {
  let tmp: string;
  beforeAll(() => { tmp = mkdtempSync(path.join(tmpdir(), 'xm-map-cli-')); });
  afterAll(() => { if (tmp) rmSync(tmp, { recursive: true, force: true }); });

  it('map --format ndjson prints one line per document in the expected-file shape, with the values the contract implies', () => {
    const r = runCli(['map', '--contract', CONTRACT, '--format', 'ndjson', small, fragment, wrongLine]);
    expect(r.code, r.stderr).toBe(1); // two of the three documents are rejected
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as AppLine);
    expect(lines).toHaveLength(3);
    const first = lines[0]!;
    expect(first.file).toBe(small);
    expect(first.app_id).toBe(SMALL_APP_ID);
    expect(first.error).toBeNull();
    const one = (t: string) => { expect(first.tables[t], t).toHaveLength(1); return first.tables[t]![0]!; };
    // enums, datetimes with microseconds, dates
    expect(one('app_base')).toMatchObject({ app_id: SMALL_APP_ID, receive_date: '2024-03-15T09:30:00.250000', app_source_enum: 11, app_type_enum: 20, decision_enum: 30, booked_date: '2024-03-18T00:00:00' });
    // decimals rounded to data_length (0.095891 → 0.09589), extract_numeric ("$39"), a calculated difference
    expect(one('app_pricing_cc')).toMatchObject({ campaign_num: 'SPR24A', purchase_apr: 24.99, intro_purchase_apr: 0.09589, card_late_fee: 39, penalty_apr_spread: 5, credit_line: 5000 });
    // calculated fields and char_to_bit / boolean_to_bit
    expect(one('app_operational_cc')).toMatchObject({ prescreen_tier: 'B', debt_to_income_pct: 15, fast_track_flag: 1, signature_flag: 1, name_match_flag: 0, auth_user_issue_card_flag: 1 });
    // the GUAR contact and the MAIL address fail the filter rules; PR defaults fill the AUTHU contact
    expect(first.tables['app_contact_base']?.map((c) => [c['con_id'], c['contact_type_enum'], c['last_name']])).toEqual([[4242421, 110, "O'NEILL"], [4242422, 111, "O'NEILL"]]);
    expect(first.tables['app_contact_base']?.[1]).toMatchObject({ ssn: '000000000', birth_date: '1900-01-01T00:00:00' });
    expect(one('app_contact_address')).toMatchObject({ address_type_enum: 120, zip: '627011234', months_at_address: 28, con_id: 4242421 });
    expect(one('app_contact_employment')).toMatchObject({ monthly_salary: 5000, months_at_job: 15, con_id: 4242421 });
    expect(first.tables['scores']).toEqual([{ app_id: SMALL_APP_ID, score_identifier: 'PRESCREEN_FICO', score: 712 }, { app_id: SMALL_APP_ID, score_identifier: 'FICO08', score: 705 }]);
    expect(first.tables['indicators']).toBeUndefined();
    expect(lines[1]).toMatchObject({ app_id: null, tables: {}, error: expect.stringMatching(/^validation: document element is <CustData>, expected <Provenir>/) as unknown });
    expect(lines[2]).toMatchObject({ app_id: WRONG_PRODUCT_LINE_APP_ID, tables: {}, error: 'validation: wrong product line: found /Provenir/Request/CustData/IL_application but the contract expects /Provenir/Request/CustData/application' });
  });

  it('a reader that closes the pipe early (| head) gets no error and no stack trace', () => {
    const dir = path.join(tmp, 'epipe');
    writeDocs(dir, generatedDocs(Array.from({ length: 30 }, (_, i) => 800 + i), CORPUS_SEED));
    writeFileSync(path.join(dir, 'fragment.xml'), readFileSync(fragment)); // sorts first: the run has a failure before the pipe closes
    const err = path.join(tmp, 'stderr.txt');
    const cmd = `"${process.execPath}" bin/xmlmigrate.js map -c "${CONTRACT}" --format ndjson "${dir}" 2>"$ERR" | head -c 100 >/dev/null; echo "\${PIPESTATUS[0]}"`;
    const r = spawnSync('bash', ['-c', cmd], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ERR: err } });
    const stderr = readFileSync(err, 'utf8');
    expect(stderr).not.toMatch(/EPIPE|at .*\(|node:internal/);
    expect(Number(r.stdout.trim())).toBe(1); // the fragment was rejected
  });

  it('map --format table is readable and names every table', () => {
    const r = runCli(['map', '-c', CONTRACT, small]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`app ${SMALL_APP_ID}: 10 tables, 13 rows`);
    expect(r.stdout).toMatch(/app_contact_base \(2 rows\)\n\s+\[0\]\n\s+con_id\s+4242421/);
    expect(r.stdout).toMatch(/app_pricing_cc \(1 row\)\n\s+campaign_num\s+"SPR24A"/);
  });

  it('conformance: identical expected outputs match (exit 0); a changed value is an unexplained difference (exit 1)', () => {
    const xmlDir = path.join(tmp, 'conf-xml');
    const expDir = path.join(tmp, 'conf-expected');
    const files = writeDocs(xmlDir, generatedDocs([901, 902, 903], CORPUS_SEED));
    const mapped = runCli(['map', '-c', CONTRACT, '--format', 'ndjson', ...files]);
    expect(mapped.code, mapped.stderr).toBe(0);
    writeDocs(expDir, mapped.stdout.trim().split('\n').map((l) => {
      const { file, ...rest } = JSON.parse(l) as AppLine;
      return { appId: 0, file: `${path.basename(file, '.xml')}.json`, xml: JSON.stringify(rest) };
    }));
    const same = runCli(['conformance', '-c', CONTRACT, '--xml', xmlDir, '--expected', expDir, '--json']);
    expect(same.code, same.stderr).toBe(0);
    expect(JSON.parse(same.stdout)).toMatchObject({ samples: 3, matched: 3, differences: [], unexplained: 0, missingExpected: [] });

    // The reference "produced" another last name for the second document's first contact.
    const target = path.join(expDir, `generated-${CORPUS_SEED}-902.json`);
    const exp = JSON.parse(readFileSync(target, 'utf8')) as AppLine;
    exp.tables['app_contact_base']![0]!['last_name'] = 'SOMEONE-ELSE';
    writeFileSync(target, JSON.stringify(exp));
    const changed = runCli(['conformance', '-c', CONTRACT, '--xml', xmlDir, '--expected', expDir, '--json']);
    expect(changed.code, changed.stderr).toBe(1);
    const rep = JSON.parse(changed.stdout) as { samples: number; matched: number; unexplained: number; differences: { sample: string; table: string; column: string; expected: unknown; decisions: string[] }[] };
    expect(rep).toMatchObject({ samples: 3, matched: 2, unexplained: 1 });
    expect(rep.differences).toHaveLength(1);
    expect(rep.differences[0]).toMatchObject({ table: 'app_contact_base', column: 'last_name', expected: 'SOMEONE-ELSE', decisions: [] });
  });

  it('import keeps a document that will fail validation when its app id is readable (the run logs why)', () => {
    const target = `sqlite:${path.join(tmp, 'i.db')}`;
    const r = runCli(['import', '-c', CONTRACT, '-t', target, '--apply-schema', wrongLine, fragment]);
    expect(r.code).toBe(1);
    expect(r.stdout.trim()).toBe('imported 1 documents into app_xml, 1 file(s) skipped');
    expect(r.stderr).toContain('fragment.xml: skipped: validation: ');
    const run = runCli(['run', '-c', CONTRACT, '-t', target, '--workers', '1', '--no-progress']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`app ${WRONG_PRODUCT_LINE_APP_ID} [validation] wrong product line: found /Provenir/Request/CustData/IL_application`);
  });

  it('a missing XML path is a one-line usage error', () => {
    const r = runCli(['map', '-c', CONTRACT, 'nope.xml']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('xmlmigrate: no such file or directory: nope.xml');
  });

  it('a broken contract stops map with exit 2 and the JSON path', () => {
    const r = runCli(['map', '-c', 'test/fixtures/contracts/bad/unknown-token.json', small]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('mappings[2].mapping_type[0]: unknown mapping type "char_to_bitt"');
    expect(r.stdout).toBe('');
  });
});
