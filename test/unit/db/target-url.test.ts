import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseTargetUrl, redactUrl, resolveTarget, targetFromEnv, TargetUrlError } from '../../../src/db/target-url.js';

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
