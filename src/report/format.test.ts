/**
 * Small text helpers of the reports.
 */

import { describe, expect, it } from 'vitest';
import { sentence } from './format.js';

describe('sentence', () => {
  it('capitalises a first word of letters, and leaves a name such as r4 as it is', () => {
    expect(sentence('record r0 is in partition 0')).toBe('Record r0 is in partition 0');
    expect(sentence('r4 was acknowledged at offset 3')).toBe('r4 was acknowledged at offset 3');
    expect(sentence("r0' was sent")).toBe("r0' was sent");
    expect(sentence('')).toBe('');
  });
});
