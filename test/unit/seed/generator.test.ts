import { describe, expect, it } from 'vitest';
import { XMLValidator } from 'fast-xml-parser';
import { generateDocument, generateDocuments, MAX_TARGET_BYTES } from '../../../src/seed/generator.js';
import { Rng } from '../../../src/seed/prng.js';
import { attr, bytes, elementsAt, parseDoc, quantile } from './helpers.js';

const APP = '/Provenir/Request/CustData/application';
/** Tests that generate many documents: generous, for a busy machine. */
const HEAVY = { timeout: 120_000 };
const sample = (count: number, seed = 42, startAppId = 100_000) => [...generateDocuments({ count, seed, startAppId })];

describe('determinism', () => {
  it('same seed gives byte-identical documents', HEAVY, () => {
    const a = sample(25);
    const b = sample(25);
    expect(b.map((d) => d.xml)).toEqual(a.map((d) => d.xml));
    expect(a.map((d) => d.appId)).toEqual(Array.from({ length: 25 }, (_, i) => 100_000 + i));
  });

  it('a document does not depend on its batch position', () => {
    const batch = sample(10, 42, 500);
    expect(generateDocument(507, 42)).toBe(batch[7]?.xml);
    expect(sample(3, 42, 507)[0]?.xml).toBe(batch[7]?.xml);
  });

  it('different seeds give different documents', HEAVY, () => {
    const a = sample(20, 1);
    const b = sample(20, 2);
    const same = a.filter((d, i) => d.xml === b[i]?.xml).length;
    expect(same).toBe(0);
  });

  it('accepts an explicit Rng and rejects bad app ids', () => {
    expect(generateDocument(9, new Rng(5))).toBe(generateDocument(9, new Rng(5)));
    expect(() => generateDocument(0, 1)).toThrow(RangeError);
    expect(() => generateDocument(1.5, 1)).toThrow(RangeError);
  });
});

describe('well-formedness', () => {
  const docs = sample(50, 7);
  it.each(docs.map((d) => [d.appId, d.xml] as const))('app %i validates', (_id, xml) => {
    expect(XMLValidator.validate(xml.replace(/^\uFEFF/, ''))).toBe(true);
    // Only predefined or numeric entity references outside CDATA.
    const outsideCdata = xml.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '');
    const bad = outsideCdata.match(/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/g);
    expect(bad).toBeNull();
    expect(xml.replace(/^\uFEFF/, '').trimStart()).toMatch(/^(<\?xml [^>]*\?>\s*)?<Provenir[\s>]/);
    expect(xml.trimEnd().endsWith('</Provenir>')).toBe(true);
  });

  it('mostly starts with a BOM; sometimes with whitespace or a declaration', HEAVY, () => {
    const many = sample(300, 11);
    const bom = many.filter((d) => d.xml.startsWith('\uFEFF')).length;
    expect(bom / many.length).toBeGreaterThan(0.75);
    expect(bom).toBeLessThan(many.length);
    expect(many.some((d) => /^\uFEFF?\s/.test(d.xml))).toBe(true);
    expect(many.some((d) => /^\uFEFF?<\?xml/.test(d.xml))).toBe(true);
  });
});

describe('size distribution', () => {
  it('median 80–200 KB, long tail, max ≤ 3 MB (200 docs, seed 42)', HEAVY, () => {
    const sizes = sample(200).map((d) => bytes(d.xml)).sort((x, y) => x - y);
    const median = quantile(sizes, 0.5);
    expect(median).toBeGreaterThan(80_000);
    expect(median).toBeLessThan(200_000);
    expect(sizes.at(-1)).toBeLessThanOrEqual(3_000_000);
    expect(sizes[0]).toBeGreaterThanOrEqual(6_000);
    expect(sizes[0]).toBeLessThan(25_000);
    expect(quantile(sizes, 0.9)).toBeGreaterThan(2 * median);
  });

  it('honours an explicit target size', HEAVY, () => {
    for (const target of [10_000, 130_000, MAX_TARGET_BYTES]) {
      const n = bytes(generateDocument(77, 3, { targetBytes: target }));
      expect(n).toBeGreaterThan(target * 0.8);
      expect(n).toBeLessThan(Math.max(target * 1.35, target + 30_000));
    }
  });
});

