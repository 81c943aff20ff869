/** Failure grouping by stage and normalized reason (budget message, summary, HTML report). */
import { describe, expect, it } from 'vitest';
import { FailureGroups, OTHER_REASONS, normalizeReason, renderTopReasons } from '../../../src/observability/failure-groups.js';

describe('normalizeReason', () => {
  it('replaces quoted values and free-standing numbers, keeps names, indexes and syntax', () => {
    expect(normalizeReason('invalid app id "12x" at /Provenir/Request@ID: must be a positive integer')).toBe('invalid app id "…" at /Provenir/Request@ID: must be a positive integer');
    expect(normalizeReason('document app id 4711 does not match the source row\'s app_id 4712')).toBe('document app id N does not match the source row\'s app_id N');
    expect(normalizeReason('NOT NULL column app_base.receive_date (mappings[1]) has no value')).toBe('NOT NULL column app_base.receive_date (mappings[1]) has no value');
    expect(normalizeReason('not an XML document: it must start with "<" and end with ">"')).toBe('not an XML document: it must start with "<" and end with ">"');
    expect(normalizeReason('value -3.5 out of range for line2   tinyint')).toBe('value N out of range for line2 tinyint');
  });

  it('caps long reasons', () => {
    expect(normalizeReason('x'.repeat(1000))).toHaveLength(300);
  });
});

describe('FailureGroups', () => {
  it('groups by stage and normalized reason, largest first, with capped app ids', () => {
    const g = new FailureGroups(10, 3);
    for (let i = 1; i <= 5; i++) g.add({ appId: i, stage: 'validation', reason: `invalid app id "a${i}" at X` });
    g.add({ appId: 9, stage: 'mapping', reason: 'invalid app id "b" at X' });
    g.add({ appId: 10, stage: 'insert', reason: 'value 300 out of range' });
    g.add({ appId: 11, stage: 'insert', reason: 'value 301 out of range' });
    const top = g.top();
    expect(g.total).toBe(8);
    expect(top.map((x) => [x.stage, x.reason, x.count])).toEqual([
      ['validation', 'invalid app id "…" at X', 5],
      ['insert', 'value N out of range', 2],
      ['mapping', 'invalid app id "…" at X', 1],
    ]);
    expect(top[0]!.appIds).toEqual([1, 2, 3]);
    expect(top[0]!.example).toBe('invalid app id "a1" at X');
  });

  it('counts reasons beyond the group cap under one group per stage', () => {
    const g = new FailureGroups(2, 5);
    g.add({ appId: 1, stage: 's', reason: 'alpha' });
    g.add({ appId: 2, stage: 's', reason: 'beta' });
    g.add({ appId: 3, stage: 's', reason: 'gamma' });
    g.add({ appId: 4, stage: 's', reason: 'delta' });
    g.add({ appId: 5, stage: 's', reason: 'alpha' });
    expect(g.top().map((x) => [x.reason, x.count])).toEqual([[OTHER_REASONS, 2], ['alpha', 2], ['beta', 1]]); // ties: by reason text
  });

  it('renders the top reasons with a remainder line', () => {
    const g = new FailureGroups();
    for (let i = 0; i < 7; i++) g.add({ appId: i, stage: 'mapping', reason: 'r1' });
    for (let i = 0; i < 6; i++) g.add({ appId: 100 + i, stage: 'mapping', reason: `r${i + 2}x` });
    const lines = renderTopReasons(g.top(), g.total, 2);
    expect(lines[0]).toBe('  7 × [mapping] r1 (e.g. apps 0, 1, 2)');
    expect(lines[1]).toMatch(/^ {2}1 × \[mapping\] r\dx \(e\.g\. app 10\d\)$/);
    expect(lines[2]).toBe('  5 × other reasons (xmlmigrate status; --report for all groups)');
  });
});
