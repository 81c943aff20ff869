/** The file logger: flushing right after creation waits for the file, so exiting at once is clean. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
