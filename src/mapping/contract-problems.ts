/**
 * Building blocks for contract problems: a collector, JSON-path formatting, value descriptions
 * and "did you mean" suggestions. Every message starts with its path: `mappings[12].data_type: …`.
 */
import type { ContractProblem } from './contract-types.js';

/** Collects problems in the order they are found; `file` (when given) is stamped on each. */
export class ProblemCollector {
  readonly errors: ContractProblem[] = [];
  readonly warnings: ContractProblem[] = [];

  constructor(private readonly file?: string) {}

  /** Record an error; the message becomes `<path>: <text>`. */
  error(rule: string, path: string, text: string): void {
    this.errors.push(this.make('error', rule, path, text));
  }

  /** Record a warning; the message becomes `<path>: <text>`. */
  warn(rule: string, path: string, text: string): void {
    this.warnings.push(this.make('warning', rule, path, text));
  }

  private make(severity: ContractProblem['severity'], rule: string, path: string, text: string): ContractProblem {
    const p: ContractProblem = { severity, path, message: `${path}: ${text}`, rule };
    if (this.file !== undefined) p.file = this.file;
    return p;
  }
}

/** Root path, used for problems about the document as a whole. */
export const ROOT_PATH = '$';

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Append a key or index to a JSON path: `mappings` + 3 → `mappings[3]`; + `a b` → `x["a b"]`. */
export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base === ROOT_PATH ? '' : base}[${key}]`;
  if (base === ROOT_PATH || base === '') return PLAIN_KEY.test(key) ? key : `[${JSON.stringify(key)}]`;
  return PLAIN_KEY.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}

/** Convert an RFC 6901 JSON pointer (`/mappings/12/data_type`) to a path (`mappings[12].data_type`). */
export function pointerToPath(pointer: string): string {
  if (pointer === '') return ROOT_PATH;
  let path = ROOT_PATH;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path = joinPath(path, /^(0|[1-9]\d*)$/.test(seg) ? Number(seg) : seg);
  }
  return path;
}

/** JSON type name of a value: `string`, `integer`, `number`, `boolean`, `null`, `array`, `object`. */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Short description of a value for messages: strings JSON-quoted (cut at 60 chars), scalars literal, `an array`/`an object`. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    return value.length > 60 ? `${JSON.stringify(value.slice(0, 57))}…` : JSON.stringify(value);
  }
  if (Array.isArray(value)) return 'an array';
  if (value !== null && typeof value === 'object') return 'an object';
  return String(value);
}

/** Plain object check (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Levenshtein edit distance. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/**
 * The candidate nearest to `name` (case-insensitive) if its edit distance is ≤ `maxDistance` (default 2);
 * ties go to the earlier candidate. `null` when none is close enough.
 */
export function nearest(name: string, candidates: Iterable<string>, maxDistance = 2): string | null {
  let best: string | null = null;
  let bestDistance = maxDistance + 1;
  const lower = name.toLowerCase();
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** `; did you mean "x"?` when a near candidate exists, else `''`. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const hit = nearest(name, candidates);
  return hit === null ? '' : `; did you mean "${hit}"?`;
}

/** A safe SQL identifier: letters, digits, `_`, not starting with a digit, 1..128 chars. */
export const SAFE_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
