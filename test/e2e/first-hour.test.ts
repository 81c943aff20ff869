/**
 * The first hour of a new user (issue 10, part 4), through the built CLI, with the product's own
 * example contract and documents from its own generator: the forms the README and the demo print
 * work; `schema` prints the target's dialect; the tool commands refuse a missing database or table
 * the way `run` does (exit 2, nothing created); a server that wants a password names the variable;
 * `import --replace`; unknown host (exit 2) vs refused port (exit 3); `run --help`; the summary's
 * wording; parent log lines carry the run id; `conformance` with nothing to compare exits 2.
 */
import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import * as net from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import * as path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { seedSource } from '../../src/cli/commands/seed.js';
import { generateDocument } from '../../src/seed/generator.js';
import { startFakePgServer, type FakePgServer } from '../faults/fake-pg-server.js';
import { PG_URL, requireBuild } from '../integration/pipeline/pipeline-harness.js';
import { ROOT, runCli, type CliResult } from './cli-run.js';

const CONTRACT = path.join(ROOT, 'contracts', 'credit-card.json');
const BIN = path.join(ROOT, 'bin', 'xmlmigrate.js');
const TOOL_COMMANDS: readonly (readonly string[])[] = [
  ['seed', '-n', '3'], ['status', '-c', CONTRACT], ['import', '-c', CONTRACT, 'docs'], ['retry-failed', '-c', CONTRACT],
];

