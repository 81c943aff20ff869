/**
 * DataMapper: one XML document → rows for every table of the contract (reference sections 3–12,
 * with the product decisions of docs/compatibility.md). Build once per process from a compiled plan;
 * `map()` is synchronous and reentrant.
 */
import { readXmlDocument, type XmlDocument } from '../xml/xml-document.js';
import { XmlDocumentError } from '../xml/xml-error.js';
import { AppFailure } from './app-failure.js';
import { filteredChildren, validContacts, type ChildElement, type Contact } from './contacts.js';
import { attrOf } from './contacts.js';
import type { DocState, RowContext } from './extract.js';
import type { DecisionId, MapperOptions } from './legacy.js';
import type { MappingPlan, TablePlan } from './plan.js';
import { collateralRows, kvRows, policyRows, warrantyRows } from './row-creators.js';
import { appScope, elementScope } from './scopes.js';
import { MappingFailure, runField } from './transform.js';
import type { ExprScope } from './expression/index.js';
import { Decimal, type MappedApp, type Row } from './values.js';

const NO_LEGACY: ReadonlySet<DecisionId> = new Set();
/** NOT NULL columns without a value, per built row (checked once the row is known to be kept). */
const missingColumns = new WeakMap<Row, string[]>();
const ADDRESS_MEANINGFUL = { record: ['zip', 'city', 'street_name', 'street_number', 'state'], source: ['zip_code', 'city', 'street_name'] };
const EMPLOYMENT_MEANINGFUL = { record: ['business_name', 'monthly_salary', 'job_title', 'zip', 'city'], source: ['business_name', 'zip_code', 'city'] };

function htmlUnescape(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1)));
    return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[e] ?? _;
  });
}

function truthy(v: Row[string] | undefined): boolean {
  if (v === undefined || v === null || v === false) return false;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.trim() !== '';
  if (v instanceof Decimal) return Number(v.text) !== 0;
  return true;
}

function idValue(v: string): number | string {
  return /^\d+$/.test(v) ? Number(v) : v;
}

/** Maps documents with one compiled plan. */
export class DataMapper {
  private readonly legacy: ReadonlySet<DecisionId>;
  constructor(readonly plan: MappingPlan, private readonly options: MapperOptions = {}) {
    this.legacy = options.legacy ?? NO_LEGACY;
  }

  /**
   * Maps one document.
   * @throws AppFailure with the stage (`validation`, `parsing`, `mapping`) and a precise reason.
   */
  map(xml: string | Uint8Array): MappedApp {
    let doc: XmlDocument;
    try {
      doc = readXmlDocument(xml, this.plan.scan);
    } catch (err) {
      if (err instanceof XmlDocumentError) throw new AppFailure(err.stage, err.message);
      throw err;
    }
    const appId = this.checkDocument(doc);
    try {
      return this.mapDocument(doc, appId);
    } catch (err) {
      if (err instanceof MappingFailure) throw new AppFailure('mapping', err.message, appId);
      throw err;
    }
  }

  private checkDocument(doc: XmlDocument): number {
    const { plan } = this;
    const src = plan.appIdSource;
    const node = doc.byPath.get(src.path)?.at(-1);
    const raw = node ? (attrOf(node, src.attr) ?? (src.attr === 'ID' ? attrOf(node, 'id') : undefined)) : undefined;
    const t = raw?.trim() ?? '';
    // app ids are 64-bit (bigint app_id columns); JavaScript holds them exactly up to 2^53 − 1
    const digits = /^\d+$/.test(t);
    const tooLarge = digits && BigInt(t) > BigInt(Number.MAX_SAFE_INTEGER);
    const valid = digits && !tooLarge && Number(t) > 0;
    // the product-line check comes first, but carries the app id when there is one (for logs and import)
    if (!doc.byPath.has(plan.appPath)) {
      const appId = valid ? Number(t) : null;
      const parent = plan.appPath.slice(0, plan.appPath.lastIndexOf('/'));
      const others = [...doc.watchedChildren].filter((n) => n !== plan.appTable);
      const hint = others.find((n) => n.toLowerCase().includes(plan.appTable.toLowerCase()) || plan.appTable.toLowerCase().includes(n.toLowerCase()));
      if (hint) throw new AppFailure('validation', `wrong product line: found ${parent}/${hint} but the contract expects ${plan.appPath}`, appId);
      throw new AppFailure('validation', `missing required application element ${plan.appPath}`, appId);
    }
    if (t === '') throw new AppFailure('validation', `missing app id: ${src.path}@${src.attr} is absent or blank`);
    if (tooLarge) throw new AppFailure('validation', `app id ${t} at ${src.path}@${src.attr} is too large for column app_id (max ${Number.MAX_SAFE_INTEGER}, the largest integer handled exactly)`);
    if (!valid) throw new AppFailure('validation', `invalid app id ${JSON.stringify(t)} at ${src.path}@${src.attr}: must be a positive integer`);
    return Number(t);
  }

