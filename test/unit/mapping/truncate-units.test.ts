import { describe, expect, it } from 'vitest';
import { truncateUnits } from '../../../src/mapping/values.js';

describe('truncateUnits (data_length truncation, found by the SQL Server live suite)', () => {
  it('keeps strings that fit and cuts longer ones to max UTF-16 code units', () => {
    expect(truncateUnits('abc', 3)).toBe('abc');
    expect(truncateUnits('abcdef', 3)).toBe('abc');
    expect(truncateUnits('Zoë', 2)).toBe('Zo');
  });

  it('never leaves the first half of a surrogate pair: the character is dropped whole', () => {
    const s = `${'A'.repeat(49)}\u{1F600}`; // 51 code units
    const cut = truncateUnits(s, 50);
    expect(cut).toBe('A'.repeat(49));
    expect(Buffer.from(cut, 'utf8').toString('utf8')).toBe(cut); // encodes to UTF-8 without a replacement character
    expect(truncateUnits(`A\u{1F600}B`, 3)).toBe('A\u{1F600}');
    expect(truncateUnits(`\u{1F600}\u{1F600}`, 3)).toBe('\u{1F600}');
  });
});
