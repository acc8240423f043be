/**
 * The frontier's state codec: every state decodes to an equal state (same fields in the same
 * order, same values), on every state of the small suites and on random states; codecs that
 * adopt the same shapes agree; the visited set keeps fingerprints apart.
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

/**
 * Encode and decode one state; the decoded one must be equal field by field and in key order
 * (its JSON text), and with `strict` also by vitest's deep equality (slower: random states only).
 */
function roundTrip(codec: StateCodec, state: State, decoder: StateCodec = codec, strict = true): void {
  const arena = new ByteArena(16);
  arena.byte(0xff); // not at offset 0: decoding starts where the state starts
  codec.encode(state, arena);
  const back = decoder.decode(arena.data, 1);
  const [got, want] = [JSON.stringify(back), JSON.stringify(state)];
  if (got !== want) expect(got).toBe(want);
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
    'finding.failure-after-deadline-rewrites-in-flight',
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

  it('encodes values the model does not use today: negatives, large and fractional numbers, long arrays, other strings', () => {
    const codec = new StateCodec();
    const odd = { a: [-5, -1, 0, 63, 64, 2 ** 40, -(2 ** 40), 0.5, -0], b: Array.from({ length: 40 }, (_, i) => i), c: ['é', '', 'x'], d: { e: null, f: true, g: false } };
    roundTrip(codec, odd as unknown as State);
    expect(() => codec.encode({ m: new Map() } as unknown as State, new ByteArena())).toThrow(/plain data/);
  });

  it('codecs that do not learn write new shapes inline, and agree again after adopting the same additions', () => {
    const s = SUITES.find((x) => x.name === 'replication.acks-all-min-isr-2-no-loss');
    const setup = s?.setup as Setup;
    const states = reachable(setup, 500, true) as State[];
    const a = new StateCodec(false);
    const b = new StateCodec(false);
    const first = new ByteArena();
    a.encode(states[0] as State, first);
    // Nothing in the dictionary yet: decodable by a codec that has never seen these shapes.
    expect(b.decode(first.data, 0)).toStrictEqual(states[0]);
    const met = a.takeMet();
    expect(met.shapes.length).toBeGreaterThan(5);
    // Adopted in different orders, the dictionaries still agree.
    a.adopt(met);
    b.adopt({ shapes: [...met.shapes].reverse(), strings: [...met.strings].reverse() });
    const dense = new ByteArena();
    a.encode(states[0] as State, dense);
    expect(dense.length).toBeLessThan(first.length / 2);
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
