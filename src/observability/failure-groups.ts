/**
 * Failures grouped by stage and normalized reason, for the failure budget's message, the summary and
 * the HTML report. A reason quotes its document (`value "12x" at …`, `app id 4711 does not match …`),
 * so reasons are normalized before grouping: quoted values become `"…"` and free-standing numbers `N`
 * (digits inside names such as `line2`, and indexes such as `mappings[3]`, stay). Memory stays bounded on a run that fails millions of
 * apps: at most `maxGroups` groups (later new reasons are counted under one "other reasons" group of
 * their stage) and at most `maxIds` app ids per group.
 */

/** One group: every failure of one stage with one normalized reason. */
export interface FailureGroup {
  stage: string;
  /** The normalized reason (quoted text and numbers replaced). */
  reason: string;
  count: number;
  /** The first app ids (at most the cap), in the order they failed. */
  appIds: number[];
  /** One full reason as it was logged (the first), for context. */
  example: string;
}

/** The group under which reasons beyond the cap are counted. */
export const OTHER_REASONS = '(other reasons: too many distinct reasons to list)';

const MAX_REASON = 300;

/** Quoted text → `"…"`, free-standing numbers → `N`, whitespace runs → one space; at most 300 characters. */
export function normalizeReason(reason: string): string {
  // quoted values (with a letter or digit: `"<"` in a message is syntax, not a value) and numbers,
  // except indexes such as mappings[3] that name a place in the contract
  let r = reason
    .replace(/"(?:[^"\\]|\\.)*"/g, (m) => (/[\p{L}\p{N}]/u.test(m) ? '"…"' : m))
    .replace(/'(?:[^'\\]|\\.)*'/g, (m) => (/[\p{L}\p{N}]/u.test(m) ? '\'…\'' : m))
    .replace(/(?<![\p{L}\p{N}_.[])[-+]?\d+(?:[.,]\d+)*(?![\p{L}_\]])/gu, 'N')
    .replace(/\s+/g, ' ')
    .trim();
  if (r.length > MAX_REASON) r = `${r.slice(0, MAX_REASON - 1)}…`;
  return r;
}

/** Accumulates failures into groups. */
export class FailureGroups {
  private readonly groups = new Map<string, FailureGroup>();
  total = 0;

  constructor(private readonly maxGroups = 200, private readonly maxIds = 50) {}

  /** Adds one failed app. */
  add(f: { readonly appId: number; readonly stage: string; readonly reason: string }): void {
    this.total++;
    let reason = normalizeReason(f.reason);
    let key = `${f.stage}\u0000${reason}`;
    if (!this.groups.has(key) && this.groups.size >= this.maxGroups) {
      reason = OTHER_REASONS;
      key = `${f.stage}\u0000${reason}`;
    }
    let g = this.groups.get(key);
    if (!g) {
      g = { stage: f.stage, reason, count: 0, appIds: [], example: f.reason.length > 1000 ? `${f.reason.slice(0, 999)}…` : f.reason };
      this.groups.set(key, g);
    }
    g.count++;
    if (g.appIds.length < this.maxIds) g.appIds.push(f.appId);
  }

  /** Groups by count, largest first (ties: stage, then reason), at most `limit`. */
  top(limit = Infinity): FailureGroup[] {
    return sortGroups([...this.groups.values()]).slice(0, limit);
  }
}

/** Largest first; ties by stage, then reason (a stable, readable order). */
export function sortGroups(groups: FailureGroup[]): FailureGroup[] {
  return groups.sort((a, b) => b.count - a.count || a.stage.localeCompare(b.stage) || a.reason.localeCompare(b.reason));
}

/** Lines for people: `  412 × [mapping] app_base.x: required value missing (e.g. apps 1, 2, 3)`. */
export function renderTopReasons(groups: readonly FailureGroup[], total: number, limit = 5): string[] {
  const shown = groups.slice(0, limit);
  const w = Math.max(1, ...shown.map((g) => String(g.count).length));
  const lines = shown.map((g) => {
    const ids = g.appIds.slice(0, 3).join(', ');
    const reason = g.reason.length > 160 ? `${g.reason.slice(0, 159)}…` : g.reason;
    return `  ${String(g.count).padStart(w)} × [${g.stage}] ${reason} (e.g. app${g.appIds.length === 1 ? '' : 's'} ${ids})`;
  });
  const rest = total - shown.reduce((n, g) => n + g.count, 0);
  if (rest > 0) lines.push(`  ${String(rest).padStart(w)} × other reasons (xmlmigrate status; --report for all groups)`);
  return lines;
}
