import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseTargetUrl, redactArgv, redactText, redactUrl, resolveTarget, targetFromEnv, TargetUrlError } from '../../../src/db/target-url.js';

describe('parseTargetUrl', () => {
  it('parses an mssql URL with options, decoding user and password', () => {
    const t = parseTargetUrl('mssql://sa:p%40ss%3Aw0rd@db.example:1433/migr?encrypt=false&trustServerCertificate=true');
    expect(t).toMatchObject({ dialect: 'mssql', host: 'db.example', port: 1433, database: 'migr', user: 'sa', params: { encrypt: 'false', trustServerCertificate: 'true' } });
    expect(t.password).toBe('p@ss:w0rd');
    expect(t.redacted).toBe('mssql://sa:***@db.example:1433/migr?encrypt=false&trustServerCertificate=true');
  });

  it('parses postgres:// and postgresql:// without password or port', () => {
    expect(parseTargetUrl('postgres://postgres@127.0.0.1/test')).toMatchObject({ dialect: 'postgres', host: '127.0.0.1', port: null, database: 'test', user: 'postgres', password: null });
    expect(parseTargetUrl('postgresql://u@h:5433/d?sslmode=require')).toMatchObject({ dialect: 'postgres', port: 5433, params: { sslmode: 'require' } });
  });

  it('parses sqlite relative, absolute and in-memory targets', () => {
    expect(parseTargetUrl('sqlite:data/x.db')).toMatchObject({ dialect: 'sqlite', database: 'data/x.db' });
    expect(parseTargetUrl('sqlite:/tmp/x.db')).toMatchObject({ database: '/tmp/x.db' });
    expect(parseTargetUrl('sqlite:///tmp/x.db')).toMatchObject({ database: '/tmp/x.db' });
    expect(parseTargetUrl('sqlite::memory:')).toMatchObject({ database: ':memory:' });
    expect(parseTargetUrl('sqlite:x.db?busy_timeout=500')).toMatchObject({ params: { busy_timeout: '500' } });
  });

  it('names the problem of a bad URL', () => {
    expect(() => parseTargetUrl('mysql://u:secret@h/db')).toThrow('unsupported scheme "mysql:" — use mssql://, postgres:// or sqlite:');
    expect(() => parseTargetUrl('just-a-name')).toThrow(/not a connection URL/);
    expect(() => parseTargetUrl('postgres://u@/db')).toThrow(/missing host/);
    expect(() => parseTargetUrl('postgres://u@h:99999/db')).toThrow(TargetUrlError);
    expect(() => parseTargetUrl('postgres://u@h')).toThrow(/missing or bad database name/);
    expect(() => parseTargetUrl('sqlite:')).toThrow(/missing database file/);
    expect(() => parseTargetUrl('mssql://u:secret@h/db?encrpyt=false')).toThrow(/unknown parameter "encrpyt" .* allowed for mssql: encrypt, trustServerCertificate/);
  });

  it('never echoes the password in an error message', () => {
    for (const url of ['mssql://u:Sup3rSecret@h/db?bogus=1', 'postgres://u:Sup3rSecret@h:0/db', 'postgres://u:Sup3rSecret@h', 'mysql://u:Sup3rSecret@h/db']) {
      const err = (() => { try { parseTargetUrl(url); } catch (e) { return e as Error; } return null; })();
      expect(err, url).toBeInstanceOf(TargetUrlError);
      expect(err?.message).not.toContain('Sup3rSecret');
    }
  });

  it('hides the password from JSON and util.inspect', () => {
    const t = parseTargetUrl('mssql://sa:Sup3rSecret@h/db');
    expect(JSON.stringify(t)).not.toContain('Sup3rSecret');
    expect(inspect(t)).not.toContain('Sup3rSecret');
    expect(inspect(t)).toBe('TargetConfig(mssql://sa:***@h/db)');
  });
});