/** The CLI without blocking this process's event loop (a fake server here must answer it). */
function runCliAsync(args: readonly string[], opts: { env?: Record<string, string>; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    p.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** No stack trace, one `xmlmigrate: …` line on stderr. */
function expectOneLine(r: CliResult, code: number, pattern: RegExp): void {
  expect(r.code, `exit code; stderr: ${r.stderr}`).toBe(code);
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^xmlmigrate: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

describe('the first hour (built CLI, example contract, generated documents)', () => {
  let tmp: string;
  const cli = (args: string[], env: Record<string, string> = {}): CliResult => runCli(args, { cwd: tmp, env: { XMLMIGRATE_TARGET_URL: '', ...env } });
  const sqliteRows = <T>(file: string, sql: string): T[] => {
    const d = new Database(file, { fileMustExist: true, readonly: true });
    try { return d.prepare(sql).all() as T[]; } finally { d.close(); }
  };
  const writeDoc = (dir: string, name: string, xml: string): string => {
    mkdirSync(dir, { recursive: true });
    const f = path.join(dir, name);
    writeFileSync(f, xml);
    return f;
  };

  beforeAll(() => {
    requireBuild();
    tmp = mkdtempSync(path.join(tmpdir(), 'xm-e2e-firsthour-'));
    mkdirSync(path.join(tmp, 'docs'));
  });
  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  describe('getting started', () => {
    it('the README shows forms that work in a fresh clone (npx xmlmigrate) and how to install globally', () => {
      const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
      const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string>; scripts: Record<string, string> };
      expect(pkg.bin['xmlmigrate']).toBe('bin/xmlmigrate.js');
      expect(pkg.scripts['prepare']).toBe('node scripts/prepare.mjs');
      expect(readme).toMatch(/npm ci && npx xmlmigrate demo/);
      expect(readme).toMatch(/npm install -g \.|npm link/);
      // every command line of the README calls the CLI through a form that works right after `npm ci`
      const bare = readme.split('\n').filter((l) => /^(\s*)xmlmigrate /.test(l));
      expect(bare, 'README lines calling a bare `xmlmigrate`').toEqual([]);
    });

    it('prepare, without dev dependencies, leaves the install alone and says why', async () => {
      // a copy of the package without node_modules: what `npm ci --omit=dev` or a production image sees
      const pkgDir = path.join(tmp, 'bare-package');
      mkdirSync(path.join(pkgDir, 'scripts'), { recursive: true });
      copyFileSync(path.join(ROOT, 'package.json'), path.join(pkgDir, 'package.json'));
      copyFileSync(path.join(ROOT, 'scripts', 'prepare.mjs'), path.join(pkgDir, 'scripts', 'prepare.mjs'));
      const run = () => new Promise<CliResult>((resolve) => {
        const p = spawn(process.execPath, [path.join(pkgDir, 'scripts', 'prepare.mjs')], { cwd: pkgDir, env: { ...process.env, NODE_PATH: '' } });
        let stdout = '';
        let stderr = '';
        p.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
        p.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
        p.on('close', (code) => resolve({ code, stdout, stderr }));
      });
      const none = await run();
      expect(none.code, none.stderr).toBe(0);
      expect(none.stderr).toMatch(/dev dependencies not installed and no dist\/ .*npm run build/);
      mkdirSync(path.join(pkgDir, 'dist', 'cli'), { recursive: true });
      writeFileSync(path.join(pkgDir, 'dist', 'cli', 'main.js'), '');
      const built = await run();
      expect(built.code, built.stderr).toBe(0);
      expect(built.stderr).toMatch(/dev dependencies not installed; using the dist\/ that is already there/);
    });

    it("the demo's 'look around' hint is a command that works where the user stands", () => {
      const r = cli(['demo', '-n', '12', '--workers', '1', '--no-progress'], { npm_command: '' });
      expect(r.code, r.stderr).toBe(0);
      const hint = /^look around: (.+) status --target (\S+) --contract (\S+)$/m.exec(r.stdout);
      expect(hint, r.stdout).not.toBeNull();
      expect(hint![1]).toBe(BIN); // started as `node <path>`: the hint repeats that path, not a bare `xmlmigrate`
      const st = cli(['status', '--target', hint![2]!, '--contract', hint![3]!]);
      expect(st.code, st.stderr).toBe(0);
      expect(st.stdout.split('\n')[0]).toBe('processing_log: 12 success; 0 pending in app_xml');
      // through a bin link named xmlmigrate: `npx xmlmigrate` under npx, `xmlmigrate` when on PATH
      const binDir = path.join(tmp, 'global-bin');
      mkdirSync(binDir);
      symlinkSync(BIN, path.join(binDir, 'xmlmigrate'));
      const viaLink = (env: Record<string, string>) => spawnSync(process.execPath, [path.join(binDir, 'xmlmigrate'), 'demo', '-n', '12', '--workers', '1', '--no-progress'],
        { cwd: tmp, encoding: 'utf8', env: { ...process.env, XMLMIGRATE_TARGET_URL: '', ...env } });
      const npx = viaLink({ npm_command: 'exec' });
      expect(npx.stdout).toMatch(/^look around: npx xmlmigrate status --target sqlite:xmlmigrate-demo\.db --contract /m);
      expect(npx.stdout).toMatch(/nothing to do: all 12 selected apps are already logged/);
      const global = viaLink({ npm_command: '', PATH: `${binDir}${path.delimiter}${process.env['PATH'] ?? ''}` });
      expect(global.stdout).toMatch(/^look around: xmlmigrate status --target sqlite:xmlmigrate-demo\.db --contract /m);
    });
  });

  describe('schema without --apply prints the DDL of the target\'s dialect', () => {
    it('from XMLMIGRATE_TARGET_URL, from -t, the SQLite default, or --dialect', () => {
      const pgEnv = cli(['schema', '-c', CONTRACT], { XMLMIGRATE_TARGET_URL: 'postgres://u@db.example/x' });
      expect(pgEnv.code, pgEnv.stderr).toBe(0);
      expect(pgEnv.stdout).toMatch(/^CREATE SCHEMA IF NOT EXISTS "dbo";/);
      const ms = cli(['schema', '-c', CONTRACT, '-t', 'mssql://u@db.example/x']);
      expect(ms.code, ms.stderr).toBe(0);
      expect(ms.stdout).toMatch(/^GO$/m);
      const def = cli(['schema', '-c', CONTRACT]);
      expect(def.code, def.stderr).toBe(0);
      expect(def.stdout).toMatch(/^CREATE TABLE IF NOT EXISTS "app_base" \(/m);
      const flag = cli(['schema', '-c', CONTRACT, '--dialect', 'postgres']);
      expect(flag.stdout).toMatch(/"dbo"\."app_base"/);
      expectOneLine(cli(['schema', '-c', CONTRACT, '--dialect', 'oracle']), 2, /--dialect: expected one of mssql, postgres, sqlite \(got "oracle"\)/);
      expectOneLine(cli(['schema', '-c', CONTRACT], { XMLMIGRATE_TARGET_URL: 'oracle://x' }), 2, /^xmlmigrate: XMLMIGRATE_TARGET_URL: /);
    });

    it('schema --apply says what it created and what was already there', () => {
      const target = `sqlite:${path.join(tmp, 'apply.db')}`;
      const first = cli(['schema', '--apply', '-c', CONTRACT, '-t', target, '--no-source']);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout.trim()).toBe(`schema applied to ${target}: created 14 tables (11 from the contract + processing_log + 2 claim tables)`);
      const second = cli(['schema', '--apply', '-c', CONTRACT, '-t', target]);
      expect(second.stdout.trim()).toBe(`schema applied to ${target}: created 1 table (app_xml); 14 already present`);
      const third = cli(['schema', '--apply', '-c', CONTRACT, '-t', target]);
      expect(third.stdout.trim()).toBe(`schema applied to ${target}: nothing to create — all 15 tables (11 from the contract + processing_log + 2 claim tables + app_xml) already present`);
    });
  });

  describe('tool commands on a database without the schema behave like run', () => {
    it('SQLite: a missing file is refused (exit 2) and not created', () => {
      for (const args of TOOL_COMMANDS) {
        const r = cli([...args, '-t', 'sqlite:nothere.db']);
        expectOneLine(r, 2, /^xmlmigrate: cannot connect to sqlite:nothere\.db: database file nothere\.db does not exist \(create it with `xmlmigrate schema --apply`/);
        expect(existsSync(path.join(tmp, 'nothere.db')), `${args[0]} created the file`).toBe(false);
      }
      const run = cli(['run', '-c', CONTRACT, '-t', 'sqlite:nothere.db', '--no-progress']);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/does not exist \(create it with `xmlmigrate schema --apply`\)/);
    });

    it('SQLite: an existing file without the tables is refused (exit 2), naming the tables', () => {
      const file = path.join(tmp, 'empty.db');
      new Database(file).close();
      const want: Record<string, RegExp> = {
        seed: /table app_xml does not exist in sqlite:empty\.db \(create it with `xmlmigrate schema --apply` or pass --apply-schema\)/,
        status: /table processing_log does not exist in sqlite:empty\.db \(create it with `xmlmigrate schema --apply`\)/,
        import: /table app_xml does not exist in sqlite:empty\.db/,
        'retry-failed': /table processing_log does not exist in sqlite:empty\.db/,
      };
      for (const args of TOOL_COMMANDS) expectOneLine(cli([...args, '-t', 'sqlite:empty.db']), 2, want[args[0]!]!);
      expect(sqliteRows<{ name: string }>(file, "SELECT name FROM sqlite_master WHERE type = 'table'")).toEqual([]);
      // --apply-schema is the one-step way
      // status with processing_log but the source elsewhere (run --source): the log, and no pending count
      const logOnly = cli(['schema', '--apply', '-c', CONTRACT, '-t', 'sqlite:log-only.db', '--no-source']);
      expect(logOnly.code, logOnly.stderr).toBe(0);
      const st = cli(['status', '-c', CONTRACT, '-t', 'sqlite:log-only.db']);
      expect(st.code, st.stderr).toBe(0);
      expect(st.stdout.trim()).toBe('processing_log: empty; no source table app_xml in this database');
      const seeded = cli(['seed', '-n', '3', '-t', 'sqlite:empty.db', '--apply-schema', '--no-progress']);
      expect(seeded.code, seeded.stderr).toBe(0);
      expect(seeded.stdout).toMatch(/^seeded 3 documents /);
    });

    describe('PostgreSQL: a schema that does not exist', () => {
      const schema = `xm_firsthour_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
      let contract: string;
      const admin = new pg.Client({ connectionString: PG_URL });
      beforeAll(async () => {
        await admin.connect();
        const raw = JSON.parse(readFileSync(CONTRACT, 'utf8')) as Record<string, unknown>;
        contract = path.join(tmp, 'pg-contract.json');
        writeFileSync(contract, JSON.stringify({ ...raw, target_schema: schema }));
      });
      afterAll(async () => {
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await admin.end();
      });

      it('seed, status, import, retry-failed: exit 2, "create it with xmlmigrate schema --apply", nothing created', async () => {
        for (const [cmd, ...rest] of TOOL_COMMANDS) {
          const args = [cmd!, ...rest.map((a) => (a === CONTRACT ? contract : a)), ...(cmd === 'seed' ? ['-c', contract] : [])];
          const r = cli([...args, '-t', PG_URL]);
          expectOneLine(r, 2, new RegExp(`${schema}\\.(app_xml|processing_log).* not exist in postgres://.*\\(create (it|them) with \`xmlmigrate schema --apply\``));
          expect(r.stderr).not.toMatch(/relation .* does not exist/);
        }
        const exists = await admin.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [schema]);
        expect(exists.rowCount).toBe(0);
      });
    });
  });

  describe('connections', () => {
    let scram: FakePgServer;
    let clear: FakePgServer;
    beforeAll(async () => {
      scram = await startFakePgServer({ auth: 'scram' });
      clear = await startFakePgServer();
    });
    afterAll(async () => {
      await scram?.close();
      await clear?.close();
    });

    it('a server that wants a password and gets none: the message names the variable to set', async () => {
      for (const srv of [scram, clear]) {
        const url = `postgres://migrator@127.0.0.1:${srv.port}/archive`;
        const st = await runCliAsync(['status', '-c', CONTRACT, '-t', url], { cwd: tmp, env: { XMLMIGRATE_TARGET_PASSWORD: '', PGPASSWORD: '' } });
        expectOneLine(st, 2, srv === scram ? /: the server asks for a password and none was given — set XMLMIGRATE_TARGET_PASSWORD$/ : /: password authentication failed for user "migrator" — no password was given: set XMLMIGRATE_TARGET_PASSWORD$/);
        expect(st.stderr).not.toMatch(/SASL|client password must be/);
        const run = await runCliAsync(['run', '-c', CONTRACT, '-t', url, '--no-progress', '--workers', '1'], { cwd: tmp, env: { XMLMIGRATE_TARGET_PASSWORD: '', PGPASSWORD: '' } });
        expect(run.code, run.stderr).toBe(2);
        expect(run.stderr).toMatch(/cannot connect to the target database .* — (no password was given: )?set XMLMIGRATE_TARGET_PASSWORD/);
        expect(run.stderr).not.toMatch(/SASL/);
      }
      // the source database: its own variable
      const target = `sqlite:${path.join(tmp, 'conn-target.db')}`;
      expect(cli(['schema', '--apply', '-c', CONTRACT, '-t', target]).code).toBe(0);
      const src = await runCliAsync(['run', '-c', CONTRACT, '-t', target, '-s', `postgres://migrator@127.0.0.1:${scram.port}/archive`, '--no-progress', '--workers', '1'], { cwd: tmp, env: { XMLMIGRATE_SOURCE_PASSWORD: '', PGPASSWORD: '' } });
      expect(src.code, src.stderr).toBe(2);
      expect(src.stderr).toMatch(/cannot connect to the source database .*none was given — set XMLMIGRATE_SOURCE_PASSWORD/);
    });

    it('unknown host name: exit 2 (a typo in the URL); refused port: exit 3 (server not reachable)', async () => {
      const unknown = cli(['status', '-c', CONTRACT, '-t', 'postgres://u@no-such-host.invalid:5432/db']);
      expectOneLine(unknown, 2, /cannot connect to postgres:\/\/u@no-such-host\.invalid:5432\/db: .*ENOTFOUND/);
      const port = await closedPort();
      const refused = cli(['status', '-c', CONTRACT, '-t', `postgres://u@127.0.0.1:${port}/db`]);
      expectOneLine(refused, 3, /ECONNREFUSED/);
      const runRefused = cli(['run', '-c', CONTRACT, '-t', `postgres://u@127.0.0.1:${port}/db`, '--no-progress', '--workers', '1']);
      expect(runRefused.code, runRefused.stderr).toBe(3);
      const runUnknown = cli(['run', '-c', CONTRACT, '-t', 'postgres://u@no-such-host.invalid/db', '--no-progress', '--workers', '1']);
      expect(runUnknown.code, runUnknown.stderr).toBe(2);
      const ops = readFileSync(path.join(ROOT, 'docs', 'operations.md'), 'utf8');
      expect(ops).toMatch(/unknown host/);
      expect(ops).toMatch(/connection refused/);
    });
  });

  describe('import --replace', () => {
    it('replaces documents of apps that did not migrate (clearing a failed row), refuses migrated ones', () => {
      const db = path.join(tmp, 'replace.db');
      const target = `sqlite:${db}`;
      const dir = path.join(tmp, 'replace-v1');
      const good = (id: number) => generateDocument(id, 42);
      // app 2 fails in mapping: its receive date cannot be read and the column is NOT NULL
      const broken = good(2).replace(/app_receive_date="[^"]*"/, 'app_receive_date="not a date"');
      expect(broken).not.toBe(good(2));
      writeDoc(dir, 'a1.xml', good(1));
      writeDoc(dir, 'a2.xml', broken);
      writeDoc(dir, 'a3.xml', good(3));
      const imp = cli(['import', '-c', CONTRACT, '-t', target, '--apply-schema', dir]);
      expect(imp.code, imp.stderr).toBe(0);
      expect(imp.stdout.trim()).toBe('imported 3 documents into app_xml');
      // apps 1 and 2 run (1 lands, 2 fails); app 3 is never run
      const run = cli(['run', '-c', CONTRACT, '-t', target, '--app-id-end', '2', '--workers', '1', '--no-progress']);
      expect(run.code, run.stdout + run.stderr).toBe(1);
      expect(sqliteRows(db, 'SELECT app_id, status FROM processing_log ORDER BY app_id')).toEqual([{ app_id: 1, status: 'success' }, { app_id: 2, status: 'failed' }]);

      // corrected versions of all three, plus a new app 4
      const dir2 = path.join(tmp, 'replace-v2');
      const v2 = (id: number) => good(id).replace('</Provenir>', '<!-- v2 --></Provenir>');
      for (const id of [1, 2, 3, 4]) writeDoc(dir2, `b${id}.xml`, v2(id));
      const plain = cli(['import', '-c', CONTRACT, '-t', target, dir2]);
      expect(plain.code, plain.stderr).toBe(0);
      expect(plain.stdout.trim()).toBe('imported 1 documents into app_xml, 3 already present (use --replace to replace the documents of apps that have not migrated successfully)');

      const rep = cli(['import', '-c', CONTRACT, '-t', target, '--replace', dir2]);
      expect(rep.code, rep.stderr).toBe(1);
      expect(rep.stderr.trim()).toBe(`${path.join(dir2, 'b1.xml')}: not replaced: app 1 has migrated successfully (processing_log status success); its rows came from the document already stored`);
      // app 4 came in with the plain import: it has not run, so its document is replaced too
      expect(rep.stdout.trim()).toBe('imported 3 documents into app_xml, 0 new, 3 replaced (1 failed app cleared from processing_log: the next run maps it again), 1 refused (migrated successfully: 1)');
      const src = sqliteRows<{ app_id: number; v2: number }>(db, "SELECT app_id, instr(xml, '<!-- v2 -->') > 0 AS v2 FROM app_xml ORDER BY app_id");
      expect(src).toEqual([{ app_id: 1, v2: 0 }, { app_id: 2, v2: 1 }, { app_id: 3, v2: 1 }, { app_id: 4, v2: 1 }]);
      expect(sqliteRows(db, 'SELECT app_id, status FROM processing_log ORDER BY app_id')).toEqual([{ app_id: 1, status: 'success' }]);

      const again = cli(['run', '-c', CONTRACT, '-t', target, '--workers', '1', '--no-progress']);
      expect(again.code, again.stdout + again.stderr).toBe(0);
      expect(again.stdout).toMatch(/— 3 ok, 0 failed, 0 already logged/);
      expect(sqliteRows(db, 'SELECT app_id, status FROM processing_log ORDER BY app_id')).toEqual([1, 2, 3, 4].map((id) => ({ app_id: id, status: 'success' })));
      expect(sqliteRows(db, 'SELECT COUNT(*) AS n FROM app_base')).toEqual([{ n: 4 }]);
    });
  });

  describe('what a run says', () => {
    let target: string;
    beforeAll(() => {
      target = `sqlite:${path.join(tmp, 'says.db')}`;
      const s = cli(['seed', '-n', '5', '-t', target, '--apply-schema', '--no-progress']);
      expect(s.code, s.stderr).toBe(0);
    });

    it('seed shows progress on a terminal: generating…, then documents done, rate and ETA', async () => {
      const tty = new PassThrough() as unknown as NodeJS.WriteStream;
      let out = '';
      (tty as unknown as PassThrough).on('data', (d: Buffer) => { out += d.toString('utf8'); });
      Object.assign(tty, { isTTY: true, columns: 160, rows: 40, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
      const db = `sqlite:${path.join(tmp, 'seed-progress.db')}`;
      const r = await seedSource(db, CONTRACT, 60, 7, 1, { apply: true, progress: true, progressStream: tty });
      expect(r.inserted).toBe(60);
      expect(out).toContain('seeding');
      expect(out).toContain('generating…');
      // which counts the bar draws depends on its redraw throttle (and the machine's speed): any drawn count with a rate and an ETA
      expect(out).toMatch(/\d+\/60 documents \| \d+ documents\/s \| ETA \d+/);
      expect(out).toMatch(/60\/60 documents/);
      // without the terminal, and with --no-progress, nothing is printed
      const quiet = cli(['seed', '-n', '3', '--start-app-id', '100', '-t', db, '--no-progress']);
      expect(quiet.code, quiet.stderr).toBe(0);
      expect(quiet.stderr).toBe('');
    });

    it('run --help lists every XMLMIGRATE_* variable and the exit codes', () => {
      const r = cli(['run', '--help']);
      expect(r.code).toBe(0);
      for (const v of ['XMLMIGRATE_CONTRACT', 'XMLMIGRATE_TARGET_URL', 'XMLMIGRATE_SOURCE_URL', 'XMLMIGRATE_WORKERS', 'XMLMIGRATE_BATCH_SIZE', 'XMLMIGRATE_OUTAGE_WAIT', 'XMLMIGRATE_CONFIG', 'XMLMIGRATE_TARGET_PASSWORD', 'XMLMIGRATE_SOURCE_PASSWORD']) {
        expect(r.stdout).toContain(v);
      }
      expect(r.stdout).toMatch(/^Exit codes:\n {2}0 {4}.*\n {2}1 {4}.*\n {2}2 {4}/m);
      expect(r.stdout).toMatch(/^ {2}3 {4}/m);
      expect(r.stdout).toMatch(/^ {2}130 /m);
    });

    it('summary: peak RSS, "1 batch", run id on every parent log line; a rerun says there is nothing to do', () => {
      const log = path.join(tmp, 'says.log');
      const r = cli(['run', '-c', CONTRACT, '-t', target, '--workers', '1', '--no-progress', '--log-level', 'info', '--log-file', log]);
      expect(r.code, r.stderr).toBe(0);
      const runId = /^run (\S+) finished in [\d.]+ s — 5 ok, 0 failed, 0 already logged/m.exec(r.stdout)?.[1];
      expect(runId, r.stdout).toBeDefined();
      expect(r.stdout).toMatch(/^cpu: .* · parent peak RSS \d+ MB$/m);
      expect(r.stdout).toMatch(/^ {2}worker 1: 1 batch, 5 ok, 0 failed/m);
      expect(r.stdout).toMatch(/^target \S+ · 1 worker · batch 100 /m);
      const lines = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      const parent = lines.filter((l) => l['component'] === 'processor');
      expect(parent.length, 'parent log lines at info').toBeGreaterThan(0);
      for (const l of parent) expect(l['runId'], JSON.stringify(l)).toBe(runId);

      // more workers than cores, nothing to do: no note about workers, no "0 already logged"
      const again = cli(['run', '-c', CONTRACT, '-t', target, '--workers', String(availableParallelism() + 1), '--no-progress']);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toMatch(/^run \S+ finished in [\d.]+ s — nothing to do: all 5 selected apps are already logged \(xmlmigrate status\)$/m);
      expect(again.stdout).not.toMatch(/0 already logged/);
      expect(again.stdout).not.toContain('note:');
      const empty = cli(['run', '-c', CONTRACT, '-t', target, '--app-id-start', '1000', '--workers', '1', '--no-progress']);
      expect(empty.stdout).toMatch(/— nothing to do: no apps in the source table match the selection$/m);
    });

    it('docs/operations.md says what the summary and the logs carry', () => {
      const ops = readFileSync(path.join(ROOT, 'docs', 'operations.md'), 'utf8');
      expect(ops).toMatch(/peak RSS/);
      expect(ops).toMatch(/runId/);
    });
  });

  describe('conformance', () => {
    it('with no expected output for any document: exit 2, nothing compared', () => {
      const xml = writeDoc(path.join(tmp, 'conf-xml'), 'app-5.xml', generateDocument(5, 42));
      const expected = path.join(tmp, 'conf-expected');
      mkdirSync(expected);
      expectOneLine(cli(['conformance', '-c', CONTRACT, '--xml', xml, '--expected', expected]), 2,
        /--expected .*conf-expected: no expected output \(<name>\.json\) for any of the 1 XML file given by --xml — nothing was compared/);
      expectOneLine(cli(['conformance', '-c', CONTRACT, '--xml', xml, '--expected', path.join(tmp, 'nope')]), 2, /--expected .*nope: no such directory/);
      expect(readdirSync(expected)).toEqual([]);
    });
  });
});
