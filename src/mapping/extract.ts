/**
 * Field value extraction (reference section 6) and the contact extractors
 * `last_valid_pr_contact`, `last_valid_sec_contact`, `authu_contact`, `curr_address_only` (8.5–8.8).
 */
import type { XNode, XmlDocument } from '../xml/xml-document.js';
import { attrOf, contactElements, lastContactWithConId, type Contact } from './contacts.js';
import type { DecisionId } from './legacy.js';
import type { FieldPlan, MappingPlan } from './plan.js';
import { roundDecimalText } from './numbers.js';
import { Decimal, truncateUnits, type CellValue } from './values.js';

/** Marker: "evaluate the expression" (calculated fields). */
export const CALC = Symbol('calculated');
/** Marker: a list of child elements (navigation reached a repeated child). */
export const LIST = Symbol('list');

/** An extracted value. */
export type Extracted = CellValue | typeof CALC | typeof LIST;

/** Context of the row being built. */
export type RowContext =
  | { kind: 'none' }
  | { kind: 'contact'; contact: Contact }
  | { kind: 'element'; node: XNode; conId: string }
  | { kind: 'app' };

/** Per-document state shared by the extractors. */
export interface DocState {
  readonly doc: XmlDocument;
  readonly plan: MappingPlan;
  readonly appId: number;
  readonly contacts: readonly Contact[];
  readonly legacy: ReadonlySet<DecisionId>;
  readonly decode: (s: string) => string;
  /** Clock for default_getutcdate_if_null. */
  readonly now: (() => import('./values.js').DateTime) | null;
}

const blankish = (v: string | undefined) => v === undefined || ['', 'null', 'none'].includes(v.trim().toLowerCase());

/** Last element at `path` (the reference's flat dict), attribute trimmed. */
export function flatAttr(st: DocState, path: string, attr: string): string | null {
  const nodes = st.doc.byPath.get(path);
  const node = nodes?.[nodes.length - 1];
  if (!node) return null;
  const v = attr === '' ? node.text : attrOf(node, attr);
  return v === undefined || v === null ? null : st.decode(v.trim());
}

function descendants(node: XNode, tag: string, out: XNode[] = []): XNode[] {
  for (const c of node.children) {
    if (c.tag === tag) out.push(c);
    descendants(c, tag, out);
  }
  return out;
}

function fromContact(st: DocState, f: FieldPlan, contact: XNode, historyFallback: (() => string | null) | null, childBranch: boolean): CellValue {
  const { plan } = st;
  const tail = f.contactTail ?? [];
  if (f.table === 'app_contact_address' || f.path.split('/').includes(plan.addressTag)) {
    const all = descendants(contact, plan.addressTag);
    const typeAttr = plan.address?.typeAttr ?? null;
    const pref = plan.address?.types[0];
    const preferred = typeAttr && pref !== undefined ? all.filter((a) => a.attrs[typeAttr] === pref) : [];
    const pool = preferred.length > 0 ? preferred : all;
    if (pool.length === 0) return null;
    const hit = pool.find((a) => (attrOf(a, f.attr) ?? '') !== '') ?? pool[pool.length - 1]!;
    const v = attrOf(hit, f.attr) ?? null;
    if (v !== null && f.dataType === 'decimal' && f.length !== null) {
      const r = roundDecimalText(v.trim(), f.length);
      return r === null ? v : new Decimal(r);
    }
    return v;
  }
  // a child element below the contact (e.g. contact/app_prod_bcard): the last such descendant
  const childTag = tail.length > 0 ? tail[tail.length - 1]! : null;
  let v: string | undefined;
  let resolved = false;
  // the reference reads a child element below the contact (app_prod_bcard) only for the primary type
  if (childBranch && childTag && childTag !== plan.employmentTag) {
    const kids = descendants(contact, childTag);
    const last = kids[kids.length - 1];
    if (last) { v = attrOf(last, f.attr); resolved = true; }
  }
  if (!resolved) v = attrOf(contact, f.attr);
  if (historyFallback && blankish(v)) return historyFallback();
  if (v !== undefined && f.dataType === 'string' && f.length !== null && f.length > 0) v = truncateUnits(v, f.length);
  return v ?? null;
}

