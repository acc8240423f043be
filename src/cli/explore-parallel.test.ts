/**
 * The parallel explorer (explore --workers N) against the one-thread search: the same verdict,
 * the same state counts, depth and witness counts when complete, a counterexample of the same
 * (shortest) length breaking the same invariant, and exactly the state limit when one stops it;
 * and the same with symmetry reduction on both sides.
 */

import { describe, expect, it } from 'vitest';
import { suiteByName } from '../../properties/index.js';
import { adHocSuite } from '../checker/ad-hoc.js';
import type { AdHocOptions } from '../checker/ad-hoc.js';
import { explore } from '../checker/explore.js';
import type { Suite } from '../checker/suite.js';
import type { Selection } from './check-worker.js';
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

/** RF=3 with leader moves and ISR shrinks, no broker stops: symmetry applies and merges states. */
const LEADER_MOVES: AdHocOptions = {
  config: { 'replication.factor': 3, 'min.insync.replicas': 2 },
  faults: ['disconnect', 'isr-shrink', 'leader-change'],
  invariants: ['NoAckedRecordLost', 'NoDuplicateRecord', 'SessionOrderKept'],
  witnesses: ['RecordAcknowledged'],
  bounds: { recordsMax: 2, eventsMax: 9, clusterChangesMax: 2 },
};

describe('explore --workers 2 with symmetry gives the one-thread symmetric search’s verdict, counts and shortest length', () => {
  const cases: [string, Selection, Suite][] = [
    ['ad hoc: RF=3, leader moves and ISR shrinks, 2 records, 9 events', { kind: 'ad-hoc', options: LEADER_MOVES }, adHocSuite(LEADER_MOVES)],
    ...['replication.unclean-election-loses', 'replication.power-loss-min-isr-1-loses'].map((name): [string, Selection, Suite] => [name, { kind: 'suites', names: [name] }, suite(name)]),
  ];
  for (const [name, selection, s] of cases) {
    it(name, async () => {
      const setup = s.setup as NonNullable<Suite['setup']>;
      const one = explore(setup, s.checked, s.sought, { maxStates: 100_000, reduce: { por: false, symmetry: true } });
      const two = await exploreParallel(selection, s, { workers: 2, maxStates: 100_000, maxSteps: null, symmetry: true });
      expect(two.reduction?.symmetry).toEqual({ applied: true, why: null });
      expect(two.verdict.kind).toBe(one.verdict.kind);
      expect(two.depth).toBe(one.depth);
      if (one.verdict.kind === 'complete') {
        expect({ unique: two.unique, generated: two.generated, witnesses: two.witnessStates }).toEqual({ unique: one.unique, generated: one.generated, witnesses: one.witnessStates });
        // Symmetry merged states here: the full search visits more.
        expect(explore(setup, s.checked, s.sought, { maxStates: 100_000 }).unique).toBeGreaterThan(one.unique);
      }
      if (one.verdict.kind === 'violated' && two.verdict.kind === 'violated') {
        expect(two.verdict.events.length).toBe(one.verdict.events.length);
        expect(two.verdict.results[0]?.invariant).toBe(one.verdict.results[0]?.invariant);
      }
    }, 60_000);
  }
});
