/**
 * The transformation chain of one mapping (reference section 7) and the single-token steps (section 8).
 */
import { coerce, isBlank } from './coerce.js';
import { CALC, LIST, currAddressOnly, extractValue, type DocState, type Extracted, type RowContext } from './extract.js';
import type { ExprScope } from './expression/index.js';
import type { FieldPlan } from './plan.js';
import { utcNow } from './dates.js';
import { DateTime, Decimal, truncateUnits, type CellValue } from './values.js';

/** A mapping's outcome for one row. */
export interface FieldResult {
  /** Final value; `undefined` = the column is omitted. */
  value: CellValue | undefined;
  /** The value is the mapping's default (not meaningful data for record skipping). */
  defaulted: boolean;
  /** Set when a NOT NULL column ended with no value and no default (decision B8). */
  missingRequired: boolean;
}

/** Raised for values that make the whole app fail at the mapping stage. */
export class MappingFailure extends Error {
  override readonly name = 'MappingFailure';
}

function asText(v: Extracted): string {
  if (v === null || v === CALC || v === LIST) return '';
  if (v instanceof Decimal || v instanceof DateTime) return v.toString();
  return String(v);
}

function coerceDefault(f: FieldPlan, st: DocState): CellValue {
  const d = f.defaultValue;
  if (d === null || d === false || d === 0 || d === '') return null; // falsy defaults are ignored (reference)
  return coerce(typeof d === 'string' ? d : String(d), f.dataType, { places: f.length, direct: true, legacy: st.legacy });
}

function enumLookup(f: FieldPlan, v: Extracted): CellValue {
  if (v === LIST || v === CALC) return null;
  const key = asText(v).trim();
  const exact = f.enumExact;
  if (exact) {
    const hit = exact.get(key) ?? f.enumLower?.get(key.toLowerCase()) ?? exact.get('');
    if (hit !== undefined) return hit;
  }
  // no match: NULL; a NOT NULL column then takes its default or, without one, is reported missing (B8)
  return null;
}

function bitLookup(map: ReadonlyMap<string, number>, v: Extracted, lower: boolean): number {
  const t = asText(v).trim();
  if (lower) return map.get(t.toLowerCase()) ?? 0;
  return map.get(t) ?? map.get(t.toUpperCase()) ?? 0;
}

function digitsOf(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) { const c = s.charCodeAt(i); if (c >= 48 && c <= 57) out += s[i]; }
  return out;
}

function numbersOnly(f: FieldPlan, v: Extracted, st: DocState): CellValue {
  const text = asText(v);
  const digits = digitsOf(text);
  if (digits === '') return null;
  if (st.legacy.has('B2')) return coerce(String(BigInt(digits)), f.dataType, { places: f.length, legacy: st.legacy });
  if (f.dataType === 'string') return digits;
  return coerce(text, f.dataType, { places: f.length, direct: true, legacy: st.legacy });
}

function calculated(f: FieldPlan, scope: ExprScope | null, st: DocState): CellValue {
  if (!f.expr || !scope) return null;
  const r = f.expr.evaluate(scope);
  if (r === null) return null;
  if (r === '' && f.dataType === 'string') return '';
  const places = st.legacy.has('B9') && f.dataType === 'decimal' ? 2 : f.length;
  return coerce(r, f.dataType, { places, legacy: st.legacy });
}

function applySingle(t: string, cur: Extracted, f: FieldPlan, st: DocState, ctx: RowContext, scope: ExprScope | null): Extracted {
  switch (t) {
    case 'last_valid_pr_contact': case 'last_valid_sec_contact': case 'authu_contact':
      return extractValue(st, f, ctx);
    case 'curr_address_only':
      return ctx.kind === 'contact' ? currAddressOnly(st, f, ctx.contact.conId) : cur;
    case 'enum': return enumLookup(f, cur);
    case 'default_getutcdate_if_null':
      return isBlank(cur) || cur === CALC || cur === LIST ? (st.now ?? utcNow)() : coerce(cur as CellValue, f.dataType, { places: f.length, legacy: st.legacy });
    case 'char_to_bit': return bitLookup(st.plan.charToBit, cur, false);
    case 'boolean_to_bit': return bitLookup(st.plan.boolToBit, cur, true);
    default: break;
  }
  if (cur === CALC) return t === 'calculated_field' ? calculated(f, scope, st) : null;
  if (cur === LIST) return null;
  if (isBlank(cur)) return coerceDefault(f, st);
  if (t === 'numbers_only' || t === 'extract_numeric') return numbersOnly(f, cur, st);
  return coerce(cur, f.dataType, { places: f.length, legacy: st.legacy });
}

