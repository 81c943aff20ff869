import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliError } from '../../../src/cli/cli-error.js';
import { checkOutputFile, resolveRunConfig } from '../../../src/cli/config.js';
import { demoTarget } from '../../../src/cli/commands/demo.js';

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
    expect(msg(() => resolveRunConfig({ contract: 'c' }, { XMLMIGRATE_BATCH_SIZE: 'lots' }))).toBe('XMLMIGRATE_BATCH_SIZE: must be an integer 1..100000 (got "lots")');
    expect(msg(() => resolveRunConfig({ contract: 'c', shard: '5/2' }, {}))).toBe('--shard: expected k/n with 0 ≤ k < n, e.g. 0/4 (got "5/2")');
    expect(msg(() => resolveRunConfig({ contract: 'c', appIdStart: '10', appIdEnd: '5' }, {}))).toBe('--app-id-start (10) must not exceed --app-id-end (5)');
    expect(msg(() => resolveRunConfig({ contract: 'c', logLevel: 'loud' }, {}))).toBe('--log-level: expected one of trace, debug, info, warn, error, fatal, silent (got "loud")');
    expect(msg(() => resolveRunConfig({ contract: 'c', readMode: 'both' }, {}))).toBe('--read-mode: expected parent or worker (got "both")');
    expect(msg(() => resolveRunConfig({ contract: 'c' }, { XMLMIGRATE_POOL: 'maybe' }))).toBe('XMLMIGRATE_POOL: expected true or false (got "maybe")');
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

  it('names the environment variable, not the flag, when the value came from the environment', () => {
    expect(msg(() => resolveRunConfig({ contract: 'c' }, { XMLMIGRATE_WORKERS: 'x' }))).toBe('XMLMIGRATE_WORKERS: must be an integer 1..64 (got "x")');
    expect(msg(() => resolveRunConfig({ contract: 'c', workers: 'x' }, { XMLMIGRATE_WORKERS: '2' }))).toBe('--workers: must be an integer 1..64 (got "x")');
    expect(msg(() => resolveRunConfig({ contract: 'c' }, { XMLMIGRATE_SHARD: '3/2' }))).toBe('XMLMIGRATE_SHARD: expected k/n with 0 ≤ k < n, e.g. 0/4 (got "3/2")');
    expect(msg(() => resolveRunConfig({ contract: 'c' }, { XMLMIGRATE_LOG_LEVEL: 'loud' }))).toMatch(/^XMLMIGRATE_LOG_LEVEL: expected one of /);
    expect(msg(() => resolveRunConfig({ contract: 'c' }, { XMLMIGRATE_READ_MODE: 'both' }))).toBe('XMLMIGRATE_READ_MODE: expected parent or worker (got "both")');
    expect(msg(() => resolveRunConfig({ contract: 'c' }, { XMLMIGRATE_APP_ID_START: '9', XMLMIGRATE_APP_ID_END: '3' }))).toBe('XMLMIGRATE_APP_ID_START (9) must not exceed XMLMIGRATE_APP_ID_END (3)');
    expect(msg(() => resolveRunConfig({ contract: 'c' }, { XMLMIGRATE_CONFIG: '/nonexistent/xm.json' }))).toMatch(/^XMLMIGRATE_CONFIG: cannot read \/nonexistent\/xm\.json: ENOENT/);
  });

  it('checks the JSON types of a config file: no arrays, objects or booleans where a number or a path belongs', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'xmcfg-'));
    const cfg = (o: Record<string, unknown>): string => { const f = path.join(dir, 'cfg.json'); writeFileSync(f, JSON.stringify({ contract: 'c', ...o })); return f; };
    try {
      expect(msg(() => resolveRunConfig({ config: cfg({ workers: [4] }) }, {}))).toBe(`"workers" in --config ${path.join(dir, 'cfg.json')}: must be an integer 1..64 (got [4])`);
      expect(msg(() => resolveRunConfig({ config: cfg({ batchSize: [[5]] }) }, {}))).toMatch(/^"batchSize" in --config \S+cfg\.json: must be an integer 1\.\.100000 \(got \[\[5\]\]\)$/);
      expect(msg(() => resolveRunConfig({ config: cfg({ workers: 2.5 }) }, {}))).toMatch(/^"workers" in --config \S+: must be an integer 1\.\.64 \(got 2\.5\)$/);
      expect(msg(() => resolveRunConfig({ config: cfg({ limit: true }) }, {}))).toMatch(/^"limit" in --config \S+: must be an integer/);
      expect(msg(() => resolveRunConfig({ config: cfg({ metricsOut: false }) }, {}))).toMatch(/^"metricsOut" in --config \S+cfg\.json: expected a file path \(got false\)$/);
      expect(msg(() => resolveRunConfig({ config: cfg({ logFile: { path: 'x' } }) }, {}))).toMatch(/^"logFile" in --config \S+: expected a file path \(got \{"path":"x"\}\)$/);
      expect(msg(() => resolveRunConfig({ config: cfg({ target: 5 }) }, {}))).toMatch(/^"target" in --config \S+: expected a connection URL \(got 5\)$/);
      expect(msg(() => resolveRunConfig({ config: cfg({ pool: 'perhaps' }) }, {}))).toMatch(/^"pool" in --config \S+: expected true or false \(got "perhaps"\)$/);
      expect(msg(() => resolveRunConfig({ config: cfg({ contract: ['a.json'] }) }, {}))).toMatch(/^"contract" in --config \S+: expected a contract file path \(got \["a\.json"\]\)$/);
      // numbers and booleans of the right type are fine; null means "not set"
      expect(resolveRunConfig({ config: cfg({ workers: 3, batchSize: '7', pool: true, metricsOut: null }) }, {})).toMatchObject({ workers: 3, batchSize: 7, pool: true, metricsOut: null });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('parses connection URLs without connecting: a bad one names its origin and never shows the password', () => {
    const bad = 'postgres://mig:Secr#tPass@127.0.0.1:5499/db';
    for (const [flags, env, label] of [
      [{ target: bad }, {}, '--target'], [{ source: bad }, {}, '--source'],
      [{}, { XMLMIGRATE_TARGET_URL: bad }, 'XMLMIGRATE_TARGET_URL'], [{}, { XMLMIGRATE_SOURCE_URL: bad }, 'XMLMIGRATE_SOURCE_URL'],
    ] as const) {
      const m = msg(() => resolveRunConfig({ contract: 'c', ...flags }, env));
      expect(m).toMatch(new RegExp(`^${label}: malformed URL postgres://mig:\\*\\*\\*@127\\.0\\.0\\.1:5499/db — `));
      expect(m).not.toContain('Secr');
      expect(m).not.toContain('tPass');
    }
    expect(msg(() => resolveRunConfig({ contract: 'c', target: 'postgres://u@127.0.0.1/test?connect_timeout=abc' }, {})))
      .toBe('--target: parameter connect_timeout in postgres://u@127.0.0.1/test?connect_timeout=abc: expected a non-negative integer (seconds) (got "abc")');
  });

  it('checks --log-file and --metrics-out before anything runs, and creates nothing', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'xmcfg-'));
    try {
      const missing = path.join(dir, 'missing', 'm.json');
      expect(msg(() => resolveRunConfig({ contract: 'c', metricsOut: missing }, {}))).toBe(`--metrics-out: cannot write ${missing}: directory ${path.join(dir, 'missing')} does not exist (create it first)`);
      expect(msg(() => resolveRunConfig({ contract: 'c' }, { XMLMIGRATE_LOG_FILE: path.join(dir, 'missing', 'run.log') }))).toMatch(/^XMLMIGRATE_LOG_FILE: cannot write \S+run\.log: directory \S+missing does not exist/);
      expect(existsSync(path.join(dir, 'missing')), 'no directory is created').toBe(false);
      mkdirSync(path.join(dir, 'isdir'));
      expect(msg(() => resolveRunConfig({ contract: 'c', logFile: path.join(dir, 'isdir') }, {}))).toMatch(/^--log-file: cannot write \S+isdir: it is a directory$/);
      writeFileSync(path.join(dir, 'plain'), '');
      expect(msg(() => checkOutputFile('--metrics-out', path.join(dir, 'plain', 'm.json')))).toMatch(/^--metrics-out: cannot write \S+: \S+plain is not a directory$/);
      expect(msg(() => checkOutputFile('--metrics-out', ''))).toBe('--metrics-out: expected a file path (got "")');
      // a writable place is accepted and nothing is written by the check
      const ok = path.join(dir, 'm.json');
      expect(resolveRunConfig({ contract: 'c', metricsOut: ok, logFile: path.join(dir, 'run.log') }, {})).toMatchObject({ metricsOut: ok });
      expect(existsSync(ok)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('reads --max-failures as a count or a percentage from flag, environment or config file, naming where a bad one came from', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'xmcfg-budget-'));
    try {
      const cfg = (o: object) => { const f = path.join(dir, 'cfg.json'); writeFileSync(f, JSON.stringify({ contract: 'c', ...o })); return f; };
      expect(resolveRunConfig({ contract: 'c' }, {})).toMatchObject({ maxFailures: null, maxFailuresMin: 100, report: null });
      expect(resolveRunConfig({ contract: 'c', maxFailures: '250' }, {})).toMatchObject({ maxFailures: { kind: 'count', max: 250 } });
      expect(resolveRunConfig({ contract: 'c' }, { XMLMIGRATE_MAX_FAILURES: '2.5%', XMLMIGRATE_MAX_FAILURES_MIN: '1000' })).toMatchObject({ maxFailures: { kind: 'percent', max: 2.5 }, maxFailuresMin: 1000 });
      expect(resolveRunConfig({ config: cfg({ maxFailures: 40, maxFailuresMin: 10 }) }, {})).toMatchObject({ maxFailures: { kind: 'count', max: 40 }, maxFailuresMin: 10 });
      expect(resolveRunConfig({ config: cfg({ maxFailures: '1%' }) }, {})).toMatchObject({ maxFailures: { kind: 'percent', max: 1 } });
      const expected = 'expected a count of failed apps (an integer ≥ 0, e.g. 500) or a percentage of processed apps (0..100%, e.g. 2%)';
      expect(msg(() => resolveRunConfig({ contract: 'c', maxFailures: 'lots' }, {}))).toBe(`--max-failures: ${expected} (got "lots")`);
      expect(msg(() => resolveRunConfig({ contract: 'c' }, { XMLMIGRATE_MAX_FAILURES: '150%' }))).toBe(`XMLMIGRATE_MAX_FAILURES: ${expected} (got "150%")`);
      expect(msg(() => resolveRunConfig({ config: cfg({ maxFailures: 2.5 }) }, {}))).toMatch(/^"maxFailures" in --config \S+cfg\.json: expected a count or a percentage, e\.g\. 500 or 2% \(got 2\.5\)$/);
      expect(msg(() => resolveRunConfig({ config: cfg({ maxFailures: true }) }, {}))).toMatch(/^"maxFailures" in --config \S+cfg\.json: expected a count or a percentage, e\.g\. 500 or 2% \(got true\)$/);
      expect(msg(() => resolveRunConfig({ contract: 'c', maxFailuresMin: '0' }, {}))).toBe(`--max-failures-min: must be an integer 1..${Number.MAX_SAFE_INTEGER} (got "0")`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('checks --report like --metrics-out, before anything runs', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'xmcfg-report-'));
    try {
      const missing = path.join(dir, 'missing', 'r.html');
      expect(msg(() => resolveRunConfig({ contract: 'c', report: missing }, {}))).toBe(`--report: cannot write ${missing}: directory ${path.join(dir, 'missing')} does not exist (create it first)`);
      expect(msg(() => resolveRunConfig({ contract: 'c' }, { XMLMIGRATE_REPORT: dir }))).toBe(`XMLMIGRATE_REPORT: cannot write ${dir}: it is a directory`);
      const ok = path.join(dir, 'r.html');
      expect(resolveRunConfig({ contract: 'c', report: ok }, {})).toMatchObject({ report: ok });
      expect(existsSync(ok)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('demo --db', () => {
  it('takes a SQLite file path or a sqlite: URL', () => {
    expect(demoTarget('xmlmigrate-demo.db')).toBe('sqlite:xmlmigrate-demo.db');
    expect(demoTarget('/tmp/d/x.db')).toBe('sqlite:/tmp/d/x.db');
    expect(demoTarget('./a:b@c.db')).toBe('sqlite:./a:b@c.db');
    expect(demoTarget('sqlite:data/x.db')).toBe('sqlite:data/x.db');
  });

  it('refuses any other URL (or what looks like one) without showing its password', () => {
    for (const db of ['postgres://user:Pw7Secret@host/db', 'mssql://sa:Pw7Secret@h/db', 'postgres:user:Pw7Secret@host/db', 'user:Pw7Secret@host/db', '//user:Pw7Secret@host/db', 'sqlite::memory:']) {
      const m = msg(() => demoTarget(db));
      expect(m, db).toMatch(/^--db: the demo runs on a SQLite file, not on .* — give a file path \(or sqlite:FILE\)/);
      expect(m, db).not.toContain('Pw7Secret');
    }
    expect(msg(() => demoTarget(''))).toBe('--db: expected a SQLite file path (got "")');
  });
});
