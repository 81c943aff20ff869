// Run by dead-worker-send.test.ts in a plain node process (argv[2]: the built parallel-coordinator.js,
// argv[3]: the stand-in worker). A worker is SIGKILLed and this thread blocks until the kernel has it
// dead — its end of the IPC socket closed — before the parent's event loop can learn of it: the moment a
// signal to the whole process group creates in a real run. Then the coordinator messages it (a late
// catalog, stop). Prints the worker's state and 'survived' when the parent lives on.
import { readFileSync } from 'node:fs';

const { ParallelCoordinator } = await import(process.argv[2]);
const procState = (pid) => {
  try { return /^\d+ \(.*\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1] ?? null; } catch { return null; }
};
const pids = [];
const c = new ParallelCoordinator({
  workers: 1, workerScript: process.argv[3],
  init: { runId: 'spec', contractFile: 'unused.json', target: 'sqlite::memory:', source: null, poolMax: 1, logLevel: 'silent', logFile: null, retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 }, dryRun: false, readBudgetBytes: 1 << 20 },
  onEvent: (e) => { if (e.type === 'worker-ready') pids.push(e.pid); },
});
await c.start();
const pid = pids[0];
process.kill(pid, 'SIGKILL');
for (;;) {
  const state = procState(pid);
  if (state === 'Z' || state === null) break;
}
console.log(`worker state ${procState(pid)}`);
c.shareCatalog({ kind: 'late' });
await c.stop();
await new Promise((r) => setImmediate(r));
console.log('survived');
