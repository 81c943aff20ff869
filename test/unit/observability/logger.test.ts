/** The file logger: flushing right after creation waits for the file, so exiting at once is clean. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(path.join(tmpdir(), 'xm-logger-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const loggerModule = pathToFileURL(path.resolve(import.meta.dirname, '../../../dist/observability/logger.js')).href;

describe('createLogger with a file', () => {
  it('a process that logs, flushes and exits immediately (a worker whose start failed) exits cleanly with its line written', () => {
    const file = path.join(dir, 'early.jsonl');
    const script = `const { createLogger } = await import(${JSON.stringify(loggerModule)});
const log = createLogger({ level: 'info', file: ${JSON.stringify(file)}, base: { workerId: 3 } });
log.error({ url: 'postgres://u:secret@h/db' }, 'worker start failed');
await log.flush();
process.exit(1);`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    const line = JSON.parse(readFileSync(file, 'utf8').trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ msg: 'worker start failed', workerId: 3 });
  });
});

describe('createLogger: no password reaches a line', () => {
  it('redacts URLs in the message and in every field (nested, malformed, in errors) and scrubs known passwords', () => {
    const file = path.join(dir, 'redact.jsonl');
    const pw = 'Pw9Canary';
    const script = `const { createLogger } = await import(${JSON.stringify(loggerModule)});
const log = createLogger({ level: 'info', file: ${JSON.stringify(file)}, secrets: ['${pw}-known'] });
log.warn({ detail: { where: 'postgres://mig:${pw}#x@127.0.0.1:5499/db', list: ['x postgres:mig:${pw}@h/db y'] }, err: new Error('failed for mssql://sa:${pw}@h/db?pwd=${pw}') }, 'cannot open postgres://u:${pw}/${pw}@h/db');
log.info({ reason: 'server said: bad password ${pw}-known' }, 'message with ${pw}-known');
log.info({ password: '${pw}', target: 'sqlite:x.db' }, 'keys');
await log.flush();`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, XMLMIGRATE_TARGET_PASSWORD: '' } });
    expect(r.stderr).toBe('');
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(pw);
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ msg: 'cannot open postgres://u:***@h/db', detail: { where: 'postgres://mig:***@127.0.0.1:5499/db', list: ['x postgres:mig:***@h/db y'] } });
    expect(lines[1]).toMatchObject({ msg: 'message with ***', reason: 'server said: bad password ***' });
    expect(lines[2]).toMatchObject({ password: '***', target: '***' });
  });

  it('a log file that cannot be opened is a LogFileError, and no directory is created', async () => {
    const { createLogger, LogFileError } = await import(loggerModule) as typeof import('../../../src/observability/logger.js');
    const missing = path.join(dir, 'no-such-dir', 'x.log');
    expect(() => createLogger({ file: missing })).toThrow(LogFileError);
    expect(() => createLogger({ file: dir })).toThrow(/cannot open log file .*: EISDIR/);
    expect(existsSync(path.dirname(missing))).toBe(false);
  });
});
