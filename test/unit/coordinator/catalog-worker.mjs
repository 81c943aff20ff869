// A stand-in worker for the coordinator spec: speaks the IPC protocol, remembers the catalog it was
// handed, and reports it back in each result (as a rowsByTable key). An app id of 666 kills the first
// worker that gets it (a crash: the coordinator must hand its replacement the catalog too).
import { existsSync, writeFileSync } from 'node:fs';

let catalog = null;
let workerId = -1;
process.on('message', (msg) => {
  if (msg.t === 'init') { workerId = msg.init.workerId; process.send({ t: 'ready', workerId, pid: process.pid }); return; }
  if (msg.t === 'catalog') { catalog = msg.catalog; return; }
  if (msg.t === 'batch-ids') {
    const marker = process.env.CRASH_MARKER;
    if (msg.appIds.includes(666) && marker && !existsSync(marker)) { writeFileSync(marker, String(process.pid)); process.exit(1); }
    process.send({ t: 'result', result: {
      batchId: msg.batchId, workerId, apps: msg.appIds.length, ok: msg.appIds.length, failed: [], alreadyLogged: 0,
      rowsByTable: { [`catalog:${JSON.stringify(catalog)}`]: 1 }, times: { read: 0, parseMap: 0, write: 0 },
      retries: 0, splits: 0, warnings: 0, fatal: null, pending: [],
    } });
    return;
  }
  if (msg.t === 'stop') { process.send({ t: 'stopped', workerId }); process.exit(0); }
});
process.on('disconnect', () => process.exit(0));