/** Runs one mapping for a row (sections 6, 7, 9.2). */
export function runField(f: FieldPlan, st: DocState, ctx: RowContext, scope: ExprScope | null): FieldResult {
  const extracted = extractValue(st, f, ctx);
  let cur: Extracted = extracted;
  let defaulted = false;
  const names = f.names;
  if (names.length === 0) {
    if (isBlank(extracted) || extracted === LIST) {
      cur = coerceDefault(f, st);
      defaulted = cur !== null;
    } else {
      cur = coerce(extracted as CellValue, f.dataType, { places: f.length, direct: true, legacy: st.legacy });
    }
  } else {
    const orig: Extracted = extracted === CALC ? origForCalc(f, ctx, st) : extracted;
    for (let i = 0; i < names.length; i++) {
      const t = names[i]!;
      if (t === 'enum' && names[i - 1] === 'calculated_field') {
        if (cur === null) cur = orig;
        else if (!(typeof cur === 'string' && cur.trim() === '')) continue;
      }
      const before = cur;
      cur = applySingle(t, cur, f, st, ctx, scope);
      if (!defaulted && isBlank(before) && before !== CALC && cur !== null && f.defaultValue !== null && !['enum', 'char_to_bit', 'boolean_to_bit', 'default_getutcdate_if_null', 'last_valid_pr_contact', 'last_valid_sec_contact', 'authu_contact', 'curr_address_only', 'calculated_field'].includes(t)) defaulted = true;
      if (cur === null && t !== 'enum' && t !== 'default_getutcdate_if_null' && names[i + 1] !== 'enum') break;
    }
    if (cur === CALC || cur === LIST) cur = null;
    if (typeof cur === 'string' && cur.trim() !== '' && f.dataType !== 'string') {
      cur = coerce(cur, f.dataType, { places: f.length, legacy: st.legacy });
    }
  }
  let value = cur as CellValue;
  if (typeof value === 'string') value = finishString(value, f, st);
  if (value === '' && !st.legacy.has('B11')) value = null;
  if (value === null) {
    if (f.nullable) return { value: undefined, defaulted: false, missingRequired: false };
    if (f.defaultValue !== null) {
      const d = st.legacy.has('B8') ? (f.defaultValue as CellValue) : coerceDefault(f, st) ?? (f.defaultValue as CellValue);
      return { value: d, defaulted: true, missingRequired: false };
    }
    return { value: undefined, defaulted: false, missingRequired: !st.legacy.has('B8') };
  }
  return { value, defaulted, missingRequired: false };
}

function origForCalc(f: FieldPlan, ctx: RowContext, st: DocState): Extracted {
  let v: string | null | undefined = null;
  if (ctx.kind === 'element') v = ctx.node.attrs[f.attr];
  else if (ctx.kind === 'contact') v = ctx.contact.node.attrs[f.attr];
  else {
    const nodes = st.doc.byPath.get(f.path);
    v = nodes?.[nodes.length - 1]?.attrs[f.attr];
  }
  const t = v?.trim() ?? '';
  return t === '' ? null : t;
}

/** Section 7.3: digits again for numbers_only, trim, truncate to data_length, trim. */
export function finishString(v: string, f: FieldPlan, st: DocState): string {
  let s = v;
  if (f.has('numbers_only') || f.has('extract_numeric')) s = digitsOf(s);
  s = s.trim();
  if (f.length !== null && f.dataType === 'string') {
    if (f.length > 0) s = truncateUnits(s, f.length);
    else if (f.length === -1 && st.legacy.has('B1')) s = s.slice(0, -1);
  }
  return s.trim();
}
