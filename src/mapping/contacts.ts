/**
 * Contact selection (reference section 4): valid contacts with "last valid element wins"
 * de-duplication, and the address/employment element filter.
 */
import type { XNode, XmlDocument } from '../xml/xml-document.js';
import type { MappingPlan, RulePlan } from './plan.js';

/** A valid contact. */
export interface Contact {
  readonly node: XNode;
  /** Trimmed con_id. */
  readonly conId: string;
  /** Trimmed contact type (e.g. PR). */
  readonly type: string;
}

/** Attribute lookup: exact name first, then case-insensitive. */
export function attrOf(node: XNode, name: string): string | undefined {
  const v = node.attrs[name];
  if (v !== undefined) return v;
  return attrLower(node, name.toLowerCase());
}

/** Case-insensitive attribute lookup by lower-cased name (first attribute in document order wins). */
export function attrLower(node: XNode, lower: string): string | undefined {
  let idx = node.lowerAttrs;
  if (!idx) {
    idx = new Map();
    for (const k in node.attrs) { const l = k.toLowerCase(); if (!idx.has(l)) idx.set(l, node.attrs[k]!); }
    node.lowerAttrs = idx;
  }
  return idx.get(lower);
}

function blank(v: string | undefined): boolean {
  return v === undefined || v.trim() === '';
}

/** Contact elements at the contract's contact path (B10: never searched elsewhere). */
export function contactElements(doc: XmlDocument, plan: MappingPlan): readonly XNode[] {
  return plan.contact ? doc.byPath.get(plan.contact.path) ?? [] : [];
}

/** Per document: the last contact element for each raw con_id attribute value (built once, on first use). */
const lastByConIdCache = new WeakMap<XmlDocument, { readonly plan: MappingPlan; readonly index: Map<string, XNode> }>();

/**
 * The last contact element (document order) whose con_id attribute is exactly `conId` (untrimmed
 * comparison), or undefined. One pass over the contact elements per document builds the index, so
 * looking up every contact is linear in the number of contacts, not quadratic.
 */
export function lastContactWithConId(doc: XmlDocument, plan: MappingPlan, conId: string): XNode | undefined {
  let cached = lastByConIdCache.get(doc);
  if (!cached || cached.plan !== plan) {
    const index = new Map<string, XNode>();
    // later elements overwrite earlier ones: the map ends with the last element of each con_id
    for (const node of contactElements(doc, plan)) {
      const id = node.attrs['con_id'];
      if (id !== undefined) index.set(id, node);
    }
    cached = { plan, index };
    lastByConIdCache.set(doc, cached);
  }
  return cached.index.get(conId);
}

/** Valid contacts in first-seen con_id order (section 4, steps 1–3). */
export function validContacts(doc: XmlDocument, plan: MappingPlan): Contact[] {
  const rule = plan.contact;
  if (!rule || !rule.typeAttr) return [];
  const typeAttr = rule.typeAttr;
  const priority = (t: string) => { const i = rule.types.indexOf(t); return i === -1 ? 999 : i; };
  const chosen = new Map<string, Contact>();
  for (const node of contactElements(doc, plan)) {
    const conId = (node.attrs['con_id'] ?? '').trim();
    const type = (node.attrs[typeAttr] ?? '').trim();
    if (conId === '' || type === '' || !rule.types.includes(type)) continue;
    if (blank(node.attrs['birth_date']) && blank(node.attrs['first_name']) && blank(node.attrs['last_name']) && blank(node.attrs['ssn'])) continue;
    const prev = chosen.get(conId);
    // a later element replaces an earlier one of higher-or-equal priority; Map keeps first-seen order
    if (!prev || priority(type) <= priority(prev.type)) chosen.set(conId, { node, conId, type });
  }
  return [...chosen.values()];
}

function passes(node: XNode, rule: RulePlan): boolean {
  for (const [attr, req] of rule.required) {
    const v = (node.attrs[attr] ?? '').trim();
    if (v === '') return false;
    if (req !== true && !req.some((x) => x.toLowerCase() === v.toLowerCase())) return false;
  }
  return true;
}

/** An address or employment element with the con_id of its contact. */
export interface ChildElement {
  readonly node: XNode;
  readonly conId: string;
}

/**
 * Address/employment elements (section 4, ElementFilter): contacts passing the contact rule,
 * de-duplicated by `<type>_<con_id>` (last wins, first position kept), their direct children passing
 * `rule`, kept only when the contact's con_id is a valid contact's. `null` when no contact passes.
 */
export function filteredChildren(doc: XmlDocument, plan: MappingPlan, rule: RulePlan, valid: readonly Contact[]): ChildElement[] | null {
  const crule = plan.contact;
  if (!crule) return [];
  const byKey = new Map<string, XNode>();
  for (const node of contactElements(doc, plan)) {
    if (!passes(node, crule)) continue;
    byKey.set(`${node.attrs[crule.typeAttr ?? ''] ?? ''}_${node.attrs['con_id'] ?? ''}`, node);
  }
  if (byKey.size === 0) return null;
  const validIds = new Set(valid.map((c) => c.conId));
  const out: ChildElement[] = [];
  for (const contact of byKey.values()) {
    const conId = contact.attrs['con_id'] ?? '';
    if (!validIds.has(conId)) continue;
    for (const child of contact.children) {
      if (child.tag === rule.tag && passes(child, rule)) out.push({ node: child, conId: conId.trim() });
    }
  }
  return out;
}
