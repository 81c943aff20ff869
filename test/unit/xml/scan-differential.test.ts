/**
 * Differential spec of the byte scanner: random well-formed documents (names sharing prefixes,
 * short names, namespace prefixes, non-ASCII names and values, nested same-name elements, comments,
 * CDATA sections and PIs holding end tags, "!" and "?" in text, ">" in attribute values) read with a
 * random keep-set must yield exactly the elements a straightforward walk of the generated tree says,
 * in document order, with their attribute values.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/seed/prng.js';
import { ScanSpecBuilder } from '../../../src/xml/scan-spec.js';
import { readXmlDocument } from '../../../src/xml/xml-document.js';

const NAMES = ['a', 'b', 'ab', 'Rep', 'Report', 'Reports', 'x:a', 'y:Report', 'é', 'nà', 'Straße'];
const VALUES = ['plain', 'a>b', 'x/y', 'MÜLLER & Søn', '𝄞 中文', '', 'Reports', '</a>'];
const TEXTS = ['Hi! Why?', 'Reports', 'a', '&lt;a&gt;', 'x &amp; y', 'ab ab', '!?!', 'à'];

interface El { name: string; id: number; v: string; kids: (El | string)[] }

const local = (n: string): string => n.slice(n.indexOf(':') + 1);
const attr = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

function gen(rng: Rng, depth: number, counter: { n: number }): El {
  const el: El = { name: rng.pick(NAMES), id: counter.n++, v: rng.pick(VALUES), kids: [] };
  const k = depth >= 5 ? 0 : rng.int(0, 4);
  for (let i = 0; i < k; i++) {
    const r = rng.int(0, 9);
    if (r <= 4) el.kids.push(gen(rng, depth + 1, counter));
    else if (r === 5) el.kids.push(`<!-- </${rng.pick(NAMES)}> <${rng.pick(NAMES)}> -->`);
    else if (r === 6) el.kids.push(`<![CDATA[ </${rng.pick(NAMES)}> <!-- ]]>`);
    else if (r === 7) el.kids.push(`<?pi </${rng.pick(NAMES)}> ?>`);
    else el.kids.push(rng.pick(TEXTS));
  }
  return el;
}

function xmlOf(el: El): string {
  const open = `<${el.name} i="${el.id}" v="${attr(el.v)}"`;
  if (el.kids.length === 0) return `${open}/>`;
  return `${open}>${el.kids.map((k) => (typeof k === 'string' ? k : xmlOf(k))).join('')}</${el.name}>`;
}

/** Every element as [local path, id, v], in document order. */
function walk(el: El, parent: string, out: [string, string, string][]): [string, string, string][] {
  const p = `${parent}/${local(el.name)}`;
  out.push([p, String(el.id), el.v]);
  for (const k of el.kids) if (typeof k !== 'string') walk(k, p, out);
  return out;
}

describe('byte scanner against a walk of the generated tree', () => {
  it('yields exactly the kept elements, in order, with their values (400 seeded documents)', () => {
    let compared = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const rng = new Rng(seed);
      const root: El = { name: 'R', id: 0, v: 'root', kids: [] };
      const counter = { n: 1 };
      for (let i = rng.int(1, 4); i > 0; i--) root.kids.push(gen(rng, 1, counter));
      const all = walk(root, '', []);
      const paths = [...new Set(all.map(([p]) => p))].filter((p) => p !== '/R');
      const keep = new Set(paths.filter(() => rng.chance(0.3)));
      const b = new ScanSpecBuilder('R');
      for (const p of keep) b.keep(p);
      const xml = (rng.chance(0.5) ? '\uFEFF<?xml version="1.0"?>\n' : '') + xmlOf(root);
      const doc = readXmlDocument(rng.chance(0.5) ? Buffer.from(xml, 'utf8') : xml, b.build());
      const got = doc.all.filter((n) => n.attrs['i'] !== undefined && n.order > 0).map((n) => [n.path, n.attrs['i'], n.attrs['v']]);
      const want = all.filter(([p]) => keep.has(p));
      expect(got, `seed ${seed}: ${xml}`).toEqual(want);
      compared += want.length;
    }
    expect(compared).toBeGreaterThan(500); // the keep-sets really select elements
  });
});
