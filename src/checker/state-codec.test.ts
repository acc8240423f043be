/**
 * The frontier's state codec: every state decodes to an equal state (same fields in the same
 * order, same values), on every state of the small suites and on random states; a value the
 * declaration does not allow is refused; codecs that adopt the same texts agree; the visited set
 * keeps fingerprints apart.
 */

import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { SUITES } from '../../properties/index.js';
import type { Event, Setup } from '../model/events.js';
import { enabledEvents, initialState, stepEnabled } from '../model/system.js';
import type { State } from '../model/types.js';
import { stateKey } from './canonical.js';
import { FingerprintSet } from './fingerprint-set.js';
import { ByteArena, StateCodec } from './state-codec.js';

/** JSON with every object's keys sorted: equal for equal values, whatever order their keys were set in. */
function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );
}

/**
 * Encode and decode one state; the decoded one must be equal field by field (keys come back in
 * the declared order, which a few records the model builds by spreads do not keep), and with
 * `strict` also by vitest's deep equality (slower: random states only).
 */
function roundTrip(codec: StateCodec, state: State, decoder: StateCodec = codec, strict = true): void {
  const arena = new ByteArena(16);
  arena.byte(0xff); // not at offset 0: decoding starts where the state starts
  codec.encode(state, arena);
  const back = decoder.decode(arena.data, 1);
  if (JSON.stringify(back) !== JSON.stringify(state)) {
    const [got, want] = [sortedJson(back), sortedJson(state)];
    if (got !== want) expect(got).toBe(want);
  }
  if (strict) expect(back).toStrictEqual(state);
}

/**
 * Every state breadth-first search reaches (no invariants, no witnesses); null past `limit`, or
 * with `prefix` the first `limit` states.
 */
function reachable(setup: Setup, limit: number, prefix = false): State[] | null {
  const seen = new FingerprintSet();
  const init = initialState(setup);
  seen.add(...stateKey(init, 0));
  const all = [init];
  let level = [init];
  while (level.length > 0) {
    const next: State[] = [];
    for (const state of level) {
      for (const event of enabledEvents(setup, state)) {
        const after = stepEnabled(setup, state, event);
        if (!seen.add(...stateKey(after, 0))) continue;
        if (all.length >= limit) return prefix ? all : null;
        all.push(after);
        next.push(after);
      }
    }
    level = next;
  }
  return all;
}

describe('State codec', () => {
  // Suites of at most 5,000 states (a search through every suite would take too long for a test).
  const SMALL = [
    'delivery.acks0-loses-acknowledged',
    'delivery.acks1-retry-duplicates',
    'delivery.idempotent-in-flight-2',
    'delivery.idempotent-in-flight-3',
    'finding.failure-after-deadline-rewrites-in-flight',
    'finding.clean-broker-restart-duplicates',
    'caveat.producer-id-expiry-duplicates',
    'mutant.broker-ignores-sequences',
    'mutant.dedup-window-1',
  ];
  it('round-trips every state of the small suites', () => {
    let states = 0;
    for (const name of SMALL) {
      const setup = SUITES.find((s) => s.name === name)?.setup;
      if (setup === null || setup === undefined) throw new Error(`no suite ${name}`);
      const all = reachable(setup, 5000);
      if (all === null) throw new Error(`${name} has grown past 5,000 states: pick another small suite`);
      const codec = new StateCodec();
      for (const state of all) roundTrip(codec, state, codec, false);
      states += all.length;
    }
    expect(states).toBeGreaterThan(12_000);
  });

  it('round-trips random states of every suite (random walks to their full length)', () => {
    const random = seedrandom('state-codec');
    for (const s of SUITES) {
      if (s.setup === null) continue;
      const codec = new StateCodec();
      for (let walk = 0; walk < 4; walk++) {
        let state = initialState(s.setup);
        for (let i = 0; i < s.setup.bounds.eventsMax; i++) {
          const events = enabledEvents(s.setup, state);
          if (events.length === 0) break;
          state = stepEnabled(s.setup, state, events[Math.floor(random() * events.length)] as Event);
          roundTrip(codec, state);
        }
      }
    }
  });

  it('refuses a value the declaration does not allow, naming the field', () => {
    const codec = new StateCodec();
    const setup = SUITES.find((x) => x.name === 'delivery.idempotent-in-flight-2')?.setup as Setup;
    const init = initialState(setup);
    // The first state a codec encodes is checked whole: a field the declaration does not list is refused.
    expect(() => new StateCodec().encode({ ...init, extra: 1 } as State, new ByteArena())).toThrow(/does not match its declaration: state: field extra is not declared in State/);
    // Negative and large integers are fine.
    roundTrip(codec, { ...init, nextProducerId: -(2 ** 40), counters: { ...init.counters, records: 2 ** 40 } });
    const refused = (state: unknown): void => {
      expect(() => codec.encode(state as State, new ByteArena()), JSON.stringify(state).slice(0, 60)).toThrow(/state-shape\.ts does not declare/);
    };
    refused({ ...init, nextProducerId: 0.5 });
    refused({ ...init, counters: { ...init.counters, records: '1' } });
    refused({ ...init, producer: { ...init.producer, epochBumpRequired: 1 } });
    refused({ ...init, network: [{ ...init.network[0], pending: { id: 1, partitions: [{ partition: 0, error: 'SOMETHING_NEW', baseOffset: 0, requiredOffset: 0 }] } }] });
    refused({ ...init, cluster: null });
  });

  it('codecs that do not learn write new texts inline, and agree again after adopting the same additions', () => {
    const s = SUITES.find((x) => x.name === 'restart.at-least-once-duplicates');
    const setup = s?.setup as Setup;
    const states = (reachable(setup, 3000, true) as State[]).filter((x) => x.ghost.sends.some((send) => send.error !== null));
    expect(states.length).toBeGreaterThan(10);
    const a = new StateCodec(false);
    const b = new StateCodec(false);
    const first = new ByteArena();
    a.encode(states[0] as State, first);
    // Nothing in the dictionary yet: decodable by a codec that has never seen these texts.
    expect(b.decode(first.data, 0)).toStrictEqual(states[0]);
    const met = a.takeMet();
    expect(met.strings.length).toBeGreaterThan(0);
    // Adopted in different orders, the dictionaries still agree.
    a.adopt(met);
    b.adopt({ strings: [...met.strings].reverse() });
    const dense = new ByteArena();
    a.encode(states[0] as State, dense);
    expect(dense.length).toBeLessThan(first.length);
    for (const state of states) roundTrip(a, state, b);
  });
});

describe('Fingerprint set', () => {
  it('stores 64-bit fingerprints, the all-zero one too, grows at three quarters, and lists what it holds', () => {
    const set = new FingerprintSet(4);
    expect(set.add(0, 0)).toBe(true);
    expect(set.add(0, 0)).toBe(false);
    for (let i = 1; i <= 3000; i++) expect(set.add(i * 7919, i % 3 === 0 ? 0 : i)).toBe(true);
    // Same low half, different high half: different fingerprints.
    expect(set.add(7919, 2)).toBe(true);
    expect(set.add(7919, 1)).toBe(false);
    expect(set.size).toBe(3002);
    expect(set.bytes).toBe(8 * 4096);
    const listed: number[] = [];
    set.forEach((a) => listed.push(a));
    expect(listed.length).toBe(3002);
  });
});
