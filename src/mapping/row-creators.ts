/**
 * Row-creating strategies (reference 8.11–8.17): scores, indicators, history and report lookups,
 * policy exceptions, warranties and collateral slots. Decision B13: values are typed and truncated
 * to their column, with a warning.
 */
import { coerce, isBlank } from './coerce.js';
import { CALC, LIST, extractValue, type DocState } from './extract.js';
import type { ExprScope } from './expression/index.js';
import type { FieldPlan, TablePlan } from './plan.js';
import { runField } from './transform.js';
import { Decimal, DateTime, truncateUnits, type CellValue, type Row } from './values.js';

const TRUTHY = new Set(['y', 'yes', 'true', 't', '1']);

function text(v: unknown): string | null {
  if (v === null || v === undefined || v === CALC || v === LIST) return null;
  if (v instanceof Decimal || v instanceof DateTime) return v.toString();
  return String(v);
}

/** Meaningful = non-blank and not "null"/"none". */
function meaningful(v: string | null): v is string {
  if (v === null) return false;
  const t = v.trim();
  return t !== '' && t.toLowerCase() !== 'null' && t.toLowerCase() !== 'none';
}

function fit(st: DocState, warnings: string[], table: string, column: string, v: string, max: number): string {
  if (st.legacy.has('B13') || v.length <= max) return v;
  warnings.push(`${table}.${column}: value truncated from ${v.length} to ${max} characters (app ${st.appId})`);
  return truncateUnits(v, max);
}

function param(f: FieldPlan, name: string): string | null {
  return f.tokens.find((t) => t.name === name)?.param ?? null;
}

/** Key/value tables: scores, indicators, app_historical_lookup, app_report_results_lookup. */
export function kvRows(t: TablePlan, st: DocState, warnings: string[]): Row[] {
  const rows: Row[] = [];
  for (const f of t.fields) {
    const raw = text(extractValue(st, f, { kind: 'none' }));
    if (f.has('add_score')) {
      if (raw === null || isBlank(raw)) continue;
      const score = coerce(raw.replace(/,/g, ''), f.dataType === 'string' ? 'int' : f.dataType, { places: f.length, legacy: st.legacy });
      if (score === null) continue;
      rows.push({ app_id: st.appId, score_identifier: param(f, 'add_score') ?? '', score });
    } else if (f.has('add_indicator')) {
      if (raw === null || !TRUTHY.has(raw.trim().toLowerCase())) continue;
      rows.push({ app_id: st.appId, indicator: param(f, 'add_indicator') ?? '', value: '1' });
    } else if (f.has('add_history')) {
      if (!meaningful(raw)) continue;
      const source = `[${f.path.split('/').at(-1) ?? ''}]`;
      rows.push({
        app_id: st.appId,
        name: fit(st, warnings, t.name, 'name', `[${f.attr}]`, 100),
        source: fit(st, warnings, t.name, 'source', source, 50),
        value: fit(st, warnings, t.name, 'value', raw.trim(), 250),
      });
    } else if (f.has('add_report_lookup')) {
      if (!meaningful(raw)) continue;
      const key = param(f, 'add_report_lookup');
      const row: Row = { app_id: st.appId, name: fit(st, warnings, t.name, 'name', f.attr, 100), value: fit(st, warnings, t.name, 'value', raw.trim(), 250) };
      if (key !== null) row['source_report_key'] = fit(st, warnings, t.name, 'source_report_key', key, 20);
      rows.push(row);
    }
  }
  return rows;
}

/** `policy_exceptions(E)` rows with the shared notes of `policy_exceptions()`. */
export function policyRows(t: TablePlan, st: DocState, warnings: string[]): Row[] {
  let notes: string | null = null;
  const noteField = t.fields.find((f) => param(f, 'policy_exceptions') === '');
  if (noteField) {
    const v = text(extractValue(st, noteField, { kind: 'none' }));
    notes = meaningful(v) ? fit(st, warnings, t.name, 'notes', v.trim(), 1000) : null;
  }
  const rows: Row[] = [];
  for (const f of t.fields) {
    const p = param(f, 'policy_exceptions');
    if (p === null || p === '' || !/^-?\d+$/.test(p.trim())) continue;
    const v = text(extractValue(st, f, { kind: 'none' }));
    if (!meaningful(v)) continue;
    rows.push({ app_id: st.appId, policy_exception_type_enum: Number(p.trim()), reason_code: fit(st, warnings, t.name, 'reason_code', v.trim(), 20), notes });
  }
  return rows;
}

