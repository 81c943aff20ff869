/**
 * One frozen, validated RunConfig from command-line flags, environment variables (XMLMIGRATE_*) and
 * an optional JSON config file (`--config`, or XMLMIGRATE_CONFIG). Precedence: flag > env > file > default.
 * Every message names the setting where it came from: `--workers: must be an integer 1..64 (got "x")`,
 * `XMLMIGRATE_WORKERS: …`, or `"workers" in --config cfg.json: … (got [4])`. Connection URLs are parsed
 * (not connected) and output files checked here, so every such mistake ends with exit 2 before any
 * connection is made or any work is done.
 */
import { accessSync, constants as fsConstants, readFileSync, statSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { parseTargetUrl, TargetUrlError } from '../db/target-url.js';
import type { RunConfig } from '../processor/run-config.js';
import { CliError } from './cli-error.js';
import { LOG_LEVELS } from '../observability/logger.js';
import { DEFAULT_READ_BUDGET_MB } from '../db/read-plan.js';
import { DEFAULT_MAX_FAILURES_MIN, parseFailureBudget, type FailureBudgetSpec } from '../processor/failure-budget.js';

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
  readBudgetMb: 'XMLMIGRATE_READ_BUDGET_MB', maxFailures: 'XMLMIGRATE_MAX_FAILURES',
  maxFailuresMin: 'XMLMIGRATE_MAX_FAILURES_MIN', report: 'XMLMIGRATE_REPORT', claims: 'XMLMIGRATE_CLAIMS',
  leaseSeconds: 'XMLMIGRATE_LEASE_SECONDS', claimSize: 'XMLMIGRATE_CLAIM_SIZE',
};

/** Flag spelling of each setting, for messages. */
const FLAGS: Readonly<Record<string, string>> = {
  contract: '--contract', target: '--target', source: '--source', limit: '--limit', workers: '--workers',
  batchSize: '--batch-size', appIdStart: '--app-id-start', appIdEnd: '--app-id-end', shard: '--shard',
  pool: '--pool', poolSize: '--pool-size', logLevel: '--log-level', logFile: '--log-file',
  metricsOut: '--metrics-out', readMode: '--read-mode', retryAttempts: '--retry-attempts', outageWaitSeconds: '--outage-wait',
  dryRun: '--dry-run', progress: '--no-progress', readBudgetMb: '--read-budget-mb',
  maxFailures: '--max-failures', maxFailuresMin: '--max-failures-min', report: '--report',
  claims: '--claims', leaseSeconds: '--lease-seconds', claimSize: '--claim-size',
};

/** Defaults. */
export const DEFAULTS = {
  target: 'sqlite:xmlmigrate.db', workers: 4, batchSize: 100, pool: false, poolSize: 4,
  logLevel: 'warn', readMode: 'worker' as const, retryAttempts: 5, outageWaitSeconds: 60,
  readBudgetMb: DEFAULT_READ_BUDGET_MB, maxFailuresMin: DEFAULT_MAX_FAILURES_MIN, claims: true, leaseSeconds: 30,
};

