// Shared by the benchmarks: command-line options, a contract pointed at a scratch schema, and a
// source table filled either with the XmlConversion fixture documents that map successfully (repeated
// under distinct app_ids) or with documents of the product's own generator (src/seed, as
// `xmlmigrate seed` makes them) under the example contract — the latter needs nothing outside the repo.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { openTarget } from '../dist/db/create-dialect.js';
import { buildSchemaModel } from '../dist/db/schema-model.js';
import { resolveTarget } from '../dist/db/target-url.js';
import { compilePlan } from '../dist/mapping/plan.js';
import { DataMapper } from '../dist/mapping/data-mapper.js';
import { generateDocuments } from '../dist/seed/generator.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

/** The fixture contract with `target_schema` = `schema` and an `app_xml(app_id, xml)` source table. */
export function benchContract(fixtures, schema) {
  const contract = JSON.parse(fs.readFileSync(path.join(fixtures, 'contract-cc.json'), 'utf8'));
  return { ...contract, target_schema: schema, source_table: 'app_xml', source_column: 'xml' };
}

/** The fixture documents (text) that map successfully under `contract`, in file-name order. */
export function mappingDocuments(fixtures, contract) {
  const mapper = new DataMapper(compilePlan(contract));
  return fs.readdirSync(path.join(fixtures, 'xml')).filter((f) => f.endsWith('.xml')).sort()
    .map((f) => fs.readFileSync(path.join(fixtures, 'xml', f), 'utf8'))
    .filter((x) => { try { mapper.map(x); return true; } catch { return false; } });
}

/** Inserts `count` documents (app_ids 1,000,000 + k, cycling through `docs`) 100 at a time; returns their UTF-8 bytes. */
export async function fillSource(session, docs, count) {
  let bytes = 0;
  for (let i = 0; i < count; i += 100) {
    const chunk = [];
    for (let k = i; k < Math.min(count, i + 100); k++) {
      const appId = 1_000_000 + k;
      const xml = docs[k % docs.length].replace(/(<Request\b[^>]*?\bID=")[^"]*(")/, `$1${appId}$2`);
      bytes += Buffer.byteLength(xml);
      chunk.push({ appId, xml });
    }
    await session.insertSource(chunk);
  }
  return bytes;
}

/** The example contract (contracts/credit-card.json) with `target_schema` = `schema` and an `app_xml(app_id, xml)` source table. */
export function exampleContract(schema) {
  const contract = JSON.parse(fs.readFileSync(path.join(root, 'contracts/credit-card.json'), 'utf8'));
  return { ...contract, target_schema: schema, source_table: 'app_xml', source_column: 'xml' };
}

/** Inserts `count` generated documents (app_ids 1..count, seed `seed`) 100 at a time; returns their UTF-8 bytes. */
export async function fillGenerated(session, count, seed = 42) {
  let bytes = 0;
  let chunk = [];
  for (const d of generateDocuments({ count, seed })) {
    bytes += Buffer.byteLength(d.xml);
    chunk.push({ appId: d.appId, xml: d.xml });
    if (chunk.length === 100) { await session.insertSource(chunk); chunk = []; }
  }
  if (chunk.length) await session.insertSource(chunk);
  return bytes;
}

/** `opt('--name', default)`: the value after `--name` on the command line, or the default. */
export function options(argv = process.argv.slice(2)) {
  return (name, def) => { const i = argv.indexOf(name); return i === -1 ? def : argv[i + 1]; };
}

/**
 * A scratch schema `schema` (dropped first on PostgreSQL; on SQL Server the caller gives a fresh
 * database) with the contract's tables and a source table of `docs` documents, on `target` (a URL or
 * a parsed TargetConfig). `fixtures` = a directory: the XmlConversion fixture contract and its mapping
 * documents; `fixtures` = null: the example contract and generated documents (seed `seed`).
 * Returns the contract, its schema model, the open session, the fixture documents (fixtures only)
 * and the source's size in bytes.
 */
export async function fixtureSource({ target, schema, fixtures, docs, seed = 42 }) {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`--schema: ${schema} is not a plain identifier`);
  const contract = fixtures ? benchContract(fixtures, schema) : exampleContract(schema);
  const model = buildSchemaModel(contract);
  const base = fixtures ? mappingDocuments(fixtures, contract) : null;
  // a password may come from XMLMIGRATE_TARGET_PASSWORD, as for the CLI
  const session = await openTarget(typeof target === 'string' ? resolveTarget(target) : target, model, { poolMax: 1 });
  if (session.info.name === 'postgres') await dropSchema(target, schema);
  await session.applySchema({ includeSource: true });
  const bytes = base ? await fillSource(session, base, docs) : await fillGenerated(session, docs, seed);
  return { contract, model, session, base, bytes };
}

/** Drops a PostgreSQL scratch schema. */
export async function dropSchema(target, schema) {
  const c = new pg.Client({ connectionString: target });
  await c.connect();
  try { await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`); } finally { await c.end(); }
}
