/**
 * Progress display, parent side only: a cli-progress bar on a TTY (done/total, rate, ETA, failures),
 * a plain line every few seconds otherwise, nothing with `--no-progress`. Until the first unit of work
 * lands neither a rate nor an ETA is known: the bar says so (`starting workers…`, `ETA --`).
 * A notice (a signal stopping the run) is printed as plain text on a line of its own: on a TTY the bar
 * is stopped first, so the bar's redraws cannot cut it (or a log line after it).
 */
import cliProgress from 'cli-progress';

/** What the processor reports. */
export interface Progress {
  start(total: number): void;
  update(done: number, failed: number): void;
  stop(): void;
  /** Prints one line of plain text for the user; on a TTY the bar is finished first and not redrawn. */
  notice?(text: string): void;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  enabled: boolean;
  stream?: NodeJS.WriteStream;
  /** Plain-line mode: at most one line per this many ms (default 5000). */
  intervalMs?: number;
  /** What is going on (default `migrating`). */
  verb?: string;
  /** What is counted (default `apps`). */
  unit?: string;
  /** Shown instead of a rate before the first update (default `starting workers…`). */
  startText?: string;
  /** Show the failure count (default true). */
  failures?: boolean;
}

/** Chooses the display for the stream. */
export function createProgress(opts: ProgressOptions): Progress {
  const stream = opts.stream ?? process.stderr;
  // without progress output a notice still reaches a terminal (a person is watching); never a pipe or file
  if (!opts.enabled) return { start() {}, update() {}, stop() {}, notice(text) { if (stream.isTTY) stream.write(`${text}\n`); } };
  const verb = opts.verb ?? 'migrating';
  const unit = opts.unit ?? 'apps';
  const failures = opts.failures ?? true;
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar({
      format: `${verb} {bar} {value}/{total} ${unit} | {rate} | ETA {etaText}${failures ? ' | failed {failed}' : ''}`,
      stream, hideCursor: true, clearOnComplete: false,
    }, cliProgress.Presets.shades_classic);
    let t0 = Date.now();
    let total = 0;
    let active = false;
    const finish = () => { if (active) { active = false; bar.stop(); } };
    return {
      // no rate or ETA can be known before the first batch lands: say what is happening instead
      start(t) { t0 = Date.now(); total = t; active = true; bar.start(t, 0, { rate: opts.startText ?? 'starting workers…', etaText: '--', failed: 0 }); },
      update(done, failed) {
        if (!active) return;
        if (done === 0) { bar.update(0, { failed }); return; }
        const rate = done / Math.max(0.001, (Date.now() - t0) / 1000);
        bar.update(done, { rate: `${rate.toFixed(0)} ${unit}/s`, etaText: formatEta((total - done) / rate), failed });
      },
      stop: finish,
      notice(text) {
        finish(); // the bar's last state stays on its line; the notice and whatever follows go below it
        stream.write(`${text}\n`);
      },
    };
  }
  const every = opts.intervalMs ?? 5000;
  let t0 = Date.now();
  let last = 0;
  let total = 0;
  return {
    start(t) { total = t; t0 = Date.now(); last = t0; },
    update(done, failed) {
      const now = Date.now();
      if (now - last < every) return;
      last = now;
      const rate = done / Math.max(0.001, (now - t0) / 1000);
      stream.write(`progress: ${done}/${total} ${unit}, ${rate.toFixed(0)} ${unit}/s, ETA ${done > 0 ? formatEta((total - done) / rate) : '--'}${failures ? `, ${failed} failed` : ''}\n`);
    },
    stop() {},
    notice(text) { stream.write(`${text}\n`); },
  };
}

/** Seconds left → `42 s`, `3 min 05 s`, `1 h 02 min`. */
export function formatEta(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}
