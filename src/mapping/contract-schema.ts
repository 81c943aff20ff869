/**
 * The structural half of contract checking: `schema/mapping-contract.schema.json` compiled with ajv,
 * and its errors turned into path-first {@link ContractProblem}s with rule `schema`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ajvModule from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { describeValue, jsonTypeOf, joinPath, pointerToPath, type ProblemCollector } from './contract-problems.js';

const SCHEMA_RELATIVE = join('schema', 'mapping-contract.schema.json');

let schemaPathCache: string | undefined;
let validatorCache: ValidateFunction | undefined;

/**
 * Absolute path of the shipped JSON Schema, found by walking up from this module (works from
 * `src/mapping/` and from compiled `dist/src/mapping/` or `dist/mapping/`). Throws if it cannot be found.
 */
export function contractSchemaPath(): string {
  if (schemaPathCache !== undefined) return schemaPathCache;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, SCHEMA_RELATIVE);
    if (existsSync(candidate)) return (schemaPathCache = candidate);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`mapping contract schema not found (looked for ${SCHEMA_RELATIVE} above ${fileURLToPath(import.meta.url)})`);
}

let schemaCache: Record<string, unknown> | undefined;

/** The parsed JSON Schema object (read once, then cached). */
export function loadContractSchema(): Record<string, unknown> {
  schemaCache ??= JSON.parse(readFileSync(contractSchemaPath(), 'utf8')) as Record<string, unknown>;
  return schemaCache;
}

let fieldNamesCache: { topLevel: string[]; mapping: string[] } | undefined;

/** Key names the schema defines: top-level keys and mapping-entry fields (the source of truth for `unknown-field`). */
export function contractFieldNames(): { topLevel: string[]; mapping: string[] } {
  if (fieldNamesCache === undefined) {
    const schema = loadContractSchema();
    const keys = (node: unknown): string[] =>
      Object.keys(((node ?? {}) as { properties?: Record<string, unknown> }).properties ?? {});
    const defs = (schema['definitions'] ?? {}) as Record<string, unknown>;
    fieldNamesCache = { topLevel: keys(schema), mapping: keys(defs['mapping']) };
  }
  return fieldNamesCache;
}

function validator(): ValidateFunction {
  if (validatorCache === undefined) {
    const Ajv = ajvModule.default;
    // The schema is ours and fixed: checking it against the JSON Schema meta-schema (a unit spec does
    // that) and optimizing the generated code would cost every run ~40 ms of CPU before it starts.
    const ajv = new Ajv({ allErrors: true, allowUnionTypes: true, strict: true, validateSchema: false, code: { optimize: false } });
    validatorCache = ajv.compile(loadContractSchema());
  }
  return validatorCache;
}

/** Names of the types in an ajv `type` error (`"integer,null"` or an array) joined as `integer or null`. */
function typeList(type: unknown): string {
  const names = Array.isArray(type) ? type.map(String) : String(type).split(',');
  return names.join(' or ');
}

/** `got …` suffix for a type mismatch: the value for scalars, the JSON type for containers. */
function gotValue(value: unknown): string {
  const t = jsonTypeOf(value);
  if (t === 'array' || t === 'object') return t === 'array' ? 'an array' : 'an object';
  return `${t} ${describeValue(value)}`;
}

function translate(e: ErrorObject, sink: ProblemCollector): void {
  const at = pointerToPath(e.instancePath);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      sink.error('schema', joinPath(at, String(p['missingProperty'])), 'required field is missing');
      return;
    case 'type':
      sink.error('schema', at, `expected ${typeList(p['type'])} (got ${gotValue(e.data)})`);
      return;
    case 'enum': {
      const allowed = Array.isArray(p['allowedValues']) ? p['allowedValues'].map(String) : [];
      sink.error('schema', at, `expected one of ${allowed.join(', ')} (got ${describeValue(e.data)})`);
      return;
    }
    case 'minLength':
      sink.error('schema', at, 'must not be empty');
      return;
    case 'minItems':
      sink.error('schema', at, `must contain at least ${String(p['limit'])} item(s)`);
      return;
    default:
      sink.error('schema', at, e.message ?? `fails schema keyword "${e.keyword}"`);
  }
}

/**
 * Validate `raw` against the JSON Schema and record every violation as an error (rule `schema`).
 * When a value has the wrong JSON type, other complaints about the same value are dropped.
 * Returns true when the document is structurally valid.
 */
export function checkSchema(raw: unknown, sink: ProblemCollector): boolean {
  const validate = validator();
  if (validate(raw)) return true;
  const errors = (validate.errors ?? []).map((e) => ({ ...e, data: valueAt(raw, e.instancePath) }));
  const typeFailed = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  for (const e of errors) {
    if (e.keyword !== 'type' && typeFailed.has(e.instancePath)) continue;
    translate(e, sink);
  }
  return false;
}

/** The value at a JSON pointer (ajv only reports data when `verbose` is on, which also copies schemas). */
function valueAt(root: unknown, pointer: string): unknown {
  if (pointer === '') return root;
  let cur: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}
