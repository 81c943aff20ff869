/**
 * One frozen, validated RunConfig from command-line flags, environment variables (XMLMIGRATE_*) and
 * an optional JSON config file (`--config`, or XMLMIGRATE_CONFIG). Precedence: flag > env > file > default.
 * Every message names the setting: `--workers: must be an integer 1..64 (got "x")`.
 */
import { readFileSync } from 'node:fs';
import type { RunConfig } from '../processor/run-config.js';
import { CliError } from './cli-error.js';
import { LOG_LEVELS } from '../observability/logger.js';

/** Raw values as strings (or booleans), by config key. */
export type RawSettings = Partial<Record<keyof RunConfig | 'shard', string | boolean | number | null | undefined>>;

/** Environment variable for each setting. */
export const ENV_NAMES: Readonly<Record<string, string>> = {
  contract: 'XMLMIGRATE_CONTRACT', target: 'XMLMIGRATE_TARGET_URL', source: 'XMLMIGRATE_SOURCE_URL',
  limit: 'XMLMIGRATE_LIMIT', workers: 'XMLMIGRATE_WORKERS', batchSize: 'XMLMIGRATE_BATCH_SIZE',
  appIdStart: 'XMLMIGRATE_APP_ID_START', appIdEnd: 'XMLMIGRATE_APP_ID_END', shard: 'XMLMIGRATE_SHARD',
  pool: 'XMLMIGRATE_POOL', poolSize: 'XMLMIGRATE_POOL_SIZE', logLevel: 'XMLMIGRATE_LOG_LEVEL',
  logFile: 'XMLMIGRATE_LOG_FILE', metricsOut: 'XMLMIGRATE_METRICS_OUT', readMode: 'XMLMIGRATE_READ_MODE',
  retryAttempts: 'XMLMIGRATE_RETRY_ATTEMPTS', outageWaitSeconds: 'XMLMIGRATE_OUTAGE_WAIT',
};

/** Flag spelling of each setting, for messages. */
const FLAGS: Readonly<Record<string, string>> = {
  contract: '--contract', target: '--target', source: '--source', limit: '--limit', workers: '--workers',
  batchSize: '--batch-size', appIdStart: '--app-id-start', appIdEnd: '--app-id-end', shard: '--shard',
  pool: '--pool', poolSize: '--pool-size', logLevel: '--log-level', logFile: '--log-file',
  metricsOut: '--metrics-out', readMode: '--read-mode', retryAttempts: '--retry-attempts', outageWaitSeconds: '--outage-wait',
};

/** Defaults. */
export const DEFAULTS = {
  target: 'sqlite:xmlmigrate.db', workers: 4, batchSize: 100, pool: false, poolSize: 4,
  logLevel: 'warn', readMode: 'worker' as const, retryAttempts: 5, outageWaitSeconds: 60,
};

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`--config: cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('expected a JSON object');
    return v as Record<string, unknown>;
  } catch (err) {
    throw new CliError(`--config: ${file} is not a JSON object: ${(err as Error).message}`);
  }
}

function int(key: string, v: unknown, min: number, max: number): number {
  const s = String(v).trim();
  if (!/^-?\d+$/.test(s) || Number(s) < min || Number(s) > max) throw new CliError(`${FLAGS[key] ?? key}: must be an integer ${min}..${max} (got ${JSON.stringify(String(v))})`);
  return Number(s);
}

function bool(key: string, v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  const s = String(v).trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(s)) return true;
  if (['0', 'false', 'no', 'off'].includes(s)) return false;
  throw new CliError(`${FLAGS[key] ?? key}: expected true or false (got ${JSON.stringify(String(v))})`);
}

/** Builds the RunConfig. `flags` are commander's parsed options (undefined = not given). */
export function resolveRunConfig(flags: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): RunConfig {
  const configFile = (flags['config'] as string | undefined) ?? env['XMLMIGRATE_CONFIG'];
  const file = configFile ? readConfigFile(configFile) : {};
  const known = new Set([...Object.keys(ENV_NAMES), 'dryRun', 'progress']);
  for (const k of Object.keys(file)) if (!known.has(k)) throw new CliError(`--config: unknown setting ${JSON.stringify(k)} in ${configFile} (known: ${[...known].sort().join(', ')})`);
  const get = (key: string): unknown => {
    const f = flags[key];
    if (f !== undefined) return f;
    const e = ENV_NAMES[key] ? env[ENV_NAMES[key]!] : undefined;
    if (e !== undefined && e !== '') return e;
    return file[key];
  };
  const contract = get('contract');
  if (contract === undefined || contract === null || contract === '') throw new CliError('--contract: required (or XMLMIGRATE_CONTRACT, or "contract" in --config)');
  const opt = (key: string, min: number, max: number): number | null => { const v = get(key); return v === undefined || v === null ? null : int(key, v, min, max); };
  let shard: RunConfig['shard'] = null;
  const sh = get('shard');
  if (sh !== undefined && sh !== null) {
    const m = /^(\d+)\/(\d+)$/.exec(String(sh).trim());
    if (!m || Number(m[2]) < 1 || Number(m[1]) >= Number(m[2])) throw new CliError(`--shard: expected k/n with 0 ≤ k < n, e.g. 0/4 (got ${JSON.stringify(String(sh))})`);
    shard = { index: Number(m[1]), count: Number(m[2]) };
  }
  const appIdStart = opt('appIdStart', 1, Number.MAX_SAFE_INTEGER);
  const appIdEnd = opt('appIdEnd', 1, Number.MAX_SAFE_INTEGER);
  if (appIdStart !== null && appIdEnd !== null && appIdStart > appIdEnd) throw new CliError(`--app-id-start (${appIdStart}) must not exceed --app-id-end (${appIdEnd})`);
  const logLevel = String(get('logLevel') ?? DEFAULTS.logLevel);
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) throw new CliError(`--log-level: expected one of ${LOG_LEVELS.join(', ')} (got ${JSON.stringify(logLevel)})`);
  const readMode = String(get('readMode') ?? DEFAULTS.readMode);
  if (readMode !== 'parent' && readMode !== 'worker') throw new CliError(`--read-mode: expected parent or worker (got ${JSON.stringify(readMode)})`);
  const str = (key: string): string | null => { const v = get(key); return v === undefined || v === null || v === '' ? null : String(v); };
  return Object.freeze({
    contract: String(contract),
    target: str('target') ?? DEFAULTS.target,
    source: str('source'),
    limit: opt('limit', 1, Number.MAX_SAFE_INTEGER),
    workers: opt('workers', 1, 64) ?? DEFAULTS.workers,
    batchSize: opt('batchSize', 1, 100_000) ?? DEFAULTS.batchSize,
    appIdStart, appIdEnd, shard,
    pool: get('pool') === undefined ? DEFAULTS.pool : bool('pool', get('pool')),
    poolSize: opt('poolSize', 1, 100) ?? DEFAULTS.poolSize,
    dryRun: get('dryRun') === undefined ? false : bool('dryRun', get('dryRun')),
    logLevel, logFile: str('logFile'), metricsOut: str('metricsOut'),
    progress: get('progress') === undefined ? true : bool('progress', get('progress')),
    readMode,
    retryAttempts: opt('retryAttempts', 1, 50) ?? DEFAULTS.retryAttempts,
    outageWaitSeconds: opt('outageWaitSeconds', 0, 86_400) ?? DEFAULTS.outageWaitSeconds,
  });
}
