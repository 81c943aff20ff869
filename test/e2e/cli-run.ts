/** Runs the built CLI (bin/xmlmigrate.js) and captures its output and exit code. */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

/** Repository root. */
export const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** Result of one CLI run. */
export interface CliResult { code: number | null; stdout: string; stderr: string }

/** Runs `xmlmigrate ...args` synchronously; `timeoutMs` kills it (code null) when it takes longer. */
export function runCli(args: string[], opts: { env?: Record<string, string>; cwd?: string; input?: string; timeoutMs?: number } = {}): CliResult {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'xmlmigrate.js'), ...args], {
    cwd: opts.cwd ?? ROOT, encoding: 'utf8', env: { ...process.env, ...opts.env }, input: opts.input ?? '', maxBuffer: 256 * 1024 * 1024,
    ...(opts.timeoutMs === undefined ? {} : { timeout: opts.timeoutMs, killSignal: 'SIGKILL' as const }),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
