/**
 * Forked verify worker: owns its DataMapper and its database connections (target, and the source when
 * it lives elsewhere); verifies the jobs the parent sends, one at a time, and answers with values only.
 * Exits when told to stop or when its IPC channel closes.
 */
import { readFile } from 'node:fs/promises';
import { openTarget } from '../db/create-dialect.js';
import type { TargetSession } from '../db/dialect.js';
import { buildSchemaModel } from '../db/schema-model.js';
import { parseTargetUrl } from '../db/target-url.js';
import { serializeError } from '../ipc/messages.js';
import type { MappingContract } from '../mapping/contract-types.js';
import { DataMapper } from '../mapping/data-mapper.js';
import { compilePlan } from '../mapping/plan.js';
import { BatchVerifier } from './verify-batch.js';
import type { FromVerifyWorker, ToVerifyWorker, VerifyWorkerInit } from './verify-messages.js';

let verifier: BatchVerifier | null = null;
let target: TargetSession | null = null;
let source: TargetSession | null = null;
let queue: Promise<void> = Promise.resolve();
let stopping = false;

function send(msg: FromVerifyWorker): void {
  if (process.connected) process.send?.(msg);
}

async function init(cfg: VerifyWorkerInit): Promise<void> {
  try {
    // the parent already checked this contract; compile it directly
    const text = await readFile(cfg.contractFile, 'utf8');
    const contract = JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text) as MappingContract;
    const model = buildSchemaModel(contract);
    const env = process.env;
    target = await openTarget(parseTargetUrl(cfg.target, env['XMLMIGRATE_TARGET_PASSWORD'] ?? null), model, { poolMax: 1, applicationName: `xmlmigrate-verify-w${cfg.workerId}`, mustExist: true });
    source = cfg.source ? await openTarget(parseTargetUrl(cfg.source, env['XMLMIGRATE_SOURCE_PASSWORD'] ?? null), model, { poolMax: 1, mustExist: true }) : target;
    verifier = new BatchVerifier({ mapper: new DataMapper(compilePlan(contract)), target, source, retry: cfg.retry, maxDiffsPerApp: cfg.maxDiffsPerApp });
    send({ t: 'ready', workerId: cfg.workerId, pid: process.pid });
  } catch (err) {
    send({ t: 'init-error', workerId: cfg.workerId, error: serializeError(err) });
    await shutdown(1);
  }
}

async function shutdown(code: number): Promise<void> {
  stopping = true;
  try { await target?.close(); } catch { /* closing anyway */ }
  if (source && source !== target) { try { await source.close(); } catch { /* closing anyway */ } }
  process.exit(code);
}

process.on('message', (msg: ToVerifyWorker) => {
  switch (msg.t) {
    case 'init': void init(msg.init); break;
    case 'job':
      queue = queue.then(async () => {
        const result = await verifier!.verify(msg.job);
        const cpu = process.cpuUsage();
        send({ t: 'result', result, cpuMs: (cpu.user + cpu.system) / 1000 });
      });
      break;
    case 'stop':
      queue = queue.then(() => shutdown(0));
      break;
  }
});

// the parent is gone: nobody is waiting for results
process.on('disconnect', () => { if (!stopping) void shutdown(0); });
// Ctrl-C reaches the whole process group: the parent decides; finish the job in hand, then go
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => { queue = queue.then(() => shutdown(0)); });