describe('environment', () => {
  it('XMLMIGRATE_TARGET_PASSWORD overrides the URL password', () => {
    const t = targetFromEnv({ XMLMIGRATE_TARGET_URL: 'mssql://sa:old@h/db', XMLMIGRATE_TARGET_PASSWORD: 'n3w' });
    expect(t?.password).toBe('n3w');
    expect(resolveTarget('postgres://u@h/d', { XMLMIGRATE_TARGET_PASSWORD: 'pw' }).password).toBe('pw');
    expect(resolveTarget('postgres://u:url@h/d', {}).password).toBe('url');
  });

  it('returns null without a URL and supports another prefix', () => {
    expect(targetFromEnv({})).toBeNull();
    expect(targetFromEnv({ XMLMIGRATE_SOURCE_URL: 'sqlite:s.db' }, 'XMLMIGRATE_SOURCE')?.database).toBe('s.db');
  });
});

describe('redactUrl', () => {
  it('replaces userinfo and password parameters, leaves the rest', () => {
    expect(redactUrl('mssql://sa:secret@h:1433/db')).toBe('mssql://sa:***@h:1433/db');
    expect(redactUrl('postgres://u@h/db')).toBe('postgres://u@h/db');
    expect(redactUrl('postgres://u:a@b@h/db')).toBe('postgres://u:***@h/db');
    expect(redactUrl('x://h/db?user=u&password=secret&pwd=s2')).toBe('x://h/db?user=u&password=***&pwd=***');
    expect(redactUrl('sqlite:file.db')).toBe('sqlite:file.db');
  });
});

/** A canary: every fragment of each password below contains it, so any leaked piece is found. */
const C = 'k9Canary7';
const errorOf = (url: string): string => {
  try { parseTargetUrl(url); } catch (e) { expect(e).toBeInstanceOf(TargetUrlError); return (e as Error).message; }
  throw new Error(`${url} was accepted`);
};

