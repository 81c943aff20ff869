/**
 * `curr_address_only` on a document with thousands of contacts. The extractor looks the contact up
 * through a per-document con_id index (one pass over the contacts) instead of rescanning every
 * contact for each one; this proves the rows are exactly what the rule (section 8.8) gives — the
 * last CURR address of the LAST contact element whose con_id is exactly the contact's — computed
 * here independently of the mapper, on duplicates, roles and padded con_ids mixed throughout.
 */
import { describe, expect, it } from 'vitest';
import { ADDR, CONTACT, contract, el, m, mapXml, person, rows, xmlDoc, type Plain } from '../helpers/contract-builder.js';

const C = contract([
  m('app_contact_base', 'first_name', 'first_name', { xml_path: CONTACT }),
  m('app_contact_base', 'home_phone', 'home_phone', { xml_path: ADDR, data_length: 10, mapping_type: ['curr_address_only', 'numbers_only'] }),
  m('app_contact_base', 'cell_phone', 'cell_phone', { xml_path: ADDR, data_length: 10, mapping_type: ['curr_address_only', 'numbers_only'] }),
]);

const addr = (type: string, home: string, cell: string) => el('contact_address', { address_tp_c: type, home_phone: home, cell_phone: cell });
const phone = (k: number, tag: number) => String(1_000_000_000 + k * 10 + tag);

interface Element {
  rawConId: string;
  role: 'PR' | 'AUTHU';
  first: string;
  /** [type, home, cell] of each address child, in order. */
  addresses: [string, string, string][];
}

/**
 * `n` distinct con_ids, each used by one to three contact elements spread over the document: a
 * PR element first, then (for some) an AUTHU duplicate, a padded-con_id duplicate (` 7 `, which
 * is the same contact after trimming but not the same con_id for the address lookup), and
 * elements without a CURR address or with several CURR addresses.
 */
function elements(n: number): Element[] {
  const first: Element[] = [];
  const later: Element[] = [];
  for (let k = 0; k < n; k++) {
    const id = String(k + 1);
    const curr: [string, string, string][] = k % 5 === 0
      ? [['PREV', phone(k, 1), phone(k, 2)]] // no CURR address at all
      : [['CURR', phone(k, 3), phone(k, 4)], ['PREV', phone(k, 5), phone(k, 6)], ...(k % 3 === 0 ? [['CURR', phone(k, 7), ''] as [string, string, string]] : [])];
    first.push({ rawConId: id, role: 'PR', first: `P${k}`, addresses: curr });
    if (k % 2 === 1) later.push({ rawConId: id, role: 'AUTHU', first: `A${k}`, addresses: [['CURR', phone(k, 8), phone(k, 9)]] });
    if (k % 7 === 3) later.push({ rawConId: ` ${id} `, role: 'PR', first: `S${k}`, addresses: [['CURR', phone(k, 0), phone(k, 0)]] });
  }
  // duplicates come after every first element, interleaved from the far end
  return [...first, ...later.reverse()];
}

/** The rule, straight from its definition, without the mapper. */
function expectedRows(els: readonly Element[]): Record<string, Plain>[] {
  // valid contacts: first-seen trimmed con_id order; PR beats AUTHU, an equal role replaces
  const chosen = new Map<string, Element>();
  for (const e of els) {
    const id = e.rawConId.trim();
    const prev = chosen.get(id);
    if (!prev || (e.role === 'PR' ? 0 : 1) <= (prev.role === 'PR' ? 0 : 1)) chosen.set(id, e);
  }
  const out: Record<string, Plain>[] = [];
  for (const [id, e] of chosen) {
    let last: Element | undefined;
    for (const x of els) if (x.rawConId === id) last = x;
    const currs = (last?.addresses ?? []).filter((a) => a[0] === 'CURR');
    const hit = currs[currs.length - 1];
    const row: Record<string, Plain> = { first_name: e.first };
    if (hit && hit[1] !== '') row['home_phone'] = hit[1];
    if (hit && hit[2] !== '') row['cell_phone'] = hit[2];
    row['con_id'] = Number(id);
    row['app_id'] = 42;
    out.push(row);
  }
  return out;
}

describe('curr_address_only with many contacts', () => {
  it('gives exactly the rule\'s rows for 4,000 con_ids (about 6,500 contact elements)', () => {
    const els = elements(4000);
    const xml = xmlDoc({ children: els.map((e) => person(e.rawConId, e.role, e.first, {}, ...e.addresses.map(([t, h, c]) => addr(t, h, c)))) });
    const want = expectedRows(els);
    expect(want).toHaveLength(4000);
    // the document exercises every branch: AUTHU and padded duplicates, no CURR, two CURRs
    expect(want.filter((r) => r['home_phone'] === undefined).length).toBeGreaterThan(100);
    expect(want.filter((r) => String(r['home_phone']).endsWith('8')).length).toBeGreaterThan(100);
    expect(want.filter((r) => String(r['home_phone']).endsWith('7')).length).toBeGreaterThan(100);
    expect(els.filter((e) => e.rawConId !== e.rawConId.trim()).length).toBeGreaterThan(100);
    expect(rows(mapXml(C, xml), 'app_contact_base')).toEqual(want);
  }, 120_000); // generous for a busy machine: the result is what is checked, not the time
});
