/**
 * Seeded, deterministic generator of synthetic Provenir credit-card application documents that
 * match the example contract (contracts/credit-card.json).
 *
 * - Same `(appId, seed)` → byte-identical text; a document does not depend on which batch it was
 *   generated in (each document gets its own PRNG derived from `seed` and `appId`).
 * - Sizes follow the real-world shape: about a fifth are thin (7–25 KB, little or no report
 *   data); the rest are log-normal around ~180 KB, capped at 2 MB; overall median ≈ 130 KB.
 * - con_ids are `appId * 10 + k` (k = 1..4), so they are unique across documents (a document may
 *   deliberately repeat one of its own con_ids).
 */
import { Rng, mixSeed } from './prng.js';
import { randomInstant } from './format.js';
import { buildCustData, buildRequestOpen, type AppPlan } from './application.js';
import { buildReports, buildTrailer } from './reports.js';

/** Options for {@link generateDocument}. */
export interface GenerateOptions {
  /**
   * Produce a document in which every element and attribute the example contract reads is
   * present: a PR and an AUTHU contact, each with CURR and PREV addresses and employments.
   */
  complete?: boolean;
  /** Override the sampled target size (characters, approximately bytes). */
  targetBytes?: number;
}

/** Options for {@link generateDocuments}. */
export interface GenerateDocumentsOptions {
  /** Number of documents. */
  count: number;
  /** Master seed; the same seed always yields the same documents. */
  seed: number;
  /** app_id of the first document (default 1); the rest follow consecutively. */
  startAppId?: number;
  /** See {@link GenerateOptions.complete}. */
  complete?: boolean;
}

/** One generated document. */
export interface GeneratedDocument {
  appId: number;
  /** The document text, usually starting with a U+FEFF byte-order mark. */
  xml: string;
}

/** Upper bound on any generated document (the size model caps targets at 2 MB). */
export const MAX_TARGET_BYTES = 2_000_000;

/** The per-document seed used by {@link generateDocument} when given a numeric seed. */
export function documentSeed(seed: number, appId: number): number {
  return mixSeed(seed, appId);
}

/** Samples a target size: `thin` documents carry little or no report data. */
export function sampleTargetBytes(rng: Rng): { bytes: number; thin: boolean } {
  if (rng.chance(0.22)) {
    return { bytes: Math.round(Math.exp(Math.log(7_000) + rng.next() * Math.log(25_000 / 7_000))), thin: true };
  }
  const bytes = Math.exp(Math.log(180_000) + 0.9 * rng.normal());
  return { bytes: Math.round(Math.min(MAX_TARGET_BYTES, Math.max(12_000, bytes))), thin: false };
}

function prolog(rng: Rng): string {
  const bom = rng.chance(0.88) ? '\uFEFF' : '';
  const r = rng.next();
  if (r < 0.05) return `${bom}<?xml version="1.0" encoding="utf-8"?>\n`;
  if (r < 0.09) return bom + rng.pick(['\n', '  ', '\n\n    ', '\t']);
  return bom;
}

/**
 * Generates one document.
 * @param appId positive integer written to `/Provenir/Request/@ID` (and the base of the con_ids).
 * @param rngOrSeed a numeric master seed (combined with `appId`), or a PRNG to draw from directly.
 */
export function generateDocument(appId: number, rngOrSeed: Rng | number, options: GenerateOptions = {}): string {
  if (!Number.isSafeInteger(appId) || appId <= 0) throw new RangeError(`appId must be a positive integer, got ${appId}`);
  const rng = typeof rngOrSeed === 'number' ? new Rng(documentSeed(rngOrSeed, appId)) : rngOrSeed;
  const sampled = sampleTargetBytes(rng);
  const target = options.targetBytes ?? sampled.bytes;
  const thin = options.targetBytes === undefined ? sampled.thin : target < 25_000;
  const plan: AppPlan = {
    appId,
    complete: options.complete === true,
    thin,
    receiveMs: randomInstant(rng, '2019-01-01', '2025-12-31'),
  };
  const crlf = rng.chance(0.03);
  const head = prolog(rng) + buildRequestOpen(rng, plan);
  const { xml: custData, people } = buildCustData(rng, plan);
  const trailer = buildTrailer(rng, thin ? rng.int(800, 3_000) : Math.min(40_000, Math.max(2_500, target * 0.03)));
  const tail = `  </Request>\n  <queues>\n    <queue name="${rng.pick(['review', 'fraud', 'booking'])}" entered="${plan.receiveMs}" />\n  </queues>\n</Provenir>${rng.chance(0.7) ? '\n' : ''}`;
  const budget = target - head.length - custData.length - trailer.length - tail.length;
  const reports = buildReports(rng, thin && budget < 3_000 ? 0 : budget, people, plan.receiveMs);
  const xml = head + custData + reports + trailer + tail;
  return crlf ? xml.replace(/\n/g, '\r\n') : xml;
}

/** Generates `count` documents with consecutive app_ids, lazily (one at a time). */
export function* generateDocuments(options: GenerateDocumentsOptions): Generator<GeneratedDocument, void, undefined> {
  const start = options.startAppId ?? 1;
  if (!Number.isInteger(options.count) || options.count < 0) throw new RangeError(`count must be a non-negative integer, got ${options.count}`);
  const docOptions: GenerateOptions = options.complete === true ? { complete: true } : {};
  for (let i = 0; i < options.count; i++) {
    const appId = start + i;
    yield { appId, xml: generateDocument(appId, options.seed, docOptions) };
  }
}
