/**
 * The ghost's attempt counts (ghost.ts): counted while a send is pending, cleared with its outcome,
 * so that the explorer's key merges states that differ only in a completed send's counts.
 */

import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { SUITES } from '../../properties/index.js';
import type { Event } from './events.js';
import { enabledEvents, initialState, stepEnabled } from './system.js';

describe('Ghost attempt counts', () => {
  it('on seeded random walks through every suite, a send with its outcome has transmitted = rejected = 0', () => {
    let settledAfterAttempts = 0;
    for (const suite of SUITES) {
      const setup = suite.setup;
      if (setup === null) continue;
      const random = seedrandom(`ghost-counts:${suite.name}`);
      for (let w = 0; w < 2; w++) {
        let state = initialState(setup);
        for (let i = 0; i < setup.bounds.eventsMax; i++) {
          const events = enabledEvents(setup, state);
          if (events.length === 0) break;
          const next = stepEnabled(setup, state, events[Math.floor(random() * events.length)] as Event);
          next.ghost.sends.forEach((info, id) => {
            if (info.outcome === 'pending') return;
            expect([info.transmitted, info.rejected], `${suite.name}: send ${id} is ${info.outcome}`).toEqual([0, 0]);
            const before = state.ghost.sends[id];
            if (before?.outcome !== 'pending') return;
            if (before.transmitted > 0) settledAfterAttempts += 1;
          });
          state = next;
        }
      }
    }
    // The walks did settle sends whose attempts had been counted (producer.test.ts settles a rejected one).
    expect(settledAfterAttempts).toBeGreaterThan(100);
  });
});
