/**
 * Partial-order reduction, shown sound rather than assumed: on every suite small enough, the
 * reduced search gives the full search's verdict and shortest length; a deliberately wrong
 * declaration is caught by that same comparison; and on the states of small suites, events the
 * declarations call independent commute and events they call invisible leave every invariant as it was.
 */

import { describe, expect, it } from 'vitest';
import { SUITES } from '../../properties/index.js';
import type { Event, Setup } from '../model/events.js';
import { EVENT_FOOTPRINTS, EVENT_INDICES } from '../model/footprints.js';
import { violatedInvariants } from '../model/invariants.js';
import { enabledEvents, initialState, step, stepEnabled } from '../model/system.js';
import type { State } from '../model/types.js';
import { stateKey } from './canonical.js';
import { explore } from './explore.js';
import type { ExploreResult } from './explore.js';
import { MODEL_FOOTPRINTS, Reducer } from './por.js';
import type { FootprintTables } from './por.js';
import type { Suite } from './suite.js';

/** A suite is small enough when its full search ends (complete or violated) within this many states. */
const SMALL = 3_000;

function suite(name: string): Suite & { setup: Setup } {
  const found = SUITES.find((s) => s.name === name);
  if (found === undefined || found.setup === null) throw new Error(name);
  return found as Suite & { setup: Setup };
}

const lengthOf = (r: ExploreResult): number | null => (r.verdict.kind === 'violated' ? r.verdict.events.length : null);

/** Where a reduced search (its own verdict, before any full search) disagrees with the full one, or null. */
function disagreement(full: ExploreResult, reduced: ExploreResult): string | null {
  const own = reduced.reduction;
  if (own === undefined) return 'no reduction report';
  if (own.verdict !== full.verdict.kind) return `reduced search: ${own.verdict}, full search: ${full.verdict.kind}`;
  if (own.length !== lengthOf(full)) return `reduced search: ${own.length} steps, full search: ${lengthOf(full)}`;
  if (reduced.verdict.kind !== full.verdict.kind || lengthOf(reduced) !== lengthOf(full)) return 'the result differs';
  if (reduced.verdict.kind === 'violated' && full.verdict.kind === 'violated' && reduced.verdict.results[0]?.invariant !== full.verdict.results[0]?.invariant) return 'another invariant';
  return null;
}

describe('Partial-order reduction: the reduced search agrees with the full one on every suite small enough', () => {
  const compared: string[] = [];
  for (const s of SUITES) {
    if (s.setup === null) continue;
    const setup = s.setup;
    it(s.name, () => {
      // Where no state can be reduced (an event kind without a declaration, such as the consumer
      // group's), explore runs the full search alone: nothing to compare.
      if (new Reducer(setup, s.checked.map((i) => i.name), s.sought.map((w) => w.name)).inert !== null) return;
      const full = explore(setup, s.checked, s.sought, { maxStates: SMALL });
      if (full.verdict.kind === 'incomplete') return;
      const reduced = explore(setup, s.checked, s.sought, { maxStates: SMALL, reduce: { por: true } });
      expect(disagreement(full, reduced)).toBeNull();
      if (reduced.verdict.kind === 'violated') {
        // The counterexample replays from the initial state.
        let state = initialState(setup);
        for (const event of reduced.verdict.events) state = step(setup, state, event);
        expect(violatedInvariants(state, s.checked).length).toBeGreaterThan(0);
      }
      compared.push(s.name);
    });
  }
  it('compared enough suites to mean something', () => {
    expect(compared.length).toBeGreaterThanOrEqual(12);
  });
});

describe('Partial-order reduction: a wrong declaration is caught', () => {
  // ProducerReceive declared to touch nothing: invisible and independent of everything, so the
  // reduced search may read a response at once where losing it first is the shorter way to a violation.
  const wrong: FootprintTables = { ...MODEL_FOOTPRINTS, events: { ...EVENT_FOOTPRINTS, ProducerReceive: () => ({ reads: [], writes: [] }) } };

  // NetworkDisconnect declared to touch nothing: invisible and independent of everything, so the
  // reduced search may put it off past the moment it would lose an answer. On this suite, which has
  // no request timeout to break the connection instead, it misses the duplicate.
  const wrongDisconnect: FootprintTables = { ...MODEL_FOOTPRINTS, events: { ...EVENT_FOOTPRINTS, NetworkDisconnect: () => ({ reads: [], writes: [] }) } };

  it('misses the lost-ack duplicate (a wrong "complete")', () => {
    const s = suite('config.implicit-acks-1-disables-idempotence');
    const full = explore(s.setup, s.checked, [], { maxStates: SMALL });
    const reduced = explore(s.setup, s.checked, [], { maxStates: SMALL, reduce: { por: true, footprints: wrongDisconnect } });
    expect(full.verdict.kind).toBe('violated');
    expect(reduced.reduction?.reducedStates).toBeGreaterThan(0);
    expect(disagreement(full, reduced)).toMatch(/reduced search: complete, full search: violated/);
  });

  it('or finds a longer counterexample than the shortest', () => {
    const s = suite('restart.at-least-once-duplicates');
    const full = explore(s.setup, s.checked, [], { maxStates: 50_000 });
    const reduced = explore(s.setup, s.checked, [], { maxStates: 50_000, reduce: { por: true, footprints: wrong } });
    expect(disagreement(full, reduced)).toMatch(/reduced search: \d+ steps, full search: 7/);
  });
});

