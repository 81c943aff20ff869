/**
 * pino logger factory. JSON lines carrying runId / workerId / batchId / appId; passwords redacted by
 * key wherever they appear, and URLs are logged only through `redactUrl`.
 */
import { pino, type Logger as PinoLogger } from 'pino';

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

/** Creates a logger. */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const level = opts.level ?? 'warn';
  const options = { level, base: opts.base ?? {}, redact: { paths: REDACT_PATHS, censor: '***' }, timestamp: pino.stdTimeFunctions.isoTime };
  if (opts.file) {
    const dest = pino.destination({ dest: opts.file, sync: false, mkdir: true, append: true });
    return wrap(pino(options, dest), dest);
  }
  if (opts.stderr) {
    const dest = pino.destination({ dest: 2, sync: true });
    return wrap(pino(options, dest), dest);
  }
  return wrap(pino({ ...options, level: 'silent' }), null);
}
