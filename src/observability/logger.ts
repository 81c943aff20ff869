/**
 * pino logger factory. JSON lines carrying runId / workerId / batchId / appId. No password reaches a
 * line: values under password/URL keys are replaced by `***` (pino `redact`), every string in a line
 * (the message and every field, nested too) has its URLs redacted (`redactText`: userinfo and password
 * parameters, malformed URLs included), and the known passwords — `secrets`, plus
 * XMLMIGRATE_TARGET_PASSWORD / XMLMIGRATE_SOURCE_PASSWORD — are replaced by `***` wherever they occur.
 */
import { closeSync, openSync } from 'node:fs';
import { pino, type Logger as PinoLogger } from 'pino';
import { scrubSecrets } from '../db/db-error.js';
import { redactText } from '../db/target-url.js';

/** The logger type used across the product. */
export interface Logger {
  trace: PinoLogger['trace'];
  debug: PinoLogger['debug'];
  info: PinoLogger['info'];
  warn: PinoLogger['warn'];
  error: PinoLogger['error'];
  fatal: PinoLogger['fatal'];
  child(bindings: Record<string, unknown>): Logger;
  /** Writes buffered lines out (call before exiting). */
  flush(): Promise<void>;
}

/** Log levels accepted by `--log-level`. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** Keys whose values never reach a log line. */
export const REDACT_PATHS = ['password', '*.password', 'pass', '*.pass', 'pwd', '*.pwd', 'target', '*.target', 'source', '*.source', 'url', '*.url', 'connectionString', '*.connectionString'];

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Default `warn`. */
  level?: string;
  /** Append JSON lines to this file; null = stderr (parent) — workers pass null to stay silent. */
  file?: string | null;
  /** Fields on every line (runId, workerId). */
  base?: Record<string, unknown>;
  /** Write to stderr when no file is given. Default false (silent). */
  stderr?: boolean;
  /** Passwords to replace by `***` wherever they appear (the environment's are always added). */
  secrets?: readonly string[];
}

/** The log file cannot be opened (missing directory, not writable, a directory): nothing is created. */
export class LogFileError extends Error {
  override readonly name = 'LogFileError';
  constructor(readonly file: string, cause: Error) {
    super(`cannot open log file ${file}: ${cause.message}`);
  }
}

/** A copy of `value` with every string scrubbed by `clean` (plain objects, arrays and errors; bounded depth). */
function scrubValue(value: unknown, clean: (s: string) => string, depth = 0): unknown {
  if (typeof value === 'string') return clean(value);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, clean, depth + 1));
  if (value instanceof Error) {
    const out: Record<string, unknown> = { type: value.name, message: clean(value.message) };
    if (value.stack) out['stack'] = clean(value.stack);
    for (const [k, v] of Object.entries(value)) out[k] = scrubValue(v, clean, depth + 1);
    return out;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubValue(v, clean, depth + 1);
  return out;
}

/** The slice of pino's file destination (sonic-boom) that flushing needs. */
interface Destination {
  /** The file descriptor: negative while the file is still being opened. */
  readonly fd?: number;
  flush?: (cb?: (err?: Error) => void) => void;
  once?: (event: 'ready' | 'error', listener: () => void) => unknown;
}

function wrap(l: PinoLogger, dest: Destination | null): Logger {
  return {
    trace: l.trace.bind(l), debug: l.debug.bind(l), info: l.info.bind(l), warn: l.warn.bind(l),
    error: l.error.bind(l), fatal: l.fatal.bind(l),
    child: (b) => wrap(l.child(b), dest),
    flush: () => new Promise((resolve) => {
      if (!dest?.flush) { resolve(); return; }
      const flush = (): void => { try { dest.flush!(() => resolve()); } catch { resolve(); } };
      // a process that exits right after starting (a worker whose init failed) may flush before the
      // log file is open: wait for it, or pino's exit hook throws "sonic boom is not ready yet"
      if (dest.fd !== undefined && dest.fd < 0 && dest.once) {
        dest.once('ready', flush);
        dest.once('error', () => resolve());
      } else {
        flush();
      }
    }),
  };
}

/** Creates a logger. Throws {@link LogFileError} when `file` cannot be opened for appending. */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const level = opts.level ?? 'warn';
  const secrets = [...(opts.secrets ?? []), process.env['XMLMIGRATE_TARGET_PASSWORD'] ?? '', process.env['XMLMIGRATE_SOURCE_PASSWORD'] ?? '']
    .filter((x) => x.length > 0);
  const clean = (text: string): string => scrubSecrets(redactText(text), secrets);
  const options = {
    level, base: opts.base ?? {}, redact: { paths: REDACT_PATHS, censor: '***' }, timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { log: (obj: Record<string, unknown>) => scrubValue(obj, clean) as Record<string, unknown> },
    hooks: {
      logMethod(this: PinoLogger, args: unknown[], method: (...a: unknown[]) => void) {
        method.apply(this, args.map((a) => (typeof a === 'string' ? clean(a) : a)));
      },
    },
  };
  if (opts.file) {
    // opened here, synchronously and without creating directories: a bad path is an error the caller
    // reports in one line (the run checks it even earlier), never a stack trace from a stream
    let fd: number;
    try {
      fd = openSync(opts.file, 'a');
    } catch (err) {
      throw new LogFileError(opts.file, err as Error);
    }
    let dest;
    try {
      dest = pino.destination({ dest: fd, sync: false });
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    return wrap(pino(options, dest), dest);
  }
  if (opts.stderr) {
    const dest = pino.destination({ dest: 2, sync: true });
    return wrap(pino(options, dest), dest);
  }
  return wrap(pino({ ...options, level: 'silent' }), null);
}
