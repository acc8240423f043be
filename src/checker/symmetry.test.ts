/**
 * Symmetry reduction, shown sound rather than assumed: where it applies, renaming brokers maps
 * every state's enabled events and successors onto the renamed state's, and keeps every invariant
 * and witness (checked on the states of every suite it applies to); the same check finds the
 * asymmetry where it does not apply; and the reduced search gives the full one's verdict and
 * shortest length.
 */

import { describe, expect, it } from 'vitest';
import { SUITES } from '../../properties/index.js';
import type { Event, Setup } from '../model/events.js';
import { violatedInvariants } from '../model/invariants.js';
import { enabledEvents, initialState, stepEnabled } from '../model/system.js';
import type { State } from '../model/types.js';
import type { Witness } from '../model/witnesses.js';
import type { Invariant } from '../model/invariants.js';
import { stateKey } from './canonical.js';
import { explore } from './explore.js';
import { knownFields, renameBrokers, renamings, symmetryUnsound } from './symmetry.js';
import type { Suite } from './suite.js';

function suite(name: string): Suite & { setup: Setup } {
  const found = SUITES.find((s) => s.name === name);
  if (found === undefined || found.setup === null) throw new Error(name);
  return found as Suite & { setup: Setup };
}

function renameEvent(event: Event, to: readonly number[]): Event {
  const out: Record<string, unknown> = { ...event };
  if ('broker' in event) out['broker'] = to[event.broker];
  if ('replica' in event) out['replica'] = to[event.replica];
  return out as unknown as Event;
}

/** The first states of a setup, breadth-first. */
function sample(setup: Setup, count: number): State[] {
  const out: State[] = [];
  const seen = new Set<string>();
  let frontier = [initialState(setup)];
  while (frontier.length > 0 && out.length < count) {
    const next: State[] = [];
    for (const state of frontier) {
      const key = stateKey(state, 0).join(':');
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(state);
      for (const event of enabledEvents(setup, state)) next.push(stepEnabled(setup, state, event));
    }
    frontier = next;
  }
  return out;
}

/** The first place where renaming brokers is not a symmetry of the setup on these states, or null. */
function asymmetry(setup: Setup, invariants: readonly Invariant[], witnesses: readonly Witness[], states: readonly State[]): string | null {
  const key = (state: State): string => stateKey(state, 0).join(':');
  const names = (state: State): string => violatedInvariants(state, invariants).map((r) => r.invariant).join(',');
  const holds = (state: State): string => witnesses.map((w) => w.holds(state)).join(',');
  for (const state of states) {
    const events = enabledEvents(setup, state);
    for (const to of renamings(setup.config.topic.replicationFactor)) {
      const renamed = renameBrokers(state, to);
      if (names(renamed) !== names(state) || holds(renamed) !== holds(state)) return `invariants or witnesses differ under ${to}`;
      const expected = events.map((e) => JSON.stringify(renameEvent(e, to))).sort();
      const got = enabledEvents(setup, renamed).map((e) => JSON.stringify(e)).sort();
      if (expected.join() !== got.join()) return `enabled events differ under ${to}: ${expected.join(' ')} / ${got.join(' ')}`;
      for (const event of events) {
        const a = key(stepEnabled(setup, renamed, renameEvent(event, to)));
        const b = key(renameBrokers(stepEnabled(setup, state, event), to));
        if (a !== b) return `${event.kind} ${JSON.stringify(event)} under ${to}: the successors differ`;
      }
    }
  }
  return null;
}

/** RF=3 with leader moves and ISR shrinks but no broker stops: where the renaming of three brokers applies. */
function leaderMoves(recordsMax: number, eventsMax: number): Suite & { setup: Setup } {
  const base = suite('replication.acks-all-min-isr-2-no-loss');
  const setup: Setup = { ...base.setup, faults: ['disconnect', 'isr-shrink', 'leader-change'], bounds: { ...base.setup.bounds, eventsMax, recordsMax } };
  return { ...base, name: `ad hoc: RF=3, leader moves, no stops, ${recordsMax} records, ${eventsMax} events`, setup };
}

const APPLICABLE = SUITES.filter((s) => s.setup !== null && symmetryUnsound(s.setup) === null);

describe('Symmetry: renaming brokers is a symmetry where it is applied', () => {
  it('applies to some shipped suites, and names why not for the others', () => {
    expect(APPLICABLE.map((s) => s.name)).toContain('finding.new-producer-id-reordered');
    expect(symmetryUnsound(suite('replication.acks-all-min-isr-2-no-loss').setup)).toMatch(/assignment order/);
    expect(symmetryUnsound(suite('delivery.acks1-retry-duplicates').setup)).toMatch(/one broker/);
    expect(symmetryUnsound(suite('consumer.failover-unclean').setup)).toMatch(/consumer/);
    expect(knownFields(initialState(suite('finding.new-producer-id-reordered').setup))).toBe(true);
  });

  for (const s of [...APPLICABLE, leaderMoves(2, 12)]) {
    it(`${s.name}: equivariant on its first states`, () => {
      const setup = s.setup as Setup;
      expect(asymmetry(setup, s.checked, s.sought, sample(setup, 200))).toBeNull();
    });
  }

  it('the same check finds the asymmetry of an election in assignment order (RF=3 with crashes)', () => {
    const s = suite('replication.acks-all-min-isr-2-no-loss');
    expect(asymmetry(s.setup, s.checked, s.sought, sample(s.setup, 1000))).toMatch(/BrokerCrash/);
  });
});

describe('Symmetry: the reduced search agrees with the full one', () => {
  // Every suite it applies to whose full search ends within SMALL states, and the RF=3 case with
  // leader moves at two sizes (where renaming merges states: about 2.6 times fewer).
  const SMALL = 15_000;
  const compared: string[] = [];
  for (const s of [...APPLICABLE, leaderMoves(1, 10), leaderMoves(2, 8)]) {
    it(s.name, () => {
      const setup = s.setup as Setup;
      const full = explore(setup, s.checked, s.sought, { maxStates: SMALL });
      if (full.verdict.kind === 'incomplete' && !s.name.startsWith('ad hoc')) return;
      expect(full.verdict.kind).not.toBe('incomplete');
      const reduced = explore(setup, s.checked, s.sought, { maxStates: SMALL, reduce: { por: false, symmetry: true } });
      expect(reduced.reduction?.symmetry).toEqual({ applied: true, why: null });
      expect(reduced.verdict.kind).toBe(full.verdict.kind);
      const length = (r: typeof full): number | null => (r.verdict.kind === 'violated' ? r.verdict.events.length : null);
      expect(length(reduced)).toBe(length(full));
      expect(reduced.unique).toBeLessThanOrEqual(full.unique);
      for (const w of s.sought) expect((reduced.witnessStates[w.name] ?? 0) > 0, w.name).toBe((full.witnessStates[w.name] ?? 0) > 0);
      compared.push(s.name);
      if (s.name.startsWith('ad hoc')) expect(reduced.unique).toBeLessThan(full.unique);
    });
  }
  it('compared enough to mean something', () => {
    expect(compared.length).toBeGreaterThanOrEqual(5);
  });
});