  private mapDocument(doc: XmlDocument, appId: number): MappedApp {
    const legacy = this.legacy;
    const contacts = validContacts(doc, this.plan);
    const st: DocState = {
      doc, plan: this.plan, appId, contacts, legacy,
      decode: legacy.has('B14') ? htmlUnescape : (s) => s,
      now: this.options.now ?? null,
    };
    const warnings: string[] = [];
    const tables = new Map<string, Row[]>();
    let scope: ExprScope | null = null;
    const getScope = () => (scope ??= appScope(doc, this.plan, appId, contacts));
    for (const t of this.plan.tables) {
      let rows: Row[];
      switch (t.kind) {
        case 'contact': rows = this.contactRows(t, st, contacts); break;
        case 'address': case 'employment': rows = this.childRows(t, st, contacts, warnings); break;
        case 'kv': rows = kvRows(t, st, warnings); break;
        case 'policy': rows = policyRows(t, st, warnings); break;
        case 'warranty': rows = warrantyRows(t, st, warnings); break;
        case 'collateral': rows = collateralRows(t, st, getScope()); break;
        default: {
          const row = this.buildRow(t, st, t.hasCalculated ? { kind: 'app' } : { kind: 'none' }, t.hasCalculated ? getScope() : null, t.name === 'app_base');
          if (row) DataMapper.assertComplete(row);
          rows = row ? [row] : [];
          for (const r of rows) r['app_id'] = appId;
        }
      }
      if (rows.length > 0) tables.set(t.name, rows);
    }
    return { appId, tables, warnings };
  }

  /** Builds one record; null when it has no meaningful column (section 9.3) and may be skipped. */
  private buildRow(t: TablePlan, st: DocState, ctx: RowContext, scope: ExprScope | null, alwaysKeep: boolean): Row | null {
    const row: Row = {};
    const defaulted = new Map<string, boolean>(); // column → its default is "conditional" (B5)
    const missing: string[] = [];
    for (const f of t.fields) {
      const r = runField(f, st, ctx, scope);
      if (r.missingRequired) missing.push(`${t.name}.${f.column} (mappings[${f.index}])`);
      if (r.value === undefined) continue;
      row[f.column] = r.value;
      if (r.defaulted) defaulted.set(f.column, f.excludeDefault || st.legacy.has('B5'));
      else defaulted.delete(f.column);
    }
    let meaningful = false;
    for (const k in row) {
      if (k === 'app_id' || k === 'con_id') continue;
      const d = defaulted.get(k);
      if (d === undefined || d === false) { meaningful = true; break; }
    }
    if (!meaningful && !alwaysKeep) return null;
    if (missing.length > 0) missingColumns.set(row, missing);
    return row;
  }

  /** B8: a kept row with a NOT NULL column that has no value fails the app. */
  private static assertComplete(row: Row): void {
    const missing = missingColumns.get(row);
    if (!missing) return;
    throw new MappingFailure(`NOT NULL column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ha${missing.length > 1 ? 've' : 's'} no value in the document and no default_value in the contract`);
  }

  private contactRows(t: TablePlan, st: DocState, contacts: readonly Contact[]): Row[] {
    const rows: Row[] = [];
    for (const c of contacts) {
      const scope = t.hasCalculated ? elementScope(c.node, c.conId) : null;
      const row = this.buildRow(t, st, { kind: 'contact', contact: c }, scope, true) ?? {};
      DataMapper.assertComplete(row);
      row['con_id'] = idValue(c.conId);
      row['app_id'] = st.appId;
      rows.push(row);
    }
    return rows;
  }

  private childRows(t: TablePlan, st: DocState, contacts: readonly Contact[], warnings: string[]): Row[] {
    const rule = t.kind === 'address' ? this.plan.address : this.plan.employment;
    if (!rule) return [];
    const elements: ChildElement[] | null = filteredChildren(st.doc, this.plan, rule, contacts);
    if (elements === null) {
      warnings.push(`${t.kind} filtering: application ${st.appId} has no valid contacts`);
      return [];
    }
    const need = t.kind === 'address' ? ADDRESS_MEANINGFUL : EMPLOYMENT_MEANINGFUL;
    const typeField = t.fields.find((f) => f.attr === rule.typeAttr && f.column !== '');
    const seen = new Set<string>();
    const rows: Row[] = [];
    for (const el of elements) {
      const scope = t.hasCalculated ? elementScope(el.node, el.conId) : null;
      const row = this.buildRow(t, st, { kind: 'element', node: el.node, conId: el.conId }, scope, false);
      if (!row) continue;
      // the reference tests these record values for truthiness: 0 and 0.0 do not count
      const has = need.record.some((k) => truthy(row[k]))
        || need.source.some((k) => (attrOf(el.node, k) ?? '').trim() !== '');
      if (!has) continue;
      DataMapper.assertComplete(row);
      row['con_id'] = idValue(el.conId);
      if (typeField && !st.legacy.has('B15')) {
        const key = `${el.conId}\u0000${String(row[typeField.column] ?? '')}`;
        if (seen.has(key)) {
          warnings.push(`${t.name}: duplicate (con_id ${el.conId}, ${typeField.column} ${String(row[typeField.column])}) dropped; first kept`);
          continue;
        }
        seen.add(key);
      }
      rows.push(row);
    }
    return rows;
  }
}
