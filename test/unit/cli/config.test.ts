import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliError } from '../../../src/cli/cli-error.js';
import { resolveRunConfig } from '../../../src/cli/config.js';

const msg = (f: () => unknown): string => {
  try { f(); } catch (e) { expect(e).toBeInstanceOf(CliError); return (e as CliError).message; }
  throw new Error('expected a CliError');
};

describe('resolveRunConfig', () => {
  it('applies defaults', () => {
    const c = resolveRunConfig({ contract: 'c.json' }, {});
    expect(c).toMatchObject({ contract: 'c.json', target: 'sqlite:xmlmigrate.db', source: null, limit: null, workers: 4, batchSize: 100, pool: false, poolSize: 4, readMode: 'worker', logLevel: 'warn', dryRun: false, progress: true, retryAttempts: 5, outageWaitSeconds: 60, shard: null });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('takes flag over environment over config file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'xmcfg-'));
    const file = path.join(dir, 'cfg.json');
    writeFileSync(file, JSON.stringify({ contract: 'file.json', workers: 2, batchSize: 7, limit: 9 }));
    const c = resolveRunConfig({ config: file, workers: '3' }, { XMLMIGRATE_BATCH_SIZE: '11' });
    expect(c).toMatchObject({ contract: 'file.json', workers: 3, batchSize: 11, limit: 9 });
  });

  it('names the setting in every validation message', () => {
    expect(msg(() => resolveRunConfig({}, {}))).toBe('--contract: required (or XMLMIGRATE_CONTRACT, or "contract" in --config)');
    expect(msg(() => resolveRunConfig({ contract: 'c', workers: '0' }, {}))).toBe('--workers: must be an integer 1..64 (got "0")');
    expect(msg(() => resolveRunConfig({ contract: 'c' }, { XMLMIGRATE_BATCH_SIZE: 'lots' }))).toBe('--batch-size: must be an integer 1..100000 (got "lots")');
    expect(msg(() => resolveRunConfig({ contract: 'c', shard: '5/2' }, {}))).toBe('--shard: expected k/n with 0 ≤ k < n, e.g. 0/4 (got "5/2")');
    expect(msg(() => resolveRunConfig({ contract: 'c', appIdStart: '10', appIdEnd: '5' }, {}))).toBe('--app-id-start (10) must not exceed --app-id-end (5)');
    expect(msg(() => resolveRunConfig({ contract: 'c', logLevel: 'loud' }, {}))).toBe('--log-level: expected one of trace, debug, info, warn, error, fatal, silent (got "loud")');
    expect(msg(() => resolveRunConfig({ contract: 'c', readMode: 'both' }, {}))).toBe('--read-mode: expected parent or worker (got "both")');
    expect(msg(() => resolveRunConfig({ contract: 'c' }, { XMLMIGRATE_POOL: 'maybe' }))).toBe('--pool: expected true or false (got "maybe")');
  });

  it('rejects unknown config-file keys and unreadable files', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'xmcfg-'));
    const file = path.join(dir, 'cfg.json');
    writeFileSync(file, JSON.stringify({ contract: 'c', wrokers: 2 }));
    expect(msg(() => resolveRunConfig({ config: file }, {}))).toMatch(/^--config: unknown setting "wrokers" in .*cfg\.json \(known: /);
    expect(msg(() => resolveRunConfig({ config: path.join(dir, 'nope.json') }, {}))).toMatch(/^--config: cannot read .*nope\.json: ENOENT/);
  });

  it('parses shards and booleans', () => {
    expect(resolveRunConfig({ contract: 'c', shard: '1/4', pool: true, dryRun: true }, {})).toMatchObject({ shard: { index: 1, count: 4 }, pool: true, dryRun: true });
    expect(resolveRunConfig({ contract: 'c' }, { XMLMIGRATE_POOL: 'yes' }).pool).toBe(true);
  });
});