/** `last_valid_pr_contact` (typeIndex 0) / `last_valid_sec_contact` (typeIndex 1). */
export function lastValidContact(st: DocState, f: FieldPlan, typeIndex: 0 | 1): CellValue {
  const rule = st.plan.contact;
  const type = rule?.types[typeIndex];
  if (!rule?.typeAttr || type === undefined) return null;
  const typeAttr = rule.typeAttr;
  const els = contactElements(st.doc, st.plan);
  let chosen: XNode | null = null;
  for (let i = els.length - 1; i >= 0; i--) {
    const n = els[i]!;
    if (n.attrs[typeAttr] !== type) continue;
    if ((n.attrs['con_id'] ?? '').trim() !== '' && (n.attrs[typeAttr] ?? '').trim() !== '') { chosen = n; break; }
  }
  if (!chosen) return null;
  const fallback = typeIndex === 0 && f.table === 'app_historical_lookup'
    ? () => {
      for (let i = st.contacts.length - 1; i >= 0; i--) {
        const c = st.contacts[i]!;
        if (c.type !== type) continue;
        const v = attrOf(c.node, f.attr);
        if (!blankish(v)) return v ?? null;
      }
      return null;
    }
    : null;
  return fromContact(st, f, chosen, fallback, typeIndex === 0);
}

/** `authu_contact`: the last contact element of the second type (no con_id check). */
export function authuContact(st: DocState, f: FieldPlan): CellValue {
  const rule = st.plan.contact;
  const type = rule?.types[1];
  if (!rule?.typeAttr || type === undefined) return null;
  const els = contactElements(st.doc, st.plan);
  let last: XNode | undefined;
  for (let i = els.length - 1; i >= 0 && !last; i--) if (els[i]!.attrs[rule.typeAttr] === type) last = els[i];
  if (!last) return null;
  const tail = f.contactTail ?? [];
  const childTag = tail.length > 0 ? tail[tail.length - 1]! : null;
  if (childTag) {
    const kids = descendants(last, childTag);
    const k = kids[kids.length - 1];
    if (k) return attrOf(k, f.attr) ?? null;
  }
  return attrOf(last, f.attr) ?? null;
}

/** `curr_address_only`: the preferred-type address of the last contact element with this con_id. */
export function currAddressOnly(st: DocState, f: FieldPlan, conId: string): CellValue {
  const contact = lastContactWithConId(st.doc, st.plan, conId);
  if (!contact) return null;
  const typeAttr = st.plan.address?.typeAttr;
  const pref = st.plan.address?.types[0];
  const addrs = contact.children.filter((c) => c.tag === st.plan.addressTag && typeAttr !== undefined && typeAttr !== null && c.attrs[typeAttr] === pref);
  const last = addrs[addrs.length - 1];
  return last ? attrOf(last, f.attr) ?? null : null;
}

/** Section 6: where a mapping's raw value comes from. */
export function extractValue(st: DocState, f: FieldPlan, ctx: RowContext): Extracted {
  if (f.has('last_valid_pr_contact')) return lastValidContact(st, f, 0);
  if (f.has('last_valid_sec_contact')) return lastValidContact(st, f, 1);
  if (f.has('authu_contact')) return authuContact(st, f);
  if (f.has('calculated_field')) return CALC;
  if (ctx.kind === 'contact' && f.path === st.plan.appPath) return flatAttr(st, f.path, f.attr);
  if (ctx.kind === 'element') return attrOf(ctx.node, f.attr) ?? null;
  if (ctx.kind === 'contact' && f.contactTail !== null) {
    const tail = f.contactTail;
    if (tail.length === 0) return attrOf(ctx.contact.node, f.attr) ?? null;
    const first = tail[0];
    if (first === st.plan.addressTag || first === st.plan.employmentTag) return LIST;
    return null;
  }
  return flatAttr(st, f.path, f.attr);
}