function groupBy(fields: readonly FieldPlan[], token: string): Map<string, FieldPlan[]> {
  const groups = new Map<string, FieldPlan[]>();
  for (const f of fields) {
    const p = param(f, token);
    if (p === null) continue;
    const k = p.trim();
    let g = groups.get(k);
    if (!g) { g = []; groups.set(k, g); }
    g.push(f);
  }
  return groups;
}

/** `warranty_field(E)` rows, one per E with meaningful data. */
export function warrantyRows(t: TablePlan, st: DocState, warnings: string[]): Row[] {
  const rows: Row[] = [];
  for (const [e, fields] of groupBy(t.fields, 'warranty_field')) {
    const row: Row = {};
    let any = false;
    for (const f of fields) {
      if (f.has('char_to_bit')) { row[f.column] = runField(f, st, { kind: 'none' }, null).value ?? 0; continue; }
      const v = text(extractValue(st, f, { kind: 'none' }));
      if (!meaningful(v)) continue;
      any = true;
      if (st.legacy.has('B13')) row[f.column] = v.trim();
      else if (f.dataType === 'string') row[f.column] = f.length !== null && f.length > 0 ? fit(st, warnings, t.name, f.column, v.trim(), f.length) : v.trim();
      else row[f.column] = coerce(v.trim(), f.dataType, { places: f.length, direct: true, legacy: st.legacy }) ?? v.trim();
    }
    if (!any) continue;
    row['app_id'] = st.appId;
    row['warranty_type_enum'] = Number(e);
    if (!('merrick_lienholder_flag' in row)) row['merrick_lienholder_flag'] = 0;
    rows.push(row);
  }
  return rows;
}

function defaultFor(f: FieldPlan): CellValue {
  const d = f.defaultValue;
  if (d === null || d === '' || d === 0 || d === false) return null;
  const s = String(d);
  switch (f.dataType) {
    case 'int': case 'smallint': case 'bigint': case 'tinyint': return Number.parseInt(s, 10);
    case 'decimal': case 'float': return Number(s);
    case 'bit': case 'boolean': return ['1', 'Y', 'true', 'True'].includes(s) ? 1 : 0;
    default: return s;
  }
}

/** `add_collateral(N)` slot rows. */
export function collateralRows(t: TablePlan, st: DocState, scope: ExprScope): Row[] {
  const rows: Row[] = [];
  for (const [n, fields] of groupBy(t.fields, 'add_collateral')) {
    const row: Row = {};
    let any = false;
    for (const f of fields) {
      if (f.has('calculated_field')) {
        const r = runField(f, st, { kind: 'app' }, scope).value;
        if (r !== undefined && r !== null) row[f.column] = r;
        continue;
      }
      if (f.has('char_to_bit')) { row[f.column] = runField(f, st, { kind: 'none' }, null).value ?? 0; continue; }
      const v = text(extractValue(st, f, { kind: 'none' }));
      if (!meaningful(v)) continue;
      if (f.has('numbers_only') || f.has('extract_numeric')) {
        const r = runField(f, st, { kind: 'none' }, null).value;
        if (r === undefined || r === null) continue; // no digits: nothing set, not meaningful
        row[f.column] = r;
        any = true;
        continue;
      }
      const c = f.dataType === 'string' ? v.trim() : coerce(v.trim(), f.dataType, { places: f.length, direct: true, legacy: st.legacy });
      row[f.column] = c ?? v.trim();
      if (f.column === 'wholesale_value') { if (Number(v) > 0) any = true; } else any = true;
    }
    if (!any) continue;
    row['app_id'] = st.appId;
    row['sort_order'] = Number(n);
    for (const f of fields) {
      if (f.column in row) continue;
      const d = defaultFor(f);
      if (d !== null) row[f.column] = d;
    }
    rows.push(row);
  }
  return rows;
}
