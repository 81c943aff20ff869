/**
 * Progress display, parent side only: a cli-progress bar on a TTY (done/total, apps/s, ETA, failures),
 * a plain line every few seconds otherwise, nothing with `--no-progress`. A notice (a signal stopping
 * the run) is printed as plain text on a line of its own: on a TTY the bar is stopped first, so the
 * bar's redraws cannot cut it (or a log line after it).
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

/** Chooses the display for the stream. */
export function createProgress(opts: { enabled: boolean; stream?: NodeJS.WriteStream; intervalMs?: number }): Progress {
  const stream = opts.stream ?? process.stderr;
  // without progress output a notice still reaches a terminal (a person is watching); never a pipe or file
  if (!opts.enabled) return { start() {}, update() {}, stop() {}, notice(text) { if (stream.isTTY) stream.write(`${text}\n`); } };
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar({
      format: 'migrating {bar} {value}/{total} apps | {rate} apps/s | ETA {eta_formatted} | failed {failed}',
      stream, hideCursor: true, clearOnComplete: false, etaBuffer: 50,
    }, cliProgress.Presets.shades_classic);
    let t0 = Date.now();
    let active = false;
    const finish = () => { if (active) { active = false; bar.stop(); } };
    return {
      start(total) { t0 = Date.now(); active = true; bar.start(total, 0, { rate: '0', failed: 0 }); },
      update(done, failed) {
        if (!active) return;
        const rate = done / Math.max(0.001, (Date.now() - t0) / 1000);
        bar.update(done, { rate: rate.toFixed(0), failed });
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
      const eta = rate > 0 ? Math.max(0, (total - done) / rate) : 0;
      stream.write(`progress: ${done}/${total} apps, ${rate.toFixed(0)} apps/s, ETA ${eta.toFixed(0)} s, ${failed} failed\n`);
    },
    stop() {},
    notice(text) { stream.write(`${text}\n`); },
  };
}
