import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkContract, parseContractJson } from '../../src/mapping/contract-loader.js';
import { ROOT, runCli } from './cli-run.js';

const BAD = path.join(ROOT, 'test', 'fixtures', 'contracts', 'bad');

describe('xmlmigrate contract check (built CLI)', () => {
  it('accepts the product example contract with exit 0', () => {
    const r = runCli(['contract', 'check', 'contracts/credit-card.json']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/contracts\/credit-card\.json: valid — 0 error\(s\)/);
  });

  for (const name of readdirSync(BAD).filter((f) => f.endsWith('.json')).sort()) {
    it(`bad/${name}: prints every problem and exits with the right code`, () => {
      const file = path.join('test', 'fixtures', 'contracts', 'bad', name);
      let errors: string[];
      let warnings: string[];
      try {
        const res = checkContract(parseContractJson(readFileSync(path.join(ROOT, file), 'utf8'), file), file);
        errors = res.errors.map((e) => e.message);
        warnings = res.warnings.map((w) => w.message);
      } catch (err) {
        errors = [(err as { problems: { message: string }[] }).problems[0]!.message];
        warnings = [];
      }
      const r = runCli(['contract', 'check', file]);
      expect(r.code).toBe(errors.length > 0 ? 2 : 0);
      const out = r.stdout + r.stderr;
      for (const m of [...errors, ...warnings]) expect(out).toContain(m);
      expect(out).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/); // never a stack trace
      if (errors.length > 0) expect(errors.length + warnings.length).toBeGreaterThan(0);
    });
  }

  it('names a missing file with exit 2 and no stack trace', () => {
    const r = runCli(['contract', 'check', 'no/such/contract.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot read contract no/such/contract.json');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('--json prints a machine-readable report', () => {
    const r = runCli(['contract', 'check', '--json', path.join('test', 'fixtures', 'contracts', 'bad', 'unknown-token.json')]);
    expect(r.code).toBe(2);
    const j = JSON.parse(r.stdout) as { valid: boolean; errors: { rule: string; path: string }[] };
    expect(j.valid).toBe(false);
    expect(j.errors[0]).toMatchObject({ rule: 'unknown-token', path: 'mappings[2].mapping_type[0]' });
  });

  it('unknown command is a usage error (exit 2)', () => {
    const r = runCli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
  });
});
