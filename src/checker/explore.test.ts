/**
 * The exhaustive explorer: canonical keys, shortest counterexamples, and agreement with the
 * random checker on every suite small enough to explore.
 */

import { describe, expect, it } from 'vitest';
import { SUITES } from '../../properties/index.js';
import { resolveConfig } from '../model/config.js';
import { traceSetup } from '../model/events.js';
import { enabledEvents, initialState, step, stepEnabled } from '../model/system.js';
import type { State } from '../model/types.js';
import { canonicalText, FingerprintSet, hash64, stateKey } from './canonical.js';
import { explore } from './explore.js';
import { play } from './fixtures.js';

describe('Explorer: canonical state keys', () => {
  it('two states that differ only in batch and request ids get the same key', () => {
    const { last } = play({}, ['AppSend(p0)', 'ProducerDrain(b0)', 'BrokerReceive(b0)', 'ProducerReceive(b0)']);
    const renamed: State = {
      ...last,
      producer: { ...last.producer, nextBatchId: last.producer.nextBatchId + 10, nextRequestId: last.producer.nextRequestId + 7 },
    };
    expect(canonicalText(renamed)).toBe(canonicalText(last));
  });

  it('states that can behave differently get different keys', () => {
    const one = play({}, ['AppSend(p0)']).last;
    const two = play({}, ['AppSend(p0)', 'AppSend(p0)']).last;
    const drained = play({}, ['AppSend(p0)', 'ProducerDrain(b0)']).last;
    expect(new Set([one, two, drained].map(canonicalText)).size).toBe(3);
  });

  it('the events counter is not part of the key (a state reached sooner dominates)', () => {
    const resolved = resolveConfig({});
    if (!resolved.ok) throw new Error('config');
    const setup = traceSetup(resolved.config);
    const start = initialState(setup);
    const later = step(setup, start, { kind: 'AppSend', partition: 0 });
    expect(canonicalText({ ...later, counters: { ...later.counters, events: 99 } })).toBe(canonicalText(later));
  });

  it('stateKey (the fast hash) and canonicalText (the readable definition) tell the same states apart', () => {
    // Breadth-first over five suites (one with a consumer group): equal texts must give equal keys, and different texts
    // different keys (a coarser key, or a collision, would make the explorer skip states).
    let classes = 0;
    const suites = [
      'replication.acks-all-min-isr-2-no-loss',
      'finding.clean-broker-restart-duplicates',
      'restart.at-least-once-duplicates',
      'caveat.producer-id-expiry-duplicates',
      'consumer.dedup-end-to-end',
    ];
    for (const name of suites) {
      const setup = SUITES.find((s) => s.name === name)?.setup;
      if (setup === null || setup === undefined) throw new Error(name);
      const keyOfText = new Map<string, string>();
      const textOfKey = new Map<string, string>();
      let frontier = [initialState(setup)];
      while (frontier.length > 0 && keyOfText.size < 8000) {
        const next: State[] = [];
        for (const state of frontier) {
          for (const event of enabledEvents(setup, state)) {
            const after = stepEnabled(setup, state, event);
            const text = canonicalText(after);
            const key = stateKey(after, 0).join(':');
            const known = keyOfText.get(text);
            if (known !== undefined) {
              expect(key, name).toBe(known);
              continue;
            }
            expect(textOfKey.get(key), name).toBeUndefined();
            keyOfText.set(text, key);
            textOfKey.set(key, text);
            next.push(after);
          }
        }
        frontier = next;
      }
      classes += keyOfText.size;
    }
    expect(classes).toBeGreaterThan(20000);
  });

  it('the fingerprint set stores 64-bit keys and grows', () => {
    const set = new FingerprintSet(4);
    for (let i = 0; i < 1000; i++) expect(set.add(...hash64(`k${i}`))).toBe(true);
    expect(set.add(...hash64('k7'))).toBe(false);
    expect(set.size).toBe(1000);
  });
});

describe('Explorer: verdicts', () => {
  const suite = (name: string) => {
    const found = SUITES.find((s) => s.name === name);
    if (found?.setup === null || found === undefined) throw new Error(name);
    return { suite: found, setup: found.setup };
  };

  it('finds the shortest counterexample: the non-idempotent duplicate in 6 steps', () => {
    const { suite: s, setup } = suite('delivery.acks1-retry-duplicates');
    const result = explore(setup, s.checked, s.sought, { maxStates: 100_000 });
    expect(result.verdict.kind).toBe('violated');
    if (result.verdict.kind === 'violated') expect(result.verdict.events).toHaveLength(6);
  });

  it('is complete when the invariants hold in every reachable state', () => {
    const { suite: s, setup } = suite('restart.without-resend-no-duplicates');
    const result = explore({ ...setup, bounds: { ...setup.bounds, eventsMax: 12 } }, s.checked, s.sought, { maxStates: 200_000 });
    expect(result.verdict).toEqual({ kind: 'complete' });
    expect(result.unique).toBeGreaterThan(1000);
  });

  it('says so when a limit stops it', () => {
    const { suite: s, setup } = suite('delivery.idempotent-in-flight-5');
    const result = explore(setup, s.checked, s.sought, { maxStates: 500 });
    expect(result.verdict).toEqual({ kind: 'incomplete', reason: expect.stringContaining('state limit (500 unique states)') });
    expect(result.unique).toBe(500);
  });

  it('a limit of exactly the reachable states is complete, one fewer is not; generated counts the initial state', () => {
    const { suite: s, setup } = suite('restart.without-resend-no-duplicates');
    const small = { ...setup, bounds: { ...setup.bounds, eventsMax: 8 } };
    const all = explore(small, s.checked, s.sought, { maxStates: 1_000_000 });
    expect(all.verdict).toEqual({ kind: 'complete' });
    expect(explore(small, s.checked, s.sought, { maxStates: all.unique }).verdict).toEqual({ kind: 'complete' });
    const short = explore(small, s.checked, s.sought, { maxStates: all.unique - 1 });
    expect(short.verdict.kind).toBe('incomplete');
    expect(short.unique).toBe(all.unique - 1);
    const initialOnly = explore(small, s.checked, s.sought, { maxStates: 1 });
    expect(initialOnly).toMatchObject({ unique: 1, generated: 2 });
  });
});

/*
 * The explorer's agreement with the random checker on each suite it decides within 10,000 states
 * is tested beside each suite's search (properties/suite-tests.ts), which it reads rather than
 * running the search again. Here: that enough suites are decided for that to mean something.
 */
describe('Explorer and checker agree on every suite small enough to explore', () => {
  it('compared enough suites to mean something: the explorer decides at least 10 within 10,000 states', () => {
    const decided: string[] = [];
    for (const s of SUITES) {
      if (s.setup === null) continue;
      if (explore(s.setup, s.checked, [], { maxStates: 10_000 }).verdict.kind !== 'incomplete') decided.push(s.name);
      if (decided.length >= 10) break;
    }
    expect(decided.length).toBeGreaterThanOrEqual(10);
  });
});
