/**
 * The parallel explorer (explore --workers N) against the one-thread search: the same verdict,
 * the same state counts, depth and witness counts when complete, a counterexample of the same
 * (shortest) length breaking the same invariant, and exactly the state limit when one stops it.
 */

import { describe, expect, it } from 'vitest';
import { suiteByName } from '../../properties/index.js';
import { explore } from '../checker/explore.js';
import type { Suite } from '../checker/suite.js';
import { exploreParallel } from './explore-parallel.js';

function suite(name: string): Suite {
  const s = suiteByName(name);
  if (s === undefined || s.setup === null) throw new Error(`no suite ${name}`);
  return s;
}

describe('explore --workers 2 gives the one-thread search’s verdict and counts', () => {
  for (const name of ['delivery.idempotent-in-flight-2', 'delivery.acks1-retry-duplicates']) {
    it(name, async () => {
      const s = suite(name);
      const one = explore(s.setup as NonNullable<Suite['setup']>, s.checked, s.sought, { maxStates: 100_000 });
      const two = await exploreParallel({ kind: 'suites', names: [name] }, s, { workers: 2, maxStates: 100_000, maxSteps: null });
      expect(two.verdict.kind).toBe(one.verdict.kind);
      if (one.verdict.kind === 'complete') {
        expect({ unique: two.unique, generated: two.generated, depth: two.depth, witnesses: two.witnessStates }).toEqual({
          unique: one.unique,
          generated: one.generated,
          depth: one.depth,
          witnesses: one.witnessStates,
        });
        expect(two.unique).toBeGreaterThan(1000);
      }
      if (one.verdict.kind === 'violated' && two.verdict.kind === 'violated') {
        expect(two.verdict.events.length).toBe(one.verdict.events.length);
        expect(two.verdict.results[0]?.invariant).toBe(one.verdict.results[0]?.invariant);
        expect(two.depth).toBe(one.depth);
      }
    }, 60_000);
  }

  it('stops with exactly the state limit, as the one-thread search does', async () => {
    const s = suite('delivery.idempotent-in-flight-2');
    const two = await exploreParallel({ kind: 'suites', names: [s.name] }, s, { workers: 2, maxStates: 777, maxSteps: null });
    expect(two.verdict.kind).toBe('incomplete');
    expect(two.unique).toBe(777);
  }, 60_000);
});
