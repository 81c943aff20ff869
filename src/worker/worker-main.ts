/**
 * Forked worker entry. Owns its XML parser, DataMapper, validator and database connection; answers
 * the coordinator with values only. Exits when told to stop or when its IPC channel closes.
 */
import { readFile } from 'node:fs/promises';
import { buildSchemaModel } from '../db/schema-model.js';
import { openTarget } from '../db/create-dialect.js';
import { readDocuments } from '../db/read-documents.js';
import { DEFAULT_READ_BUDGET_MB, MB, planReads, type ReadPart } from '../db/read-plan.js';
import { parseTargetUrl } from '../db/target-url.js';
import type { TargetSession } from '../db/dialect.js';
import type { BatchItem, BatchResult, FromWorker, ToWorker, WorkerInit } from '../ipc/messages.js';
import { serializeError } from '../ipc/messages.js';
import type { MappingContract } from '../mapping/contract-types.js';
import { DataMapper } from '../mapping/data-mapper.js';
import { compilePlan } from '../mapping/plan.js';
import type { Logger } from '../observability/logger.js';
import { BatchRunner, retryTransient } from './batch-runner.js';
import { readAhead } from './read-ahead.js';
import { documentBytes, releasedLarge } from '../observability/memory.js';

const noop = () => undefined;
const SILENT: Logger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, fatal: noop, child: () => SILENT, flush: async () => undefined } as unknown as Logger;

let runner: BatchRunner | null = null;
let target: TargetSession | null = null;
let source: TargetSession | null = null;
let log: Logger | null = null;
let queue: Promise<void> = Promise.resolve();
let stopping = false;
/** The target's write catalog from the parent (may arrive while init is still connecting). */
let catalog: unknown;
let retryPolicy: WorkerInit['retry'] = { maxAttempts: 1, baseDelayMs: 100, maxDelayMs: 5000 };

/** At most this many documents per read in worker-reads mode (and at most the read budget's bytes). */
const READ_CHUNK = 16;

/** `--read-budget-mb` in bytes (from the init message). */
let readBudgetBytes = DEFAULT_READ_BUDGET_MB * MB;

/**
 * One chunk of documents; app_ids missing from the source come back as NULL documents, a row the
 * database cannot return carries its reason (see read-documents.ts). Transient errors are retried
 * here, like writes, before the batch gives up and hands its apps back to the parent.
 */
function readChunk(part: ReadPart): Promise<BatchItem[]> {
  // a retry reads strings: another byte read would reuse memory a chunk read ahead still lives in
  let attempt = 0;
  return retryTransient(() => readDocuments(source!, part.ids, false, ++attempt === 1), retryPolicy);
}

/**
 * Reads the batch's documents a chunk at a time, one chunk ahead (see read-ahead.ts). The chunks are
 * planned by bytes first (the documents' stored sizes, one cheap query): a chunk holds at most
 * READ_CHUNK documents and at most the read budget (a bigger document is read alone), and a chunk
 * is read ahead only while it and the current one fit twice the budget — so the documents held are
 * bounded by max(2 × budget, the largest document). A chunk's documents are let go as soon as the
 * next chunk is asked for. Where the dialect can (PostgreSQL, SQLite), documents arrive as raw UTF-8
 * bytes; PostgreSQL's sit in memory the session reuses two reads later, which read-ahead's order
 * makes safe.
 */
async function* readInChunks(appIds: readonly number[]): AsyncGenerator<BatchItem[]> {
  const parts = await planReads(source!, appIds, readBudgetBytes, READ_CHUNK);
  yield* readAhead(parts, readChunk, {
    weight: (p) => p.bytes, limit: 2 * readBudgetBytes,
    release: (items) => {
      const bytes = items.reduce((n, i) => n + documentBytes(i.xml), 0);
      items.length = 0;
      releasedLarge(bytes);
    },
  });
}

function send(msg: FromWorker): void {
  if (process.connected) process.send?.(msg);
}

/** A batch result, with the CPU this process has used so far (the parent reports it per worker). */
function sendResult(result: BatchResult): void {
  log?.debug({ batchId: result.batchId, ok: result.ok, failed: result.failed.length }, 'batch done');
  const cpu = process.cpuUsage();
  send({ t: 'result', result, cpuMs: (cpu.user + cpu.system) / 1000 });
}

async function init(cfg: WorkerInit): Promise<void> {
  // workers log only to --log-file (the parent owns the terminal); pino is loaded only then
  log = cfg.logFile
    ? (await import('../observability/logger.js')).createLogger({ level: cfg.logLevel, file: cfg.logFile, base: { runId: cfg.runId, workerId: cfg.workerId } })
    : SILENT;
  readBudgetBytes = cfg.readBudgetBytes;
  try {
    // the parent already checked this contract (schema + semantics); compile it directly
    const text = await readFile(cfg.contractFile, 'utf8');
    const contract = JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text) as MappingContract;
    const plan = compilePlan(contract);
    const model = buildSchemaModel(contract);
    const env = process.env;
    target = await openTarget(parseTargetUrl(cfg.target, env['XMLMIGRATE_TARGET_PASSWORD'] ?? null), model, { poolMax: cfg.poolMax, applicationName: `xmlmigrate-w${cfg.workerId}`, mustExist: true });
    if (catalog !== undefined) target.useWriteCatalog?.(catalog);
    source = cfg.source ? await openTarget(parseTargetUrl(cfg.source, env['XMLMIGRATE_SOURCE_PASSWORD'] ?? null), model, { poolMax: 1, mustExist: true }) : target;
    const l = log;
    retryPolicy = cfg.retry;
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
    case 'catalog': catalog = msg.catalog; target?.useWriteCatalog?.(catalog); break;
    case 'batch':
      queue = queue.then(async () => {
        const res = await runner!.run(msg.batchId, msg.items);
        sendResult(res);
      });
      break;
    case 'batch-ids':
      queue = queue.then(async () => {
        const res = await runner!.runChunks(msg.batchId, msg.appIds, readInChunks(msg.appIds));
        sendResult(res);
      });
      break;
    case 'poison':
      queue = queue.then(async () => { sendResult(await runner!.poison(msg.batchId, msg.appIds, msg.reason)); });
      break;
    case 'stop':
      queue = queue.then(async () => { send({ t: 'stopped', workerId: -1 }); await shutdown(0); });
      break;
  }
});

// The parent is gone: nothing can be reported any more; an open transaction is rolled back by the database.
process.on('disconnect', () => { if (!stopping) void shutdown(0); });
/**
 * A signal to the worker (Ctrl-C reaches the whole foreground process group; a service manager sends
 * SIGTERM to every process of the group): finish the batch in hand, report it, tell the coordinator
 * this worker stopped (so its exit is a stop, not a crash), then exit 0. A batch that arrives after
 * the signal queues behind the exit and is never started. The parent, signalled too, hands out no more work.
 */
function onSignal(): void {
  if (stopping) return;
  stopping = true;
  queue = queue.catch(() => undefined).then(async () => {
    // the callback fires once the message (and every result sent before it) is on the channel
    if (process.connected && process.send) await new Promise<void>((resolve) => { process.send!({ t: 'stopped', workerId: -1 } satisfies FromWorker, () => resolve()); });
    await shutdown(0);
  });
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
