/** Test helpers for the synthetic-document generator and the example contract. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';
import type { MappingContract } from '../../../src/mapping/contract-types.js';

/** Absolute path of contracts/credit-card.json. */
export const CONTRACT_PATH = fileURLToPath(new URL('../../../contracts/credit-card.json', import.meta.url));

/** The example contract, parsed. */
export function loadContract(): MappingContract {
  return JSON.parse(readFileSync(CONTRACT_PATH, 'utf8')) as MappingContract;
}

/** A parsed element: attributes under `@_name`, child elements as arrays. */
export type El = { [key: string]: unknown };

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseAttributeValue: false,
  parseTagValue: false,
  isArray: (_name, _jpath, _isLeaf, isAttribute) => !isAttribute,
});

/** Parses a generated document (BOM and leading whitespace tolerated) into nested {@link El}s. */
export function parseDoc(xml: string): El {
  return parser.parse(xml.replace(/^\uFEFF/, '').trimStart()) as El;
}

/** All elements at an absolute slash path such as `/Provenir/Request/CustData/application/contact`. */
export function elementsAt(root: El, path: string): El[] {
  let current: El[] = [root];
  for (const seg of path.split('/').filter(Boolean)) {
    const next: El[] = [];
    for (const el of current) {
      const kids = el[seg];
      if (Array.isArray(kids)) for (const k of kids) if (k !== null && typeof k === 'object') next.push(k as El);
    }
    current = next;
  }
  return current;
}

/** The attribute value of an element, or undefined when absent. */
export function attr(el: El, name: string): string | undefined {
  const v = el[`@_${name}`];
  return typeof v === 'string' ? v : undefined;
}

/** Mapping types of an entry as a token list. */
export function tokensOf(m: { mapping_type?: string[] | string | null }): string[] {
  const t = m.mapping_type;
  if (t === undefined || t === null) return [];
  return (Array.isArray(t) ? t : t.split(',')).map((s) => s.trim()).filter(Boolean);
}

/** Byte length (UTF-8) of a string. */
export function bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Median and arbitrary quantiles of a numeric list. */
export function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}