/** The first states of a suite, breadth-first. */
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

describe('Partial-order reduction: the declarations hold on the states of small suites', () => {
  const names = [
    'replication.acks-all-min-isr-2-no-loss',
    'replication.power-loss-min-isr-2-no-loss',
    'ordering.idempotent-one-in-flight-keeps-order',
    'finding.new-producer-id-reordered',
    'replication.correlated-power-loss-loses',
    'caveat.producer-id-expiry-duplicates',
    'finding.clean-broker-restart-duplicates',
  ];
  for (const name of names) {
    it(`${name}: independent events commute and do not disable each other; invisible ones keep every invariant and witness`, () => {
      const s = suite(name);
      const reducer = new Reducer(s.setup, s.checked.map((i) => i.name), s.sought.map((w) => w.name));
      const witnesses = (state: State): boolean[] => s.sought.map((w) => w.holds(state));
      const key = (state: State): string => stateKey(state, 0).join(':');
      let pairs = 0;
      let invisible = 0;
      for (const state of sample(s.setup, 250)) {
        const events = enabledEvents(s.setup, state);
        const before = violatedInvariants(state, s.checked).map((r) => r.invariant);
        for (let i = 0; i < events.length; i++) {
          const a = events[i] as Event;
          const afterA = stepEnabled(s.setup, state, a);
          if (!reducer.isVisible(a)) {
            invisible += 1;
            expect(violatedInvariants(afterA, s.checked).map((r) => r.invariant), `${a.kind} is declared invisible`).toEqual(before);
            expect(witnesses(afterA), `${a.kind} is declared invisible to the witnesses`).toEqual(witnesses(state));
          }
          for (let j = i + 1; j < events.length; j++) {
            const b = events[j] as Event;
            if (reducer.dependent(a, b)) continue;
            pairs += 1;
            const afterB = stepEnabled(s.setup, state, b);
            const enabledAfter = (x: State, e: Event): boolean => enabledEvents(s.setup, x).some((o) => JSON.stringify(o) === JSON.stringify(e));
            expect(enabledAfter(afterA, b) && enabledAfter(afterB, a), `${a.kind} and ${b.kind} are declared independent`).toBe(true);
            expect(key(stepEnabled(s.setup, afterA, b)), `${JSON.stringify(a)} then ${JSON.stringify(b)}`).toBe(key(stepEnabled(s.setup, afterB, a)));
          }
        }
      }
      expect(pairs + invisible).toBeGreaterThan(0);
    });
  }

  it('every declared kind names its index fields, and an undeclared kind is dependent on every event and visible', () => {
    for (const kind of Object.keys(EVENT_FOOTPRINTS)) expect(EVENT_INDICES[kind as keyof typeof EVENT_INDICES], kind).toBeDefined();
    const s = suite('replication.acks-all-min-isr-2-no-loss');
    const shrink: Event = { kind: 'LeaderShrinkIsr', partition: 0, replica: 1 };
    const drain: Event = { kind: 'ProducerDrain', broker: 0 };
    const declared = new Reducer(s.setup, ['NoAckedRecordLost'], []);
    expect(declared.isVisible(shrink)).toBe(false);
    expect(declared.dependent(shrink, drain)).toBe(false);
    const { LeaderShrinkIsr: _dropped, ...rest } = EVENT_FOOTPRINTS;
    const undeclared = new Reducer(s.setup, ['NoAckedRecordLost'], [], { ...MODEL_FOOTPRINTS, events: rest });
    expect(undeclared.isVisible(shrink)).toBe(true);
    expect(undeclared.dependent(shrink, drain)).toBe(true);
    // An invariant without declared reads sees every event.
    expect(new Reducer(s.setup, ['NoSuchInvariant'], []).isVisible(shrink)).toBe(true);
  });
});
