/**
 * Determinism is a tested property: the same events give byte-identical states, states survive a
 * JSON round trip, and src/model uses no randomness, clock, timers, process or console.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { setupWithFaults, walk } from '../checker/fixtures.js';
import type { ConfigInput } from './config.js';
import type { Setup } from './events.js';
import { initialState, step } from './system.js';

const BOUNDS = { recordsMax: 3, resendsMax: 2, eventsMax: 40, lostMessagesMax: 3, restartsMax: 1, crashesMax: 2, clusterChangesMax: 2, powerLossesMax: 0 };

function setupFor(input: ConfigInput): Setup {
  return setupWithFaults(input, BOUNDS);
}

const SETUPS = [
  setupFor({}),
  setupFor({ 'replication.factor': 3, 'min.insync.replicas': 2, partitions: 2, application: 'at-least-once' }),
  setupFor({ acks: '1', 'enable.idempotence': false, 'replication.factor': 2, 'unclean.leader.election.enable': true }),
];

const choicesArb = fc.array(fc.nat({ max: 1023 }), { maxLength: 40 });

const FORBIDDEN = /Math\.random|Date\.now|new Date\(|setTimeout|setInterval|setImmediate|performance\.now|process\.|console\.|crypto/;

describe('Determinism', () => {
  it('stepping the same events twice gives identical JSON', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SETUPS), choicesArb, (setup, choices) => {
        const first = walk(setup, choices);
        let state = initialState(setup);
        const again = [state];
        for (const event of first.events) {
          state = step(setup, state, event);
          again.push(state);
        }
        expect(JSON.stringify(again)).toBe(JSON.stringify(first.states));
      }),
      { numRuns: 200 },
    );
  });

  it('states are plain data that survive a JSON round trip', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SETUPS), choicesArb, (setup, choices) => {
        for (const state of walk(setup, choices).states) expect(JSON.parse(JSON.stringify(state))).toEqual(state);
      }),
      { numRuns: 100 },
    );
  });

  it('src/model uses no randomness, clock, timers, process or console', () => {
    const dir = new URL('.', import.meta.url).pathname;
    const offenders: string[] = [];
    for (const file of readdirSync(dir)) {
      if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
      readFileSync(join(dir, file), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (FORBIDDEN.test(line)) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(offenders).toEqual([]);
  });

  it('the forbidden-token scan would catch a clock (the scan itself can fail)', () => {
    expect(FORBIDDEN.test('const t = Date.now();')).toBe(true);
    expect(FORBIDDEN.test('const t = state.counters.events;')).toBe(false);
  });
});