describe('redaction of URLs that do not parse', () => {
  const forms: [string, string, string][] = [
    ['unencoded #', `postgres://mig:${C}#${C}@127.0.0.1:5499/db`, 'postgres://mig:***@127.0.0.1:5499/db'],
    ['unencoded /', `postgres://mig:${C}/${C}@127.0.0.1:5499/db`, 'postgres://mig:***@127.0.0.1:5499/db'],
    ['unencoded ?', `postgres://mig:${C}?${C}@127.0.0.1:5499/db`, 'postgres://mig:***@127.0.0.1:5499/db'],
    ['// missing', `postgres:mig:${C}@127.0.0.1:5499/db`, 'postgres:mig:***@127.0.0.1:5499/db'],
    ['one / only', `postgresql:/mig:${C}@127.0.0.1/db`, 'postgresql:/mig:***@127.0.0.1/db'],
    ['p@ss:w/rd%x', `postgres://mig:${C}@${C}:${C}/${C}%x@127.0.0.1:5499/db`, 'postgres://mig:***@127.0.0.1:5499/db'],
    ['bad percent-encoding', `mssql://sa:${C}%zz@h/db`, 'mssql://sa:***@h/db'],
    ['the @host forgotten', `postgres://mig:${C}/db`, 'postgres://mig:***'],
    ['no scheme', `//mig:${C}@h/db`, '//mig:***@h/db'],
  ];
  it.each(forms)('%s: redacted, refused as malformed, the message without the password', (_name, url, redacted) => {
    expect(redactUrl(url)).toBe(redacted);
    const m = errorOf(url);
    expect(m).not.toContain(C);
    expect(m).toContain(redacted);
  });

  it('a malformed server URL says how to write special characters', () => {
    expect(errorOf(`postgres://mig:${C}#x@127.0.0.1:5499/db`)).toMatch(/^malformed URL postgres:\/\/mig:\*\*\*@127\.0\.0\.1:5499\/db — expected postgres:\/\/user:password@host:port\/database \(percent-encode .* # as %23/);
  });

  it('password parameters in every spelling are redacted and refused', () => {
    for (const url of [`postgres://mig@h/db?password=${C}`, `postgres://mig@h/db?sslmode=require&Password=${C}`, `postgres://mig@h/db;Password=${C}`, `mssql://h/db?pwd=${C}&encrypt=true`, `sqlite:x.db?PASSWORD=${C}`]) {
      expect(redactUrl(url), url).not.toContain(C);
      expect(errorOf(url), url).toMatch(/a password parameter is not accepted in .* put the password in the URL/);
      expect(errorOf(url)).not.toContain(C);
    }
    expect(redactUrl(`x://h/db?password=${C}&${C}&sslmode=a`)).toBe('x://h/db?password=***&sslmode=a');
  });

  it('is idempotent and leaves URLs without a password alone', () => {
    for (const url of ['postgres://u@h:5432/db?sslmode=require', 'sqlite:/tmp/a@b.db', 'sqlite::memory:', 'postgres://[::1]:5432/db', 'mssql://h:1433/db']) expect(redactUrl(url)).toBe(url);
    expect(redactUrl(redactUrl(`postgres://u:${C}@h/db`))).toBe('postgres://u:***@h/db');
  });
});

describe('parameter values', () => {
  it('are checked per dialect, naming the parameter and what it expects', () => {
    expect(errorOf('postgres://u@h/db?connect_timeout=abc')).toBe('parameter connect_timeout in postgres://u@h/db?connect_timeout=abc: expected a non-negative integer (seconds) (got "abc")');
    expect(errorOf('postgres://u@h/db?statement_timeout=-1')).toMatch(/^parameter statement_timeout .*: expected a non-negative integer \(milliseconds\) \(got "-1"\)$/);
    expect(errorOf('postgres://u@h/db?sslmode=maybe')).toMatch(/^parameter sslmode .*: expected one of disable, allow, prefer, require, verify-ca, verify-full, no-verify/);
    expect(errorOf('mssql://u@h/db?encrypt=sometimes')).toMatch(/^parameter encrypt .*: expected one of true, false/);
    expect(errorOf('sqlite:x.db?busy_timeout=')).toMatch(/^parameter busy_timeout .*: expected a non-negative integer/);
    expect(errorOf('sqlite:x.db?synchronous=fast')).toMatch(/^parameter synchronous .*: expected one of off, normal, full, extra/);
    expect(parseTargetUrl('postgres://u@h/db?connect_timeout=5&sslmode=require').params).toEqual({ connect_timeout: '5', sslmode: 'require' });
    expect(parseTargetUrl('sqlite:x.db?synchronous=FULL').params).toEqual({ synchronous: 'FULL' });
  });
});

describe('redactArgv', () => {
  it('redacts the URL options in every form, and anything else that looks like a URL', () => {
    const argv = ['run', '-c', 'c.json', `--target=postgres://u:${C}@h/db`, `-tpostgres://u:${C}#x@h/db`, '-t', `postgres:u:${C}@h/db`,
      `--source=mssql://sa:${C}/x@h/db`, '-s', `postgres://u:${C}@h/db`, '--source', `//u:${C}@h/db`, '--db', `u:${C}@h/db`, `postgres://u:${C}@h/db`, '--workers', '2'];
    const out = redactArgv(argv);
    expect(out.join(' ')).not.toContain(C);
    expect(out).toEqual(['run', '-c', 'c.json', '--target=postgres://u:***@h/db', '-tpostgres://u:***@h/db', '-t', 'postgres:u:***@h/db',
      '--source=mssql://sa:***@h/db', '-s', 'postgres://u:***@h/db', '--source', '//u:***@h/db', '--db', 'u:***@h/db', 'postgres://u:***@h/db', '--workers', '2']);
  });
});

describe('redactText', () => {
  it('redacts URLs inside messages, quoted or not', () => {
    expect(redactText(`error: unknown option '--tagret=postgres://u:${C}@h/db' (see postgres:u:${C}@h/db)`)).toBe("error: unknown option '--tagret=postgres://u:***@h/db' (see postgres:u:***@h/db)");
    expect(redactText('preflight failed: dbo.app_base: table does not exist (sqlite:/tmp/x.db)')).toBe('preflight failed: dbo.app_base: table does not exist (sqlite:/tmp/x.db)');
  });
});