function readConfigFile(label: string, file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`${label}: cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('expected a JSON object');
    return v as Record<string, unknown>;
  } catch (err) {
    throw new CliError(`${label}: ${file} is not a JSON object: ${(err as Error).message}`);
  }
}

/** Where a setting's value came from, for messages: `--workers`, `XMLMIGRATE_WORKERS` or `"workers" in cfg.json`. */
interface Setting {
  readonly value: unknown;
  readonly label: string;
  /** From the JSON config file: any JSON type may arrive, so types are checked strictly. */
  readonly fromFile: boolean;
}

/** How a value is shown in a message: strings quoted, JSON values (from a config file) as JSON. */
function shown(s: Setting): string {
  return JSON.stringify(typeof s.value === 'string' ? s.value : s.value ?? null) ?? String(s.value);
}

/** The text of a setting that must be a string (a config file's `false`, `[…]` or `5` is refused). */
function text(s: Setting, what: string): string {
  if (typeof s.value === 'string') return s.value;
  if (!s.fromFile && (typeof s.value === 'number' || typeof s.value === 'boolean')) return String(s.value);
  throw new CliError(`${s.label}: expected ${what} (got ${shown(s)})`);
}

function int(s: Setting, min: number, max: number): number {
  const v = s.value;
  const str = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : null;
  if (str === null || !/^-?\d+$/.test(str) || Number(str) < min || Number(str) > max) {
    throw new CliError(`${s.label}: must be an integer ${min}..${max} (got ${shown(s)})`);
  }
  return Number(str);
}

function bool(s: Setting): boolean {
  if (typeof s.value === 'boolean') return s.value;
  const str = typeof s.value === 'string' ? s.value.trim().toLowerCase() : null;
  if (str !== null && ['1', 'true', 'yes', 'on'].includes(str)) return true;
  if (str !== null && ['0', 'false', 'no', 'off'].includes(str)) return false;
  throw new CliError(`${s.label}: expected true or false (got ${shown(s)})`);
}

/** `--max-failures`: `N` (failed apps) or `N%` (of processed apps); a config file may give N as a JSON number. */
function failureBudget(s: Setting): FailureBudgetSpec {
  const v = s.fromFile && typeof s.value === 'number' && Number.isInteger(s.value) ? String(s.value) : text(s, 'a count or a percentage, e.g. 500 or 2%');
  const spec = parseFailureBudget(v);
  if (spec === null) throw new CliError(`${s.label}: expected a count of failed apps (an integer ≥ 0, e.g. 500) or a percentage of processed apps (0..100%, e.g. 2%) (got ${shown(s)})`);
  return spec;
}

/** A connection URL: parsed (not connected) so that a bad one is a usage error naming where it came from. */
function url(s: Setting): string {
  const u = text(s, 'a connection URL');
  try {
    parseTargetUrl(u);
  } catch (err) {
    if (err instanceof TargetUrlError) throw new CliError(`${s.label}: ${err.message}`);
    throw err;
  }
  return u;
}

/**
 * Checks, before anything connects, that `file` can be written by this process: its directory exists
 * (nothing is created) and is writable, and the file, if present, is a writable regular file.
 */
export function checkOutputFile(label: string, file: string): void {
  if (file.trim() === '') throw new CliError(`${label}: expected a file path (got "")`);
  const abs = resolvePath(file);
  const dir = dirname(abs);
  let dirStat;
  try {
    dirStat = statSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(`${label}: cannot write ${file}: ${code === 'ENOENT' ? `directory ${dir} does not exist (create it first)` : `directory ${dir}: ${(err as Error).message}`}`);
  }
  if (!dirStat.isDirectory()) throw new CliError(`${label}: cannot write ${file}: ${dir} is not a directory`);
  let st = null;
  try {
    st = statSync(abs);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new CliError(`${label}: cannot write ${file}: ${(err as Error).message}`);
  }
  if (st !== null && !st.isFile()) throw new CliError(`${label}: cannot write ${file}: ${st.isDirectory() ? 'it is a directory' : 'not a regular file'}`);
  try {
    accessSync(st !== null ? abs : dir, fsConstants.W_OK);
  } catch {
    throw new CliError(`${label}: cannot write ${file}: permission denied (${st !== null ? 'the file' : `directory ${dir}`} is not writable)`);
  }
}

/** Builds the RunConfig. `flags` are commander's parsed options (undefined = not given). */
export function resolveRunConfig(flags: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): RunConfig {
  const configFlag = flags['config'] as string | undefined;
  const configFile = configFlag ?? env['XMLMIGRATE_CONFIG'];
  const configLabel = configFlag !== undefined ? '--config' : 'XMLMIGRATE_CONFIG';
  const file = configFile ? readConfigFile(configLabel, configFile) : {};
  const known = new Set([...Object.keys(ENV_NAMES), 'dryRun', 'progress']);
  for (const k of Object.keys(file)) if (!known.has(k)) throw new CliError(`${configLabel}: unknown setting ${JSON.stringify(k)} in ${configFile} (known: ${[...known].sort().join(', ')})`);
  /** The setting's value and where it came from; null when it was not given anywhere (a file's `null` = not given). */
  const get = (key: string): Setting | null => {
    const f = flags[key];
    if (f !== undefined) return { value: f, label: FLAGS[key] ?? `--${key}`, fromFile: false };
    const name = ENV_NAMES[key];
    const e = name ? env[name] : undefined;
    if (name && e !== undefined && e !== '') return { value: e, label: name, fromFile: false };
    const v = file[key];
    return v === undefined || v === null ? null : { value: v, label: `${JSON.stringify(key)} in ${configLabel} ${configFile}`, fromFile: true };
  };
  const contractSetting = get('contract');
  const contract = contractSetting === null ? '' : text(contractSetting, 'a contract file path');
  if (contract === '') throw new CliError('--contract: required (or XMLMIGRATE_CONTRACT, or "contract" in --config)');
  const opt = (key: string, min: number, max: number): number | null => { const s = get(key); return s === null ? null : int(s, min, max); };
  const str = (key: string, what: string): string | null => { const s = get(key); if (s === null) return null; const v = text(s, what); return v === '' ? null : v; };
  let shard: RunConfig['shard'] = null;
  const sh = get('shard');
  if (sh !== null) {
    const m = /^(\d+)\/(\d+)$/.exec(text(sh, 'k/n, e.g. 0/4').trim());
    if (!m || Number(m[2]) < 1 || Number(m[1]) >= Number(m[2])) throw new CliError(`${sh.label}: expected k/n with 0 ≤ k < n, e.g. 0/4 (got ${shown(sh)})`);
    shard = { index: Number(m[1]), count: Number(m[2]) };
  }
  const appIdStart = opt('appIdStart', 1, Number.MAX_SAFE_INTEGER);
  const appIdEnd = opt('appIdEnd', 1, Number.MAX_SAFE_INTEGER);
  if (appIdStart !== null && appIdEnd !== null && appIdStart > appIdEnd) throw new CliError(`${get('appIdStart')!.label} (${appIdStart}) must not exceed ${get('appIdEnd')!.label} (${appIdEnd})`);
  const logLevelSetting = get('logLevel');
  const logLevel = logLevelSetting === null ? DEFAULTS.logLevel : text(logLevelSetting, `one of ${LOG_LEVELS.join(', ')}`);
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) throw new CliError(`${logLevelSetting?.label ?? '--log-level'}: expected one of ${LOG_LEVELS.join(', ')} (got ${JSON.stringify(logLevel)})`);
  const readModeSetting = get('readMode');
  const readMode = readModeSetting === null ? DEFAULTS.readMode : text(readModeSetting, 'parent or worker');
  if (readMode !== 'parent' && readMode !== 'worker') throw new CliError(`${readModeSetting?.label ?? '--read-mode'}: expected parent or worker (got ${JSON.stringify(readMode)})`);
  const flag = (key: string, dflt: boolean): boolean => { const s = get(key); return s === null ? dflt : bool(s); };
  const targetSetting = get('target');
  const sourceSetting = get('source');
  const target = targetSetting === null ? DEFAULTS.target : url(targetSetting);
  const source = sourceSetting === null ? null : url(sourceSetting);
  // output files: checked now, before any connection, so that a typo costs nothing
  const logFile = str('logFile', 'a file path');
  const metricsOut = str('metricsOut', 'a file path');
  if (logFile !== null) checkOutputFile(get('logFile')!.label, logFile);
  if (metricsOut !== null) checkOutputFile(get('metricsOut')!.label, metricsOut);
  const report = str('report', 'a file path');
  if (report !== null) checkOutputFile(get('report')!.label, report);
  const maxFailuresSetting = get('maxFailures');
  return Object.freeze({
    contract,
    target, source,
    limit: opt('limit', 1, Number.MAX_SAFE_INTEGER),
    workers: opt('workers', 1, 64) ?? DEFAULTS.workers,
    batchSize: opt('batchSize', 1, 100_000) ?? DEFAULTS.batchSize,
    appIdStart, appIdEnd, shard,
    pool: flag('pool', DEFAULTS.pool),
    poolSize: opt('poolSize', 1, 100) ?? DEFAULTS.poolSize,
    dryRun: flag('dryRun', false),
    logLevel, logFile, metricsOut,
    progress: flag('progress', true),
    readMode,
    retryAttempts: opt('retryAttempts', 1, 50) ?? DEFAULTS.retryAttempts,
    outageWaitSeconds: opt('outageWaitSeconds', 0, 86_400) ?? DEFAULTS.outageWaitSeconds,
    readBudgetMb: opt('readBudgetMb', 1, 4096) ?? DEFAULTS.readBudgetMb,
    maxFailures: maxFailuresSetting === null ? null : failureBudget(maxFailuresSetting),
    maxFailuresMin: opt('maxFailuresMin', 1, Number.MAX_SAFE_INTEGER) ?? DEFAULTS.maxFailuresMin,
    report,
    claims: flag('claims', DEFAULTS.claims),
    leaseSeconds: opt('leaseSeconds', 2, 86_400) ?? DEFAULTS.leaseSeconds,
    claimSize: opt('claimSize', 1, 10_000_000),
  });
}