describe('content', HEAVY, () => {
  const docs = sample(300, 42, 1_000);
  const parsed = docs.map((d) => ({ appId: d.appId, root: parseDoc(d.xml) }));
  const contactsOf = (root: ReturnType<typeof parseDoc>) => elementsAt(root, `${APP}/contact`);

  it('writes the app id and 1–4 contacts with con_ids derived from it', () => {
    const seen = new Map<string, number>();
    for (const { appId, root } of parsed) {
      expect(attr(elementsAt(root, '/Provenir/Request')[0] ?? {}, 'ID')).toBe(String(appId));
      // receive_date uses default_getutcdate_if_null: keep generated output deterministic.
      expect(attr(elementsAt(root, APP)[0] ?? {}, 'app_receive_date')?.trim()).toBeTruthy();
      const contacts = contactsOf(root);
      expect(contacts.length).toBeGreaterThanOrEqual(1);
      expect(contacts.length).toBeLessThanOrEqual(4);
      expect(attr(contacts[0] ?? {}, 'ac_role_tp_c')).toBe('PR');
      for (const c of contacts) {
        const id = attr(c, 'con_id') ?? '';
        expect(Math.floor(Number(id) / 10)).toBe(appId);
        const owner = seen.get(id);
        expect(owner === undefined || owner === appId).toBe(true);
        seen.set(id, appId);
      }
    }
  });

  it('covers the awkward cases the mapper must handle', () => {
    const all = docs.map((d) => d.xml);
    const some = (re: RegExp) => all.some((x) => re.test(x));
    let dupConId = false, sparse = false, authu = false, unknownAddr = false, noAddr = false;
    for (const { root } of parsed) {
      const contacts = contactsOf(root);
      const ids = contacts.map((c) => attr(c, 'con_id'));
      if (new Set(ids).size < ids.length) dupConId = true;
      for (const c of contacts) {
        if (attr(c, 'ac_role_tp_c') === 'AUTHU') authu = true;
        if (['first_name', 'last_name', 'ssn', 'birth_date'].every((a) => !attr(c, a))) sparse = true;
        const addrs = elementsAt(c, 'contact_address');
        if (addrs.length === 0) noAddr = true;
        if (addrs.some((a) => !['CURR', 'PREV'].includes(attr(a, 'address_tp_c') ?? ''))) unknownAddr = true;
      }
    }
    expect({ dupConId, sparse, authu, unknownAddr, noAddr }).toEqual({ dupConId: true, sparse: true, authu: true, unknownAddr: true, noAddr: true });
    expect(some(/_score="\d,\d{3}"/)).toBe(true);
    expect(some(/_score="\d{3}\.\d{2}"/)).toBe(true);
    expect(some(/_score="0\d{3}"/)).toBe(true);
    expect(some(/annual_fee="\$\d+\.00"/)).toBe(true);
    expect(some(/_apr="\d+\.\d{3}"/)).toBe(true);
    expect(some(/cash_credit_line="1e3"/)).toBe(true);
    expect(some(/="\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}"/)).toBe(true);
    expect(some(/="\d{4}-\d{1,2}-\d{1,2} \d{1,2}:\d{1,2}:\d{1,2}\.\d"/)).toBe(true);
    expect(some(/birth_date="\d{2}\/\d{2}\/\d{4}"/)).toBe(true);
    expect(some(/="\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}"/)).toBe(true);
    expect(some(/zip="0\d{4}"/)).toBe(true);
    expect(some(/ssn="0\d{2}-00-\d{4}"/)).toBe(true);
    expect(some(/phone="\(\d{3}\) 555-01\d{2}"/)).toBe(true);
    expect(some(/_ind="U"/) && some(/_ind="Y"/) && some(/_ind="N"/) && some(/_ind=""/)).toBe(true);
    expect(some(/<!\[CDATA\[/) && some(/&amp;/) && some(/&lt;/) && some(/&quot;/) && some(/&#39;/)).toBe(true);
    expect(some(/<HTTPHeaders /) && some(/<RawJSON /)).toBe(true);
  });

  it('puts most bytes in Reports', HEAVY, () => {
    let reports = 0, total = 0;
    for (const d of docs) {
      total += d.xml.length;
      const a = d.xml.indexOf('<Reports>');
      const b = d.xml.indexOf('</Reports>');
      if (a >= 0 && b > a) reports += b - a;
    }
    expect(reports / total).toBeGreaterThan(0.8);
  });
});
