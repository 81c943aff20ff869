/**
 * "No secret in any output", on the built CLI. A canary password goes through every command that
 * takes a URL (run, demo, schema with and without --apply, seed, import, status, retry-failed; and
 * contract check, map and conformance, which take none, with a URL given by mistake as an unknown
 * option), in every form (`-t URL`, `--target=URL`, `-tURL`, `--source…`, `-s…`, XMLMIGRATE_TARGET_URL,
 * XMLMIGRATE_SOURCE_URL, XMLMIGRATE_TARGET_PASSWORD, `demo --db`), with every failure (malformed URLs:
 * unencoded `#`, `/`, `?`, `//` missing, `p@ss:w/rd%x`, bad %-encoding, `?password=`, `;Password=`,
 * the `@host` forgotten; an unknown host; a refused port; a wrong password refused by a fake server,
 * politely and echoing it back; a schema that does not exist) and through a complete migration on
 * PostgreSQL. Afterwards the canary must be nowhere: not on stdout or stderr, not in the --log-file
 * (level debug), not in the --metrics-out file, not in the name or content of any file the command
 * left in its working directory, not in any table of the PostgreSQL schema or SQLite file it used.
 *
 * Every fragment of the hostile password holds the canary, so a password shown in part is found too.
 * The canary is alphanumeric: percent-encoding leaves it as it is.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakePgServer, type FakePgServer } from './fake-pg-server.js';
import {
  PG_URL, PRODUCT_CONTRACT, failedTestNames, loadSourceDocs, modelOfContract, productContract, recordResult, requireBuild, runCliAsync, syntheticDocs,
  type CliOutcome,
} from './fault-harness.js';

const CANARY = `cnry${process.pid}q${Math.random().toString(36).slice(2, 8)}`;
/** A password with every character a URL can choke on; each fragment between them holds the canary. */
const HOSTILE = `${CANARY}/${CANARY}?${CANARY}#${CANARY}@${CANARY}:${CANARY}%x${CANARY}&${CANARY};${CANARY}`;
const ENC = encodeURIComponent(HOSTILE);
const TAG = `${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
/** The run's schema on PostgreSQL (created by `schema --apply`, dropped afterwards). */
const SCHEMA = `xm_secrets_${TAG}`;
/** A schema that is never created. */
const MISSING_SCHEMA = `xm_secrets_missing_${TAG}`;

/** The environment every command starts from: no inherited XMLMIGRATE_* setting. */
const BASE_ENV: Record<string, string> = {
  XMLMIGRATE_TARGET_URL: '', XMLMIGRATE_SOURCE_URL: '', XMLMIGRATE_TARGET_PASSWORD: '', XMLMIGRATE_SOURCE_PASSWORD: '',
  XMLMIGRATE_CONTRACT: '', XMLMIGRATE_CONFIG: '', XMLMIGRATE_LOG_FILE: '', XMLMIGRATE_METRICS_OUT: '', XMLMIGRATE_DEBUG: '1',
};

/** How a URL reaches the command. */
type Form = 'flag' | 'equals' | 'short' | 'short-spaced' | 'env';
const FORMS: readonly Form[] = ['flag', 'equals', 'short', 'short-spaced', 'env'];

function pass(form: Form, opt: 'target' | 'source', url: string): { args: string[]; env: Record<string, string> } {
  switch (form) {
    case 'flag': return { args: [`--${opt}`, url], env: {} };
    case 'equals': return { args: [`--${opt}=${url}`], env: {} };
    case 'short': return { args: [`-${opt[0]}${url}`], env: {} };
    case 'short-spaced': return { args: [`-${opt[0]}`, url], env: {} };
    case 'env': return { args: [], env: { [opt === 'target' ? 'XMLMIGRATE_TARGET_URL' : 'XMLMIGRATE_SOURCE_URL']: url } };
  }
}

/** Every file below `dir`: its path relative to `dir` and its content. */
function filesBelow(dir: string): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const full = path.join(dir, name);
    out.push({ name, text: statSync(full).isFile() ? readFileSync(full).toString('latin1') : '' });
  }
  return out;
}

describe('no secret in any output: a canary password through every command, URL form and failure', () => {
  let tmp: string;
  let pgContract: string;
  let missingContract: string;
  let sqliteContract: string;
  /** A SQLite target with the schema and no source rows: runs with a PostgreSQL --source open it first. */
  let sqliteTarget: string;
  let xmlDir: string;
  let fake: FakePgServer;
  let echo: FakePgServer;
  let realUrl: (pw: string) => string;
  /** The real server's password, when PG_URL has one: it overrides the canary in the URL. */
  let realPassword = '';
  let commands = 0;

  beforeAll(async () => {
    requireBuild();
    tmp = mkdtempSync(path.join(tmpdir(), 'xm-faults-secrets-'));
    pgContract = productContract(tmp, 'pg-contract.json', SCHEMA);
    missingContract = productContract(tmp, 'missing-contract.json', MISSING_SCHEMA);
    sqliteContract = productContract(tmp, 'sqlite-contract.json', 'dbo');
    xmlDir = path.join(tmp, 'xml');
    mkdirSync(xmlDir);
    for (const d of syntheticDocs(3, 7311, 5001)) writeFileSync(path.join(xmlDir, d.file), d.xml);
    sqliteTarget = path.join(tmp, 'target-for-source-cases.db');
    await loadSourceDocs(`sqlite:${sqliteTarget}`, await modelOfContract(sqliteContract), []);
    fake = await startFakePgServer();
    echo = await startFakePgServer({ echo: true });
    const u = new URL(PG_URL);
    realPassword = decodeURIComponent(u.password);
    realUrl = (pw) => `postgres://${u.username}:${pw}@${u.host}${u.pathname}`;
  });

  afterAll(async ({}, suite) => {
    await fake?.close();
    await echo?.close();
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    try {
      await c.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
      await c.query(`DROP SCHEMA IF EXISTS "${MISSING_SCHEMA}" CASCADE`);
    } finally {
      await c.end();
    }
    const failed = failedTestNames(suite);
    recordResult({
      scenario: 'no secret in any output (CLI, canary password)', dialect: 'postgres+sqlite', seeds: [], faults: commands, apps: 0, lost: 0, duplicated: 0,
      note: `${commands} commands with the canary password; found in no output, file or table`,
      ...(failed.length > 0 ? { failed: failed.join('; ') } : {}),
    });
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  /**
   * Runs one command in a fresh working directory (a `run` also with --log-level debug, --log-file and
   * --metrics-out there) and checks that the canary appears in no output and no file left behind.
   */
  async function leakFree(args: readonly string[], env: Record<string, string> = {}): Promise<CliOutcome & { log: string; metrics: string | null }> {
    const cwd = mkdtempSync(path.join(tmp, 'cwd-'));
    const isRun = args[0] === 'run';
    const full = isRun ? [...args, '--no-progress', '--log-level', 'debug', '--log-file', path.join(cwd, 'run.log'), '--metrics-out', path.join(cwd, 'metrics.json')] : [...args];
    const out = await runCliAsync(full, { cwd, env: { ...BASE_ENV, ...env } });
    commands++;
    const what = `${full.join(' ')}\nenv ${JSON.stringify(env)}\nexit ${out.code}\nstdout: ${out.stdout}\nstderr: ${out.stderr}`;
    expect(out.stdout, `${what}\n→ the canary is on stdout`).not.toContain(CANARY);
    expect(out.stderr, `${what}\n→ the canary is on stderr`).not.toContain(CANARY);
    expect(out.stderr, `${what}\n→ a stack trace`).not.toMatch(/^\s+at /m);
    for (const f of filesBelow(cwd)) {
      expect(f.name, `${what}\n→ a file is named after the password`).not.toContain(CANARY);
      expect(f.text, `${what}\n→ the canary is in ${f.name}`).not.toContain(CANARY);
    }
    const log = existsSync(path.join(cwd, 'run.log')) ? readFileSync(path.join(cwd, 'run.log'), 'utf8') : '';
    const metrics = existsSync(path.join(cwd, 'metrics.json')) ? readFileSync(path.join(cwd, 'metrics.json'), 'utf8') : null;
    return { ...out, log, metrics };
  }

  /** A refusal: exit `code` (or one of them) and one `xmlmigrate: ` (or commander `error: `) line first. */
  function refusedWith(out: CliOutcome, codes: readonly number[], what: string): void {
    expect(codes, `${what}\nexit ${out.code}\n${out.stderr}`).toContain(out.code);
    expect(out.stderr, what).toMatch(/^(xmlmigrate|error): /);
  }

  // ------------------------------------------------------------------------------------------------
  // The failures, each a URL with the canary password (raw where the case is about its raw form).

  interface Failure {
    readonly name: string;
    readonly url: () => string;
    /** Exit codes the product documents for it. */
    readonly codes: readonly number[];
    /** The canary password must have reached this fake server. */
    readonly server?: () => FakePgServer;
  }
  const MALFORMED: readonly Failure[] = [
    { name: 'unencoded # in the password', url: () => `postgres://mig:${CANARY}#${CANARY}@127.0.0.1:5499/db`, codes: [2] },
    { name: 'unencoded / in the password', url: () => `postgres://mig:${CANARY}/${CANARY}@127.0.0.1:5499/db`, codes: [2] },
    { name: 'unencoded ? in the password', url: () => `postgres://mig:${CANARY}?${CANARY}@127.0.0.1:5499/db`, codes: [2] },
    { name: '// missing', url: () => `postgres:mig:${CANARY}@127.0.0.1:5499/db`, codes: [2] },
    { name: 'p@ss:w/rd%x', url: () => `postgres://mig:${CANARY}@${CANARY}:${CANARY}/${CANARY}%x@127.0.0.1:5499/db`, codes: [2] },
    { name: 'the whole hostile password unencoded', url: () => `postgres://mig:${HOSTILE}@127.0.0.1:5499/db`, codes: [2] },
    { name: 'bad %-encoding', url: () => `mssql://sa:${CANARY}%zz${CANARY}@127.0.0.1/db`, codes: [2] },
    { name: '?password= parameter', url: () => `postgres://mig@127.0.0.1:5499/db?sslmode=disable&password=${CANARY}`, codes: [2] },
    { name: ';Password= parameter', url: () => `mssql://sa@127.0.0.1/db;Password=${CANARY}`, codes: [2] },
    { name: 'the @host forgotten', url: () => `postgres://mig:${CANARY}/db`, codes: [2] },
  ];
  const CONNECT: readonly Failure[] = [
    { name: 'an unknown host', url: () => `postgres://mig:${ENC}@xm-secrets-no-such-host.invalid:5432/db`, codes: [2, 3] },
    { name: 'a refused port', url: () => `postgres://mig:${ENC}@127.0.0.1:1/db`, codes: [3] },
    { name: 'a wrong password', url: () => `postgres://mig:${ENC}@127.0.0.1:${fake.port}/db`, codes: [2], server: () => fake },
    { name: 'a wrong password echoed by the server', url: () => `postgres://mig:${ENC}@127.0.0.1:${echo.port}/db`, codes: [2], server: () => echo },
  ];
  const FAILURES = [...MALFORMED, ...CONNECT];

  describe('run: every failure, the URL in every form', () => {
    const cases = FAILURES.flatMap((f, i) => [
      { f, form: FORMS[i % FORMS.length]!, opt: 'target' as const },
      { f, form: FORMS[(i + 2) % FORMS.length]!, opt: 'source' as const },
    ]);
    it.each(cases.map((c) => [`${c.f.name} (--${c.opt}, ${c.form})`, c] as const))('%s', async (_n, c) => {
      const { args, env } = pass(c.form, c.opt, c.f.url());
      const n = c.f.server?.().passwords.length ?? 0;
      const base = c.opt === 'target' ? ['run', '-c', pgContract] : ['run', '-c', sqliteContract, '-t', `sqlite:${sqliteTarget}`];
      const out = await leakFree([...base, ...args], env);
      refusedWith(out, c.f.codes, `${c.f.name} as ${c.form}`);
      expect(out.log, 'the log file').not.toContain(CANARY);
      if (c.f.server) expect(c.f.server().passwords.slice(n), 'the password did reach the server').toContain(HOSTILE);
    });
  });

  describe('the tool commands: every failure', () => {
    const tools: { name: string; args: () => string[] }[] = [
      { name: 'schema --apply', args: () => ['schema', '--apply', '-c', pgContract] },
      { name: 'schema (print, dialect from the URL)', args: () => ['schema', '-c', pgContract] },
      { name: 'seed', args: () => ['seed', '-n', '3', '-c', pgContract] },
      { name: 'import', args: () => ['import', '-c', pgContract, xmlDir] },
      { name: 'status', args: () => ['status', '-c', pgContract] },
      { name: 'retry-failed', args: () => ['retry-failed', '-c', pgContract] },
    ];
    const toolForms: Form[] = ['flag', 'equals', 'short', 'env'];
    const cases = tools.flatMap((t, ti) => FAILURES
      // printing the DDL never connects: only its URL parsing is tested
      .filter((f) => t.name !== 'schema (print, dialect from the URL)' || MALFORMED.includes(f))
      // (without -t it prints nothing of a URL: its use of XMLMIGRATE_TARGET_URL is not this test's concern)
      .map((f, fi) => ({ t, f, form: t.name.startsWith('schema (print') && toolForms[(ti + fi) % toolForms.length] === 'env' ? 'flag' as const : toolForms[(ti + fi) % toolForms.length]! })));
    it.each(cases.map((c) => [`${c.t.name}: ${c.f.name} (${c.form})`, c] as const))('%s', async (_n, c) => {
      const { args, env } = pass(c.form, 'target', c.f.url());
      const out = await leakFree([...c.t.args(), ...args], env);
      refusedWith(out, c.f.codes, `${c.t.name}: ${c.f.name}`);
    });
  });

  describe('the password from XMLMIGRATE_TARGET_PASSWORD / XMLMIGRATE_SOURCE_PASSWORD', () => {
    it.each([
      ['run', () => ['run', '-c', pgContract, '-t', `postgres://mig@127.0.0.1:${echo.port}/db`], () => ({ XMLMIGRATE_TARGET_PASSWORD: HOSTILE })],
      ['run --source', () => ['run', '-c', sqliteContract, '-t', `sqlite:${sqliteTarget}`, '-s', `postgres://mig@127.0.0.1:${echo.port}/db`], () => ({ XMLMIGRATE_SOURCE_PASSWORD: HOSTILE })],
      ['status', () => ['status', '-c', pgContract, '-t', `postgres://mig@127.0.0.1:${echo.port}/db`], () => ({ XMLMIGRATE_TARGET_PASSWORD: HOSTILE })],
      ['seed', () => ['seed', '-n', '2', '-c', pgContract], () => ({ XMLMIGRATE_TARGET_URL: `postgres://mig@127.0.0.1:${echo.port}/db`, XMLMIGRATE_TARGET_PASSWORD: HOSTILE })],
    ] as const)('%s: refused by a server that echoes it', async (_n, args, env) => {
      const n = echo.passwords.length;
      const out = await leakFree(args(), env());
      refusedWith(out, [2, 3], 'password from the environment');
      expect(echo.passwords.slice(n), 'the password did reach the server').toContain(HOSTILE);
    });
  });

  describe('a schema that does not exist (the real server)', () => {
    it.each([
      ['run', () => ['run', '-c', missingContract, `--target=${realUrl(ENC)}`]],
      ['status', () => ['status', '-c', missingContract, `-t${realUrl(ENC)}`]],
      ['retry-failed', () => ['retry-failed', '-c', missingContract, '-t', realUrl(ENC)]],
      ['seed', () => ['seed', '-n', '2', '-c', missingContract, '--target', realUrl(ENC)]],
      ['import', () => ['import', '-c', missingContract, '--target', realUrl(ENC), xmlDir]],
    ] as const)('%s', async (_n, args) => {
      const out = await leakFree(args(), realPassword ? { XMLMIGRATE_TARGET_PASSWORD: realPassword } : {});
      refusedWith(out, [2, 3], 'missing schema');
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      try {
        const r = await c.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [MISSING_SCHEMA]);
        expect(r.rowCount, 'nothing was created').toBe(0);
      } finally {
        await c.end();
      }
    });
  });

  describe('URLs where none is expected', () => {
    it.each([
      ['demo --db URL', () => ['demo', '--db', `postgres://mig:${HOSTILE}@127.0.0.1:5499/db`, '-n', '5', '--no-progress']],
      ['demo --db=URL (encoded)', () => ['demo', `--db=postgres://mig:${ENC}@127.0.0.1:5499/db`, '-n', '5', '--no-progress']],
      ['demo --db user:password@host', () => ['demo', '--db', `mig:${CANARY}@127.0.0.1/db`, '-n', '5', '--no-progress']],
      ['run --tagret=URL (unknown option)', () => ['run', '-c', pgContract, `--tagret=postgres://mig:${ENC}@127.0.0.1:5499/db`]],
      ['contract check --target=URL (unknown option)', () => ['contract', 'check', PRODUCT_CONTRACT, `--target=postgres://mig:${HOSTILE}@127.0.0.1:5499/db`]],
      ['map --source=URL (unknown option)', () => ['map', '-c', PRODUCT_CONTRACT, `--source=postgres:mig:${CANARY}@h/db`, xmlDir]],
      ['conformance --target URL (unknown option)', () => ['conformance', '-c', PRODUCT_CONTRACT, '--xml', xmlDir, '--expected', xmlDir, `--target=postgres://mig:${CANARY}/db`]],
    ] as const)('%s: refused, exit 2, nothing created', async (_n, args) => {
      const out = await leakFree(args());
      refusedWith(out, [2], _n);
    });
  });

  describe('a complete migration on PostgreSQL with the canary in the URL', () => {
    it('schema --apply, seed, import, run (every URL form), status, retry-failed: the canary in no output, file or table', async () => {
      const env = realPassword ? { XMLMIGRATE_TARGET_PASSWORD: realPassword } : {};
      const url = realUrl(ENC);
      const ok = async (args: string[], extra: Record<string, string> = {}) => {
        const out = await leakFree(args, { ...env, ...extra });
        expect(out.code, `${args.join(' ')}\n${out.stdout}\n${out.stderr}`).toBe(0);
        return out;
      };
      await ok(['schema', '--apply', '-c', pgContract, `--target=${url}`]);
      await ok(['seed', '-n', '30', '-c', pgContract, `-t${url}`]);
      await ok(['import', '-c', pgContract, '-t', url, xmlDir]);
      const first = await ok(['run', '-c', pgContract, `--target=${url}`, '--workers', '2', '--batch-size', '7']);
      expect(first.stdout).toMatch(/finished in [\d.]+ s — 33 ok, 0 failed/);
      expect(first.log, 'the log file has lines (level debug)').toMatch(/"level"/);
      expect(first.metrics, 'the metrics file was written').not.toBeNull();
      const metrics = JSON.parse(first.metrics!) as { command: string; target: string };
      expect(metrics.command).toContain('--target=postgres://');
      expect(metrics.command).toContain(':***@');
      expect(metrics.target).toMatch(/^postgres:\/\/\w+:\*\*\*@/);
      const again = await ok(['run', '-c', pgContract, `-t${url}`]);
      expect(again.metrics).not.toBeNull();
      expect((JSON.parse(again.metrics!) as { command: string }).command).toMatch(/ -tpostgres:\/\/\w+:\*\*\*@/);
      await ok(['run', '-c', pgContract], { XMLMIGRATE_TARGET_URL: url });
      await ok(['status', '-c', pgContract, '--target', url]);
      await ok(['status', '-c', pgContract, '--json'], { XMLMIGRATE_TARGET_URL: url });
      await ok(['retry-failed', '-c', pgContract, '-t', url]);

      // every table of the schema the commands used, every row as text
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      try {
        const tables = (await c.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1', [SCHEMA])).rows.map((r) => r.table_name);
        expect(tables).toContain('processing_log');
        expect(tables).toContain('app_xml');
        let rows = 0;
        for (const t of tables) {
          const r = await c.query<{ row: string }>(`SELECT t::text AS row FROM "${SCHEMA}"."${t}" t`);
          rows += r.rowCount ?? 0;
          for (const x of r.rows) expect(x.row, `table ${SCHEMA}.${t}`).not.toContain(CANARY);
        }
        expect(rows, 'the tables hold the migration').toBeGreaterThan(66);
      } finally {
        await c.end();
      }
    });

    it('SQLite target, PostgreSQL source given by --source in every form: the canary in no output, file or table', async () => {
      const file = path.join(tmp, 'sqlite-target.db');
      await loadSourceDocs(`sqlite:${file}`, await modelOfContract(pgContract), []);
      const env = realPassword ? { XMLMIGRATE_SOURCE_PASSWORD: realPassword } : {};
      let i = 0;
      for (const form of FORMS) {
        const { args, env: formEnv } = pass(form, 'source', realUrl(ENC));
        const out = await leakFree(['run', '-c', pgContract, '-t', `sqlite:${file}`, ...args, '--workers', '1'], { ...env, ...formEnv });
        expect(out.code, `${form}\n${out.stdout}\n${out.stderr}`).toBe(0);
        if (i++ === 0) expect(out.stdout).toMatch(/finished in [\d.]+ s — 33 ok, 0 failed/);
        if (out.metrics) expect(out.metrics).not.toContain(CANARY);
      }
      expect(readFileSync(file).toString('latin1'), 'the SQLite file').not.toContain(CANARY);
    });
  });
});
