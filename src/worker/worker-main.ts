/**
 * Forked worker entry. Owns its XML parser, DataMapper, validator and database connection; answers
 * the coordinator with values only. Exits when told to stop or when its IPC channel closes.
 */
import { readFile } from 'node:fs/promises';
import { buildSchemaModel } from '../db/schema-model.js';
import { openTarget } from '../db/create-dialect.js';
import { parseTargetUrl } from '../db/target-url.js';
import type { TargetSession } from '../db/dialect.js';
import type { FromWorker, ToWorker, WorkerInit } from '../ipc/messages.js';
import { serializeError } from '../ipc/messages.js';
import { checkContract } from '../mapping/contract-loader.js';
import { DataMapper } from '../mapping/data-mapper.js';
import { compilePlan } from '../mapping/plan.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { BatchRunner } from './batch-runner.js';

let runner: BatchRunner | null = null;
let target: TargetSession | null = null;
let source: TargetSession | null = null;
let log: Logger | null = null;
let queue: Promise<void> = Promise.resolve();
let stopping = false;

function send(msg: FromWorker): void {
  if (process.connected) process.send?.(msg);
}

async function init(cfg: WorkerInit): Promise<void> {
  log = createLogger({ level: cfg.logLevel, file: cfg.logFile, base: { runId: cfg.runId, workerId: cfg.workerId } });
  try {
    const raw = JSON.parse(await readFile(cfg.contractFile, 'utf8')) as unknown;
    const checked = checkContract(raw, cfg.contractFile);
    if (!checked.contract) throw new Error(`invalid contract ${cfg.contractFile}`);
    const plan = compilePlan(checked.contract);
    const model = buildSchemaModel(checked.contract);
    const env = process.env;
    target = await openTarget(parseTargetUrl(cfg.target, env['XMLMIGRATE_TARGET_PASSWORD'] ?? null), model, { poolMax: cfg.poolMax, applicationName: `xmlmigrate-w${cfg.workerId}` });
    source = cfg.source ? await openTarget(parseTargetUrl(cfg.source, env['XMLMIGRATE_SOURCE_PASSWORD'] ?? null), model, { poolMax: 1 }) : target;
    const l = log;
    runner = new BatchRunner({
      mapper: new DataMapper(plan), target, runId: cfg.runId, workerId: cfg.workerId, retry: cfg.retry, dryRun: cfg.dryRun,
      onWarning: (appId, message) => l.debug({ appId }, message),
    });
    send({ t: 'ready', workerId: cfg.workerId, pid: process.pid });
  } catch (err) {
    log.error({ err: serializeError(err) }, 'worker start failed');
    send({ t: 'init-error', workerId: cfg.workerId, error: serializeError(err) });
    await shutdown(1);
  }
}

async function shutdown(code: number): Promise<void> {
  stopping = true;
  try { await target?.close(); } catch { /* closing anyway */ }
  if (source && source !== target) { try { await source.close(); } catch { /* closing anyway */ } }
  await log?.flush();
  process.exit(code);
}

process.on('message', (msg: ToWorker) => {
  switch (msg.t) {
    case 'init': void init(msg.init); break;
    case 'batch':
      queue = queue.then(async () => {
        const res = await runner!.run(msg.batchId, msg.items);
        log?.debug({ batchId: msg.batchId, ok: res.ok, failed: res.failed.length }, 'batch done');
        send({ t: 'result', result: res });
      });
      break;
    case 'batch-ids':
      queue = queue.then(async () => {
        const t0 = performance.now();
        let items;
        try {
          const recs = await source!.readSourceByIds(msg.appIds);
          items = recs.map((r) => ({ appId: r.appId, xml: r.xml }));
        } catch (err) {
          send({ t: 'result', result: { batchId: msg.batchId, workerId: -1, apps: msg.appIds.length, ok: 0, failed: [], alreadyLogged: 0, rowsByTable: {}, times: { read: 0, parseMap: 0, write: 0 }, retries: 0, splits: 0, warnings: 0, fatal: serializeError(err) } });
          return;
        }
        const res = await runner!.run(msg.batchId, items, performance.now() - t0);
        send({ t: 'result', result: res });
      });
      break;
    case 'poison':
      queue = queue.then(async () => { send({ t: 'result', result: await runner!.poison(msg.batchId, msg.appIds, msg.reason) }); });
      break;
    case 'stop':
      queue = queue.then(async () => { send({ t: 'stopped', workerId: -1 }); await shutdown(0); });
      break;
  }
});

// The parent is gone: nothing can be reported any more; an open transaction is rolled back by the database.
process.on('disconnect', () => { if (!stopping) void shutdown(0); });
// Signals go to the whole process group on Ctrl-C: the parent decides; workers finish their batch.
process.on('SIGINT', () => { /* the coordinator sends stop */ });
